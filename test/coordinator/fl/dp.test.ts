import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidStrategyConfigError } from "../../../coordinator/errors/fl.ts";
import { GaussianDp } from "../../../coordinator/fl/dp/gaussianDp.ts";
import { gaussianEpsilon } from "../../../coordinator/fl/dp/privacyAccountant.ts";
import { FedAvg } from "../../../coordinator/fl/strategies/fedAvg.ts";
import { FedMedian } from "../../../coordinator/fl/strategies/fedMedian.ts";

describe("gaussianEpsilon (zCDP accounting)", () => {
  it("matches ρ + 2√(ρ ln 1/δ) with ρ = T/(2z²)", () => {
    // z = 1, T = 1: ρ = 0.5 → ε = 0.5 + 2√(0.5 · ln 1e5) ≈ 5.2986.
    assert.ok(Math.abs(gaussianEpsilon({ noiseMultiplier: 1, rounds: 1, delta: 1e-5 }) - 5.2986) < 1e-3);
    assert.equal(gaussianEpsilon({ noiseMultiplier: 1, rounds: 0, delta: 1e-5 }), 0);
  });

  it("grows with rounds and shrinks with noise", () => {
    const e1 = gaussianEpsilon({ noiseMultiplier: 2, rounds: 10, delta: 1e-5 });
    assert.ok(gaussianEpsilon({ noiseMultiplier: 2, rounds: 20, delta: 1e-5 }) > e1);
    assert.ok(gaussianEpsilon({ noiseMultiplier: 4, rounds: 10, delta: 1e-5 }) < e1);
  });
});

describe("GaussianDp", () => {
  const results = [
    { nodeId: "a", params: Float32Array.from([3, 4]), numExamples: 100 },
    { nodeId: "b", params: Float32Array.from([0, 0.5]), numExamples: 1 },
  ];

  it("clips deltas to C, averages with equal weights and reports ε per round", () => {
    const dp = new GaussianDp(new FedAvg(), { noiseMultiplier: 1e-9, clippingNorm: 1, delta: 1e-5, seed: 1 });
    const out = dp.aggregate({ round: 1, global: new Float32Array(2), results });
    // (3,4) → (0.6,0.8); equal weights despite 100 vs 1 examples → (0.3, 0.65).
    assert.ok(Math.abs((out.params[0] as number) - 0.3) < 1e-5 && Math.abs((out.params[1] as number) - 0.65) < 1e-5);
    assert.equal(out.info.dpClipped, 1);
    assert.equal(dp.privacySpent().rounds, 1);
    dp.aggregate({ round: 2, global: new Float32Array(2), results });
    assert.ok(dp.privacySpent().epsilon > (out.info.epsilon as number), "ε accumulates over rounds");
  });

  it("adds noise with std z·C/n", () => {
    const dp = new GaussianDp(new FedAvg(), { noiseMultiplier: 2, clippingNorm: 1, delta: 1e-5, seed: 7 });
    const d = 20000;
    const out = dp.aggregate({ round: 1, global: new Float32Array(d), results: [{ nodeId: "a", params: new Float32Array(d), numExamples: 1 }, { nodeId: "b", params: new Float32Array(d), numExamples: 1 }] });
    let sq = 0;
    for (const v of out.params) sq += v * v;
    const std = Math.sqrt(sq / d);
    assert.ok(Math.abs(std - 1) < 0.03, `noise std ${std}, expected 2·1/2 = 1`);
  });

  it("refuses robust inner rules and bad parameters", () => {
    assert.throws(() => new GaussianDp(new FedMedian(), { noiseMultiplier: 1, clippingNorm: 1, delta: 1e-5, seed: 1 }), InvalidStrategyConfigError);
    assert.throws(() => new GaussianDp(new FedAvg(), { noiseMultiplier: 0, clippingNorm: 1, delta: 1e-5, seed: 1 }), InvalidStrategyConfigError);
    assert.throws(() => new GaussianDp(new FedAvg(), { noiseMultiplier: 1, clippingNorm: 1, delta: 1, seed: 1 }), InvalidStrategyConfigError);
  });
});
