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

  it("one fault's nodes detected outside the window are separate records; one not healed leaves its record unresolved", () => {
    const { incidents } = buildChaosRecords({
      experiment,
      journal: journal([fault("network-partition", { "node-001": [1500, 9000], "node-002": [2500, 9000], "node-003": [4000, null] })]),
      round: 3,
      groupMs: 2000,
    });
    assert.deepEqual(incidents.map((i) => [i.affectedNodes, i.resolution.status, i.incidentId]), [
      [["node-001", "node-002"], "healed", `node-failure:network-partition-1:1:${T}`],
      [["node-003"], "unresolved", `node-failure:network-partition-1:2:${T}`],
    ]);
    for (const i of incidents) parseKnowledgeRecord(i);
  });

  it("MAPE-K's groups split a fault's nodes: a dead host's group (some first seen unreachable) is one record, a node on a live host another", () => {
    const saw = (nodeId: string, condition: MapekIncident["condition"], groupId: string): MapekIncident => ({ incidentId: nodeId, groupId, nodeId, condition, lastHealthyAt: T, detectedAt: T + 1000, healedAt: T + 3000, resolution: "healed", actions: [] });
    const { incidents } = buildChaosRecords({
      experiment,
      journal: journal([fault("node-crash", { "node-001": [1000, 3000], "node-002": [1000, 3000], "node-003": [1000, 3000] })]),
      mapek: mapekSaw([saw("node-001", "unreachable", "g-host"), saw("node-002", "down", "g-host"), saw("node-003", "partitioned", "g-link")]),
      round: 3,
    });
    assert.deepEqual(incidents.map((i) => [i.affectedNodes, /MAPE-K saw it as (\w+)/.exec(i.fault.description)?.[1]]), [[["node-001", "node-002"], "down"], [["node-003"], "partitioned"]]);
  });
});
