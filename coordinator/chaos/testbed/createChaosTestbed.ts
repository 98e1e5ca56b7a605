/**
 * Everything a chaos run needs, wired together: a hosted mesh, the MAPE-K loop over
 * it, the chaos engine, an event bus, and (optionally) the knowledge outbox. Used by
 * the integration tests, the benchmark that fills the table in docs/chaos.md, and
 * `npm start` (which passes its own bus, outbox and logger).
 */
import { createEventBus, type EventBus } from "../../events.ts";
import type { Dataset } from "../../fl/datasets/dataset.ts";
import type { RoundConfigInput } from "../../fl/roundConfig.ts";
import type { Strategy } from "../../fl/strategies/strategy.ts";
import type { Logger } from "../../logger.ts";
import type { AnalyzeOptions } from "../../mapek/analyze.ts";
import { sharedAnomalyModel, type AnomalyModel } from "../../mapek/anomalyModel.ts";
import { MapekLoop } from "../../mapek/mapekLoop.ts";
import type { PolicyParameterName } from "../../policy/parameters.ts";
import type { KnowledgeRepository } from "../../store/knowledgeRepository.ts";
import { ChaosEngine } from "../chaosEngine.ts";
import type { ExperimentDeps } from "../experiment/runExperiment.ts";
import { createHostedMesh, type HostedMesh } from "./createHostedMesh.ts";

/** Options of {@link createChaosTestbed}. */
export type CreateChaosTestbedParameters = {
  dataset: Dataset;
  numNodes: number;
  nodesPerHost: number;
  strategy: Strategy;
  roundConfig?: RoundConfigInput;
  maxExamples?: number;
  seed: number;
  /** Node heartbeat period, ms (MeshPolicy `mesh.heartbeatMs`). */
  heartbeatMs: number;
  /** MAPE-K tick period, ms. */
  mapekIntervalMs: number;
  analyze?: Partial<AnalyzeOptions>;
  roundGapMs?: number;
  outbox?: KnowledgeRepository;
  events?: EventBus;
  logger?: Logger;
  /** Directive cooldown of the MAPE-K loop, ms. */
  directiveCooldownMs?: number;
  /** MeshPolicy values the MAPE-K loop reads (as `npm start` reads them from the chain); default the deployment defaults. */
  policy?: () => Readonly<Record<PolicyParameterName, bigint>>;
  /** The MAPE-K anomaly model; default the one trained on the recorded mesh telemetry (`null`: rules alone). */
  anomalyModel?: Promise<AnomalyModel> | null;
};

/** The wired testbed. */
export type ChaosTestbed = {
  mesh: HostedMesh;
  mapek: MapekLoop;
  engine: ChaosEngine;
  events: EventBus;
  /** What `runExperiment` takes. */
  deps: ExperimentDeps;
  /** Starts FL rounds and the MAPE-K loop. */
  start(): void;
  /** Recovers every fault, stops the loop and rounds, stops every process and socket. */
  close(): Promise<void>;
};

/**
 * @example
 * import { createChaosTestbed } from "./createChaosTestbed.ts";
 * const bed = await createChaosTestbed({ dataset: loadMnist(), numNodes: 100, nodesPerHost: 10, strategy, seed: 1, heartbeatMs: 500, mapekIntervalMs: 250 });
 * bed.start();
 * const { journal } = await runExperiment("experiments/node-failure.yaml", bed.deps);
 * await bed.close();
 */
export async function createChaosTestbed(parameters: CreateChaosTestbedParameters): Promise<ChaosTestbed> {
  const events = parameters.events ?? createEventBus({ historySize: 1024 });
  // Trained before the nodes start: training takes the CPU for seconds, and nodes
  // heartbeating meanwhile would look dead or slow.
  const anomalyModel = parameters.anomalyModel === null ? undefined : await (parameters.anomalyModel ?? sharedAnomalyModel());
  const mesh = await createHostedMesh({
    dataset: parameters.dataset,
    model: "logistic-regression",
    numNodes: parameters.numNodes,
    nodesPerHost: parameters.nodesPerHost,
    strategy: parameters.strategy,
    heartbeatMs: parameters.heartbeatMs,
    seed: parameters.seed,
    events,
    ...(parameters.roundConfig ? { roundConfig: parameters.roundConfig } : {}),
    ...(parameters.maxExamples !== undefined ? { maxExamples: parameters.maxExamples } : {}),
    ...(parameters.roundGapMs !== undefined ? { roundGapMs: parameters.roundGapMs } : {}),
    ...(parameters.logger ? { logger: parameters.logger } : {}),
  });
  const mapek = new MapekLoop({
    monitor: mesh.monitor,
    actuator: mesh,
    intervalMs: parameters.mapekIntervalMs,
    // Six missed heartbeats: fewer gives false alarms when the machine is busy.
    analyze: { staleAfterMs: parameters.heartbeatMs * 6, ...parameters.analyze },
    events,
    ...(parameters.outbox ? { outbox: parameters.outbox } : {}),
    ...(parameters.logger ? { logger: parameters.logger } : {}),
    ...(parameters.directiveCooldownMs !== undefined ? { directiveCooldownMs: parameters.directiveCooldownMs } : {}),
    ...(parameters.policy ? { policy: parameters.policy } : {}),
    ...(anomalyModel ? { anomalyModel: Promise.resolve(anomalyModel) } : {}),
  });
  const engine = new ChaosEngine({ system: mesh, events, ...(parameters.logger ? { logger: parameters.logger } : {}) });
  const deps: ExperimentDeps = {
    engine,
    system: mesh,
    rounds: () => mesh.rounds(),
    mapek,
    events,
    ...(parameters.outbox ? { outbox: parameters.outbox } : {}),
    ...(parameters.logger ? { logger: parameters.logger } : {}),
  };
  return {
    mesh,
    mapek,
    engine,
    events,
    deps,
    start() {
      mesh.startRounds();
      mapek.start();
    },
    async close() {
      await engine.recoverAll();
      engine.close();
      await mapek.stop();
      await mesh.close();
    },
  };
}
