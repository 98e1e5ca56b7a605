import { countKernel, type KernelPool } from "./kernelPool.ts";
import { align, blockColumns, stageColumns, updateBytes } from "./staging.ts";

/** Updates staged per `sqdist` call. */
const ROWS = 8;
/** Staging bytes per group of rows (in L2 with the reference block). */
const STAGING_BYTES = 1 << 18;

/**
 * ‖xᵢ − ref‖² for every update with the `sqdist` kernel: per block of columns the
 * reference and groups of 8 updates are staged, their differences squared in f32x4
 * and summed per row (float32 over 256 columns, float64 beyond). On the calling
 * thread only, for the same reason as {@link kernelWeightedMean}: the copy sets the pace.
 *
 * @param pool - the kernel pool.
 * @param vectors - equal-length updates.
 * @param ref - the point distances are measured from (e.g. the global model).
 * @returns one squared distance per update.
 */
export function kernelSquaredDistancesTo(pool: KernelPool, vectors: readonly Float32Array[], ref: Float32Array): Float64Array {
  const n = vectors.length;
  const d = ref.length;
  const block = blockColumns(ROWS, d, STAGING_BYTES, 16);
  // Layout: staging (ROWS × block f32) | reference block | sums (n f64).
  const stagingAt = align(pool.heapBase);
  const refAt = align(stagingAt + ROWS * block * 4);
  const outAt = align(refAt + block * 4);
  pool.reserve(outAt + n * 8);
  const buffer = pool.buffer;
  const bytes = new Uint8Array(buffer);
  const sources = updateBytes(vectors);
  const [refBytes] = updateBytes([ref]);
  const { kernels } = pool;
  kernels.zero(outAt, n * 8);
  for (let c0 = 0; c0 < d; c0 += block) {
    const width = Math.min(d, c0 + block) - c0;
    (refBytes as Buffer).copy(bytes, refAt, c0 * 4, (c0 + width) * 4);
    for (let g = 0; g < n; g += ROWS) {
      const group = Array.from({ length: Math.min(ROWS, n - g) }, (_, i) => g + i);
      stageColumns(bytes, stagingAt, sources, group, c0, c0 + width, block);
      kernels.sqdist(stagingAt, block, group.length, refAt, width, outAt + g * 8);
    }
  }
  countKernel("distancesTo");
  return new Float64Array(buffer, outAt, n).slice();
}
