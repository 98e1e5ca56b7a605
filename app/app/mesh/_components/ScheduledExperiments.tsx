"use client";

import { useCoordinatorJson } from "../../../hooks/useCoordinatorJson.ts";
import { CoordinatorResponseError, coordinatorErrorText, scheduleLabel, type ChaosSchedule, type ChaosScheduleList } from "../../../lib/coordinator.ts";
import { formatMilliseconds } from "../../../lib/format.ts";
import { Moment } from "./Moment.tsx";

export type ScheduledExperimentsProps = {
  /** Changes when a run starts or ends (re-reads the schedules: their last run and next firing). */
  refreshKey: number;
  now: number;
};

const SKIP_REASONS: Record<NonNullable<ChaosSchedule["lastSkip"]>["reason"], string> = {
  overlap: "its previous run was still going",
  busy: "another experiment was running",
};

/** The experiments the coordinator runs on its own (`GET /api/chaos/schedules`): how often, when next, and how the last scheduled run went. */
export function ScheduledExperiments({ refreshKey, now }: ScheduledExperimentsProps) {
  const schedules = useCoordinatorJson<ChaosScheduleList>({ path: "/api/chaos/schedules", enabled: true, refetchIntervalMs: 15_000, refreshKey });
  // A coordinator from before schedules has no such route, and runs none.
  if (schedules.error instanceof CoordinatorResponseError && schedules.error.status === 404) return null;
  const rows = schedules.data?.schedules ?? [];
  return (
    <>
      <h3 id="chaos-schedules-heading">Schedules</h3>
      {schedules.error ? <p className="small notice bad">Schedules unavailable: {coordinatorErrorText(schedules.error)}</p> : null}
      {schedules.data && rows.length === 0 ? (
        <p className="muted small" data-testid="chaos-no-schedules">
          No experiment runs on a schedule. An experiment file with <code>schedule: {"{ everyMs: 3600000 }"}</code> or <code>schedule: {'{ cron: "0 * * * *" }'}</code> does.
        </p>
      ) : null}
      {rows.length > 0 ? (
        <div className="table-scroll" role="region" aria-labelledby="chaos-schedules-heading" tabIndex={0}>
          <table className="small" data-testid="chaos-schedules">
            <thead>
              <tr style={{ whiteSpace: "nowrap" }}>
                <th scope="col">Experiment</th>
                <th scope="col">Schedule</th>
                <th scope="col">Next run</th>
                <th scope="col">Last scheduled run</th>
                <th scope="col">Skipped</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.experiment} style={{ whiteSpace: "nowrap" }}>
                  <td>{s.experiment}</td>
                  <td>
                    <code>{scheduleLabel(s)}</code>
                    <div className="muted">keeps {s.historyLimit} runs · no overlap</div>
                  </td>
                  <td>
                    {s.nextRunAt === null ? (
                      "—"
                    ) : (
                      <>
                        <Moment ms={s.nextRunAt} now={now} />
                        <div className="muted">in {formatMilliseconds(s.nextRunAt - now)}</div>
                      </>
                    )}
                  </td>
                  <td>
                    {s.lastRun ? (
                      <>
                        <strong>{s.lastRun.verdict}</strong>
                        {s.lastRun.resilienceScore !== null ? ` · resilience ${s.lastRun.resilienceScore} %` : ""}
                        <div className="muted">
                          run {s.lastRun.runId} · <Moment ms={s.lastRun.startedAt} now={now} />
                        </div>
                      </>
                    ) : (
                      <span className="muted">none yet</span>
                    )}
                    {s.lastError ? <div className="muted" style={{ whiteSpace: "normal" }}>could not start: {s.lastError.message}</div> : null}
                  </td>
                  <td title={s.lastSkip ? `last skipped because ${SKIP_REASONS[s.lastSkip.reason]}` : undefined}>
                    {s.skipped} of {s.fired}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
