/**
 * How far each update strays from what the majority agrees on: the distance of its
 * Δᵢ = wᵢ − w_global from the coordinate-wise median Δ, over the median of those
 * distances. The median update is what a majority of honest clients agree on (as in
 * FedMedian, Yin et al. 2018), so honest scores sit near 1 while sign-flipped, scaled
 * or noised updates score far above it, whatever strategy aggregates the round. The
 * round runner uses it to tell a Byzantine update from an honest one a robust rule
 * merely left out; MAPE-K uses it to diagnose nodes.
 */

/** Scores above this are Byzantine (honest updates score about 1). */
export const BYZANTINE_ANOMALY_SCORE = 3;

/** Puts the k-th smallest of `a[0..count)` at index k (Hoare's selection; reorders `a`). */
function selectInPlace(a: Float64Array, count: number, k: number): void {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1] as number;
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

/** Median of the first `count` values of `values`, which it reorders (0 when empty). */
function medianOf(values: Float64Array, count: number): number {
  if (count === 0) return 0;
  const lower = (count - 1) >> 1;
  selectInPlace(values, count, lower);
  if (count % 2 === 1) return values[lower] as number;
  // Even count: the other middle value is the smallest of the upper part.
  let upper = Number.POSITIVE_INFINITY;
  for (let i = lower + 1; i < count; i++) if ((values[i] as number) < upper) upper = values[i] as number;
  return ((values[lower] as number) + upper) / 2;
}

/**
 * Scores every update of one round. Non-finite updates score +∞; with fewer than 3
 * updates there is no majority to compare with and nothing is scored. One pass over
 * the columns for the median update, one over the rows for the distances, nothing of
 * n × d size allocated (500 updates of 7850 parameters: about 0.05 s).
 *
 * @param updates - the round's updates.
 * @param global - the global parameters they started from.
 * @returns node id → score.
 */
export function updateAnomalyScores(updates: readonly { nodeId: string; params: Float32Array }[], global: Float32Array): Map<string, number> {
  const out = new Map<string, number>();
  const n = updates.length;
  if (n < 3) return out;
  const dim = global.length;
  const finite = updates.map(({ params }) => params.every(Number.isFinite));
  const rows = updates.filter((_, k) => finite[k]).map((u) => u.params);
  const column = new Float64Array(rows.length);
  const center = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    const g = global[i] as number;
    for (let k = 0; k < rows.length; k++) column[k] = ((rows[k] as Float32Array)[i] as number) - g;
    center[i] = medianOf(column, rows.length);
  }
  const distances = updates.map(({ params }, k) => {
    if (!finite[k]) return Number.POSITIVE_INFINITY;
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += ((params[i] as number) - (global[i] as number) - (center[i] as number)) ** 2;
    return Math.sqrt(sum);
  });
  const finiteDistances = Float64Array.from(distances.filter(Number.isFinite));
  const typical = medianOf(finiteDistances, finiteDistances.length);
  // When most updates coincide (typical distance 0), any that differs is infinitely far out.
  updates.forEach(({ nodeId }, k) => {
    const d = distances[k] as number;
    out.set(nodeId, typical > 0 ? d / typical : d > 0 ? Number.POSITIVE_INFINITY : 1);
  });
  return out;
}
