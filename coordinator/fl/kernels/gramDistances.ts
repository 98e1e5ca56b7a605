import { countKernel, type KernelPool } from "./kernelPool.ts";
import { gramPackBytes, gramRows } from "./kernelsWat.ts";
import { align, blockColumns, stageColumns, updateBytes } from "./staging.ts";

/** Columns packed per pass of the Gram kernel (n·CHUNK·4 bytes, meant to stay in L2); also a chunk of work. */
const CHUNK = 256;
/** Staging bytes per block of columns (all n updates). */
const STAGING_BYTES = 1 << 22;
/** Multiply-adds per block from which the helper thread is woken. */
const PARALLEL_MACS = 1 << 22;

/**
 * Squared Euclidean distances between all pairs of vectors through the Gram identity
 * ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b, with the dot products computed by the WebAssembly
 * SIMD `gram` kernel (rows packed 256 columns at a time, 4 × 2 row tiles, f32x4 FMA,
 * float32 within a 256-column chunk, float64 across chunks). The updates are staged a
 * block of columns at a time; each block is first shifted by the first update
 * (`center`: distances do not change, and the norms stay the size of the distances, so
 * the subtraction does not cancel digits), then the calling thread and the helper
 * claim its 256-column chunks, each adding to its own Gram matrix; the matrices are
 * summed at the end.
 *
 * @param pool - the kernel pool.
 * @param vectors - equal-length vectors.
 * @returns the n × n row-major matrix (zero diagonal).
 */
export function gramSquaredDistances(pool: KernelPool, vectors: readonly Float32Array[]): Float64Array {
  const n = vectors.length;
  const d = vectors[0]?.length ?? 0;
  const rows = vectors.map((_, i) => i);
  const np = gramRows(n);
  // Layout: staging (n × block f32) | distances (n × n f64) | per thread: Gram
  // (np × np f64), packing panel.
  const block = blockColumns(n, d, STAGING_BYTES, CHUNK);
  const stagingAt = align(pool.heapBase);
  const distAt = align(stagingAt + n * block * 4);
  const gramBytes = align(np * np * 8);
  const stride = gramBytes + align(gramPackBytes(n, CHUNK));
  const gramAt = align(distAt + n * n * 8);
  pool.reserve(gramAt + pool.maxThreads * stride);
  const buffer = pool.buffer;
  const bytes = new Uint8Array(buffer);
  const sources = updateBytes(vectors);
  const { kernels } = pool;
  for (let t = 0; t < pool.maxThreads; t++) kernels.zero(gramAt + t * stride, gramBytes);
  for (let c0 = 0; c0 < d; c0 += block) {
    const width = Math.min(d, c0 + block) - c0;
    stageColumns(bytes, stagingAt, sources, rows, c0, c0 + width, block);
    kernels.center(stagingAt, block, n, width);
    // 256 columns per chunk, fewer and longer for a block so wide that it would exceed 64 chunks.
    const step = CHUNK * Math.max(1, Math.ceil(width / CHUNK / 64));
    const chunks: number[][] = [];
    for (let k0 = 0; k0 < width; k0 += step) chunks.push([stagingAt, n, block, k0, Math.min(width, k0 + step), gramAt, gramAt + gramBytes, CHUNK]);
    pool.run({ kernel: "gram", chunks, perThread: { mask: (1 << 5) | (1 << 6), stride }, work: (np * np * width) / 2, threshold: PARALLEL_MACS });
  }
  for (let t = 1; t < pool.maxThreads; t++) kernels.addf64(gramAt, gramAt + t * stride, np * np);
  kernels.distances(gramAt, np, n, distAt);
  countKernel("gram");
  return new Float64Array(buffer, distAt, n * n).slice();
}
