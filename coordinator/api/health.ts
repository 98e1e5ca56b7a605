/**
 * `GET /health`: liveness (the process answers) and readiness (each dependency the
 * app was given answers), 200 when every critical check passes, 503 otherwise.
 * Checks run in parallel, each with a deadline, so one hung dependency cannot hang
 * the probe.
 */
import { errorResponses } from "./schemas/common.ts";
import { healthReportSchema, type HealthCheckReport, type HealthReport } from "./schemas/health.ts";
import type { ApiPlugin } from "./types.ts";

export type { HealthCheckReport, HealthReport };

/** A plain JSON value (what a check's details may hold). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What one check reports when it ran to completion. */
export type HealthCheckOutcome = {
  ok: boolean;
  /** Facts worth showing (chain id, block number, backend, counts); plain JSON. */
  details?: { [key: string]: JsonValue };
  /** Why it is not ok, one line, safe to show (no credentials). */
  error?: string;
};

/**
 * A dependency's readiness check.
 *
 * @example
 * const sqlite: HealthCheck = { name: "index", check: async () => ({ ok: db.isOpen, details: { path } }) };
 */
export type HealthCheck = {
  /** Key in the report, e.g. `chain`, `ipfs`. */
  name: string;
  /** A non-critical check is reported but does not make the coordinator unready. Default `true`. */
  critical?: boolean;
  /** Answers within the deadline (abort on `signal`); a throw counts as down. */
  check(signal: AbortSignal): Promise<HealthCheckOutcome>;
};

/** A short, safe line for a failed check: Synod's and viem's errors carry a `shortMessage`. */
function describeFailure(error: unknown): string {
  if (typeof error === "object" && error !== null && "shortMessage" in error && typeof error.shortMessage === "string") {
    return error.shortMessage;
  }
  return "the check failed; see the coordinator's log";
}

/**
 * Runs every check in parallel, each bounded by `timeoutMs`.
 *
 * @param checks - the checks.
 * @param options.timeoutMs - per-check deadline; default 2000.
 * @param options.logger - where failures are logged in full.
 * @returns the report.
 */
export async function runHealthChecks(
  checks: readonly HealthCheck[],
  options: { timeoutMs?: number; logger?: { warn(context: object, message: string): void } } = {},
): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const entries = await Promise.all(
    checks.map(async (check): Promise<[string, HealthCheckReport]> => {
      const critical = check.critical ?? true;
      const started = performance.now();
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<HealthCheckOutcome>((resolve) => {
        timer = setTimeout(() => {
          // Settle first: an aborted check rejects at once, and must not win the race.
          resolve({ ok: false, error: `no answer within ${timeoutMs} ms` });
          controller.abort();
        }, timeoutMs);
      });
      let outcome: HealthCheckOutcome;
      try {
        outcome = await Promise.race([check.check(controller.signal), deadline]);
      } catch (error) {
        options.logger?.warn({ err: error, check: check.name }, "health check failed");
        outcome = { ok: false, error: describeFailure(error) };
      } finally {
        clearTimeout(timer);
      }
      const report: HealthCheckReport = {
        status: outcome.ok ? "up" : "down",
        critical,
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
        ...(outcome.details ? { details: outcome.details } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
      };
      return [check.name, report];
    }),
  );
  const ready = entries.every(([, report]) => report.status === "up" || !report.critical);
  return { status: ready ? "ok" : "unavailable", live: true, ready, checks: Object.fromEntries(entries) };
}

/**
 * `GET /health`.
 *
 * @param parameters.checks - the dependencies' checks.
 * @param parameters.timeoutMs - per-check deadline.
 */
export function healthRoutes({ checks, timeoutMs }: { checks: readonly HealthCheck[]; timeoutMs?: number }): ApiPlugin {
  const names = new Set<string>();
  for (const check of checks) {
    if (names.has(check.name)) throw new RangeError(`Two health checks are named "${check.name}".`);
    names.add(check.name);
  }
  return async (app) => {
    // 503 carries the same report: probes read which check is down.
    app.get("/health", { schema: { response: { 200: healthReportSchema, 503: healthReportSchema, ...errorResponses } } }, async (request, reply) => {
      const report = await runHealthChecks(checks, { logger: request.log, ...(timeoutMs ? { timeoutMs } : {}) });
      // Probes must see the truth now, not a cached answer.
      reply.code(report.ready ? 200 : 503).header("Cache-Control", "no-store");
      return report;
    });
  };
}
