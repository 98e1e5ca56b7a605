/**
 * Knowledge: records page by page (content verified against its CID), the keeper's
 * epochs with every record's leaf and Merkle proof, the audit, and the admin writes.
 *
 * - `GET /api/knowledge?kind=&status=&round=&epoch=&proposal=&offset=&limit=`
 * - `GET /api/knowledge/epochs?offset=&limit=`
 * - `GET /api/knowledge/epochs/:epoch?kind=&status=&offset=&limit=`
 * - `POST /api/knowledge/epochs/close` (admin)
 * - `GET /api/knowledge/audit`
 * - `GET /api/knowledge/:cid`
 * - `POST /api/knowledge` (admin): the record; 201 when queued, 200 when the same content was queued before
 */
import { z } from "zod";
import { KNOWLEDGE_KINDS, type KnowledgeKind } from "../../knowledge/schemas/common.ts";
import { hexSchema, noParametersBodySchema } from "./common.ts";

/** A record's lifecycle (`RecordStatus` of the outbox). */
export const RECORD_STATUSES = ["unpublished", "pending", "proposed", "ratified", "defeated", "revoked"] as const;
/** An epoch's lifecycle (`EpochStatus` of the outbox). */
export const EPOCH_STATUSES = ["proposing", "proposed", "queued", "ratified", "returned", "defeated"] as const;

const kinds = Object.keys(KNOWLEDGE_KINDS) as [KnowledgeKind, ...KnowledgeKind[]];
export const knowledgeKindSchema = z.enum(kinds);
export const recordStatusSchema = z.enum(RECORD_STATUSES);
export type RecordStatus = z.output<typeof recordStatusSchema>;
export const epochStatusSchema = z.enum(EPOCH_STATUSES);
export type EpochStatus = z.output<typeof epochStatusSchema>;
const proposalTypeSchema = z.enum(["routine", "full"]);
const isoDate = z.string();
const offset = z.coerce.number().int().min(0).default(0);
const limit = z.coerce.number().int().min(1).max(1000).default(100);

// --- requests ---

export const knowledgeListQuerySchema = z.strictObject({
  kind: knowledgeKindSchema.optional(),
  status: recordStatusSchema.optional(),
  round: z.coerce.number().int().min(0).optional(),
  epoch: z.coerce.number().int().min(1).optional(),
  proposal: z.string().regex(/^\d{1,78}$/, "must be a proposal id in decimal").optional(),
  offset,
  limit,
});
export type KnowledgeListQuery = z.input<typeof knowledgeListQuerySchema>;

export const epochListQuerySchema = z.strictObject({ offset, limit });
export type EpochListQuery = z.input<typeof epochListQuerySchema>;

export const epochParamsSchema = z.strictObject({
  epoch: z.coerce.number({ error: "must be an epoch number" }).int("must be an epoch number").min(1, "epochs start at 1"),
});
export const epochPageQuerySchema = z.strictObject({ kind: knowledgeKindSchema.optional(), status: recordStatusSchema.optional(), offset, limit });
export type EpochPageQuery = z.input<typeof epochPageQuerySchema>;

export const knowledgeRecordParamsSchema = z.strictObject({ cid: z.string().regex(/^b[a-z2-7]{50,}$/, "must be a CIDv1 in base32") });

/** `POST /api/knowledge/epochs/close` takes no parameters. */
export const closeEpochBodySchema = noParametersBodySchema;

/** `POST /api/knowledge`: a knowledge record of any kind, validated by the kind's own schema (`coordinator/knowledge/schemas/`). */
export const submitKnowledgeBodySchema = z.unknown();

// --- responses ---

export const knowledgeEntrySchema = z
  .object({
    cid: z.string(),
    kind: knowledgeKindSchema,
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
  })
  .meta({ id: "KnowledgeEntry" });
export type KnowledgeEntry = z.output<typeof knowledgeEntrySchema>;

export const knowledgeListSchema = z.object({ records: z.array(knowledgeEntrySchema), total: z.number(), offset: z.number(), limit: z.number() });
export type KnowledgeList = z.output<typeof knowledgeListSchema>;

export const recordEpochProofSchema = z.object({ epoch: z.number(), root: hexSchema, leaf: hexSchema, proof: z.array(hexSchema), ratified: z.boolean() });

export const knowledgeRecordSchema = knowledgeEntrySchema.extend({
  content: z.unknown(),
  /** The epoch the record is in with its leaf and Merkle proof against the root; null while pending. */
  epoch: recordEpochProofSchema.nullable(),
});
export type KnowledgeRecordResponse = z.output<typeof knowledgeRecordSchema>;

export const epochEntrySchema = z
  .object({
    epoch: z.number(),
    status: epochStatusSchema,
    /** Why it was returned or defeated: no-quorum, tie, expired, canceled, front-run, epoch-taken, voted-down, vetoed. */
    outcome: z.string().nullable(),
    proposalId: z.string(),
    proposalType: proposalTypeSchema,
    root: hexSchema,
    manifestCid: z.string(),
    counts: z.object(Object.fromEntries(kinds.map((kind) => [kind, z.number()])) as Record<KnowledgeKind, z.ZodNumber>),
    records: z.number(),
    headlines: z.array(z.string()),
    openedAt: isoDate,
    closedAt: isoDate,
    ratifiedAt: isoDate.nullable(),
  })
  .meta({ id: "EpochEntry" });
export type EpochEntry = z.output<typeof epochEntrySchema>;

export const epochListSchema = z.object({ epochs: z.array(epochEntrySchema), total: z.number() });
export type EpochList = z.output<typeof epochListSchema>;

export const epochRecordSchema = z.object({
  cid: z.string(),
  kind: knowledgeKindSchema,
  schemaVersion: z.number(),
  round: z.number(),
  refCid: z.string().nullable(),
  summary: z.string(),
  status: recordStatusSchema,
  headline: z.boolean(),
  recordId: z.number().nullable(),
  position: z.number(),
  leaf: hexSchema,
  proof: z.array(hexSchema),
});
export const epochPageSchema = z.object({ epoch: epochEntrySchema, records: z.array(epochRecordSchema), total: z.number(), offset: z.number(), limit: z.number() });
export type EpochPage = z.output<typeof epochPageSchema>;

export const closeEpochSchema = z.object({
  closed: z.object({ epoch: z.number(), proposalId: z.string(), proposalType: proposalTypeSchema, records: z.number() }).nullable(),
  /** Why no epoch was closed (nothing pending). */
  reason: z.string().nullable(),
});
export type CloseEpochResponse = z.output<typeof closeEpochSchema>;

export const knowledgeAuditSchema = z.object({
  counts: z.record(recordStatusSchema, z.number()),
  epochs: z.record(epochStatusSchema, z.number()),
  /** Records that are neither pending nor in an epoch that explains their state (expected: none). */
  unaccounted: z.array(
    z.object({ cid: z.string(), kind: knowledgeKindSchema, status: recordStatusSchema, epoch: z.number().nullable(), epochStatus: epochStatusSchema.nullable(), problem: z.string() }),
  ),
  ok: z.boolean(),
});
export type KnowledgeAuditResponse = z.output<typeof knowledgeAuditSchema>;

/** `POST /api/knowledge` → 201 queued, or 200 when the same content was queued before. */
export const submitKnowledgeSchema = z.object({
  created: z.boolean(),
  record: z.object({ cid: z.string(), status: recordStatusSchema, summary: z.string(), localId: z.number() }),
});
export type SubmitKnowledgeResponse = z.output<typeof submitKnowledgeSchema>;
