import assert from "node:assert/strict";
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

const ids = Array.from({ length: 10 }, (_, i) => `node-${i}`);
const addressOf = (id: string): Address => `0x${(ids.indexOf(id) + 1).toString(16).padStart(40, "0")}`;

/** An actuator that records what the loop asked of it. */
function fakeActuator() {
  const excluded = new Set<string>();
  const calls: string[] = [];
  const actuator: MeshActuator = {
    hostOf: () => null,
    hostHealth: async (): Promise<HostHealth> => "alive",
    restartHost: async (host) => void calls.push(`restart:${host}`),
    excludeFromFl: (id) => void (excluded.add(id), calls.push(`exclude:${id}`)),
    readmitToFl: (id) => void (excluded.delete(id), calls.push(`readmit:${id}`)),
    isExcluded: (id) => excluded.has(id),
    pingNode: async () => true,
    resyncClock: async (id) => void calls.push(`resync:${id}`),
    setLoadShedding: (on) => void calls.push(`shed:${on}`),
    measureApiLatency: async () => 5,
    nodeAddress: addressOf,
  };
  return { actuator, calls, excluded };
}

const beat = (nodeId: string, seq: number, extra: Partial<{ sentAt: number; cpuCores: number }> = {}) => ({
  nodeId, hostId: "h", bootId: "b", seq, sentAt: extra.sentAt ?? Date.now(), pid: 1, loopLagMs: 0, cpuCores: extra.cpuCores ?? 0.1,
  telemetry: { roundsTrained: 0, failures: 0, lastTrainMs: null },
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
    const { actuator, calls } = fakeActuator();
    const events = createEventBus();
    const changes: string[] = [];
    events.subscribe((e) => e.type === "mapek.state.changed" && changes.push(`${e.data.from}->${e.data.to}`));
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 100, outbox, events, analyze: { staleAfterMs: 1000 }, directiveCooldownMs: 0 });

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
    now += 2000;
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
    const monitor = new Monitor({ now: () => now });
    for (const id of nodes) monitor.register(id);
    const outbox = new KnowledgeRepository(openDatabase(":memory:"));
    const events = createEventBus();
    const loop = new MapekLoop({ monitor, actuator: fakeActuator().actuator, intervalMs: 100, outbox, events, analyze: { staleAfterMs: 1000 } });
    let seq = 0;
    const beats = async (alive: string[], ticks = 1) => {
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
    // node-2 falls silent on its own, is noticed, and comes back
    now += 1500;
    await beats(["node-0", "node-1", "node-3"]);
    assert.equal(loop.openIncidents().length, 1);
    await beats(nodes, 5);
    assert.equal(loop.openIncidents().length, 0);
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
    now += 1500;
    await beats(["node-0", "node-1", "node-2"]);
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
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 100, analyze: { staleAfterMs: 1000, latencyBudgetMs: 100 } });
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

  it("does not take heartbeats held up by a busy coordinator for skewed clocks, and forgets the old offset after a resync", async () => {
    let now = 7_000_000;
    const monitor = new Monitor({ now: () => now, heartbeatMs: 250 });
    for (const id of ids.slice(0, 3)) monitor.register(id);
    const { actuator, calls } = fakeActuator();
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 100, analyze: { staleAfterMs: 10_000 } });
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
