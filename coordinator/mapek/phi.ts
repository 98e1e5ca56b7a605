/**
 * The health value φ and the MAPE-K states it maps to.
 *
 * The original scenario's thresholds 1.456, 1.133, 0.809 and 0.485 are the golden
 * ratio Φ = (1 + √5)/2 ≈ 1.618 times 0.9, 0.7, 0.5 and 0.3. So we define
 *
 *     φ = Φ · H,   H = A^0.4 · R^0.2 · Q^0.2 · L^0.1 · T^0.1   (each factor in [0, 1])
 *
 * and the states mean "H ≥ 90 %", "≥ 70 %", "≥ 50 %", "≥ 30 %", and below:
 * - A, availability: share of nodes that are healthy (fresh heartbeat, reachable,
 *   not excluded, not overloaded, clock in sync);
 * - R, round success: share of the last rounds that completed;
 * - Q, model quality: the latest held-out accuracy relative to the best recent one;
 * - L, responsiveness: latency budget / measured coordinator API latency, capped at 1;
 * - T, trust: 1 − share of nodes currently suspected Byzantine.
 * A weighted geometric mean, so one collapsed factor pulls H down however good the
 * others are (an arithmetic mean would let 100 % availability hide 0 % round success).
 * Weights favour availability: it is what the mesh is for.
 */
import { InvalidThresholdsError } from "../errors/mapek.ts";
import type { MapekState } from "../knowledge/schemas/index.ts";

/** The golden ratio, φ's ceiling. */
export const GOLDEN_RATIO = (1 + Math.sqrt(5)) / 2;

/** Exponents of the factors in H (they sum to 1). */
export const PHI_WEIGHTS = { availability: 0.4, roundSuccess: 0.2, quality: 0.2, responsiveness: 0.1, trust: 0.1 } as const;

/** The factors of H, each in [0, 1]. */
export type PhiFactors = { availability: number; roundSuccess: number; quality: number; responsiveness: number; trust: number };

/**
 * Computes φ from its factors (each clamped to [0, 1]).
 *
 * @param factors - availability, roundSuccess, quality, responsiveness, trust.
 * @returns φ in [0, Φ].
 * @example
 * import { computePhi } from "./phi.ts";
 * computePhi({ availability: 1, roundSuccess: 1, quality: 1, responsiveness: 1, trust: 1 }); // 1.618…
 */
export function computePhi(factors: PhiFactors): number {
  let h = 1;
  for (const [name, weight] of Object.entries(PHI_WEIGHTS) as [keyof PhiFactors, number][]) {
    const value = Math.min(1, Math.max(0, factors[name]));
    h *= value ** weight;
  }
  return GOLDEN_RATIO * h;
}

/** State thresholds in φ units (MeshPolicy stores them × 1000). */
export type PhiThresholds = { euphoric: number; harmonic: number; contemplative: number; mystical: number };

/**
 * Reads the thresholds from MeshPolicy values (`mapek.*Milli`, thousandths).
 *
 * @throws {InvalidThresholdsError} unless euphoric > harmonic > contemplative > mystical.
 */
export function thresholdsFromPolicy(policy: { "mapek.euphoricMilli": bigint; "mapek.harmonicMilli": bigint; "mapek.contemplativeMilli": bigint; "mapek.mysticalMilli": bigint }): PhiThresholds {
  const t = {
    euphoric: Number(policy["mapek.euphoricMilli"]) / 1000,
    harmonic: Number(policy["mapek.harmonicMilli"]) / 1000,
    contemplative: Number(policy["mapek.contemplativeMilli"]) / 1000,
    mystical: Number(policy["mapek.mysticalMilli"]) / 1000,
  };
  if (!(t.euphoric > t.harmonic && t.harmonic > t.contemplative && t.contemplative > t.mystical)) throw new InvalidThresholdsError({ thresholds: t });
  return t;
}

/**
 * Maps φ to a state. QUIESCENT is not a φ band: the loop is in it while healing
 * actions it started have not finished (`recovering`).
 *
 * States are the schema's string names and are compared as strings everywhere: the
 * original kept an integer enum and compared it with state names, so its
 * "entering EUPHORIC" branch never ran.
 *
 * @param phi - the health value.
 * @param thresholds - from {@link thresholdsFromPolicy}.
 * @param recovering - whether healing is in progress.
 */
export function classifyPhi(phi: number, thresholds: PhiThresholds, recovering = false): MapekState {
  if (recovering) return "QUIESCENT";
  if (phi >= thresholds.euphoric) return "EUPHORIC";
  if (phi >= thresholds.harmonic) return "HARMONIC";
  if (phi >= thresholds.contemplative) return "CONTEMPLATIVE";
  if (phi >= thresholds.mystical) return "MYSTICAL";
  return "CHAOTIC";
}
