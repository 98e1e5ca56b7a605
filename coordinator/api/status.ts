/**
 * `GET /api/status`: what this coordinator is (version, uptime), how it is configured
 * (secrets redacted) and how its components are doing.
 */
import { runHealthChecks, type HealthCheck, type HealthReport } from "./health.ts";
import type { ApiPlugin } from "./types.ts";

/** The body of `GET /api/status`. */
export type StatusReport = {
  name: "synod-coordinator";
  version: string;
  node: string;
  pid: number;
  startedAt: string;
  uptimeSeconds: number;
  /** The configuration summary, secrets redacted (see `summarizeConfig`). */
  config: unknown;
  /** Each component's check, as in `GET /health`. */
  components: HealthReport["checks"];
  ready: boolean;
  /** Clients on the live event stream. */
  eventStreamClients: number;
};

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
    app.get("/api/status", async (request): Promise<StatusReport> => {
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
