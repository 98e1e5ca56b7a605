import { countKernel, type KernelPool } from "./kernelPool.ts";
import { align, blockColumns, stageColumns, updateBytes } from "./staging.ts";

/** Updates staged per `wsum` call (two of its four-row passes per load of the accumulator block). */
const ROWS = 8;
/** Staging bytes per group of rows: with the float64 accumulator block it stays in L2 (512 KiB here). */
const STAGING_BYTES = 1 << 18;

/**
 * Σᵢ wᵢ·xᵢ / Σᵢ wᵢ with the `wsum` kernel: for each block of columns, groups of 8
 * updates are staged and summed in f32x4 (four rows at a time: products and four-row
 * partial sums in float32), accumulated in float64, and the block is rounded to
 * float32 into the result. Each update is read once; the staging and accumulator
 * blocks stay in cache.
 *
 * On the calling thread only: the updates live in ordinary arrays no other thread can
 * read, so copying them sets the pace (about as long as numpy's whole mean) and a
 * helper could only sum behind it. Handing it the sums unit by unit measured slower
 * on this shared 2-core machine than doing them here.
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
  // Layout: staging (ROWS × block f32) | weights | accumulator block (f64) | output block.
  const stagingAt = align(pool.heapBase);
  const weightsAt = align(stagingAt + ROWS * block * 4);
  const accAt = align(weightsAt + list.length * 4);
  const outAt = align(accAt + block * 8);
  pool.reserve(outAt + block * 4);
  const buffer = pool.buffer;
  const bytes = new Uint8Array(buffer);
  const sources = updateBytes(vectors);
  const scaled = new Float32Array(buffer, weightsAt, list.length);
  let total = 0;
  for (const r of list) total += weights[r] as number;
  list.forEach((r, i) => (scaled[i] = (weights[r] as number) / total));
  const result = new Float32Array(d);
  const { kernels } = pool;
  for (let c0 = 0; c0 < d; c0 += block) {
    const width = Math.min(d, c0 + block) - c0;
    kernels.zero(accAt, width * 8);
    for (let g = 0; g < list.length; g += ROWS) {
      const group = list.slice(g, g + ROWS);
      stageColumns(bytes, stagingAt, sources, group, c0, c0 + width, block);
      kernels.wsum(stagingAt, block, group.length, weightsAt + g * 4, width, accAt);
    }
    kernels.demote(accAt, outAt, width);
    result.set(new Float32Array(buffer, outAt, width), c0);
  }
  countKernel("weightedSum");
  return result;
}
