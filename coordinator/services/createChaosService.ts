/**
 * Chaos and MAPE-K as the coordinator runs them, over the one mesh (child and remote
 * node hosts alike): the MAPE-K loop (ticking every `SYNOD_MAPEK_INTERVAL_MS`,
 * thresholds from MeshPolicy, snapshots and directives to the knowledge outbox), the
 * chaos engine, the experiment runner (runs kept in SQLite), the schedules of the
 * experiment files that have one (started here, stopped on close), and the `/api/chaos/*`
 * and `/api/mapek*` routes.
 */
import path from "node:path";
import { chaosRoutes } from "../api/chaos.ts";
import type { HealthCheck, HealthCheckOutcome } from "../api/health.ts";
import { mapekRoutes } from "../api/mapek.ts";
import type { ApiPlugin } from "../api/types.ts";
import { createChainClient, type ChainClient } from "../chain/createChainClient.ts";
import { readPolicy } from "../chain/readPolicy.ts";
import { ChaosEngine } from "../chaos/chaosEngine.ts";
import { ExperimentRunner } from "../chaos/experiment/experimentRunner.ts";
import { loadOrTrainAnomalyModel } from "../mapek/loadOrTrainAnomalyModel.ts";
import { MapekLoop } from "../mapek/mapekLoop.ts";
import { POLICY_PARAMETERS, type PolicyParameterName } from "../policy/parameters.ts";
import { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import { openDatabase } from "../store/openDatabase.ts";
import { ExperimentScheduler } from "../chaos/experiment/experimentScheduler.ts";
import type { CoordinatorService, CoordinatorServiceFactory } from "./coordinatorService.ts";
import { PROJECT_ROOT } from "./projectRoot.ts";

/** How often MeshPolicy is read again, ms. */
const POLICY_REFRESH_MS = 10_000;

/**
 * The MAPE-K loop and the chaos engine over the mesh (start after the mesh service),
 * experiment runs kept in SQLite; `/api/chaos/*`, `/api/mapek`. Without a mesh the
 * routes answer 503 saying why.
 */
export const chaosService: CoordinatorServiceFactory = async ({ config, logger, events, services }): Promise<CoordinatorService> => {
  const { mesh, monitor } = services;
  if (!mesh || !monitor) {
    const reason = "the coordinator runs no mesh service (start the mesh service before chaos)";
    logger.info({ reason }, "no chaos engine and no MAPE-K loop");
    return { routes: (): ApiPlugin[] => [chaosRoutes({ runner: null, unavailable: reason }), mapekRoutes({ loop: null, unavailable: reason })] };
  }
  // Ready before the nodes start (they start once the API listens): training takes this
  // process's CPU for seconds, and nodes heartbeating meanwhile would look dead. The data
  // dir keeps the trained model, so only the first start (or a new dataset) trains.
  const loaded = await loadOrTrainAnomalyModel({ dataDir: config.dataDir, logger });
  const anomalyModel = loaded.model;
  if (loaded.source === "cache") logger.info({ key: loaded.key, path: loaded.file, loadMs: loaded.elapsedMs }, "anomaly model loaded from cache");
  else logger.info({ key: loaded.key, path: loaded.file, trainMs: anomalyModel.summary.trainMs, elapsedMs: loaded.elapsedMs }, "anomaly model trained");
  const db = openDatabase(config.dataDir);
  const outbox = new KnowledgeRepository(db);

  // MeshPolicy (φ thresholds) read in the background: a tick must not wait for the chain.
  let policy = Object.fromEntries(POLICY_PARAMETERS.map((p) => [p.name, p.value])) as Record<PolicyParameterName, bigint>;
  let chain: ChainClient | undefined;
  const refreshPolicy = async (): Promise<void> => {
    try {
      chain ??= await createChainClient({ rpcUrl: config.chain.rpcUrl, root: PROJECT_ROOT, addresses: config.chain.addresses, retryCount: 0 });
      policy = { ...policy, ...(await readPolicy(chain)).parameters };
    } catch (error) {
      logger.debug({ err: error }, "MeshPolicy unreadable; MAPE-K keeps the thresholds it has");
    }
  };
  void refreshPolicy();
  const policyTimer = setInterval(() => void refreshPolicy(), POLICY_REFRESH_MS);
  policyTimer.unref();

  const mapek = new MapekLoop({
    monitor,
    actuator: mesh,
    intervalMs: config.mapek.intervalMs,
    policy: () => policy,
    outbox,
    events,
    logger,
    anomalyModel: Promise.resolve(anomalyModel),
  });
  const engine = new ChaosEngine({ system: mesh, events, logger });
  const runner = new ExperimentRunner({
    db,
    deps: { engine, system: mesh, rounds: () => mesh.rounds(), mapek, outbox, events, logger },
    experimentsDir: path.resolve(PROJECT_ROOT, config.chaos.experimentsDir),
    logger,
  });
  const scheduler = new ExperimentScheduler({ runner, events, logger });
  mapek.start();
  await scheduler.start();
  return {
    routes: (): ApiPlugin[] => [chaosRoutes({ runner, scheduler }), mapekRoutes({ loop: mapek })],
    healthChecks: (): HealthCheck[] => [
      {
        name: "mapek",
        critical: false,
        async check(): Promise<HealthCheckOutcome> {
          const tick = mapek.lastTick;
          const fresh = tick !== undefined && Date.now() - tick.analysis.at < Math.max(10_000, config.mapek.intervalMs * 20);
          return { ok: fresh, details: { state: mapek.state, phi: tick?.phi ?? null, epoch: tick?.epoch ?? 0 }, ...(fresh ? {} : { error: tick ? "the loop has not ticked lately" : "no tick yet" }) };
        },
      },
    ],
    async close() {
      clearInterval(policyTimer);
      // No firing may start a run once the runner is closing.
      await scheduler.stop();
      await runner.close();
      await engine.recoverAll();
      engine.close();
      await mapek.stop();
      db.close();
    },
  };
};
