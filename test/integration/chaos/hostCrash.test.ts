/**
 * One event, one record, against a real mesh: 20 nodes in two node-host processes of
 * 10. A host crash (a real SIGKILL) takes down its 10 nodes at once; governance gets
 * ONE Incident record naming the 10, whether a chaos experiment killed the host (the
 * run's record) or something else did (the MAPE-K loop's record). An unprovoked crash
 * MAPE-K healed within `mapek.minIncidentMs` is a blip: counted, not recorded.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runExperiment } from "../../../coordinator/chaos/experiment/runExperiment.ts";
import { createChaosTestbed, type ChaosTestbed } from "../../../coordinator/testbed/createChaosTestbed.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import { createStrategy } from "../../../coordinator/fl/strategies/createStrategy.ts";
import { KNOWLEDGE_KINDS } from "../../../coordinator/knowledge/schemas/index.ts";
import { POLICY_PARAMETERS, type PolicyParameterName } from "../../../coordinator/policy/parameters.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";

const EXPERIMENTS = new URL("../../../experiments/", import.meta.url).pathname;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("a host crash is one Incident record (real processes, real SIGKILL)", () => {
  let bed: ChaosTestbed;
  let db: Database;
  let outbox: KnowledgeRepository;
  /** MeshPolicy as the loop reads it; the test moves `mapek.minIncidentMs`. */
  const policy = Object.fromEntries(POLICY_PARAMETERS.map((p) => [p.name, p.value])) as Record<PolicyParameterName, bigint>;
  const incidents = () => outbox.listRecords({ kind: KNOWLEDGE_KINDS.Incident }).map((r) => ({ cid: r.cid, ...JSON.parse(r.content) }));
  const blipsCounted = (condition: string): number =>
    outbox.listRecords({ kind: KNOWLEDGE_KINDS.MapekSnapshot }).reduce((sum, r) => sum + (JSON.parse(r.content).blips?.counts[condition] ?? 0), 0) + (bed.mapek.blips()[condition as "down"] ?? 0);
  const meshState = (): string => JSON.stringify({ conditions: [...(bed.mapek.lastTick?.analysis.conditions ?? [])], open: bed.mapek.openIncidents().map((i) => `${i.nodeId}:${i.condition}`), groups: bed.mapek.incidentGroups() });

  /**
   * The record lists MAPE-K's restart of the host, each restart once (the action sits on
   * all 10 nodes' incidents). Usually one; a second happens when a tick's analysis saw
   * the host dead just before the first restart finished.
   */
  const assertRestartsOnce = (incident: { actions: { action: string; at: string }[] }): void => {
    const restarts = incident.actions.filter((a) => a.action === "restart");
    assert.ok(restarts.length >= 1 && restarts.length <= 2, `restarts: ${JSON.stringify(restarts)}`);
    assert.equal(new Set(restarts.map((a) => a.at)).size, restarts.length, "no restart listed twice");
  };

  /** SIGKILLs the host's process from outside (as the kernel's OOM killer would), then waits until MAPE-K has healed its nodes and settled the event. */
  async function crash(hostIndex: number): Promise<{ nodes: string[]; killedAt: number }> {
    const host = bed.mesh.hosts()[hostIndex]!;
    const nodes = [...host.nodeIds].sort();
    const killedAt = Date.now();
    process.kill(host.pid!, "SIGKILL");
    const deadline = Date.now() + 30_000;
    const settled = () => {
      const mine = bed.mapek.closedIncidents().filter((i) => nodes.includes(i.nodeId) && i.detectedAt >= killedAt);
      return new Set(mine.map((i) => i.nodeId)).size === nodes.length && bed.mapek.openIncidents().length === 0 && bed.mapek.incidentGroups().length === 0;
    };
    while (!settled() && Date.now() < deadline) await sleep(100);
    assert.ok(settled(), `MAPE-K healed ${host.hostId} and settled the event: ${meshState()}`);
    // The record is written at the end of the tick that settled the group.
    const epoch = bed.mapek.lastTick?.epoch ?? 0;
    while ((bed.mapek.lastTick?.epoch ?? 0) <= epoch + 1) await sleep(50);
    return { nodes, killedAt };
  }

  before(async () => {
    db = openDatabase(":memory:");
    outbox = new KnowledgeRepository(db);
    bed = await createChaosTestbed({
      dataset: loadMnist(),
      numNodes: 20,
      nodesPerHost: 10,
      maxExamples: 2000,
      strategy: createStrategy({ name: "fedmedian" }),
      roundConfig: { minFitClients: 3, minAvailableClients: 3, learningRate: 0.3, batchSize: 16, roundTimeoutMs: 2000, fractionFit: 0.3 },
      seed: 5,
      heartbeatMs: 250,
      mapekIntervalMs: 250,
      roundGapMs: 100,
      outbox,
      policy: () => policy,
      // Rules alone: this is about host crashes, which the rules name.
      anomalyModel: null,
    });
    await bed.runRounds(2);
    bed.start();
  });

  after(async () => {
    await bed?.close();
    db?.close();
  });

  it("a chaos run's node-crash: one Incident record in the outbox, naming the host's 10 nodes", async () => {
    const { journal } = await runExperiment(`${EXPERIMENTS}node-failure.yaml`, bed.deps, { timeScale: 0.1 });
    const [fault] = journal.faults;
    assert.ok(fault && fault.kind === "node-crash", `no node-crash injected: ${JSON.stringify(journal.events)} ${meshState()}`);
    assert.equal(fault.affected.length, 10, "the host's 10 nodes went down");
    for (const node of fault.affected) assert.ok(fault.detection[node]!.detectedAt !== null, `${node} detected`);
    assert.equal(journal.status, "completed");
    const recorded = incidents();
    assert.equal(recorded.length, 1, `one Incident record, not ${recorded.length}: ${JSON.stringify(recorded.map((r) => [r.affectedNodes, r.fault.description, r.detectedAt, r.timeToDetectMs]))} ${JSON.stringify(bed.mapek.closedIncidents().map((i) => [i.nodeId, i.condition, i.detectedAt, i.lastHealthyAt]))}`);
    const [incident] = recorded;
    assert.deepEqual(incident.affectedNodes, [...fault.affected].sort());
    assert.equal(incident.fault.kind, "node-crash");
    assert.equal(incident.fault.injected, true);
    assertRestartsOnce(incident);
    assert.deepEqual(journal.records?.incidentCids, [incident.cid]);
    assert.deepEqual(JSON.parse(outbox.getRecordByCid(journal.records!.chaosReportCid)!.content).incidentCids, [incident.cid]);
  });

  it("an unprovoked SIGKILL healed within mapek.minIncidentMs is a blip; one that takes longer is one Incident record naming the 10", async () => {
    const before = incidents().length;
    // The chaos run's host is still the experiment's for a minute after: crash the other one.
    const other = bed.mesh.hosts().findIndex((h) => !incidents()[0].affectedNodes.includes(h.nodeIds[0]));
    assert.ok(other >= 0);

    policy["mapek.minIncidentMs"] = 60_000n;
    const blipsBefore = blipsCounted("down");
    await crash(other);
    assert.equal(incidents().length, before, "a blip is not recorded");
    assert.equal(blipsCounted("down"), blipsBefore + 1, "it is counted once, as one event");

    policy["mapek.minIncidentMs"] = 0n;
    const { nodes } = await crash(other);
    const fresh = incidents().slice(before);
    assert.equal(fresh.length, 1, `one Incident record, not ${fresh.length}: ${JSON.stringify(fresh.map((r) => [r.affectedNodes, r.fault.description, r.detectedAt]))} ${JSON.stringify(bed.mapek.closedIncidents().map((i) => [i.nodeId, i.condition, i.detectedAt, i.lastHealthyAt]))}`);
    assert.deepEqual(fresh[0].affectedNodes, nodes);
    assert.equal(fresh[0].fault.kind, "down");
    assert.equal(fresh[0].fault.injected, false);
    assertRestartsOnce(fresh[0]);
  });
});
