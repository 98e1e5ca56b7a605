/**
 * `GET /api/status`: what this coordinator is, how it is configured and how its
 * components are doing.
 */
import { z } from "zod";
import { healthCheckReportSchema } from "./health.ts";

export const statusReportSchema = z.object({
  name: z.literal("synod-coordinator"),
  version: z.string(),
  /** The Node.js version. */
  node: z.string(),
  pid: z.number(),
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  /** The configuration summary, secrets redacted. */
  config: z.unknown(),
  /** Each component's check, as in `GET /health`. */
  components: z.record(z.string(), healthCheckReportSchema),
  ready: z.boolean(),
  /** Clients on the live event stream. */
  eventStreamClients: z.number(),
});
export type StatusReport = z.output<typeof statusReportSchema>;
