/**
 * The anomaly model's cache in the data dir: a second start reads it and trains
 * nothing, an entry that does not verify is refused and replaced, and a change of what
 * determines the model (dataset, training settings) is a miss. Training is counted by
 * an injected trainer (2 FL rounds, so each training is a fraction of a second).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, before, beforeEach, describe, it } from "node:test";
import { loadMeshTelemetry } from "../../../coordinator/fl/datasets/meshTelemetry.ts";
import type { Dataset } from "../../../coordinator/fl/datasets/dataset.ts";
import { trainAnomalyModel, type TrainAnomalyModelParameters, type TrainedAnomalyModel } from "../../../coordinator/mapek/anomalyModel.ts";
import { anomalyModelCacheFiles, datasetSha256 } from "../../../coordinator/mapek/anomalyModelCache.ts";
import { loadOrTrainAnomalyModel, type LoadOrTrainAnomalyModelParameters } from "../../../coordinator/mapek/loadOrTrainAnomalyModel.ts";
import { capturingLogger } from "../api/helper.ts";

const ROUNDS = 2;

describe("anomaly model cache", () => {
  let dataset: Dataset;
  let dataDir: string;
  let trainings: number;
  const train = (parameters: TrainAnomalyModelParameters): Promise<TrainedAnomalyModel> => {
    trainings++;
    return trainAnomalyModel(parameters);
  };
  const load = (extra: Partial<LoadOrTrainAnomalyModelParameters> = {}) => loadOrTrainAnomalyModel({ dataDir, dataset, rounds: ROUNDS, train, ...extra });

  before(() => {
    dataset = loadMeshTelemetry();
  });
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-anomaly-cache-"));
    trainings = 0;
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("trains on the first load, stores the model, and reads it back on the second without training", async () => {
    const first = await load();
    assert.equal(first.source, "trained");
    assert.equal(first.model.summary.source, "trained");
    assert.equal(trainings, 1);
    assert.match(first.key, /^[0-9a-f]{64}$/);
    assert.equal(first.file, path.join(dataDir, "mapek", "anomaly-model", `${first.key}.json`));

    const second = await load();
    assert.equal(trainings, 1, "the second load trained nothing");
    assert.equal(second.source, "cache");
    assert.equal(second.key, first.key);
    assert.equal(second.model.summary.source, "cache");
    assert.deepEqual(second.model.params, first.model.params, "the same parameters, bit for bit");
    const { source: _a, ...trained } = first.model.summary;
    const { source: _b, ...cached } = second.model.summary;
    assert.deepEqual(cached, trained, "the summary survives the round trip (held-out scores, trainMs of the training)");
  });

  // Each corrupts the entry written by a first load; the next load must refuse it, say why, train again and rewrite it.
  const corruptions: Array<{ name: string; corrupt: (files: { meta: string; params: string }) => Promise<void>; reason: RegExp }> = [
    { name: "a truncated parameter file", corrupt: (f) => truncate(f.params, 100), reason: /has 100 bytes, expected/ },
    {
      name: "a parameter file with one byte changed",
      corrupt: async (f) => {
        const bytes = await readFile(f.params);
        bytes[7]! ^= 0x40;
        await writeFile(f.params, bytes);
      },
      reason: /has sha256 [0-9a-f]{64}, expected/,
    },
    { name: "a missing parameter file", corrupt: (f) => rm(f.params), reason: /\.f32 is missing/ },
    { name: "a JSON file cut short", corrupt: (f) => truncate(f.meta, 40), reason: /is not JSON/ },
    {
      name: "an entry of another format version",
      corrupt: async (f) => writeFile(f.meta, (await readFile(f.meta, "utf8")).replace('"formatVersion": 1', '"formatVersion": 0')),
      reason: /formatVersion/,
    },
    {
      // A consistent entry (sha256 matches) for an MLP of another size: the shape check catches it.
      name: "parameters of another shape, hashed consistently",
      corrupt: async (f) => {
        const bytes = new Uint8Array(4 * 10);
        await writeFile(f.params, bytes);
        const meta = JSON.parse(await readFile(f.meta, "utf8")) as { params: { count: number; sha256: string } };
        meta.params = { ...meta.params, count: 10, sha256: createHash("sha256").update(bytes).digest("hex") };
        await writeFile(f.meta, JSON.stringify(meta));
      },
      reason: /parameters, not 10/,
    },
  ];
  for (const { name, corrupt, reason } of corruptions) {
    it(`refuses ${name} with a warning, trains again and rewrites a valid entry`, async () => {
      const first = await load();
      await corrupt(anomalyModelCacheFiles(dataDir, first.key));
      const { logger, lines } = capturingLogger();

      const again = await load({ logger });
      assert.equal(again.source, "trained");
      assert.equal(trainings, 2);
      const warning = lines.find((l) => l.msg === "cached anomaly model does not verify; training it again");
      assert.ok(warning, JSON.stringify(lines));
      assert.match(String(warning.reason), reason);

      const third = await load();
      assert.equal(third.source, "cache", "the rewritten entry verifies");
      assert.equal(trainings, 2);
    });
  }

  it("misses when the dataset's bytes or the training settings differ, and keeps each entry", async () => {
    const original = await load();
    const features = Float32Array.from(dataset.features);
    features[0] = features[0]! + 1;
    const edited: Dataset = { ...dataset, features };
    assert.notEqual(datasetSha256(edited), datasetSha256(dataset));

    const other = await load({ dataset: edited });
    assert.equal(other.source, "trained");
    assert.notEqual(other.key, original.key);
    const moreRounds = await load({ rounds: ROUNDS + 1 });
    assert.equal(moreRounds.source, "trained");
    assert.notEqual(moreRounds.key, original.key);
    const otherSeed = await load({ seed: 2 });
    assert.equal(otherSeed.source, "trained");
    assert.equal(trainings, 4);

    assert.equal((await load()).source, "cache", "the original entry is still there");
    assert.equal((await load({ dataset: edited })).source, "cache");
    assert.equal(trainings, 4);
  });

  it("still returns the trained model when the cache cannot be written, and says so", async () => {
    // A file where the cache directory should be: mkdir fails.
    await writeFile(path.join(dataDir, "mapek"), "not a directory");
    const { logger, lines } = capturingLogger();
    const result = await load({ logger });
    assert.equal(result.source, "trained");
    assert.equal(result.file, null);
    assert.ok(lines.some((l) => l.msg === "trained anomaly model could not be cached; the next start trains it again"), JSON.stringify(lines));
    assert.equal(result.model.classify([], 0, 250).size, 0);
  });
});
