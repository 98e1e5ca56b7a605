/**
 * Queues a knowledge record for publication and ratification: the entry point every
 * producer (FL rounds, chaos runs, MAPE-K, the CLI) uses.
 */
import { computeFileCid } from "../ipfs/importUnixfsFile.ts";
import { canonicalJson } from "../ipfs/canonicalJson.ts";
import type { KnowledgeRepository, OutboxRecord } from "../store/knowledgeRepository.ts";
import { parseKnowledgeRecord, registryFields, type KnowledgeRecord } from "./schemas/index.ts";
import { summarizeRecord } from "./summarizeRecord.ts";

export type SubmitKnowledgeRecordParameters = {
  outbox: KnowledgeRepository;
  /** The record; validated against its kind's schema. */
  record: unknown;
  /** On-chain id of an earlier record this one refers to (otherwise derived from the content, e.g. a model's parent). */
  refId?: number;
};

export type SubmitKnowledgeRecordReturnType = {
  record: OutboxRecord;
  /** false when the same content was queued before (nothing new was stored). */
  created: boolean;
};

/**
 * Validates a record and stores it in the outbox as `unpublished`, with the CID its
 * canonical JSON will have on IPFS (computed locally, so this works while IPFS is down).
 * The proposal keeper publishes it, proposes it and follows it to ratification.
 *
 * @throws {RecordValidationError} listing every problem with its field path.
 *
 * @example
 * import { submitKnowledgeRecord } from "./submitKnowledgeRecord.ts";
 * const { record } = await submitKnowledgeRecord({ outbox, record: incident });
 * console.log(record.cid, record.status); // "bafk…", "unpublished"
 */
export async function submitKnowledgeRecord({ outbox, record, refId = 0 }: SubmitKnowledgeRecordParameters): Promise<SubmitKnowledgeRecordReturnType> {
  const parsed: KnowledgeRecord = parseKnowledgeRecord(record);
  const content = canonicalJson(parsed);
  const cid = (await computeFileCid(new TextEncoder().encode(content))).toString();
  const { kind, schemaVersion, round } = registryFields(parsed);
  return outbox.insertRecord({ kind, schemaVersion, round, refId, summary: summarizeRecord(parsed), content, cid });
}
