/**
 * `GET /metrics`: Prometheus text exposition format.
 */
import { z } from "zod";

export const metricsResponse = {
  description: "Prometheus text exposition format (`synod_*` metrics).",
  content: { "text/plain": { schema: z.string() } },
};
