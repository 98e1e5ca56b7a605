/**
 * Copying updates into the kernels' memory a block of columns at a time, so it never
 * holds the whole n × d matrix: each block is read from the update arrays once and
 * stays in cache while the kernels work on it.
 */

/** Rounds a byte count up to a cache line. */
export function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/**
 * Copies columns [c0, c1) of `rows` (indices into `vectors`) into `staging` as
 * consecutive rows `stride` floats apart.
 *
 * @param staging - a float32 view over the kernel memory at the staging area.
 * @param vectors - the updates.
 * @param rows - which updates, in staging order.
 * @param c0 - first column.
 * @param c1 - end column (exclusive); c1 − c0 ≤ stride.
 * @param stride - floats per staged row.
 */
export function stageColumns(staging: Float32Array, vectors: readonly Float32Array[], rows: readonly number[], c0: number, c1: number, stride: number): void {
  for (let i = 0; i < rows.length; i++) staging.set((vectors[rows[i] as number] as Float32Array).subarray(c0, c1), i * stride);
}

/**
 * Columns per staged block for `rows` rows: about `targetBytes` of staging, a multiple
 * of `multiple`, at least `multiple`, at most `d` rounded up to `multiple`.
 */
export function blockColumns(rows: number, d: number, targetBytes: number, multiple: number): number {
  const fit = Math.floor(targetBytes / (4 * Math.max(1, rows)) / multiple) * multiple;
  return Math.max(multiple, Math.min(fit, Math.ceil(d / multiple) * multiple));
}
