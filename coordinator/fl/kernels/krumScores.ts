import { countKernel, type KernelPool, type KernelTask } from "./kernelPool.ts";
import { align } from "./staging.ts";

/** Candidates (squared) from which the helper thread scores half of them. */
const PARALLEL_VALUES = 1 << 14;

/**
 * Krum scores with the `scores` kernel: for each candidate, the sum of its k = max(1,
 * m − f − 2) smallest squared distances to the other candidates (quickselect, then the
 * k values summed in float64). Rows are split between the calling thread and the helper.
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
  const distAt = align(pool.heapBase);
  const outAt = align(distAt + m * m * 8);
  const scratchBytes = align(m * 8);
  const scratchAt = align(outAt + m * 8);
  pool.reserve(scratchAt + 2 * scratchBytes);
  const buffer = pool.buffer;
  const sub = new Float64Array(buffer, distAt, m * m);
  if (m === n && candidates.every((c, i) => c === i)) sub.set(distances);
  else candidates.forEach((a, i) => candidates.forEach((b, j) => (sub[i * m + j] = distances[a * n + b] as number)));
  const threads = pool.threadsFor(m * m, PARALLEL_VALUES);
  // Each row is a quickselect over m − 1 values: equal row counts are equal work.
  const split = Math.ceil(m / 2);
  const ranges = threads > 1 && m > 1 ? [[0, split], [split, m]] : [[0, m]];
  const tasks: KernelTask[] = ranges.map(([a0, a1], t) => ({ kernel: "scores", args: [distAt, m, k, a0 as number, a1 as number, scratchAt + t * scratchBytes, outAt] }));
  pool.fork(tasks);
  countKernel("scores");
  return Array.from(new Float64Array(buffer, outAt, m));
}
