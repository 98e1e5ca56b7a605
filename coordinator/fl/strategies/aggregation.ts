import { kernelCoordinateSelect } from "../kernels/coordinateSelect.ts";
import { gramSquaredDistances } from "../kernels/gramDistances.ts";
import { kernelPool, type KernelPool } from "../kernels/kernelPool.ts";
import { KernelMemoryError } from "../kernels/kernelErrors.ts";
import { kernelKrumScores } from "../kernels/krumScores.ts";
import { kernelSquaredDistancesTo } from "../kernels/squaredDistancesTo.ts";
import { kernelWeightedMean } from "../kernels/weightedSum.ts";

/**
 * Numeric building blocks shared by the strategies (Flower's `aggregate.py`). Every
 * function takes the client vectors as separate Float32Arrays of equal length and
 * returns a new Float32Array.
 *
 * Above {@link KERNEL_THRESHOLDS} each runs on the WebAssembly SIMD kernels of
 * `fl/kernels/` (the ones `bench:aggregate` times); below, on the plain JavaScript
 * `…Js` functions here, which copying into the kernels' memory would not beat and
 * which are the reference the kernels are tested against. Both paths give the same
 * values: exactly for the median and trimmed mean, to float32 rounding for the means
 * and distances (the kernels multiply in float32 and accumulate in float64).
 */

/**
 * Input sizes from which the kernels run (measured on the 2-core coordinator machine,
 * see docs/fl.md): n·d values for the means, distances to a point, medians and trimmed
 * means, n²·d multiply-adds for pairwise distances, m² distances for Krum scores over
 * m candidates.
 */
export const KERNEL_THRESHOLDS = {
  weightedMeanValues: 1 << 14,
  selectValues: 1 << 12,
  distanceMacs: 1 << 18,
  scoreValues: 1 << 8,
} as const;

let kernelsEnabled = true;

/**
 * Turns the kernels off (every function takes its JavaScript path) or back on; the
 * tests compare whole strategies on both paths with it.
 *
 * @param enabled - false for JavaScript only.
 */
export function setKernelsEnabled(enabled: boolean): void {
  kernelsEnabled = enabled;
}

/**
 * Runs `kernel` on the kernel pool when the kernels are on, `size` reaches `threshold`
 * and the pool exists, else `js`; also `js` when the kernels' memory cannot grow far
 * enough (the JavaScript path needs no WebAssembly memory).
 */
function dispatch<T>(size: number, threshold: number, kernel: (pool: KernelPool) => T, js: () => T): T {
  const pool = kernelsEnabled && size >= threshold ? kernelPool() : null;
  if (!pool) return js();
  try {
    return kernel(pool);
  } catch (error) {
    if (error instanceof KernelMemoryError) return js();
    throw error;
  }
}

/**
 * Weighted mean Σ wᵢ·xᵢ / Σ wᵢ (Flower's `aggregate`, FedAvg of McMahan et al. 2017).
 *
 * @param vectors - client vectors.
 * @param weights - non-negative weights (example counts), not all zero.
 */
export function weightedMean(vectors: readonly Float32Array[], weights: readonly number[]): Float32Array {
  return dispatch(
    vectors.length * (vectors[0]?.length ?? 0),
    KERNEL_THRESHOLDS.weightedMeanValues,
    (pool) => kernelWeightedMean(pool, vectors, weights),
    () => weightedMeanJs(vectors, weights),
  );
}

/**
 * Coordinate-wise median; for an even count, the mean of the two middle values (as
 * `numpy.median`, which Flower's FedMedian uses). Yin et al. 2018.
 *
 * @param vectors - client vectors.
 */
export function coordinateMedian(vectors: readonly Float32Array[]): Float32Array {
  return dispatch(
    vectors.length * (vectors[0]?.length ?? 0),
    KERNEL_THRESHOLDS.selectValues,
    (pool) => kernelCoordinateSelect(pool, vectors),
    () => coordinateMedianJs(vectors),
  );
}

/**
 * Coordinate-wise trimmed mean: drops `floor(beta·n)` smallest and largest values of
 * each coordinate and averages the rest (scipy `trim_mean`, Flower's `_trim_mean`;
 * Yin et al. 2018).
 *
 * @param vectors - client vectors.
 * @param beta - proportion cut from each end, in [0, 0.5).
 */
export function trimmedMean(vectors: readonly Float32Array[], beta: number): Float32Array {
  return dispatch(
    vectors.length * (vectors[0]?.length ?? 0),
    KERNEL_THRESHOLDS.selectValues,
    (pool) => kernelCoordinateSelect(pool, vectors, Math.floor(beta * vectors.length)),
    () => trimmedMeanJs(vectors, beta),
  );
}

/**
 * Squared Euclidean distances between every pair, as an n×n row-major matrix, through
 * the Gram kernel ({@link gramSquaredDistances}) once the work pays for staging the
 * vectors, else by {@link directSquaredDistances}.
 *
 * @param vectors - client vectors.
 */
export function pairwiseSquaredDistances(vectors: readonly Float32Array[]): Float64Array {
  const n = vectors.length;
  return dispatch(
    n * n * (vectors[0]?.length ?? 0),
    KERNEL_THRESHOLDS.distanceMacs,
    (pool) => gramSquaredDistances(pool, vectors),
    () => directSquaredDistances(vectors),
  );
}

/**
 * Squared Euclidean distance of every vector to `ref` (the update norms of the
 * clipping rules, with `ref` the global model or the current centre).
 *
 * @param vectors - client vectors.
 * @param ref - the point, of the vectors' length.
 * @returns one squared distance per vector.
 */
export function squaredDistancesTo(vectors: readonly Float32Array[], ref: Float32Array): Float64Array {
  return dispatch(
    vectors.length * ref.length,
    KERNEL_THRESHOLDS.weightedMeanValues,
    (pool) => kernelSquaredDistancesTo(pool, vectors, ref),
    () => squaredDistancesToJs(vectors, ref),
  );
}

/**
 * Krum scores (Blanchard et al. 2017): for each candidate, the sum of squared
 * distances to its `n − f − 2` nearest other candidates (Flower uses
 * `max(1, n − f − 2)`, kept here for Bulyan's shrinking candidate sets).
 *
 * @param distances - full n×n matrix from {@link pairwiseSquaredDistances}.
 * @param n - its dimension.
 * @param candidates - indices still in play.
 * @param f - assumed number of Byzantine clients.
 * @returns one score per candidate, in `candidates` order.
 */
export function krumScores(distances: Float64Array, n: number, candidates: readonly number[], f: number): number[] {
  return dispatch(
    candidates.length ** 2,
    KERNEL_THRESHOLDS.scoreValues,
    (pool) => kernelKrumScores(pool, distances, n, candidates, f),
    () => krumScoresJs(distances, n, candidates, f),
  );
}

/**
 * {@link weightedMean} in JavaScript: float64 accumulation, one update at a time.
 *
 * @param vectors - client vectors.
 * @param weights - non-negative weights (example counts), not all zero.
 */
export function weightedMeanJs(vectors: readonly Float32Array[], weights: readonly number[]): Float32Array {
  const d = vectors[0]?.length ?? 0;
  const acc = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < vectors.length; i++) total += weights[i] as number;
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i] as Float32Array;
    const w = (weights[i] as number) / total;
    for (let j = 0; j < d; j++) acc[j] = (acc[j] as number) + w * (v[j] as number);
  }
  return Float32Array.from(acc);
}

/**
 * {@link coordinateMedian} in JavaScript: each coordinate's column sorted.
 *
 * @param vectors - client vectors.
 */
export function coordinateMedianJs(vectors: readonly Float32Array[]): Float32Array {
  const n = vectors.length;
  const d = vectors[0]?.length ?? 0;
  const out = new Float32Array(d);
  const column = new Float64Array(n);
  const mid = n >> 1;
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) column[i] = (vectors[i] as Float32Array)[j] as number;
    column.sort();
    out[j] = n % 2 ? (column[mid] as number) : ((column[mid - 1] as number) + (column[mid] as number)) / 2;
  }
  return out;
}

/**
 * {@link trimmedMean} in JavaScript: each coordinate's column sorted, the window summed in float64.
 *
 * @param vectors - client vectors.
 * @param beta - proportion cut from each end, in [0, 0.5).
 */
export function trimmedMeanJs(vectors: readonly Float32Array[], beta: number): Float32Array {
  const n = vectors.length;
  const d = vectors[0]?.length ?? 0;
  const low = Math.floor(beta * n);
  const high = n - low;
  const out = new Float32Array(d);
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) column[i] = (vectors[i] as Float32Array)[j] as number;
    column.sort();
    let sum = 0;
    for (let k = low; k < high; k++) sum += column[k] as number;
    out[j] = sum / (high - low);
  }
  return out;
}

/**
 * The same matrix by the direct double loop Σ (aⱼ − bⱼ)²; exact in float64 for small
 * inputs and the reference the kernel is tested against.
 *
 * @param vectors - client vectors.
 */
export function directSquaredDistances(vectors: readonly Float32Array[]): Float64Array {
  const n = vectors.length;
  const d = vectors[0]?.length ?? 0;
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const va = vectors[a] as Float32Array;
    for (let b = a + 1; b < n; b++) {
      const vb = vectors[b] as Float32Array;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = (va[j] as number) - (vb[j] as number);
        s += t * t;
      }
      out[a * n + b] = s;
      out[b * n + a] = s;
    }
  }
  return out;
}

/**
 * {@link squaredDistancesTo} in JavaScript: exact differences, float64 sums.
 *
 * @param vectors - client vectors.
 * @param ref - the point.
 */
export function squaredDistancesToJs(vectors: readonly Float32Array[], ref: Float32Array): Float64Array {
  return Float64Array.from(vectors, (v) => {
    let s = 0;
    for (let j = 0; j < ref.length; j++) s += ((v[j] as number) - (ref[j] as number)) ** 2;
    return s;
  });
}

/**
 * {@link krumScores} in JavaScript: each candidate's distances sorted.
 *
 * @param distances - full n×n matrix from {@link pairwiseSquaredDistances}.
 * @param n - its dimension.
 * @param candidates - indices still in play.
 * @param f - assumed number of Byzantine clients.
 * @returns one score per candidate, in `candidates` order.
 */
export function krumScoresJs(distances: Float64Array, n: number, candidates: readonly number[], f: number): number[] {
  const k = Math.max(1, candidates.length - f - 2);
  const row = new Float64Array(candidates.length - 1);
  return candidates.map((i) => {
    let r = 0;
    for (const j of candidates) if (j !== i) row[r++] = distances[i * n + j] as number;
    row.sort();
    let s = 0;
    for (let t = 0; t < Math.min(k, row.length); t++) s += row[t] as number;
    return s;
  });
}

/** Euclidean norm. */
export function l2Norm(v: Float32Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += (v[j] as number) * (v[j] as number);
  return Math.sqrt(s);
}

/** `a − b` as a new array. */
export function subtract(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let j = 0; j < a.length; j++) out[j] = (a[j] as number) - (b[j] as number);
  return out;
}

/** `a + s·b` as a new array. */
export function addScaled(a: Float32Array, b: Float32Array, s: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let j = 0; j < a.length; j++) out[j] = (a[j] as number) + s * (b[j] as number);
  return out;
}

/** Indices of the `k` smallest values (ties keep the lower index first). */
export function argSmallest(values: readonly number[], k: number): number[] {
  return values
    .map((v, i) => [v, i] as const)
    .sort((x, y) => x[0] - y[0] || x[1] - y[1])
    .slice(0, k)
    .map(([, i]) => i);
}
