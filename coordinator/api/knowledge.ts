/**
 * Knowledge over HTTP: page through records (content verified against its CID), the
 * keeper's epochs with every record's leaf and Merkle proof, the audit, and, with the
 * admin token, queue a new record or close the open epoch now.
 *
 * - `GET /api/knowledge?kind=&status=&round=&epoch=&proposal=&offset=&limit=`
 * - `GET /api/knowledge/epochs?offset=&limit=`
 * - `GET /api/knowledge/epochs/:epoch?kind=&status=&offset=&limit=` (404 for an epoch the keeper never built)
 * - `POST /api/knowledge/epochs/close` (admin): close the open epoch now
 * - `GET /api/knowledge/audit`
 * - `GET /api/knowledge/:cid`
 * - `POST /api/knowledge` (admin): body is the record; 201 when queued, 200 when the same content was queued before.
 *
 * The response schemas below are the single source of these routes' types (the CLI,
 * the bot and the dApp import them).
 */
import type { Hex } from "viem";
import { z } from "zod";
import { RequestValidationError } from "../errors/api.ts";
import { RecordValidationError } from "../errors/knowledge.ts";
import type { EventBus } from "../events.ts";
import type { ContentStore } from "../ipfs/contentStore.ts";
import { auditKnowledge, getEpochPage, listEpochs } from "../knowledge/epochsView.ts";
import { getKnowledge, listKnowledge } from "../knowledge/knowledgeView.ts";
import type { CloseEpochReturnType } from "../knowledge/proposalKeeper.ts";
import { KNOWLEDGE_KINDS, type KnowledgeKind } from "../knowledge/schemas/index.ts";
import { submitKnowledgeRecord } from "../knowledge/submitKnowledgeRecord.ts";
import type { ChainIndexRepository } from "../store/chainIndexRepository.ts";
import { EPOCH_STATUSES, RECORD_STATUSES, type KnowledgeRepository } from "../store/knowledgeRepository.ts";
import type { ApiPlugin } from "./types.ts";

const kinds = Object.keys(KNOWLEDGE_KINDS) as [KnowledgeKind, ...KnowledgeKind[]];
const kindSchema = z.enum(kinds);
const recordStatusSchema = z.enum(RECORD_STATUSES);
const hex = z.custom<Hex>((value) => typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value), "must be 0x-prefixed hex");
const isoDate = z.string();
const offset = z.coerce.number().int().min(0).default(0);
const limit = z.coerce.number().int().min(1).max(1000).default(100);

export const knowledgeEntrySchema = z.object({
  cid: z.string(),
  kind: kindSchema,
  round: z.number(),
  schemaVersion: z.number(),
  status: recordStatusSchema,
  summary: z.string().nullable(),
  /** Stored registry id (`kind << 40 | sequence`): headline and promoted records. */
  recordId: z.number().nullable(),
  /** The epoch the record is in, or null while unpublished or pending. */
  epoch: z.number().nullable(),
  proposalId: z.string().nullable(),
  refId: z.number(),
  /**
   * The CID of the record this one builds on as its content names it (a Model's
   * `parentModelCid`), else null: the leaf's `refCid`, so a reader can rebuild the leaf
   * without fetching the content. (A chain record whose content this coordinator does not
   * hold lists the CID of the stored record its `refId` names.)
   */
  refCid: z.string().nullable(),
});
export type KnowledgeEntry = z.infer<typeof knowledgeEntrySchema>;

export const knowledgeListSchema = z.object({ records: z.array(knowledgeEntrySchema), total: z.number(), offset: z.number(), limit: z.number() });
export type KnowledgeList = z.infer<typeof knowledgeListSchema>;

export const recordEpochProofSchema = z.object({ epoch: z.number(), root: hex, leaf: hex, proof: z.array(hex), ratified: z.boolean() });

export const knowledgeRecordSchema = knowledgeEntrySchema.extend({
  content: z.unknown(),
  /** The epoch the record is in with its leaf and Merkle proof against the root; null while pending. */
  epoch: recordEpochProofSchema.nullable(),
});
export type KnowledgeRecordResponse = z.infer<typeof knowledgeRecordSchema>;

export const epochEntrySchema = z.object({
  epoch: z.number(),
  status: z.enum(EPOCH_STATUSES),
  /** Why it was returned or defeated: no-quorum, tie, expired, canceled, front-run, epoch-taken, voted-down, vetoed. */
  outcome: z.string().nullable(),
  proposalId: z.string(),
  proposalType: z.enum(["routine", "full"]),
  root: hex,
  manifestCid: z.string(),
  counts: z.object(Object.fromEntries(kinds.map((kind) => [kind, z.number()])) as Record<KnowledgeKind, z.ZodNumber>),
  records: z.number(),
  headlines: z.array(z.string()),
  openedAt: isoDate,
  closedAt: isoDate,
  ratifiedAt: isoDate.nullable(),
});
export type EpochEntry = z.infer<typeof epochEntrySchema>;

export const epochListSchema = z.object({ epochs: z.array(epochEntrySchema), total: z.number() });
export type EpochList = z.infer<typeof epochListSchema>;

export const epochRecordSchema = z.object({
  cid: z.string(),
  kind: kindSchema,
  schemaVersion: z.number(),
  round: z.number(),
  refCid: z.string().nullable(),
  summary: z.string(),
  status: recordStatusSchema,
  headline: z.boolean(),
  recordId: z.number().nullable(),
  position: z.number(),
  leaf: hex,
  proof: z.array(hex),
});
export const epochPageSchema = z.object({ epoch: epochEntrySchema, records: z.array(epochRecordSchema), total: z.number(), offset: z.number(), limit: z.number() });
export type EpochPage = z.infer<typeof epochPageSchema>;

export const closeEpochSchema = z.object({
  closed: z.object({ epoch: z.number(), proposalId: z.string(), proposalType: z.enum(["routine", "full"]), records: z.number() }).nullable(),
  /** Why no epoch was closed (nothing pending). */
  reason: z.string().nullable(),
});
export type CloseEpochResponse = z.infer<typeof closeEpochSchema>;

export const knowledgeAuditSchema = z.object({
  counts: z.record(recordStatusSchema, z.number()),
  epochs: z.record(z.enum(EPOCH_STATUSES), z.number()),
  /** Records that are neither pending nor in an epoch that explains their state (expected: none). */
  unaccounted: z.array(
    z.object({ cid: z.string(), kind: kindSchema, status: recordStatusSchema, epoch: z.number().nullable(), epochStatus: z.enum(EPOCH_STATUSES).nullable(), problem: z.string() }),
  ),
  ok: z.boolean(),
});
export type KnowledgeAuditResponse = z.infer<typeof knowledgeAuditSchema>;

export type KnowledgeRoutesParameters = {
  outbox: KnowledgeRepository;
  index: ChainIndexRepository;
  content: ContentStore;
  events?: EventBus;
  /** Closes the open epoch now (the keeper's `closeEpoch`); throws `ChainUnavailableError` before the chain connects. */
  closeEpoch?: () => Promise<CloseEpochReturnType>;
  /** Called after a record is queued (e.g. to wake the keeper). */
  onSubmitted?: () => void;
};

export function knowledgeRoutes({ outbox, index, content, closeEpoch, onSubmitted }: KnowledgeRoutesParameters): ApiPlugin {
  return async (app) => {
    app.get(
      "/api/knowledge",
      {
        schema: {
          querystring: z.strictObject({
            kind: kindSchema.optional(),
            status: recordStatusSchema.optional(),
            round: z.coerce.number().int().min(0).optional(),
            epoch: z.coerce.number().int().min(1).optional(),
            proposal: z.string().regex(/^\d{1,78}$/, "must be a proposal id in decimal").optional(),
            offset,
            limit,
          }),
          response: { 200: knowledgeListSchema },
        },
      },
      async (request) => ({ ...listKnowledge({ outbox, index }, request.query), offset: request.query.offset, limit: request.query.limit }),
    );

    app.get(
      "/api/knowledge/epochs",
      { schema: { querystring: z.strictObject({ offset, limit }), response: { 200: epochListSchema } } },
      async (request) => listEpochs(outbox, request.query),
    );

    app.get(
      "/api/knowledge/epochs/:epoch",
      {
        schema: {
          params: z.strictObject({ epoch: z.coerce.number({ error: "must be an epoch number" }).int("must be an epoch number").min(1, "epochs start at 1") }),
          querystring: z.strictObject({ kind: kindSchema.optional(), status: recordStatusSchema.optional(), offset, limit }),
          response: { 200: epochPageSchema },
        },
      },
      async (request) => getEpochPage(outbox, request.params.epoch, request.query),
    );

    app.post("/api/knowledge/epochs/close", { schema: { response: { 200: closeEpochSchema } } }, async () => {
      if (!closeEpoch) throw new Error("this coordinator runs no keeper");
      const { closed, reason } = await closeEpoch();
      return { closed: closed && { ...closed, proposalId: closed.proposalId.toString() }, reason };
    });

    app.get("/api/knowledge/audit", { schema: { response: { 200: knowledgeAuditSchema } } }, async () => auditKnowledge(outbox));

    app.get(
      "/api/knowledge/:cid",
      { schema: { params: z.strictObject({ cid: z.string().regex(/^b[a-z2-7]{50,}$/, "must be a CIDv1 in base32") }), response: { 200: knowledgeRecordSchema } } },
      async (request) => getKnowledge({ outbox, index, content }, request.params.cid),
    );

    app.post("/api/knowledge", { schema: { body: z.unknown() } }, async (request, reply) => {
      try {
        const { record, created } = await submitKnowledgeRecord({ outbox, record: request.body });
        if (created) onSubmitted?.();
        reply.code(created ? 201 : 200);
        return { created, record: { cid: record.cid, status: record.status, summary: record.summary, localId: record.localId } };
      } catch (error) {
        if (error instanceof RecordValidationError) throw new RequestValidationError({ part: "body", issues: error.issues });
        throw error;
      }
    });
  };
}
