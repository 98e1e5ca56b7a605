/**
 * The anomaly model MAPE-K's Analyze step consults: a small MLP that reads a node's
 * telemetry (see `telemetry.ts`) and names what is wrong with it. It is trained by
 * federated learning, by the same round runner as the mesh's MNIST model: each FL
 * client holds one mesh node's own recorded telemetry (the mesh-telemetry dataset,
 * partitioned by node), trains locally, signs its update, and FedAvg aggregates.
 */
import { loadMeshTelemetry } from "../fl/datasets/meshTelemetry.ts";
import type { Dataset } from "../fl/datasets/dataset.ts";
import { createMlp } from "../fl/model/mlp.ts";
import type { Model } from "../fl/model/model.ts";
import { InvalidAnomalyModelParamsError } from "../errors/mapek.ts";
import { createStrategy } from "../fl/strategies/createStrategy.ts";
import { createSimulatedMesh } from "../mesh/createSimulatedMesh.ts";
import type { NodeView } from "./monitor.ts";
import { TELEMETRY_CLASSES, TELEMETRY_FEATURES, telemetryFeatures, type TelemetryClass } from "./telemetry.ts";

/**
 * How the anomaly model is trained, besides its data. Everything here goes into the
 * cache key (`anomalyModelCache.ts`): change a value and a cached model is trained again.
 */
export const ANOMALY_MODEL_TRAINING = {
  architecture: "mlp",
  hidden: 32,
  strategy: "fedavg",
  rounds: 30,
  seed: 1,
  testFraction: 0.2,
  config: { minFitClients: 2, minAvailableClients: 2, fractionFit: 1, localEpochs: 4, learningRate: 0.3, batchSize: 16, roundTimeoutMs: 60_000 },
} as const;

/** How the model was trained and how well it does on held-out telemetry. */
export type AnomalyModelSummary = {
  dataset: string;
  architecture: string;
  strategy: string;
  rounds: number;
  clients: number;
  trainExamples: number;
  testExamples: number;
  /** Held-out accuracy over all classes. */
  accuracy: number;
  /** Held-out recall (true-positive rate) per class. */
  recall: Record<TelemetryClass, number>;
  /** Held-out precision per class (`null` when the model never predicts it). */
  precision: Record<TelemetryClass, number | null>;
  /** Accuracy on the held-out set after each FL round. */
  accuracyPerRound: number[];
  /** How long training took when the model was trained (a cached model keeps its original figure). */
  trainMs: number;
  /** `"trained"` in this process, or `"cache"`: read from the data dir, not trained at this start. */
  source: "trained" | "cache";
};

/** The model's verdict on one node. */
export type AnomalyPrediction = { label: TelemetryClass; confidence: number };

/** A trained anomaly model. */
export type AnomalyModel = {
  readonly summary: AnomalyModelSummary;
  /** Classifies every node's current telemetry. */
  classify(views: readonly NodeView[], now: number, heartbeatMs: number): Map<string, AnomalyPrediction>;
};

/** A trained anomaly model with its parameters (what the cache stores). */
export type TrainedAnomalyModel = AnomalyModel & {
  /** The MLP's flat parameters ({@link ANOMALY_MODEL_TRAINING} shape over the telemetry features and classes). */
  readonly params: Float32Array;
};

/** Options of {@link trainAnomalyModel}. */
export type TrainAnomalyModelParameters = {
  /** Default the recorded mesh-telemetry dataset. */
  dataset?: Dataset;
  /** FL rounds; default {@link ANOMALY_MODEL_TRAINING}`.rounds`. */
  rounds?: number;
  /** Default {@link ANOMALY_MODEL_TRAINING}`.seed`. */
  seed?: number;
};

function predictionsOf(model: Model, params: Float32Array, data: Dataset): Uint8Array {
  const probs = model.predict(params, data);
  const C = model.numClasses;
  const out = new Uint8Array(data.numExamples);
  for (let i = 0; i < data.numExamples; i++) {
    let arg = 0;
    for (let c = 1; c < C; c++) if ((probs[i * C + c] as number) > (probs[i * C + arg] as number)) arg = c;
    out[i] = arg;
  }
  return out;
}

/**
 * Trains the anomaly model by federated learning over the nodes of the recorded
 * telemetry (one client per node, FedAvg, MLP with 32 hidden units), and measures it
 * on a held-out fifth of the rows.
 *
 * @throws {DatasetLoadError} when the dataset cannot be read.
 */
export async function trainAnomalyModel(parameters: TrainAnomalyModelParameters = {}): Promise<TrainedAnomalyModel> {
  const started = performance.now();
  const dataset = parameters.dataset ?? loadMeshTelemetry();
  const rounds = parameters.rounds ?? ANOMALY_MODEL_TRAINING.rounds;
  const clients = new Set(dataset.groups ?? []).size;
  const sim = createSimulatedMesh({
    dataset,
    model: ANOMALY_MODEL_TRAINING.architecture,
    hidden: ANOMALY_MODEL_TRAINING.hidden,
    numNodes: clients,
    partition: { kind: "natural-id" },
    strategy: createStrategy({ name: ANOMALY_MODEL_TRAINING.strategy }),
    config: { ...ANOMALY_MODEL_TRAINING.config },
    testFraction: ANOMALY_MODEL_TRAINING.testFraction,
    seed: parameters.seed ?? ANOMALY_MODEL_TRAINING.seed,
  });
  const accuracyPerRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const record = await sim.runner.runRound();
    accuracyPerRound.push(record.evaluation?.accuracy ?? Number.NaN);
    // A round is ~100 ms of CPU: give the event loop a turn between rounds, or the
    // coordinator (training this at start) reads its nodes' heartbeats seconds late.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const params = sim.runner.params;
  const predicted = predictionsOf(sim.model, params, sim.test);
  const C = TELEMETRY_CLASSES.length;
  const hits = new Array<number>(C).fill(0);
  const actual = new Array<number>(C).fill(0);
  const said = new Array<number>(C).fill(0);
  for (let i = 0; i < sim.test.numExamples; i++) {
    const y = sim.test.labels[i] as number;
    const p = predicted[i] as number;
    actual[y]!++;
    said[p]!++;
    if (p === y) hits[y]!++;
  }
  const summary: AnomalyModelSummary = {
    dataset: dataset.name,
    architecture: `mlp ${TELEMETRY_FEATURES.length}-${ANOMALY_MODEL_TRAINING.hidden}-${C}`,
    strategy: ANOMALY_MODEL_TRAINING.strategy,
    rounds,
    clients: sim.nodes.length,
    trainExamples: sim.train.numExamples,
    testExamples: sim.test.numExamples,
    accuracy: hits.reduce((a, b) => a + b, 0) / Math.max(1, sim.test.numExamples),
    recall: Object.fromEntries(TELEMETRY_CLASSES.map((c, k) => [c, actual[k] ? (hits[k] as number) / (actual[k] as number) : 0])) as Record<TelemetryClass, number>,
    precision: Object.fromEntries(TELEMETRY_CLASSES.map((c, k) => [c, said[k] ? (hits[k] as number) / (said[k] as number) : null])) as Record<TelemetryClass, number | null>,
    accuracyPerRound,
    trainMs: Math.round(performance.now() - started),
    source: "trained",
  };
  return anomalyModelFromParams(params, summary);
}

/**
 * The anomaly model with the given parameters: an MLP of {@link ANOMALY_MODEL_TRAINING}
 * shape over {@link TELEMETRY_FEATURES}, naming one of {@link TELEMETRY_CLASSES}.
 * Training ends here, and so does reading a cached model.
 *
 * @param params - the MLP's flat parameters.
 * @param summary - how it was trained, its held-out scores and where it came from.
 * @throws {InvalidAnomalyModelParamsError} when `params` is not the MLP's length.
 */
export function anomalyModelFromParams(params: Float32Array, summary: AnomalyModelSummary): TrainedAnomalyModel {
  const C = TELEMETRY_CLASSES.length;
  const model = createMlp({ numFeatures: TELEMETRY_FEATURES.length, numClasses: C, hidden: ANOMALY_MODEL_TRAINING.hidden });
  if (params.length !== model.numParams) throw new InvalidAnomalyModelParamsError({ expected: model.numParams, actual: params.length });
  return {
    summary,
    params,
    classify(views, now, heartbeatMs) {
      const features = telemetryFeatures(views, now, heartbeatMs);
      const ids = [...features.keys()];
      const rows = new Float32Array(ids.length * TELEMETRY_FEATURES.length);
      ids.forEach((id, i) => rows.set(features.get(id) as Float32Array, i * TELEMETRY_FEATURES.length));
      const batch: Dataset = { name: "live-telemetry", features: rows, labels: new Uint8Array(ids.length), numExamples: ids.length, numFeatures: TELEMETRY_FEATURES.length, numClasses: C };
      const probs = model.predict(params, batch);
      const out = new Map<string, AnomalyPrediction>();
      ids.forEach((id, i) => {
        let arg = 0;
        for (let c = 1; c < C; c++) if ((probs[i * C + c] as number) > (probs[i * C + arg] as number)) arg = c;
        out.set(id, { label: TELEMETRY_CLASSES[arg] as TelemetryClass, confidence: probs[i * C + arg] as number });
      });
      return out;
    },
  };
}

let shared: Promise<TrainedAnomalyModel> | undefined;

/**
 * The anomaly model trained on the recorded dataset, once per process (every coordinator
 * in a process shares it). Across processes, `loadOrTrainAnomalyModel` keeps it in the data dir.
 */
export function sharedAnomalyModel(): Promise<TrainedAnomalyModel> {
  shared ??= trainAnomalyModel().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}
