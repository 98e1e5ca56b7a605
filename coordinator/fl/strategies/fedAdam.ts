import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import { weightedMean } from "./aggregation.ts";
import { BaseStrategy, type AggregateInput, type AggregateOutput, type StrategyName } from "./strategy.ts";

/**
 * FedAdam: Adam on the server over the pseudo-gradient Δ = avg − w. Reddi et al.
 * (2021), "Adaptive Federated Optimization". As in Flower's `FedAdam`:
 * `m ← β₁m + (1−β₁)Δ`, `v ← β₂v + (1−β₂)Δ²`,
 * `w ← w + η·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + τ)`.
 *
 * @param options.eta - server learning rate η > 0, default 0.1.
 * @param options.beta1 - β₁ in [0, 1), default 0.9.
 * @param options.beta2 - β₂ in [0, 1), default 0.99.
 * @param options.tau - adaptivity τ > 0, default 1e-9.
 */
export class FedAdam extends BaseStrategy {
  readonly name: StrategyName = "fedadam";
  readonly eta: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;
  #m: Float64Array | undefined;
  #v: Float64Array | undefined;
  #t = 0;

  constructor(options: { eta?: number; beta1?: number; beta2?: number; tau?: number } = {}) {
    super();
    this.eta = options.eta ?? 0.1;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.99;
    this.tau = options.tau ?? 1e-9;
    const check = (field: string, ok: boolean, value: number, rule: string): void => {
      if (!ok) throw new InvalidStrategyConfigError({ strategy: this.name, field, reason: `${rule}, got ${value}` });
    };
    check("eta", this.eta > 0, this.eta, "must be > 0");
    check("beta1", this.beta1 >= 0 && this.beta1 < 1, this.beta1, "must be in [0, 1)");
    check("beta2", this.beta2 >= 0 && this.beta2 < 1, this.beta2, "must be in [0, 1)");
    check("tau", this.tau > 0, this.tau, "must be > 0");
  }

  summary(): Record<string, number | string | boolean> {
    return { strategy: this.name, eta: this.eta, beta1: this.beta1, beta2: this.beta2, tau: this.tau };
  }

  protected combine({ global, results }: AggregateInput): AggregateOutput {
    const avg = weightedMean(
      results.map((r) => r.params),
      results.map((r) => r.numExamples),
    );
    const d = global.length;
    if (!this.#m || this.#m.length !== d) {
      this.#m = new Float64Array(d);
      this.#v = new Float64Array(d);
      this.#t = 0;
    }
    const m = this.#m;
    const v = this.#v as Float64Array;
    this.#t += 1;
    const etaNorm = (this.eta * Math.sqrt(1 - this.beta2 ** this.#t)) / (1 - this.beta1 ** this.#t);
    const params = new Float32Array(d);
    for (let j = 0; j < d; j++) {
      const delta = (avg[j] as number) - (global[j] as number);
      m[j] = this.beta1 * (m[j] as number) + (1 - this.beta1) * delta;
      v[j] = this.beta2 * (v[j] as number) + (1 - this.beta2) * delta * delta;
      params[j] = (global[j] as number) + (etaNorm * (m[j] as number)) / (Math.sqrt(v[j] as number) + this.tau);
    }
    return { params, flagged: [], info: {} };
  }
}
