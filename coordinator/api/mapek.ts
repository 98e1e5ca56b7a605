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
 */
import { z } from "zod";
import { ChaosUnavailableError } from "../errors/chaos.ts";
import type { MapekLoop } from "../mapek/mapekLoop.ts";
import type { ApiPlugin } from "./types.ts";

/** Options of {@link mapekRoutes}: the loop, or why there is none. */
export type MapekRoutesParameters = { loop: MapekLoop } | { loop: null; unavailable: string };

export function mapekRoutes(parameters: MapekRoutesParameters): ApiPlugin {
  const loop = (): MapekLoop => {
    if (parameters.loop === null) throw new ChaosUnavailableError({ reason: parameters.unavailable });
    return parameters.loop;
  };
  return async (app) => {
    app.get("/api/mapek", async () => {
      const l = loop();
      const tick = l.lastTick;
      const analysis = tick?.analysis;
      return {
        state: l.state,
        phi: tick?.phi ?? null,
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
        /** The anomaly model's verdict on each node it does not call healthy: label, confidence, ticks in a row. */
        anomalies: analysis ? Object.fromEntries(analysis.anomalies) : {},
        /** How the anomaly model was trained (FL over recorded mesh telemetry) and its held-out scores; `null` until trained. */
        anomalyModel: l.anomalyModel?.summary ?? null,
      };
    });
    app.get("/api/mapek/history", { schema: { querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).optional() }) } }, async (request) => ({
      ticks: loop().history(request.query.limit),
    }));
  };
}
