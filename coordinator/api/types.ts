/**
 * What a route file needs to plug into the coordinator's HTTP API: the plugin type
 * (routes typed from their zod schemas) and the per-route options the app reads.
 *
 * @example
 * // coordinator/api/rounds.ts
 * import { z } from "zod";
 * import type { ApiPlugin } from "./types.ts";
 * export type RoundsService = { startRound(parameters: { participants: number }): Promise<{ round: number }> };
 * export function roundsRoutes({ fl }: { fl: RoundsService }): ApiPlugin {
 *   return async (app) => {
 *     // POST: needs the admin token (the default for mutating methods).
 *     app.post("/api/fl/rounds", { schema: { body: z.object({ participants: z.int().min(1) }) } },
 *       async (request) => fl.startRound(request.body));
 *   };
 * }
 * // coordinator/server.ts: buildApp({ …, routes: [roundsRoutes({ fl })] })
 */
import type { FastifyPluginAsync, RawServerDefault } from "fastify";
import type { ZodTypeProvider } from "./zod.ts";

/** Who may call a route. */
export type RouteAuth =
  /** `Authorization: Bearer $SYNOD_ADMIN_TOKEN` required (401 without, 403 wrong). */
  | "admin"
  /**
   * No token. On a mutating route this is only for callers that prove who they are
   * another way, e.g. mesh nodes whose messages the domain verifies by signature.
   */
  | "none";

/** Named rate-limit policies (limits from the configuration). */
export type RateLimitPolicy =
  /** Node-facing routes: `SYNOD_NODE_RATE_LIMIT_MAX` per window per IP and `X-Synod-Node` key. */
  | "node"
  /** The IPFS gateway: `SYNOD_GATEWAY_RATE_LIMIT_MAX` per window per IP. */
  | "gateway";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Default: `"admin"` for POST, PUT, PATCH and DELETE; `"none"` for GET, HEAD and OPTIONS. */
    auth?: RouteAuth;
    /** Rate-limit the route under this policy. Default: not limited. */
    rateLimitPolicy?: RateLimitPolicy;
    /** `false` keeps the route out of the request-duration histogram (long-lived streams). */
    recordDuration?: boolean;
  }
}

/** A set of routes: a fastify plugin whose routes are typed from their zod schemas. */
export type ApiPlugin = FastifyPluginAsync<Record<never, never>, RawServerDefault, ZodTypeProvider>;
