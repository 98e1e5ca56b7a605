/**
 * The bearer-token check for admin routes: every mutating route unless it opts out
 * with `config: { auth: "none" }` (see {@link RouteAuth}), so a new POST route is
 * protected without anyone remembering to protect it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyContextConfig, FastifyReply, FastifyRequest } from "fastify";
import { ForbiddenError, UnauthorizedError } from "../errors/api.ts";
import type { RouteAuth } from "./types.ts";

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The auth a route gets: its `config.auth`, else `admin` for mutating methods.
 *
 * @param method - the HTTP method.
 * @param config - the route's config.
 */
export function routeAuth(method: string, config: FastifyContextConfig | undefined): RouteAuth {
  return config?.auth ?? (MUTATING.has(method.toUpperCase()) ? "admin" : "none");
}

/** sha-256, so both sides of the comparison have the same length whatever was sent. */
const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Creates the `onRequest` hook that enforces {@link routeAuth}.
 * Runs before the body is read, so an unauthenticated client cannot make the server parse anything.
 *
 * @param adminToken - the admin token (`SYNOD_ADMIN_TOKEN` or the generated one).
 * @returns the hook; it throws {@link UnauthorizedError} (401) or {@link ForbiddenError} (403).
 */
export function createAdminAuthHook(adminToken: string) {
  if (adminToken.length === 0) throw new RangeError("The admin token must not be empty.");
  const expected = digest(adminToken);
  return async function adminAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (routeAuth(request.method, request.routeOptions.config) !== "admin") return;
    const header = request.headers.authorization;
    if (header === undefined || header === "") {
      reply.header("WWW-Authenticate", 'Bearer realm="synod"');
      throw new UnauthorizedError({ reason: "no Authorization header" });
    }
    const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
    if (!match?.[1]) {
      reply.header("WWW-Authenticate", 'Bearer realm="synod", error="invalid_request"');
      throw new UnauthorizedError({ reason: "the Authorization header is not `Bearer <token>`" });
    }
    // Constant time: comparing the strings directly would leak, byte by byte, how much
    // of a guessed token is right.
    if (!timingSafeEqual(digest(match[1]), expected)) {
      reply.header("WWW-Authenticate", 'Bearer realm="synod", error="invalid_token"');
      throw new ForbiddenError();
    }
  };
}
