/**
 * `synod telegram` — runs the Telegram bot apart from the coordinator, against its HTTP
 * API (`SYNOD_API_URL`, the admin token as for every CLI command) and its event stream
 * (`GET /api/events`), until Ctrl-C. Subscriptions are kept in `$SYNOD_DATA_DIR/synod.db`.
 * Environment: TELEGRAM_BOT_TOKEN (required), TELEGRAM_API_ROOT, TELEGRAM_ADMIN_IDS,
 * SYNOD_DAPP_URL (default http://127.0.0.1:3000). `/chaos_*` and `/mapek` go through the
 * same API (`/api/chaos/*`, `/api/mapek`) as in the coordinator's own bot.
 */
import path from "node:path";
import { z } from "zod";
import { envSchema } from "../../config.ts";
import { ConfigValidationError } from "../../errors/config.ts";
import { TelegramTokenMissingError } from "../../errors/telegram.ts";
import { createLogger } from "../../logger.ts";
import { openDatabase } from "../../store/openDatabase.ts";
import { createTelegramBot } from "../../telegram/createTelegramBot.ts";
import { subscribeServerSentEvents } from "../../client/serverSentEvents.ts";
import { SubscriptionRepository } from "../../telegram/subscriptionRepository.ts";
import { createHttpBackend } from "../../telegram/synodBackend.ts";
import type { CommandContext } from "../command.ts";
import { UsageError } from "../../errors/cli.ts";

const telegramEnvSchema = envSchema
  .pick({ TELEGRAM_BOT_TOKEN: true, TELEGRAM_API_ROOT: true, TELEGRAM_ADMIN_IDS: true, SYNOD_DATA_DIR: true, LOG_LEVEL: true })
  .extend({
    SYNOD_DAPP_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional()),
  });

export type TelegramCommandParameters = CommandContext & {
  /** Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Resolves when the bot should stop; default SIGINT or SIGTERM. */
  until?: Promise<void>;
};

export async function telegramCommand({ api, out, args, env = process.env, until }: TelegramCommandParameters): Promise<void> {
  if (args.length > 0) throw new UsageError("synod telegram");
  const parsed = telegramEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigValidationError({ issues: parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? ""), message: issue.message })) });
  }
  const settings = parsed.data;
  if (!settings.TELEGRAM_BOT_TOKEN) throw new TelegramTokenMissingError();
  const logger = createLogger({ level: settings.LOG_LEVEL });
  const events = subscribeServerSentEvents({ apiUrl: api.baseUrl, logger });
  const db = openDatabase(path.resolve(settings.SYNOD_DATA_DIR));
  const telegram = createTelegramBot({
    token: settings.TELEGRAM_BOT_TOKEN,
    apiRoot: settings.TELEGRAM_API_ROOT,
    adminIds: settings.TELEGRAM_ADMIN_IDS,
    backend: createHttpBackend({ api }),
    subscriptions: new SubscriptionRepository(db),
    events,
    dappUrl: settings.SYNOD_DAPP_URL ?? "http://127.0.0.1:3000",
    logger,
  });
  try {
    await telegram.start();
    out.line(`Telegram bot @${telegram.me?.username ?? "?"} is serving ${api.baseUrl}. Ctrl-C stops it.`);
    await (until ??
      new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      }));
  } finally {
    await telegram.stop();
    events.close();
    db.close();
  }
}
