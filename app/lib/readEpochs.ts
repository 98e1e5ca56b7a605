/**
 * KnowledgeRegistry's ratified epochs, read from the chain: the root each record is
 * checked against, the manifest CID, counts and ratifying proposal. The chain is the
 * only source trusted for these.
 */
import type { Hex, PublicClient } from "viem";
import type { SynodContracts } from "./contracts.ts";
import { KNOWLEDGE_KINDS, type KnowledgeKind } from "./knowledge.ts";

/** An epoch as `getEpoch` returns it. */
export type OnChainEpoch = {
  epoch: number;
  root: Hex;
  proposalId: bigint;
  recordedAt: number;
  counts: Record<KnowledgeKind, number>;
  /** Binary CID of the manifest. */
  manifestCid: Hex;
};

type RawEpoch = { epoch: bigint; root: Hex; proposalId: bigint; recordedAt: number; counts: readonly number[]; manifestCid: Hex };

function toEpoch(raw: RawEpoch): OnChainEpoch {
  return {
    epoch: Number(raw.epoch),
    root: raw.root,
    proposalId: raw.proposalId,
    recordedAt: raw.recordedAt,
    counts: Object.fromEntries(KNOWLEDGE_KINDS.map((kind, k) => [kind, Number(raw.counts[k] ?? 0)])) as Record<KnowledgeKind, number>,
    manifestCid: raw.manifestCid,
  };
}

const isZero = (root: Hex) => /^0x0*$/.test(root);

/** The ratified epoch `epoch`, or `null` when the chain holds no root for it. */
export async function readEpoch({ client, contracts, epoch }: { client: PublicClient; contracts: SynodContracts; epoch: number }): Promise<OnChainEpoch | null> {
  const root = await client.readContract({ ...contracts.KnowledgeRegistry, functionName: "epochRoot", args: [BigInt(epoch)] });
  if (isZero(root)) return null;
  return toEpoch(await client.readContract({ ...contracts.KnowledgeRegistry, functionName: "getEpoch", args: [BigInt(epoch)] }));
}

/** The on-chain root of each epoch (`epochRoot`, zero when not ratified), in one multicall. */
export async function readEpochRoots({ client, contracts, epochs }: { client: PublicClient; contracts: SynodContracts; epochs: readonly number[] }): Promise<Map<number, Hex>> {
  const unique = [...new Set(epochs)];
  if (unique.length === 0) return new Map();
  const roots = await client.multicall({
    allowFailure: false,
    contracts: unique.map((epoch) => ({ ...contracts.KnowledgeRegistry, functionName: "epochRoot", args: [BigInt(epoch)] }) as const),
  });
  return new Map(unique.map((epoch, i) => [epoch, roots[i]!]));
}

/**
 * The epochs ratified within the last `blockRange` blocks, newest first, from
 * `EpochRecorded` events (bounded, like every event read of the dApp): how the epochs
 * index lists ratified epochs when the coordinator cannot be reached.
 */
export async function readRecordedEpochs({ client, contracts, blockRange }: { client: PublicClient; contracts: SynodContracts; blockRange: bigint }): Promise<OnChainEpoch[]> {
  const latest = await client.getBlockNumber({ cacheTime: 0 });
  const fromBlock = latest > blockRange ? latest - blockRange : 0n;
  const logs = await client.getContractEvents({ ...contracts.KnowledgeRegistry, eventName: "EpochRecorded", fromBlock, toBlock: latest });
  const epochs = [...new Set(logs.map((log) => Number(log.args.epoch)))];
  if (epochs.length === 0) return [];
  const raws = (await client.multicall({
    allowFailure: false,
    contracts: epochs.map((epoch) => ({ ...contracts.KnowledgeRegistry, functionName: "getEpoch", args: [BigInt(epoch)] }) as const),
  })) as RawEpoch[];
  return raws.map(toEpoch).sort((a, b) => b.epoch - a.epoch);
}
