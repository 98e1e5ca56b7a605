/**
 * Seeded pseudo-random numbers, so every training run, partition and attack is
 * reproducible from one integer seed (Math.random() is never used in fl/).
 */
export type Rng = {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Gamma(shape, 1) sample; used by the Dirichlet partitioner. */
  gamma(shape: number): number;
  /** A new independent generator derived from this one. */
  fork(): Rng;
};

/**
 * Creates a sfc32 generator (Chris Doty-Humphrey's Small Fast Counter, as in
 * PractRand), seeded through splitmix32 so nearby seeds give unrelated streams.
 *
 * @param seed - any 32-bit integer.
 * @returns a deterministic {@link Rng}.
 * @example
 * import { createRng } from "./random.ts";
 * const rng = createRng(42);
 * rng.normal();
 */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32();
  let spare: number | undefined;
  const next = (): number => u32() / 4294967296;
  const normal = (): number => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    // Marsaglia polar method: two normals per accepted pair.
    let u = 0;
    let v = 0;
    let q = 0;
    do {
      u = next() * 2 - 1;
      v = next() * 2 - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const m = Math.sqrt((-2 * Math.log(q)) / q);
    spare = v * m;
    return u * m;
  };
  const gamma = (shape: number): number => {
    // Marsaglia & Tsang (2000); shape < 1 boosted with U^(1/shape).
    if (shape < 1) return gamma(shape + 1) * Math.pow(Math.max(next(), 1e-300), 1 / shape);
    const dd = shape - 1 / 3;
    const cc = 1 / Math.sqrt(9 * dd);
    for (;;) {
      let x = 0;
      let v = 0;
      do {
        x = normal();
        v = 1 + cc * x;
      } while (v <= 0);
      v = v * v * v;
      const u = next();
      if (u < 1 - 0.0331 * x * x * x * x) return dd * v;
      if (Math.log(u) < 0.5 * x * x + dd * (1 - v + Math.log(v))) return dd * v;
    }
  };
  return {
    next,
    normal,
    int: (n) => Math.floor(next() * n),
    gamma,
    fork: () => createRng(u32()),
  };
}

/**
 * Fisher–Yates shuffle in place.
 *
 * @param array - the array to shuffle.
 * @param rng - the generator to draw from.
 * @returns the same array.
 */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}
