/**
 * MapekSnapshot record: the MAPE-K loop's view of the mesh at one epoch — its state,
 * the health value φ it derives it from, the metrics behind φ, and the directives it
 * planned. v2 adds the blips: unprovoked incidents that healed within
 * `mapek.minIncidentMs` and so became no Incident record, counted by cause.
 */
import { z } from "zod";
import { addIssue, cidSchema, count, dateTimeSchema, finiteNumber, kebabNameSchema, nodeIdSchema, nonNegative, recordBase } from "./common.ts";

/** The mesh's states, from healthiest to idle. Entering EUPHORIC or MYSTICAL proposes a directive. */
export const MAPEK_STATES = ["EUPHORIC", "HARMONIC", "CONTEMPLATIVE", "MYSTICAL", "CHAOTIC", "QUIESCENT"] as const;
export const mapekStateSchema = z.enum(MAPEK_STATES);
export type MapekState = z.infer<typeof mapekStateSchema>;

const snapshotFields = {
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
};

export const mapekSnapshotRecordV1Schema = z.strictObject({
  ...recordBase("MapekSnapshot", 1),
  ...snapshotFields,
});

export type MapekSnapshotRecordV1 = z.infer<typeof mapekSnapshotRecordV1Schema>;

export const mapekSnapshotRecordV2Schema = z
  .strictObject({
    ...recordBase("MapekSnapshot", 2),
    ...snapshotFields,
    /**
     * Unprovoked incidents that healed within `mapek.minIncidentMs` between the previous
     * snapshot (`since`, `null` for the loop's first) and this one: counted here
     * instead of becoming Incident records. `counts` is by cause (the MAPE-K condition:
     * `down`, `partitioned`, …); one grouped incident counts once however many nodes it touched.
     */
    blips: z.strictObject({
      since: dateTimeSchema.nullable(),
      counts: z.record(kebabNameSchema, count),
    }),
  })
  .superRefine((record, ctx) => {
    if (record.blips.since !== null && Date.parse(record.blips.since) > Date.parse(record.createdAt)) addIssue(ctx, ["blips", "since"], "is after createdAt");
  });

export type MapekSnapshotRecordV2 = z.infer<typeof mapekSnapshotRecordV2Schema>;
