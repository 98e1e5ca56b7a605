/**
 * The knowledge layer as the coordinator runs it: the SQLite outbox and index, the
 * chain connection, the indexer and the proposal keeper ticking in the background,
 * and the HTTP routes over them. The chain may be down when the coordinator starts:
 * the service keeps trying to connect and the keeper starts once it is there, while
 * records can already be queued.
 */
import { knowledgeRoutes } from "../api/knowledge.ts";
import { proposalsRoutes } from "../api/proposals.ts";
import type { ApiPlugin } from "../api/types.ts";
import type { CoordinatorServiceFactory } from "./coordinatorService.ts";
import { PROJECT_ROOT } from "./projectRoot.ts";
import type { HealthCheck, HealthCheckOutcome } from "../api/health.ts";
import { createChainClient, type ChainClient } from "../chain/createChainClient.ts";
import { loadSignerKey } from "../chain/loadSignerKey.ts";
import type { SynodConfig } from "../config.ts";
import { ChainUnavailableError } from "../errors/chain.ts";
import type { EventBus } from "../events.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import type { Logger } from "../logger.ts";
import { ChainIndexRepository } from "../store/chainIndexRepository.ts";
import { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import { openDatabase, type Database } from "../store/openDatabase.ts";
import { KnowledgeIndexer } from "../knowledge/knowledgeIndexer.ts";
import { ProposalKeeper, type KeeperTickReport } from "../knowledge/proposalKeeper.ts";
import { kindName } from "../knowledge/schemas/index.ts";

export type CreateKnowledgeServiceParameters = {
  config: SynodConfig;
  logger: Logger;
  contentStore: ContentStore;
  events: EventBus;
  /** Project root (Ignition's deployment folder). */
  root: string;
  /** Keeper period, ms. Default 2000. */
  tickMs?: number;
  /** Public gateway base for links in proposal descriptions. */
  gatewayUrl?: string;
};

export type KnowledgeService = {
  db: Database;
  outbox: KnowledgeRepository;
  index: ChainIndexRepository;
  /** The chain connection; throws {@link ChainUnavailableError} until it is established. */
  chain(): ChainClient;
  /** Runs a keeper pass now (after a record is queued, in tests). */
  tick(): Promise<KeeperTickReport | undefined>;
  routes(): ApiPlugin[];
  healthChecks(): HealthCheck[];
  close(): Promise<void>;
};

export async function createKnowledgeService(parameters: CreateKnowledgeServiceParameters): Promise<KnowledgeService> {
  const { config, contentStore, events, root } = parameters;
  const logger = parameters.logger.child({ component: "knowledge" });
  const tickMs = parameters.tickMs ?? 2_000;
  const db = openDatabase(config.dataDir);
  const outbox = new KnowledgeRepository(db);
  const index = new ChainIndexRepository(db);
  let chain: ChainClient | undefined;
  let keeper: ProposalKeeper | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;


  const publish = (report: KeeperTickReport) => {
    for (const proposalId of report.proposed) events.publish("governance.proposal.changed", { proposalId: proposalId.toString(), state: "Pending" });
    for (const proposalId of report.queued) events.publish("governance.proposal.changed", { proposalId: proposalId.toString(), state: "Queued" });
    for (const proposalId of report.executed) events.publish("governance.proposal.changed", { proposalId: proposalId.toString(), state: "Executed" });
    for (const { proposalId, status, outcome, epoch } of report.settled) {
      events.publish("governance.proposal.changed", { proposalId: proposalId.toString(), state: outcome === "expired" ? "Expired" : outcome === "canceled" ? "Canceled" : "Defeated" });
      events.publish("knowledge.epoch.changed", { epoch, status, proposalId: proposalId.toString() });
    }
    if (report.closed) events.publish("knowledge.epoch.changed", { epoch: report.closed.epoch, status: "proposing", proposalId: report.closed.proposalId.toString() });
    for (const { epoch, proposalId } of report.ratifiedEpochs) events.publish("knowledge.epoch.changed", { epoch, status: "ratified", proposalId: proposalId.toString() });
    for (const record of report.ratified) {
      events.publish("knowledge.record.ratified", {
        recordId: String(record.recordId),
        kind: kindName(record.kind) ?? String(record.kind),
        cid: record.cid,
        proposalId: record.proposalId.toString(),
      });
    }
  };

  async function connect(): Promise<void> {
    try {
      const probe = await createChainClient({ rpcUrl: config.chain.rpcUrl, root, addresses: config.chain.addresses, retryCount: 1 });
      const privateKey = config.chain.signerKey ?? (await loadSignerKey({ chainId: probe.chainId, env: {} }));
      chain = privateKey ? await createChainClient({ rpcUrl: config.chain.rpcUrl, root, addresses: config.chain.addresses, privateKey }) : probe;
      const indexer = new KnowledgeIndexer({ chain, index, outbox, logger });
      keeper = new ProposalKeeper({ chain, outbox, index, indexer, content: contentStore, logger, gatewayUrl: parameters.gatewayUrl, onTick: publish });
      if (!chain.walletClient) logger.warn({ chainId: chain.chainId }, "no signing key: the keeper indexes but does not propose (set SYNOD_PRIVATE_KEY)");
      logger.info({ chainId: chain.chainId, governor: chain.addresses.governor, registry: chain.addresses.registry }, "knowledge keeper connected");
      const loop = async () => {
        if (closed || !keeper) return;
        const report = await keeper.tick();
        for (const error of report.errors) logger.warn({ err: error }, "keeper step failed; retrying next tick");
        retry = setTimeout(loop, tickMs);
      };
      retry = setTimeout(loop, 0);
    } catch (error) {
      logger.warn({ err: error }, "chain not ready; retrying");
      if (!closed) retry = setTimeout(() => void connect(), Math.max(tickMs, 1_000));
    }
  }
  await connect();

  const requireChain = () => {
    if (!chain) throw new ChainUnavailableError({ url: config.chain.rpcUrl });
    return chain;
  };

  return {
    db,
    outbox,
    index,
    chain: requireChain,
    tick: async () => keeper?.tick(),
    routes: () => [
      knowledgeRoutes({
        outbox,
        index,
        content: contentStore,
        closeEpoch: async () => {
          if (!keeper) throw new ChainUnavailableError({ url: config.chain.rpcUrl });
          return keeper.closeEpoch();
        },
      }),
      proposalsRoutes(() => ({ outbox, index, chain: requireChain() })),
    ],
    healthChecks: () => [
      {
        name: "knowledge",
        async check(): Promise<HealthCheckOutcome> {
          const counts = outbox.countByStatus();
          if (!chain) return { ok: false, details: counts, error: "not connected to the chain yet" };
          return { ok: true, details: { keeper: chain.walletClient ? "proposing" : "read-only", ...counts } };
        },
      },
    ],
    async close() {
      closed = true;
      clearTimeout(retry);
      await keeper?.stop();
      db.close();
    },
  };
}

/**
 * The knowledge layer (SQLite outbox and index, proposal keeper, `/api/knowledge`,
 * `/api/proposals`). Proposal descriptions link content to this coordinator's gateway.
 */
export const knowledgeService: CoordinatorServiceFactory = ({ config, logger, contentStore, events }) =>
  createKnowledgeService({ config, logger, contentStore, events, root: PROJECT_ROOT, gatewayUrl: config.api.publicUrl, tickMs: config.knowledge.keeperTickMs });
