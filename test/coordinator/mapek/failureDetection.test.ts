/**
 * The failure detector's parts on a fake clock: φ accrual per node, the observer's own
 * health (Lifeguard), and the confirmation a suspect gets before it is condemned.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MeshHeartbeat } from "../../../coordinator/mesh/nodeMesh.ts";
import type { HostHealth, MeshActuator } from "../../../coordinator/mapek/actuator.ts";
import { MapekLoop } from "../../../coordinator/mapek/mapekLoop.ts";
import { Monitor } from "../../../coordinator/mapek/monitor.ts";
import { ObserverHealth } from "../../../coordinator/mapek/observerHealth.ts";
import { PhiAccrualDetector, phiAccrualOptionsFor, phiOf } from "../../../coordinator/mapek/phiAccrual.ts";

describe("φ accrual", () => {
  it("is 0.3 at the mean (half the beats come later) and grows without bound past it", () => {
    assert.ok(Math.abs(phiOf(500, 500, 50) - Math.log10(2)) < 0.01);
    assert.ok(phiOf(400, 500, 50) < 0.1);
    assert.ok(phiOf(800, 500, 50) > 8);
    assert.ok(phiOf(5000, 500, 50) > phiOf(800, 500, 50));
  });

  it("suspects a regular node soon after it stops, and gives a jittery one the slack its history shows", () => {
    const options = phiAccrualOptionsFor(250);
    const regular = new PhiAccrualDetector(options);
    const jittery = new PhiAccrualDetector(options);
    let t = 0;
    let u = 0;
    for (let i = 0; i < 100; i++) {
      regular.heartbeat((t += 250));
      // The same mean, but 50 and 450 ms apart in turn: a host that trains between beats.
      jittery.heartbeat((u += i % 2 === 0 ? 50 : 450));
    }
    const after = (ms: number) => ({ regular: regular.phi(t + ms), jittery: jittery.phi(u + ms) });
    assert.ok(after(500).regular < 8, "one missed beat is not a failure");
    assert.ok(after(1000).regular > 8, `a second of silence from a node that beats every 250 ms is (φ ${after(1000).regular})`);
    assert.ok(after(1000).jittery < 8, `but not from one whose beats come unevenly (φ ${after(1000).jittery})`);
    assert.ok(after(3000).jittery > 8);
  });

  it("leaves an interval out of the history when the observer was stalled during it", () => {
    const detector = new PhiAccrualDetector(phiAccrualOptionsFor(250));
    let t = 0;
    for (let i = 0; i < 20; i++) detector.heartbeat((t += 250));
    const mean = detector.meanIntervalMs;
    detector.heartbeat((t += 2250), true);
    assert.equal(detector.meanIntervalMs, mean);
    detector.heartbeat((t += 2250));
    assert.ok(detector.meanIntervalMs > mean);
  });
});

describe("observer health (Lifeguard)", () => {
  it("measures its own stalls from a late probe, and discounts them (plus a heartbeat of grace) from a silence", () => {
    let now = 1_000_000;
    const observer = new ObserverHealth({ heartbeatMs: 250, probeMs: 100, now: () => now });
    observer.probe();
    for (let i = 0; i < 5; i++) {
      now += 100;
      observer.probe();
    }
    assert.equal(observer.stalledMs(now - 500), 0, "a punctual loop is never deaf");
    const blockedAt = now;
    now += 2100; // the loop was blocked for 2 s: the probe due at +100 runs at +2100
    assert.equal(observer.stalledMs(blockedAt), 2000, "a stall under way counts before the probe notices it");
    observer.probe();
    assert.equal(observer.stalledMs(blockedAt), 2000);
    for (let i = 0; i < 10; i++) {
      now += 100;
      observer.probe();
    }
    assert.equal(observer.stalledMs(blockedAt), 2250, "the stall and one heartbeat period after it");
    assert.equal(observer.awareness(), 1);
    assert.deepEqual({ ...observer.report(), loopDelayP99Ms: 0, loopDelayMaxMs: 0 }, { awareness: 1, longestStallMs: 2000, stalledMsLastMinute: 2000, stallsLastMinute: 1, loopDelayP99Ms: 0, loopDelayMaxMs: 0 });
    now += 10_000;
    assert.equal(observer.awareness(), 0, "awareness decays once the loop keeps time again");
  });
});

const beat = (nodeId: string, seq: number, now: number): MeshHeartbeat => ({
  nodeId, hostId: "host-a", bootId: "b", beat: seq, sentAt: now, receivedAt: now, pid: 1, loopLagMs: 0, cpuCores: 0.1, trainCpuCores: 0, roundsTrained: 0, failures: 0, lastTrainMs: null,
});

describe("MAPE-K's failure detector", () => {
  const NODES = ["node-0", "node-1", "node-2", "node-3"];

  function mesh() {
    let now = 5_000_000;
    const observer = new ObserverHealth({ heartbeatMs: 250, probeMs: 100, now: () => now });
    const monitor = new Monitor({ now: () => now, heartbeatMs: 250, observer });
    for (const id of NODES) monitor.register(id, "host-a");
    const state = { health: "alive" as HostHealth, exited: false, answering: new Set(NODES), pings: [] as string[], healthChecks: 0 };
    const actuator: MeshActuator = {
      hostOf: () => "host-a",
      hostHealth: async () => (state.healthChecks++, state.health),
      hostExited: () => state.exited,
      restartHost: async () => undefined,
      excludeFromFl: () => undefined,
      readmitToFl: () => undefined,
      isExcluded: () => false,
      pingNode: async (id) => (state.pings.push(id), state.answering.has(id)),
      resyncClock: async () => undefined,
      setLoadShedding: () => undefined,
      measureApiLatency: async () => 5,
      nodeAddress: () => undefined,
    };
    const loop = new MapekLoop({ monitor, actuator, intervalMs: 250 });
    let seq = 0;
    /** 250 ms pass (the observer's probe keeping time) with heartbeats from every node not silent (sent `transitMs` earlier), then a tick. */
    const step = async (silent: readonly string[] = [], transitMs: Record<string, number> = {}) => {
      for (let i = 0; i < 2; i++) {
        now += 125;
        observer.probe();
      }
      seq++;
      for (const id of NODES) if (!silent.includes(id)) monitor.ingestHeartbeat(beat(id, seq, now - (transitMs[id] ?? 2)));
      return loop.tick();
    };
    observer.probe();
    return { loop, monitor, observer, state, step, advance: (ms: number) => (now += ms), now: () => now };
  }

  it("does not blame nodes for a silence the observer caused: a 2 s stall of its event loop is no incident", async () => {
    const m = mesh();
    for (let i = 0; i < 8; i++) await m.step();
    // The coordinator's loop is blocked for 2 s: no heartbeat is read, no probe fires; the first thing to run after is the tick.
    // Had the silence been blamed, no probe would answer either (their replies wait unread).
    m.state.answering.clear();
    m.advance(2000);
    const tick = await m.loop.tick();
    assert.deepEqual([...tick.analysis.conditions], [], "nothing is wrong with the nodes");
    assert.deepEqual([...tick.analysis.suspicion.keys()], [], "no node's silence is even surprising");
    assert.deepEqual(m.state.pings, [], "so none is probed");
    m.state.answering = new Set(NODES);
    for (let i = 0; i < 8; i++) assert.deepEqual([...(await m.step()).analysis.conditions], []);
    assert.equal(m.observer.awareness(), 1, "the stall is remembered: thresholds are raised for a while");
    assert.deepEqual(m.loop.openIncidents(), []);
  });

  it("a silent node whose host lives and which does not answer its probe is partitioned; one that answers was only late", async () => {
    const m = mesh();
    for (let i = 0; i < 8; i++) await m.step();
    m.state.answering.delete("node-1");
    let tick;
    for (let i = 0; i < 4; i++) tick = await m.step(["node-1", "node-2"]);
    assert.equal(tick!.analysis.conditions.get("node-1"), "partitioned");
    assert.equal(tick!.analysis.conditions.get("node-2"), undefined, "node-2 answered its probe: late, not gone");
    assert.deepEqual(tick!.analysis.refuted, ["node-2"]);
  });

  it("a node whose host the mesh knows exited is down at the next tick, before its silence adds up", async () => {
    const m = mesh();
    for (let i = 0; i < 8; i++) await m.step();
    m.state.health = "dead";
    m.state.exited = true;
    const tick = await m.step(NODES);
    for (const id of NODES) assert.equal(tick.analysis.conditions.get(id), "down");
    assert.ok(m.monitor.suspicion("node-3") < 8, "φ alone would not have said so yet");
  });

  it("a node silent for less than its history makes surprising is neither probed nor asked about", async () => {
    const m = mesh();
    for (let i = 0; i < 8; i++) await m.step();
    m.state.answering.delete("node-0");
    for (let i = 0; i < 2; i++) assert.deepEqual([...(await m.step(["node-0"])).analysis.conditions], []);
    assert.deepEqual(m.state.pings, []);
    assert.equal(m.state.healthChecks, 0);
  });

  it("heartbeats held up on one node's link make it degraded; held up on every link at once, nobody is", async () => {
    const m = mesh();
    for (let i = 0; i < 8; i++) await m.step();
    // node-1's link loses a segment twice: those beats wait for the retransmission (+200 ms).
    await m.step([], { "node-1": 202 });
    await m.step();
    const lossy = await m.step([], { "node-1": 202 });
    assert.equal(lossy.analysis.conditions.get("node-1"), "degraded");
    assert.deepEqual([...lossy.analysis.conditions.keys()], ["node-1"]);
    // A second mesh where every link is held up at once: the coordinator's side or the whole network.
    const all = mesh();
    for (let i = 0; i < 8; i++) await all.step();
    const held = Object.fromEntries(NODES.map((id) => [id, 202]));
    await all.step([], held);
    await all.step();
    assert.deepEqual([...(await all.step([], held)).analysis.conditions], []);
  });
});
