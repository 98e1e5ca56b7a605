import assert from "node:assert/strict";
import type { MeshHeartbeat } from "../../../coordinator/mesh/nodeMesh.ts";
import { after, describe, it } from "node:test";
import type { Address } from "viem";
import type { SignedUpdate } from "../../../coordinator/fl/client.ts";
import type { RoundRecord } from "../../../coordinator/fl/roundRunner.ts";
import { KNOWLEDGE_KINDS } from "../../../coordinator/knowledge/schemas/index.ts";
import type { HostHealth, MeshActuator } from "../../../coordinator/mapek/actuator.ts";
import { MapekLoop } from "../../../coordinator/mapek/mapekLoop.ts";
import { updateAnomalyScores } from "../../../coordinator/fl/updateAnomaly.ts";
import { Monitor } from "../../../coordinator/mapek/monitor.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase } from "../../../coordinator/store/openDatabase.ts";
import { createEventBus } from "../../../coordinator/events.ts";
import { POLICY_PARAMETERS, type PolicyParameterName } from "../../../coordinator/policy/parameters.ts";

const ids = Array.from({ length: 10 }, (_, i) => `node-${i}`);
/** MeshPolicy's defaults with some values changed, as the loop's `policy` option takes them. */
const policyWith = (values: Partial<Record<PolicyParameterName, bigint>>) => () => ({ ...Object.fromEntries(POLICY_PARAMETERS.map((p) => [p.name, p.value])), ...values }) as Record<PolicyParameterName, bigint>;
const addressOf = (id: string): Address => `0x${(ids.indexOf(id) + 1).toString(16).padStart(40, "0")}`;

/** An actuator that records what the loop asked of it. */
function fakeActuator() {
  const excluded = new Set<string>();
  /** Nodes the test keeps silent: their links do not answer a probe either. */
  const silent = new Set<string>();
  const calls: string[] = [];
  const actuator: MeshActuator = {
    hostOf: () => null,
    hostHealth: async (): Promise<HostHealth> => "alive",
    hostExited: () => false,
    restartHost: async (host) => void calls.push(`restart:${host}`),
    excludeFromFl: (id) => void (excluded.add(id), calls.push(`exclude:${id}`)),
    readmitToFl: (id) => void (excluded.delete(id), calls.push(`readmit:${id}`)),
    isExcluded: (id) => excluded.has(id),
    pingNode: async (id) => !silent.has(id),
    resyncClock: async (id) => void calls.push(`resync:${id}`),
    setLoadShedding: (on) => void calls.push(`shed:${on}`),
    measureApiLatency: async () => 5,
    nodeAddress: addressOf,
  };
  return { actuator, calls, excluded, silent };
}

const beat = (nodeId: string, seq: number, extra: Partial<{ sentAt: number; cpuCores: number; trainCpuCores: number }> = {}): MeshHeartbeat => ({
  nodeId, hostId: "h", bootId: "b", beat: seq, sentAt: extra.sentAt ?? Date.now(), receivedAt: Date.now(), pid: 1, loopLagMs: 0, cpuCores: extra.cpuCores ?? 0.1, trainCpuCores: extra.trainCpuCores ?? 0,
  roundsTrained: 0, failures: 0, lastTrainMs: null,
});

function record(round: number, status: "completed" | "failed", accepted: string[]): RoundRecord {
  return {
    round, status, reason: status === "failed" ? "completion-floor" : null, modelVersion: round, startedAt: new Date().toISOString(), durationMs: 10,
    sampled: accepted, accepted, rejected: [], rejectionCounts: {}, failures: [], flagged: [], trainMetrics: null,
    evaluation: status === "completed" ? { loss: 0.3, accuracy: 0.9, numExamples: 100 } : null, privacy: null, strategyInfo: {},
    timingsMs: { fit: 0, validate: 0, aggregate: 0, evaluate: 0 },
  };
}

function update(nodeId: string, round: number, delta: number): { update: SignedUpdate; global: Float32Array } {
  const global = new Float32Array(8);
  const params = new Float32Array(8).map((_, i) => delta * (i % 2 ? 1 : -1) + (nodeId.length % 3) * 0.001);
  return { update: { nodeId, round, modelVersion: round, params, numExamples: 10, metrics: { loss: 0, accuracy: 0, trainMs: 0 }, updateHash: "0x00", signature: "0x00" }, global };
}

describe("MAPE-K loop", () => {
  const db = openDatabase(":memory:");
  after(() => db.close());

  it("scores updates by their distance from the median update", () => {
    const updates = [update("a", 1, 0.1), update("bb", 1, 0.11), update("ccc", 1, 0.1), update("dddd", 1, 5)];
    const scores = updateAnomalyScores(updates.map((u) => u.update), updates[0]!.global);
    assert.ok(scores.get("dddd")! > 10);
    for (const id of ["a", "bb", "ccc"]) assert.ok(scores.get(id)! < 3);
  });

  it("enters EUPHORIC then MYSTICAL, submitting a Directive with real MeshPolicy actions each time (state names compared as strings)", async () => {
    let now = 1_000_000;
    const monitor = new Monitor({ now: () => now });
    for (const id of ids) monitor.register(id);
    for (const id of ids) monitor.ingestHeartbeat(beat(id, 1, { sentAt: now }));
    const outbox = new KnowledgeRepository(db);
    const { actuator, calls, silent } = fakeActuator();
    const events = createEventBus();
    const changes: string[] = [];
    events.subscribe((e) => e.type === "mapek.state.changed" && changes.push(`${e.data.from}->${e.data.to}`));
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 100, outbox, events, directiveCooldownMs: 0 });

    const first = await loop.tick();
    assert.equal(first.state, "EUPHORIC");
    const euphoric = outbox.listRecords({ kind: KNOWLEDGE_KINDS.Directive });
    assert.equal(euphoric.length, 1, "entering EUPHORIC proposes a directive");
    const directive = JSON.parse(euphoric[0]!.content);
    assert.deepEqual(directive.trigger, { state: "EUPHORIC" });
    assert.deepEqual(directive.actions, [{ type: "set-parameter", parameter: "fl.targetParticipants", value: "10", previous: "10" }]);
    assert.equal(outbox.listRecords({ kind: KNOWLEDGE_KINDS.MapekSnapshot }).length, 1, "a snapshot on the state change");

    // Staying EUPHORIC proposes nothing new.
    now += 100;
    for (const id of ids) monitor.ingestHeartbeat(beat(id, 2, { sentAt: now }));
    assert.equal((await loop.tick()).state, "EUPHORIC");
    assert.equal(outbox.listRecords({ kind: KNOWLEDGE_KINDS.Directive }).length, 1);

    // Now: 7 nodes go silent, most rounds fail, node-0 sends wild updates twice.
    for (let r = 1; r <= 5; r++) {
      const ok = r === 1 || r >= 4;
      monitor.observeRound(record(r, ok ? "completed" : "failed", ok ? ["node-0", "node-1", "node-2"] : []), ok ? [update("node-0", r, 9), update("node-1", r, 0.1), update("node-2", r, 0.1)] : []);
    }
    for (let r = 6; r <= 8; r++) monitor.observeRound(record(r, "failed", []));
    for (const id of ids.slice(3)) silent.add(id);
    now += 5000;
    for (const id of ids.slice(0, 3)) monitor.ingestHeartbeat(beat(id, 3, { sentAt: now }));
    const tick = await loop.tick();
    assert.equal(tick.analysis.conditions.get("node-0"), "byzantine");
    for (const id of ids.slice(3)) assert.equal(tick.analysis.conditions.get(id), "partitioned");
    assert.equal(tick.state, "MYSTICAL", `φ ${tick.phi}`);
    const directives = outbox.listRecords({ kind: KNOWLEDGE_KINDS.Directive });
    assert.equal(directives.length, 2, "entering MYSTICAL proposes a directive");
    const mystical = JSON.parse(directives[1]!.content);
    assert.deepEqual(mystical.trigger, { state: "MYSTICAL" });
    assert.deepEqual(mystical.actions, [
      { type: "set-parameter", parameter: "fl.targetParticipants", value: "3", previous: "10" },
      { type: "ban-node", nodeId: addressOf("node-0"), durationSeconds: null },
    ]);
    // Execute: the attacker is excluded, the silent nodes are routed around.
    assert.ok(calls.includes("exclude:node-0"));
    for (const id of ids.slice(3)) assert.ok(calls.includes(`exclude:${id}`));
    assert.deepEqual(changes, ["NONE->EUPHORIC", "EUPHORIC->MYSTICAL"]);
    assert.ok(loop.openIncidents().length >= 7);

    // Heartbeats resume: after the readmission hysteresis the routed-around nodes come back; the attacker stays out.
    silent.clear();
    for (let i = 0; i < 4; i++) {
      now += 100;
      for (const id of ids) monitor.ingestHeartbeat(beat(id, 10 + i, { sentAt: now }));
      await loop.tick();
    }
    for (const id of ids.slice(3)) assert.ok(calls.includes(`readmit:${id}`), `${id} readmitted`);
    assert.ok(!calls.includes("readmit:node-0"));
    const closed = loop.closedIncidents();
    assert.equal(closed.find((i) => i.nodeId === "node-0")?.resolution, "mitigated");
    assert.equal(closed.filter((i) => i.resolution === "healed").length, 7);
  });

  it("records an incident it healed on its own as an Incident record, and leaves injected ones to their experiment", async () => {
    let now = 5_000_000;
    const nodes = ["node-0", "node-1", "node-2", "node-3"];
    const monitor = new Monitor({ now: () => now, heartbeatMs: 100 });
    for (const id of nodes) monitor.register(id);
    const outbox = new KnowledgeRepository(openDatabase(":memory:"));
    const events = createEventBus();
    // minIncidentMs 0: this outage lasts well under MeshPolicy's 5 s, which would make it a blip (tested below).
    const { actuator, silent } = fakeActuator();
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 100, outbox, events, policy: policyWith({ "mapek.minIncidentMs": 0n }) });
    let seq = 0;
    const beats = async (alive: string[], ticks = 1) => {
      silent.clear();
      for (const id of nodes) if (!alive.includes(id)) silent.add(id);
      for (let i = 0; i < ticks; i++) {
        now += 100;
        seq++;
        for (const id of alive) monitor.ingestHeartbeat(beat(id, seq, { sentAt: now }));
        await loop.tick();
      }
    };
    const incidents = () => outbox.listRecords({ kind: KNOWLEDGE_KINDS.Incident }).map((r) => JSON.parse(r.content));

    await beats(nodes);
    const lastBeat = now;
    // node-2 falls silent on its own for 1.5 s, is noticed, and comes back
    await beats(["node-0", "node-1", "node-3"], 15);
    assert.equal(loop.openIncidents().length, 1);
    await beats(nodes, 5);
    assert.equal(loop.openIncidents().length, 0);
    // The record waits for the group's window (mapek.incidentGroupMs, 2 s) to pass: others of its cause may still join.
    assert.deepEqual(incidents(), []);
    await beats(nodes, 20);
    const [recorded, ...more] = incidents();
    assert.deepEqual(more, []);
    assert.equal(recorded.fault.injected, false);
    assert.deepEqual(recorded.affectedNodes, ["node-2"]);
    assert.equal(recorded.startedAt, new Date(lastBeat).toISOString(), "from its last heartbeat");
    assert.equal(recorded.timeToDetectMs, Date.parse(recorded.detectedAt) - lastBeat);
    assert.ok(recorded.timeToRecoverMs > recorded.timeToDetectMs);
    assert.equal(recorded.resolution.status, "healed");
    assert.ok(loop.submitted.some((s) => s.kind === "Incident" && s.cid === outbox.listRecords({ kind: KNOWLEDGE_KINDS.Incident })[0]!.cid));

    // node-3 is silenced by a chaos experiment: its report carries the incident, the loop does not
    events.publish("chaos.fault.injected", { faultId: "f-1", kind: "node-crash", targets: ["node-3"], affected: ["node-3"], durationMs: 1000 });
    await beats(["node-0", "node-1", "node-2"], 15);
    assert.equal(loop.openIncidents().length, 1);
    events.publish("chaos.fault.recovered", { faultId: "f-1", kind: "node-crash", affected: ["node-3"], activeMs: 1500 });
    await beats(nodes, 5);
    assert.equal(loop.openIncidents().length, 0);
    assert.equal(incidents().length, 1, "no second Incident record");
    await loop.stop();
  });

  it("resyncs a skewed clock and sheds load when the API is slow", async () => {
    let now = 5_000_000;
    const monitor = new Monitor({ now: () => now });
    for (const id of ids.slice(0, 3)) monitor.register(id);
    const { actuator, calls } = fakeActuator();
    let latency = 5;
    actuator.measureApiLatency = async () => latency;
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 100, analyze: { latencyBudgetMs: 100 } });
    for (let seq = 1; seq <= 4; seq++) {
      monitor.ingestHeartbeat(beat("node-0", seq, { sentAt: now + 10_000 }));
      monitor.ingestHeartbeat(beat("node-1", seq, { sentAt: now }));
      monitor.ingestHeartbeat(beat("node-2", seq, { sentAt: now }));
    }
    const tick = await loop.tick();
    assert.equal(tick.analysis.conditions.get("node-0"), "skewed");
    assert.ok(calls.includes("resync:node-0"));
    latency = 400;
    await loop.tick();
    await loop.tick();
    assert.ok(calls.includes("shed:true"), "two slow ticks turn shedding on");
    latency = 5;
    for (let i = 0; i < 3; i++) await loop.tick();
    assert.ok(calls.includes("shed:false"), "three calm ticks turn it off");
  });

  it("takes a host busy training its nodes, or just started, for healthy; CPU load beyond training is overloaded", async () => {
    const monitor = new Monitor();
    for (const id of ids.slice(0, 3)) monitor.register(id);
    const { actuator } = fakeActuator();
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 100 });
    // A boot's first period is its start-up: a full core, and nothing wrong.
    for (const id of ids.slice(0, 3)) monitor.ingestHeartbeat(beat(id, 1, { cpuCores: 0.95 }));
    assert.deepEqual([...(await loop.tick()).analysis.conditions], [], "start-up is not overload");
    for (let seq = 2; seq <= 12; seq++) {
      // node-0's host trains a round after another; node-1's runs something else at 95 %.
      monitor.ingestHeartbeat(beat("node-0", seq, { cpuCores: 1.0, trainCpuCores: 0.97 }));
      monitor.ingestHeartbeat(beat("node-1", seq, { cpuCores: 1.0, trainCpuCores: 0.05 }));
      monitor.ingestHeartbeat(beat("node-2", seq, { cpuCores: 0.05 }));
    }
    const tick = await loop.tick();
    assert.equal(tick.analysis.conditions.get("node-0"), undefined, "training is the work asked for, not load");
    assert.equal(tick.analysis.conditions.get("node-1"), "overloaded");
    assert.equal(tick.analysis.conditions.get("node-2"), undefined);
    await loop.stop();
  });

  it("does not take heartbeats held up by a busy coordinator for skewed clocks, and forgets the old offset after a resync", async () => {
    let now = 7_000_000;
    const monitor = new Monitor({ now: () => now, heartbeatMs: 250 });
    for (const id of ids.slice(0, 3)) monitor.register(id);
    const { actuator, calls } = fakeActuator();
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 100 });
    for (let seq = 0; seq < 4; seq++) {
      now += 250;
      for (const id of ids.slice(0, 3)) monitor.ingestHeartbeat(beat(id, seq, { sentAt: now - 3 }));
    }
    // The event loop stalls for 3 s; the tick runs right after the first beat sent meanwhile is read.
    const stalled = now;
    now += 3000;
    for (const id of ids.slice(0, 2)) monitor.ingestHeartbeat(beat(id, 4, { sentAt: stalled + 250 }));
    // node-2's clock really is 5 s ahead.
    monitor.ingestHeartbeat(beat("node-2", 4, { sentAt: now + 5000 }));
    const tick = await loop.tick();
    assert.equal(tick.analysis.conditions.get("node-0"), undefined, `late heartbeats are not a skewed clock: ${monitor.node("node-0")!.clockSkewMs} ms`);
    assert.equal(tick.analysis.conditions.get("node-2"), "skewed");
    assert.deepEqual(calls, ["resync:node-2"]);
    assert.equal(monitor.node("node-2")!.clockSkewMs, 0, "the resync forgets the old offset");
    now += 250;
    monitor.ingestHeartbeat(beat("node-2", 5, { sentAt: now - 2 }));
    assert.equal((await loop.tick()).analysis.conditions.get("node-2"), undefined);
  });
});

/**
 * Less noise for governance (issue 12): one Incident record per event (grouped by
 * cause within `mapek.incidentGroupMs`), blips counted in the snapshot instead of
 * recorded, and one snapshot per knowledge epoch plus one per state change.
 */
describe("MAPE-K knowledge: one record per event", () => {
  const NODES = Array.from({ length: 20 }, (_, i) => `node-${String(i).padStart(2, "0")}`);
  const HOST_A = NODES.slice(0, 10);

  /** 20 nodes on two hosts (node-00…09 on host-a), 250 ms heartbeats and ticks: a silent node is suspected after about 0.8 s. */
  function mesh(policy: Partial<Record<PolicyParameterName, bigint>> = {}) {
    let now = 10_000_000;
    const monitor = new Monitor({ now: () => now, heartbeatMs: 250 });
    for (const id of NODES) monitor.register(id);
    const outbox = new KnowledgeRepository(openDatabase(":memory:"));
    const events = createEventBus();
    const incidentEvents: { incidentId: string; phase: string; fault: string; nodes: string[] }[] = [];
    events.subscribe((e) => e.type === "mesh.incident" && incidentEvents.push(e.data), { types: ["mesh.incident"] });
    const { actuator, calls, silent: silentNow } = fakeActuator();
    const dead = new Set<string>();
    const revive: (() => void)[] = [];
    actuator.hostOf = (id) => (HOST_A.includes(id) ? "host-a" : "host-b");
    actuator.hostHealth = async (host) => (dead.has(host) ? "dead" : "alive");
    // A restart is in flight until the test brings the host back.
    actuator.restartHost = (host) => new Promise<void>((resolve) => revive.push(() => { calls.push(`restart:${host}`); dead.delete(host); resolve(); }));
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 250, outbox, events, policy: policyWith(policy) });
    let seq = 0;
    /** Advances the clock by `ms` (heartbeats from every node not `silent`) and ticks once. */
    const step = async (silent: readonly string[] = [], ms = 250) => {
      now += ms;
      seq++;
      silentNow.clear();
      for (const id of silent) silentNow.add(id);
      for (const id of NODES) if (!silent.includes(id)) monitor.ingestHeartbeat(beat(id, seq, { sentAt: now }));
      return loop.tick();
    };
    const steps = async (n: number, silent: readonly string[] = []) => {
      for (let i = 0; i < n; i++) await step(silent);
    };
    const records = (kind: "Incident" | "MapekSnapshot") => outbox.listRecords({ kind: KNOWLEDGE_KINDS[kind] }).map((r) => JSON.parse(r.content));
    return { loop, monitor, outbox, events, incidentEvents, calls, dead, revive, step, steps, records, now: () => now };
  }

  it("a host crash that takes down its 10 nodes is ONE Incident record naming the 10 (unprovoked and longer than mapek.minIncidentMs)", async () => {
    const m = mesh();
    await m.steps(4);
    m.dead.add("host-a");
    await m.steps(28, HOST_A); // 7 s down
    assert.deepEqual(m.records("Incident"), [], "nothing recorded while it is open");
    for (const r of m.revive) r();
    await m.steps(16);
    assert.equal(m.loop.openIncidents().length, 0);
    const incidents = m.records("Incident");
    assert.equal(incidents.length, 1, `one record, not ${incidents.length}`);
    const [incident] = incidents;
    assert.deepEqual(incident.affectedNodes, HOST_A);
    assert.equal(incident.fault.kind, "down");
    assert.equal(incident.fault.injected, false);
    assert.match(incident.fault.description, /10 nodes on host host-a were down/);
    assert.equal(incident.actions.filter((a: { action: string }) => a.action === "restart").length, 1, "the host's one restart, once");
    assert.equal(incident.actions.filter((a: { action: string }) => a.action === "reroute").length, 10);
    assert.ok(incident.timeToRecoverMs > 5000);
    // The event stream says the same: one incident id, one detection naming the 10 nodes.
    const detected = m.incidentEvents.filter((e) => e.phase === "detected");
    assert.deepEqual(detected, [{ incidentId: incident.incidentId, phase: "detected", fault: "down", nodes: HOST_A }]);
    assert.ok(m.incidentEvents.filter((e) => e.phase === "healed").every((e) => e.incidentId === incident.incidentId));
    assert.deepEqual(new Set(m.loop.closedIncidents().map((i) => i.groupId)), new Set([incident.incidentId]), "per-node tracking stays, under one group");
  });

  it("a dead host whose nodes first fail their fits (unreachable) and then go silent (down) is still one record", async () => {
    const m = mesh();
    await m.steps(4);
    m.dead.add("host-a");
    // Two FL rounds fail on node-01 and node-02 (connection refused) before any heartbeat is stale.
    for (const round of [1, 2]) m.monitor.observeRound({ ...record(round, "completed", ["node-10", "node-11", "node-12"]), failures: [{ nodeId: "node-01", reason: "error", detail: "ECONNREFUSED" }, { nodeId: "node-02", reason: "error", detail: "ECONNREFUSED" }] });
    const first = await m.step(HOST_A);
    assert.deepEqual([...first.analysis.conditions], [["node-01", "unreachable"], ["node-02", "unreachable"]]);
    await m.steps(28, HOST_A);
    for (const r of m.revive) r();
    await m.steps(16);
    const incidents = m.records("Incident");
    assert.equal(incidents.length, 1, JSON.stringify(incidents.map((i) => [i.fault.kind, i.affectedNodes])));
    assert.deepEqual(incidents[0].affectedNodes, HOST_A);
    assert.equal(incidents[0].fault.kind, "down");
    assert.deepEqual(new Set(m.loop.closedIncidents().map((i) => i.condition)), new Set(["unreachable", "down"]), "per node, each keeps what it showed");
  });

  it("two causes at once are two records: a dead host's nodes and a partitioned node on a live host", async () => {
    const m = mesh();
    await m.steps(4);
    m.dead.add("host-a");
    await m.steps(28, [...HOST_A, "node-15"]);
    for (const r of m.revive) r();
    await m.steps(16);
    const incidents = m.records("Incident").map((i) => ({ kind: i.fault.kind, nodes: i.affectedNodes }));
    assert.deepEqual(incidents.sort((a, b) => a.kind.localeCompare(b.kind)), [
      { kind: "down", nodes: HOST_A },
      { kind: "partitioned", nodes: ["node-15"] },
    ]);
  });

  it("incidents of one cause detected outside the window (mapek.incidentGroupMs, 2 s) are separate records", async () => {
    const m = mesh();
    await m.steps(4);
    await m.steps(4, ["node-11"]); // node-11 silent from here
    await m.steps(8, ["node-11", "node-12"]); // node-12 one second later: same group
    await m.steps(28, ["node-11", "node-12", "node-13"]); // node-13 three seconds later: a new group
    await m.steps(16);
    const incidents = m.records("Incident");
    assert.deepEqual(incidents.map((i) => i.affectedNodes).sort(), [["node-11", "node-12"], ["node-13"]]);
    assert.ok(incidents.every((i) => i.fault.kind === "partitioned"));
    // A window of 0 splits even those detected a second apart.
    const strict = mesh({ "mapek.incidentGroupMs": 0n });
    await strict.steps(4);
    await strict.steps(4, ["node-11"]);
    await strict.steps(24, ["node-11", "node-12"]);
    await strict.steps(16);
    assert.deepEqual(strict.records("Incident").map((i) => i.affectedNodes).sort(), [["node-11"], ["node-12"]]);
  });

  it("an unprovoked incident healed within mapek.minIncidentMs is a blip: counted in the next snapshot, not recorded", async () => {
    const m = mesh({ "knowledge.epochSeconds": 10n });
    await m.steps(4);
    await m.steps(6, ["node-05"]); // silent 1.5 s: detected, then back
    await m.steps(16);
    assert.equal(m.loop.closedIncidents().length, 1);
    assert.deepEqual(m.records("Incident"), [], "a blip is not an Incident record");
    assert.deepEqual(m.loop.blips(), { partitioned: 1 });
    const before = m.records("MapekSnapshot").length;
    await m.steps(40); // past the epoch: its snapshot carries the blip
    const snapshots = m.records("MapekSnapshot");
    assert.equal(snapshots.length, before + 1);
    const last = snapshots.at(-1);
    assert.equal(last.schemaVersion, 2);
    assert.deepEqual(last.blips.counts, { partitioned: 1 });
    assert.equal(last.blips.since, snapshots.at(-2).createdAt, "counted since the previous snapshot");
    assert.deepEqual(m.loop.blips(), {}, "and counted once");
  });

  it("blips survive a snapshot that could not be stored, and go into the next one", async () => {
    const m = mesh({ "knowledge.epochSeconds": 10n });
    await m.steps(4);
    await m.steps(6, ["node-05"]);
    await m.steps(16);
    assert.deepEqual(m.loop.blips(), { partitioned: 1 });
    const stored = m.records("MapekSnapshot");
    const insert = m.outbox.insertRecord.bind(m.outbox);
    let failures = 0;
    m.outbox.insertRecord = (r) => {
      if (r.kind === KNOWLEDGE_KINDS.MapekSnapshot && failures === 0) throw new Error(`disk full (${++failures})`);
      return insert(r);
    };
    for (let i = 0; i < 60 && failures === 0; i++) await m.step().catch(() => undefined); // the next epoch's snapshot fails
    assert.equal(failures, 1);
    assert.deepEqual(m.loop.blips(), { partitioned: 1 }, "not lost with the snapshot");
    await m.steps(44); // the epoch after: stored
    const snapshots = m.records("MapekSnapshot");
    assert.equal(snapshots.length, stored.length + 1);
    assert.deepEqual(snapshots.at(-1).blips.counts, { partitioned: 1 });
    assert.equal(snapshots.at(-1).blips.since, stored.at(-1).createdAt, "counted since the last snapshot stored");
    assert.deepEqual(m.loop.blips(), {});
  });

  it("an incident a chaos experiment provoked is no blip however fast it heals (the experiment records it)", async () => {
    const m = mesh({ "knowledge.epochSeconds": 10n });
    await m.steps(4);
    m.events.publish("chaos.fault.injected", { faultId: "f-1", kind: "network-partition", targets: ["node-06"], affected: ["node-06"], durationMs: 1500 });
    await m.steps(6, ["node-06"]);
    m.events.publish("chaos.fault.recovered", { faultId: "f-1", kind: "network-partition", affected: ["node-06"], activeMs: 1500 });
    await m.steps(56);
    assert.equal(m.loop.closedIncidents().length, 1);
    assert.deepEqual(m.loop.blips(), {});
    assert.deepEqual(m.records("Incident"), [], "the loop leaves it to the experiment's records");
    assert.ok(m.records("MapekSnapshot").every((s) => Object.keys(s.blips.counts).length === 0));
  });

  it("an incident the mesh suffered on its own stays its own when a chaos experiment targets the node later (provoked is decided at detection)", async () => {
    const m = mesh();
    await m.steps(4);
    // node-15 falls silent on its own; 4 s later an experiment targets it (still active when it heals).
    await m.steps(16, ["node-15"]);
    assert.equal(m.loop.openIncidents()[0]?.nodeId, "node-15");
    m.events.publish("chaos.fault.injected", { faultId: "f-1", kind: "network-partition", targets: ["node-15"], affected: ["node-15"], durationMs: 60_000 });
    await m.steps(12, ["node-15"]);
    await m.steps(16);
    assert.deepEqual(m.records("Incident").map((i) => [i.fault.kind, i.fault.injected, i.affectedNodes]), [["partitioned", false, ["node-15"]]]);
    // In a host group, the node targeted after detection stays in the record.
    const h = mesh();
    await h.steps(4);
    h.dead.add("host-a");
    await h.steps(8, HOST_A);
    h.events.publish("chaos.fault.injected", { faultId: "f-2", kind: "node-failure", targets: ["node-03"], affected: ["node-03"], durationMs: 60_000 });
    await h.steps(20, HOST_A);
    for (const r of h.revive) r();
    await h.steps(16);
    assert.deepEqual(h.records("Incident").map((i) => i.affectedNodes), [HOST_A]);
  });

  it("a host crash where one node never comes back is still recorded once the group has been open 10 min: unresolved, naming the node, and only once", async () => {
    const m = mesh();
    await m.steps(4);
    m.dead.add("host-a");
    await m.steps(28, HOST_A);
    for (const r of m.revive) r();
    await m.steps(16, ["node-07"]); // 9 nodes back, node-07 stays silent
    assert.deepEqual(m.loop.openIncidents().map((i) => i.nodeId), ["node-07"]);
    assert.deepEqual(m.records("Incident"), [], "not yet: the group may still heal");
    await m.step(["node-07"], 600_000);
    const incidents = m.records("Incident");
    assert.equal(incidents.length, 1, "recorded after 10 min open");
    const [incident] = incidents;
    assert.deepEqual(incident.affectedNodes, HOST_A, "all ten, the unhealed one included");
    assert.equal(incident.resolution.status, "unresolved");
    assert.equal(incident.healedAt, null);
    assert.equal(incident.timeToRecoverMs, null);
    assert.match(incident.resolution.summary, /node-07/);
    assert.match(incident.fault.description, /node-07/);
    // node-07 comes back later: its incident closes, and the group is not recorded again.
    await m.steps(16);
    assert.equal(m.loop.openIncidents().length, 0);
    assert.equal(m.records("Incident").length, 1, "no second record for the same group");
  });

  it("snapshots: one per knowledge epoch plus one per state change, no more", async () => {
    let now = 20_000_000;
    const monitor = new Monitor({ now: () => now });
    for (const id of ids) monitor.register(id);
    const outbox = new KnowledgeRepository(openDatabase(":memory:"));
    const events = createEventBus();
    const changes: string[] = [];
    events.subscribe((e) => e.type === "mapek.state.changed" && changes.push(`${e.data.from}->${e.data.to}`), { types: ["mapek.state.changed"] });
    // The local profile's epoch: 300 s.
    const { actuator, silent: silentNow } = fakeActuator();
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 1000, outbox, events, policy: policyWith({ "knowledge.epochSeconds": 300n }) });
    let seq = 0;
    const run = async (seconds: number, silent: readonly string[] = []) => {
      silentNow.clear();
      for (const id of silent) silentNow.add(id);
      for (let i = 0; i < seconds; i++) {
        now += 1000;
        seq++;
        for (const id of ids) if (!silent.includes(id)) monitor.ingestHeartbeat(beat(id, seq, { sentAt: now }));
        await loop.tick();
      }
    };
    const snapshots = () => outbox.listRecords({ kind: KNOWLEDGE_KINDS.MapekSnapshot }).map((r) => JSON.parse(r.content));
    await run(200);
    assert.deepEqual(changes, ["NONE->EUPHORIC"]);
    assert.equal(snapshots().length, 1, "a steady mesh: one snapshot in 200 s (it was one a minute)");
    // 7 of 10 nodes fall silent, then come back: the state moves and moves back.
    await run(8, ids.slice(3));
    await run(10);
    const moves = changes.length - 1;
    assert.ok(moves >= 2, `the state moved: ${changes.join(", ")}`);
    assert.equal(snapshots().length, 1 + moves, "one per state change");
    await run(100); // past 300 s since the first: the next epoch's snapshot
    assert.equal(snapshots().length, 2 + moves);
    const states = snapshots().map((s) => s.state);
    assert.equal(states.at(-1), "EUPHORIC");
    for (const [i, s] of snapshots().entries()) assert.equal(s.blips.since, i === 0 ? null : snapshots()[i - 1].createdAt);
  });
});
