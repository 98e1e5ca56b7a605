import { countKernel, type KernelPool } from "./kernelPool.ts";
import { align, blockColumns, stageColumns } from "./staging.ts";

/** Rows staged per `wsum` call (two of its four-row passes per load of the accumulator block). */
const ROWS = 8;
/** Staging bytes per group of rows: with the float64 accumulator block it stays in L2 (512 KiB here). */
const STAGING_BYTES = 1 << 18;

/**
 * Σᵢ wᵢ·xᵢ / Σᵢ wᵢ with the `wsum` kernel: for each block of columns, groups of 8
 * updates are staged and summed in f32x4 (four rows at a time), accumulated in
 * float64, then the block is rounded to float32 into the result. Memory-bound: each
 * update is read once, the staging and accumulator block stay in cache.
 *
 * Runs on the calling thread: the updates live in ordinary arrays only this thread can
 * read, so copying them is the bottleneck and a helper would only wait for it.
 *
 * @param pool - the kernel pool.
 * @param vectors - equal-length updates.
 * @param weights - non-negative weights, not all zero.
 * @param rows - which updates to include (default all).
 * @returns the weighted mean (float32).
 */
export function kernelWeightedMean(pool: KernelPool, vectors: readonly Float32Array[], weights: readonly number[], rows?: readonly number[]): Float32Array {
  const list = rows ?? vectors.map((_, i) => i);
  const d = vectors[0]?.length ?? 0;
  const block = blockColumns(ROWS, d, STAGING_BYTES, 16);
  const stagingAt = align(pool.heapBase);
  const weightsAt = align(stagingAt + ROWS * block * 4);
  const accAt = align(weightsAt + list.length * 4);
  const outAt = align(accAt + block * 8);
  pool.reserve(outAt + block * 4);
  const buffer = pool.buffer;
  const staging = new Float32Array(buffer, stagingAt, ROWS * block);
  const scaled = new Float32Array(buffer, weightsAt, list.length);
  let total = 0;
  for (const r of list) total += weights[r] as number;
  list.forEach((r, i) => (scaled[i] = (weights[r] as number) / total));
  const result = new Float32Array(d);
  const { kernels } = pool;
  for (let c0 = 0; c0 < d; c0 += block) {
    const c1 = Math.min(d, c0 + block);
    kernels.zero(accAt, (c1 - c0) * 8);
    for (let g = 0; g < list.length; g += ROWS) {
      const group = list.slice(g, g + ROWS);
      stageColumns(staging, vectors, group, c0, c1, block);
      kernels.wsum(stagingAt, block, group.length, weightsAt + g * 4, c1 - c0, accAt);
    }
    kernels.demote(accAt, outAt, c1 - c0);
    result.set(new Float32Array(buffer, outAt, c1 - c0), c0);
  }
  countKernel("weightedSum");
  return result;
}
