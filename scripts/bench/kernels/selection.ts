/**
 * Coordinate-wise order statistics (median, trimmed mean) over a row-major n × d
 * matrix. Columns are processed in blocks: a block is transposed into a contiguous
 * scratch buffer (reading whole row segments, which is cache-friendly), then each
 * column is partitioned in place with quickselect. numpy's `partition(axis=0)` instead
 * gathers each strided column, one cache miss per value.
 */

/** A unit of work for the aggregation pool. All offsets are byte offsets into the shared memory. */
export type Task =
  | { id: number; kind: "colsum"; x: number; n: number; d: number; c0: number; c1: number; out: number; scale: number; block: number }
  | { id: number; kind: "rowsum"; x: number; d: number; rows: number[]; c0: number; c1: number; out: number; scale: number }
  | { id: number; kind: "gram"; x: number; n: number; d: number; k0: number; k1: number; g: number; chunk: number }
  | { id: number; kind: "select"; x: number; n: number; d: number; c0: number; c1: number; out: number; mode: "median" | "trimmed"; cut: number };

/** Rearranges a[lo..hi] so a[k] holds the value it would have if sorted (Hoare/Wirth quickselect). */
function quickselect(a: Float32Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    // Median of three as pivot keeps sorted or constant columns from degrading.
    const mid = (lo + hi) >> 1;
    let x = a[lo] as number;
    let y = a[mid] as number;
    const z = a[hi] as number;
    if (x > y) [x, y] = [y, x];
    const pivot = z < x ? x : z > y ? y : z;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

const BLOCK = 64;

/**
 * Writes the median (`mode: "median"`) or the trimmed mean cutting `cut` values per
 * side (`mode: "trimmed"`) of columns [c0, c1) to `out`.
 *
 * @param memory - Float32 view of the whole shared memory.
 * @param task - the "select" task.
 */
export function selectTrimmedSums(memory: Float32Array, task: Extract<Task, { kind: "select" }>): void {
  const { n, d, c0, c1, mode, cut } = task;
  const x = task.x / 4;
  const out = task.out / 4;
  const scratch = new Float32Array(n * BLOCK);
  const half = n >> 1;
  for (let c = c0; c < c1; c += BLOCK) {
    const width = Math.min(BLOCK, c1 - c);
    for (let i = 0; i < n; i++) {
      const row = x + i * d + c;
      for (let w = 0; w < width; w++) scratch[w * n + i] = memory[row + w] as number;
    }
    for (let w = 0; w < width; w++) {
      const lo = w * n;
      const hi = lo + n - 1;
      if (mode === "median") {
        quickselect(scratch, lo, hi, lo + half);
        let value = scratch[lo + half] as number;
        if (n % 2 === 0) {
          // Even count: mean of the two middle values; the lower one is the max of the left part.
          let below = -Infinity;
          for (let t = lo; t < lo + half; t++) if ((scratch[t] as number) > below) below = scratch[t] as number;
          value = (value + below) / 2;
        }
        memory[out + c + w] = value;
      } else {
        if (cut > 0) {
          quickselect(scratch, lo, hi, lo + cut);
          quickselect(scratch, lo + cut, hi, hi - cut);
        }
        let sum = 0;
        for (let t = lo + cut; t <= hi - cut; t++) sum += scratch[t] as number;
        memory[out + c + w] = sum / (n - 2 * cut);
      }
    }
  }
}
