/**
 * Knowledge records and the keeper's epochs (`coordinator/api/schemas/knowledge.ts`).
 */
import {
  epochListSchema,
  epochPageSchema,
  knowledgeAuditSchema,
  knowledgeListSchema,
  knowledgeRecordSchema,
  submitKnowledgeSchema,
  type EpochList,
  type EpochListQuery,
  type EpochPage,
  type EpochPageQuery,
  type KnowledgeAuditResponse,
  type KnowledgeList,
  type KnowledgeListQuery,
  type KnowledgeRecordResponse,
  type SubmitKnowledgeResponse,
} from "../../api/schemas/knowledge.ts";
import { callRoute, type ApiClient } from "../apiClient.ts";

/**
 * A page of records, filtered.
 *
 * @param query - `kind`, `status`, `round`, `epoch`, `proposal`, `offset`, `limit` (as the route's querystring schema takes them).
 */
export function listKnowledge(api: ApiClient, query: KnowledgeListQuery = {}): Promise<KnowledgeList> {
  return callRoute(api, { method: "GET", path: "/api/knowledge", query, schema: knowledgeListSchema });
}

/** One record with its content (verified against its CID) and its epoch proof. */
export function getKnowledgeRecord(api: ApiClient, { cid }: { cid: string }): Promise<KnowledgeRecordResponse> {
  return callRoute(api, { method: "GET", path: `/api/knowledge/${encodeURIComponent(cid)}`, schema: knowledgeRecordSchema });
}

/**
 * Queues a record for publication and ratification (admin).
 *
 * @param record - the record as JSON; the coordinator validates it against its kind's schema.
 * @throws {ApiRequestError} 400 listing every problem of an invalid record.
 */
export function submitKnowledge(api: ApiClient, { record }: { record: unknown }): Promise<SubmitKnowledgeResponse> {
  return callRoute(api, { method: "POST", path: "/api/knowledge", body: record, schema: submitKnowledgeSchema });
}

/** The keeper's epochs. */
export function listEpochs(api: ApiClient, query: EpochListQuery = {}): Promise<EpochList> {
  return callRoute(api, { method: "GET", path: "/api/knowledge/epochs", query, schema: epochListSchema });
}

/** One epoch with a page of its records, each with leaf and Merkle proof. */
export function getEpochPage(api: ApiClient, { epoch, ...query }: EpochPageQuery & { epoch: number | string }): Promise<EpochPage> {
  return callRoute(api, { method: "GET", path: `/api/knowledge/epochs/${encodeURIComponent(String(epoch))}`, query, schema: epochPageSchema });
}

/** Records by state, and any that no epoch explains. */
export function getKnowledgeAudit(api: ApiClient): Promise<KnowledgeAuditResponse> {
  return callRoute(api, { method: "GET", path: "/api/knowledge/audit", schema: knowledgeAuditSchema });
}
