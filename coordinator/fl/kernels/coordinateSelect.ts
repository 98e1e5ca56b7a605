import { countKernel, type KernelPool, type KernelTask } from "./kernelPool.ts";
import { SELECT_BLOCK } from "./kernelsWat.ts";
import { align, blockColumns, stageColumns } from "./staging.ts";

/** Staging bytes per block of columns (all n updates): in L2/L3 while both threads transpose from it. */
const STAGING_BYTES = 1 << 21;
/** Values per block from which the helper thread takes half (its wake-up costs tens of µs). */
const PARALLEL_VALUES = 1 << 15;

/**
 * Coordinate-wise median (`cut` undefined; mean of the two middle values for an even
 * count, as numpy.median) or trimmed mean (drop `cut` values from each end, average the
 * rest) with the `select` kernel. The updates are staged a block of columns at a time;
 * the block's columns are split between the calling thread and the helper, each
 * transposing 64 columns into its own scratch and running a branchless quickselect per
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
  const stagingAt = align(pool.heapBase);
  const outAt = align(stagingAt + n * block * 4);
  const scratchBytes = align((SELECT_BLOCK + 2) * n * 4);
  const scratchAt = align(outAt + block * 4);
  pool.reserve(scratchAt + 2 * scratchBytes);
  const buffer = pool.buffer;
  const staging = new Float32Array(buffer, stagingAt, n * block);
  const result = new Float32Array(d);
  for (let c0 = 0; c0 < d; c0 += block) {
    const width = Math.min(d, c0 + block) - c0;
    stageColumns(staging, vectors, rows, c0, c0 + width, block);
    const threads = pool.threadsFor(n * width, PARALLEL_VALUES);
    const split = threads > 1 ? Math.min(width, Math.ceil(width / 2 / SELECT_BLOCK) * SELECT_BLOCK) : width;
    const ranges = threads > 1 && split < width ? [[0, split], [split, width]] : [[0, width]];
    const tasks: KernelTask[] = ranges.map(([from, to], t) => ({
      kernel: "select",
      args: [stagingAt, n, block, from as number, to as number, outAt, cut === undefined ? 0 : 1, cut ?? 0, scratchAt + t * scratchBytes],
    }));
    pool.fork(tasks);
    result.set(new Float32Array(buffer, outAt, width), c0);
  }
  countKernel("select");
  return result;
}
