/**
 * The epoch manifest, v1: every record a knowledge epoch ratifies, in the order of the
 * Merkle tree's values, with what each leaf commits to. Published to IPFS as canonical
 * JSON like every record; its CID goes on chain with the root (`recordEpoch`).
 * Verified on read: bytes against the CID, this schema, and the root recomputed from
 * `records` (`readEpochManifest.ts`).
 */
import { z } from "zod";
import { addIssue, cidSchema, count, dateTimeSchema, KNOWLEDGE_KINDS, roundSchema, type KnowledgeKind } from "./common.ts";

/** `StandardMerkleTree` leaf encoding: epoch, kind, schemaVersion, round, cid, refCid. */
export const LEAF_ENCODING = ["uint64", "uint8", "uint16", "uint32", "bytes", "bytes"] as const;

const KINDS = Object.keys(KNOWLEDGE_KINDS) as [KnowledgeKind, ...KnowledgeKind[]];

export const epochManifestRecordSchema = z.strictObject({
  cid: cidSchema,
  /** On-chain kind number (`IKnowledgeRegistry.Kind`). */
  kind: z.number().int().min(0).max(KINDS.length - 1),
  schemaVersion: z.number().int().min(1).max(65_535),
  round: roundSchema,
  /** The earlier record this one builds on as its content names it (a model's parent), or null. */
  refCid: cidSchema.nullable(),
  /** One line for people (not part of the leaf). */
  summary: z.string().max(500),
});

export const epochManifestV1Schema = z
  .strictObject({
    kind: z.literal("EpochManifest"),
    schemaVersion: z.literal(1),
    /** Assigned by the keeper: 1, 2, 3, … */
    epoch: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    chainId: z.number().int().positive(),
    /** The KnowledgeRegistry the root is proposed to. */
    registry: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address"),
    openedAt: dateTimeSchema,
    closedAt: dateTimeSchema,
    leafEncoding: z.tuple([z.literal("uint64"), z.literal("uint8"), z.literal("uint16"), z.literal("uint32"), z.literal("bytes"), z.literal("bytes")]),
    /** `StandardMerkleTree` root over `records`. */
    root: z.string().regex(/^0x[0-9a-f]{64}$/, "must be 32 bytes of lower-case hex"),
    counts: z.strictObject(Object.fromEntries(KINDS.map((kind) => [kind, count])) as Record<KnowledgeKind, typeof count>),
    /** Records the proposal also names one by one (released model, directives, chaos reports). */
    headlines: z.array(cidSchema),
    records: z.array(epochManifestRecordSchema).min(1),
  })
  .superRefine((manifest, ctx) => {
    if (Date.parse(manifest.closedAt) < Date.parse(manifest.openedAt)) addIssue(ctx, ["closedAt"], "is before openedAt");
    const seen = new Set<string>();
    manifest.records.forEach((record, index) => {
      if (seen.has(record.cid)) addIssue(ctx, ["records", index, "cid"], "appears twice");
      seen.add(record.cid);
    });
    for (const kind of KINDS) {
      const actual = manifest.records.filter((record) => record.kind === KNOWLEDGE_KINDS[kind]).length;
      if (manifest.counts[kind] !== actual) addIssue(ctx, ["counts", kind], `is ${manifest.counts[kind]} but records hold ${actual}`);
    }
    manifest.headlines.forEach((cid, index) => {
      if (!seen.has(cid)) addIssue(ctx, ["headlines", index], "is not among the records");
    });
  });

export type EpochManifestV1 = z.infer<typeof epochManifestV1Schema>;
export type EpochManifestRecord = z.infer<typeof epochManifestRecordSchema>;

/** The manifest's JSON Schema (draft 2020-12), as `schemas/epochManifest.v1.json` holds it. */
export function epochManifestJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://synod.local/schemas/epochManifest.v1.json",
    title: "Synod knowledge epoch manifest, schema version 1",
    description:
      "Every record a knowledge epoch ratifies, in the order of the StandardMerkleTree's values (leaf: epoch, kind, schemaVersion, round, cid, refCid). Readers verify the bytes against the CID and recompute the root from records; counts, uniqueness and headlines are checked by the coordinator's zod schema.",
    ...(z.toJSONSchema(epochManifestV1Schema, { target: "draft-2020-12", io: "output" }) as Record<string, unknown>),
  };
}
