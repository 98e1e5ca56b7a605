/**
 * The one error class every Synod error extends (after viem's `BaseError`).
 *
 * A subclass takes an object of facts, builds a one-line `shortMessage` from them
 * and keeps the lower-level error as `cause`. `message` adds the details and the
 * meta lines so a log line tells the whole story; UIs show `shortMessage` only.
 *
 * @example
 * import { BaseError } from "../errors/base.ts";
 * class RoundClosedError extends BaseError {
 *   constructor({ round }: { round: number }) {
 *     super(`Round ${round} is closed.`, { name: "RoundClosedError" });
 *   }
 * }
 */
export type BaseErrorParameters = {
  /** The error class's name, e.g. `"RoundClosedError"`. */
  name?: string;
  /** The lower-level error this one wraps. */
  cause?: unknown;
  /** A longer explanation; defaults to the cause's message. */
  details?: string;
  /** Extra lines of facts (ids, URLs without credentials, limits). */
  metaMessages?: string[];
  /** Where the README explains this, e.g. `"#knowledge-model"`. */
  docsPath?: string;
};

export class BaseError extends Error {
  readonly shortMessage: string;
  readonly details: string;
  readonly metaMessages: string[];
  readonly docsPath: string | undefined;
  override name = "SynodError";

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const details =
      parameters.details ??
      (parameters.cause instanceof BaseError
        ? parameters.cause.details
        : parameters.cause instanceof Error
          ? parameters.cause.message
          : "");
    const metaMessages = parameters.metaMessages ?? [];
    const message = [
      shortMessage,
      ...(metaMessages.length ? ["", ...metaMessages] : []),
      ...(details ? ["", `Details: ${details}`] : []),
      ...(parameters.docsPath ? [`Docs: README.md${parameters.docsPath}`] : []),
    ].join("\n");
    super(message, parameters.cause === undefined ? undefined : { cause: parameters.cause });
    this.shortMessage = shortMessage;
    this.details = details;
    this.metaMessages = metaMessages;
    this.docsPath = parameters.docsPath;
    if (parameters.name) this.name = parameters.name;
  }

  /** Walks the `cause` chain and returns the first error `predicate` accepts. */
  walk(predicate: (error: unknown) => boolean): unknown {
    let current: unknown = this;
    while (current) {
      if (predicate(current)) return current;
      current = current instanceof Error ? current.cause : undefined;
    }
    return undefined;
  }
}

/**
 * Removes user info and query secrets from a URL before it reaches an error or a log.
 *
 * @param url - any URL string, possibly with `user:password@` or `?token=`.
 * @returns the URL with credentials replaced by `***`.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username) parsed.username = "***";
    if (parsed.password) parsed.password = "***";
    for (const key of [...parsed.searchParams.keys()]) {
      if (/token|key|secret|password/i.test(key)) parsed.searchParams.set(key, "***");
    }
    return parsed.toString();
  } catch {
    return url;
  }
}
