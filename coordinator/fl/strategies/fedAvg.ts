import { weightedMean } from "./aggregation.ts";
import { BaseStrategy, type AggregateInput, type AggregateOutput, type StrategyName } from "./strategy.ts";

/**
 * FedAvg: example-weighted mean of client parameters. McMahan et al. (2017),
 * "Communication-Efficient Learning of Deep Networks from Decentralized Data".
 * Not robust: one Byzantine client can move the result arbitrarily.
 *
 * @example
 * import { FedAvg } from "./fedAvg.ts";
 * const strategy = new FedAvg();
 */
export class FedAvg extends BaseStrategy {
  readonly name: StrategyName = "fedavg";

  summary(): Record<string, number | string | boolean> {
    return { strategy: this.name };
  }

  protected combine({ results }: AggregateInput): AggregateOutput {
    return {
      params: weightedMean(
        results.map((r) => r.params),
        results.map((r) => r.numExamples),
      ),
      flagged: [],
      info: {},
    };
  }
}
