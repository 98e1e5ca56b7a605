/**
 * The MAPE-K loop.
 *
 * - `GET /api/mapek`: state, φ and its factors, the monitor's metrics, node counts, open
 *   and recent incidents, incident groups not yet settled, blips, exclusions, load
 *   shedding, the anomaly model's verdicts and its held-out scores
 * - `GET /api/mapek/history?limit=N`: state and φ per tick, oldest first (at most 1000)
 */
import { z } from "zod";
import { MAPEK_STATES } from "../../knowledge/schemas/mapekSnapshot.ts";

export { MAPEK_STATES };
export const mapekStateSchema = z.enum(MAPEK_STATES);
export type MapekStateName = z.output<typeof mapekStateSchema>;

/** A node's condition as MAPE-K diagnoses it. */
export const nodeConditionSchema = z.enum(["down", "frozen", "partitioned", "unreachable", "byzantine", "overloaded", "skewed", "degraded"]);
export type NodeCondition = z.output<typeof nodeConditionSchema>;

/** Classes of the MAPE-K anomaly model. */
export const telemetryClassSchema = z.enum(["healthy", "unresponsive", "degraded-link", "overloaded", "byzantine", "clock-skew"]);
export type TelemetryClass = z.output<typeof telemetryClassSchema>;

// --- requests ---

export const mapekHistoryQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).optional() });
export type MapekHistoryQuery = z.input<typeof mapekHistoryQuerySchema>;

// --- responses ---

/** The five factors of H, each in [0, 1]. */
export const phiFactorsSchema = z.object({ availability: z.number(), roundSuccess: z.number(), quality: z.number(), responsiveness: z.number(), trust: z.number() });
export type PhiFactors = z.output<typeof phiFactorsSchema>;

/** The lower φ bound of each state (MeshPolicy, in φ units). */
export const phiThresholdsSchema = z.object({ euphoric: z.number(), harmonic: z.number(), contemplative: z.number(), mystical: z.number() });
export type PhiThresholds = z.output<typeof phiThresholdsSchema>;

/** A healing action as executed. */
export const mapekActionSchema = z.object({
  action: z.enum(["restart", "reroute", "exclude-from-fl", "readmit", "resync-clock", "shed-load", "restore-load"]),
  target: z.string().nullable(),
  nodes: z.array(z.string()),
  reason: z.string(),
  at: z.number(),
  outcome: z.enum(["succeeded", "failed", "skipped"]),
  detail: z.string().optional(),
});
export type MapekAction = z.output<typeof mapekActionSchema>;

/** An incident from a node's first condition to its healing; times in ms since epoch. */
export const mapekIncidentSchema = z
  .object({
    incidentId: z.string(),
    /** The group it belongs to: the id `mesh.incident` events and the Incident record carry. */
    groupId: z.string(),
    nodeId: z.string(),
    condition: nodeConditionSchema,
    /** Last sign of health (the last heartbeat for stale nodes). */
    lastHealthyAt: z.number(),
    detectedAt: z.number(),
    healedAt: z.number().nullable(),
    resolution: z.enum(["healed", "mitigated"]).nullable(),
    actions: z.array(mapekActionSchema),
  })
  .meta({ id: "MapekIncident" });
export type MapekIncident = z.output<typeof mapekIncidentSchema>;

/** The anomaly model's verdict on a node. */
export const anomalyReadingSchema = z.object({ label: telemetryClassSchema, confidence: z.number(), streak: z.number() });
export type AnomalyReading = z.output<typeof anomalyReadingSchema>;

/** How the anomaly model was trained (FL over recorded mesh telemetry) and its held-out scores. */
export const anomalyModelSummarySchema = z.object({
  dataset: z.string(),
  architecture: z.string(),
  strategy: z.string(),
  rounds: z.number(),
  clients: z.number(),
  trainExamples: z.number(),
  testExamples: z.number(),
  /** Held-out accuracy over all classes. */
  accuracy: z.number(),
  /** Held-out recall per class. */
  recall: z.record(telemetryClassSchema, z.number()),
  /** Held-out precision per class (`null` when the model never predicts it). */
  precision: z.record(telemetryClassSchema, z.number().nullable()),
  /** Accuracy on the held-out set after each FL round. */
  accuracyPerRound: z.array(z.number()),
  /** How long training took when the model was trained (a cached model keeps its original figure). */
  trainMs: z.number(),
  /** `trained` at this start, or read from the data dir's `cache` (no training). */
  source: z.enum(["trained", "cache"]),
});
export type AnomalyModelSummary = z.output<typeof anomalyModelSummarySchema>;

/** An incident group (one per event: cause, nodes) not settled yet. */
export const incidentGroupSchema = z.object({
  groupId: z.string(),
  cause: z.object({ condition: nodeConditionSchema, host: z.string().nullable(), provoked: z.boolean() }),
  openedAt: z.number(),
  closesAt: z.number(),
  nodes: z.array(z.string()),
});

/** The observer's own health (Lifeguard): how late the coordinator's event loop ran. */
export const observerHealthSchema = z.object({
  /** Local health score, 0 (healthy) to 8; the suspicion threshold rises by it. */
  awareness: z.number(),
  longestStallMs: z.number(),
  stalledMsLastMinute: z.number(),
  stallsLastMinute: z.number(),
  loopDelayP99Ms: z.number(),
  loopDelayMaxMs: z.number(),
});
export type ObserverHealthBody = z.output<typeof observerHealthSchema>;

/** How the failure detector judged this tick: φ accrual threshold and the suspects it cleared. */
export const failureDetectorSchema = z.object({
  /** `mesh.suspicionPhiMilli` / 1000 plus the observer's awareness. */
  suspicionThreshold: z.number(),
  /** φ of each node whose silence is at least surprising (φ ≥ 1). */
  suspicion: z.record(z.string(), z.number()),
  /** Suspects whose confirmation probe answered: late, not gone. */
  refuted: z.array(z.string()),
  observer: observerHealthSchema.nullable(),
});
export type FailureDetector = z.output<typeof failureDetectorSchema>;

/** The body of `GET /api/mapek`. Fields are `null` (or empty) before the loop's first tick. */
export const mapekStatusSchema = z.object({
  state: mapekStateSchema.nullable(),
  phi: z.number().nullable(),
  epoch: z.number(),
  at: z.number().nullable(),
  factors: phiFactorsSchema.nullable(),
  /** The lower φ bound of each state in force (MeshPolicy, read from the chain). */
  thresholds: phiThresholdsSchema.nullable(),
  /** What the monitor measured: φ factors, API latency, FL rounds seen and completed, latest accuracy. */
  metrics: z.record(z.string(), z.number()),
  nodes: z.object({ total: z.number(), healthy: z.number(), stale: z.number(), isolated: z.number() }).nullable(),
  /** Each node that has a condition. */
  conditions: z.record(z.string(), nodeConditionSchema),
  apiLatencyMs: z.number().nullable(),
  lastActions: z.array(mapekActionSchema),
  /** Per node (healing, MTTD, MTTR); `groupId` names the event each belongs to. */
  openIncidents: z.array(mapekIncidentSchema),
  /** Closed incidents, newest first (at most 50). */
  recentIncidents: z.array(mapekIncidentSchema),
  /** Incident groups not settled yet; a settled one becomes one Incident record, or a blip. */
  incidentGroups: z.array(incidentGroupSchema),
  /** Blips since the last MAPE-K snapshot, by condition: unprovoked incidents healed within `mapek.minIncidentMs`. */
  blips: z.partialRecord(nodeConditionSchema, z.number()),
  /** Nodes excluded from FL and why. */
  excluded: z.record(z.string(), z.enum(["byzantine", "route"])),
  shedding: z.boolean(),
  /** The failure detector's view of this tick; `null` before the first. */
  detector: failureDetectorSchema.nullable(),
  /** The anomaly model's verdict on each node it does not call healthy. */
  anomalies: z.record(z.string(), anomalyReadingSchema),
  /** `null` until the model is trained. */
  anomalyModel: anomalyModelSummarySchema.nullable(),
});
export type MapekStatus = z.output<typeof mapekStatusSchema>;

/** One tick: state and φ (`null` where φ was not a finite number). */
export const mapekTickSummarySchema = z.object({ epoch: z.number(), at: z.number(), state: mapekStateSchema, phi: z.number().nullable(), conditions: z.number(), actions: z.number() });
export type MapekTickSummary = z.output<typeof mapekTickSummarySchema>;

/** The body of `GET /api/mapek/history`, oldest tick first. */
export const mapekHistorySchema = z.object({ ticks: z.array(mapekTickSummarySchema) });
export type MapekHistory = z.output<typeof mapekHistorySchema>;
