/**
 * Turns a run's journal into knowledge records: one Incident per event, not per node
 * (the nodes of one fault that MAPE-K saw with the same condition within
 * `mapek.incidentGroupMs` of the first: a host crash that takes down ten nodes is one
 * Incident naming the ten), with its injection, detection and healing times and the
 * actions MAPE-K took, and one ChaosReport that refers to them. A provoked incident is
 * recorded however fast it healed: the experiment asked for it.
 */
import type { ChaosReportRecordV1, IncidentRecordV1 } from "../../knowledge/schemas/index.ts";
import { submitKnowledgeRecord } from "../../knowledge/submitKnowledgeRecord.ts";
import { groupIncidents } from "../../mapek/incidentGrouper.ts";
import type { MapekIncident, MapekLoop } from "../../mapek/mapekLoop.ts";
import { POLICY_PARAMETERS } from "../../policy/parameters.ts";
import type { KnowledgeRepository } from "../../store/knowledgeRepository.ts";
import type { Experiment } from "./experimentSchema.ts";
import type { ExperimentJournal } from "./runExperiment.ts";

const iso = (ms: number): string => new Date(ms).toISOString();

/** MeshPolicy's default `mapek.incidentGroupMs`. */
const DEFAULT_GROUP_MS = Number(POLICY_PARAMETERS.find((p) => p.name === "mapek.incidentGroupMs")!.value);

/** The records of one run, before submission (the report's `incidentCids` are filled in then). */
export type ChaosRecords = { incidents: IncidentRecordV1[]; report: Omit<ChaosReportRecordV1, "incidentCids"> };

/** One affected node as the fault's status and MAPE-K saw it. */
type Detected = { node: string; detectedAt: number; healedAt: number | null; seen: MapekIncident | undefined; detail: string | undefined };

/**
 * Builds the records.
 *
 * @param parameters.experiment - the experiment.
 * @param parameters.journal - its journal.
 * @param parameters.mapek - for the condition MAPE-K saw and the actions it took on each node.
 * @param parameters.round - the FL round the records belong to.
 * @param parameters.groupMs - the grouping window (MeshPolicy `mapek.incidentGroupMs`); default MeshPolicy's default.
 */
export function buildChaosRecords({ experiment, journal, mapek, round, groupMs = DEFAULT_GROUP_MS }: { experiment: Experiment; journal: ExperimentJournal; mapek?: MapekLoop | undefined; round: number; groupMs?: number }): ChaosRecords {
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
    // The fault is the known cause. Where MAPE-K saw the nodes, its groups (by condition
    // and host, a dead host's early symptoms included) split the fault's nodes; the
    // others are grouped by the window alone.
    const byMapek = new Map<string, Detected[]>();
    for (const x of detected) if (x.seen) byMapek.set(x.seen.groupId, [...(byMapek.get(x.seen.groupId) ?? []), x]);
    const groups = [
      // A dead host's group may hold nodes first seen as unreachable: name it by the host's condition.
      ...[...byMapek.values()].map((members) => ({ cause: members.map((m) => m.seen!.condition as string).find((c) => c === "down" || c === "frozen") ?? members[0]!.seen!.condition, members })),
      ...groupIncidents(detected.filter((x) => !x.seen), { windowMs: groupMs, causeOf: () => "", keyOf: (c) => c, detectedAt: (x) => x.detectedAt }),
    ].sort((a, b) => Math.min(...a.members.map((m) => m.detectedAt)) - Math.min(...b.members.map((m) => m.detectedAt)));
    for (const [index, group] of groups.entries()) {
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
        incidentId: `${experiment.name}:${fault.faultId}:${groups.length > 1 ? `${index + 1}:` : ""}${injectedAt}`.slice(0, 128),
        fault: { kind: fault.kind, description: `${fault.kind} injected by experiment ${experiment.name} on ${who}${details.length ? ` (${details.join("; ")})` : ""}${group.cause ? `; MAPE-K saw it as ${group.cause}` : ""}`.slice(0, 2000), injected: true },
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
