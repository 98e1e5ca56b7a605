/**
 * The chaos scenarios against a real mesh: node-host child processes behind
 * fault-injecting TCP links, FL rounds over them, the MAPE-K loop healing, the chaos
 * engine breaking things for real. One mesh for all scenarios (starting node hosts
 * costs seconds on this machine); each scenario runs its experiment file from
 * experiments/ at a shortened time scale, and rollbacks plus MAPE-K bring the mesh
 * back to steady state before the next one, which its before-probes check.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runExperiment, type ExperimentJournal } from "../../../coordinator/chaos/experiment/runExperiment.ts";
import { createChaosTestbed, type ChaosTestbed } from "../../../coordinator/testbed/createChaosTestbed.ts";
import type { ChildHost } from "../../../coordinator/mesh/hosts/childHost.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import type { RoundRecord } from "../../../coordinator/fl/roundRunner.ts";
import { createStrategy } from "../../../coordinator/fl/strategies/createStrategy.ts";
import { KNOWLEDGE_KINDS } from "../../../coordinator/knowledge/schemas/index.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";

const EXPERIMENTS = new URL("../../../experiments/", import.meta.url).pathname;
/** Stated bounds (short runs on a busy 2-core machine). */
const MAX_MTTD_MS = 5_000;
const MAX_MTTR_MS = 15_000;
const ACCURACY_BOUND = 0.05;
const API_P95_BOUND_MS = 500;

let bed: ChaosTestbed;
let db: Database;
let outbox: KnowledgeRepository;

const roundsBetween = (from: number, to: number): RoundRecord[] => bed.mesh.rounds().filter((r) => Date.parse(r.startedAt) >= from && Date.parse(r.startedAt) + r.durationMs <= to);

async function run(name: string, timeScale: number, onProgress?: (phase: string, detail: string) => void): Promise<ExperimentJournal> {
  const { journal } = await runExperiment(`${EXPERIMENTS}${name}.yaml`, bed.deps, { timeScale, ...(onProgress ? { onProgress: (p) => onProgress(p.phase, p.detail) } : {}) });
  assert.equal(journal.steadyStates.before.every((p) => p.ok), true, `${name}: steady before: ${JSON.stringify(journal.steadyStates.before)} ${meshState()}`);
  return journal;
}

/** Conditions and exclusions, for failure messages. */
const meshState = (): string => JSON.stringify({ conditions: [...(bed.mapek.lastTick?.analysis.conditions ?? [])], exclusions: [...bed.mapek.exclusions()], open: bed.mapek.openIncidents().map((i) => `${i.nodeId}:${i.condition}`) });

/** Every round: accepted ids unique, never also rejected or failed; the model advanced once per completed round. */
function assertNoUpdateLostOrDoubled(): void {
  for (const round of bed.mesh.rounds()) {
    assert.equal(new Set(round.accepted).size, round.accepted.length, `round ${round.round} counted a node twice`);
    const other = new Set([...round.rejected.map((r) => r.nodeId), ...round.failures.map((f) => f.nodeId)]);
    for (const id of round.accepted) assert.ok(!other.has(id), `round ${round.round}: ${id} both accepted and failed`);
    for (const id of round.accepted) assert.ok(round.sampled.includes(id));
  }
  const completed = bed.mesh.rounds().filter((r) => r.status === "completed").length;
  assert.equal(bed.runner.modelVersion, completed, "one model version per completed round");
}

describe("chaos scenarios (real processes, real links)", () => {
  // Inside the describe: root-level hooks would run at the start of the whole suite and
  // keep this mesh training for every other file's tests.
  before(async () => {
    db = openDatabase(":memory:");
    outbox = new KnowledgeRepository(db);
    bed = await createChaosTestbed({
      dataset: loadMnist(),
      numNodes: 9,
      nodesPerHost: 3,
      maxExamples: 1500,
      strategy: createStrategy({ name: "fedmedian" }),
      roundConfig: { minFitClients: 3, minAvailableClients: 3, learningRate: 0.3, batchSize: 16, roundTimeoutMs: 2000, fractionFit: 0.7 },
      seed: 1,
      heartbeatMs: 250,
      mapekIntervalMs: 250,
      roundGapMs: 100,
      outbox,
      directiveCooldownMs: 0,
    });
    await bed.runRounds(3);
    bed.start();
  });

  after(async () => {
    await bed?.close();
    db?.close();
  });

  it("node failure: the killed host is detected, restarted by MAPE-K, and rounds keep completing", async (t) => {
    const journal = await run("node-failure", 0.1);
    t.diagnostic(`node failure: MTTD ${journal.mttdMs} ms, MTTR ${journal.mttrMs} ms, run ${journal.endedAt! - journal.startedAt} ms`);
    const [fault] = journal.faults;
    assert.ok(fault && fault.kind === "node-crash" && fault.affected.length === 3);
    for (const node of fault.affected) {
      const d = fault.detection[node]!;
      assert.ok(d.detectedAt !== null, `${node} not detected`);
      assert.ok(d.detectedAt - fault.injectedAt! <= MAX_MTTD_MS, `${node} detected after ${d.detectedAt - fault.injectedAt!} ms`);
      assert.ok(d.healedAt !== null && d.healedAt - fault.injectedAt! <= MAX_MTTR_MS, `${node} healed after ${d.healedAt === null ? "never" : d.healedAt - fault.injectedAt!} ms`);
    }
    const restarted = bed.mapek.closedIncidents().filter((i) => fault.affected.includes(i.nodeId)).flatMap((i) => i.actions).filter((a) => a.action === "restart");
    assert.ok(restarted.length > 0, "MAPE-K restarted the host");
    assert.ok(bed.mesh.host(fault.affected[0]!)!.restarts >= 1);
    const during = roundsBetween(fault.injectedAt!, fault.recoveredAt!);
    assert.ok(during.filter((r) => r.status === "completed").length >= 1, "rounds completed while the node was down");
    assert.ok(journal.mttdMs !== null && journal.mttrMs !== null);
    assert.equal(journal.status, "completed");
    assert.equal(journal.deviated, false, `${JSON.stringify(journal.steadyStates.after)} ${meshState()}`);
    // One event, one Incident record naming the host's 3 nodes (not one record per node).
    assert.equal(journal.records?.incidentCids.length, 1);
    assert.deepEqual(JSON.parse(outbox.getRecordByCid(journal.records.incidentCids[0]!)!.content).affectedNodes, [...fault.affected].sort());
    const report = outbox.getRecordByCid(journal.records.chaosReportCid);
    assert.equal(report?.kind, KNOWLEDGE_KINDS.ChaosReport);
    assert.equal(JSON.parse(report!.content).mttdMs, journal.mttdMs);
    assertNoUpdateLostOrDoubled();
  });

  it("network partition: the minority is isolated, rounds complete with the majority, the minority re-syncs, no update lost or doubled", async () => {
    const journal = await run("network-partition", 0.08);
    const [fault] = journal.faults;
    assert.ok(fault && fault.affected.length >= 2 && fault.affected.length < 9 / 2, "a minority");
    for (const node of fault.affected) assert.ok(fault.detection[node]!.detectedAt !== null, `${node} not detected: ${JSON.stringify(fault.detection)} injected ${fault.injectedAt} recovered ${fault.recoveredAt} ${meshState()}`);
    // MAPE-K routed around live hosts instead of restarting them.
    const incidents = bed.mapek.closedIncidents().filter((i) => fault.affected.includes(i.nodeId) && i.detectedAt >= fault.injectedAt!);
    assert.ok(incidents.length >= fault.affected.length, `incidents of the partitioned nodes: ${JSON.stringify(incidents.map((i) => `${i.nodeId}:${i.condition}`))} ${meshState()}`);
    assert.ok(incidents.every((i) => i.actions.every((a) => a.action !== "restart")), "partitioned hosts are alive: no restart");
    // While cut off (from detection to heal), no update of theirs was accepted.
    const firstDetection = Math.max(...fault.affected.map((n) => fault.detection[n]!.detectedAt!));
    for (const round of roundsBetween(firstDetection, fault.recoveredAt!)) {
      for (const node of fault.affected) assert.ok(!round.accepted.includes(node), `round ${round.round} accepted partitioned ${node}`);
    }
    assert.ok(roundsBetween(fault.injectedAt!, fault.recoveredAt!).some((r) => r.status === "completed"), "rounds completed with the majority");
    // Re-sync: after the heal each minority node contributes again, on the current model version.
    const deadline = Date.now() + 15_000;
    const rejoined = () => fault.affected.every((n) => bed.mesh.rounds().some((r) => Date.parse(r.startedAt) > fault.recoveredAt! && r.accepted.includes(n)));
    while (!rejoined() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    const lastRounds = bed.mesh.rounds().filter((r) => Date.parse(r.startedAt) > fault.recoveredAt!).map((r) => ({ round: r.round, sampled: r.sampled, accepted: r.accepted, failures: r.failures }));
    assert.ok(rejoined(), `every partitioned node rejoined FL after the heal: ${meshState()} nodes ${JSON.stringify(fault.affected.map((n) => ({ n, connected: bed.mesh.remote.node(n)?.connected, seenAgoMs: Date.now() - (bed.mesh.remote.node(n)?.lastSeenAt ?? 0), ready: bed.mesh.isReady(n) })))} rounds ${JSON.stringify(lastRounds.slice(-6))} heal→now ${Date.now() - fault.recoveredAt!} ms`);
    assertNoUpdateLostOrDoubled();
    assert.equal(journal.deviated, false, `${JSON.stringify(journal.steadyStates.after)} ${meshState()}`);
  });

  it("Byzantine attack: attackers are flagged and excluded, accuracy stays within 0.05 of the clean run", async () => {
    const clean = [...bed.mesh.rounds()].reverse().find((r) => r.evaluation)!.evaluation!.accuracy;
    const journal = await run("byzantine-attack", 0.05);
    const [fault] = journal.faults;
    assert.ok(fault && fault.affected.length >= 2);
    const exclusions = bed.mapek.exclusions();
    for (const node of fault.affected) {
      assert.ok(fault.detection[node]!.detectedAt !== null, `${node} not flagged`);
      assert.equal(exclusions.get(node), "byzantine", `${node} not excluded`);
    }
    const honestExcluded = [...exclusions].filter(([node, why]) => why === "byzantine" && !fault.affected.includes(node));
    assert.deepEqual(honestExcluded, [], "no honest node excluded");
    const during = roundsBetween(fault.injectedAt!, Date.now()).filter((r) => r.evaluation);
    assert.ok(during.length >= 3);
    for (const round of during) assert.ok(round.evaluation!.accuracy >= clean - ACCURACY_BOUND, `round ${round.round}: ${round.evaluation!.accuracy} vs clean ${clean}`);
    // Governance would lift the ban once the nodes are fixed; the fault is recovered, so reinstate them.
    for (const node of fault.affected) bed.mapek.reinstate(node);
  });

  it("high load: under CPU stress and a request flood the API stays within its latency bound and rounds complete", async () => {
    const journal = await run("high-load", 0.05);
    const flood = journal.faults.find((f) => f.kind === "request-flood")!;
    const stress = journal.faults.find((f) => f.kind === "cpu-stress")!;
    assert.ok(flood && stress && stress.affected.length >= 3);
    const floodCounts = flood.records.find((r) => r.phase === "recovered")?.detail ?? "";
    assert.match(floodCounts, /sent [1-9]\d*/, `the flood sent requests: ${floodCounts}`);
    const latencies = journal.steadyStates.during.flat().filter((p) => p.probe === "api-latency");
    assert.ok(latencies.length >= 1);
    const within = latencies.filter((p) => p.ok).length / latencies.length;
    assert.ok(within >= 0.5, `API p95 within ${API_P95_BOUND_MS} ms in ${within * 100}% of samples: ${latencies.map((p) => p.value).join(", ")}`);
    assert.ok(journal.steadyStates.after.find((p) => p.probe === "api-latency")!.ok);
    assert.ok(roundsBetween(stress.injectedAt!, stress.recoveredAt!).some((r) => r.status === "completed"));
    assert.equal(journal.deviated, false, `${JSON.stringify(journal.steadyStates.after)} ${meshState()}`);
  });

  it("several faults at once: crash, latency and an attacker are each handled", async () => {
    const journal = await run("multi-fault", 0.05);
    assert.equal(journal.faults.length, 3);
    const [first, ...rest] = journal.faults;
    for (const f of rest) assert.ok(f.injectedAt! < first!.recoveredAt!, "the faults overlapped");
    const crash = journal.faults.find((f) => f.kind === "node-crash")!;
    for (const node of crash.affected) assert.ok(crash.detection[node]!.detectedAt !== null && crash.detection[node]!.healedAt !== null);
    const attacker = journal.faults.find((f) => f.kind === "byzantine")!;
    for (const node of attacker.affected) {
      if (crash.affected.includes(node)) continue; // a crashed attacker restarts honest
      assert.ok(attacker.detection[node]!.detectedAt !== null, `attacker ${node} not flagged`);
    }
    assert.ok(roundsBetween(crash.injectedAt!, crash.recoveredAt!).some((r) => r.status === "completed"));
    for (const [node, why] of bed.mapek.exclusions()) if (why === "byzantine") bed.mapek.reinstate(node);
    assertNoUpdateLostOrDoubled();
  });

  it("statistics: counts, MTTD and MTTR match what happened", async () => {
    const injected: string[] = [];
    const stop = bed.events.subscribe((e) => injected.push(e.type), { types: ["chaos.fault"] });
    const before = bed.engine.statistics();
    const journal = await run("statistics", 0.1);
    stop();
    const after = bed.engine.statistics();
    assert.deepEqual(injected.filter((t) => t === "chaos.fault.injected").length, 3);
    assert.deepEqual(injected.filter((t) => t === "chaos.fault.recovered").length, 3);
    for (const kind of ["node-crash", "node-pause", "network-partition"] as const) {
      const fault = journal.faults.find((f) => f.kind === kind)!;
      assert.equal(after[kind].injected - before[kind].injected, 1, kind);
      assert.equal(after[kind].recovered - before[kind].recovered, 1, kind);
      assert.equal(after[kind].active, 0, kind);
      const detected = Object.values(fault.detection).filter((d) => d.detectedAt !== null);
      assert.equal(after[kind].detected - before[kind].detected, detected.length, kind);
      assert.ok(detected.length >= 1, `${kind} detected`);
    }
    const all = journal.faults.flatMap((f) => Object.values(f.detection).filter((d) => d.detectedAt !== null).map((d) => d.detectedAt! - f.injectedAt!));
    assert.equal(journal.mttdMs, Math.round(all.reduce((a, b) => a + b, 0) / all.length));
    const healed = journal.faults.flatMap((f) => Object.values(f.detection).filter((d) => d.healedAt !== null).map((d) => d.healedAt! - f.injectedAt!));
    assert.equal(journal.mttrMs, healed.length ? Math.round(healed.reduce((a, b) => a + b, 0) / healed.length) : null);
    assert.equal(journal.statistics["node-crash"]?.injected, after["node-crash"].injected);
  });

  it("latency spike: the affected links really are 500 ± 100 ms slower, and only while injected", async () => {
    const samples: { phase: string; ms: number }[] = [];
    let target: string | undefined;
    const ping = async (phase: string): Promise<void> => {
      if (!target) return;
      // A signed probe over the host's socket: both directions cross the link.
      samples.push({ phase, ms: await bed.mesh.remote.probe(target, 5000) });
    };
    const pending: Promise<void>[] = [];
    const journal = await run("latency-spike", 0.05, (phase, detail) => {
      if (phase === "fault-applied") {
        target = /on ([^, ]+)/.exec(detail)?.[1];
        pending.push(ping("during"));
      }
    });
    await Promise.all(pending);
    await ping("after");
    const during = samples.find((s) => s.phase === "during");
    const afterSample = samples.find((s) => s.phase === "after");
    assert.ok(during && during.ms >= 2 * 400 - 50, `during: ${during?.ms} ms (two directions × ≥ 400 ms)`);
    assert.ok(afterSample && afterSample.ms < 400, `after: ${afterSample?.ms} ms`);
    assert.ok(journal.faults[0]!.affected.length >= 2);
    assert.ok(roundsBetween(journal.faults[0]!.injectedAt!, journal.faults[0]!.recoveredAt!).some((r) => r.status === "completed"));
  });

  it("packet loss: segments are lost and retransmitted on the affected links; rounds complete", async (t) => {
    const lostOf = (n: string) => {
      const stats = (bed.mesh.host(n) as ChildHost).proxy.stats();
      return stats.to.lost + stats.from.lost;
    };
    const lostBefore = new Map(bed.mesh.nodeIds().map((n) => [n, lostOf(n)]));
    const journal = await run("packet-loss", 0.05);
    const [fault] = journal.faults;
    const detected = fault!.affected.filter((n) => fault!.detection[n]!.detectedAt !== null);
    t.diagnostic(`packet loss: ${detected.length} of ${fault!.affected.length} lossy nodes detected, MTTD ${journal.mttdMs} ms`);
    const lost = fault!.affected.map((n) => lostOf(n) - lostBefore.get(n)!);
    assert.ok(lost.reduce((a, b) => a + b, 0) > 0, `segments lost: ${lost.join(", ")}`);
    const untouched = bed.mesh.nodeIds().filter((n) => !fault!.affected.includes(n));
    for (const n of untouched) assert.equal(lostOf(n), lostBefore.get(n), `${n} is not a target`);
    assert.ok(roundsBetween(fault!.injectedAt!, fault!.recoveredAt!).some((r) => r.status === "completed"));
    assert.equal(journal.status, "completed");
  });
});
