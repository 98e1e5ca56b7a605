/**
 * Errors of the HTTP API (`coordinator/api/`). Each carries the HTTP status it maps
 * to, so the one error handler (see `coordinator/api/errorHandler.ts`) needs no table
 * of classes: a 4xx shows its `shortMessage`, a 5xx shows nothing of its internals.
 */
import { BaseError } from "./base.ts";

const DOCS = "#http-api";

/** One problem in a request, with the path of the field it concerns. */
export type RequestIssue = {
  /** Dotted path inside the request part, e.g. `weights[3]` or `round`; empty for the part itself. */
  path: string;
  message: string;
};

/** Which part of the request a validation problem is in (fastify's names). */
export type RequestPart = "body" | "querystring" | "params" | "headers";

/**
 * A request does not match its route's schema. Lists every problem, not just the first.
 *
 * @example
 * new RequestValidationError({ part: "body", issues: [{ path: "round", message: "Expected number, received string" }] })
 * // shortMessage: "Invalid request body: round: Expected number, received string."
 */
export type RequestValidationErrorType = RequestValidationError & { name: "RequestValidationError" };
export class RequestValidationError extends BaseError {
  readonly statusCode = 400;
  readonly part: RequestPart;
  readonly issues: readonly RequestIssue[];

  constructor({ part, issues }: { part: RequestPart; issues: readonly RequestIssue[] }) {
    // The short message names every problem: clients (the dApp, the CLI) show only it.
    const listed = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
    super(`Invalid request ${part}: ${listed || "does not match the schema"}.`, {
      name: "RequestValidationError",
      docsPath: DOCS,
    });
    this.part = part;
    this.issues = issues;
  }
}

/** A route that needs the admin token was called without `Authorization: Bearer …`. */
export type UnauthorizedErrorType = UnauthorizedError & { name: "UnauthorizedError" };
export class UnauthorizedError extends BaseError {
  readonly statusCode = 401;

  constructor({ reason }: { reason: string }) {
    super(`Authentication required: ${reason}.`, {
      name: "UnauthorizedError",
      metaMessages: ["Send `Authorization: Bearer $SYNOD_ADMIN_TOKEN`."],
      docsPath: DOCS,
    });
  }
}

/** The bearer token was given but is not the admin token. */
export type ForbiddenErrorType = ForbiddenError & { name: "ForbiddenError" };
export class ForbiddenError extends BaseError {
  readonly statusCode = 403;

  constructor() {
    super("The bearer token is not the admin token.", { name: "ForbiddenError", docsPath: DOCS });
  }
}

/** A client sent more requests than its rate limit allows in the current window. */
export type RateLimitedErrorType = RateLimitedError & { name: "RateLimitedError" };
export class RateLimitedError extends BaseError {
  readonly statusCode = 429;
  /** Milliseconds until the window resets. */
  readonly retryAfterMs: number;

  constructor({ limit, window, retryAfterMs, scope }: {
    limit: number;
    window: string;
    retryAfterMs: number;
    /** Whose requests were counted, e.g. "this client" or "this host's nodes". */
    scope?: string;
  }) {
    super(`Rate limit of ${limit} requests per ${window}${scope ? ` for ${scope}` : ""} exceeded; retry in ${Math.ceil(retryAfterMs / 1000)} s.`, {
      name: "RateLimitedError",
      docsPath: DOCS,
    });
    this.retryAfterMs = retryAfterMs;
  }
}

/** No route matches the method and URL. */
export type RouteNotFoundErrorType = RouteNotFoundError & { name: "RouteNotFoundError" };
export class RouteNotFoundError extends BaseError {
  readonly statusCode = 404;

  constructor({ method, url }: { method: string; url: string }) {
    // Only the path: a query string may carry something the client would not want echoed.
    const path = url.split("?")[0] ?? url;
    super(`No route ${method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}.`, { name: "RouteNotFoundError" });
  }
}

/** The request body is larger than `SYNOD_API_BODY_LIMIT`. */
export type PayloadTooLargeErrorType = PayloadTooLargeError & { name: "PayloadTooLargeError" };
export class PayloadTooLargeError extends BaseError {
  readonly statusCode = 413;

  constructor({ limit, cause }: { limit: number; cause?: unknown }) {
    super(`The request body is over the ${limit}-byte limit.`, { name: "PayloadTooLargeError", cause, docsPath: DOCS });
  }
}

/** The server is at its limit of live event streams. */
export type TooManyEventStreamsErrorType = TooManyEventStreamsError & { name: "TooManyEventStreamsError" };
export class TooManyEventStreamsError extends BaseError {
  readonly statusCode = 503;
  /** A 503 the client may see: it says nothing about internals and tells it to come back. */
  readonly expose = true;

  constructor({ limit }: { limit: number }) {
    super(`The event stream is full (${limit} clients); retry later.`, { name: "TooManyEventStreamsError" });
  }
}

/**
 * Any other 4xx the framework raises (a malformed JSON body, an unsupported media type):
 * its message is about the client's request, so it is safe to show.
 */
export type BadRequestErrorType = BadRequestError & { name: "BadRequestError" };
export class BadRequestError extends BaseError {
  readonly statusCode: number;

  constructor({ statusCode, message, cause }: { statusCode: number; message: string; cause?: unknown }) {
    super(message, { name: "BadRequestError", cause });
    this.statusCode = statusCode;
  }
}

/** The coordinator is shedding load (MAPE-K turned it on under a request flood); retry shortly. */
export type OverloadedErrorType = OverloadedError & { name: "OverloadedError" };
export class OverloadedError extends BaseError {
  readonly statusCode = 503;
  /** The message is meant for the client (fastify shows 5xx messages only when `expose`). */
  readonly expose = true;
  readonly retryAfterMs = 1000;

  constructor({ maxPerSecond }: { maxPerSecond: number }) {
    super(`The coordinator is overloaded and serves at most ${maxPerSecond} such requests a second; retry in 1 s.`, { name: "OverloadedError", docsPath: DOCS });
  }
}
