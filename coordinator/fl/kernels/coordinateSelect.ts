import { countKernel, type KernelPool } from "./kernelPool.ts";
import { SELECT_BLOCK } from "./kernelsWat.ts";
import { align, blockColumns, stageColumns, updateBytes } from "./staging.ts";

/** Staging bytes per block of columns (all n updates): in L2/L3 while both threads transpose from it. */
const STAGING_BYTES = 1 << 21;
/** Values per chunk of work (a few tens of µs): what a thread claims at a time. */
const CHUNK_VALUES = 1 << 14;
/** Values per block from which the helper thread is woken (its wake-up costs tens of µs). */
const PARALLEL_VALUES = 1 << 15;

/**
 * Coordinate-wise median (`cut` undefined; mean of the two middle values for an even
 * count, as numpy.median) or trimmed mean (drop `cut` values from each end, average the
 * rest) with the `select` kernel. The updates are staged a block of columns at a time;
 * the calling thread and the helper claim chunks of 64-column groups of the block, each
 * transposing them into its own scratch and running a branchless quickselect per
 * column (the trimmed mean selects both ends of the window and sums what lies between
 * in float64).
 *
 * Same values as sorting each column: the order statistics are exact, and the trimmed
 * sum is float64 like the JavaScript path (equal whenever that sum is exact, e.g. values
 * within 2^29 / n of each other in magnitude).
 *
 * @param pool - the kernel pool.
 * @param vectors - equal-length updates.
 * @param cut - values dropped per side for a trimmed mean; undefined for the median.
 * @returns one float32 per coordinate.
 */
export function kernelCoordinateSelect(pool: KernelPool, vectors: readonly Float32Array[], cut?: number): Float32Array {
  const n = vectors.length;
  const d = vectors[0]?.length ?? 0;
  const rows = vectors.map((_, i) => i);
  const block = blockColumns(n, d, STAGING_BYTES, SELECT_BLOCK);
  // Columns per chunk: about CHUNK_VALUES values, whole 64-column groups, at most 64 chunks a block.
  const chunk = Math.max(1, Math.floor(CHUNK_VALUES / n / SELECT_BLOCK), Math.ceil(block / SELECT_BLOCK / 64)) * SELECT_BLOCK;
  // Layout: staging (n × block f32) | output block | per thread: scratch.
  const stagingAt = align(pool.heapBase);
  const outAt = align(stagingAt + n * block * 4);
  const scratchBytes = align((SELECT_BLOCK + 2) * n * 4);
  const scratchAt = align(outAt + block * 4);
  pool.reserve(scratchAt + pool.maxThreads * scratchBytes);
  const buffer = pool.buffer;
  const bytes = new Uint8Array(buffer);
  const sources = updateBytes(vectors);
  const result = new Float32Array(d);
  for (let c0 = 0; c0 < d; c0 += block) {
    const width = Math.min(d, c0 + block) - c0;
    stageColumns(bytes, stagingAt, sources, rows, c0, c0 + width, block);
    const chunks: number[][] = [];
    for (let from = 0; from < width; from += chunk) chunks.push([stagingAt, n, block, from, Math.min(width, from + chunk), outAt, cut === undefined ? 0 : 1, cut ?? 0, scratchAt]);
    pool.run({ kernel: "select", chunks, perThread: { mask: 1 << 8, stride: scratchBytes }, work: n * width, threshold: PARALLEL_VALUES });
    result.set(new Float32Array(buffer, outAt, width), c0);
  }
  countKernel("select");
  return result;
}
