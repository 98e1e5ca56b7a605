"use client";

import { useMemo } from "react";
import { useKnowledgeRecords } from "../../../hooks/useKnowledgeRecords.ts";
import { useVerifiedContent } from "../../../hooks/useVerifiedContent.ts";
import { PHI_FACTORS, PHI_MAX, chaosUnavailableMessage, coordinatorErrorText, latestMapekState, type CoordinatorEvent, type MapekStatus } from "../../../lib/coordinator.ts";
import { formatMilliseconds, formatTimestamp } from "../../../lib/format.ts";
import { formatRecordId } from "../../../lib/knowledge.ts";

export type MapekStateCardProps = {
  /** Whether the coordinator answered `/api/status`. */
  up: boolean;
  /** `GET /api/mapek`. */
  mapek: { data: MapekStatus | undefined; error: Error | null };
  /** Live events: the state from `mapek.state.changed` stands in while `/api/mapek` cannot be read. */
  events: readonly CoordinatorEvent[];
};

/** The MAPE-K state, φ and its five factors, with the last snapshot governance ratified. */
export function MapekStateCard({ up, mapek, events }: MapekStateCardProps) {
  const live = useMemo(() => latestMapekState(events), [events]);
  const unavailable = chaosUnavailableMessage(mapek.error);
  const data = mapek.data;
  return (
    <section className="card" aria-labelledby="mapek-heading" data-testid="mapek">
      <h2 id="mapek-heading">MAPE-K state</h2>
      {data?.state ? (
        <>
          <p>
            <span className={`stat state-${data.state}`} data-testid="mapek-state">
              {data.state}
            </span>
            <br />
            <span className="small muted">
              φ = {data.phi?.toFixed(3) ?? "—"} of {PHI_MAX.toFixed(3)} · epoch {data.epoch}
              {data.at ? ` · ${formatTimestamp(Math.floor(data.at / 1000))}` : ""}
            </span>
          </p>
          {data.factors ? (
            <dl className="small" aria-label="Factors of φ" style={{ margin: "0 0 0.5rem" }}>
              {PHI_FACTORS.map((f) => {
                const value = data.factors![f.key];
                return (
                  <div key={f.key} style={{ display: "flex", flexWrap: "wrap", justifyContent: "space-between", gap: "0 0.5rem" }}>
                    <dt style={{ fontWeight: "normal" }}>{f.label}</dt>
                    <dd style={{ margin: 0 }}>
                      <meter min={0} max={1} low={0.5} high={0.9} optimum={1} value={value} aria-label={`${f.label}: ${f.description}`} />{" "}
                      {(value * 100).toFixed(0)} %
                    </dd>
                  </div>
                );
              })}
            </dl>
          ) : null}
          <details className="small">
            <summary>What the factors mean</summary>
            <p>
              φ = {PHI_MAX.toFixed(3)} ×{" "}
              {PHI_FACTORS.map((f, i) => (
                <span key={f.key}>
                  {i > 0 ? " · " : ""}
                  {f.symbol}
                  <sup>{f.weight}</sup>
                </span>
              ))}
              , a weighted geometric mean: one collapsed factor pulls φ down however good the others are.
            </p>
            <ul>
              {PHI_FACTORS.map((f) => (
                <li key={f.key}>
                  {f.symbol}, {f.label.toLowerCase()} (weight {f.weight}): {f.description}.
                </li>
              ))}
            </ul>
          </details>
          <p className="small muted">
            API latency {formatMilliseconds(data.apiLatencyMs)}
            {data.shedding ? " · load shedding on" : ""}
            {data.lastActions.length > 0
              ? ` · last actions: ${data.lastActions.map((a) => `${a.action}${a.target ? ` ${a.target}` : ""} (${a.outcome})`).join(", ")}`
              : ""}
          </p>
          {data.detector ? (
            <p className="small muted" data-testid="failure-detector">
              Failure detector: suspects a node past φ {data.detector.suspicionThreshold.toFixed(1)}
              {data.detector.observer
                ? ` · coordinator ${data.detector.observer.awareness > 0 ? `running late (awareness ${data.detector.observer.awareness} of 8, thresholds raised)` : "on time"}, stalled ${formatMilliseconds(data.detector.observer.stalledMsLastMinute)} in the last minute (longest ${formatMilliseconds(data.detector.observer.longestStallMs)}), silence it caused not blamed on nodes`
                : ""}
              {data.detector.refuted.length > 0 ? ` · late but answering: ${data.detector.refuted.join(", ")}` : ""}
            </p>
          ) : null}
        </>
      ) : live ? (
        // `/api/mapek` unreadable (an older coordinator, or the loop not running): the live events still say the state.
        <p>
          <span className={`stat state-${live.state}`} data-testid="mapek-state">
            {live.state}
          </span>
          <br />
          <span className="small muted">
            φ = {live.phi.toFixed(3)} · since {live.time}
          </span>
        </p>
      ) : (
        <p className="muted small">{!up ? "Live state needs the coordinator." : data ? "The loop has not ticked yet." : mapek.error ? "" : "Loading…"}</p>
      )}
      {unavailable ? (
        <p className="small notice" role="status" data-testid="mapek-unavailable">
          {unavailable}
        </p>
      ) : mapek.error && up ? (
        <p className="small muted">MAPE-K details unavailable: {coordinatorErrorText(mapek.error)}</p>
      ) : null}
      <RatifiedSnapshot />
    </section>
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
