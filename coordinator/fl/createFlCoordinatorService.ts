/**
 * The FL service as the coordinator runs it: its own connection to the SQLite file
 * (rounds; model records go to the shared knowledge outbox), MeshPolicy read from the
 * chain before every round (defaults while the chain is away), scheduled rounds, and
 * the `/api/fl/*` routes.
 *
 * The mesh: `SYNOD_MESH_NODES` nodes in node-host processes of
 * `SYNOD_MESH_NODES_PER_HOST` nodes each, behind fault-injecting links (the hosted mesh
 * the chaos engine breaks and MAPE-K heals), or in this process when that is 0.
 */
import { flRoutes } from "../api/fl.ts";
import type { ApiPlugin } from "../api/types.ts";
import type { HealthCheck, HealthCheckOutcome } from "../api/health.ts";
import { createChainClient, type ChainClient } from "../chain/createChainClient.ts";
import { readPolicy } from "../chain/readPolicy.ts";
import type { SynodConfig } from "../config.ts";
import type { EventBus } from "../events.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import type { Logger } from "../logger.ts";
import { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import { openDatabase } from "../store/openDatabase.ts";
import { createHostedMesh, type HostedMesh } from "../chaos/testbed/createHostedMesh.ts";
import { loadMnist } from "./datasets/mnist.ts";
import { FlService, type FlPolicy } from "./flService.ts";
import { createStrategy } from "./strategies/createStrategy.ts";

/** The seed of the coordinator's mesh: node identities, shards and the held-out split. */
const MESH_SEED = 1;

export type CreateFlCoordinatorServiceParameters = {
  config: SynodConfig;
  logger: Logger;
  contentStore: ContentStore;
  events: EventBus;
  root: string;
  /** The coordinator API's URL (request floods aim at it), once it listens. */
  apiUrl: () => string;
};

export async function createFlCoordinatorService({ config, logger, contentStore, events, root, apiUrl }: CreateFlCoordinatorServiceParameters) {
  const db = openDatabase(config.dataDir);
  let chain: ChainClient | undefined;
  const policy = async (): Promise<FlPolicy> => {
    chain ??= await createChainClient({ rpcUrl: config.chain.rpcUrl, root, addresses: config.chain.addresses, retryCount: 0 });
    return (await readPolicy(chain)).parameters;
  };
  const dataset = loadMnist();
  const hosted = config.mesh.nodesPerHost > 0 && config.fl.meshNodes > 0;
  let mesh: HostedMesh | undefined;
  const fl = await FlService.create({
    db,
    outbox: new KnowledgeRepository(db),
    content: contentStore,
    events,
    logger,
    dataset,
    seed: MESH_SEED,
    // Hosted: the nodes register from their processes below; the service keeps only the held-out split.
    numNodes: hosted ? 0 : config.fl.meshNodes,
    policy,
    onRound: (record) => mesh?.observeRound(record),
  });
  if (hosted) {
    try {
      mesh = await createHostedMesh({
        dataset,
        model: "logistic-regression",
        numNodes: config.fl.meshNodes,
        nodesPerHost: config.mesh.nodesPerHost,
        // The strategy and rounds are the FL service's; the mesh only needs one to split the data.
        strategy: createStrategy({ name: "fedavg" }),
        heartbeatMs: config.mesh.heartbeatMs,
        seed: MESH_SEED,
        events,
        logger,
        federation: fl,
        apiUrl: () => apiUrl(),
      });
    } catch (error) {
      db.close();
      throw error;
    }
  }
  fl.start(config.fl.roundIntervalMs);
  return {
    fl,
    /** The mesh in node-host processes, when it runs in them. */
    mesh,
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
      await mesh?.close();
      db.close();
    },
  };
}
