/**
 * What Synod knows, as one list: the records this coordinator queued (whatever their
 * state) and every record the chain holds (indexed from registry events, including
 * those other coordinators proposed). The API, the CLI and the bot read this.
 */
import { UnknownKnowledgeError } from "../errors/knowledge.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import type { ChainIndexRepository, IndexedRecord } from "../store/chainIndexRepository.ts";
import type { KnowledgeRepository, OutboxRecord, RecordStatus } from "../store/knowledgeRepository.ts";
import { KNOWLEDGE_KINDS, kindName, type KnowledgeKind } from "./schemas/index.ts";
import { sameProposalPosition } from "./recordRef.ts";

export type KnowledgeEntry = {
  cid: string;
  kind: KnowledgeKind;
  round: number;
  schemaVersion: number;
  status: RecordStatus;
  summary: string | null;
  /** On-chain record id (`kind << 40 | sequence`), once ratified. */
  recordId: number | null;
  /** The ratifying proposal (decimal), or the proposal it is in while proposed. */
  proposalId: string | null;
  /** On-chain id of the record this one refers to, or 0. */
  refId: number;
};

export type KnowledgeViewSources = { outbox: KnowledgeRepository; index: ChainIndexRepository };

export type ListKnowledgeParameters = {
  kind?: KnowledgeKind | undefined;
  status?: RecordStatus | undefined;
  round?: number | undefined;
  /** The proposal (decimal id) that ratified the records, or that they wait in. */
  proposal?: string | undefined;
  limit?: number;
};

function fromOutbox(record: OutboxRecord, index: ChainIndexRepository, outbox: KnowledgeRepository): KnowledgeEntry {
  const chain = record.chainId !== null ? index.getRecord(record.chainId) : undefined;
  const batch = record.batchId !== null ? outbox.getBatch(record.batchId) : undefined;
  return {
    cid: record.cid,
    kind: kindName(record.kind) ?? "Model",
    round: record.round,
    schemaVersion: record.schemaVersion,
    status: record.status,
    summary: record.summary,
    recordId: record.chainId,
    proposalId: chain ? chain.proposalId.toString() : batch ? batch.proposalId.toString() : null,
    // Before ratification a ref may be a position in the proposal, not an id: show none.
    refId: chain?.refId ?? (sameProposalPosition(record.refId) === null ? record.refId : 0),
  };
}

function fromIndex(record: IndexedRecord): KnowledgeEntry {
  return {
    cid: record.cid,
    kind: kindName(record.kind) ?? "Model",
    round: record.round,
    schemaVersion: record.schemaVersion,
    status: record.revoked ? "revoked" : "ratified",
    summary: null,
    recordId: record.id,
    proposalId: record.proposalId.toString(),
    refId: record.refId,
  };
}

/** Lists knowledge newest first, filtered by kind, status, round and proposal. */
export function listKnowledge({ outbox, index }: KnowledgeViewSources, { kind, status, round, proposal, limit = 100 }: ListKnowledgeParameters = {}): KnowledgeEntry[] {
  const kindId = kind === undefined ? undefined : KNOWLEDGE_KINDS[kind];
  const entries = new Map<string, KnowledgeEntry>();
  for (const record of outbox.listRecords({ kind: kindId, status, limit: 10_000 })) entries.set(record.cid, fromOutbox(record, index, outbox));
  if (status === undefined || status === "ratified" || status === "revoked") {
    for (const record of index.listRecords({ kind: kindId, round, revoked: status === undefined ? undefined : status === "revoked", limit: 10_000 })) {
      if (!entries.has(record.cid)) entries.set(record.cid, fromIndex(record));
    }
  }
  return [...entries.values()]
    .filter((entry) => (round === undefined || entry.round === round) && (proposal === undefined || entry.proposalId === proposal))
    .sort((a, b) => (b.recordId ?? Number.MAX_SAFE_INTEGER) - (a.recordId ?? Number.MAX_SAFE_INTEGER) || b.round - a.round)
    .slice(0, limit);
}

/**
 * One record with its content, read from IPFS and verified against its CID.
 * @throws {UnknownKnowledgeError} when neither the outbox nor the chain knows the CID.
 */
export async function getKnowledge(sources: KnowledgeViewSources & { content: ContentStore }, cid: string): Promise<KnowledgeEntry & { content: unknown }> {
  const local = sources.outbox.getRecordByCid(cid);
  const onChain = sources.index.getRecordByCid(cid);
  if (!local && !onChain) throw new UnknownKnowledgeError({ cid });
  const entry = local ? fromOutbox(local, sources.index, sources.outbox) : fromIndex(onChain!);
  // Not yet on IPFS: the outbox holds the exact bytes, whose CID was computed when queued.
  const content = local?.status === "unpublished" ? (JSON.parse(local.content) as unknown) : await sources.content.getJson(cid);
  return { ...entry, content };
}
