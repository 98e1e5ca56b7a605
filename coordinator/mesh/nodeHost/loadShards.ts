/**
 * The data a node host's nodes train on. Each node owns shard `index` of a
 * deterministic IID partition of the coordinator's training split: the split is made
 * exactly as `createSimulatedMesh` makes it (same seed, same `maxExamples`, same
 * random draws), so remote nodes never train on the coordinator's held-out set.
 *
 * Memory matters here: 500 nodes run in a handful of processes on a small machine.
 * Parsing the `mnist` package's JSON costs a process ~150 MB of heap it never gives
 * back, so the first host writes the decoded dataset to a binary cache file and the
 * others map it in (31 MB, released once this host's rows are copied out), and the
 * split is done on index arrays instead of copies.
 */
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { subsetDataset, type Dataset } from "../../fl/datasets/dataset.ts";
import { loadMnist } from "../../fl/datasets/mnist.ts";
import { loadSensorNetwork } from "../../fl/datasets/sensorNetwork.ts";
import { partitionIid } from "../../fl/partition/iid.ts";
import { createRng, shuffleInPlace, type Rng } from "../../fl/random.ts";

/** Datasets a node host can load offline. */
export const HOST_DATASETS = ["mnist", "sensor"] as const;
export type HostDatasetName = (typeof HOST_DATASETS)[number];

/** Options of {@link loadShards}. */
export type LoadShardsParameters = {
  dataset: HostDatasetName;
  /** Global indices of this host's nodes. */
  indices: readonly number[];
  /** How many shards the training split is cut into (all nodes of the deployment). */
  totalShards: number;
  /** The FL seed (the coordinator's). */
  seed: number;
  /** Use only this many examples (as the coordinator's `maxExamples`). */
  maxExamples?: number;
  /** Held-out share the coordinator keeps, default 0.2. */
  testFraction?: number;
  /** Directory of the decoded-dataset cache; default `<tmpdir>/synod-datasets`. */
  cacheDir?: string;
};

const MAGIC = 0x53594e44; // "SYND"

function loadCached(name: HostDatasetName, cacheDir: string): Dataset {
  if (name === "sensor") return loadSensorNetwork();
  const file = path.join(cacheDir, `${name}-v1.bin`);
  if (existsSync(file)) {
    const bytes = readFileSync(file);
    const header = new Uint32Array(bytes.buffer, bytes.byteOffset, 4);
    const [magic, numExamples, numFeatures, numClasses] = [header[0]!, header[1]!, header[2]!, header[3]!];
    if (magic === MAGIC && bytes.byteLength === 16 + numExamples * numFeatures * 4 + numExamples) {
      // Copy into aligned arrays (a Buffer's offset need not be a multiple of 4).
      const features = new Float32Array(numExamples * numFeatures);
      new Uint8Array(features.buffer).set(bytes.subarray(16, 16 + features.byteLength));
      const labels = Uint8Array.from(bytes.subarray(16 + features.byteLength));
      return { name, features, labels, numExamples, numFeatures, numClasses };
    }
  }
  const dataset = loadMnist();
  mkdirSync(cacheDir, { recursive: true });
  const header = new Uint32Array([MAGIC, dataset.numExamples, dataset.numFeatures, dataset.numClasses]);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, Buffer.concat([Buffer.from(header.buffer), Buffer.from(dataset.features.buffer, dataset.features.byteOffset, dataset.features.byteLength), Buffer.from(dataset.labels)]));
  renameSync(temp, file);
  return dataset;
}

/** `splitDataset` on indices: the same shuffle and cut, no copies. */
function splitIndices(rows: Uint32Array, testFraction: number, rng: Rng): { train: Uint32Array; test: Uint32Array } {
  const order = shuffleInPlace(Uint32Array.from({ length: rows.length }, (_, i) => i), rng);
  const testCount = Math.round(rows.length * testFraction);
  return { test: order.subarray(0, testCount).map((i) => rows[i]!), train: order.subarray(testCount).map((i) => rows[i]!) };
}

/**
 * Loads the dataset and returns one compact dataset holding only this host's rows,
 * plus each node's row list into it.
 *
 * @returns `{ data, rows }` with `rows[i]` the rows of `indices[i]`.
 */
export function loadShards(parameters: LoadShardsParameters): { data: Dataset; rows: Uint32Array[] } {
  const full = loadCached(parameters.dataset, parameters.cacheDir ?? path.join(os.tmpdir(), "synod-datasets"));
  // Same sequence of rng draws as createSimulatedMesh: subset, then split.
  const rng = createRng(parameters.seed);
  let source: Uint32Array = Uint32Array.from({ length: full.numExamples }, (_, i) => i);
  if (parameters.maxExamples !== undefined && parameters.maxExamples < full.numExamples) {
    source = splitIndices(source, 1 - parameters.maxExamples / full.numExamples, rng.fork()).test;
  }
  const train = splitIndices(source, parameters.testFraction ?? 0.2, rng.fork()).train;
  // partitionIid only looks at the example count.
  const view: Dataset = { ...full, numExamples: train.length };
  const shards = partitionIid(view, { numPartitions: Math.min(parameters.totalShards, train.length), seed: parameters.seed });
  const picked = parameters.indices.map((index) => (shards[index % shards.length] as Uint32Array).map((r) => train[r]!));
  const all = new Uint32Array(picked.reduce((n, rows) => n + rows.length, 0));
  let offset = 0;
  const rows = picked.map((shard) => {
    all.set(shard, offset);
    const local = Uint32Array.from({ length: shard.length }, (_, i) => offset + i);
    offset += shard.length;
    return local;
  });
  return { data: subsetDataset(full, all, `${full.name}-host`), rows };
}
