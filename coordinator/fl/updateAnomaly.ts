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

/** Median of a sorted-in-place array (0 when empty). */
function median(values: number[]): number {
  if (values.length === 0) return 0;
  values.sort((a, b) => a - b);
  const mid = (values.length - 1) / 2;
  return ((values[Math.floor(mid)] as number) + (values[Math.ceil(mid)] as number)) / 2;
}

/**
 * Scores every update of one round. Non-finite updates score +∞; with fewer than 3
 * updates there is no majority to compare with and nothing is scored.
 *
 * @param updates - the round's updates.
 * @param global - the global parameters they started from.
 * @returns node id → score.
 */
export function updateAnomalyScores(updates: readonly { nodeId: string; params: Float32Array }[], global: Float32Array): Map<string, number> {
  const out = new Map<string, number>();
  if (updates.length < 3) return out;
  const dim = global.length;
  const deltas = updates.map(({ params }) => {
    const d = new Float64Array(dim);
    for (let i = 0; i < dim; i++) d[i] = (params[i] as number) - (global[i] as number);
    return d;
  });
  const finite = deltas.map((d) => d.every(Number.isFinite));
  const column: number[] = [];
  const center = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    column.length = 0;
    for (let k = 0; k < deltas.length; k++) if (finite[k]) column.push(deltas[k]![i] as number);
    center[i] = median(column);
  }
  const distances = deltas.map((d, k) => {
    if (!finite[k]) return Number.POSITIVE_INFINITY;
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += ((d[i] as number) - (center[i] as number)) ** 2;
    return Math.sqrt(sum);
  });
  const typical = median(distances.filter(Number.isFinite));
  // When most updates coincide (typical distance 0), any that differs is infinitely far out.
  updates.forEach(({ nodeId }, k) => {
    const d = distances[k] as number;
    out.set(nodeId, typical > 0 ? d / typical : d > 0 ? Number.POSITIVE_INFINITY : 1);
  });
  return out;
}
