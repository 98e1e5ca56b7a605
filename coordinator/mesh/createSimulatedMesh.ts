import type { Logger } from "../logger.ts";
import { AlieCoalition } from "../fl/attacks/alie.ts";
import { createAttack, type AttackSpec } from "../fl/attacks/createAttack.ts";
import { splitDataset, type Dataset } from "../fl/datasets/dataset.ts";
import { createLogisticRegression } from "../fl/model/logisticRegression.ts";
import type { Model } from "../fl/model/model.ts";
import { createMlp } from "../fl/model/mlp.ts";
import { partitionByNaturalId } from "../fl/partition/byNaturalId.ts";
import { partitionDirichlet } from "../fl/partition/dirichlet.ts";
import { partitionIid } from "../fl/partition/iid.ts";
import { createRng } from "../fl/random.ts";
import type { Reputation } from "../fl/reputation.ts";
import type { RoundConfigInput } from "../fl/roundConfig.ts";
import { RoundRunner } from "../fl/roundRunner.ts";
import type { Strategy } from "../fl/strategies/strategy.ts";
import { MeshNode } from "./meshNode.ts";
import { createNodeIdentity } from "./nodeIdentity.ts";

/** Options of {@link createSimulatedMesh}. */
export type SimulatedMeshParameters = {
  /** Full dataset; split into train and a held-out test set. */
  dataset: Dataset;
  model: "logistic-regression" | "mlp";
  /** Hidden units of the MLP, default 64. */
  hidden?: number;
  /** Nodes in this process; 0 when every client is registered from elsewhere. */
  numNodes: number;
  /** Dirichlet α for a label-skewed split, `"iid"`, or one node per natural id of the dataset (the first `numNodes` ids). */
  partition: { kind: "dirichlet"; alpha: number } | { kind: "iid" } | { kind: "natural-id" };
  /** Held-out share for centralised evaluation, default 0.2. */
  testFraction?: number;
  /** Use only this many examples of the dataset (fast tests), default all. */
  maxExamples?: number;
  strategy: Strategy;
  config?: RoundConfigInput;
  /** Byzantine nodes: the first ⌊fraction × numNodes⌋ nodes run `attack`. */
  byzantine?: { fraction: number; attack: AttackSpec };
  seed: number;
  /** Trust tracking shared with the runner; default a fresh `Reputation`. */
  reputation?: Reputation;
  /** Global parameters to start from (a restart resuming the last model); default the model's seeded init. */
  initialParams?: Float32Array;
  logger?: Logger;
};

/** A simulated federation: nodes in this process plus the round runner over them. */
export type SimulatedMesh = {
  runner: RoundRunner;
  nodes: MeshNode[];
  byzantineIds: Set<string>;
  model: Model;
  train: Dataset;
  test: Dataset;
};

/**
 * Builds an in-process mesh for simulations, tests and benchmarks: splits the data,
 * partitions the training part across `numNodes` nodes with deterministic identities,
 * turns the first `byzantine.fraction` of them Byzantine, and registers all of them
 * with a {@link RoundRunner}.
 *
 * @example
 * import { createSimulatedMesh } from "./createSimulatedMesh.ts";
 * const mesh = createSimulatedMesh({ dataset: loadMnist(), model: "logistic-regression", numNodes: 100,
 *   partition: { kind: "dirichlet", alpha: 0.5 }, strategy: createStrategy({ name: "fedmedian" }), seed: 1 });
 * await mesh.runner.run(10);
 */
export function createSimulatedMesh(parameters: SimulatedMeshParameters): SimulatedMesh {
  const rng = createRng(parameters.seed);
  let source = parameters.dataset;
  if (parameters.maxExamples !== undefined && parameters.maxExamples < source.numExamples) {
    source = splitDataset(source, 1 - parameters.maxExamples / source.numExamples, rng.fork()).test;
  }
  const { train, test } = splitDataset(source, parameters.testFraction ?? 0.2, rng.fork());
  const shape = { numFeatures: train.numFeatures, numClasses: train.numClasses };
  const model = parameters.model === "mlp" ? createMlp({ ...shape, hidden: parameters.hidden ?? 64 }) : createLogisticRegression(shape);
  // No local nodes is a federation whose clients all live elsewhere (node-host processes).
  const shards =
    parameters.numNodes === 0
      ? []
      : parameters.partition.kind === "iid"
        ? partitionIid(train, { numPartitions: parameters.numNodes, seed: parameters.seed })
        : parameters.partition.kind === "natural-id"
          ? partitionByNaturalId(train).shards.slice(0, parameters.numNodes)
          : partitionDirichlet(train, { numPartitions: parameters.numNodes, alpha: parameters.partition.alpha, seed: parameters.seed });
  const nodes = shards.map(
    (rows, i) =>
      new MeshNode({
        nodeId: `node-${String(i).padStart(3, "0")}`,
        identity: createNodeIdentity({ seed: `${parameters.seed}:${i}` }),
        model,
        dataset: train,
        rows,
        seed: parameters.seed * 1000 + i,
      }),
  );
  const runner = new RoundRunner({
    model,
    strategy: parameters.strategy,
    evaluation: { dataset: test },
    config: { seed: parameters.seed, ...parameters.config },
    ...(parameters.logger ? { logger: parameters.logger } : {}),
    ...(parameters.reputation ? { reputation: parameters.reputation } : {}),
    ...(parameters.initialParams ? { initialParams: parameters.initialParams } : {}),
  });
  const byzantineIds = new Set<string>();
  const byz = parameters.byzantine;
  if (byz && byz.fraction > 0) {
    const count = Math.floor(byz.fraction * parameters.numNodes);
    const attackers = nodes.slice(0, count);
    const fitConfig = runner.config;
    const coalition =
      byz.attack.kind === "alie"
        ? new AlieCoalition({
            numClients: Math.max(parameters.numNodes * fitConfig.fractionFit, 1),
            numByzantine: Math.max(1, Math.round(count * fitConfig.fractionFit)),
            ...(byz.attack.z !== undefined ? { z: byz.attack.z } : {}),
          })
        : undefined;
    const honestTrainer = (node: MeshNode) => (global: Float32Array) =>
      node.trainLocally(global, { localEpochs: fitConfig.localEpochs, learningRate: fitConfig.learningRate, batchSize: fitConfig.batchSize }).params;
    for (const node of attackers) {
      byzantineIds.add(node.nodeId);
      node.setAttack(createAttack(byz.attack, coalition ? { coalition } : {}));
      coalition?.register(node.nodeId, honestTrainer(node));
    }
    if (coalition && byz.attack.kind === "alie" && byz.attack.omniscient) {
      for (const node of nodes.slice(count)) coalition.observe(node.nodeId, honestTrainer(node));
    }
  }
  for (const node of nodes) runner.register(node);
  return { runner, nodes, byzantineIds, model, train, test };
}
