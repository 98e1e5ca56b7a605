import { InvalidStrategyConfigError } from "../../errors/fl.ts";
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
    const acc = new Float64Array(d);
    const total = results.reduce((s, r) => s + r.numExamples, 0);
    let clipped = 0;
    for (const r of results) {
      let sq = 0;
      for (let j = 0; j < d; j++) sq += ((r.params[j] as number) - (global[j] as number)) ** 2;
      const norm = Math.sqrt(sq);
      const scale = norm > this.maxNorm ? this.maxNorm / norm : 1;
      if (scale < 1) clipped++;
      const w = (scale * r.numExamples) / total;
      for (let j = 0; j < d; j++) acc[j] = (acc[j] as number) + w * ((r.params[j] as number) - (global[j] as number));
    }
    const params = new Float32Array(d);
    for (let j = 0; j < d; j++) params[j] = (global[j] as number) + (acc[j] as number);
    return { params, flagged: [], info: { clipped } };
  }
}
