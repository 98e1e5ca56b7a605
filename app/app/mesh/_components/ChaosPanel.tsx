"use client";

import Link from "next/link";
import { useChaosRuns } from "../../../hooks/useChaosRuns.ts";
import { useKnowledgeRecords } from "../../../hooks/useKnowledgeRecords.ts";
import { useNow } from "../../../hooks/useNow.ts";
import {
  chaosReportLink,
  chaosUnavailableMessage,
  coordinatorErrorText,
  faultStatisticsRows,
  runProgress,
  type ChaosRun,
  type ChaosStatus,
} from "../../../lib/coordinator.ts";
import { formatMilliseconds } from "../../../lib/format.ts";
import { Moment } from "./Moment.tsx";
import { ScheduledExperiments } from "./ScheduledExperiments.tsx";

export type ChaosPanelProps = {
  up: boolean;
  /** `GET /api/chaos/status`. */
  status: { data: ChaosStatus | undefined; error: Error | null; isPending: boolean };
  /** Changes when a run starts or ends (re-reads the list of runs). */
  runsRefreshKey: number;
};

/** The chaos experiment in progress, active faults, statistics per fault kind, the schedules and the latest runs. */
export function ChaosPanel({ up, status, runsRefreshKey }: ChaosPanelProps) {
  const now = useNow({ intervalMs: 1_000 });
  const unavailable = chaosUnavailableMessage(status.error);
  const readable = up && !unavailable && !status.error;
  return (
    <section className="card" aria-labelledby="chaos-heading" data-testid="chaos">
      <h2 id="chaos-heading">Chaos experiments</h2>
      {!up ? <p className="muted small">Chaos experiments need the coordinator.</p> : null}
      {unavailable ? (
        <p className="notice" role="status" data-testid="chaos-unavailable">
          {unavailable}
        </p>
      ) : status.error && up ? (
        <p className="notice bad small">Chaos status unavailable: {coordinatorErrorText(status.error)}</p>
      ) : null}
      {readable && status.isPending ? <p className="small">Loading…</p> : null}
      {readable && status.data ? (
        <>
          <RunningExperiment run={status.data.running} now={now} />
          <h3 id="active-faults-heading">Active faults</h3>
          {status.data.activeFaults.length === 0 ? (
            <p className="muted small">None.</p>
          ) : (
            <div className="table-scroll" role="region" aria-labelledby="active-faults-heading" tabIndex={0}>
              <table className="small" data-testid="active-faults">
                <thead>
                  <tr style={{ whiteSpace: "nowrap" }}>
                    <th scope="col">Kind</th>
                    <th scope="col">Phase</th>
                    <th scope="col">Nodes affected</th>
                    <th scope="col">Active for</th>
                  </tr>
                </thead>
                <tbody>
                  {status.data.activeFaults.map((f) => (
                    <tr key={f.faultId} style={{ whiteSpace: "nowrap" }}>
                      <td>{f.kind}</td>
                      <td>{f.phase}</td>
                      <td style={{ whiteSpace: "normal", minWidth: "10rem" }}>{(f.affected.length > 0 ? f.affected : f.targets).join(", ") || "—"}</td>
                      <td>
                        {f.injectedAt === null ? "—" : formatMilliseconds(now - f.injectedAt)}
                        {f.durationMs > 0 ? <span className="muted"> of {formatMilliseconds(f.durationMs)}</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <FaultStatistics statistics={status.data.statistics} />
        </>
      ) : null}
      {readable ? <ScheduledExperiments refreshKey={runsRefreshKey} now={now} /> : null}
      {readable ? <RecentRuns refreshKey={runsRefreshKey} now={now} /> : null}
    </section>
  );
}

function RunningExperiment({ run, now }: { run: ChaosRun | null; now: number }) {
  if (!run) {
    return (
      <>
        <h3 id="running-heading">Running</h3>
        <p className="muted small" data-testid="chaos-idle">
          No experiment running. Start one with <code>synod chaos run &lt;name&gt;</code> or <code>/chaos_run</code> in Telegram.
        </p>
      </>
    );
  }
  const { elapsedMs, share } = runProgress(run, now);
  return (
    <>
      <h3 id="running-heading">Running: {run.title}</h3>
      <p className="small" data-testid="chaos-running">
        <code>{run.experiment}</code> (run {run.runId}, time scale {run.timeScale}) · started <Moment ms={run.startedAt} now={now} />
        <br />
        {run.progress ? (
          <>
            <strong>{run.progress.phase}</strong>: {run.progress.detail}
          </>
        ) : (
          "starting…"
        )}
      </p>
      <label htmlFor={`chaos-progress-${run.runId}`} className="small">
        Method: {formatMilliseconds(elapsedMs)} of {formatMilliseconds(run.nominalDurationMs)}
        {share >= 1 ? " (past the nominal length: probes and recovery)" : ""}
      </label>
      <br />
      <progress id={`chaos-progress-${run.runId}`} max={1} value={share} style={{ width: "100%" }}>
        {Math.round(share * 100)} %
      </progress>
    </>
  );
}

function FaultStatistics({ statistics }: { statistics: ChaosStatus["statistics"] }) {
  const rows = faultStatisticsRows(statistics);
  return (
    <>
      <h3 id="fault-stats-heading">Faults by kind</h3>
      {rows.length === 0 ? (
        <p className="muted small">No fault injected since the coordinator started.</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="fault-stats-heading" tabIndex={0}>
          <table className="small" data-testid="fault-statistics">
            <thead>
              <tr style={{ whiteSpace: "nowrap" }}>
                <th scope="col">Kind</th>
                <th scope="col">Injected</th>
                <th scope="col">Recovered</th>
                <th scope="col">
                  <abbr title="mean time to detect">MTTD</abbr>
                </th>
                <th scope="col">
                  <abbr title="mean time to recover">MTTR</abbr>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.kind} style={{ whiteSpace: "nowrap" }}>
                  <td>{r.kind}</td>
                  <td>
                    {r.injected}
                    {r.active > 0 ? <span className="muted"> ({r.active} active)</span> : null}
                  </td>
                  <td>
                    {r.recovered}
                    {r.failed > 0 ? <span className="muted"> ({r.failed} failed)</span> : null}
                  </td>
                  <td>{formatMilliseconds(r.mttdMs)}</td>
                  <td>{formatMilliseconds(r.mttrMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function RecentRuns({ refreshKey, now }: { refreshKey: number; now: number }) {
  const { list, runs } = useChaosRuns({ enabled: true, refreshKey });
  const reports = useKnowledgeRecords({ kind: "ChaosReport" });
  return (
    <>
      <h3 id="chaos-runs-heading">Recent runs</h3>
      {list.error ? <p className="small notice bad">Runs unavailable: {coordinatorErrorText(list.error)}</p> : null}
      {list.data && runs.length === 0 ? <p className="muted small">No experiment has run yet.</p> : null}
      {runs.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby="chaos-runs-heading" tabIndex={0}>
          <table className="small" data-testid="chaos-runs">
            <thead>
              <tr style={{ whiteSpace: "nowrap" }}>
                <th scope="col">Experiment</th>
                <th scope="col">Status</th>
                <th scope="col">Deviated</th>
                <th scope="col">Resilience</th>
                <th scope="col">
                  <abbr title="mean time to detect">MTTD</abbr>
                </th>
                <th scope="col">
                  <abbr title="mean time to recover">MTTR</abbr>
                </th>
                <th scope="col">Report</th>
              </tr>
            </thead>
            <tbody>
              {runs.map(({ run, detail, error }) => {
                const journal = detail?.journal ?? null;
                const cid = detail?.reportCid ?? run.reportCid;
                const link = cid ? chaosReportLink(cid, reports.data?.filter((r) => r.revokedAt === 0)) : undefined;
                const pending = run.status !== "running" && !detail && !error;
                return (
                  <tr key={run.runId} style={{ whiteSpace: "nowrap" }}>
                    <td style={{ whiteSpace: "normal", minWidth: "11rem" }}>
                      {run.title}
                      <br />
                      <span className="muted">
                        {run.experiment} · <Moment ms={run.startedAt} now={now} />
                        {run.trigger === "schedule" ? " · scheduled" : ""}
                      </span>
                    </td>
                    <td>
                      {run.status}
                      {journal?.abortReason ? <div className="muted" style={{ whiteSpace: "normal" }}>{journal.abortReason}</div> : null}
                    </td>
                    <td>{journal ? (journal.deviated ? "yes" : "no") : pending ? "…" : "—"}</td>
                    <td>{journal ? `${journal.resilienceScore} %` : pending ? "…" : "—"}</td>
                    <td>{journal ? formatMilliseconds(journal.mttdMs) : "—"}</td>
                    <td>{journal ? formatMilliseconds(journal.mttrMs) : "—"}</td>
                    <td>
                      {cid && link ? (
                        <Link href={link.href} title={cid}>
                          ChaosReport {cid.slice(0, 8)}…{cid.slice(-4)}
                          {link.ratified ? "" : " (not ratified yet)"}
                        </Link>
                      ) : error ? (
                        <span className="muted">{coordinatorErrorText(error)}</span>
                      ) : (
                        "—"
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
