import type { Attack, AttackContext } from "./attack.ts";

/**
 * Sign flip: sends w − s·(w' − w), the honest update reversed and scaled (Damaskinos
 * et al. 2018, "Asynchronous Byzantine Machine Learning"; the "reversed gradient" of
 * Blanchard et al. 2017).
 *
 * @param options.scale - s > 0, default 1.
 */
export function createSignFlip(options: { scale?: number } = {}): Attack {
  const scale = options.scale ?? 1;
  return {
    kind: "sign-flip",
    poison({ global, honest }: AttackContext): Float32Array {
      const out = new Float32Array(global.length);
      for (let j = 0; j < out.length; j++) out[j] = (global[j] as number) - scale * ((honest[j] as number) - (global[j] as number));
      return out;
    },
  };
}
