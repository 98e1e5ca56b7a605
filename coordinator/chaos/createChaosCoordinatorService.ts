/**
 * Chaos and MAPE-K as the coordinator runs them, over the mesh the FL service hosts in
 * node-host processes: the MAPE-K loop (ticking every `SYNOD_MAPEK_INTERVAL_MS`,
 * thresholds from MeshPolicy, snapshots and directives to the knowledge outbox), the
 * chaos engine, the experiment runner (runs kept in SQLite), the schedules of the
 * experiment files that have one (started here, stopped on close), and the `/api/chaos/*` and
 * `/api/mapek*` routes. Without a hosted mesh the routes answer 503 saying why.
 */
import path from "node:path";
import { chaosRoutes } from "../api/chaos.ts";
import type { HealthCheck, HealthCheckOutcome } from "../api/health.ts";
import { mapekRoutes } from "../api/mapek.ts";
import type { ApiPlugin } from "../api/types.ts";
import { createChainClient, type ChainClient } from "../chain/createChainClient.ts";
import { readPolicy } from "../chain/readPolicy.ts";
import type { SynodConfig } from "../config.ts";
import type { EventBus } from "../events.ts";
import type { Logger } from "../logger.ts";
import { sharedAnomalyModel } from "../mapek/anomalyModel.ts";
import { MapekLoop } from "../mapek/mapekLoop.ts";
import { POLICY_PARAMETERS, type PolicyParameterName } from "../policy/parameters.ts";
import { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import { openDatabase } from "../store/openDatabase.ts";
import { ChaosEngine } from "./chaosEngine.ts";
import { ExperimentRunner } from "./experiment/experimentRunner.ts";
import { ExperimentScheduler } from "./experiment/experimentScheduler.ts";
import type { HostedMesh } from "./testbed/createHostedMesh.ts";

export type CreateChaosCoordinatorServiceParameters = {
  config: SynodConfig;
  logger: Logger;
  events: EventBus;
  /** The repository root (experiment folders are relative to it). */
  root: string;
  /** The FL service's mesh in node-host processes; `undefined` when its nodes live in the coordinator. */
  mesh: HostedMesh | undefined;
  /** How often MeshPolicy is read again, ms; default 10 000. */
  policyRefreshMs?: number;
};

/** Why there is no chaos engine, for the 503 answers. */
function unavailable(config: SynodConfig): string {
  if (config.fl.meshNodes === 0) return "the coordinator runs no mesh of its own (SYNOD_MESH_NODES=0)";
  return "the mesh runs inside the coordinator process (SYNOD_MESH_NODES_PER_HOST=0)";
}

export async function createChaosCoordinatorService({ config, logger, events, root, mesh, policyRefreshMs = 10_000 }: CreateChaosCoordinatorServiceParameters) {
  if (!mesh) {
    const reason = unavailable(config);
    logger.info({ reason }, "no chaos engine and no MAPE-K loop");
    return { routes: (): ApiPlugin[] => [chaosRoutes({ runner: null, unavailable: reason }), mapekRoutes({ loop: null, unavailable: reason })] };
  }
  const db = openDatabase(config.dataDir);
  const outbox = new KnowledgeRepository(db);

  // MeshPolicy (φ thresholds) read in the background: a tick must not wait for the chain.
  let policy = Object.fromEntries(POLICY_PARAMETERS.map((p) => [p.name, p.value])) as Record<PolicyParameterName, bigint>;
  let chain: ChainClient | undefined;
  const refreshPolicy = async (): Promise<void> => {
    try {
      chain ??= await createChainClient({ rpcUrl: config.chain.rpcUrl, root, addresses: config.chain.addresses, retryCount: 0 });
      policy = { ...policy, ...(await readPolicy(chain)).parameters };
    } catch (error) {
      logger.debug({ err: error }, "MeshPolicy unreadable; MAPE-K keeps the thresholds it has");
    }
  };
  void refreshPolicy();
  const policyTimer = setInterval(() => void refreshPolicy(), policyRefreshMs);
  policyTimer.unref();

  const mapek = new MapekLoop({
    monitor: mesh.monitor,
    actuator: mesh,
    intervalMs: config.mapek.intervalMs,
    // Six missed heartbeats: fewer gives false alarms when the machine is busy.
    analyze: { staleAfterMs: config.mesh.heartbeatMs * 6 },
    policy: () => policy,
    outbox,
    events,
    logger,
    anomalyModel: sharedAnomalyModel(),
  });
  const engine = new ChaosEngine({ system: mesh, events, logger });
  const runner = new ExperimentRunner({
    db,
    deps: { engine, system: mesh, rounds: () => mesh.rounds(), mapek, outbox, events, logger },
    experimentsDir: path.resolve(root, config.chaos.experimentsDir),
    logger,
  });
  const scheduler = new ExperimentScheduler({ runner, events, logger });
  mapek.start();
  await scheduler.start();
  return {
    mapek,
    engine,
    runner,
    scheduler,
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
}
