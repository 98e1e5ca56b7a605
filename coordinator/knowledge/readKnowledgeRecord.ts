/**
 * Read a record by CID: verified bytes (the store), a valid record (the schema), and —
 * when the caller knows what the registry says about it — the same kind, schema
 * version and round as on chain.
 */
import { RecordValidationError } from "../errors/knowledge.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import { parseKnowledgeRecord, registryFields, type KnowledgeRecord } from "./schemas/index.ts";

export type ReadKnowledgeRecordParameters = {
  /** What the registry stored for this CID, to cross-check (`Record.kind`, `.schemaVersion`, `.round`). */
  expected?: { kind?: number; schemaVersion?: number; round?: number };
  maxBytes?: number;
  signal?: AbortSignal;
};

/**
 * Fetches, verifies and validates a knowledge record.
 *
 * @param store - the content store.
 * @param cid - the record's CID (as proposed / as in the registry event).
 * @param parameters.expected - registry fields the content must agree with.
 * @param parameters.maxBytes - refuse larger content (default 1 MiB: records are small).
 * @returns the typed record.
 * @throws {BlockVerificationError} when the content does not match the CID.
 * @throws {RecordValidationError} when it is not a valid record, or disagrees with `expected` (paths `kind`, `schemaVersion`, `round`).
 */
export async function readKnowledgeRecord(
  store: ContentStore,
  cid: string,
  { expected, maxBytes = 1024 * 1024, signal }: ReadKnowledgeRecordParameters = {},
): Promise<KnowledgeRecord> {
  const record = parseKnowledgeRecord(await store.getJson(cid, { maxBytes, ...(signal ? { signal } : {}) }));
  if (expected) {
    const actual = registryFields(record);
    const issues = (["kind", "schemaVersion", "round"] as const)
      .filter((field) => expected[field] !== undefined && expected[field] !== actual[field])
      .map((field) => ({ path: field, message: `is ${actual[field]} in the content but ${expected[field]} in the registry` }));
    if (issues.length > 0) throw new RecordValidationError({ kind: record.kind, issues });
  }
  return record;
}
