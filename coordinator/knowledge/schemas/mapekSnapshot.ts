/**
 * MapekSnapshot record, v1: the MAPE-K loop's view of the mesh at one epoch — its
 * state, the health value φ it derives it from, the metrics behind φ, and the
 * directives it planned.
 */
import { z } from "zod";
import { cidSchema, count, finiteNumber, kebabNameSchema, nodeIdSchema, nonNegative, recordBase } from "./common.ts";

/** The mesh's states, from healthiest to idle. Entering EUPHORIC or MYSTICAL proposes a directive. */
export const MAPEK_STATES = ["EUPHORIC", "HARMONIC", "CONTEMPLATIVE", "MYSTICAL", "CHAOTIC", "QUIESCENT"] as const;
export const mapekStateSchema = z.enum(MAPEK_STATES);
export type MapekState = z.infer<typeof mapekStateSchema>;

export const mapekSnapshotRecordV1Schema = z.strictObject({
  ...recordBase("MapekSnapshot", 1),
  state: mapekStateSchema,
  previousState: mapekStateSchema.nullable(),
  /** Health φ as the analyzer computes it (MeshPolicy `mapek.*Milli` thresholds are φ × 1000). */
  phi: nonNegative,
  nodes: z.strictObject({ total: count, healthy: count, stale: count, isolated: count }),
  /** The named metrics φ was computed from (latency p95 ms, loss ratio, FL accuracy, …). */
  metrics: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.]*$/), finiteNumber),
  directives: z.array(
    z.strictObject({
      /** `restart`, `isolate`, `reroute`, `exclude-from-fl`, `propose-policy`, … */
      action: kebabNameSchema,
      target: nodeIdSchema.nullable(),
      reason: z.string().min(1).max(2000),
      /** The Directive record proposed on chain for it, if any. */
      directiveCid: cidSchema.optional(),
    }),
  ),
});

export type MapekSnapshotRecordV1 = z.infer<typeof mapekSnapshotRecordV1Schema>;
