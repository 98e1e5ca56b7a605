import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { weightedMean } from "./aggregation.ts";
import { BaseStrategy, type AggregateInput, type AggregateOutput, type StrategyName } from "./strategy.ts";

/**
 * FedAvgM: FedAvg's result taken as a pseudo-gradient `g = w − avg`, smoothed by
 * server momentum `m ← β·m + g` and applied as `w ← w − η·m`. Hsu, Qi & Brown
 * (2019), "Measuring the Effects of Non-Identical Data Distribution for Federated
 * Visual Classification". Semantics match Flower's `FedAvgM` (first round: m = g).
 *
 * @param options.serverLearningRate - η > 0, default 1.
 * @param options.serverMomentum - β in [0, 1), default 0.9.
 */
export class FedAvgM extends BaseStrategy {
  readonly name: StrategyName = "fedavgm";
  readonly serverLearningRate: number;
  readonly serverMomentum: number;
  #momentum: Float64Array | undefined;

  constructor(options: { serverLearningRate?: number; serverMomentum?: number } = {}) {
    super();
    this.serverLearningRate = options.serverLearningRate ?? 1;
    this.serverMomentum = options.serverMomentum ?? 0.9;
    if (!(this.serverLearningRate > 0)) {
      throw new InvalidStrategyConfigError({ strategy: this.name, field: "serverLearningRate", reason: `must be > 0, got ${this.serverLearningRate}` });
    }
    if (!(this.serverMomentum >= 0 && this.serverMomentum < 1)) {
      throw new InvalidStrategyConfigError({ strategy: this.name, field: "serverMomentum", reason: `must be in [0, 1), got ${this.serverMomentum}` });
    }
  }

  summary(): Record<string, number | string | boolean> {
    return { strategy: this.name, serverLearningRate: this.serverLearningRate, serverMomentum: this.serverMomentum };
  }

  protected combine({ global, results }: AggregateInput): AggregateOutput {
    const avg = weightedMean(
      results.map((r) => r.params),
      results.map((r) => r.numExamples),
    );
    const d = global.length;
    if (!this.#momentum || this.#momentum.length !== d) {
      this.#momentum = new Float64Array(d);
      for (let j = 0; j < d; j++) this.#momentum[j] = (global[j] as number) - (avg[j] as number);
    } else {
      for (let j = 0; j < d; j++) {
        this.#momentum[j] = this.serverMomentum * (this.#momentum[j] as number) + (global[j] as number) - (avg[j] as number);
      }
    }
    const params = new Float32Array(d);
    for (let j = 0; j < d; j++) params[j] = (global[j] as number) - this.serverLearningRate * (this.#momentum[j] as number);
    return { params, flagged: [], info: {} };
  }
}
