/**
 * The FL service as the coordinator runs it: its own connection to the SQLite file
 * (rounds; model records go to the shared knowledge outbox), MeshPolicy read from the
 * chain before every round (defaults while the chain is away), scheduled rounds, and
 * the `/api/fl/*` routes.
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
import { loadMnist } from "./datasets/mnist.ts";
import { FlService, type FlPolicy } from "./flService.ts";

export type CreateFlCoordinatorServiceParameters = {
  config: SynodConfig;
  logger: Logger;
  contentStore: ContentStore;
  events: EventBus;
  root: string;
};

export async function createFlCoordinatorService({ config, logger, contentStore, events, root }: CreateFlCoordinatorServiceParameters) {
  const db = openDatabase(config.dataDir);
  let chain: ChainClient | undefined;
  const policy = async (): Promise<FlPolicy> => {
    chain ??= await createChainClient({ rpcUrl: config.chain.rpcUrl, root, addresses: config.chain.addresses, retryCount: 0 });
    return (await readPolicy(chain)).parameters;
  };
  const fl = await FlService.create({
    db,
    outbox: new KnowledgeRepository(db),
    content: contentStore,
    events,
    logger,
    dataset: loadMnist(),
    numNodes: config.fl.meshNodes,
    policy,
  });
  fl.start(config.fl.roundIntervalMs);
  return {
    fl,
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
}
