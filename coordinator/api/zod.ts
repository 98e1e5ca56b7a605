/**
 * Request validation with zod: a fastify type provider (so `request.body` is typed
 * from the route's zod schema) and the validator compiler that runs the schemas.
 * Written here rather than taken from `fastify-type-provider-zod` because that
 * package pulls in `@fastify/swagger` as a peer, and what Synod needs is 30 lines:
 * the type provider is the pattern fastify documents (Reference/Type-Providers).
 *
 * Every problem is reported, each with its field path, as a
 * {@link RequestValidationError} (400).
 */
import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyTypeProvider } from "fastify";
import { z } from "zod";
import { RequestValidationError, type RequestIssue, type RequestPart } from "../errors/api.ts";

/**
 * Types a route's `request.body`, `.query`, `.params` and `.headers` from its zod schemas.
 * Use through {@link ApiPlugin} (see `coordinator/api/types.ts`).
 */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this["schema"] extends z.ZodType ? z.output<this["schema"]> : unknown;
  serializer: this["schema"] extends z.ZodType ? z.input<this["schema"]> : unknown;
}

/**
 * Formats a zod path as `a.b[2].c`.
 *
 * @param path - the issue's path.
 */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * Converts zod issues to request issues (path + message), one per problem.
 *
 * @param issues - `error.issues` of a failed `safeParse`.
 */
export function toRequestIssues(issues: readonly z.core.$ZodIssue[]): RequestIssue[] {
  return issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }));
}

const PARTS: readonly RequestPart[] = ["body", "querystring", "params", "headers"];

/**
 * Fastify's validator compiler for zod schemas: parses (so defaults and coercions
 * apply) and returns the parsed value, or every problem at once.
 * A route whose schema is not zod fails at `ready()`, not at its first request.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart, method, url }) => {
  if (!(schema instanceof z.ZodType)) {
    throw new TypeError(`Route ${method} ${url}: the ${httpPart ?? "request"} schema must be a zod schema.`);
  }
  const part: RequestPart = PARTS.find((name) => name === httpPart) ?? "body";
  return (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    return { error: new RequestValidationError({ part, issues: toRequestIssues(result.error.issues) }) };
  };
};

/**
 * Fastify's serializer compiler for zod response schemas: checks what the handler
 * returns, so a route never sends a shape its schema does not promise.
 */
export const zodSerializerCompiler: FastifySerializerCompiler<unknown> = ({ schema, method, url }) => {
  if (!(schema instanceof z.ZodType)) {
    throw new TypeError(`Route ${method} ${url}: the response schema must be a zod schema.`);
  }
  return (data: unknown) => JSON.stringify(schema.parse(data));
};
