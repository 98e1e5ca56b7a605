import { PartitionError } from "../../errors/fl.ts";
import type { Dataset } from "../datasets/dataset.ts";
import { createRng, shuffleInPlace } from "../random.ts";

/**
 * Splits a dataset uniformly at random into `numPartitions` shards of near-equal size.
 *
 * @param dataset - the training set.
 * @param options.numPartitions - number of clients.
 * @param options.seed - seed of the shuffle.
 * @returns one row-index list per client.
 * @throws {PartitionError} if there are more partitions than examples.
 */
export function partitionIid(dataset: Dataset, options: { numPartitions: number; seed: number }): Uint32Array[] {
  const { numPartitions } = options;
  if (!Number.isInteger(numPartitions) || numPartitions < 1 || numPartitions > dataset.numExamples) {
    throw new PartitionError({ partitioner: "iid", reason: `numPartitions must be in [1, ${dataset.numExamples}], got ${numPartitions}` });
  }
  const order = shuffleInPlace(Uint32Array.from({ length: dataset.numExamples }, (_, i) => i), createRng(options.seed));
  const shards: Uint32Array[] = [];
  for (let p = 0; p < numPartitions; p++) {
    const start = Math.floor((p * dataset.numExamples) / numPartitions);
    const end = Math.floor(((p + 1) * dataset.numExamples) / numPartitions);
    shards.push(order.slice(start, end));
  }
  return shards;
}
