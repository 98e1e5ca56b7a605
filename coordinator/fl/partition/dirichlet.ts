import { PartitionError } from "../../errors/fl.ts";
import type { Dataset } from "../datasets/dataset.ts";
import { createRng, shuffleInPlace } from "../random.ts";

/**
 * Label-skewed non-IID split of Hsu, Qi & Brown (2019), "Measuring the Effects of
 * Non-Identical Data Distribution for Federated Visual Classification": for every
 * class, client shares are drawn from Dirichlet(α·1) and that class's examples are
 * dealt out accordingly. Small α → each client sees few classes.
 *
 * Like Flower's `DirichletPartitioner`, a draw that leaves any client with fewer than
 * `minPartitionSize` examples is redrawn (up to `maxRetries` times).
 *
 * @param dataset - the training set.
 * @param options.numPartitions - number of clients.
 * @param options.alpha - Dirichlet concentration (> 0), e.g. 0.5.
 * @param options.seed - seed of the draw.
 * @param options.minPartitionSize - smallest acceptable shard, default 10.
 * @param options.maxRetries - redraws before giving up, default 100.
 * @returns one row-index list per client.
 * @throws {PartitionError} on bad options or when no acceptable draw was found.
 */
export function partitionDirichlet(
  dataset: Dataset,
  options: { numPartitions: number; alpha: number; seed: number; minPartitionSize?: number; maxRetries?: number },
): Uint32Array[] {
  const { numPartitions, alpha } = options;
  const minSize = options.minPartitionSize ?? 10;
  if (!(alpha > 0)) throw new PartitionError({ partitioner: "dirichlet", reason: `alpha must be > 0, got ${alpha}` });
  if (!Number.isInteger(numPartitions) || numPartitions < 1 || numPartitions * minSize > dataset.numExamples) {
    throw new PartitionError({
      partitioner: "dirichlet",
      reason: `numPartitions × minPartitionSize must fit ${dataset.numExamples} examples (got ${numPartitions} × ${minSize})`,
    });
  }
  const rng = createRng(options.seed);
  const byClass: number[][] = Array.from({ length: dataset.numClasses }, () => []);
  for (let i = 0; i < dataset.numExamples; i++) (byClass[dataset.labels[i] as number] as number[]).push(i);
  for (let attempt = 0; attempt < (options.maxRetries ?? 100); attempt++) {
    const shards: number[][] = Array.from({ length: numPartitions }, () => []);
    for (const indices of byClass) {
      shuffleInPlace(indices, rng);
      const shares = Array.from({ length: numPartitions }, () => rng.gamma(alpha));
      const total = shares.reduce((a, b) => a + b, 0);
      let start = 0;
      let cumulative = 0;
      for (let p = 0; p < numPartitions; p++) {
        cumulative += (shares[p] as number) / total;
        const end = p === numPartitions - 1 ? indices.length : Math.round(cumulative * indices.length);
        for (let k = start; k < end; k++) (shards[p] as number[]).push(indices[k] as number);
        start = Math.max(start, end);
      }
    }
    if (shards.every((s) => s.length >= minSize)) return shards.map((s) => Uint32Array.from(s));
  }
  throw new PartitionError({ partitioner: "dirichlet", reason: `no draw gave every client ≥ ${minSize} examples; lower minPartitionSize or raise alpha` });
}
