/**
 * What Synod knows, as one list: the records this coordinator queued (whatever their
 * state) and every record the chain holds (indexed from registry events, including
 * those other coordinators proposed). The API, the CLI and the bot read this.
 */
import { UnknownKnowledgeError } from "../errors/knowledge.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import type { ChainIndexRepository, IndexedRecord } from "../store/chainIndexRepository.ts";
import type { CatalogRow, KnowledgeRepository, OutboxRecord, RecordStatus } from "../store/knowledgeRepository.ts";
import { recordEpochProof, type RecordEpochProof } from "./epochsView.ts";
import { KNOWLEDGE_KINDS, kindName, type KnowledgeKind } from "./schemas/index.ts";

export type KnowledgeEntry = {
  cid: string;
  kind: KnowledgeKind;
  round: number;
  schemaVersion: number;
  status: RecordStatus;
  summary: string | null;
  /** Stored registry record id (`kind << 40 | sequence`): headline and promoted records. */
  recordId: number | null;
  /** The epoch the record is in (off chain a record is its CID; on chain, its epoch and leaf). */
  epoch: number | null;
  /** The proposal that stored it or that its epoch is in (decimal). */
  proposalId: string | null;
  /** Stored id of the record this one refers to, or 0. */
  refId: number;
  /**
   * The CID of the record this one builds on as its content names it, what its epoch leaf
   * commits to: a Model's `parentModelCid`, else null (`refCidOf`). For a chain record
   * whose content this coordinator does not hold, in a listing: the stored record its
   * `refId` names.
   */
  refCid: string | null;
};

/** One record: its entry, verified content, and the epoch it is in with its leaf and proof (null while pending). */
export type KnowledgeRecordDetails = Omit<KnowledgeEntry, "epoch"> & { content: unknown; epoch: RecordEpochProof | null };

export type KnowledgeViewSources = { outbox: KnowledgeRepository; index: ChainIndexRepository };

export type ListKnowledgeParameters = {
  kind?: KnowledgeKind | undefined;
  status?: RecordStatus | undefined;
  round?: number | undefined;
  epoch?: number | undefined;
  /** The proposal (decimal id) that ratified the records, or that they wait in. */
  proposal?: string | undefined;
  offset?: number;
  limit?: number;
};

const fromRow = (row: CatalogRow): KnowledgeEntry => ({ ...row, kind: kindName(row.kind) ?? "Model" });

/** A record's `refCid` read from its content, as `refCidOf` does for the leaf: a Model's `parentModelCid`, else null. */
function contentRefCid(kind: number, content: unknown): string | null {
  if (kind !== KNOWLEDGE_KINDS.Model || typeof content !== "object" || content === null) return null;
  const parent = (content as { parentModelCid?: unknown }).parentModelCid;
  return typeof parent === "string" ? parent : null;
}

function fromOutbox(record: OutboxRecord, outbox: KnowledgeRepository, index: ChainIndexRepository): KnowledgeEntry {
  const chain = record.chainId !== null ? index.getRecord(record.chainId) : undefined;
  const epoch = record.epoch !== null ? outbox.getEpoch(record.epoch) : undefined;
  return {
    cid: record.cid,
    kind: kindName(record.kind) ?? "Model",
    round: record.round,
    schemaVersion: record.schemaVersion,
    status: record.status,
    summary: record.summary,
    recordId: record.chainId,
    epoch: record.epoch,
    proposalId: chain ? chain.proposalId.toString() : epoch ? epoch.proposalId.toString() : null,
    refId: chain?.refId ?? record.refId,
    refCid: contentRefCid(record.kind, JSON.parse(record.content)),
  };
}

function fromIndex(record: IndexedRecord, content: unknown): KnowledgeEntry {
  return {
    cid: record.cid,
    kind: kindName(record.kind) ?? "Model",
    round: record.round,
    schemaVersion: record.schemaVersion,
    status: record.revoked ? "revoked" : "ratified",
    summary: null,
    recordId: record.id,
    epoch: null,
    proposalId: record.proposalId.toString(),
    refId: record.refId,
    refCid: contentRefCid(record.kind, content),
  };
}

/**
 * Pages through all knowledge (this outbox's records newest first, then the chain's
 * others), filtered by kind, status, round, epoch and proposal.
 * @returns the page and how many records match in all.
 */
export function listKnowledge({ outbox }: KnowledgeViewSources, { kind, offset = 0, limit = 100, ...filters }: ListKnowledgeParameters = {}): { records: KnowledgeEntry[]; total: number } {
  const { rows, total } = outbox.listCatalog({ ...filters, kind: kind === undefined ? undefined : KNOWLEDGE_KINDS[kind], offset, limit });
  return { records: rows.map(fromRow), total };
}

/**
 * One record with its content, read from IPFS and verified against its CID, and the
 * epoch it is in with its leaf and Merkle proof.
 * @throws {UnknownKnowledgeError} when neither the outbox nor the chain knows the CID.
 */
export async function getKnowledge(
  sources: KnowledgeViewSources & { content: ContentStore },
  cid: string,
): Promise<KnowledgeRecordDetails> {
  const local = sources.outbox.getRecordByCid(cid);
  const onChain = sources.index.getRecordByCid(cid);
  if (!local && !onChain) throw new UnknownKnowledgeError({ cid });
  // Not yet on IPFS: the outbox holds the exact bytes, whose CID was computed when queued.
  const content = local?.status === "unpublished" ? (JSON.parse(local.content) as unknown) : await sources.content.getJson(cid);
  const entry = local ? fromOutbox(local, sources.outbox, sources.index) : fromIndex(onChain!, content);
  return { ...entry, content, epoch: local ? recordEpochProof(sources.outbox, local.localId) : null };
}
