import type { Attack, AttackContext } from "./attack.ts";

/**
 * NaN/Inf injection: corrupts a share of coordinates with NaN, +Inf or −Inf. Not an
 * attack from a paper but a fault every aggregator must survive: validation rejects
 * such updates before they reach a strategy.
 *
 * @param options.fraction - share of coordinates corrupted, default 0.01 (at least one).
 */
export function createNanInjection(options: { fraction?: number } = {}): Attack {
  const fraction = options.fraction ?? 0.01;
  const poisons = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  return {
    kind: "nan-injection",
    poison({ honest, rng }: AttackContext): Float32Array {
      const out = honest.slice();
      const count = Math.max(1, Math.round(fraction * out.length));
      for (let k = 0; k < count; k++) out[rng.int(out.length)] = poisons[k % 3] as number;
      return out;
    },
  };
}
