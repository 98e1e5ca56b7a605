import { setTimeout as sleep } from "node:timers/promises";
import { NodeUnavailableError } from "../errors/fl.ts";
import type { FitInstruction, FlClient, SignedUpdate } from "../fl/client.ts";
import type { Attack } from "../fl/attacks/attack.ts";
import type { Dataset } from "../fl/datasets/dataset.ts";
import type { Model, TrainResult } from "../fl/model/model.ts";
import { createRng, type Rng } from "../fl/random.ts";
import { hashUpdate, type NodeIdentity } from "./nodeIdentity.ts";

/** A fault the chaos engine (or a test) can put on a node. */
export type NodeFault = { kind: "crash" } | { kind: "delay"; ms: number };

/** What a node reports about itself (MAPE-K's monitor reads this). */
export type NodeTelemetry = {
  nodeId: string;
  numExamples: number;
  roundsTrained: number;
  lastRound: number | null;
  lastTrainMs: number | null;
  lastLoss: number | null;
  lastAccuracy: number | null;
  failures: number;
  attack: Attack["kind"] | null;
  fault: NodeFault["kind"] | null;
};

/** Options of {@link MeshNode}. */
export type MeshNodeParameters = {
  nodeId: string;
  identity: NodeIdentity;
  model: Model;
  /** The dataset its shard indexes into (shared, not copied). */
  dataset: Dataset;
  /** Row indices of this node's shard. */
  rows: Uint32Array;
  /** Seeds the node's shuffling and attack noise. */
  seed: number;
};

/**
 * An in-process mesh node acting as an FL client: it owns a data shard (an index list
 * into a shared dataset, so 500 nodes cost ~500 small arrays), trains locally, signs
 * its update and reports telemetry. It can be turned Byzantine with {@link setAttack}
 * and made to crash or straggle with {@link setFault}.
 *
 * @example
 * import { MeshNode } from "./meshNode.ts";
 * import { createNodeIdentity } from "./nodeIdentity.ts";
 * const node = new MeshNode({ nodeId: "n1", identity: createNodeIdentity({ seed: "n1" }), model, dataset, rows, seed: 1 });
 */
export class MeshNode implements FlClient {
  readonly nodeId: string;
  readonly identity: NodeIdentity;
  readonly model: Model;
  readonly dataset: Dataset;
  readonly rows: Uint32Array;
  #rng: Rng;
  #attack: Attack | undefined;
  #fault: NodeFault | undefined;
  #telemetry: NodeTelemetry;

  constructor(parameters: MeshNodeParameters) {
    this.nodeId = parameters.nodeId;
    this.identity = parameters.identity;
    this.model = parameters.model;
    this.dataset = parameters.dataset;
    this.rows = parameters.rows;
    this.#rng = createRng(parameters.seed);
    this.#telemetry = {
      nodeId: this.nodeId,
      numExamples: this.rows.length,
      roundsTrained: 0,
      lastRound: null,
      lastTrainMs: null,
      lastLoss: null,
      lastAccuracy: null,
      failures: 0,
      attack: null,
      fault: null,
    };
  }

  get address(): `0x${string}` {
    return this.identity.address;
  }

  /** Turns the node Byzantine (or honest again with `undefined`). */
  setAttack(attack: Attack | undefined): void {
    this.#attack = attack;
    this.#telemetry.attack = attack?.kind ?? null;
  }

  /** Injects a crash or delay (or clears it with `undefined`). */
  setFault(fault: NodeFault | undefined): void {
    this.#fault = fault;
    this.#telemetry.fault = fault?.kind ?? null;
  }

  /** A snapshot of the node's telemetry. */
  telemetry(): NodeTelemetry {
    return { ...this.#telemetry };
  }

  /**
   * Honest local training from `global` (label-flip attackers see flipped labels).
   *
   * @param global - starting parameters.
   * @param config - epochs, learning rate, batch size, FedProx μ.
   */
  trainLocally(global: Float32Array, config: FitInstruction["config"]): TrainResult {
    const transform = this.#attack?.labelTransform;
    const classes = this.dataset.numClasses;
    return this.model.train(global, this.dataset, this.rows, {
      epochs: config.localEpochs,
      learningRate: config.learningRate,
      batchSize: config.batchSize,
      proximalMu: config.proximalMu ?? 0,
      rng: this.#rng,
      ...(transform ? { labelTransform: (label: number) => transform(label, classes) } : {}),
    });
  }

  async fit(instruction: FitInstruction, signal: AbortSignal): Promise<SignedUpdate> {
    if (this.#fault?.kind === "crash") {
      this.#telemetry.failures++;
      throw new NodeUnavailableError({ nodeId: this.nodeId, reason: "crashed" });
    }
    const started = performance.now();
    const trained = this.trainLocally(instruction.params, instruction.config);
    const params = this.#attack
      ? this.#attack.poison({ round: instruction.round, global: instruction.params, honest: trained.params, rng: this.#rng })
      : trained.params;
    const trainMs = performance.now() - started;
    const updateHash = hashUpdate(params, trained.numExamples);
    const signature = await this.identity.signUpdate({ round: instruction.round, modelVersion: instruction.modelVersion, updateHash });
    if (this.#fault?.kind === "delay") await sleep(this.#fault.ms, undefined, { signal });
    Object.assign(this.#telemetry, {
      roundsTrained: this.#telemetry.roundsTrained + 1,
      lastRound: instruction.round,
      lastTrainMs: trainMs,
      lastLoss: trained.loss,
      lastAccuracy: trained.accuracy,
    });
    return {
      nodeId: this.nodeId,
      round: instruction.round,
      modelVersion: instruction.modelVersion,
      params,
      numExamples: trained.numExamples,
      metrics: { loss: trained.loss, accuracy: trained.accuracy, trainMs },
      updateHash,
      signature,
    };
  }
}
