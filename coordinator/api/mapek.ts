/**
 * The MAPE-K loop over HTTP.
 *
 * - `GET /api/mapek`: state, φ and its factors, the monitor's metrics, node counts,
 *   open and recent incidents (per node, with their group), incident groups not yet
 *   settled, blips since the last snapshot, nodes excluded from FL, load shedding, the anomaly
 *   model's verdicts and its held-out scores.
 * - `GET /api/mapek/history?limit=N`: state and φ per tick, oldest first (at most 1000).
 *
 * State changes also arrive live as `mapek.state.changed` events on `GET /api/events`.
 * Where the mesh is not in node-host processes both routes answer 503 saying so.
 * Schemas: `schemas/mapek.ts`.
 */
import { ChaosUnavailableError } from "../errors/chaos.ts";
import type { AnomalyModelSummary as AnomalyModelSummaryView } from "../mapek/anomalyModel.ts";
import type { ExecutedAction, MapekIncident as MapekIncidentView, MapekLoop, MapekTickSummary as MapekTickSummaryView } from "../mapek/mapekLoop.ts";
import { errorResponses } from "./schemas/common.ts";
import {
  mapekHistoryQuerySchema,
  mapekHistorySchema,
  mapekStatusSchema,
  type AnomalyModelSummary,
  type MapekAction,
  type MapekIncident,
  type MapekStatus,
  type MapekTickSummary,
} from "./schemas/mapek.ts";
import type { ApiPlugin, AssertTrue, KeepsEveryKey } from "./types.ts";

// The schemas keep every field the loop returns (the serializer drops unknown ones).
export type MapekResponsesKeepEveryField = [
  AssertTrue<KeepsEveryKey<ExecutedAction, MapekAction>>,
  AssertTrue<KeepsEveryKey<MapekIncidentView, MapekIncident>>,
  AssertTrue<KeepsEveryKey<ReturnType<MapekLoop["incidentGroups"]>, MapekStatus["incidentGroups"]>>,
  AssertTrue<KeepsEveryKey<AnomalyModelSummaryView, AnomalyModelSummary>>,
  AssertTrue<KeepsEveryKey<MapekTickSummaryView, MapekTickSummary>>,
];

/** φ as JSON can carry it: a non-finite value (no factors to compute it from) is `null`. */
const finiteOrNull = (value: number | null | undefined): number | null => (value !== null && value !== undefined && Number.isFinite(value) ? value : null);

/** Options of {@link mapekRoutes}: the loop, or why there is none. */
export type MapekRoutesParameters = { loop: MapekLoop } | { loop: null; unavailable: string };

export function mapekRoutes(parameters: MapekRoutesParameters): ApiPlugin {
  const loop = (): MapekLoop => {
    if (parameters.loop === null) throw new ChaosUnavailableError({ reason: parameters.unavailable });
    return parameters.loop;
  };
  return async (app) => {
    app.get("/api/mapek", { schema: { response: { 200: mapekStatusSchema, ...errorResponses } } }, async (): Promise<MapekStatus> => {
      const l = loop();
      const tick = l.lastTick;
      const analysis = tick?.analysis;
      return {
        state: l.state,
        phi: finiteOrNull(tick?.phi),
        epoch: tick?.epoch ?? 0,
        at: analysis?.at ?? null,
        factors: analysis?.factors ?? null,
        /** The lower φ bound of each state in force (MeshPolicy, read from the chain). */
        thresholds: l.thresholds,
        /** What the monitor measured: φ factors, API latency, FL rounds seen and completed, latest accuracy. */
        metrics: analysis?.metrics ?? {},
        nodes: analysis ? { total: analysis.total, healthy: analysis.healthy, stale: analysis.stale, isolated: analysis.isolated } : null,
        conditions: analysis ? Object.fromEntries(analysis.conditions) : {},
        apiLatencyMs: analysis && Number.isFinite(analysis.apiLatencyMs) ? analysis.apiLatencyMs : null,
        lastActions: tick?.actions ?? [],
        /** Per node (healing, MTTD, MTTR); `groupId` names the event each belongs to. */
        openIncidents: l.openIncidents(),
        recentIncidents: l.closedIncidents().slice(-50).reverse(),
        /** Incident groups (one per event: cause, nodes) not settled yet; a settled one becomes one Incident record, or a blip. */
        incidentGroups: l.incidentGroups(),
        /** Blips since the last MAPE-K snapshot, by condition: unprovoked incidents healed within `mapek.minIncidentMs`. */
        blips: l.blips(),
        excluded: Object.fromEntries(l.exclusions()),
        shedding: l.sheddingEnabled,
        detector: analysis
          ? {
              suspicionThreshold: analysis.suspicionThreshold,
              // φ can be Infinity for a node silent for long: JSON has no Infinity, and past 100 nothing changes.
              suspicion: Object.fromEntries([...analysis.suspicion].map(([nodeId, phi]) => [nodeId, Math.min(100, Math.round(phi * 100) / 100)])),
              refuted: analysis.refuted,
              observer: analysis.observer,
            }
          : null,
        /** The anomaly model's verdict on each node it does not call healthy: label, confidence, ticks in a row. */
        anomalies: analysis ? Object.fromEntries(analysis.anomalies) : {},
        /** How the anomaly model was trained (FL over recorded mesh telemetry) and its held-out scores; `null` until trained. */
        anomalyModel: l.anomalyModel?.summary ?? null,
      };
    });
    app.get("/api/mapek/history", { schema: { querystring: mapekHistoryQuerySchema, response: { 200: mapekHistorySchema, ...errorResponses } } }, async (request) => ({
      ticks: loop()
        .history(request.query.limit)
        .map((tick) => ({ ...tick, phi: finiteOrNull(tick.phi) })),
    }));
  };
}
