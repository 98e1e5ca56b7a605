import type { Attack, AttackContext } from "./attack.ts";

/**
 * Gaussian attack: ignores its data and sends w + N(0, σ²I), the "Gaussian Byzantine"
 * baseline of Blanchard et al. (2017) and Flower's robustness benchmarks.
 *
 * @param options.std - σ > 0, default 1.
 */
export function createGaussianNoise(options: { std?: number } = {}): Attack {
  const std = options.std ?? 1;
  return {
    kind: "gaussian-noise",
    poison({ global, rng }: AttackContext): Float32Array {
      const out = new Float32Array(global.length);
      for (let j = 0; j < out.length; j++) out[j] = (global[j] as number) + std * rng.normal();
      return out;
    },
  };
}
