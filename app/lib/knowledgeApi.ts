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
import { readCoordinatorJson } from "./coordinator.ts";
import type { KnowledgeKind } from "./knowledge.ts";

// Wire types come from the coordinator's zod response schemas, their single source
// (type-only imports: nothing of the coordinator is bundled into the browser).
import type {
  EpochEntry,
  EpochList,
  EpochPage,
  EpochStatus,
  KnowledgeEntry,
  KnowledgeList,
  KnowledgeRecordResponse,
  RecordStatus as KnowledgeRecordStatus,
} from "../../coordinator/api/schemas/knowledge.ts";

export type { EpochEntry, EpochList, EpochPage, EpochStatus, KnowledgeEntry, KnowledgeList, KnowledgeRecordResponse, KnowledgeRecordStatus };

/** One record of an epoch page, with what its leaf commits to, its leaf hash and Merkle proof. */
export type EpochRecordEntry = EpochPage["records"][number];

/** A record's place in an epoch: leaf hash and Merkle proof against the epoch's root. */
export type RecordEpochProof = NonNullable<KnowledgeRecordResponse["epoch"]>;

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
