/**
 * `GET /health`: liveness and readiness of each dependency check.
 */
import { z } from "zod";

/** One check as reported (also in `GET /api/status`). */
export const healthCheckReportSchema = z
  .object({
    status: z.enum(["up", "down"]),
    /** A non-critical check is reported but does not make the coordinator unready. */
    critical: z.boolean(),
    latencyMs: z.number(),
    /** Facts worth showing (chain id, block number, backend, counts); plain JSON. */
    details: z.record(z.string(), z.unknown()).optional(),
    /** Why it is not ok, one line, safe to show. */
    error: z.string().optional(),
  })
  .meta({ id: "HealthCheckReport" });
export type HealthCheckReport = z.output<typeof healthCheckReportSchema>;

/** The body of `GET /health`, with 200 (every critical check up) and with 503. */
export const healthReportSchema = z.object({
  status: z.enum(["ok", "unavailable"]),
  /** The process answers (always `true` in a response). */
  live: z.literal(true),
  /** Every critical check is up. */
  ready: z.boolean(),
  checks: z.record(z.string(), healthCheckReportSchema),
});
export type HealthReport = z.output<typeof healthReportSchema>;
