/**
 * Turns a run's journal into knowledge records: one Incident per event, not per node
 * (per injected fault that MAPE-K detected: a host crash that takes down ten nodes is
 * one Incident naming the ten), with its injection, first detection and last healing
 * times and the actions MAPE-K took, and one ChaosReport that refers to them. A
 * provoked incident is recorded however fast it healed: the experiment asked for it.
 */
import type { ChaosReportRecordV1, IncidentRecordV1 } from "../../knowledge/schemas/index.ts";
import { submitKnowledgeRecord } from "../../knowledge/submitKnowledgeRecord.ts";
import type { MapekIncident, MapekLoop } from "../../mapek/mapekLoop.ts";
import type { KnowledgeRepository } from "../../store/knowledgeRepository.ts";
import type { Experiment } from "./experimentSchema.ts";
import type { ExperimentJournal } from "./experimentJournal.ts";

const iso = (ms: number): string => new Date(ms).toISOString();

/** The records of one run, before submission (the report's `incidentCids` are filled in then). */
export type ChaosRecords = { incidents: IncidentRecordV1[]; report: Omit<ChaosReportRecordV1, "incidentCids"> };

/** "; MAPE-K saw it as down" or "; MAPE-K saw it as down on 8 nodes, unreachable on 2". */
function sawAs(members: readonly Detected[]): string {
  const counts = new Map<string, number>();
  for (const m of members) if (m.seen) counts.set(m.seen.condition, (counts.get(m.seen.condition) ?? 0) + 1);
  if (counts.size === 0) return "";
  if (counts.size === 1) return `; MAPE-K saw it as ${[...counts.keys()][0]}`;
  return `; MAPE-K saw it as ${[...counts].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} on ${n} node${n === 1 ? "" : "s"}`).join(", ")}`;
}

/** One affected node as the fault's status and MAPE-K saw it. */
type Detected = { node: string; detectedAt: number; healedAt: number | null; seen: MapekIncident | undefined; detail: string | undefined };

/**
 * Builds the records.
 *
 * @param parameters.experiment - the experiment.
 * @param parameters.journal - its journal.
 * @param parameters.mapek - for the condition MAPE-K saw and the actions it took on each node.
 * @param parameters.round - the FL round the records belong to.
 */
export function buildChaosRecords({ experiment, journal, mapek, round }: { experiment: Experiment; journal: ExperimentJournal; mapek?: MapekLoop | undefined; round: number }): ChaosRecords {
  const createdAt = iso(journal.endedAt);
  const mapekIncidents = mapek ? [...mapek.closedIncidents(), ...mapek.openIncidents()] : [];
  const incidents: IncidentRecordV1[] = [];
  for (const fault of journal.faults) {
    if (fault.injectedAt === null) continue;
    const injectedAt = fault.injectedAt;
    const detected: Detected[] = [];
    for (const [node, d] of Object.entries(fault.detection)) {
      const detectedAt = d.detectedAt;
      if (detectedAt === null) continue;
      const seen = mapekIncidents.find((i) => i.nodeId === node && i.detectedAt >= injectedAt && i.detectedAt <= detectedAt + 1);
      detected.push({ node, detectedAt, healedAt: d.healedAt, seen, detail: fault.records.find((r) => r.target === node && r.phase === "injected")?.detail });
    }
    // One injected fault is one event, its cause known: one record for all the nodes it
    // took down, whatever each looked like to MAPE-K (a dead host's nodes may first look
    // unreachable) and however their detections spread.
    const groups = detected.length ? [{ members: detected }] : [];
    for (const group of groups) {
      const members = group.members;
      const nodes = members.map((m) => m.node).sort();
      const detectedAt = Math.min(...members.map((m) => m.detectedAt));
      const healedAt = members.every((m) => m.healedAt !== null) ? Math.max(...members.map((m) => m.healedAt!)) : null;
      const mitigated = members.some((m) => m.seen?.resolution === "mitigated");
      // A restart names every node of its host: the same action sits on each node's incident.
      const actions = [...new Set(members.flatMap((m) => m.seen?.actions ?? []))].sort((x, y) => x.at - y.at);
      const details = [...new Set(members.map((m) => m.detail).filter((d): d is string => d !== undefined))];
      const who = nodes.length === 1 ? (nodes[0] as string) : `${nodes.length} nodes`;
      incidents.push({
        kind: "Incident",
        schemaVersion: 1,
        round,
        createdAt,
        incidentId: `${experiment.name}:${fault.faultId}:${injectedAt}`.slice(0, 128),
        fault: { kind: fault.kind, description: `${fault.kind} injected by experiment ${experiment.name} on ${who}${details.length ? ` (${details.join("; ")})` : ""}${sawAs(members)}`.slice(0, 2000), injected: true },
        affectedNodes: nodes,
        startedAt: iso(injectedAt),
        detectedAt: iso(detectedAt),
        healedAt: healedAt === null ? null : iso(healedAt),
        timeToDetectMs: detectedAt - injectedAt,
        timeToRecoverMs: healedAt === null ? null : healedAt - injectedAt,
        actions: actions.map((a) => ({ action: a.action, target: a.target ?? "coordinator", at: iso(Math.max(a.at, detectedAt)), outcome: a.outcome, ...(a.detail ? { detail: a.detail.slice(0, 2000) } : {}) })),
        resolution:
          healedAt !== null
            ? { status: mitigated ? "mitigated" : "healed", summary: `${mitigated ? "mitigated" : "healed"} ${healedAt - injectedAt} ms after injection, detected after ${detectedAt - injectedAt} ms${nodes.length > 1 ? ` (${nodes.length} nodes)` : ""}` }
            : { status: "unresolved", summary: `detected after ${detectedAt - injectedAt} ms; ${members.filter((m) => m.healedAt === null).length} of ${nodes.length} node(s) not healed before the run ended` },
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
