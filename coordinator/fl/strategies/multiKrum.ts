import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { argSmallest, krumScores, pairwiseSquaredDistances, weightedMean } from "./aggregation.ts";
import { checkNumMalicious } from "./krum.ts";
import { BaseStrategy, type AggregateInput, type AggregateOutput, type StrategyName } from "./strategy.ts";

/**
 * Multi-Krum: keeps the m updates with the best Krum scores and returns their
 * example-weighted mean (Flower's `aggregate_krum` with `to_keep = m`). Blanchard et
 * al. (2017); El Mhamdi, Guerraoui & Rouault (2018) for m = n − f. Requires
 * n > 2f + 2 and n ≥ m + f; the n − m clients left out are flagged.
 *
 * @param options.numMalicious - f.
 * @param options.numToKeep - m; default n − f of each round.
 */
export class MultiKrum extends BaseStrategy {
  readonly name: StrategyName = "multikrum";
  readonly numMalicious: number;
  readonly numToKeep: number | undefined;

  constructor(options: { numMalicious: number; numToKeep?: number }) {
    super();
    checkNumMalicious("multikrum", options.numMalicious);
    if (options.numToKeep !== undefined && (!Number.isInteger(options.numToKeep) || options.numToKeep < 1)) {
      throw new InvalidStrategyConfigError({ strategy: this.name, field: "numToKeep", reason: `must be an integer ≥ 1, got ${options.numToKeep}` });
    }
    this.numMalicious = options.numMalicious;
    this.numToKeep = options.numToKeep;
  }

  override minResults(): number {
    return Math.max(2 * this.numMalicious + 3, (this.numToKeep ?? 0) + this.numMalicious);
  }

  protected override minRule(): string {
    return `Multi-Krum requires n > 2f + 2 and n ≥ m + f with f = ${this.numMalicious}, m = ${this.numToKeep ?? "n − f"}`;
  }

  summary(): Record<string, number | string | boolean> {
    return { strategy: this.name, numMalicious: this.numMalicious, numToKeep: this.numToKeep ?? "n-f" };
  }

  protected combine({ results }: AggregateInput): AggregateOutput {
    const n = results.length;
    const m = this.numToKeep ?? n - this.numMalicious;
    const distances = pairwiseSquaredDistances(results.map((r) => r.params));
    const scores = krumScores(distances, n, results.map((_, i) => i), this.numMalicious);
    const keep = new Set(argSmallest(scores, m));
    const kept = results.filter((_, i) => keep.has(i));
    return {
      params: weightedMean(
        kept.map((r) => r.params),
        kept.map((r) => r.numExamples),
      ),
      flagged: results.filter((_, i) => !keep.has(i)).map((r) => r.nodeId),
      info: { kept: m },
    };
  }
}
