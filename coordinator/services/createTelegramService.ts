/**
 * The Telegram bot as a coordinator service: started by `startCoordinator` when
 * `TELEGRAM_BOT_TOKEN` is set (nothing happens without it). It calls the coordinator's
 * own HTTP API with the admin token for everything it reads or does (FL, proposals,
 * chaos runs, MAPE-K), so admin commands pass the same checks as the CLI and nothing
 * needs wiring in; it follows the in-process event bus for notifications and keeps
 * subscriptions in the coordinator's SQLite database. A Bot API server that is down at
 * boot does not stop the coordinator: the bot retries and `GET /health` reports it
 * (non-critical).
 *
 * @example
 * // coordinator/services/defaultServices.ts
 * import { telegramService } from "./createTelegramService.ts";
 * export const defaultServices = [knowledgeService, flService, meshService, chaosService, telegramService];
 */
import { createApiClient } from "../client/apiClient.ts";
import { resolveAdminToken } from "../config.ts";
import { TelegramStartError } from "../errors/telegram.ts";
import type { CoordinatorService, CoordinatorServiceFactory } from "./coordinatorService.ts";
import { openDatabase } from "../store/openDatabase.ts";
import { createTelegramBot, type TelegramBot } from "../telegram/createTelegramBot.ts";
import { SubscriptionRepository } from "../telegram/subscriptionRepository.ts";
import { createHttpBackend } from "../telegram/synodBackend.ts";

export type CreateTelegramServiceParameters = {
  /** The dApp's URL for links; default the first of `SYNOD_CORS_ORIGINS` (the dApp's origin). */
  dappUrl?: string;
  /** The coordinator API the bot calls; default `config.cli.apiUrl` (`SYNOD_API_URL`, else the listen address). */
  apiUrl?: string;
  /** Wait before retrying a failed start, ms; default 30 000. */
  retryMs?: number;
};

/**
 * @param parameters - link and API overrides.
 * @returns a service factory for `startCoordinator({ services })`.
 */
export function createTelegramService(parameters: CreateTelegramServiceParameters = {}): CoordinatorServiceFactory {
  return async ({ config, logger: parentLogger, events }): Promise<CoordinatorService> => {
    const logger = parentLogger.child({ component: "telegram" });
    const token = config.telegram.botToken;
    if (!token) {
      logger.debug("TELEGRAM_BOT_TOKEN is unset: no Telegram bot");
      return {};
    }
    const apiUrl = parameters.apiUrl ?? config.cli.apiUrl;
    // The bot calls the API before knowing where it listened: a random port cannot be found.
    if (new URL(apiUrl).port === "0") logger.warn({ apiUrl }, "SYNOD_API_PORT is 0: set SYNOD_API_URL so the Telegram bot can reach the coordinator");
    const { token: adminToken } = await resolveAdminToken(config);
    const backend = createHttpBackend({ api: createApiClient({ env: { SYNOD_API_URL: apiUrl, SYNOD_ADMIN_TOKEN: adminToken } }) });
    const db = openDatabase(config.dataDir);
    const subscriptions = new SubscriptionRepository(db);
    const telegram: TelegramBot = createTelegramBot({
      token,
      apiRoot: config.telegram.apiRoot,
      adminIds: config.telegram.adminIds,
      backend,
      subscriptions,
      events,
      dappUrl: parameters.dappUrl ?? config.api.corsOrigins[0] ?? "http://127.0.0.1:3000",
      logger,
    });
    if (config.telegram.adminIds.length === 0) logger.warn("TELEGRAM_ADMIN_IDS is empty: nobody can run /fl_start_round or /chaos_run from Telegram");

    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    let lastError: string | undefined;
    const start = async (): Promise<void> => {
      try {
        await telegram.start();
        lastError = undefined;
      } catch (error) {
        lastError = error instanceof TelegramStartError ? `${error.shortMessage} ${error.details}` : String(error);
        logger.error({ err: error }, "the Telegram bot did not start; retrying");
        if (!closed) retry = setTimeout(() => void start(), parameters.retryMs ?? 30_000);
        retry?.unref();
      }
    };
    await start();

    return {
      healthChecks: () => [
        {
          name: "telegram",
          critical: false,
          async check() {
            return telegram.running
              ? { ok: true, details: { username: telegram.me?.username ?? null, admins: config.telegram.adminIds.length } }
              : { ok: false, error: lastError ?? "not polling" };
          },
        },
      ],
      async close() {
        closed = true;
        clearTimeout(retry);
        await telegram.stop();
        db.close();
      },
    };
  };
}

/** The bot with the defaults: the coordinator's API at `SYNOD_API_URL` (else its listen address), links to the first CORS origin. */
export const telegramService: CoordinatorServiceFactory = createTelegramService();
