/**
 * Privacy accounting for the Gaussian mechanism in zero-concentrated DP (Bun & Steinke
 * 2016, "Concentrated Differential Privacy: Simplifications, Extensions, and Lower
 * Bounds"). One round with noise multiplier z (noise std = z × sensitivity) is
 * ρ = 1/(2z²)-zCDP; T rounds compose to Tρ; and ρ-zCDP implies
 * (ρ + 2√(ρ·ln(1/δ)), δ)-DP. Client subsampling would amplify privacy further; it is
 * deliberately ignored, so the reported ε is an upper bound.
 *
 * @param options.noiseMultiplier - z > 0.
 * @param options.rounds - rounds released so far.
 * @param options.delta - target δ in (0, 1).
 * @returns ε spent after `rounds` rounds at `delta`.
 */
export function gaussianEpsilon(options: { noiseMultiplier: number; rounds: number; delta: number }): number {
  const rho = options.rounds / (2 * options.noiseMultiplier ** 2);
  if (rho === 0) return 0;
  return rho + 2 * Math.sqrt(rho * Math.log(1 / options.delta));
}
