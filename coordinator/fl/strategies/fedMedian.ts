import { coordinateMedian } from "./aggregation.ts";
import { BaseStrategy, type AggregateInput, type AggregateOutput, type StrategyName } from "./strategy.ts";

/**
 * FedMedian: coordinate-wise median of client parameters, unweighted. Yin et al.
 * (2018), "Byzantine-Robust Distributed Learning: Towards Optimal Statistical Rates".
 * Robust while fewer than half the clients are Byzantine in every coordinate.
 */
export class FedMedian extends BaseStrategy {
  readonly name: StrategyName = "fedmedian";

  summary(): Record<string, number | string | boolean> {
    return { strategy: this.name };
  }

  protected combine({ results }: AggregateInput): AggregateOutput {
    return { params: coordinateMedian(results.map((r) => r.params)), flagged: [], info: {} };
  }
}
