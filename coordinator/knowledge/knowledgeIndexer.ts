/**
 * Follows Synod's contracts and writes what they emit into the local index: epochs
 * recorded, records added (headlines, promotions) and revoked, proposals created, voted,
 * queued, executed, canceled. Resumes from the last processed block after a restart,
 * and tells the outbox which of its epochs (and so records) were ratified.
 */
import { CID } from "multiformats/cid";
import { hexToBytes, type AbiEvent } from "viem";
import type { ChainClient } from "../chain/createChainClient.ts";
import { toChainError } from "../chain/createChainClient.ts";
import { knowledgeRegistryAbi, meshGovernorAbi } from "../chain/abis.ts";
import type { Logger } from "../logger.ts";
import type { ChainIndexRepository } from "../store/chainIndexRepository.ts";
import type { KnowledgeRepository } from "../store/knowledgeRepository.ts";

const REGISTRY_EVENTS = ["EpochRecorded", "RecordAdded", "RecordRevoked"] as const;
const GOVERNOR_EVENTS = ["ProposalCreated", "VoteCast", "VoteCastWithParams", "ProposalQueued", "ProposalExecuted", "ProposalCanceled", "ProposalExtended"] as const;

const eventsOf = (abi: readonly unknown[], names: readonly string[]) =>
  (abi as AbiEvent[]).filter((item) => item.type === "event" && names.includes(item.name));

const EVENTS = [...eventsOf(knowledgeRegistryAbi, REGISTRY_EVENTS), ...eventsOf(meshGovernorAbi, GOVERNOR_EVENTS)];

export type KnowledgeIndexerParameters = {
  chain: ChainClient;
  index: ChainIndexRepository;
  outbox: KnowledgeRepository;
  logger: Logger;
  /** Blocks per `eth_getLogs` request. */
  chunkSize?: number;
  /** First block to read when the index is empty (the deployment block). Default 0. */
  startBlock?: number;
};

/** A record of this coordinator's outbox that a `RecordAdded` event just stored (a headline or a promotion). */
export type RatifiedRecord = { recordId: number; kind: number; cid: string; proposalId: bigint };

/** An epoch of this coordinator's keeper that an `EpochRecorded` event just ratified. */
export type RatifiedEpoch = { epoch: number; proposalId: bigint; records: number };

export type SyncReturnType = { fromBlock: number; toBlock: number; events: number; ratified: RatifiedRecord[]; ratifiedEpochs: RatifiedEpoch[] };

/** Converts the registry's binary CID to the base32 string Synod uses everywhere else. */
export function cidFromBytes(bytes: `0x${string}`): string {
  return CID.decode(hexToBytes(bytes)).toString();
}

export class KnowledgeIndexer {
  readonly #p: Required<KnowledgeIndexerParameters>;
  readonly #cursorName: string;

  constructor(parameters: KnowledgeIndexerParameters) {
    this.#p = { chunkSize: 5_000, startBlock: 0, ...parameters };
    // one cursor per deployment, so pointing at a redeployed chain starts over
    this.#cursorName = `knowledge:${parameters.chain.chainId}:${parameters.chain.addresses.registry}`;
  }

  /**
   * Reads every event since the last processed block up to the chain head.
   * @throws {ChainUnavailableError} when the chain does not answer; the cursor stays where it was.
   */
  async sync(): Promise<SyncReturnType> {
    const { chain, index, outbox, logger, chunkSize } = this.#p;
    try {
      const head = Number(await chain.publicClient.getBlockNumber());
      const fromBlock = (index.cursor(this.#cursorName) ?? this.#p.startBlock - 1) + 1;
      let events = 0;
      const ratified: RatifiedRecord[] = [];
      const ratifiedEpochs: RatifiedEpoch[] = [];
      for (let start = fromBlock; start <= head; start += chunkSize) {
        const end = Math.min(head, start + chunkSize - 1);
        const logs = await chain.publicClient.getLogs({
          address: [chain.addresses.registry, chain.addresses.governor],
          events: EVENTS,
          fromBlock: BigInt(start),
          toBlock: BigInt(end),
          strict: true,
        });
        for (const log of logs) {
          const applied = await this.#apply(log);
          if (applied?.type === "record") ratified.push(applied.record);
          if (applied?.type === "epoch") ratifiedEpochs.push(applied.epoch);
          events++;
        }
        index.setCursor(this.#cursorName, end);
      }
      if (events) logger.debug({ fromBlock, toBlock: head, events, ratified: ratified.length }, "indexed chain events");
      return { fromBlock, toBlock: head, events, ratified, ratifiedEpochs };
    } catch (error) {
      throw toChainError(error, chain.rpcUrl);
    }
  }

  /** @returns the outbox record or epoch the event ratified, if any. */
  async #apply(log: {
    eventName: string;
    args: unknown;
    blockNumber: bigint;
    transactionHash: `0x${string}`;
  }): Promise<{ type: "record"; record: RatifiedRecord } | { type: "epoch"; epoch: RatifiedEpoch } | undefined> {
    const { index, outbox, logger, chain } = this.#p;
    const blockNumber = Number(log.blockNumber);
    const args = log.args as Record<string, unknown>;
    switch (log.eventName) {
      case "EpochRecorded": {
        const proposalId = args.proposalId as bigint;
        if ((args.epoch as bigint) > BigInt(Number.MAX_SAFE_INTEGER)) {
          // anyone's routine recordEpoch can squat a huge number (up to 2^64-1); SQLite and a JS
          // number cannot hold it, and no keeper epoch will ever reach it: skip, do not wedge the sync
          logger.warn({ epoch: String(args.epoch), proposalId: proposalId.toString() }, "epoch number too large to index; skipped");
          return undefined;
        }
        const epoch = Number(args.epoch);
        const root = (args.root as `0x${string}`).toLowerCase() as `0x${string}`;
        const { timestamp } = await chain.publicClient.getBlock({ blockNumber: log.blockNumber });
        index.upsertEpoch({
          epoch,
          proposalId,
          root,
          manifestCid: cidFromBytes(args.manifestCid as `0x${string}`),
          counts: (args.counts as readonly number[]).map(Number),
          blockNumber,
          txHash: log.transactionHash,
          recordedAt: Number(timestamp) * 1000,
        });
        const mine = outbox.getEpoch(epoch);
        // Only the keeper's own epoch, as it built it: same proposal, same root.
        if (!mine || mine.proposalId !== proposalId || mine.root.toLowerCase() !== root) {
          if (mine) logger.warn({ epoch, proposalId: proposalId.toString(), root }, "the registry recorded another epoch under this keeper's epoch number");
          return undefined;
        }
        const records = outbox.markEpochRatified(epoch, Number(timestamp) * 1000);
        logger.info({ epoch, records, proposalId: proposalId.toString() }, "epoch ratified");
        return { type: "epoch", epoch: { epoch, proposalId, records } };
      }
      case "RecordAdded": {
        const cid = cidFromBytes(args.cid as `0x${string}`);
        const id = Number(args.id);
        index.upsertRecord({
          id,
          kind: Number(args.kind),
          cid,
          schemaVersion: Number(args.schemaVersion),
          refId: Number(args.ref),
          round: Number(args.round),
          proposalId: args.proposalId as bigint,
          blockNumber,
          txHash: log.transactionHash,
        });
        if (!outbox.markRatified(cid, id)) return undefined;
        logger.info({ cid, recordId: id }, "record stored");
        return { type: "record", record: { recordId: id, kind: Number(args.kind), cid, proposalId: args.proposalId as bigint } };
      }
      case "RecordRevoked":
        index.markRecordRevoked(Number(args.id), blockNumber, Number(args.supersededBy));
        outbox.markRevoked(Number(args.id));
        return undefined;
      case "ProposalCreated":
        index.upsertProposal({
          id: args.proposalId as bigint,
          proposer: args.proposer as `0x${string}`,
          description: args.description as string,
          targets: [...(args.targets as readonly `0x${string}`[])],
          calldatas: [...(args.calldatas as readonly `0x${string}`[])],
          voteStart: Number(args.voteStart),
          voteEnd: Number(args.voteEnd),
          createdBlock: blockNumber,
        });
        return undefined;
      case "VoteCast":
      case "VoteCastWithParams":
        index.upsertVote({
          proposalId: args.proposalId as bigint,
          voter: args.voter as `0x${string}`,
          support: Number(args.support),
          weight: args.weight as bigint,
          reason: args.reason as string,
          blockNumber,
        });
        return undefined;
      case "ProposalQueued":
        index.setProposalQueued(args.proposalId as bigint, Number(args.etaSeconds));
        return undefined;
      case "ProposalExecuted":
        index.setProposalExecuted(args.proposalId as bigint, blockNumber);
        return undefined;
      case "ProposalCanceled":
        index.setProposalCanceled(args.proposalId as bigint, blockNumber);
        return undefined;
      case "ProposalExtended":
        index.setProposalDeadline(args.proposalId as bigint, Number(args.extendedDeadline));
        return undefined;
      default:
        return undefined;
    }
  }
}
