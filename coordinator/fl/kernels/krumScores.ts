import { countKernel, type KernelPool } from "./kernelPool.ts";
import { align } from "./staging.ts";

/** Distances (m²) from which the helper thread is woken. */
const PARALLEL_VALUES = 1 << 14;
/** Chunks per region: rows are handed out in about this many pieces. */
const CHUNKS = 32;

/**
 * Krum scores with the `scores` kernel: for each candidate, the sum of its k = max(1,
 * m − f − 2) smallest squared distances to the other candidates (quickselect, then the
 * k values summed in float64). The calling thread and the helper claim chunks of rows.
 *
 * @param pool - the kernel pool.
 * @param distances - full n × n matrix.
 * @param n - its dimension.
 * @param candidates - indices still in play (m of them).
 * @param f - assumed number of Byzantine clients.
 * @returns one score per candidate, in `candidates` order.
 */
export function kernelKrumScores(pool: KernelPool, distances: Float64Array, n: number, candidates: readonly number[], f: number): number[] {
  const m = candidates.length;
  const k = Math.max(1, m - f - 2);
  // Layout: distances among the candidates (m × m f64) | scores | per thread: scratch.
  const distAt = align(pool.heapBase);
  const outAt = align(distAt + m * m * 8);
  const scratchBytes = align(m * 8);
  const scratchAt = align(outAt + m * 8);
  pool.reserve(scratchAt + pool.maxThreads * scratchBytes);
  const buffer = pool.buffer;
  const sub = new Float64Array(buffer, distAt, m * m);
  if (m === n && candidates.every((c, i) => c === i)) sub.set(distances);
  else candidates.forEach((a, i) => candidates.forEach((b, j) => (sub[i * m + j] = distances[a * n + b] as number)));
  const rows = Math.max(1, Math.ceil(m / CHUNKS));
  const chunks: number[][] = [];
  for (let a0 = 0; a0 < m; a0 += rows) chunks.push([distAt, m, k, a0, Math.min(m, a0 + rows), scratchAt, outAt]);
  pool.run({ kernel: "scores", chunks, perThread: { mask: 1 << 5, stride: scratchBytes }, work: m * m, threshold: PARALLEL_VALUES });
  countKernel("scores");
  return Array.from(new Float64Array(buffer, outAt, m));
}
