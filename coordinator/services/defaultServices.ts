/**
 * The services `npm run coordinator` runs, in start order (closed in reverse): each
 * hands what it provides to those after it (FL → mesh → chaos and MAPE-K).
 */
import { createChainClient, type ChainClient } from "../chain/createChainClient.ts";
import { readPolicy } from "../chain/readPolicy.ts";
import type { CoordinatorServiceFactory } from "./coordinatorService.ts";
import { chaosService } from "./createChaosService.ts";
import { flService } from "./createFlService.ts";
import { knowledgeService } from "./createKnowledgeService.ts";
import { createMeshService } from "./createMeshService.ts";
import { telegramService } from "./createTelegramService.ts";
import { PROJECT_ROOT } from "./projectRoot.ts";

/**
 * The mesh with the node bans MeshPolicy votes: node hosts (the coordinator's own and
 * `synod nodes deploy`'s) with signed registration and heartbeats, health probes,
 * training through the FL service; `/api/mesh/*`.
 */
export const meshService: CoordinatorServiceFactory = (deps) => {
  let chain: ChainClient | undefined;
  const policyBans = async () => {
    chain ??= await createChainClient({ rpcUrl: deps.config.chain.rpcUrl, root: PROJECT_ROOT, addresses: deps.config.chain.addresses, retryCount: 0 });
    return (await readPolicy(chain)).banned;
  };
  return createMeshService({ policyBans })(deps);
};

/** What `npm run coordinator` runs when no `services` are given (the Telegram bot only with `TELEGRAM_BOT_TOKEN`). */
export const defaultServices: readonly CoordinatorServiceFactory[] = [knowledgeService, flService, meshService, chaosService, telegramService];

export { chaosService, flService, knowledgeService, telegramService };
