import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createStrategy, type StrategySpec } from "../../../coordinator/fl/strategies/createStrategy.ts";
import { smallMesh } from "./fixtures.ts";

/**
 * Integration: 30 in-process nodes on 3000 MNIST digits, 20 % of them sending
 * Gaussian noise (σ = 10). Robust rules must keep the model useful; FedAvg must not.
 */
describe("robustness under a 20 % Gaussian attack (integration)", () => {
  const run = async (spec: StrategySpec): Promise<{ accuracy: number; bannedByzantine: number; bannedHonest: number }> => {
    const mesh = smallMesh({
      strategy: createStrategy(spec),
      numNodes: 30,
      maxExamples: 3000,
      config: { minFitClients: 30, minAvailableClients: 30, trustWeightedSampling: false },
      byzantine: { fraction: 0.2, attack: { kind: "gaussian-noise", std: 10 } },
      seed: 11,
    });
    const records = await mesh.runner.run(5);
    assert.ok(records.every((r) => r.status === "completed"), records.map((r) => r.reason).join());
    const banned = mesh.nodes.filter((n) => mesh.runner.reputation.isBanned(n.nodeId));
    return {
      accuracy: records.at(-1)?.evaluation?.accuracy ?? 0,
      bannedByzantine: banned.filter((n) => mesh.byzantineIds.has(n.nodeId)).length,
      bannedHonest: banned.filter((n) => !mesh.byzantineIds.has(n.nodeId)).length,
    };
  };

  it("FedAvg collapses", async () => {
    const { accuracy } = await run({ name: "fedavg" });
    assert.ok(accuracy < 0.5, `FedAvg accuracy ${accuracy}`);
  });

  for (const spec of [{ name: "multikrum", numMalicious: 6 }, { name: "fedmedian" }, { name: "fedtrimmedavg", beta: 0.2 }, { name: "bulyan", numMalicious: 6 }, { name: "centered-clipping", tau: 1 }] as const) {
    it(`${spec.name} keeps accuracy above 0.8`, async () => {
      const { accuracy, bannedHonest } = await run(spec);
      assert.ok(accuracy > 0.8, `${spec.name} accuracy ${accuracy}`);
      assert.equal(bannedHonest, 0);
    });
  }
});
