/**
 * The knowledge keeper: publishes queued records to IPFS, closes a knowledge epoch every
 * `knowledge.epochSeconds` (MeshPolicy, read each tick) or on demand, and ratifies each
 * epoch with ONE Governor proposal (`recordEpoch` + headline records + directives'
 * MeshPolicy calls); it follows the proposal, queues and executes it, and lets the
 * indexer mark the epoch's records ratified.
 *
 * Exactly once: an epoch (number, root, manifest, tree, actions, description and the
 * proposal id they hash to) is stored, and its records moved into it, *before* the
 * manifest is published and the proposal sent. After a crash the keeper finds the
 * stored epoch and asks the governor whether the proposal exists before sending
 * anything; a record belongs to one open epoch at a time. So an epoch is never proposed
 * twice, and every record is pending or in an epoch, restarts included.
 *
 * Nothing lost: a proposal that fails without a verdict (no quorum, a tie, expired,
 * canceled) returns its records to pending for the next epoch; only one voted down
 * (full: against > for with for + against + abstain ≥ quorum; routine: vetoed) defeats them.
 */
import type { Address, Hex } from "viem";
import type { ChainClient } from "../chain/createChainClient.ts";
import { toChainError } from "../chain/createChainClient.ts";
import { ProposalTransactionRevertedError } from "../errors/governance.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import type { Logger } from "../logger.ts";
import { policyParameterKey } from "../policy/parameters.ts";
import type { ChainIndexRepository } from "../store/chainIndexRepository.ts";
import type { EpochOutcome, KnowledgeEpoch, KnowledgeRepository } from "../store/knowledgeRepository.ts";
import { buildEpoch, type ModelRelease } from "./buildEpoch.ts";
import type { KnowledgeIndexer, RatifiedEpoch, RatifiedRecord } from "./knowledgeIndexer.ts";
import { PROPOSAL_TYPES } from "./proposalType.ts";

/** `IGovernor.ProposalState`. */
export const ProposalState = { Pending: 0, Active: 1, Canceled: 2, Defeated: 3, Succeeded: 4, Queued: 5, Expired: 6, Executed: 7 } as const;

const ZERO_ROOT = `0x${"0".repeat(64)}`;
/** How many recorded (unindexed) epoch numbers in a row the keeper reads past before giving up for this tick. */
const MAX_TAKEN_EPOCHS = 64;

/** Points in a tick where state has just been stored or sent (tests crash the process there). */
export type KeeperCheckpoint = "epoch-stored" | "manifest-published" | "proposal-sent" | "queue-sent" | "execute-sent";

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
  /** The keeper's clock (ms), which epochs are timed by; for tests. Default `Date.now`. */
  now?: (() => number) | undefined;
  /** Called with each pass's report (the service turns it into events). */
  onTick?: ((report: KeeperTickReport) => void) | undefined;
  /** Called right after each durable step; for crash tests. */
  checkpoint?: ((name: KeeperCheckpoint) => void) | undefined;
};

/** An epoch this tick closed and stored. */
export type ClosedEpoch = { epoch: number; proposalId: bigint; proposalType: "routine" | "full"; records: number };

/** An epoch whose proposal will not execute. */
export type SettledEpoch = { epoch: number; proposalId: bigint; status: "returned" | "defeated"; outcome: EpochOutcome };

export type KeeperTickReport = {
  published: number;
  closed: ClosedEpoch | null;
  proposed: bigint[];
  queued: bigint[];
  executed: bigint[];
  settled: SettledEpoch[];
  /** Stored (headline) records of the outbox ratified in this pass. */
  ratified: RatifiedRecord[];
  /** Epochs the registry recorded in this pass. */
  ratifiedEpochs: RatifiedEpoch[];
  /** What failed in this tick (chain or IPFS down, a revert); nothing is lost, the next tick retries. */
  errors: Error[];
};

export type CloseEpochReturnType = { closed: ClosedEpoch | null; reason: string | null };

export class ProposalKeeper {
  readonly #p: ProposalKeeperParameters;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<KeeperTickReport> | undefined;
  #closeRequested = false;

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

  /**
   * Closes the open epoch now, whatever `knowledge.epochSeconds` says (operators; tests).
   * @returns the epoch closed, or why none was (no pending records).
   * @throws the first error of the pass (chain or IPFS down, no signing key).
   */
  async closeEpoch(): Promise<CloseEpochReturnType> {
    await this.#running?.catch(() => undefined);
    this.#closeRequested = true;
    const report = await this.tick();
    this.#closeRequested = false;
    if (report.closed) return { closed: report.closed, reason: null };
    if (report.errors.length > 0) throw report.errors[0];
    return { closed: null, reason: "no pending records: nothing to ratify" };
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
    const report: KeeperTickReport = { published: 0, closed: null, proposed: [], queued: [], executed: [], settled: [], ratified: [], ratifiedEpochs: [], errors: [] };
    const sync = async () => {
      const { ratified, ratifiedEpochs } = await this.#p.indexer.sync();
      report.ratified.push(...ratified);
      report.ratifiedEpochs.push(...ratifiedEpochs);
    };
    await this.#step(report, () => this.#publish(report));
    await this.#step(report, sync);
    // follow before closing, so the records of a returned epoch go into the next one
    await this.#step(report, () => this.#follow(report));
    await this.#step(report, () => this.#propose(report));
    await this.#step(report, sync);
    this.#p.onTick?.(report);
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
    for (const record of this.#p.outbox.listRecords({ status: "unpublished", limit: 10_000 })) {
      const { cid } = await this.#p.content.addBytes(new TextEncoder().encode(record.content));
      if (cid !== record.cid) throw new Error(`IPFS stored record ${record.localId} under ${cid}, expected ${record.cid}`);
      this.#p.outbox.markPublished(record.localId);
      report.published++;
    }
  }

  async #propose(report: KeeperTickReport): Promise<void> {
    // An epoch stored but not known to be on chain: finish it before closing another.
    for (const epoch of this.#p.outbox.epochsWithStatus("proposing")) await this.#submit(epoch, report);
    await this.#close(report);
  }

  /** Closes the open epoch when it is due (or asked for) and has pending records. */
  async #close(report: KeeperTickReport): Promise<void> {
    const { outbox, chain, index } = this.#p;
    const force = this.#closeRequested;
    const since = outbox.openEpochSince();
    if (since === undefined) return; // no pending records: the epoch is skipped, not proposed empty
    if (!chain.walletClient && !force) return; // read-only keeper: the service said so at connect
    // MeshPolicy decides the epoch length and which model is released; the chain must answer.
    const [epochSeconds, modelRelease] = await Promise.all([this.#parameter("knowledge.epochSeconds"), this.#parameter("knowledge.modelRelease")]);
    const now = (this.#p.now ?? Date.now)();
    if (!force && now - since < Number(epochSeconds) * 1000) return;
    const proposer = chain.requireWallet().account.address;

    const records = outbox.listRecords({ status: "pending", limit: Number.MAX_SAFE_INTEGER });
    const number = await this.#nextEpochNumber();
    const built = await buildEpoch({
      epoch: number,
      records,
      chainId: chain.chainId,
      addresses: chain.addresses,
      openedAt: Math.min(since, now),
      closedAt: now,
      modelRelease: Number(modelRelease) as ModelRelease,
      storedRecordId: (cid) => index.getRecordByCid(cid)?.id,
      gatewayUrl: this.#p.gatewayUrl,
      nodeAddress: this.#p.nodeAddress,
      proposer,
    });
    const epoch = outbox.createEpoch({
      epoch: number,
      proposalId: built.proposalId,
      proposalType: built.proposalType,
      root: built.root,
      manifestCid: built.manifestCid,
      manifest: built.manifestJson,
      tree: JSON.stringify(built.tree.dump()),
      counts: built.counts,
      description: built.description,
      actions: built.actions,
      openedAt: Math.min(since, now),
      closedAt: now,
      members: built.leaves,
    });
    this.#closeRequested = false;
    this.#p.checkpoint?.("epoch-stored");
    report.closed = { epoch: number, proposalId: built.proposalId, proposalType: built.proposalType, records: records.length };
    this.#logger.info({ epoch: number, records: records.length, root: built.root, proposalId: built.proposalId.toString(), type: built.proposalType }, "epoch closed");
    await this.#submit(epoch, report);
  }

  /**
   * The keeper's own last epoch plus one, skipping numbers the registry already holds (a
   * keeper with a fresh database; anyone's routine `recordEpoch(n, …)`). Never the highest
   * recorded number plus one: a squat at 2^64-1 would leave no next number.
   * @throws when more than {@link MAX_TAKEN_EPOCHS} numbers in a row are taken.
   */
  async #nextEpochNumber(): Promise<number> {
    const { outbox, index, chain } = this.#p;
    let number = outbox.lastEpochNumber() + 1;
    for (let reads = 0; ; number++) {
      if (index.getEpoch(number)) continue; // indexed as recorded: no chain read needed
      if ((await chain.contracts.registry.read.epochRoot([BigInt(number)])) === ZERO_ROOT) return number;
      if (++reads >= MAX_TAKEN_EPOCHS) throw new Error(`epoch numbers ${number - reads + 1}…${number} are all recorded on chain; the indexer has not caught up`);
    }
  }

  async #parameter(name: "knowledge.epochSeconds" | "knowledge.modelRelease"): Promise<bigint> {
    return this.#p.chain.contracts.policy.read.getParameter([policyParameterKey(name)]);
  }

  /** Publishes the stored manifest, then proposes unless the governor already has the proposal. */
  async #submit(epoch: KnowledgeEpoch, report: KeeperTickReport): Promise<void> {
    const { chain, outbox, content } = this.#p;
    // same bytes, same CID: publishing again after a crash is harmless
    const { cid } = await content.addBytes(new TextEncoder().encode(epoch.manifest));
    if (cid !== epoch.manifestCid) throw new Error(`IPFS stored the manifest of epoch ${epoch.epoch} under ${cid}, expected ${epoch.manifestCid}`);
    this.#p.checkpoint?.("manifest-published");
    const snapshot = await chain.contracts.governor.read.proposalSnapshot([epoch.proposalId]);
    if (snapshot === 0n) {
      const hash = await chain.requireWallet().writeContract({
        address: chain.addresses.governor,
        abi: chain.contracts.governor.abi,
        functionName: "propose",
        args: [epoch.actions.map((a) => a.target), epoch.actions.map(() => 0n), epoch.actions.map((a) => a.data), epoch.description],
      });
      this.#p.checkpoint?.("proposal-sent");
      await this.#confirm(hash, "Proposing", epoch.proposalId);
      outbox.setEpochStatus(epoch.epoch, "proposed", hash);
      report.proposed.push(epoch.proposalId);
      this.#logger.info({ epoch: epoch.epoch, proposalId: epoch.proposalId.toString(), tx: hash }, "epoch proposed");
    } else if ((await chain.contracts.governor.read.proposalProposer([epoch.proposalId])).toLowerCase() !== chain.requireWallet().account.address.toLowerCase()) {
      // Someone else proposed these exact actions and description first (possible only for a
      // description without `#proposer=`): they could cancel it. Never adopt it.
      outbox.settleEpoch(epoch.epoch, "returned", "front-run");
      report.settled.push({ epoch: epoch.epoch, proposalId: epoch.proposalId, status: "returned", outcome: "front-run" });
      this.#logger.warn({ epoch: epoch.epoch, proposalId: epoch.proposalId.toString() }, "epoch's proposal was proposed by someone else; its records go to the next epoch");
    } else {
      // Sent before a crash: it exists, do not resend.
      outbox.setEpochStatus(epoch.epoch, "proposed");
      this.#logger.info({ epoch: epoch.epoch, proposalId: epoch.proposalId.toString() }, "epoch's proposal already on chain");
    }
  }

  /** Moves each open epoch's proposal one step: queue, execute, or settle one that will not execute. */
  async #follow(report: KeeperTickReport): Promise<void> {
    const { chain, outbox } = this.#p;
    for (const epoch of outbox.epochsWithStatus("proposed", "queued")) {
      const state = await chain.contracts.governor.read.state([epoch.proposalId]);
      if ((state === ProposalState.Succeeded || state === ProposalState.Queued) && (await this.#epochTaken(epoch))) {
        // Another proposal recorded this number first: executing would revert
        // RegistryEpochExists forever. The records go to the next epoch, under a new number.
        outbox.settleEpoch(epoch.epoch, "returned", "epoch-taken");
        report.settled.push({ epoch: epoch.epoch, proposalId: epoch.proposalId, status: "returned", outcome: "epoch-taken" });
        this.#logger.warn({ epoch: epoch.epoch, proposalId: epoch.proposalId.toString() }, "epoch number recorded by another proposal; its records go to the next epoch");
        continue;
      }
      switch (state) {
        case ProposalState.Succeeded:
          await this.#send("queue", epoch);
          outbox.setEpochStatus(epoch.epoch, "queued");
          report.queued.push(epoch.proposalId);
          break;
        case ProposalState.Queued: {
          if (epoch.status !== "queued") outbox.setEpochStatus(epoch.epoch, "queued");
          const eta = await chain.contracts.governor.read.proposalEta([epoch.proposalId]);
          const { timestamp } = await chain.publicClient.getBlock();
          if (timestamp <= eta) break;
          await this.#send("execute", epoch);
          report.executed.push(epoch.proposalId);
          break; // the indexer marks the epoch ratified from its EpochRecorded event
        }
        case ProposalState.Executed:
          break; // idem
        case ProposalState.Defeated:
        case ProposalState.Expired:
        case ProposalState.Canceled: {
          const outcome = state === ProposalState.Expired ? "expired" : state === ProposalState.Canceled ? "canceled" : await this.#verdict(epoch.proposalId);
          const status = outcome === "vetoed" || outcome === "voted-down" ? "defeated" : "returned";
          outbox.settleEpoch(epoch.epoch, status, outcome);
          report.settled.push({ epoch: epoch.epoch, proposalId: epoch.proposalId, status, outcome });
          this.#logger.info({ epoch: epoch.epoch, proposalId: epoch.proposalId.toString(), status, outcome }, "epoch's proposal settled without execution");
          break;
        }
        default:
          break; // Pending or Active: voters are at work
      }
    }
  }

  /**
   * Why a proposal was defeated. Routine: vetoed iff `proposalVetoed`. Full: voted down iff
   * against > for and participation (for + against + abstain) ≥ quorum(snapshot): OZ's
   * own quorum counts only for + abstain, so an epoch everyone votes against would
   * otherwise look like "no quorum" and come back forever. Otherwise (a tie, or too little
   * participation) it has no verdict and its records get another chance. The type is the
   * governor's, not ours.
   */
  async #verdict(proposalId: bigint): Promise<"vetoed" | "voted-down" | "no-quorum" | "tie"> {
    const { governor } = this.#p.chain.contracts;
    if (PROPOSAL_TYPES[await governor.read.proposalType([proposalId])] === "routine") {
      return (await governor.read.proposalVetoed([proposalId])) ? "vetoed" : "no-quorum";
    }
    const [against, forVotes, abstain] = await governor.read.proposalVotes([proposalId]);
    const quorum = await governor.read.quorum([await governor.read.proposalSnapshot([proposalId])]);
    if (against + forVotes + abstain < quorum) return "no-quorum";
    if (against > forVotes) return "voted-down";
    // for ≥ against yet Defeated: a tie, or for + abstain short of OZ's quorum
    return against === forVotes ? "tie" : "no-quorum";
  }

  /** Whether the registry holds this epoch's number under another root. */
  async #epochTaken(epoch: KnowledgeEpoch): Promise<boolean> {
    const root = await this.#p.chain.contracts.registry.read.epochRoot([BigInt(epoch.epoch)]);
    return root !== ZERO_ROOT && root.toLowerCase() !== epoch.root.toLowerCase();
  }

  async #send(action: "queue" | "execute", epoch: KnowledgeEpoch): Promise<void> {
    const { chain } = this.#p;
    const hash = await chain.requireWallet().writeContract({
      address: chain.addresses.governor,
      abi: chain.contracts.governor.abi,
      functionName: action,
      args: [epoch.proposalId],
    });
    this.#p.checkpoint?.(action === "queue" ? "queue-sent" : "execute-sent");
    await this.#confirm(hash, action === "queue" ? "Queueing" : "Executing", epoch.proposalId);
    this.#logger.info({ epoch: epoch.epoch, proposalId: epoch.proposalId.toString(), tx: hash }, `${action}d`);
  }

  async #confirm(hash: Hex, action: string, proposalId: bigint): Promise<void> {
    const receipt = await this.#p.chain.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new ProposalTransactionRevertedError({ action, proposalId, txHash: hash });
  }
}
