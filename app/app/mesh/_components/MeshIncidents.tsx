"use client";

import { useNow } from "../../../hooks/useNow.ts";
import { incidentDurationMs, type CoordinatorEvent, type MapekStatus } from "../../../lib/coordinator.ts";
import { formatMilliseconds } from "../../../lib/format.ts";
import { Moment } from "./Moment.tsx";

export type MeshIncidentsProps = {
  up: boolean;
  /** `GET /api/mapek` (open and recent incidents); `undefined` while it cannot be read. */
  mapek: MapekStatus | undefined;
  /** Live events: the latest `mesh.incident` ones are listed too. */
  events: readonly CoordinatorEvent[];
};

/** Open incidents, the latest healed ones with how long healing took, and the live incident events. */
export function MeshIncidents({ up, mapek, events }: MeshIncidentsProps) {
  const now = useNow({ intervalMs: 1_000 });
  const live = events.filter((e) => e.type === "mesh.incident").slice(-10).reverse();
  const open = mapek?.openIncidents ?? [];
  const recent = (mapek?.recentIncidents ?? []).slice(0, 10);
  return (
    <section className="card" aria-labelledby="incidents-heading">
      <h2 id="incidents-heading">Incidents</h2>
      <div className="grid">
        {mapek ? (
          <div>
            <h3 className="small" id="open-incidents-heading">
              Open ({open.length})
            </h3>
            {open.length === 0 ? (
              <p className="muted small">None: every node is healthy.</p>
            ) : (
              <ul className="small" aria-labelledby="open-incidents-heading" data-testid="open-incidents">
                {open.map((i) => (
                  <li key={i.incidentId}>
                    <strong>{i.nodeId}</strong> {i.condition} for {formatMilliseconds(now - i.detectedAt)}
                    {i.actions.length > 0 ? <span className="muted"> · {i.actions.map((a) => `${a.action} (${a.outcome})`).join(", ")}</span> : null}
                  </li>
                ))}
              </ul>
            )}
            <h3 className="small" id="recent-incidents-heading">
              Recently closed
            </h3>
            {recent.length === 0 ? (
              <p className="muted small">None yet.</p>
            ) : (
              <div className="table-scroll" role="region" aria-labelledby="recent-incidents-heading" tabIndex={0}>
                <table className="small" data-testid="recent-incidents">
                  <thead>
                    <tr style={{ whiteSpace: "nowrap" }}>
                      <th scope="col">Node</th>
                      <th scope="col">Condition</th>
                      <th scope="col">Detected</th>
                      <th scope="col">Healed after</th>
                    </tr>
                  </thead>
                  <tbody>
                    {recent.map((i) => (
                      <tr key={i.incidentId} style={{ whiteSpace: "nowrap" }}>
                        <td>{i.nodeId}</td>
                        <td>
                          {i.condition}
                          {i.resolution === "mitigated" ? <span className="muted"> (mitigated)</span> : null}
                        </td>
                        <td className="muted">
                          <Moment ms={i.detectedAt} now={now} />
                        </td>
                        <td>{formatMilliseconds(incidentDurationMs(i))}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        ) : null}
        <div>
          <h3 className="small" id="incident-events-heading">
            Live events
          </h3>
          {live.length === 0 ? (
            <p className="muted small">{up ? "None reported." : "—"}</p>
          ) : (
            <ul className="small" aria-labelledby="incident-events-heading">
              {live.map((e) => (
                <li key={e.id}>
                  {String(e.data.phase)}: {String(e.data.fault)} on {Array.isArray(e.data.nodes) ? e.data.nodes.join(", ") : ""} <span className="muted">{e.time}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
