"use client";

import { useMemo } from "react";
import { LineChart } from "../../../components/LineChart.tsx";
import { useCoordinatorEvents } from "../../../hooks/useCoordinatorEvents.ts";
import { useCoordinatorJson } from "../../../hooks/useCoordinatorJson.ts";
import { useCoordinatorStatus } from "../../../hooks/useCoordinatorStatus.ts";
import { useSynodConfig } from "../../../hooks/useSynodConfig.ts";
import {
  chaosUnavailableMessage,
  mergeFlProgress,
  type ChaosStatus,
  type CoordinatorEvent,
  type FlMetrics,
  type FlStatus,
  type MapekHistory,
  type MapekStatus,
} from "../../../lib/coordinator.ts";
import { formatDuration } from "../../../lib/format.ts";
import { AnomalyModelCard } from "./AnomalyModelCard.tsx";
import { ChaosPanel } from "./ChaosPanel.tsx";
import { MapekStateCard } from "./MapekStateCard.tsx";
import { MeshIncidents } from "./MeshIncidents.tsx";
import { PhiHistoryChart } from "./PhiHistoryChart.tsx";

/** The id of the latest event that passes `test` (0 for none): a key that changes when one arrives. */
function latestEventId(events: readonly CoordinatorEvent[], test: (event: CoordinatorEvent) => boolean): number {
  for (let i = events.length - 1; i >= 0; i--) if (test(events[i]!)) return events[i]!.id;
  return 0;
}

const ACCURACY_RANGE: [number, number] = [0, 1];

/** Live mesh view from the coordinator API, with the last ratified MAPE-K snapshot from the chain. */
export function MeshDashboard() {
  const { coordinatorUrl } = useSynodConfig();
  const status = useCoordinatorStatus();
  const up = status.isSuccess && !status.isError;
  const { events, connected } = useCoordinatorEvents({ enabled: up });
  const flStatus = useCoordinatorJson<FlStatus>({ path: "/api/fl/status", enabled: up });
  const flMetrics = useCoordinatorJson<FlMetrics>({ path: "/api/fl/metrics", enabled: up });
  const progress = useMemo(() => mergeFlProgress(flMetrics.data, events), [flMetrics.data, events]);
  // Stable props: the chart is rebuilt whenever they change, and MAPE-K data re-renders this page every tick.
  const accuracyPoints = useMemo(() => progress.map((p) => ({ x: p.round, y: p.accuracy })), [progress]);
  // Live events say when to re-read; the polls catch what the stream missed.
  const mapekKey = latestEventId(events, (e) => e.type === "mapek.state.changed" || e.type === "mesh.incident");
  const chaosKey = latestEventId(events, (e) => e.type.startsWith("chaos."));
  const runsKey = latestEventId(events, (e) => e.type === "chaos.experiment.finished" || (e.type === "chaos.experiment.progress" && e.data.phase === "started"));
  // A coordinator without a hosted mesh says so with a 503; that only changes on a restart, so ask rarely then.
  const pollUnlessUnavailable = (error: Error | null) => (chaosUnavailableMessage(error) ? 60_000 : 5_000);
  const mapek = useCoordinatorJson<MapekStatus>({ path: "/api/mapek", enabled: up, refetchIntervalMs: pollUnlessUnavailable, refreshKey: mapekKey });
  const mapekUnavailable = chaosUnavailableMessage(mapek.error) !== undefined;
  const history = useCoordinatorJson<MapekHistory>({ path: "/api/mapek/history?limit=300", enabled: up && !mapekUnavailable, refetchIntervalMs: 15_000, refreshKey: mapekKey });
  const chaos = useCoordinatorJson<ChaosStatus>({ path: "/api/chaos/status", enabled: up, refetchIntervalMs: pollUnlessUnavailable, refreshKey: chaosKey });
  const components = Object.entries(status.data?.components ?? {});
  const nodes = mapek.data?.nodes;
  const conditions = Object.entries(mapek.data?.conditions ?? {});
  const excluded = Object.entries(mapek.data?.excluded ?? {});

  return (
    <>
      <h1>Mesh</h1>
      {status.isPending ? <p>Contacting the coordinator at {coordinatorUrl}…</p> : null}
      {status.isError ? (
        <div className="notice bad" role="alert" data-testid="coordinator-down">
          <strong>Coordinator not reachable</strong> at <code>{coordinatorUrl}</code>. Live state, node health and FL progress come
          from it; start it with <code>npm start</code>. What governance ratified is still shown below, read from the chain.
          <div className="small">{status.error.message}</div>
        </div>
      ) : null}
      {up && status.data ? (
        <section className="card" aria-labelledby="coord-heading" data-testid="coordinator-up">
          <h2 id="coord-heading">Coordinator</h2>
          <p className="small">
            {status.data.ready ? "Ready" : "Not ready"} · version {status.data.version} · up {formatDuration(status.data.uptimeSeconds)} · live
            events {connected ? "connected" : "reconnecting…"}
          </p>
          {components.length > 0 ? (
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Component</th>
                    <th scope="col">Status</th>
                    <th scope="col">Latency</th>
                  </tr>
                </thead>
                <tbody data-testid="components">
                  {components.map(([name, c]) => (
                    <tr key={name}>
                      <td>
                        {name}
                        {c.critical ? "" : <span className="small muted"> (optional)</span>}
                      </td>
                      <td>
                        <span className={`badge ${c.status === "up" ? "verified" : "not-verified"}`}>{c.status}</span>
                        {c.error ? <span className="small"> {c.error}</span> : null}
                      </td>
                      <td>{c.latencyMs} ms</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </section>
      ) : null}
      <div className="grid">
        <MapekStateCard up={up} mapek={{ data: mapek.data, error: mapek.error }} events={events} />
        <section className="card" aria-labelledby="nodes-heading">
          <h2 id="nodes-heading">Nodes</h2>
          {up && flStatus.data?.nodes ? (
            <p data-testid="nodes">
              <span className="stat">{flStatus.data.nodes.online ?? "—"}</span> online of {flStatus.data.nodes.total ?? "—"}
              <br />
              <span className="small muted">
                {flStatus.data.nodes.banned ?? 0} banned · rounds {flStatus.data.rounds?.completed ?? 0} completed, {flStatus.data.rounds?.failed ?? 0} failed
                {flStatus.data.current ? ` · round ${flStatus.data.current.round} running` : ""}
              </span>
            </p>
          ) : (
            <p className="muted small">{up ? (flStatus.error ? `FL status unavailable: ${flStatus.error.message}` : "Loading…") : "Node health needs the coordinator."}</p>
          )}
          {up && flMetrics.data?.updates ? (
            <p className="small">
              Updates: {flMetrics.data.updates.accepted ?? 0} accepted, {flMetrics.data.updates.rejected ?? 0} rejected
              {Object.entries(flMetrics.data.updates.rejectedByReason ?? {})
                .filter(([, n]) => n > 0)
                .map(([reason, n]) => ` · ${reason} ${n}`)
                .join("")}
              {` · Byzantine detections ${flMetrics.data.byzantineDetections ?? 0}`}
            </p>
          ) : null}
          {nodes ? (
            <p className="small" data-testid="node-health">
              MAPE-K: {nodes.healthy} healthy of {nodes.total} · {nodes.stale} stale · {nodes.isolated} isolated
            </p>
          ) : null}
          {conditions.length > 0 ? (
            <p className="small">
              Conditions: {conditions.map(([node, condition]) => `${node} ${condition}`).join(", ")}
            </p>
          ) : null}
          {excluded.length > 0 ? (
            <p className="small" data-testid="excluded">
              Excluded from FL: {excluded.map(([node, reason]) => `${node} (${reason === "byzantine" ? "suspected Byzantine" : "routed around"})`).join(", ")}
            </p>
          ) : mapek.data ? (
            <p className="small muted">No node excluded from FL.</p>
          ) : null}
        </section>
      </div>
      <MeshIncidents up={up} mapek={mapek.data} events={events} />
      <AnomalyModelCard mapek={mapek.data} />
      <section className="card" aria-labelledby="phi-heading">
        <h2 id="phi-heading">φ over time</h2>
        {history.data ? (
          <PhiHistoryChart history={history.data} thresholds={mapek.data?.thresholds} />
        ) : (
          <p className="muted small">{!up ? "φ history needs the coordinator." : mapekUnavailable ? "Not available: see the MAPE-K state above." : history.error ? `φ history unavailable: ${history.error.message}` : "Loading…"}</p>
        )}
      </section>
      <ChaosPanel up={up} status={{ data: chaos.data, error: chaos.error, isPending: chaos.isPending }} runsRefreshKey={runsKey} />
      <section className="card" aria-labelledby="fl-heading">
        <h2 id="fl-heading">Federated learning progress</h2>
        {progress.some((p) => p.accuracy !== null) ? (
          <LineChart
            label="Hold-out accuracy after each FL round"
            xLabel="round"
            yLabel="accuracy"
            points={accuracyPoints}
            yRange={ACCURACY_RANGE}
          />
        ) : (
          <p className="muted small">{up ? "No FL round finished yet." : "FL progress needs the coordinator."}</p>
        )}
      </section>
    </>
  );
}
