import type { Rng } from "../random.ts";
import { shuffleInPlace } from "../random.ts";

/**
 * A labelled dataset held as one dense row-major feature matrix, so client shards can
 * be index lists into it instead of copies (500 nodes share one MNIST in memory).
 */
export type Dataset = {
  /** Short name, e.g. `"mnist"`. */
  readonly name: string;
  /** Row-major `numExamples × numFeatures`. */
  readonly features: Float32Array;
  /** Class index per example. */
  readonly labels: Uint8Array;
  readonly numExamples: number;
  readonly numFeatures: number;
  readonly numClasses: number;
  /** Natural grouping per example (e.g. sensor mote id), used by `partitionByNaturalId`. */
  readonly groups?: Uint16Array;
};

/**
 * Copies the given rows into a new dataset.
 *
 * @param dataset - the source.
 * @param indices - rows to keep, in order.
 * @param name - the new dataset's name.
 */
export function subsetDataset(dataset: Dataset, indices: ArrayLike<number>, name = dataset.name): Dataset {
  const d = dataset.numFeatures;
  const features = new Float32Array(indices.length * d);
  const labels = new Uint8Array(indices.length);
  const groups = dataset.groups ? new Uint16Array(indices.length) : undefined;
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r] as number;
    features.set(dataset.features.subarray(i * d, (i + 1) * d), r * d);
    labels[r] = dataset.labels[i] as number;
    if (groups && dataset.groups) groups[r] = dataset.groups[i] as number;
  }
  return {
    name,
    features,
    labels,
    numExamples: indices.length,
    numFeatures: d,
    numClasses: dataset.numClasses,
    ...(groups ? { groups } : {}),
  };
}

/**
 * Splits a dataset into a training part and a held-out test part at random.
 *
 * @param dataset - the source.
 * @param testFraction - share of examples held out, in (0, 1).
 * @param rng - seeded generator, so the split is reproducible.
 * @returns `{ train, test }`.
 */
export function splitDataset(dataset: Dataset, testFraction: number, rng: Rng): { train: Dataset; test: Dataset } {
  const order = shuffleInPlace(Uint32Array.from({ length: dataset.numExamples }, (_, i) => i), rng);
  const testCount = Math.round(dataset.numExamples * testFraction);
  return {
    test: subsetDataset(dataset, order.subarray(0, testCount), `${dataset.name}-test`),
    train: subsetDataset(dataset, order.subarray(testCount), `${dataset.name}-train`),
  };
}
