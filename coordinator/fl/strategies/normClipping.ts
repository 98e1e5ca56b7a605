import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { squaredDistancesTo, weightedMean } from "./aggregation.ts";
import { BaseStrategy, type AggregateInput, type AggregateOutput, type StrategyName } from "./strategy.ts";

/**
 * Norm clipping: each client delta Δᵢ = wᵢ − w is scaled to norm ≤ M, then the
 * clipped deltas are averaged by example count. Sun, Kairouz, Suresh & McMahan
 * (2019), "Can You Really Backdoor Federated Learning?". Bounds how far any single
 * client (e.g. a scaling attacker) can move the model; not a defence against many
 * small coordinated shifts.
 *
 * @param options.maxNorm - M > 0.
 */
export class NormClipping extends BaseStrategy {
  readonly name: StrategyName = "norm-clipping";
  readonly maxNorm: number;

  constructor(options: { maxNorm: number }) {
    super();
    this.maxNorm = options.maxNorm;
    if (!(this.maxNorm > 0) || !Number.isFinite(this.maxNorm)) {
      throw new InvalidStrategyConfigError({ strategy: this.name, field: "maxNorm", reason: `must be a finite number > 0, got ${this.maxNorm}` });
    }
  }

  summary(): Record<string, number | string | boolean> {
    return { strategy: this.name, maxNorm: this.maxNorm };
  }

  protected combine({ global, results }: AggregateInput): AggregateOutput {
    const d = global.length;
    const total = results.reduce((s, r) => s + r.numExamples, 0);
    const params = results.map((r) => r.params);
    const norms = squaredDistancesTo(params, global).map(Math.sqrt);
    let clipped = 0;
    // Σᵢ (nᵢ/N)·sᵢ·(wᵢ − w) = C·(m − w), with weights cᵢ = nᵢ·sᵢ, C = Σ cᵢ / N and m
    // their weighted mean of the wᵢ: one pass of the weighted-mean kernel.
    const coefficients = results.map((r, i) => {
      const norm = norms[i] as number;
      const scale = norm > this.maxNorm ? this.maxNorm / norm : 1;
      if (scale < 1) clipped++;
      return r.numExamples * scale;
    });
    const scale = coefficients.reduce((s, c) => s + c, 0) / total;
    const mean = weightedMean(params, coefficients);
    const out = new Float32Array(d);
    for (let j = 0; j < d; j++) out[j] = (global[j] as number) + scale * ((mean[j] as number) - (global[j] as number));
    return { params: out, flagged: [], info: { clipped } };
  }
}
