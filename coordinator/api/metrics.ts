/**
 * Prometheus metrics: one registry per coordinator (not prom-client's global one, so
 * two apps in one process, as in tests, never collide), the default process metrics,
 * and the API's own request-duration histogram. Other parts add their metrics to
 * {@link Metrics.registry}.
 *
 * @example
 * import { Counter } from "prom-client";
 * const roundsTotal = new Counter({
 *   name: "synod_fl_rounds_total", help: "FL rounds finished, by status.",
 *   labelNames: ["status"] as const, registers: [metrics.registry],
 * });
 * roundsTotal.inc({ status: "completed" });
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { errorResponses } from "./schemas/common.ts";
import { metricsResponse } from "./schemas/metrics.ts";
import type { ApiPlugin } from "./types.ts";

/** The coordinator's metrics. */
export type Metrics = {
  /** Where every Synod metric is registered; what `GET /metrics` serves. */
  registry: Registry;
  /** `synod_http_request_duration_seconds{method, route, status_code}`. */
  httpRequestDuration: Histogram<"method" | "route" | "status_code">;
  /** `synod_events_published_total{type}`: events published on the bus. */
  eventsPublished: Counter<"type">;
};

export type CreateMetricsParameters = {
  /** Collect Node's process metrics (CPU, memory, event loop, GC). Default `true`. */
  processMetrics?: boolean;
};

/**
 * Creates the registry and the API's metrics.
 *
 * @param parameters.processMetrics - collect the default process metrics (`synod_process_*`, `synod_nodejs_*`).
 * @returns the metrics; pass them to `buildApp`.
 */
export function createMetrics(parameters: CreateMetricsParameters = {}): Metrics {
  const registry = new Registry();
  if (parameters.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "synod_" });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: "synod_http_request_duration_seconds",
      help: "HTTP request duration in seconds, by method, route pattern and status code.",
      labelNames: ["method", "route", "status_code"] as const,
      // From 1 ms (a heartbeat) to 10 s (a CAR of a large model).
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: "synod_events_published_total",
      help: "Events published on the coordinator's event bus, by type.",
      labelNames: ["type"] as const,
      registers: [registry],
    }),
  };
}

/**
 * `GET /metrics`: the registry in Prometheus text exposition format.
 *
 * @param metrics - the coordinator's metrics.
 */
export function metricsRoutes({ registry }: Pick<Metrics, "registry">): ApiPlugin {
  return async (app) => {
    app.get("/metrics", { schema: { response: { 200: metricsResponse, ...errorResponses } } }, async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    });
  };
}
