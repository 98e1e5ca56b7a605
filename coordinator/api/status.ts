/**
 * `GET /api/status`: what this coordinator is (version, uptime), how it is configured
 * (secrets redacted) and how its components are doing.
 */
import { runHealthChecks, type HealthCheck } from "./health.ts";
import { errorResponses } from "./schemas/common.ts";
import { statusReportSchema, type StatusReport } from "./schemas/status.ts";
import type { ApiPlugin } from "./types.ts";

export type StatusRoutesParameters = {
  version: string;
  startedAt: Date;
  /** A JSON summary of the configuration without secrets. */
  config: unknown;
  checks: readonly HealthCheck[];
  /** How many SSE clients are connected (read at request time). */
  eventStreamClients: () => number;
  /** The clock, for tests. */
  now?: () => Date;
};

/**
 * `GET /api/status`.
 *
 * @param parameters - version, start time, config summary, checks.
 */
export function statusRoutes(parameters: StatusRoutesParameters): ApiPlugin {
  const now = parameters.now ?? (() => new Date());
  return async (app) => {
    app.get("/api/status", { schema: { response: { 200: statusReportSchema, ...errorResponses } } }, async (request): Promise<StatusReport> => {
      const health = await runHealthChecks(parameters.checks, { logger: request.log });
      return {
        name: "synod-coordinator",
        version: parameters.version,
        node: process.version,
        pid: process.pid,
        startedAt: parameters.startedAt.toISOString(),
        uptimeSeconds: Math.max(0, Math.round((now().getTime() - parameters.startedAt.getTime()) / 1000)),
        config: parameters.config,
        components: health.checks,
        ready: health.ready,
        eventStreamClients: parameters.eventStreamClients(),
      };
    });
  };
}
