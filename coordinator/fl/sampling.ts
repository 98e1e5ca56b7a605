import type { Rng } from "./random.ts";

/** Outcome of {@link sampleClients}. */
export type SampleResult = { ok: true; selected: string[] } | { ok: false; reason: string };

/**
 * Picks this round's clients as Flower does: sample size = max(⌊available × fraction⌋,
 * minFit), and no round starts with fewer than minAvailable eligible clients. Banned
 * clients are not eligible. With `trustWeights`, sampling is without replacement with
 * probability proportional to trust (Efraimidis & Spirakis 2006, key = u^(1/w)), so
 * low-trust nodes train less often without being excluded outright.
 *
 * @param options.available - eligible node ids.
 * @param options.fraction - fraction of available clients to sample, in (0, 1].
 * @param options.minFit - minimum clients to sample.
 * @param options.minAvailable - minimum eligible clients to start a round.
 * @param options.trustWeights - node id → weight > 0; omit for uniform sampling.
 * @param options.rng - seeded generator.
 */
export function sampleClients(options: {
  available: readonly string[];
  fraction: number;
  minFit: number;
  minAvailable: number;
  trustWeights?: (nodeId: string) => number;
  rng: Rng;
}): SampleResult {
  const { available, rng } = options;
  if (available.length < Math.max(options.minAvailable, options.minFit)) {
    return { ok: false, reason: `only ${available.length} eligible clients, need ${Math.max(options.minAvailable, options.minFit)} (minAvailable ${options.minAvailable}, minFit ${options.minFit})` };
  }
  const size = Math.min(available.length, Math.max(Math.floor(available.length * options.fraction), options.minFit));
  const weight = options.trustWeights ?? (() => 1);
  const keyed = available.map((id) => {
    const w = Math.max(weight(id), 1e-6);
    return { id, key: Math.log(Math.max(rng.next(), 1e-300)) / w };
  });
  keyed.sort((a, b) => b.key - a.key);
  return { ok: true, selected: keyed.slice(0, size).map((k) => k.id) };
}
