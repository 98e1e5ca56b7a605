/** KnowledgeRegistry reads: records per kind, paged without an index, in batched multicalls. */
import type { Hex, PublicClient } from "viem";
import { chunkedMulticall, type ContractCall } from "./chunkedMulticall.ts";
import type { SynodContracts } from "./contracts.ts";
import { KNOWLEDGE_KINDS, knowledgeKindName, type KnowledgeKind } from "./knowledge.ts";

export type KnowledgeRecord = {
  id: bigint;
  kind: KnowledgeKind;
  schemaVersion: number;
  ref: bigint;
  round: number;
  proposalId: bigint;
  recordedAt: number;
  revokedAt: number;
  cid: Hex;
};

/** Counts of every kind, in one multicall. */
export async function readRecordCounts({ client, contracts }: { client: PublicClient; contracts: SynodContracts }) {
  const counts = await client.multicall({
    allowFailure: false,
    contracts: KNOWLEDGE_KINDS.map((_, kind) => ({ ...contracts.KnowledgeRegistry, functionName: "recordCount", args: [kind] }) as const),
  });
  return Object.fromEntries(KNOWLEDGE_KINDS.map((kind, i) => [kind, counts[i]!])) as Record<KnowledgeKind, bigint>;
}

/** The newest `limit` records of `kind`, newest first. */
export async function readRecordsOfKind({
  client,
  contracts,
  kind,
  limit = 100n,
}: {
  client: PublicClient;
  contracts: SynodContracts;
  kind: KnowledgeKind;
  limit?: bigint;
}): Promise<KnowledgeRecord[]> {
  const kindIndex = KNOWLEDGE_KINDS.indexOf(kind);
  const count = await client.readContract({ ...contracts.KnowledgeRegistry, functionName: "recordCount", args: [kindIndex] });
  const offset = count > limit ? count - limit : 0n;
  // Pages of RECORDS_PER_CALL: the client batches reads into one multicall, whose return
  // data a local chain without Multicall3 caps at 24 KiB (about 55 records).
  const calls: ContractCall[] = [];
  for (let start = offset; start < count; start += RECORDS_PER_CALL) {
    calls.push({ ...contracts.KnowledgeRegistry, functionName: "recordsOfKind", args: [kindIndex, start, RECORDS_PER_CALL] });
  }
  const pages = (await chunkedMulticall(client, calls)) as RawRecord[][];
  return pages.flat().map(toRecord).reverse();
}

export type ReadRecordPageParameters = {
  client: PublicClient;
  contracts: SynodContracts;
  kind: KnowledgeKind;
  /** Records to skip, counted from the newest. */
  offset: number;
  limit: number;
};

/**
 * One page of the records of `kind` stored on chain, newest first: records
 * `[total - offset - limit, total - offset)` by sequence, so every record can be reached.
 */
export async function readRecordPage({ client, contracts, kind, offset, limit }: ReadRecordPageParameters): Promise<{ records: KnowledgeRecord[]; total: number }> {
  const kindIndex = KNOWLEDGE_KINDS.indexOf(kind);
  const total = await client.readContract({ ...contracts.KnowledgeRegistry, functionName: "recordCount", args: [kindIndex] });
  const end = total - BigInt(Math.min(offset, Number(total)));
  const start = end > BigInt(limit) ? end - BigInt(limit) : 0n;
  const calls: ContractCall[] = [];
  for (let from = start; from < end; from += RECORDS_PER_CALL) {
    const size = end - from < RECORDS_PER_CALL ? end - from : RECORDS_PER_CALL;
    calls.push({ ...contracts.KnowledgeRegistry, functionName: "recordsOfKind", args: [kindIndex, from, size] });
  }
  const pages = (await chunkedMulticall(client, calls)) as RawRecord[][];
  return { records: pages.flat().map(toRecord).reverse(), total: Number(total) };
}

/** Records per `recordsOfKind` call: about 10 KiB of return data. */
const RECORDS_PER_CALL = 25n;

/** Records by id (lineage lookups), in one multicall; unknown ids are left out. */
export async function readRecords({ client, contracts, ids }: { client: PublicClient; contracts: SynodContracts; ids: readonly bigint[] }) {
  if (ids.length === 0) return [];
  const results = await client.multicall({
    allowFailure: true,
    contracts: ids.map((id) => ({ ...contracts.KnowledgeRegistry, functionName: "getRecord", args: [Number(id)] }) as const),
  });
  return results.flatMap((r) => (r.status === "success" ? [toRecord(r.result)] : []));
}

type RawRecord = {
  id: number;
  kind: number;
  schemaVersion: number;
  ref: number;
  round: number;
  proposalId: bigint;
  recordedAt: number;
  revokedAt: number;
  cid: Hex;
};

function toRecord(raw: RawRecord): KnowledgeRecord {
  return {
    id: BigInt(raw.id),
    kind: knowledgeKindName(raw.kind),
    schemaVersion: raw.schemaVersion,
    ref: BigInt(raw.ref),
    round: raw.round,
    proposalId: raw.proposalId,
    recordedAt: raw.recordedAt,
    revokedAt: raw.revokedAt,
    cid: raw.cid,
  };
}
