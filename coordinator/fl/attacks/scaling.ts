import type { Attack, AttackContext } from "./attack.ts";

/**
 * Scaling (boosting): sends w + λ·(w' − w) so a single client dominates the mean.
 * Bhagoji, Chakraborty, Mittal & Calo (2019), "Analyzing Federated Learning through
 * an Adversarial Lens". Norm clipping is the matching defence.
 *
 * @param options.factor - λ, default 10.
 */
export function createScaling(options: { factor?: number } = {}): Attack {
  const factor = options.factor ?? 10;
  return {
    kind: "scaling",
    poison({ global, honest }: AttackContext): Float32Array {
      const out = new Float32Array(global.length);
      for (let j = 0; j < out.length; j++) out[j] = (global[j] as number) + factor * ((honest[j] as number) - (global[j] as number));
      return out;
    },
  };
}
