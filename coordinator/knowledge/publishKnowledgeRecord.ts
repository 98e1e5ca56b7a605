/**
 * Validate, then publish: nothing that fails its schema ever gets a CID.
 */
import type { ContentStore } from "../ipfs/contentStore.ts";
import { parseKnowledgeRecord, registryFields, type KnowledgeRecord } from "./schemas/index.ts";

export type PublishKnowledgeRecordReturnType = {
  /** CIDv1 (base32) of the record's canonical JSON; pinned. */
  cid: string;
  /** The validated record as published. */
  record: KnowledgeRecord;
  /** What `KnowledgeRegistry.RecordInput` needs besides the CID (and `ref`). */
  registry: { kind: number; schemaVersion: number; round: number };
};

/**
 * Validates a knowledge record against its kind's schema and publishes it as canonical
 * JSON (pinned). The same record always gets the same CID, so publishing again after
 * a failure or a restart is safe and recognisable.
 *
 * @param store - the content store.
 * @param value - the record (any kind, latest or older schema version).
 * @returns the CID, the validated record and its registry fields.
 * @throws {RecordValidationError} listing every invalid field; nothing is published.
 * @throws {IpfsUnavailableError} when IPFS is down; keep the record and retry.
 *
 * @example
 * import { publishKnowledgeRecord } from "./publishKnowledgeRecord.ts";
 * const { cid, registry } = await publishKnowledgeRecord(store, incident);
 * // registry → { kind: 1, schemaVersion: 1, round: 12 }
 */
export async function publishKnowledgeRecord(
  store: ContentStore,
  value: unknown,
  options: { signal?: AbortSignal } = {},
): Promise<PublishKnowledgeRecordReturnType> {
  const record = parseKnowledgeRecord(value);
  const { cid } = await store.addJson(record, options);
  return { cid, record, registry: registryFields(record) };
}
