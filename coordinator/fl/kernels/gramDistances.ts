import { countKernel, type KernelPool, type KernelTask } from "./kernelPool.ts";
import { gramPackBytes, gramRows } from "./kernelsWat.ts";
import { align, blockColumns, stageColumns } from "./staging.ts";

/** Columns packed per pass of the Gram kernel (n·CHUNK·4 bytes, meant to stay in L2). */
const CHUNK = 256;
/** Staging bytes per block of columns (all n updates). */
const STAGING_BYTES = 1 << 22;
/** Multiply-adds per block from which the helper thread takes half. */
const PARALLEL_MACS = 1 << 22;

/**
 * Squared Euclidean distances between all pairs of vectors through the Gram identity
 * ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b, with the dot products computed by the WebAssembly
 * SIMD `gram` kernel (rows packed 256 columns at a time, 4 × 2 row tiles, f32x4 FMA,
 * float32 within a 256-column chunk, float64 across chunks). The updates are staged a
 * block of columns at a time; each block is first shifted by the first update
 * (`center`: distances do not change, and the norms stay the size of the distances, so
 * the subtraction does not cancel digits), then its columns are split between the
 * calling thread and the helper, each adding to its own Gram matrix.
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
  const block = blockColumns(n, d, STAGING_BYTES, 2 * CHUNK);
  const stagingAt = align(pool.heapBase);
  const distAt = align(stagingAt + n * block * 4);
  const gramBytes = align(np * np * 8);
  const packBytes = align(gramPackBytes(n, CHUNK));
  const gramAt = (t: number): number => align(distAt + n * n * 8) + t * (gramBytes + packBytes);
  pool.reserve(gramAt(2));
  const buffer = pool.buffer;
  const staging = new Float32Array(buffer, stagingAt, n * block);
  const { kernels } = pool;
  kernels.zero(gramAt(0), gramBytes);
  kernels.zero(gramAt(1), gramBytes);
  for (let c0 = 0; c0 < d; c0 += block) {
    const width = Math.min(d, c0 + block) - c0;
    stageColumns(staging, vectors, rows, c0, c0 + width, block);
    kernels.center(stagingAt, block, n, width);
    const threads = pool.threadsFor((np * np * width) / 2, PARALLEL_MACS);
    const split = Math.ceil(width / 2 / 8) * 8;
    const ranges = threads > 1 && split < width ? [[0, split], [split, width]] : [[0, width]];
    const tasks: KernelTask[] = ranges.map(([k0, k1], t) => ({ kernel: "gram", args: [stagingAt, n, block, k0 as number, k1 as number, gramAt(t), gramAt(t) + gramBytes, CHUNK] }));
    pool.fork(tasks);
  }
  kernels.addf64(gramAt(0), gramAt(1), np * np);
  kernels.distances(gramAt(0), np, n, distAt);
  countKernel("gram");
  return new Float64Array(buffer, distAt, n * n).slice();
}
