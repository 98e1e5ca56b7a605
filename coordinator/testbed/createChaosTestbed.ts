/**
 * Everything a chaos run needs, wired as the coordinator wires it but small: the real
 * HTTP API (mesh routes, status, health, load shedding) on a loopback port, the one
 * mesh with its node hosts as child processes dialing that API through their link
 * proxies, FL rounds over them, the MAPE-K loop fed from the mesh, and the chaos
 * engine. Used by the chaos integration tests and the benchmark that fills the table
 * in docs/chaos.md. `npm start` runs the same pieces inside the coordinator.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { meshRoutes } from "../api/mesh.ts";
import { createLoadShedder } from "../api/loadShedding.ts";
import { createMetrics } from "../api/metrics.ts";
import { buildApp, type SynodApp } from "../app.ts";
import { loadConfig } from "../config.ts";
import { createEventBus, type EventBus } from "../events.ts";
import type { FlClient } from "../fl/client.ts";
import type { Dataset } from "../fl/datasets/dataset.ts";
import type { RoundConfigInput } from "../fl/roundConfig.ts";
import type { RoundRecord, RoundRunner } from "../fl/roundRunner.ts";
import type { Strategy } from "../fl/strategies/strategy.ts";
import { createLogger, type Logger } from "../logger.ts";
import type { AnalyzeOptions } from "../mapek/analyze.ts";
import { ObserverHealth } from "../mapek/observerHealth.ts";
import { sharedAnomalyModel, type AnomalyModel } from "../mapek/anomalyModel.ts";
import { MapekLoop } from "../mapek/mapekLoop.ts";
import { Monitor } from "../mapek/monitor.ts";
import { createSimulatedMesh } from "../mesh/createSimulatedMesh.ts";
import type { HostDatasetName } from "../mesh/nodeHost/loadShards.ts";
import { NodeMesh, type Federation } from "../mesh/nodeMesh.ts";
import type { PolicyParameterName } from "../policy/parameters.ts";
import type { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import { ChaosEngine } from "../chaos/chaosEngine.ts";
import type { ExperimentDeps } from "../chaos/experiment/runExperiment.ts";

/** Options of {@link createChaosTestbed}. */
export type CreateChaosTestbedParameters = {
  /** The data the nodes train on (MNIST or the sensor network, as node hosts load them). */
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
  analyze?: Partial<Omit<AnalyzeOptions, "suspicionPhi">>;
  /** Pause between FL rounds of the round loop, ms; default 0. */
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
  /** Warm spare worker processes kept for fast restarts; default 1. */
  spareHosts?: number;
};

/** The wired testbed. */
export type ChaosTestbed = {
  mesh: NodeMesh;
  runner: RoundRunner;
  monitor: Monitor;
  mapek: MapekLoop;
  engine: ChaosEngine;
  events: EventBus;
  /** The coordinator API the hosts dial, e.g. `http://127.0.0.1:40123`. */
  apiUrl: string;
  app: SynodApp;
  /** What `runExperiment` takes. */
  deps: ExperimentDeps;
  /** Runs `n` rounds now (the round loop must be stopped). */
  runRounds(n: number): Promise<RoundRecord[]>;
  /** Starts FL rounds back to back. */
  startRounds(): void;
  /** Starts FL rounds back to back and the MAPE-K loop. */
  start(): void;
  /** Stops the round loop after the current round. */
  stopRounds(): Promise<void>;
  /** Recovers every fault, stops the loop and rounds, stops every process and socket. */
  close(): Promise<void>;
};

/** The node hosts' name for a dataset. */
function hostDataset(dataset: Dataset): HostDatasetName {
  if (dataset.name === "mnist") return "mnist";
  if (dataset.name === "sensor-network") return "sensor";
  throw new Error(`node hosts cannot load dataset ${dataset.name}`);
}

/**
 * @example
 * import { createChaosTestbed } from "./createChaosTestbed.ts";
 * const bed = await createChaosTestbed({ dataset: loadMnist(), numNodes: 9, nodesPerHost: 3, strategy, seed: 1, heartbeatMs: 250, mapekIntervalMs: 250 });
 * bed.start();
 * const { journal } = await runExperiment("experiments/node-failure.yaml", bed.deps);
 * await bed.close();
 */
export async function createChaosTestbed(parameters: CreateChaosTestbedParameters): Promise<ChaosTestbed> {
  const events = parameters.events ?? createEventBus({ historySize: 1024 });
  const logger = parameters.logger ?? createLogger({ level: "silent" });
  // Trained before the nodes start: training takes the CPU for seconds, and nodes
  // heartbeating meanwhile would look dead or slow.
  const anomalyModel = parameters.anomalyModel === null ? undefined : await (parameters.anomalyModel ?? sharedAnomalyModel());
  // The held-out split and the round runner; the nodes' shards are cut by their hosts the same way.
  const { runner } = createSimulatedMesh({
    dataset: parameters.dataset,
    model: "logistic-regression",
    numNodes: 0,
    partition: { kind: "iid" },
    strategy: parameters.strategy,
    seed: parameters.seed,
    ...(parameters.maxExamples !== undefined ? { maxExamples: parameters.maxExamples } : {}),
    ...(parameters.roundConfig ? { config: parameters.roundConfig } : {}),
  });

  // Membership changes wait for the round boundary: the round runner looks clients up
  // again after the fit phase, so unregistering one mid-round would break that round.
  const pendingMembership = new Map<string, FlClient | null>();
  let inRound = false;
  const federation: Federation = {
    registerClient(client) {
      if (inRound) pendingMembership.set(client.nodeId, client);
      else runner.register(client);
    },
    unregisterClient(nodeId) {
      if (inRound) pendingMembership.set(nodeId, null);
      else runner.unregister(nodeId);
    },
  };

  const monitor = new Monitor({ heartbeatMs: parameters.heartbeatMs, observer: new ObserverHealth({ heartbeatMs: parameters.heartbeatMs }) });
  const shedder = createLoadShedder();
  let apiUrl = "";
  const mesh = new NodeMesh({
    federation,
    apiUrl: () => apiUrl,
    setLoadShedding: (enabled) => shedder.setEnabled(enabled),
    onNodeUp: (node) => monitor.register(node.nodeId, node.hostId),
    onHeartbeat: (beat) => monitor.ingestHeartbeat(beat),
    onRound: (record, updates) => monitor.observeRound(record, updates),
    logger,
  });
  const { config } = loadConfig({});
  const app = await buildApp({
    config,
    adminToken: randomBytes(32).toString("hex"),
    logger,
    events,
    metrics: createMetrics(),
    healthChecks: [],
    version: "testbed",
    routes: [meshRoutes({ mesh: mesh.remote, logger, socketPingMs: 2000 })],
    loadShedder: shedder,
  });
  const keysDir = await mkdtemp(path.join(os.tmpdir(), "synod-testbed-keys-"));
  try {
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    apiUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    await mesh.startLocalHosts({
      numNodes: parameters.numNodes,
      idPrefix: "node",
      nodesPerHost: parameters.nodesPerHost,
      keysDir,
      data: { dataset: hostDataset(parameters.dataset), totalShards: parameters.numNodes, seed: parameters.seed, ...(parameters.maxExamples !== undefined ? { maxExamples: parameters.maxExamples } : {}) },
      model: { kind: "logistic-regression" },
      heartbeatMs: parameters.heartbeatMs,
      seed: parameters.seed,
      ...(parameters.spareHosts !== undefined ? { spares: parameters.spareHosts } : {}),
    });
  } catch (error) {
    await mesh.close();
    await app.close();
    await rm(keysDir, { recursive: true, force: true });
    throw error;
  }

  const runOne = async (): Promise<RoundRecord> => {
    for (const [nodeId, client] of pendingMembership) {
      if (client) runner.register(client);
      else runner.unregister(nodeId);
    }
    pendingMembership.clear();
    inRound = true;
    let record: RoundRecord;
    try {
      record = await runner.runRound();
    } finally {
      inRound = false;
    }
    mesh.observeRound(record);
    events.publish("fl.round.finished", {
      round: record.round,
      status: record.status,
      participants: record.accepted.length,
      ...(record.evaluation ? { holdoutAccuracy: record.evaluation.accuracy } : {}),
      ...(record.reason ? { reason: record.reason } : {}),
    });
    return record;
  };
  let loop: Promise<void> | undefined;
  let looping = false;
  let gapTimer: NodeJS.Timeout | undefined;
  let endGap: (() => void) | undefined;
  const stopRounds = async () => {
    looping = false;
    // Clearing the gap's timer alone would leave the loop awaiting it forever.
    if (gapTimer) clearTimeout(gapTimer);
    endGap?.();
    await loop;
  };

  const startRounds = () => {
    if (looping) return;
    looping = true;
    loop = (async () => {
      while (looping) {
        await runOne();
        if (looping && parameters.roundGapMs) {
          await new Promise<void>((resolve) => {
            endGap = resolve;
            gapTimer = setTimeout(resolve, parameters.roundGapMs);
          });
        }
      }
    })();
  };

  const mapek = new MapekLoop({
    monitor,
    actuator: mesh,
    intervalMs: parameters.mapekIntervalMs,
    ...(parameters.analyze ? { analyze: parameters.analyze } : {}),
    events,
    logger,
    ...(parameters.outbox ? { outbox: parameters.outbox } : {}),
    ...(parameters.directiveCooldownMs !== undefined ? { directiveCooldownMs: parameters.directiveCooldownMs } : {}),
    ...(parameters.policy ? { policy: parameters.policy } : {}),
    ...(anomalyModel ? { anomalyModel: Promise.resolve(anomalyModel) } : {}),
  });
  const engine = new ChaosEngine({ system: mesh, events, logger });
  const deps: ExperimentDeps = { engine, system: mesh, rounds: () => mesh.rounds(), mapek, events, logger, ...(parameters.outbox ? { outbox: parameters.outbox } : {}) };
  return {
    mesh,
    runner,
    monitor,
    mapek,
    engine,
    events,
    apiUrl,
    app,
    deps,
    async runRounds(n) {
      const out: RoundRecord[] = [];
      for (let i = 0; i < n; i++) out.push(await runOne());
      return out;
    },
    start() {
      startRounds();
      mapek.start();
    },
    startRounds,
    stopRounds,
    async close() {
      await engine.recoverAll();
      engine.close();
      await mapek.stop();
      await stopRounds();
      await mesh.close();
      await app.close();
      await rm(keysDir, { recursive: true, force: true });
    },
  };
}
