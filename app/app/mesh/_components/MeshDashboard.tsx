"use client";

import { useMemo } from "react";
import { LineChart } from "../../../components/LineChart.tsx";
import { useCoordinatorEvents } from "../../../hooks/useCoordinatorEvents.ts";
import { useCoordinatorJson } from "../../../hooks/useCoordinatorJson.ts";
import { useCoordinatorStatus } from "../../../hooks/useCoordinatorStatus.ts";
import { useKnowledgeRecords } from "../../../hooks/useKnowledgeRecords.ts";
import { useSynodConfig } from "../../../hooks/useSynodConfig.ts";
import { useVerifiedContent } from "../../../hooks/useVerifiedContent.ts";
import { latestMapekState, mergeFlProgress, type FlMetrics, type FlStatus } from "../../../lib/coordinator.ts";
import { formatDuration } from "../../../lib/format.ts";
import { formatRecordId } from "../../../lib/knowledge.ts";

/** Live mesh view from the coordinator API, with the last ratified MAPE-K snapshot from the chain. */
export function MeshDashboard() {
  const { coordinatorUrl } = useSynodConfig();
  const status = useCoordinatorStatus();
  const up = status.isSuccess && !status.isError;
  const { events, connected } = useCoordinatorEvents({ enabled: up });
  const flStatus = useCoordinatorJson<FlStatus>({ path: "/api/fl/status", enabled: up });
  const flMetrics = useCoordinatorJson<FlMetrics>({ path: "/api/fl/metrics", enabled: up });
  const progress = useMemo(() => mergeFlProgress(flMetrics.data, events), [flMetrics.data, events]);
  const live = useMemo(() => latestMapekState(events), [events]);
  const incidents = events.filter((e) => e.type === "mesh.incident").slice(-10).reverse();
  const components = Object.entries(status.data?.components ?? {});

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
        <section className="card" aria-labelledby="mapek-heading">
          <h2 id="mapek-heading">MAPE-K state</h2>
          {live ? (
            <p>
              <span className={`stat state-${live.state}`}>{live.state}</span>
              <br />
              <span className="small muted">
                φ = {live.phi.toFixed(3)} · since {live.time}
              </span>
            </p>
          ) : (
            <p className="muted small">{up ? "No state change reported yet." : "Live state needs the coordinator."}</p>
          )}
          <RatifiedSnapshot />
        </section>
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
        </section>
        <section className="card" aria-labelledby="incidents-heading">
          <h2 id="incidents-heading">Incidents</h2>
          {incidents.length === 0 ? (
            <p className="muted small">{up ? "None reported." : "—"}</p>
          ) : (
            <ul className="small">
              {incidents.map((e) => (
                <li key={e.id}>
                  {String(e.data.phase)}: {String(e.data.fault)} on {Array.isArray(e.data.nodes) ? e.data.nodes.join(", ") : ""} <span className="muted">{e.time}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby="fl-heading">
        <h2 id="fl-heading">Federated learning progress</h2>
        {progress.some((p) => p.accuracy !== null) ? (
          <LineChart
            label="Hold-out accuracy after each FL round"
            xLabel="round"
            yLabel="accuracy"
            points={progress.map((p) => ({ x: p.round, y: p.accuracy }))}
            yRange={[0, 1]}
          />
        ) : (
          <p className="muted small">{up ? "No FL round finished yet." : "FL progress needs the coordinator."}</p>
        )}
      </section>
    </>
  );
}

function RatifiedSnapshot() {
  const snapshots = useKnowledgeRecords({ kind: "MapekSnapshot" });
  const latest = snapshots.data?.find((r) => r.revokedAt === 0);
  const content = useVerifiedContent({ cid: latest?.cid });
  if (!latest) return <p className="small muted">No MAPE-K snapshot ratified on chain yet.</p>;
  const json = content.data?.status === "verified" ? (content.data.json as { state?: string; phi?: number } | undefined) : undefined;
  return (
    <p className="small">
      Last ratified: {formatRecordId(latest.id)} (round {latest.round})
      {json?.state ? (
        <>
          {" "}
          — <span className={`state-${json.state}`}>{json.state}</span>
          {typeof json.phi === "number" ? `, φ ${json.phi.toFixed(3)}` : ""} (verified)
        </>
      ) : content.data ? ` — content ${content.data.status}` : ""}
    </p>
  );
}
