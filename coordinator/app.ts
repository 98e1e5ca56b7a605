/**
 * The coordinator's HTTP API, wired but not listening (after fastify/demo `src/app.ts`;
 * `server.ts` is the process). Everything it uses is a parameter, so tests build it
 * with fakes or real pieces and call `inject()` without a port.
 *
 * Cross-cutting, once for every route: zod validation (400 listing every problem) and
 * response schemas (`fastify-type-provider-zod`), the OpenAPI document generated from
 * them (`GET /api/openapi.json`), the body limit (413), the admin bearer token on
 * mutating routes (401/403), named rate-limit policies (429), CORS for the dApp, a
 * request-scoped logger, the request duration histogram, one error handler (5xx
 * details hidden) and one 404.
 */
import { randomUUID } from "node:crypto";
import fastifyCors from "@fastify/cors";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import Fastify, { LogController, type FastifyReply, type FastifyRequest, type FastifyInstance, type FastifyBaseLogger, type FastifySchemaCompiler, type RawServerDefault, type RawRequestDefaultExpression, type RawReplyDefaultExpression } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { RateLimitedError } from "./errors/api.ts";
import type { EventBus } from "./events.ts";
import type { ContentStore } from "./ipfs/contentStore.ts";
import type { Logger } from "./logger.ts";
import type { SynodConfig } from "./config.ts";
import { createAdminAuthHook, routeAuth } from "./api/auth.ts";
import { createErrorHandler, notFoundHandler } from "./api/errorHandler.ts";
import { createEventStream } from "./api/eventStream.ts";
import { gatewayRoutes } from "./api/gateway.ts";
import { healthRoutes, type HealthCheck } from "./api/health.ts";
import type { LoadShedder } from "./api/loadShedding.ts";
import { metricsRoutes, type Metrics } from "./api/metrics.ts";
import { openApiRoutes } from "./api/openapi.ts";
import { statusRoutes } from "./api/status.ts";
import type { ApiPlugin, RateLimitPolicy } from "./api/types.ts";

/** A window in words, as the rate-limit plugin writes it ("1 minute", "30 seconds"). */
function formatWindow(ms: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (ms % 3_600_000 === 0) return unit(ms / 3_600_000, "hour");
  if (ms % 60_000 === 0) return unit(ms / 60_000, "minute");
  if (ms % 1000 === 0) return unit(ms / 1000, "second");
  return `${ms} ms`;
}

/**
 * The zod validator, refusing a route whose schema is not zod when the app starts
 * (a JSON schema copied from plain fastify) rather than at its first request.
 */
const zodOnlyValidatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  if (!(route.schema instanceof z.ZodType)) {
    throw new TypeError(`Route ${route.method} ${route.url}: the ${route.httpPart ?? "request"} schema must be a zod schema.`);
  }
  return validatorCompiler(route);
};

/** The fastify instance `buildApp` returns. */
export type SynodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export type BuildAppParameters = {
  /** The validated configuration (`api.*` and `ipfs.gatewayMaxFileBytes` are used). */
  config: SynodConfig;
  /** The admin token (see `resolveAdminToken`); never taken from `config` directly, which may not hold it. */
  adminToken: string;
  /** The process logger; each request gets a child with its id. */
  logger: Logger;
  /** The event bus streamed on `GET /api/events`. */
  events: EventBus;
  /** The metrics registry served on `GET /metrics`. */
  metrics: Metrics;
  /** Readiness checks reported by `GET /health` and `GET /api/status`. */
  healthChecks: readonly HealthCheck[];
  /** The content store behind `GET /ipfs/{cid}`; without one the route is not mounted. */
  contentStore?: ContentStore;
  /** The coordinator's version (package.json). */
  version: string;
  /** When the process started; default now. */
  startedAt?: Date;
  /** The configuration summary `GET /api/status` shows (secrets redacted). */
  configSummary?: unknown;
  /** Domain routes (one plugin per resource, see `coordinator/api/types.ts`). */
  routes?: readonly ApiPlugin[];
  /** Load shedding MAPE-K switches on under a flood; without one nothing is shed. */
  loadShedder?: LoadShedder;
};

/**
 * Builds the API. Does not listen: `server.ts` does, tests `inject()`.
 *
 * @param parameters - configuration, admin token, logger, and the app's dependencies.
 * @returns the fastify instance; `close()` it to end streams and run `onClose` hooks.
 *
 * @example
 * import { buildApp } from "./app.ts";
 * const app = await buildApp({ config, adminToken, logger, events, metrics, healthChecks: [], version: "0.1.0" });
 * const response = await app.inject({ method: "GET", url: "/health" });
 */
export async function buildApp(parameters: BuildAppParameters): Promise<SynodApp> {
  const { config, metrics, events } = parameters;
  const api = config.api;

  // Typed as fastify's logger interface so the instance type does not depend on pino's.
  const loggerInstance: FastifyBaseLogger = parameters.logger;
  const app: SynodApp = Fastify({
    loggerInstance,
    bodyLimit: api.bodyLimit,
    // Fastify's own per-request info lines would be two per heartbeat of every node;
    // the onResponse hook below logs at a level that depends on the outcome instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Unique across restarts, so a request id quoted from a 5xx body finds one log line.
    genReqId: () => randomUUID(),
    // Timeouts so slow or idle clients cannot hold connections forever (after fastify/demo server.ts).
    connectionTimeout: 120_000,
    requestTimeout: 60_000,
    keepAliveTimeout: 10_000,
    http: { headersTimeout: 15_000 },
    // Shutdown: drop idle keep-alive sockets instead of waiting for them.
    forceCloseConnections: "idle",
  }).withTypeProvider<ZodTypeProvider>();

  // Requests are parsed by their zod schemas (defaults and coercions apply); responses
  // are encoded by theirs, so a route never sends a shape its schema does not promise.
  app.setValidatorCompiler(zodOnlyValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Before any route, so its onRoute hook sees them all.
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Synod coordinator API",
        version: parameters.version,
        description: "Generated from the routes' zod schemas (`coordinator/api/schemas/`). Mutating routes need `Authorization: Bearer $SYNOD_ADMIN_TOKEN` unless they say otherwise.",
      },
      components: { securitySchemes: { adminToken: { type: "http", scheme: "bearer" } } },
    },
    // Routes that need the admin token say so in the document.
    transform: (document) => {
      const transformed = jsonSchemaTransform(document);
      const methods = [document.route.method].flat();
      if (!methods.some((method) => routeAuth(method, document.route.config) === "admin")) return transformed;
      return { ...transformed, schema: { ...transformed.schema, security: [{ adminToken: [] }] } };
    },
    transformObject: jsonSchemaTransformObject,
  });
  app.setErrorHandler(createErrorHandler({ bodyLimit: api.bodyLimit }));
  app.setNotFoundHandler(notFoundHandler);

  // Named rate-limit policies become @fastify/rate-limit's per-route config. This hook is
  // added before the plugin registers its own onRoute hook, so it runs first.
  const policies: Record<RateLimitPolicy, { max: number; timeWindow: number; keyGenerator?: (request: { ip: string; headers: Record<string, string | string[] | undefined> }) => string }> = {
    // Many nodes share one host (and so one IP): count per IP and node key, so nodes do
    // not starve each other. The key is only the client's claim: a client that rotates
    // keys gets a fresh budget for each, which the per-IP ceiling below bounds.
    node: {
      max: api.rateLimit.nodeMax,
      timeWindow: api.rateLimit.windowMs,
      keyGenerator: (request) => {
        const node = request.headers["x-synod-node"];
        return `${request.ip}|${typeof node === "string" ? node.slice(0, 132) : ""}`;
      },
    },
    gateway: { max: api.rateLimit.gatewayMax, timeWindow: api.rateLimit.windowMs },
  };
  // One counter per IP across every node-facing route (one store, unlike the per-route
  // limits). Created on first use: the decorator exists once the plugin is registered.
  let nodeIpLimiter: ReturnType<SynodApp["createRateLimit"]> | undefined;
  const nodeIpCeiling = async (request: FastifyRequest, reply: FastifyReply) => {
    nodeIpLimiter ??= app.createRateLimit({ max: api.rateLimit.nodeIpMax, timeWindow: api.rateLimit.windowMs, keyGenerator: (r) => r.ip });
    const limit = await nodeIpLimiter(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    reply.header("retry-after", limit.ttlInSeconds);
    throw new RateLimitedError({ limit: limit.max, window: formatWindow(limit.timeWindow), retryAfterMs: limit.ttl, scope: "this host's nodes" });
  };
  app.addHook("onRoute", (route) => {
    const policy = route.config?.rateLimitPolicy;
    if (policy === undefined) return;
    route.config = { ...route.config, rateLimit: policies[policy] };
    if (policy === "node") {
      const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      route.onRequest = [nodeIpCeiling, ...existing];
    }
  });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError({ limit: context.max, window: context.after, retryAfterMs: context.ttl, scope: "this client" }),
  });

  await app.register(fastifyCors, {
    origin: [...api.corsOrigins],
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: ["Authorization", "Content-Type", "Accept", "Last-Event-ID", "If-None-Match"],
    // What the dApp reads from gateway and rate-limited responses.
    exposedHeaders: ["Etag", "X-Ipfs-Path", "X-Ipfs-Roots", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"],
    maxAge: 600,
  });

  // First: a shed request costs no more than this check.
  if (parameters.loadShedder) app.addHook("onRequest", parameters.loadShedder.onRequest);
  app.addHook("onRequest", createAdminAuthHook(parameters.adminToken));

  app.addHook("onResponse", async (request, reply) => {
    const statusCode = reply.statusCode;
    const route = request.routeOptions.url;
    if (request.routeOptions.config.recordDuration !== false) {
      // Unmatched URLs share one label: a scanner must not mint a time series per path.
      metrics.httpRequestDuration.observe(
        { method: request.method, route: route ?? "(unmatched)", status_code: String(statusCode) },
        reply.elapsedTime / 1000,
      );
    }
    const context = { method: request.method, route, statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 };
    if (statusCode >= 400) request.log.info(context, "request completed");
    else request.log.debug(context, "request completed");
  });

  // Counted here, not in each publisher, so every event type is counted the same way.
  const stopCounting = events.subscribe((event) => metrics.eventsPublished.inc({ type: event.type }));
  const eventStream = createEventStream({ events, maxClients: api.events.maxClients, heartbeatMs: api.events.heartbeatMs });
  // preClose: before the server stops accepting, so close() does not wait on open streams.
  app.addHook("preClose", async () => {
    eventStream.closeAll();
    stopCounting();
  });

  await app.register(openApiRoutes());
  await app.register(healthRoutes({ checks: parameters.healthChecks }));
  await app.register(metricsRoutes(metrics));
  await app.register(
    statusRoutes({
      version: parameters.version,
      startedAt: parameters.startedAt ?? new Date(),
      config: parameters.configSummary ?? null,
      checks: parameters.healthChecks,
      eventStreamClients: eventStream.clientCount,
    }),
  );
  await app.register(eventStream.routes);
  if (parameters.contentStore) {
    await app.register(gatewayRoutes({ store: parameters.contentStore, maxFileBytes: config.ipfs.gatewayMaxFileBytes }));
  }
  for (const routes of parameters.routes ?? []) await app.register(routes);

  return app;
}
