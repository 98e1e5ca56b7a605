/**
 * The coordinator's knowledge API as the dApp reads it: every record page by page,
 * the keeper's epochs, an epoch's records with their leaves and Merkle proofs, and one
 * record by CID. Nothing read here is trusted: the pages verify each record's bytes
 * against its CID (gateway) and its leaf against the root the registry stores on chain.
 *
 * - `GET /api/knowledge?offset&limit&kind&status&epoch`
 * - `GET /api/knowledge/epochs?offset&limit`
 * - `GET /api/knowledge/epochs/:epoch?offset&limit&kind&status`
 * - `GET /api/knowledge/:cid`
 */
import type { KnowledgeKind } from "./knowledge.ts";
import { readCoordinatorJson } from "./coordinator.ts";

// Wire types: the coordinator's zod response schemas (`coordinator/api/knowledge.ts`) are
// their single source once that branch lands; these mirror SPEC.md until then.

/** Where a record stands in the keeper's outbox. */
export type KnowledgeRecordStatus = "unpublished" | "pending" | "proposed" | "ratified" | "defeated" | "revoked";
export const KNOWLEDGE_RECORD_STATUSES = ["pending", "proposed", "ratified", "defeated", "revoked"] as const satisfies readonly KnowledgeRecordStatus[];

/** An epoch's life: built and being proposed, voted on, queued, ratified, or its records returned / defeated. */
export type EpochStatus = "proposing" | "proposed" | "queued" | "ratified" | "returned" | "defeated";

/** One record of `GET /api/knowledge`. */
export type KnowledgeEntry = {
  cid: string;
  kind: KnowledgeKind;
  round: number;
  schemaVersion: number;
  status: KnowledgeRecordStatus;
  summary: string | null;
  /** Stored registry id (`kind << 40 | sequence`): headline and promoted records. */
  recordId: number | null;
  /** The epoch the record is in, or null while unpublished or pending. */
  epoch: number | null;
  proposalId: string | null;
  refId: number;
};

export type KnowledgeList = { records: KnowledgeEntry[]; total: number; offset: number; limit: number };

/** A record's place in an epoch: leaf hash and Merkle proof against the epoch's root. */
export type RecordEpochProof = { epoch: number; root: `0x${string}`; leaf: `0x${string}`; proof: `0x${string}`[]; ratified: boolean };

/** `GET /api/knowledge/:cid`. */
export type KnowledgeRecordResponse = Omit<KnowledgeEntry, "epoch"> & { content: unknown; epoch: RecordEpochProof | null };

/** One epoch of `GET /api/knowledge/epochs`. */
export type EpochEntry = {
  epoch: number;
  status: EpochStatus;
  outcome: string | null;
  proposalId: string;
  proposalType: "routine" | "full";
  root: `0x${string}`;
  manifestCid: string;
  counts: Record<KnowledgeKind, number>;
  records: number;
  headlines: string[];
  openedAt: string;
  closedAt: string;
  ratifiedAt: string | null;
};

export type EpochList = { epochs: EpochEntry[]; total: number };

/** One record of an epoch page, with what its leaf commits to. */
export type EpochRecordEntry = {
  cid: string;
  kind: KnowledgeKind;
  schemaVersion: number;
  round: number;
  refCid: string | null;
  summary: string;
  status: KnowledgeRecordStatus;
  headline: boolean;
  recordId: number | null;
  /** Position in the manifest's `records` (the tree's value index). */
  position: number;
  leaf: `0x${string}`;
  proof: `0x${string}`[];
};

export type EpochPage = { epoch: EpochEntry; records: EpochRecordEntry[]; total: number; offset: number; limit: number };

type Query = Record<string, string | number | undefined>;

function withQuery(path: `/${string}`, query: Query): `/${string}` {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

type Common = { coordinatorUrl: string; fetchFn?: typeof fetch; signal?: AbortSignal };

export type ReadKnowledgeListParameters = Common & {
  offset: number;
  limit: number;
  kind?: KnowledgeKind | undefined;
  status?: KnowledgeRecordStatus | undefined;
  epoch?: number | undefined;
};

/** A page of every record the coordinator knows (`GET /api/knowledge`), no cap per kind. */
export function readKnowledgeList({ offset, limit, kind, status, epoch, ...common }: ReadKnowledgeListParameters): Promise<KnowledgeList> {
  return readCoordinatorJson<KnowledgeList>({ ...common, path: withQuery("/api/knowledge", { offset, limit, kind, status, epoch }) });
}

/** The keeper's epochs (`GET /api/knowledge/epochs`), newest first as the coordinator orders them. */
export function readEpochList({ offset = 0, limit = 100, ...common }: Common & { offset?: number; limit?: number }): Promise<EpochList> {
  return readCoordinatorJson<EpochList>({ ...common, path: withQuery("/api/knowledge/epochs", { offset, limit }) });
}

export type ReadEpochPageParameters = Common & {
  epoch: number;
  offset: number;
  limit: number;
  kind?: KnowledgeKind | undefined;
  status?: KnowledgeRecordStatus | undefined;
};

/** The epoch and a page of its records with leaves and proofs (`GET /api/knowledge/epochs/:epoch`). */
export function readEpochPage({ epoch, offset, limit, kind, status, ...common }: ReadEpochPageParameters): Promise<EpochPage> {
  return readCoordinatorJson<EpochPage>({ ...common, path: withQuery(`/api/knowledge/epochs/${epoch}`, { offset, limit, kind, status }) });
}

/** One record by CID, with its epoch proof (`GET /api/knowledge/:cid`). */
export function readKnowledgeRecord({ cid, ...common }: Common & { cid: string }): Promise<KnowledgeRecordResponse> {
  return readCoordinatorJson<KnowledgeRecordResponse>({ ...common, path: `/api/knowledge/${encodeURIComponent(cid)}` });
}
