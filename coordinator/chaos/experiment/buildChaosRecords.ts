/**
 * Turns a run's journal into knowledge records: one Incident per affected node that
 * MAPE-K detected (with its injection, detection and healing times and the actions
 * MAPE-K took), and one ChaosReport that refers to them.
 */
import type { ChaosReportRecordV1, IncidentRecordV1 } from "../../knowledge/schemas/index.ts";
import { submitKnowledgeRecord } from "../../knowledge/submitKnowledgeRecord.ts";
import type { MapekLoop } from "../../mapek/mapekLoop.ts";
import type { KnowledgeRepository } from "../../store/knowledgeRepository.ts";
import type { Experiment } from "./experimentSchema.ts";
import type { ExperimentJournal } from "./runExperiment.ts";

const iso = (ms: number): string => new Date(ms).toISOString();

/** The records of one run, before submission (the report's `incidentCids` are filled in then). */
export type ChaosRecords = { incidents: IncidentRecordV1[]; report: Omit<ChaosReportRecordV1, "incidentCids"> };

/**
 * Builds the records.
 *
 * @param parameters.experiment - the experiment.
 * @param parameters.journal - its journal.
 * @param parameters.mapek - for the actions MAPE-K took on each node.
 * @param parameters.round - the FL round the records belong to.
 */
export function buildChaosRecords({ experiment, journal, mapek, round }: { experiment: Experiment; journal: ExperimentJournal; mapek?: MapekLoop | undefined; round: number }): ChaosRecords {
  const createdAt = iso(journal.endedAt);
  const mapekIncidents = mapek ? [...mapek.closedIncidents(), ...mapek.openIncidents()] : [];
  const incidents: IncidentRecordV1[] = [];
  for (const fault of journal.faults) {
    if (fault.injectedAt === null) continue;
    const injectedAt = fault.injectedAt;
    for (const [node, d] of Object.entries(fault.detection)) {
      const detectedAt = d.detectedAt;
      if (detectedAt === null) continue;
      const seen = mapekIncidents.find((i) => i.nodeId === node && i.detectedAt >= injectedAt && i.detectedAt <= detectedAt + 1);
      const healedAt = d.healedAt;
      const detail = fault.records.find((r) => r.target === node && r.phase === "injected")?.detail;
      incidents.push({
        kind: "Incident",
        schemaVersion: 1,
        round,
        createdAt,
        incidentId: `${experiment.name}:${fault.faultId}:${node}:${injectedAt}`.slice(0, 128),
        fault: { kind: fault.kind, description: `${fault.kind} injected by experiment ${experiment.name}${detail ? ` (${detail})` : ""}${seen ? `; MAPE-K saw it as ${seen.condition}` : ""}`.slice(0, 2000), injected: true },
        affectedNodes: [node],
        startedAt: iso(injectedAt),
        detectedAt: iso(detectedAt),
        healedAt: healedAt === null ? null : iso(healedAt),
        timeToDetectMs: detectedAt - injectedAt,
        timeToRecoverMs: healedAt === null ? null : healedAt - injectedAt,
        actions: (seen?.actions ?? []).map((a) => ({ action: a.action, target: a.target ?? "coordinator", at: iso(Math.max(a.at, detectedAt)), outcome: a.outcome, ...(a.detail ? { detail: a.detail.slice(0, 2000) } : {}) })),
        resolution:
          healedAt !== null
            ? { status: seen?.resolution === "mitigated" ? "mitigated" : "healed", summary: `${seen?.resolution === "mitigated" ? "mitigated" : "healed"} ${healedAt - injectedAt} ms after injection, detected after ${detectedAt - injectedAt} ms` }
            : { status: "unresolved", summary: `detected after ${detectedAt - injectedAt} ms; not healed before the run ended` },
      });
    }
  }
  const hypothesis = experiment["steady-state-hypothesis"];
  const probe = (p: { probe: string; tolerance: string; value: number | string | boolean | null; ok: boolean }) => ({ probe: p.probe, tolerance: p.tolerance, value: typeof p.value === "number" && !Number.isFinite(p.value) ? null : p.value, ok: p.ok });
  const report: Omit<ChaosReportRecordV1, "incidentCids"> = {
    kind: "ChaosReport",
    schemaVersion: 1,
    round,
    createdAt,
    experiment: {
      name: experiment.name,
      title: experiment.title,
      faults: journal.faults.filter((f) => f.injectedAt !== null && f.targets.length > 0).map((f) => ({ kind: f.kind, targets: f.targets, durationMs: f.durationMs })),
    },
    status: journal.status,
    hypothesis: { title: hypothesis.title, before: journal.steadyStates.before.map(probe), after: journal.steadyStates.after.map(probe), deviated: journal.steadyStates.after.some((p) => !p.ok) },
    journal: {
      startedAt: iso(journal.startedAt),
      endedAt: iso(journal.endedAt),
      events: journal.events.map((e) => ({ at: iso(e.at), type: e.type, ...(e.node ? { node: e.node } : {}), detail: e.detail.slice(0, 2000) })),
    },
    mttdMs: journal.mttdMs,
    mttrMs: journal.mttrMs,
    resilienceScore: journal.resilienceScore,
  };
  return { incidents, report };
}

/**
 * Queues the incidents, then the report that lists their CIDs.
 *
 * @returns the CIDs.
 * @throws {RecordValidationError} if a record does not match its schema.
 */
export async function submitChaosRecords(outbox: KnowledgeRepository, records: ChaosRecords): Promise<{ chaosReportCid: string; incidentCids: string[] }> {
  const incidentCids: string[] = [];
  for (const incident of records.incidents) incidentCids.push((await submitKnowledgeRecord({ outbox, record: incident })).record.cid);
  const { record } = await submitKnowledgeRecord({ outbox, record: { ...records.report, incidentCids } });
  return { chaosReportCid: record.cid, incidentCids };
}
