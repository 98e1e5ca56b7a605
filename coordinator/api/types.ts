/**
 * What a route file needs to plug into the coordinator's HTTP API: the plugin type
 * (routes typed from their zod schemas by `fastify-type-provider-zod`), the per-route
 * options the app reads, and a compile-time check that a response schema keeps every
 * field the domain returns.
 *
 * @example
 * // coordinator/api/schemas/rounds.ts: pure zod, what clients import
 * export const startRoundBodySchema = z.strictObject({ participants: z.int().min(1) });
 * export const startRoundSchema = z.object({ round: z.number() });
 * // coordinator/api/rounds.ts
 * import { errorResponses } from "./schemas/common.ts";
 * import { startRoundBodySchema, startRoundSchema } from "./schemas/rounds.ts";
 * import type { ApiPlugin } from "./types.ts";
 * export type RoundsService = { startRound(parameters: { participants: number }): Promise<{ round: number }> };
 * export function roundsRoutes({ fl }: { fl: RoundsService }): ApiPlugin {
 *   return async (app) => {
 *     // POST: needs the admin token (the default for mutating methods).
 *     app.post("/api/fl/rounds", { schema: { body: startRoundBodySchema, response: { 200: startRoundSchema, ...errorResponses } } },
 *       async (request) => fl.startRound(request.body));
 *   };
 * }
 * // coordinator/server.ts: buildApp({ …, routes: [roundsRoutes({ fl })] })
 */
import type { FastifyPluginAsync, RawServerDefault } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";

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

type Primitive = string | number | boolean | bigint | symbol | null | undefined;
type KeysOfAny<T> = T extends unknown ? keyof T : never;
type ValueOfAny<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;
type Join<P extends string, K extends string> = P extends "" ? K : `${P}.${K}`;

/**
 * The paths (`journal.faults[].detection`) of fields a value of type `T` has and the
 * response type `W` (a schema's `z.output`) lacks: what the serializer would drop
 * without a word, since zod strips unknown keys. `never` when nothing would be dropped.
 */
export type DroppedKeys<T, W, P extends string = ""> = unknown extends W
  ? never
  : T extends Primitive
    ? never
    : T extends readonly (infer Item)[]
      ? DroppedKeys<Item, W extends readonly (infer WireItem)[] ? WireItem : never, `${P}[]`>
      : T extends object
        ? {
            [K in keyof T & string]-?: K extends KeysOfAny<Extract<W, object>> ? DroppedKeys<T[K], ValueOfAny<Extract<W, object>, K>, Join<P, K>> : Join<P, K>;
          }[keyof T & string]
        : never;

/**
 * `true` when a response schema keeps every field of `T`, else the paths it would drop.
 * The type provider already checks that a handler's `T` fits the schema; this checks
 * that the schema is not narrower than `T`. Use through {@link AssertTrue}.
 *
 * @example
 * // coordinator/api/fl.ts: fails to compile, naming the field, when `flStatusSchema` lacks one the service returns.
 * type FlStatusKept = AssertTrue<KeepsEveryKey<ReturnType<FlService["status"]>, FlStatus>>;
 */
export type KeepsEveryKey<T, W> = [DroppedKeys<T, W>] extends [never] ? true : DroppedKeys<T, W>;

/** Compiles only when `T` is `true` (a type-level assertion; see {@link KeepsEveryKey}). */
export type AssertTrue<T extends true> = T;
