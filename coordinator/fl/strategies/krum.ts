import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { argSmallest, krumScores, pairwiseSquaredDistances } from "./aggregation.ts";
import { BaseStrategy, type AggregateInput, type AggregateOutput, type StrategyName } from "./strategy.ts";

/** Checks the assumed Byzantine count is a non-negative integer. */
export function checkNumMalicious(strategy: string, numMalicious: number): void {
  if (!Number.isInteger(numMalicious) || numMalicious < 0) {
    throw new InvalidStrategyConfigError({ strategy, field: "numMalicious", reason: `must be an integer ≥ 0, got ${numMalicious}` });
  }
}

/**
 * Krum: returns the single update whose n − f − 2 nearest neighbours are closest
 * (sum of squared distances). Blanchard, El Mhamdi, Guerraoui & Stainer (2017),
 * "Machine Learning with Adversaries: Byzantine Tolerant Gradient Descent".
 * Its guarantee needs n > 2f + 2, so fewer updates are refused.
 *
 * The f highest-scoring clients are flagged (not all n − 1 unselected ones: flagging
 * every honest client Krum did not pick is how the original banned honest nodes).
 *
 * @param options.numMalicious - f, the assumed number of Byzantine clients.
 */
export class Krum extends BaseStrategy {
  readonly name: StrategyName = "krum";
  readonly numMalicious: number;

  constructor(options: { numMalicious: number }) {
    super();
    checkNumMalicious("krum", options.numMalicious);
    this.numMalicious = options.numMalicious;
  }

  override minResults(): number {
    return 2 * this.numMalicious + 3;
  }

  protected override minRule(): string {
    return `Krum requires n > 2f + 2 with f = ${this.numMalicious}`;
  }

  summary(): Record<string, number | string | boolean> {
    return { strategy: this.name, numMalicious: this.numMalicious };
  }

  protected combine({ results }: AggregateInput): AggregateOutput {
    const n = results.length;
    const distances = pairwiseSquaredDistances(results.map((r) => r.params));
    const all = results.map((_, i) => i);
    const scores = krumScores(distances, n, all, this.numMalicious);
    const [best] = argSmallest(scores, 1) as [number];
    const worst = argSmallest(
      scores.map((s) => -s),
      this.numMalicious,
    );
    const chosen = results[best] as (typeof results)[number];
    return {
      params: chosen.params.slice(),
      flagged: worst.map((i) => (results[i] as (typeof results)[number]).nodeId),
      info: { selected: chosen.nodeId },
    };
  }
}
