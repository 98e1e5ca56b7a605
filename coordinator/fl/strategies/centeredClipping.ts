import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { BaseStrategy, type AggregateInput, type AggregateOutput, type StrategyName } from "./strategy.ts";

/**
 * Centered clipping: starting from the previous round's aggregate update v (server
 * momentum), iterate `v ← v + (1/n)·Σ (Δᵢ − v)·min(1, τ/‖Δᵢ − v‖)` over the client
 * deltas Δᵢ = wᵢ − w. Karimireddy, He & Jaggi (2021), "Learning from History for
 * Byzantine Robust Optimization". Each Byzantine client can move v by at most τ/n per
 * iteration, whatever it sends.
 *
 * @param options.tau - clipping radius τ > 0.
 * @param options.iterations - L ≥ 1 clipping iterations per round, default 3.
 * @param options.momentum - how much of the previous aggregate seeds v, in [0, 1); default 0.5 (0 = start from zero).
 */
export class CenteredClipping extends BaseStrategy {
  readonly name: StrategyName = "centered-clipping";
  readonly tau: number;
  readonly iterations: number;
  readonly momentum: number;
  #previous: Float64Array | undefined;

  constructor(options: { tau: number; iterations?: number; momentum?: number }) {
    super();
    this.tau = options.tau;
    this.iterations = options.iterations ?? 3;
    this.momentum = options.momentum ?? 0.5;
    if (!(this.tau > 0) || !Number.isFinite(this.tau)) {
      throw new InvalidStrategyConfigError({ strategy: this.name, field: "tau", reason: `must be a finite number > 0, got ${this.tau}` });
    }
    if (!Number.isInteger(this.iterations) || this.iterations < 1) {
      throw new InvalidStrategyConfigError({ strategy: this.name, field: "iterations", reason: `must be an integer ≥ 1, got ${this.iterations}` });
    }
    if (!(this.momentum >= 0 && this.momentum < 1)) {
      throw new InvalidStrategyConfigError({ strategy: this.name, field: "momentum", reason: `must be in [0, 1), got ${this.momentum}` });
    }
  }

  summary(): Record<string, number | string | boolean> {
    return { strategy: this.name, tau: this.tau, iterations: this.iterations, momentum: this.momentum };
  }

  protected combine({ global, results }: AggregateInput): AggregateOutput {
    const d = global.length;
    const n = results.length;
    const v = new Float64Array(d);
    if (this.#previous && this.#previous.length === d) for (let j = 0; j < d; j++) v[j] = this.momentum * (this.#previous[j] as number);
    const step = new Float64Array(d);
    let clipped = 0;
    for (let it = 0; it < this.iterations; it++) {
      step.fill(0);
      clipped = 0;
      for (const r of results) {
        let sq = 0;
        for (let j = 0; j < d; j++) {
          const t = (r.params[j] as number) - (global[j] as number) - (v[j] as number);
          sq += t * t;
        }
        const norm = Math.sqrt(sq);
        const scale = norm > this.tau ? this.tau / norm : 1;
        if (scale < 1) clipped++;
        for (let j = 0; j < d; j++) step[j] = (step[j] as number) + scale * ((r.params[j] as number) - (global[j] as number) - (v[j] as number));
      }
      for (let j = 0; j < d; j++) v[j] = (v[j] as number) + (step[j] as number) / n;
    }
    this.#previous = v;
    const params = new Float32Array(d);
    for (let j = 0; j < d; j++) params[j] = (global[j] as number) + (v[j] as number);
    return { params, flagged: [], info: { clippedInLastIteration: clipped } };
  }
}
