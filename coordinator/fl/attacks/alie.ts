import { InvalidStrategyConfigError } from "../../errors/fl.ts";
import type { Attack, AttackContext } from "./attack.ts";

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
 *
 * @param p - probability in (0, 1).
 */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number): number => k.reduce((acc, v) => acc * x + v, 0);
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/**
 * The z of Baruch, Baruch & Goldberg (2019), "A Little Is Enough: Circumventing
 * Defenses For Distributed Learning": with n clients of which f collude,
 * s = ⌊n/2 + 1⌋ − f honest clients must be "won over", and z = Φ⁻¹((n − s)/n).
 *
 * @param n - clients per round.
 * @param f - colluding Byzantine clients.
 */
export function alieZ(n: number, f: number): number {
  const s = Math.floor(n / 2 + 1) - f;
  return normalQuantile(Math.min(Math.max((n - s) / n, 1e-6), 1 - 1e-6));
}

/**
 * The colluding group behind ALIE. Members register how they would train honestly;
 * for each round the coalition trains all of them once from the same global model and
 * publishes the coordinate-wise mean μ and std σ of those honest results — an
 * estimate from the attackers' own data only. For the paper's stronger, omniscient
 * setting, benign clients can be registered with {@link observe}: then μ and σ are
 * taken over their honest updates instead.
 */
export class AlieCoalition {
  readonly z: number;
  #members = new Map<string, (global: Float32Array) => Float32Array>();
  #observed = new Map<string, (global: Float32Array) => Float32Array>();
  #cacheRound = -1;
  #crafted: Float32Array | undefined;

  /**
   * @param options.z - deviation in σ units; default from {@link alieZ}(numClients, numByzantine).
   * @param options.numClients - n, used for the default z.
   * @param options.numByzantine - f, used for the default z.
   */
  constructor(options: { z?: number; numClients?: number; numByzantine?: number }) {
    if (options.z === undefined && (options.numClients === undefined || options.numByzantine === undefined)) {
      throw new InvalidStrategyConfigError({ strategy: "alie", field: "z", reason: "give z or both numClients and numByzantine" });
    }
    this.z = options.z ?? alieZ(options.numClients as number, options.numByzantine as number);
  }

  /** Adds a member's honest-training function (called once per round at most). */
  register(nodeId: string, trainHonestly: (global: Float32Array) => Float32Array): void {
    this.#members.set(nodeId, trainHonestly);
  }

  /** Omniscient setting: lets the coalition see a benign client's honest update. */
  observe(nodeId: string, trainHonestly: (global: Float32Array) => Float32Array): void {
    this.#observed.set(nodeId, trainHonestly);
  }

  /** The update every member sends this round: μ − z·σ (per coordinate). */
  craft(round: number, global: Float32Array): Float32Array {
    if (this.#crafted && this.#cacheRound === round && this.#crafted.length === global.length) return this.#crafted;
    const source = this.#observed.size ? this.#observed : this.#members;
    const results = [...source.values()].map((train) => train(global));
    const d = global.length;
    const n = results.length;
    const out = new Float32Array(d);
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (const r of results) s += r[j] as number;
      const mean = s / n;
      let v = 0;
      for (const r of results) v += ((r[j] as number) - mean) ** 2;
      out[j] = mean - this.z * Math.sqrt(v / n);
    }
    this.#cacheRound = round;
    this.#crafted = out;
    return out;
  }
}

/**
 * ALIE ("a little is enough"): every colluding node sends the same μ − z·σ, small
 * enough per coordinate to pass median, trimmed mean, Krum and Bulyan filters.
 *
 * @param coalition - the shared {@link AlieCoalition}.
 */
export function createAlie(coalition: AlieCoalition): Attack {
  return {
    kind: "alie",
    poison: ({ round, global }: AttackContext) => coalition.craft(round, global).slice(),
  };
}
