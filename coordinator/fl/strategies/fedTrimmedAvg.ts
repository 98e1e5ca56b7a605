import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { trimmedMean } from "./aggregation.ts";
import { BaseStrategy, type AggregateInput, type AggregateOutput, type StrategyName } from "./strategy.ts";

/**
 * FedTrimmedAvg: coordinate-wise β-trimmed mean, unweighted. Yin et al. (2018),
 * "Byzantine-Robust Distributed Learning: Towards Optimal Statistical Rates"; the
 * trimming matches Flower's `FedTrimmedAvg` (scipy `trim_mean`, floor(β·n) per side).
 *
 * @param options.beta - fraction cut from each end, in [0, 0.5); default 0.2 (Flower).
 */
export class FedTrimmedAvg extends BaseStrategy {
  readonly name: StrategyName = "fedtrimmedavg";
  readonly beta: number;

  constructor(options: { beta?: number } = {}) {
    super();
    this.beta = options.beta ?? 0.2;
    if (!(this.beta >= 0 && this.beta < 0.5)) {
      // β ≥ 0.5 would cut every value (scipy: "Proportion too big").
      throw new InvalidStrategyConfigError({ strategy: this.name, field: "beta", reason: `must be in [0, 0.5), got ${this.beta}` });
    }
  }

  summary(): Record<string, number | string | boolean> {
    return { strategy: this.name, beta: this.beta };
  }

  protected combine({ results }: AggregateInput): AggregateOutput {
    const trimmed = Math.floor(this.beta * results.length);
    return { params: trimmedMean(results.map((r) => r.params), this.beta), flagged: [], info: { trimmedPerSide: trimmed } };
  }
}
