/**
 * Copying updates into the kernels' memory a block of columns at a time, so it never
 * holds the whole n × d matrix: each block is read from the update arrays once and
 * stays in cache while the kernels work on it.
 *
 * The copy is `Buffer#copy` (a plain memmove) rather than `TypedArray#set`, which V8
 * performs word by word with relaxed atomics when the target is shared memory: about
 * 1.4× slower here at 100 × 1e5 (and byte by byte for unaligned offsets).
 */

/** Rounds a byte count up to a cache line. */
export function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** Byte views (no copy) of the updates, for {@link stageColumns}. */
export function updateBytes(vectors: readonly Float32Array[]): Buffer[] {
  return vectors.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength));
}

/**
 * Copies columns [c0, c1) of `rows` (indices into `sources`) into the kernel memory at
 * `at`, as consecutive rows `stride` floats apart.
 *
 * @param memory - a byte view of the whole kernel memory.
 * @param at - byte offset of the staging area.
 * @param sources - the updates' bytes ({@link updateBytes}).
 * @param rows - which updates, in staging order.
 * @param c0 - first column.
 * @param c1 - end column (exclusive); c1 − c0 ≤ stride.
 * @param stride - floats per staged row.
 */
export function stageColumns(memory: Uint8Array, at: number, sources: readonly Buffer[], rows: readonly number[], c0: number, c1: number, stride: number): void {
  for (let i = 0; i < rows.length; i++) (sources[rows[i] as number] as Buffer).copy(memory, at + i * stride * 4, c0 * 4, c1 * 4);
}

/**
 * Columns per staged block for `rows` rows: about `targetBytes` of staging, a multiple
 * of `multiple`, at least `multiple`, at most `d` rounded up to `multiple`.
 */
export function blockColumns(rows: number, d: number, targetBytes: number, multiple: number): number {
  const fit = Math.floor(targetBytes / (4 * Math.max(1, rows)) / multiple) * multiple;
  return Math.max(multiple, Math.min(fit, Math.ceil(d / multiple) * multiple));
}
