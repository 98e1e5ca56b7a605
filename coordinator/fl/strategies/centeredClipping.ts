import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { squaredDistancesTo, weightedMean } from "./aggregation.ts";
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
    const params = results.map((r) => r.params);
    const v = new Float64Array(d);
    if (this.#previous && this.#previous.length === d) for (let j = 0; j < d; j++) v[j] = this.momentum * (this.#previous[j] as number);
    const centre = new Float32Array(d);
    let clipped = 0;
    for (let it = 0; it < this.iterations; it++) {
      // ‖Δᵢ − v‖ = ‖wᵢ − (w + v)‖, measured from the centre w + v (rounded to float32).
      for (let j = 0; j < d; j++) centre[j] = (global[j] as number) + (v[j] as number);
      const norms = squaredDistancesTo(params, centre).map(Math.sqrt);
      clipped = 0;
      const scales = norms.map((norm) => {
        const scale = norm > this.tau ? this.tau / norm : 1;
        if (scale < 1) clipped++;
        return scale;
      });
      // (1/n)·Σ sᵢ·(wᵢ − w − v) = S·(m − w − v), S = Σ sᵢ / n, m the sᵢ-weighted mean of the wᵢ.
      const total = scales.reduce((s, x) => s + x, 0);
      const mean = weightedMean(params, Array.from(scales));
      for (let j = 0; j < d; j++) v[j] = (v[j] as number) + (total / n) * ((mean[j] as number) - (global[j] as number) - (v[j] as number));
    }
    this.#previous = v;
    const out = new Float32Array(d);
    for (let j = 0; j < d; j++) out[j] = (global[j] as number) + (v[j] as number);
    return { params: out, flagged: [], info: { clippedInLastIteration: clipped } };
  }
}
