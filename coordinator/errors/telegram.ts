import { BaseError, redactUrl } from "./base.ts";

/** Replaces a bot token wherever it appears (Bot API URLs carry it in the path: `/bot<token>/getMe`). */
export function redactBotToken(text: string, token: string | undefined): string {
  let out = text.replace(/\/bot\d+:[A-Za-z0-9_-]+/g, "/bot***");
  if (token) out = out.split(token).join("***");
  return out;
}

/** The bot cannot run without a token; the message says where one comes from. */
export class TelegramTokenMissingError extends BaseError {
  constructor() {
    super("TELEGRAM_BOT_TOKEN is not set.", {
      name: "TelegramTokenMissingError",
      metaMessages: ["Create a bot with @BotFather (/newbot) and export its token as TELEGRAM_BOT_TOKEN.", "See docs/telegram.md."],
      docsPath: "#telegram-bot",
    });
  }
}

/**
 * The Bot API server refused or could not be reached when the bot started (`getMe`).
 * The token never appears in the message: URLs are redacted.
 */
export class TelegramStartError extends BaseError {
  readonly apiRoot: string;
  constructor({ apiRoot, token, cause }: { apiRoot: string; token: string; cause: unknown }) {
    const reason = cause instanceof Error ? redactBotToken(cause.message, token) : String(cause);
    super(`The Telegram bot could not start against ${redactUrl(apiRoot)}.`, {
      name: "TelegramStartError",
      details: reason,
      metaMessages: [
        "A 401 means the token is wrong (ask @BotFather for it again); a network error means TELEGRAM_API_ROOT is not reachable.",
      ],
      docsPath: "#telegram-bot",
    });
    this.apiRoot = redactUrl(apiRoot);
  }
}

/** A subscription topic the bot does not know (`/subscribe weather`). */
export class UnknownSubscriptionTopicError extends BaseError {
  readonly topic: string;
  constructor({ topic, known }: { topic: string; known: readonly string[] }) {
    super(`Unknown subscription topic "${topic}".`, { name: "UnknownSubscriptionTopicError", metaMessages: [`Known topics: ${known.join(", ")}.`] });
    this.topic = topic;
  }
}

/** The coordinator did not answer the bot in time (the bot handles updates in order, so it does not wait forever). */
export class CoordinatorTimeoutError extends BaseError {
  constructor({ url, pathname, timeoutMs }: { url: string; pathname: string; timeoutMs: number }) {
    super(`The coordinator at ${redactUrl(url)} did not answer ${pathname} within ${timeoutMs / 1000} s.`, { name: "CoordinatorTimeoutError" });
  }
}
