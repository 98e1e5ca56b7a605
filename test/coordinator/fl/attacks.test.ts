import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidStrategyConfigError } from "../../../coordinator/errors/fl.ts";
import { AlieCoalition, alieZ, normalQuantile } from "../../../coordinator/fl/attacks/alie.ts";
import { createAttack } from "../../../coordinator/fl/attacks/createAttack.ts";
import { createRng } from "../../../coordinator/fl/random.ts";

const context = { round: 1, global: Float32Array.from([1, 1]), honest: Float32Array.from([2, 3]), rng: createRng(1) };

describe("attacks", () => {
  it("sign flip reverses the honest update", () => {
    assert.deepEqual([...createAttack({ kind: "sign-flip" }).poison(context)], [0, -1]);
  });

  it("scaling boosts the honest update", () => {
    assert.deepEqual([...createAttack({ kind: "scaling", factor: 10 }).poison(context)], [11, 21]);
  });

  it("gaussian noise ignores the data and adds N(0, σ²)", () => {
    const out = createAttack({ kind: "gaussian-noise", std: 3 }).poison({ ...context, global: new Float32Array(10000), honest: new Float32Array(10000) });
    const std = Math.sqrt(out.reduce((s, v) => s + v * v, 0) / out.length);
    assert.ok(Math.abs(std - 3) < 0.1);
  });

  it("label flip maps y to C − 1 − y before training", () => {
    const attack = createAttack({ kind: "label-flip" });
    assert.equal(attack.labelTransform?.(2, 10), 7);
  });

  it("NaN injection puts non-finite values in the update", () => {
    const out = createAttack({ kind: "nan-injection", fraction: 0.5 }).poison(context);
    assert.ok(out.some((v) => !Number.isFinite(v)));
  });

  it("ALIE sends μ − zσ of the coalition's honest updates, z from Baruch et al.", () => {
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    // n = 50, f = 12: s = 26 − 12 = 14, z = Φ⁻¹(36/50) ≈ 0.5828.
    assert.ok(Math.abs(alieZ(50, 12) - 0.5828) < 1e-3);
    const coalition = new AlieCoalition({ z: 1 });
    coalition.register("a", () => Float32Array.from([0, 10]));
    coalition.register("b", () => Float32Array.from([2, 10]));
    const attack = createAttack({ kind: "alie" }, { coalition });
    assert.deepEqual([...attack.poison(context)], [0, 10]);
    assert.throws(() => createAttack({ kind: "alie" }), InvalidStrategyConfigError);
    assert.throws(() => createAttack({ kind: "melt" }), InvalidStrategyConfigError);
  });
});
