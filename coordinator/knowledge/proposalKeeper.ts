/**
 * The knowledge keeper: publishes queued records to IPFS, batches them into Governor
 * proposals, follows the proposals, queues and executes those that pass, and lets the
 * indexer mark records ratified.
 *
 * Exactly-once proposing: a batch (its actions, description and the proposal id they
 * hash to) is stored *before* the proposal transaction is sent. After a crash the
 * keeper finds the stored batch and asks the governor whether the proposal exists
 * before sending anything, and a record belongs to one open batch at a time, so the
 * same batch is never proposed twice, across restarts included.
 */
import type { Address, Hex } from "viem";
import type { ChainClient } from "../chain/createChainClient.ts";
import { toChainError } from "../chain/createChainClient.ts";
import { ProposalTransactionRevertedError } from "../errors/governance.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import type { Logger } from "../logger.ts";
import { policyParameterKey } from "../policy/parameters.ts";
import type { ChainIndexRepository } from "../store/chainIndexRepository.ts";
import type { KnowledgeRepository, ProposalBatch } from "../store/knowledgeRepository.ts";
import { buildBatchProposal } from "./buildBatchProposal.ts";
import type { KnowledgeIndexer, RatifiedRecord } from "./knowledgeIndexer.ts";
import { sameProposalPosition, sameProposalRef } from "./recordRef.ts";

/** `IGovernor.ProposalState`. */
export const ProposalState = { Pending: 0, Active: 1, Canceled: 2, Defeated: 3, Succeeded: 4, Queued: 5, Expired: 6, Executed: 7 } as const;

/** Points in a tick where state has just been stored (tests crash the process there). */
export type KeeperCheckpoint = "batch-stored" | "proposal-sent" | "queue-sent" | "execute-sent";

export type ProposalKeeperParameters = {
  chain: ChainClient;
  outbox: KnowledgeRepository;
  index: ChainIndexRepository;
  indexer: KnowledgeIndexer;
  content: ContentStore;
  logger: Logger;
  /** Gateway base URL for links in proposal descriptions. */
  gatewayUrl?: string | undefined;
  /** Resolves a node id to its key's address, for directive bans. */
  nodeAddress?: ((nodeId: string) => Address | undefined) | undefined;
  /**
   * How long the oldest pending record waits for others before a batch is proposed
   * (unless `knowledge.maxBatch` records are waiting): fewer, fuller proposals for
   * voters. Default 0: propose at once.
   */
  batchWindowMs?: number | undefined;
  /** The clock, for tests. */
  now?: (() => number) | undefined;
  /** Called right after each durable step; for crash tests. */
  checkpoint?: ((name: KeeperCheckpoint) => void) | undefined;
};

export type KeeperTickReport = {
  published: number;
  proposed: bigint[];
  queued: bigint[];
  executed: bigint[];
  settled: Array<{ proposalId: bigint; status: "defeated" | "expired" | "canceled" }>;
  /** Records of the outbox ratified in this pass. */
  ratified: RatifiedRecord[];
  /** What failed in this tick (chain or IPFS down, a revert); nothing is lost, the next tick retries. */
  errors: Error[];
};

const DEFAULT_MAX_BATCH = 20;

export class ProposalKeeper {
  readonly #p: ProposalKeeperParameters;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<KeeperTickReport> | undefined;

  constructor(parameters: ProposalKeeperParameters) {
    this.#p = parameters;
    this.#logger = parameters.logger.child({ component: "keeper" });
  }

  /** Runs one pass. Concurrent calls share the pass in flight. */
  tick(): Promise<KeeperTickReport> {
    this.#running ??= this.#tick().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Ticks every `intervalMs` until {@link stop}. */
  start(intervalMs: number): void {
    if (this.#timer) return;
    const loop = async () => {
      const report = await this.tick();
      for (const error of report.errors) this.#logger.warn({ err: error }, "keeper step failed; will retry");
      this.#timer = setTimeout(loop, intervalMs);
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async #tick(): Promise<KeeperTickReport> {
    const report: KeeperTickReport = { published: 0, proposed: [], queued: [], executed: [], settled: [], ratified: [], errors: [] };
    await this.#step(report, () => this.#publish(report));
    await this.#step(report, async () => {
      report.ratified.push(...(await this.#p.indexer.sync()).ratified);
    });
    // follow before proposing, so records of an expired batch are proposed again at once
    await this.#step(report, () => this.#follow(report));
    await this.#step(report, () => this.#propose(report));
    await this.#step(report, async () => {
      report.ratified.push(...(await this.#p.indexer.sync()).ratified);
    });
    return report;
  }

  async #step(report: KeeperTickReport, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      report.errors.push(toChainError(error, this.#p.chain.rpcUrl) as Error);
    }
  }

  /** Stores queued content on IPFS (pinned); IPFS down leaves the rest for the next tick. */
  async #publish(report: KeeperTickReport): Promise<void> {
    for (const record of this.#p.outbox.listRecords({ status: "unpublished" })) {
      const { cid } = await this.#p.content.addBytes(new TextEncoder().encode(record.content));
      if (cid !== record.cid) throw new Error(`IPFS stored record ${record.localId} under ${cid}, expected ${record.cid}`);
      this.#p.outbox.markPublished(record.localId);
      report.published++;
    }
  }

  async #propose(report: KeeperTickReport): Promise<void> {
    const { outbox, chain } = this.#p;
    // A batch stored but not known to be on chain: finish it before forming another.
    for (const batch of outbox.batchesWithStatus("proposing")) await this.#submit(batch, report);

    if (outbox.listRecords({ status: "pending", limit: 1 }).length === 0) return;
    // Form a batch only when the chain answers: with the chain down, records stay pending.
    await chain.publicClient.getBlockNumber();
    const maxBatch = await this.#maxBatch();
    const pending = outbox.listRecords({ status: "pending", limit: maxBatch });
    if (pending.length === 0) return;
    const waited = (this.#p.now ?? Date.now)() - Math.min(...pending.map((record) => record.createdAt));
    if (pending.length < maxBatch && waited < (this.#p.batchWindowMs ?? 0)) return;
    const positions = new Map(pending.map((record, i) => [record.cid, i + 1]));
    // A position ref stored by an earlier, expired batch means nothing in this one: work it out again.
    const keep = (refId: number): boolean => refId !== 0 && sameProposalPosition(refId) === null;
    const records = pending.map((record, i) => ({ ...record, refId: keep(record.refId) ? record.refId : this.#lineage(record.content, positions, i + 1) }));
    const batchNumber = outbox.batchCount() + 1;
    const { actions, description, proposalId } = buildBatchProposal({
      records,
      addresses: chain.addresses,
      batchNumber,
      gatewayUrl: this.#p.gatewayUrl,
      nodeAddress: this.#p.nodeAddress,
    });
    const batch = outbox.createBatch({ proposalId, attempt: batchNumber, description, actions, records });
    this.#p.checkpoint?.("batch-stored");
    this.#logger.info({ proposalId: proposalId.toString(), records: records.length, batch: batch.id }, "batch formed");
    await this.#submit(batch, report);
  }

  /**
   * The registry `ref` of a model's parent: its id when it is ratified already, its
   * position when it is written earlier in the same proposal (the usual case: a batch
   * holds consecutive rounds), else 0 (the parent waits in another open proposal; the
   * content's `parentModelCid` still names it).
   */
  #lineage(content: string, positions: ReadonlyMap<string, number>, position: number): number {
    const parsed = JSON.parse(content) as { kind?: string; parentModelCid?: string | null };
    if (parsed.kind !== "Model" || !parsed.parentModelCid) return 0;
    const ratified = this.#p.index.getRecordByCid(parsed.parentModelCid)?.id;
    if (ratified) return ratified;
    const parentPosition = positions.get(parsed.parentModelCid);
    return parentPosition !== undefined && parentPosition < position ? sameProposalRef(parentPosition) : 0;
  }

  async #maxBatch(): Promise<number> {
    const value = await this.#p.chain.contracts.policy.read.getParameter([policyParameterKey("knowledge.maxBatch")]).catch(() => undefined);
    return value ? Number(value) : DEFAULT_MAX_BATCH;
  }

  async #submit(batch: ProposalBatch, report: KeeperTickReport): Promise<void> {
    const { chain, outbox } = this.#p;
    const snapshot = await chain.contracts.governor.read.proposalSnapshot([batch.proposalId]);
    if (snapshot === 0n) {
      const wallet = chain.requireWallet();
      const hash = await wallet.writeContract({
        address: chain.addresses.governor,
        abi: chain.contracts.governor.abi,
        functionName: "propose",
        args: [batch.actions.map((a) => a.target), batch.actions.map(() => 0n), batch.actions.map((a) => a.data), batch.description],
      });
      this.#p.checkpoint?.("proposal-sent");
      await this.#confirm(hash, "Proposing", batch.proposalId);
      outbox.setBatchStatus(batch.id, "proposed", hash);
      report.proposed.push(batch.proposalId);
      this.#logger.info({ proposalId: batch.proposalId.toString(), tx: hash }, "proposed");
    } else {
      // Sent before a crash, or by someone else with the same content: it exists, do not resend.
      outbox.setBatchStatus(batch.id, "proposed");
      this.#logger.info({ proposalId: batch.proposalId.toString() }, "proposal already on chain");
    }
  }

  /** Moves each open proposal one step: queue when it succeeded, execute when its timelock is over. */
  async #follow(report: KeeperTickReport): Promise<void> {
    const { chain, outbox } = this.#p;
    for (const batch of outbox.batchesWithStatus("proposed", "queued")) {
      const state = await chain.contracts.governor.read.state([batch.proposalId]);
      switch (state) {
        case ProposalState.Succeeded:
          await this.#send("queue", batch);
          outbox.setBatchStatus(batch.id, "queued");
          report.queued.push(batch.proposalId);
          break;
        case ProposalState.Queued: {
          if (batch.status !== "queued") outbox.setBatchStatus(batch.id, "queued");
          const eta = await chain.contracts.governor.read.proposalEta([batch.proposalId]);
          const { timestamp } = await chain.publicClient.getBlock();
          if (timestamp <= eta) break;
          await this.#send("execute", batch);
          outbox.setBatchStatus(batch.id, "executed");
          report.executed.push(batch.proposalId);
          break;
        }
        case ProposalState.Executed:
          outbox.setBatchStatus(batch.id, "executed");
          break;
        case ProposalState.Defeated:
        case ProposalState.Expired:
        case ProposalState.Canceled: {
          const status = state === ProposalState.Defeated ? "defeated" : state === ProposalState.Expired ? "expired" : "canceled";
          outbox.settleBatch(batch.id, status);
          report.settled.push({ proposalId: batch.proposalId, status });
          this.#logger.info({ proposalId: batch.proposalId.toString(), status }, "proposal settled without execution");
          break;
        }
        default:
          break; // Pending or Active: voters are at work
      }
    }
  }

  async #send(action: "queue" | "execute", batch: ProposalBatch): Promise<void> {
    const { chain } = this.#p;
    const hash = await chain.requireWallet().writeContract({
      address: chain.addresses.governor,
      abi: chain.contracts.governor.abi,
      functionName: action,
      args: [batch.proposalId],
    });
    this.#p.checkpoint?.(action === "queue" ? "queue-sent" : "execute-sent");
    await this.#confirm(hash, action === "queue" ? "Queueing" : "Executing", batch.proposalId);
    this.#logger.info({ proposalId: batch.proposalId.toString(), tx: hash }, `${action}d`);
  }

  async #confirm(hash: Hex, action: string, proposalId: bigint): Promise<void> {
    const receipt = await this.#p.chain.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new ProposalTransactionRevertedError({ action, proposalId, txHash: hash });
  }
}
