import { argSmallest, coordinateMedian, krumScores, pairwiseSquaredDistances } from "./aggregation.ts";
import { checkNumMalicious } from "./krum.ts";
import { BaseStrategy, type AggregateInput, type AggregateOutput, type StrategyName } from "./strategy.ts";

/**
 * Bulyan: picks θ = n − 2f updates by repeated Krum (each pick removed from the pool),
 * then, per coordinate, averages the β = θ − 2f values closest to the selection's
 * median. El Mhamdi, Guerraoui & Rouault (2018), "The Hidden Vulnerability of
 * Distributed Learning in Byzantium". Follows Flower's `aggregate_bulyan`. Requires
 * n ≥ 4f + 3; the 2f clients never selected are flagged.
 *
 * @param options.numMalicious - f.
 */
export class Bulyan extends BaseStrategy {
  readonly name: StrategyName = "bulyan";
  readonly numMalicious: number;

  constructor(options: { numMalicious: number }) {
    super();
    checkNumMalicious("bulyan", options.numMalicious);
    this.numMalicious = options.numMalicious;
  }

  override minResults(): number {
    return 4 * this.numMalicious + 3;
  }

  protected override minRule(): string {
    return `Bulyan requires n ≥ 4f + 3 with f = ${this.numMalicious}`;
  }

  summary(): Record<string, number | string | boolean> {
    return { strategy: this.name, numMalicious: this.numMalicious };
  }

  protected combine({ results }: AggregateInput): AggregateOutput {
    const n = results.length;
    const f = this.numMalicious;
    const theta = n - 2 * f;
    const beta = theta - 2 * f;
    const vectors = results.map((r) => r.params);
    const distances = pairwiseSquaredDistances(vectors);
    let pool = results.map((_, i) => i);
    const selected: number[] = [];
    for (let k = 0; k < theta; k++) {
      const scores = krumScores(distances, n, pool, f);
      const [best] = argSmallest(scores, 1) as [number];
      selected.push(pool[best] as number);
      pool = pool.filter((_, i) => i !== best);
    }
    const chosen = selected.map((i) => vectors[i] as Float32Array);
    const median = coordinateMedian(chosen);
    const d = median.length;
    const params = new Float32Array(d);
    const gaps = new Float64Array(theta);
    const order = new Uint32Array(theta);
    for (let j = 0; j < d; j++) {
      const mj = median[j] as number;
      for (let i = 0; i < theta; i++) {
        gaps[i] = Math.abs(((chosen[i] as Float32Array)[j] as number) - mj);
        order[i] = i;
      }
      order.sort((a, b) => (gaps[a] as number) - (gaps[b] as number));
      let s = 0;
      for (let t = 0; t < beta; t++) s += (chosen[order[t] as number] as Float32Array)[j] as number;
      params[j] = s / beta;
    }
    return { params, flagged: pool.map((i) => (results[i] as (typeof results)[number]).nodeId), info: { selected: theta, averagedPerCoordinate: beta } };
  }
}
