import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InsufficientUpdatesError, InvalidStrategyConfigError, ParameterShapeError, UnknownStrategyError } from "../../../coordinator/errors/fl.ts";
import { Bulyan } from "../../../coordinator/fl/strategies/bulyan.ts";
import { CenteredClipping } from "../../../coordinator/fl/strategies/centeredClipping.ts";
import { createStrategy, strategyNames } from "../../../coordinator/fl/strategies/createStrategy.ts";
import { FedAdam } from "../../../coordinator/fl/strategies/fedAdam.ts";
import { FedAvg } from "../../../coordinator/fl/strategies/fedAvg.ts";
import { FedAvgM } from "../../../coordinator/fl/strategies/fedAvgM.ts";
import { FedMedian } from "../../../coordinator/fl/strategies/fedMedian.ts";
import { FedProx } from "../../../coordinator/fl/strategies/fedProx.ts";
import { FedTrimmedAvg } from "../../../coordinator/fl/strategies/fedTrimmedAvg.ts";
import { Krum } from "../../../coordinator/fl/strategies/krum.ts";
import { MultiKrum } from "../../../coordinator/fl/strategies/multiKrum.ts";
import { NormClipping } from "../../../coordinator/fl/strategies/normClipping.ts";
import type { ClientResult } from "../../../coordinator/fl/strategies/strategy.ts";

/** Builds client results from plain arrays: node-0, node-1, … */
const results = (vectors: number[][], counts?: number[]): ClientResult[] =>
  vectors.map((v, i) => ({ nodeId: `node-${i}`, params: Float32Array.from(v), numExamples: counts?.[i] ?? 1 }));

const close = (actual: Float32Array, expected: number[], tolerance = 1e-5): void => {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, j) => assert.ok(Math.abs((actual[j] as number) - e) <= tolerance, `coordinate ${j}: ${actual[j]} ≠ ${e}`));
};

const zeros = (d: number): Float32Array => new Float32Array(d);

describe("FedAvg", () => {
  it("weights client parameters by example count", () => {
    const out = new FedAvg().aggregate({ round: 1, global: zeros(2), results: results([[1, 2], [3, 4]], [1, 3]) });
    close(out.params, [2.5, 3.5]);
    assert.deepEqual(out.flagged, []);
  });

  it("refuses an empty round and a wrongly shaped update", () => {
    assert.throws(() => new FedAvg().aggregate({ round: 1, global: zeros(2), results: [] }), InsufficientUpdatesError);
    assert.throws(() => new FedAvg().aggregate({ round: 1, global: zeros(2), results: results([[1, 2, 3]]) }), ParameterShapeError);
  });
});

describe("FedAvgM", () => {
  it("applies server momentum to the pseudo-gradient across rounds", () => {
    const s = new FedAvgM({ serverLearningRate: 1, serverMomentum: 0.9 });
    // Round 1: g = 0 − 1 = −1, m = g, w = 0 − (−1) = 1.
    const r1 = s.aggregate({ round: 1, global: Float32Array.from([0, 0]), results: results([[1, 1]]) });
    close(r1.params, [1, 1]);
    // Round 2: g = 1 − 2 = −1, m = 0.9·(−1) + (−1) = −1.9, w = 1 + 1.9 = 2.9.
    const r2 = s.aggregate({ round: 2, global: r1.params, results: results([[2, 2]]) });
    close(r2.params, [2.9, 2.9]);
  });

  it("refuses momentum outside [0, 1)", () => {
    assert.throws(() => new FedAvgM({ serverMomentum: 1 }), InvalidStrategyConfigError);
  });
});

describe("FedProx", () => {
  it("aggregates like FedAvg and sends μ to clients", () => {
    const s = new FedProx({ proximalMu: 0.1 });
    close(s.aggregate({ round: 1, global: zeros(1), results: results([[2], [4]], [3, 1]) }).params, [2.5]);
    assert.deepEqual(s.fitConfig(1), { proximalMu: 0.1 });
    assert.equal(s.name, "fedprox");
  });

  it("refuses a negative μ", () => {
    assert.throws(() => new FedProx({ proximalMu: -1 }), InvalidStrategyConfigError);
  });
});

describe("FedAdam", () => {
  it("takes a bias-corrected Adam step on the pseudo-gradient", () => {
    const s = new FedAdam({ eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-9 });
    // Δ = 1; m = 0.1; v = 0.01; η_t = 0.1·√0.01/0.1 = 0.1; w = 0.1·0.1/(0.1 + 1e-9) ≈ 0.1.
    const out = s.aggregate({ round: 1, global: zeros(1), results: results([[1]]) });
    close(out.params, [0.1]);
  });

  it("refuses β₁ ≥ 1", () => {
    assert.throws(() => new FedAdam({ beta1: 1 }), InvalidStrategyConfigError);
  });
});

describe("FedMedian", () => {
  it("takes the coordinate-wise median, unweighted, mean of middles when even", () => {
    close(new FedMedian().aggregate({ round: 1, global: zeros(2), results: results([[1, 5], [2, 6], [100, -100]], [1, 1, 1000]) }).params, [2, 5]);
    close(new FedMedian().aggregate({ round: 1, global: zeros(1), results: results([[1], [2], [3], [100]]) }).params, [2.5]);
  });
});

describe("FedTrimmedAvg", () => {
  it("cuts floor(β·n) values from each end per coordinate", () => {
    const out = new FedTrimmedAvg({ beta: 0.2 }).aggregate({ round: 1, global: zeros(2), results: results([[1, -50], [2, 0], [3, 1], [4, 2], [100, 3]]) });
    close(out.params, [3, 1]);
    assert.equal(out.info.trimmedPerSide, 1);
  });

  it("refuses β ≥ 0.5", () => {
    assert.throws(() => new FedTrimmedAvg({ beta: 0.5 }), InvalidStrategyConfigError);
  });
});

describe("Krum", () => {
  const five = results([[0], [1], [2], [3], [100]]);

  it("selects the update with the smallest sum of distances to its n − f − 2 neighbours", () => {
    // f = 1 → 2 neighbours. Scores: 0→1+4=5, 1→1+1=2, 2→1+1=2, 3→4+1=5, 100→huge; ties keep the first.
    const out = new Krum({ numMalicious: 1 }).aggregate({ round: 1, global: zeros(1), results: five });
    close(out.params, [1]);
    assert.equal(out.info.selected, "node-1");
    assert.deepEqual(out.flagged, ["node-4"], "only the f worst are flagged, not every unselected client");
  });

  it("refuses n ≤ 2f + 2", () => {
    const s = new Krum({ numMalicious: 1 });
    assert.equal(s.minResults(), 5);
    assert.throws(() => s.aggregate({ round: 1, global: zeros(1), results: five.slice(0, 4) }), (e: unknown) => e instanceof InsufficientUpdatesError && e.required === 5 && /n > 2f \+ 2/.test(e.message));
  });

  it("refuses a negative or fractional f", () => {
    assert.throws(() => new Krum({ numMalicious: -1 }), InvalidStrategyConfigError);
    assert.throws(() => new Krum({ numMalicious: 1.5 }), InvalidStrategyConfigError);
  });
});

describe("MultiKrum", () => {
  it("averages the n − f best-scored updates and flags the rest", () => {
    const out = new MultiKrum({ numMalicious: 1 }).aggregate({ round: 1, global: zeros(1), results: results([[0], [1], [2], [3], [100]]) });
    close(out.params, [1.5]);
    assert.deepEqual(out.flagged, ["node-4"]);
  });

  it("weights the kept updates by example count", () => {
    const out = new MultiKrum({ numMalicious: 1, numToKeep: 2 }).aggregate({ round: 1, global: zeros(1), results: results([[0], [1], [2], [3], [100]], [1, 1, 3, 1, 1]) });
    // Kept: node-1 (1 example) and node-2 (3 examples) → (1 + 6) / 4.
    close(out.params, [1.75]);
  });

  it("refuses n ≤ 2f + 2 and n < m + f", () => {
    assert.equal(new MultiKrum({ numMalicious: 2 }).minResults(), 7);
    assert.equal(new MultiKrum({ numMalicious: 1, numToKeep: 6 }).minResults(), 7);
    assert.throws(() => new MultiKrum({ numMalicious: 2 }).aggregate({ round: 1, global: zeros(1), results: results([[0], [1], [2], [3], [4], [5]]) }), InsufficientUpdatesError);
  });
});

describe("Bulyan", () => {
  const seven = results([[0, 0], [1, 2], [2, 1.2], [3, 3], [4, -0.4], [100, -50], [-100, 60]]);

  it("selects θ = n − 2f by repeated Krum, then averages the β = θ − 2f values closest to the median", () => {
    // Reference computed with numpy following Flower's aggregate_bulyan: the five inliers
    // are selected; median (2, 1.2); closest three per coordinate: x {2,1,3}, y {1.2,2,0}.
    const out = new Bulyan({ numMalicious: 1 }).aggregate({ round: 1, global: zeros(2), results: seven });
    close(out.params, [2, 3.2 / 3]);
    assert.deepEqual(out.flagged.sort(), ["node-5", "node-6"]);
  });

  it("refuses n < 4f + 3", () => {
    assert.throws(() => new Bulyan({ numMalicious: 1 }).aggregate({ round: 1, global: zeros(2), results: seven.slice(0, 6) }), (e: unknown) => e instanceof InsufficientUpdatesError && e.required === 7);
  });
});

describe("CenteredClipping", () => {
  it("clips each delta to radius τ around the centre before averaging", () => {
    const s = new CenteredClipping({ tau: 1, iterations: 1, momentum: 0 });
    // Deltas (0.5,0), (0,0.5) pass; (10,0) is clipped to (1,0). Mean = (1.5, 0.5)/3.
    const out = s.aggregate({ round: 1, global: zeros(2), results: results([[0.5, 0], [0, 0.5], [10, 0]]) });
    close(out.params, [0.5, 0.5 / 3]);
    assert.equal(out.info.clippedInLastIteration, 1);
  });

  it("bounds a single outlier's pull no matter how large it is", () => {
    const s = new CenteredClipping({ tau: 1, iterations: 3, momentum: 0 });
    const honest = Array.from({ length: 9 }, () => [1, 1]);
    const out = s.aggregate({ round: 1, global: zeros(2), results: results([...honest, [1e9, -1e9]]) });
    assert.ok(Math.abs((out.params[0] as number) - 1) < 0.35 && Math.abs((out.params[1] as number) - 1) < 0.35, `got ${out.params}`);
  });

  it("refuses τ ≤ 0 and zero iterations", () => {
    assert.throws(() => new CenteredClipping({ tau: 0 }), InvalidStrategyConfigError);
    assert.throws(() => new CenteredClipping({ tau: 1, iterations: 0 }), InvalidStrategyConfigError);
  });
});

describe("NormClipping", () => {
  it("scales deltas to norm ≤ M and averages them by example count", () => {
    const out = new NormClipping({ maxNorm: 1 }).aggregate({ round: 1, global: Float32Array.from([1, 1]), results: results([[4, 5], [1, 1.5]]) });
    // Deltas (3,4) → (0.6,0.8); (0,0.5) kept. Mean (0.3, 0.65) + global.
    close(out.params, [1.3, 1.65]);
    assert.equal(out.info.clipped, 1);
  });

  it("refuses M ≤ 0", () => {
    assert.throws(() => new NormClipping({ maxNorm: 0 }), InvalidStrategyConfigError);
  });
});

describe("createStrategy", () => {
  it("builds every registered strategy from its config", () => {
    const configs: Record<string, object> = {
      fedprox: { proximalMu: 0.01 },
      krum: { numMalicious: 1 },
      multikrum: { numMalicious: 1 },
      bulyan: { numMalicious: 1 },
      "centered-clipping": { tau: 1 },
      "norm-clipping": { maxNorm: 1 },
    };
    for (const name of strategyNames) assert.equal(createStrategy({ name, ...configs[name] }).name, name);
  });

  it("names unknown strategies and invalid fields", () => {
    assert.throws(() => createStrategy({ name: "fedsgd" }), UnknownStrategyError);
    assert.throws(() => createStrategy({ name: "krum" }), InvalidStrategyConfigError);
    assert.throws(() => createStrategy({ name: "bulyan", numMalicious: -2 }), InvalidStrategyConfigError);
  });
});
