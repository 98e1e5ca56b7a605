/**
 * A chaos run's Incident records: one per event (a fault's nodes that MAPE-K saw with
 * the same condition within `mapek.incidentGroupMs`), not one per node; provoked
 * incidents are recorded however fast they healed.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { buildChaosRecords } from "../../../coordinator/chaos/experiment/buildChaosRecords.ts";
import { parseExperiment } from "../../../coordinator/chaos/experiment/loadExperiment.ts";
import type { ExperimentJournal } from "../../../coordinator/chaos/experiment/runExperiment.ts";
import type { FaultStatus } from "../../../coordinator/chaos/fault.ts";
import { parseKnowledgeRecord } from "../../../coordinator/knowledge/schemas/index.ts";
import type { ExecutedAction, MapekIncident, MapekLoop } from "../../../coordinator/mapek/mapekLoop.ts";

const T = Date.parse("2026-12-01T10:00:00.000Z");
const HOST = Array.from({ length: 10 }, (_, i) => `node-04${i}`);
const experiment = parseExperiment(await readFile(new URL("../../../experiments/node-failure.yaml", import.meta.url), "utf8"));

function journal(faults: FaultStatus[]): ExperimentJournal {
  return {
    experiment: { name: experiment.name, title: experiment.title, file: null, timeScale: 0.1 },
    status: "completed",
    deviated: false,
    startedAt: T - 100,
    endedAt: T + 40_000,
    steadyStates: { before: [], during: [], after: [] },
    faults,
    events: [],
    mttdMs: null,
    mttrMs: null,
    resilienceScore: 100,
    statistics: {},
    abortReason: null,
    records: null,
  };
}

function fault(kind: FaultStatus["kind"], detection: Record<string, [detected: number | null, healed: number | null]>): FaultStatus {
  const affected = Object.keys(detection);
  return {
    faultId: `${kind}-1`, kind, phase: "recovered", targets: [affected[0]!], affected, injectedAt: T, recoveredAt: T + 30_000, durationMs: 30_000,
    detection: Object.fromEntries(Object.entries(detection).map(([node, [detectedAt, healedAt]]) => [node, { detectedAt: detectedAt === null ? null : T + detectedAt, healedAt: healedAt === null ? null : T + healedAt }])),
    records: [{ target: affected[0]!, phase: "injected", detail: "pid 4242 killed" }],
    message: null,
  };
}

/** What MAPE-K saw: a test double of the loop's incident lists. */
function mapekSaw(incidents: MapekIncident[]): MapekLoop {
  return { closedIncidents: () => incidents, openIncidents: () => [] } as unknown as MapekLoop;
}

describe("chaos run records", () => {
  it("a host crash that takes down 10 nodes is one Incident naming the 10, with the host's restart once, though it healed in 1.3 s", () => {
    const restart: ExecutedAction = { action: "restart", target: "host-004", nodes: HOST, reason: "host host-004 is down", at: T + 1400, outcome: "succeeded", detail: "restart started" };
    const seen = HOST.map((nodeId, i): MapekIncident => ({
      incidentId: `inc-${T + 1400}-${i + 1}`, groupId: `inc-${T + 1400}-1`, nodeId, condition: "down", lastHealthyAt: T - 100, detectedAt: T + 1400, healedAt: T + 2700 + i, resolution: "healed",
      actions: [restart, { action: "reroute", target: nodeId, nodes: [nodeId], reason: "down", at: T + 1400, outcome: "succeeded" }],
    }));
    const { incidents } = buildChaosRecords({ experiment, journal: journal([fault("node-crash", Object.fromEntries(HOST.map((n, i) => [n, [1400, 2700 + i]])))]), mapek: mapekSaw(seen), round: 12 });
    assert.equal(incidents.length, 1, `one record, not ${incidents.length}`);
    const [incident] = incidents.map((i) => parseKnowledgeRecord(i));
    assert.ok(incident?.kind === "Incident");
    assert.deepEqual(incident.affectedNodes, HOST);
    assert.equal(incident.fault.injected, true);
    assert.match(incident.fault.description, /node-crash injected by experiment node-failure on 10 nodes \(pid 4242 killed\); MAPE-K saw it as down/);
    assert.equal(incident.timeToDetectMs, 1400);
    assert.equal(incident.timeToRecoverMs, 2709, "healed when the last of them healed");
    assert.deepEqual(incident.actions.map((a) => `${a.action}:${a.target}`).filter((a) => a.startsWith("restart")), ["restart:host-004"]);
    assert.equal(incident.actions.filter((a) => a.action === "reroute").length, 10);
    assert.equal(incident.resolution.status, "healed");
  });

  it("one fault is one record however MAPE-K saw its nodes and however their detections spread; one not healed leaves it unresolved", () => {
    const saw = (nodeId: string, condition: MapekIncident["condition"], detectedAt: number): MapekIncident => ({ incidentId: nodeId, groupId: nodeId, nodeId, condition, lastHealthyAt: T, detectedAt: T + detectedAt, healedAt: null, resolution: null, actions: [] });
    const { incidents } = buildChaosRecords({
      experiment,
      journal: journal([
        fault("node-crash", { "node-001": [300, 9000], "node-002": [1500, 9000], "node-003": [4500, 9500] }),
        fault("network-partition", { "node-007": [1500, 9000], "node-008": [2500, null], "node-009": [null, null] }),
      ]),
      mapek: mapekSaw([saw("node-001", "unreachable", 300), saw("node-002", "down", 1500), saw("node-003", "down", 4500)]),
      round: 3,
    });
    assert.deepEqual(incidents.map((i) => [i.affectedNodes, i.resolution.status, i.incidentId, i.timeToDetectMs, i.timeToRecoverMs]), [
      [["node-001", "node-002", "node-003"], "healed", `node-failure:node-crash-1:${T}`, 300, 9500],
      [["node-007", "node-008"], "unresolved", `node-failure:network-partition-1:${T}`, 1500, null],
    ]);
    assert.match(incidents[0]!.fault.description, /MAPE-K saw it as down on 2 nodes, unreachable on 1 node$/);
    assert.match(incidents[1]!.resolution.summary, /1 of 2 node\(s\) not healed/);
    for (const i of incidents) parseKnowledgeRecord(i);
  });
});
