import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidRoundConfigError } from "../../../coordinator/errors/fl.ts";
import { GaussianDp } from "../../../coordinator/fl/dp/gaussianDp.ts";
import { FedAvg } from "../../../coordinator/fl/strategies/fedAvg.ts";
import { Krum } from "../../../coordinator/fl/strategies/krum.ts";
import { MultiKrum } from "../../../coordinator/fl/strategies/multiKrum.ts";
import { smallMesh } from "./fixtures.ts";

describe("RoundRunner lifecycle", () => {
  it("trains: accuracy on the held-out set rises and metrics are example-weighted", async () => {
    const mesh = smallMesh({ strategy: new FedAvg() });
    const records = await mesh.runner.run(3);
    assert.ok(records.every((r) => r.status === "completed"));
    const first = records[0]?.evaluation?.accuracy ?? 0;
    const last = records[2]?.evaluation?.accuracy ?? 0;
    assert.ok(last > 0.75 && last >= first, `accuracy ${first} → ${last}`);
    assert.equal(mesh.runner.modelVersion, 3);
    const r = records[2]!;
    assert.equal(r.trainMetrics?.numExamples, mesh.nodes.reduce((s, n) => s + n.rows.length, 0));
    assert.equal(r.evaluation?.numExamples, mesh.test.numExamples);
  });

  it("samples a fraction of clients with a minimum", async () => {
    const mesh = smallMesh({ strategy: new FedAvg(), config: { fractionFit: 0.3, minFitClients: 4, minAvailableClients: 4 } });
    const record = await mesh.runner.runRound();
    assert.equal(record.sampled.length, 4);
    assert.equal(record.accepted.length, 4);
  });

  it("tolerates a straggler past the deadline and a crashed node", async () => {
    // The deadline leaves room for the other nodes' (serial, in-process) training even
    // on a loaded machine; the straggler sleeps far past it.
    const mesh = smallMesh({ strategy: new FedAvg(), config: { roundTimeoutMs: 2_000 } });
    mesh.nodes[0]!.setFault({ kind: "delay", ms: 60_000 });
    mesh.nodes[1]!.setFault({ kind: "crash" });
    const started = performance.now();
    const record = await mesh.runner.runRound();
    assert.ok(performance.now() - started < 10_000, "the round did not wait for the straggler");
    assert.equal(record.status, "completed");
    assert.deepEqual(
      record.failures.map((f) => [f.nodeId, f.reason]).sort(),
      [
        [mesh.nodes[0]!.nodeId, "timeout"],
        [mesh.nodes[1]!.nodeId, "error"],
      ],
    );
    assert.equal(record.accepted.length, 8);
  });

  it("records a failed round with its reason when below the completion floor, leaving the model unchanged", async () => {
    const mesh = smallMesh({ strategy: new FedAvg(), config: { completionFloor: 0.6 } });
    for (const node of mesh.nodes.slice(0, 5)) node.setFault({ kind: "crash" });
    const before = mesh.runner.params;
    const record = await mesh.runner.runRound();
    assert.equal(record.status, "failed");
    assert.match(record.reason ?? "", /^completion-floor: 5 valid updates of 10 sampled, need 6/);
    assert.equal(mesh.runner.modelVersion, 0);
    assert.deepEqual(mesh.runner.params, before);
    assert.equal(mesh.runner.history.length, 1);
    // The next round, with nodes back, completes.
    for (const node of mesh.nodes) node.setFault(undefined);
    assert.equal((await mesh.runner.runRound()).status, "completed");
  });

  it("records a failed round when too few clients are available", async () => {
    const mesh = smallMesh({ strategy: new FedAvg(), numNodes: 4, config: { minAvailableClients: 6, minFitClients: 3 } });
    const record = await mesh.runner.runRound();
    assert.equal(record.status, "failed");
    assert.match(record.reason ?? "", /^insufficient-clients/);
  });

  it("refuses a config whose minimum participants cannot satisfy the strategy (the original Krum bug)", () => {
    assert.throws(
      () => smallMesh({ strategy: new Krum({ numMalicious: 1 }), config: { minFitClients: 3, minAvailableClients: 3 } }),
      (e: unknown) => e instanceof InvalidRoundConfigError && /minFitClients: 3 is below krum's minimum of 5/.test(e.issues.join()),
    );
    assert.throws(() => smallMesh({ strategy: new FedAvg(), config: { fractionFit: 0 } }), InvalidRoundConfigError);
  });

  it("reports DP privacy spent each round", async () => {
    const mesh = smallMesh({ strategy: new GaussianDp(new FedAvg(), { noiseMultiplier: 0.5, clippingNorm: 5, delta: 1e-5, seed: 1 }) });
    const [a, b] = await mesh.runner.run(2);
    assert.ok(a?.privacy && b?.privacy && b.privacy.epsilon > a.privacy.epsilon && a.privacy.delta === 1e-5);
  });

  it("lowers trust of Byzantine nodes flagged by Multi-Krum, not of honest ones", async () => {
    const mesh = smallMesh({ strategy: new MultiKrum({ numMalicious: 2 }), numNodes: 12, config: { minFitClients: 12, minAvailableClients: 12 }, byzantine: { fraction: 2 / 12, attack: { kind: "gaussian-noise", std: 5 } } });
    await mesh.runner.run(4);
    for (const node of mesh.nodes) {
      const trust = mesh.runner.reputation.trust(node.nodeId);
      if (mesh.byzantineIds.has(node.nodeId)) assert.ok(trust < 0.75, `${node.nodeId} trust ${trust}`);
      else assert.ok(trust > 0.95, `${node.nodeId} trust ${trust}`);
    }
  });
});

describe("RoundRunner Byzantine detections", () => {
  it("counts only outlying updates: Multi-Krum's routine exclusions of honest nodes are not detections", async () => {
    const clean = smallMesh({ strategy: new MultiKrum({ numMalicious: 2 }), numNodes: 12, config: { minFitClients: 12, minAvailableClients: 12 } });
    const records = await clean.runner.run(3);
    for (const record of records) {
      assert.equal(record.flagged.length, 2, "Multi-Krum leaves f updates out every round");
      assert.deepEqual(record.byzantine, [], `round ${record.round}: honest nodes called Byzantine`);
    }
    const attacked = smallMesh({ strategy: new MultiKrum({ numMalicious: 2 }), numNodes: 12, config: { minFitClients: 12, minAvailableClients: 12 }, byzantine: { fraction: 2 / 12, attack: { kind: "gaussian-noise", std: 5 } } });
    for (const record of await attacked.runner.run(3)) {
      assert.deepEqual(record.byzantine!.map((b) => b.nodeId).sort(), [...attacked.byzantineIds].sort(), `round ${record.round}`);
      assert.ok(record.byzantine!.every((b) => b.score > 3));
    }
  });
});

describe("RoundRunner membership changes", () => {
  it("finishes a round when a sampled client is unregistered while it trains", async () => {
    const mesh = smallMesh({ strategy: new FedAvg() });
    const leaving = mesh.nodes[0]!;
    const fit = leaving.fit.bind(leaving);
    leaving.fit = async (instruction, signal) => {
      mesh.runner.unregister(leaving.nodeId); // its host went down mid-round
      return fit(instruction, signal);
    };
    const record = await mesh.runner.runRound();
    assert.equal(record.status, "completed");
    assert.ok(record.accepted.includes(leaving.nodeId), "its on-time, valid update still counts");
    assert.ok(!mesh.runner.clientIds().includes(leaving.nodeId), "and it is not sampled again");
  });
});
