/**
 * The API's one error handler (after fastify/demo `src/app.ts`): logs the full error
 * with the request, shows clients a 4xx's `shortMessage` and nothing of a 5xx but a
 * request id to quote, always as `{ error: { name, message } }` (`errorResponseSchema`,
 * which every route declares for its 4xx and 5xx).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { BaseError } from "../errors/base.ts";
import { BadRequestError, PayloadTooLargeError, RequestValidationError, RouteNotFoundError, type RequestIssue, type RequestPart } from "../errors/api.ts";
import type { ErrorResponse } from "./schemas/common.ts";

/** The JSON body of every error response. */
export type ErrorResponseBody = ErrorResponse;

export type ToErrorResponseReturnType = { statusCode: number; body: ErrorResponseBody };

const STATUS_NAMES: Record<number, string> = {
  400: "BadRequestError",
  404: "NotFoundError",
  405: "MethodNotAllowedError",
  406: "NotAcceptableError",
  413: "PayloadTooLargeError",
  415: "UnsupportedMediaTypeError",
  429: "RateLimitedError",
};

function statusCodeOf(error: unknown): number {
  const status = typeof error === "object" && error !== null && "statusCode" in error ? error.statusCode : undefined;
  return typeof status === "number" && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

const PARTS: readonly RequestPart[] = ["body", "querystring", "params", "headers"];

/**
 * A JSON pointer of the validator (`/nodes/1/id`) as the API writes paths (`nodes[1].id`).
 * Numeric segments are taken as array indexes: a record keyed by digits reads as one.
 *
 * @param pointer - `instancePath` of a validation issue; `/` for the part itself.
 */
export function formatIssuePath(pointer: string): string {
  let out = "";
  for (const segment of pointer.split("/").slice(1)) {
    if (segment === "") continue;
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/**
 * Turns framework errors into Synod's errors where one exists (a request that fails
 * its schema, the body limit, a malformed body), so clients see one naming scheme.
 *
 * @param error - what a route, hook or the framework threw.
 * @param options.bodyLimit - the configured body limit, named in the 413 message.
 */
export function normalizeError(error: unknown, options: { bodyLimit: number }): unknown {
  if (error instanceof BaseError) return error;
  // fastify-type-provider-zod's validator: every zod issue of one request part, as fastify collects them.
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = PARTS.find((name) => name === error.validationContext) ?? "body";
    const issues: RequestIssue[] = error.validation.map((issue) => ({ path: formatIssuePath(issue.instancePath), message: issue.message ?? "is invalid" }));
    return new RequestValidationError({ part, issues });
  }
  const code = typeof error === "object" && error !== null && "code" in error ? (error as FastifyError).code : undefined;
  if (code === "FST_ERR_CTP_BODY_TOO_LARGE") return new PayloadTooLargeError({ limit: options.bodyLimit, cause: error });
  const status = statusCodeOf(error);
  if (status < 500 && error instanceof Error) {
    const normalized = new BadRequestError({ statusCode: status, message: error.message, cause: error });
    normalized.name = STATUS_NAMES[status] ?? "BadRequestError";
    return normalized;
  }
  return error;
}

/**
 * Builds the status and body for an error. Pure, so the rule "5xx shows nothing"
 * is tested without a server.
 *
 * @param error - a normalized error (see {@link normalizeError}).
 * @param requestId - the request's id, quoted in 5xx bodies.
 */
export function toErrorResponse(error: unknown, requestId: string): ToErrorResponseReturnType {
  const statusCode = statusCodeOf(error);
  // `expose` lets an error that is a 5xx by nature (a full event stream) speak to the client.
  const exposed = statusCode < 500 || (typeof error === "object" && error !== null && "expose" in error && error.expose === true);
  if (!exposed) {
    return {
      statusCode,
      body: { error: { name: "InternalServerError", message: "The coordinator failed to handle this request; its log has the details.", requestId } },
    };
  }
  const name = error instanceof Error ? error.name : (STATUS_NAMES[statusCode] ?? "BadRequestError");
  const message = error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : "Bad request.";
  return {
    statusCode,
    body: {
      error: {
        name,
        message,
        ...(error instanceof RequestValidationError ? { issues: [...error.issues] } : {}),
        ...(statusCode >= 500 ? { requestId } : {}),
      },
    },
  };
}

/**
 * Creates the handler for `setErrorHandler`.
 *
 * @param options.bodyLimit - the configured body limit.
 */
export function createErrorHandler(options: { bodyLimit: number }) {
  return function errorHandler(rawError: unknown, request: FastifyRequest, reply: FastifyReply): ErrorResponseBody {
    // A route may set its own `bodyLimit` (e.g. model uploads); name the one that applied.
    const error = normalizeError(rawError, { bodyLimit: request.routeOptions.bodyLimit ?? options.bodyLimit });
    const { statusCode, body } = toErrorResponse(error, request.id);
    const context = {
      err: rawError,
      request: { method: request.method, url: request.url.split("?")[0], route: request.routeOptions.url, params: request.params },
      statusCode,
    };
    if (statusCode >= 500) request.log.error(context, "request failed");
    else request.log.info(context, "request rejected");
    reply.code(statusCode).type("application/json; charset=utf-8");
    return body;
  };
}

/** The handler for `setNotFoundHandler`: a 404 in the same shape as every other error. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): ErrorResponseBody {
  const error = new RouteNotFoundError({ method: request.method, url: request.url });
  request.log.info({ request: { method: request.method, url: request.url.split("?")[0] } }, "route not found");
  reply.code(404);
  return toErrorResponse(error, request.id).body;
}
