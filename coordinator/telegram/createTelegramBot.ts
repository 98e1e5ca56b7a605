/**
 * The Synod Telegram bot (grammY, long polling): parses commands, checks the admin
 * allow-list and per-chat rate limits, runs the command from `commands.ts` and replies
 * in the user's language; sends notifications from the coordinator's events.
 * Every failure becomes a reply or a log line: an update never stops the bot.
 */
import { Bot, GrammyError, HttpError, type Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { BaseError } from "../errors/base.ts";
import { ApiRequestError, ApiResponseValidationError, CoordinatorUnreachableError } from "../errors/client.ts";
import { redactBotToken, TelegramStartError } from "../errors/telegram.ts";
import type { Logger } from "../logger.ts";
import { createChatRateLimiter } from "./chatRateLimiter.ts";
import { COMMANDS, type CommandDeps } from "./commands.ts";
import { observeEvents, type BotEventSource } from "./eventObserver.ts";
import { languageOf, type Lang } from "./languageOf.ts";
import { MESSAGES, type Links } from "./messages.ts";
import { startNotifier, type Notifier } from "./notifier.ts";
import { retryFloodWait } from "./retryFloodWait.ts";
import type { SubscriptionRepository } from "./subscriptionRepository.ts";
import type { SynodBackend } from "./synodBackend.ts";

export type CreateTelegramBotParameters = {
  /** `TELEGRAM_BOT_TOKEN`. */
  token: string;
  /** `TELEGRAM_API_ROOT`: a self-hosted Bot API server; default Telegram's. No trailing slash. */
  apiRoot?: string | undefined;
  /** `TELEGRAM_ADMIN_IDS`: Telegram user ids allowed to run admin commands. */
  adminIds: readonly string[];
  backend: SynodBackend;
  subscriptions: SubscriptionRepository;
  /** The coordinator's events (the in-process bus, or the SSE stream from `subscribeServerSentEvents` in coordinator/cli). */
  events: BotEventSource;
  /** The dApp's base URL for links. */
  dappUrl: string;
  /** Commands per chat: `max` in a burst, refilled over `windowMs`. Default 20 per minute. */
  rateLimit?: { max: number; windowMs: number };
  /** Long-polling timeout, seconds; default 30. */
  pollTimeoutSeconds?: number;
  logger: Logger;
};

export type TelegramBot = {
  bot: Bot;
  notifier: Notifier;
  /** Who the bot is (after {@link TelegramBot.start}). */
  readonly me: UserFromGetMe | undefined;
  /** Whether long polling runs. */
  readonly running: boolean;
  /**
   * Checks the token (`getMe`), registers the command menu and starts long polling.
   * Resolves once polling has started.
   * @throws {TelegramStartError} when the Bot API refuses the token or cannot be reached.
   */
  start(): Promise<void>;
  /** Stops polling, waits for the update being handled and for queued notifications. Idempotent. */
  stop(): Promise<void>;
};

/** A command's name and arguments from a message text: `/fl_status@synod_bot a b` → `fl_status`, `["a", "b"]`. */
export function parseCommand(text: string, botUsername: string | undefined): { name: string; args: string[] } | { name: undefined; addressedElsewhere: boolean } {
  const match = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return { name: undefined, addressedElsewhere: false };
  const [, name, target, rest] = match;
  if (target && botUsername && target.toLowerCase() !== botUsername.toLowerCase()) return { name: undefined, addressedElsewhere: true };
  return { name: name!.toLowerCase(), args: (rest ?? "").split(/\s+/).filter(Boolean) };
}

/**
 * @example
 * import { createTelegramBot } from "./createTelegramBot.ts";
 * const telegram = createTelegramBot({ token, adminIds: ["42"], backend, subscriptions, events, dappUrl: "http://127.0.0.1:3000", logger });
 * await telegram.start();
 * // …
 * await telegram.stop();
 */
export function createTelegramBot(parameters: CreateTelegramBotParameters): TelegramBot {
  const { token, backend, subscriptions, events, logger: parentLogger } = parameters;
  const logger = parentLogger.child({ component: "telegram" });
  const apiRoot = parameters.apiRoot?.replace(/\/+$/, "");
  const bot = new Bot(token, apiRoot ? { client: { apiRoot } } : {});
  // Installed on bot.api; grammY copies it to every update's ctx.api.
  bot.api.config.use(retryFloodWait());
  const admins = new Set(parameters.adminIds.map(String));
  const limiter = createChatRateLimiter(parameters.rateLimit ?? { max: 20, windowMs: 60_000 });
  const links: Links = { dappUrl: parameters.dappUrl.replace(/\/+$/, ""), apiUrl: backend.apiUrl.replace(/\/+$/, "") };
  const observer = observeEvents(events);
  const notifier = startNotifier({
    events,
    subscriptions,
    api: bot.api,
    links,
    logger,
    describeProposal: async (id) => (await backend.proposals(20)).find((p) => p.id === id),
  });
  const deps: CommandDeps = { backend, subscriptions, notifier, observer, links, logger };

  const replyTo = (ctx: Context) => async (text: string) => {
    await ctx.reply(text, { parse_mode: "HTML", link_preview_options: { is_disabled: true } });
  };

  /** A failed command as the user should see it; unexpected failures are logged in full. */
  const explain = (error: unknown, lang: Lang, command: string): string => {
    const t = MESSAGES[lang];
    if (error instanceof ApiRequestError) {
      if (error.status === 409 && command === "fl_start_round") return t.roundBusy(error.shortMessage);
      if (error.status === 503 && command === "proposals") return t.proposalsUnavailable(error.shortMessage);
      // 4xx and 503 (a service the coordinator needs is down) are answers, not bugs.
      if (error.status < 500 || error.status === 503) return t.coordinatorError(error.shortMessage);
    }
    if (error instanceof CoordinatorUnreachableError) return t.coordinatorError(error.shortMessage);
    logger.error({ err: error, command }, "command failed");
    if (error instanceof ApiResponseValidationError) return t.coordinatorError("The coordinator answered in a shape this bot does not understand (another version?).");
    if (error instanceof BaseError) return t.coordinatorError(error.shortMessage);
    return t.internalError();
  };

  bot.on("message:text", async (ctx) => {
    const lang = languageOf(ctx.from?.language_code);
    const t = MESSAGES[lang];
    const reply = replyTo(ctx);
    const parsed = parseCommand(ctx.message.text, ctx.me.username);
    if (parsed.name === undefined) {
      // Plain text: point people at /help in private chats; stay quiet in groups.
      if (!parsed.addressedElsewhere && ctx.chat.type === "private") await reply(t.help(admins.has(String(ctx.from?.id))));
      return;
    }
    const taken = limiter.take(ctx.chat.id);
    if (!taken.ok) {
      logger.debug({ chatId: ctx.chat.id, retryAfterMs: taken.retryAfterMs }, "rate limited");
      if (taken.notify) await reply(t.rateLimited(taken.retryAfterMs));
      return;
    }
    const command = Object.hasOwn(COMMANDS, parsed.name) ? COMMANDS[parsed.name] : undefined;
    if (!command) return reply(t.unknownCommand(parsed.name));
    const isAdmin = ctx.from !== undefined && admins.has(String(ctx.from.id));
    logger.info({ command: parsed.name, chatId: ctx.chat.id, userId: ctx.from?.id, admin: isAdmin }, "command");
    if (command.admin && !isAdmin) return reply(t.adminOnly(parsed.name));
    if (parsed.args.length > command.maxArgs) return reply(t.usage(command.usage, lang === "ru" ? "Лишние аргументы." : "Too many arguments."));
    try {
      await command.run({ args: parsed.args, lang, t, chatId: ctx.chat.id, isAdmin, reply, deps });
    } catch (error) {
      await reply(explain(error, lang, parsed.name));
    }
  });

  // Anything that escapes the handler above (a reply that could not be sent): log, keep polling.
  bot.catch((error) => {
    logger.error({ err: error.error instanceof Error ? error.error : String(error.error), updateId: error.ctx.update.update_id }, "update failed");
  });

  let polling: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;

  return {
    bot,
    notifier,
    get me() {
      return bot.isInited() ? bot.botInfo : undefined;
    },
    get running() {
      return bot.isRunning();
    },
    async start() {
      let me: UserFromGetMe;
      try {
        // One call, no retries: a wrong token or an unreachable API root is reported now.
        me = await bot.api.getMe();
      } catch (cause) {
        throw new TelegramStartError({ apiRoot: apiRoot ?? "https://api.telegram.org", token, cause });
      }
      bot.botInfo = me;
      const menu = (lang: Lang) => Object.entries(COMMANDS).filter(([name]) => name !== "start").map(([command, c]) => ({ command, description: c.description[lang] }));
      try {
        await bot.api.setMyCommands(menu("en"));
        await bot.api.setMyCommands(menu("ru"), { language_code: "ru" });
      } catch (error) {
        logger.warn({ err: error instanceof Error ? new Error(redactBotToken(error.message, token)) : error }, "could not set the command menu");
      }
      await new Promise<void>((resolve, reject) => {
        polling = bot
          .start({ allowed_updates: ["message"], timeout: parameters.pollTimeoutSeconds ?? 30, onStart: () => resolve() })
          .catch((error: unknown) => {
            // 401 (token revoked) or 409 (another instance polls): polling has stopped.
            const message = error instanceof GrammyError || error instanceof HttpError ? redactBotToken(error.message, token) : String(error);
            logger.error({ error: message }, "Telegram long polling stopped");
            reject(new TelegramStartError({ apiRoot: apiRoot ?? "https://api.telegram.org", token, cause: error }));
          });
      });
      logger.info({ username: me.username, apiRoot: apiRoot ?? "https://api.telegram.org", admins: admins.size }, "Telegram bot polling");
    },
    stop() {
      stopping ??= (async () => {
        observer.stop();
        if (bot.isRunning()) {
          await bot.stop().catch((error: unknown) => logger.warn({ error: error instanceof Error ? redactBotToken(error.message, token) : String(error) }, "could not confirm the last update"));
        }
        await polling?.catch(() => undefined);
        await notifier.stop();
      })();
      return stopping;
    },
  };
}
