/**
 * The FL service as the coordinator runs it: its own connection to the SQLite file
 * (rounds; model records go to the shared knowledge outbox), MeshPolicy read from the
 * chain before every round (defaults while the chain is away), scheduled rounds, and
 * the `/api/fl/*` routes.
 *
 * Its clients: with `SYNOD_MESH_NODES_PER_HOST` > 0 every node lives in a node host and
 * joins through the mesh service (`createMeshService.ts`); with 0, `SYNOD_MESH_NODES`
 * nodes train inside this process (no hosts, nothing for chaos to break).
 */
import { flRoutes } from "../api/fl.ts";
import type { ApiPlugin } from "../api/types.ts";
import type { HealthCheck, HealthCheckOutcome } from "../api/health.ts";
import { createChainClient, type ChainClient } from "../chain/createChainClient.ts";
import { readPolicy } from "../chain/readPolicy.ts";
import { loadMnist } from "../fl/datasets/mnist.ts";
import { FlService, type FlPolicy } from "../fl/flService.ts";
import { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import { openDatabase } from "../store/openDatabase.ts";
import type { CoordinatorService, CoordinatorServiceFactory } from "./coordinatorService.ts";
import { PROJECT_ROOT } from "./projectRoot.ts";

/** The seed of the coordinator's mesh: node shards and the held-out split (node hosts cut the same split). */
export const MESH_SEED = 1;

/**
 * Federated learning over the mesh, a round every `SYNOD_FL_ROUND_INTERVAL_MS`,
 * settings from MeshPolicy, models queued as knowledge records; `/api/fl/*`.
 */
export const flService: CoordinatorServiceFactory = async ({ config, logger, contentStore, events }): Promise<CoordinatorService> => {
  const db = openDatabase(config.dataDir);
  let chain: ChainClient | undefined;
  const policy = async (): Promise<FlPolicy> => {
    chain ??= await createChainClient({ rpcUrl: config.chain.rpcUrl, root: PROJECT_ROOT, addresses: config.chain.addresses, retryCount: 0 });
    return (await readPolicy(chain)).parameters;
  };
  const hosted = config.mesh.nodesPerHost > 0;
  const fl = await FlService.create({
    db,
    outbox: new KnowledgeRepository(db),
    content: contentStore,
    events,
    logger,
    dataset: loadMnist(),
    seed: MESH_SEED,
    // Hosted: the nodes register from their processes; the service keeps only the held-out split.
    numNodes: hosted ? 0 : config.fl.meshNodes,
    policy,
  });
  fl.start(config.fl.roundIntervalMs);
  return {
    provides: { fl },
    routes: (): ApiPlugin[] => [flRoutes({ fl })],
    healthChecks: (): HealthCheck[] => [
      {
        name: "fl",
        async check(): Promise<HealthCheckOutcome> {
          const status = fl.status();
          return { ok: status.nodes.total > 0, details: { nodes: status.nodes.total, completed: status.rounds.completed, failed: status.rounds.failed }, ...(status.nodes.total > 0 ? {} : { error: "no mesh nodes" }) };
        },
      },
    ],
    async close() {
      await fl.stop();
      db.close();
    },
  };
};
