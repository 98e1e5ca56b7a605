/**
 * Knowledge epochs as operators, the CLI and the dApp see them: each epoch the keeper
 * built with its proposal, root, manifest and counts; an epoch's records page by page,
 * each with its leaf hash and Merkle proof against the root; where a record stands; and
 * the audit that every published record is pending or in an epoch that explains its state.
 */
import type { Hex } from "viem";
import { UnknownEpochError } from "../errors/knowledge.ts";
import type { AuditFinding, EpochStatus, KnowledgeEpoch, KnowledgeRepository, RecordStatus } from "../store/knowledgeRepository.ts";
import { parseStoredEpochTree, storedTreeProof, type StoredEpochTree } from "./epochTree.ts";
import { KNOWLEDGE_KINDS, kindName, type KnowledgeKind } from "./schemas/index.ts";

export type EpochEntry = {
  epoch: number;
  status: EpochStatus;
  /** Why it was returned or defeated (`no-quorum`, `tie`, `expired`, `canceled`, `front-run`, `epoch-taken`, `voted-down`, `vetoed`), else null. */
  outcome: string | null;
  /** Decimal. */
  proposalId: string;
  proposalType: "routine" | "full";
  root: Hex;
  manifestCid: string;
  counts: Record<KnowledgeKind, number>;
  /** Records in the epoch. */
  records: number;
  /** CIDs the proposal names one by one. */
  headlines: string[];
  openedAt: string;
  closedAt: string;
  ratifiedAt: string | null;
};

/** A record as a leaf of an epoch. */
export type EpochRecordEntry = {
  cid: string;
  kind: KnowledgeKind;
  schemaVersion: number;
  round: number;
  refCid: string | null;
  summary: string;
  /** The record's status now (a returned epoch's records are pending again, or in a later epoch). */
  status: RecordStatus;
  headline: boolean;
  /** Stored registry id, when the proposal named it (headline) or it was promoted. */
  recordId: number | null;
  /** Position in the manifest's `records` (the tree's value index). */
  position: number;
  leaf: Hex;
  proof: Hex[];
};

export type EpochPage = { epoch: EpochEntry; records: EpochRecordEntry[]; total: number; offset: number; limit: number };

/** Where a record stands: the epoch it is in, its leaf and proof, and whether the root is ratified. */
export type RecordEpochProof = { epoch: number; root: Hex; leaf: Hex; proof: Hex[]; ratified: boolean };

export type KnowledgeAudit = {
  counts: Record<RecordStatus, number>;
  epochs: Record<EpochStatus, number>;
  /** Records that are neither pending nor in an epoch explaining their state: expected empty. */
  unaccounted: Array<Omit<AuditFinding, "kind"> & { kind: KnowledgeKind }>;
  ok: boolean;
};

const KINDS = Object.keys(KNOWLEDGE_KINDS) as KnowledgeKind[];

type Parsed = { tree: StoredEpochTree; refCids: Array<string | null>; headlines: string[] };
/** Parsed epochs by number and root, most recently used last; parsing is JSON only, no hashing. */
const cache = new Map<string, Parsed>();
const CACHE_SIZE = 256;

/** The epoch's stored tree and manifest, parsed once (both are immutable once stored). */
function parsed(epoch: KnowledgeEpoch): Parsed {
  const key = `${epoch.epoch}:${epoch.root}`;
  let entry = cache.get(key);
  if (entry) {
    cache.delete(key);
  } else {
    const manifest = JSON.parse(epoch.manifest) as { headlines: string[]; records: Array<{ refCid: string | null }> };
    entry = { tree: parseStoredEpochTree(epoch.tree), refCids: manifest.records.map((record) => record.refCid), headlines: manifest.headlines };
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, entry);
  return entry;
}

function toEntry(epoch: KnowledgeEpoch): EpochEntry {
  return {
    epoch: epoch.epoch,
    status: epoch.status,
    outcome: epoch.outcome,
    proposalId: epoch.proposalId.toString(),
    proposalType: epoch.proposalType,
    root: epoch.root,
    manifestCid: epoch.manifestCid,
    counts: Object.fromEntries(KINDS.map((kind) => [kind, epoch.counts[KNOWLEDGE_KINDS[kind]] ?? 0])) as Record<KnowledgeKind, number>,
    records: epoch.counts.reduce((sum, n) => sum + n, 0),
    headlines: parsed(epoch).headlines,
    openedAt: new Date(epoch.openedAt).toISOString(),
    closedAt: new Date(epoch.closedAt).toISOString(),
    ratifiedAt: epoch.ratifiedAt === null ? null : new Date(epoch.ratifiedAt).toISOString(),
  };
}

/** The keeper's epochs, newest first. */
export function listEpochs(outbox: KnowledgeRepository, { offset = 0, limit = 100 } = {}): { epochs: EpochEntry[]; total: number } {
  return { epochs: outbox.listEpochs({ offset, limit }).map(toEntry), total: outbox.countEpochs() };
}

/**
 * One epoch and a page of its records (tree order), each with its leaf and proof.
 * @throws {UnknownEpochError} when the keeper built no such epoch.
 */
export function getEpochPage(
  outbox: KnowledgeRepository,
  number: number,
  { offset = 0, limit = 100, kind, status }: { offset?: number; limit?: number; kind?: KnowledgeKind | undefined; status?: RecordStatus | undefined } = {},
): EpochPage {
  const epoch = outbox.getEpoch(number);
  if (!epoch) throw new UnknownEpochError({ epoch: number });
  const { tree, refCids } = parsed(epoch);
  const page = outbox.epochRecords(number, { offset, limit, kind: kind === undefined ? undefined : KNOWLEDGE_KINDS[kind], status });
  return {
    epoch: toEntry(epoch),
    records: page.records.map((record) => ({
      cid: record.cid,
      kind: kindName(record.kind) ?? "Model",
      schemaVersion: record.schemaVersion,
      round: record.round,
      refCid: refCids[record.position] ?? null,
      summary: record.summary,
      status: record.status,
      headline: record.headline,
      recordId: record.chainId,
      position: record.position,
      leaf: record.leaf,
      proof: storedTreeProof(tree, record.position),
    })),
    total: page.total,
    offset,
    limit,
  };
}

/** The epoch a record is in now, with its proof; null while it is unpublished or pending. */
export function recordEpochProof(outbox: KnowledgeRepository, localId: number): RecordEpochProof | null {
  const member = outbox.membershipOf(localId);
  if (!member) return null;
  const epoch = outbox.getEpoch(member.epoch)!;
  return { epoch: epoch.epoch, root: epoch.root, leaf: member.leaf, proof: storedTreeProof(parsed(epoch).tree, member.position), ratified: epoch.status === "ratified" };
}

/** Counts by state, and every record no epoch explains. */
export function auditKnowledge(outbox: KnowledgeRepository): KnowledgeAudit {
  const unaccounted = outbox.audit().map((finding) => ({ ...finding, kind: kindName(finding.kind) ?? "Model" }));
  return { counts: outbox.countByStatus(), epochs: outbox.countEpochsByStatus(), unaccounted, ok: unaccounted.length === 0 };
}

