import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { createRng, type Rng } from "../random.ts";
import type { AggregateInput, AggregateOutput, FitConfig, Strategy, StrategyName } from "../strategies/strategy.ts";
import { gaussianEpsilon } from "./privacyAccountant.ts";

/** Inner strategies whose output is a (post-processed) mean, so sensitivity is C/n. */
const MEAN_BASED = new Set(["fedavg", "fedavgm", "fedadam", "fedprox"]);

/** Privacy spent so far, reported each round. */
export type PrivacySpent = { epsilon: number; delta: number; rounds: number; noiseStd: number };

/**
 * Server-side user-level DP with fixed clipping, as Flower's
 * `DifferentialPrivacyServerSideFixedClipping` (McMahan, Ramage, Talwar & Zhang 2018,
 * "Learning Differentially Private Recurrent Language Models"): every client delta is
 * clipped to norm C, the inner strategy averages them with **equal** weights (example
 * counts would let one client exceed sensitivity C/n), and Gaussian noise of std
 * z·C/n is added to the result. ε at δ is accounted with zCDP ({@link gaussianEpsilon}).
 *
 * Only mean-based inner strategies are accepted: a median or Krum has a different
 * sensitivity, and this noise would not make it private.
 *
 * @param inner - fedavg, fedavgm, fedadam or fedprox.
 * @param options.noiseMultiplier - z > 0.
 * @param options.clippingNorm - C > 0 (original default 1.0).
 * @param options.delta - δ in (0, 1) (original default 1e-5).
 * @param options.seed - seed of the noise.
 */
export class GaussianDp implements Strategy {
  readonly name: `dp(${StrategyName})`;
  readonly inner: Strategy;
  readonly noiseMultiplier: number;
  readonly clippingNorm: number;
  readonly delta: number;
  #rng: Rng;
  #rounds = 0;
  #lastNoiseStd = 0;

  constructor(inner: Strategy, options: { noiseMultiplier: number; clippingNorm: number; delta: number; seed: number }) {
    if (!MEAN_BASED.has(inner.name)) {
      throw new InvalidStrategyConfigError({ strategy: "gaussian-dp", field: "inner", reason: `must be one of ${[...MEAN_BASED].join(", ")} (noise is calibrated to a mean), got ${inner.name}` });
    }
    const check = (field: string, ok: boolean, rule: string, value: number): void => {
      if (!ok) throw new InvalidStrategyConfigError({ strategy: "gaussian-dp", field, reason: `${rule}, got ${value}` });
    };
    check("noiseMultiplier", options.noiseMultiplier > 0 && Number.isFinite(options.noiseMultiplier), "must be > 0", options.noiseMultiplier);
    check("clippingNorm", options.clippingNorm > 0 && Number.isFinite(options.clippingNorm), "must be > 0", options.clippingNorm);
    check("delta", options.delta > 0 && options.delta < 1, "must be in (0, 1)", options.delta);
    this.inner = inner;
    // MEAN_BASED only holds plain strategy names, so inner.name is a StrategyName here.
    this.name = `dp(${inner.name as StrategyName})`;
    this.noiseMultiplier = options.noiseMultiplier;
    this.clippingNorm = options.clippingNorm;
    this.delta = options.delta;
    this.#rng = createRng(options.seed);
  }

  minResults(): number {
    return this.inner.minResults();
  }

  fitConfig(round: number): FitConfig {
    return this.inner.fitConfig(round);
  }

  summary(): Record<string, number | string | boolean> {
    return { ...this.inner.summary(), dp: "gaussian-fixed-clipping", noiseMultiplier: this.noiseMultiplier, clippingNorm: this.clippingNorm, delta: this.delta };
  }

  /** ε spent over the rounds aggregated so far, at this wrapper's δ. */
  privacySpent(): PrivacySpent {
    return {
      epsilon: gaussianEpsilon({ noiseMultiplier: this.noiseMultiplier, rounds: this.#rounds, delta: this.delta }),
      delta: this.delta,
      rounds: this.#rounds,
      noiseStd: this.#lastNoiseStd,
    };
  }

  aggregate(input: AggregateInput): AggregateOutput {
    const { global } = input;
    const d = global.length;
    let clipped = 0;
    const results = input.results.map((r) => {
      let sq = 0;
      for (let j = 0; j < d; j++) sq += ((r.params[j] as number) - (global[j] as number)) ** 2;
      const norm = Math.sqrt(sq);
      const scale = norm > this.clippingNorm ? this.clippingNorm / norm : 1;
      if (scale < 1) clipped++;
      const params = new Float32Array(d);
      for (let j = 0; j < d; j++) params[j] = (global[j] as number) + scale * ((r.params[j] as number) - (global[j] as number));
      return { nodeId: r.nodeId, params, numExamples: 1 };
    });
    const out = this.inner.aggregate({ ...input, results });
    const std = (this.noiseMultiplier * this.clippingNorm) / results.length;
    const params = new Float32Array(d);
    for (let j = 0; j < d; j++) params[j] = (out.params[j] as number) + std * this.#rng.normal();
    this.#rounds += 1;
    this.#lastNoiseStd = std;
    const spent = this.privacySpent();
    return { params, flagged: out.flagged, info: { ...out.info, dpClipped: clipped, dpNoiseStd: std, epsilon: spent.epsilon, delta: this.delta } };
  }
}
