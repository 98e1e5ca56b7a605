/**
 * Building blocks shared by the knowledge record schemas.
 */
import { CID } from "multiformats/cid";
import { z } from "zod";

/**
 * Record kinds and their on-chain numbers (`IKnowledgeRegistry.Kind`): the enum's
 * indexes, so the order here must never change.
 */
export const KNOWLEDGE_KINDS = {
  Model: 0,
  Incident: 1,
  ChaosReport: 2,
  MapekSnapshot: 3,
  Directive: 4,
} as const;

export type KnowledgeKind = keyof typeof KNOWLEDGE_KINDS;

/** The registry's `uint32` round/epoch field. */
export const UINT32_MAX = 4_294_967_295;

/**
 * A CIDv1 in base32 (`bafy…`, `bafk…`): the one string form Synod writes, so equal
 * content has equal strings. Parsed, not just pattern-matched.
 */
export const cidSchema = z
  .string()
  // abort: a string that is not even base32 gets one issue, not a second "invalid CID".
  .regex(/^b[a-z2-7]{50,}$/, { message: "must be a CIDv1 in base32 (bafy…/bafk…)", abort: true })
  .refine((value) => {
    try {
      const cid = CID.parse(value);
      return cid.version === 1 && cid.toString() === value;
    } catch {
      return false;
    }
  }, "is not a valid CIDv1")
  .meta({ description: "CIDv1, base32 (multibase prefix b)" });

/** A mesh node id as the coordinator names nodes. */
export const nodeIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must be 1–128 characters of A–Z a–z 0–9 . _ : -")
  .meta({ description: "mesh node id" });

/** A kebab-case name (`node-failure`, `network-partition`, `restart`), as Chaos Mesh writes kinds. */
export const kebabNameSchema = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, "must be kebab-case");

/** ISO 8601 date-time with offset, e.g. `2026-11-27T02:49:36.123Z`. */
export const dateTimeSchema = z.iso.datetime({ offset: true });

export const finiteNumber = z.number().refine(Number.isFinite, "must be finite");
export const nonNegative = z.number().nonnegative();
export const count = z.number().int().nonnegative();
export const durationMs = z.number().int().nonnegative().meta({ description: "milliseconds" });
export const probability = z.number().min(0).max(1);
export const roundSchema = z.number().int().min(0).max(UINT32_MAX).meta({
  description: "FL round or MAPE-K epoch the record belongs to (the registry's uint32 round)",
});

/** Fields every record carries. */
export function recordBase<K extends KnowledgeKind, V extends number>(kind: K, schemaVersion: V) {
  return {
    kind: z.literal(kind),
    schemaVersion: z.literal(schemaVersion),
    round: roundSchema,
    createdAt: dateTimeSchema.meta({ description: "when the coordinator produced the record" }),
  };
}

/** Adds an issue at `path` (zod's ctx helper, typed for superRefine callbacks). */
export type RefineContext = z.core.$RefinementCtx<unknown>;
export function addIssue(ctx: RefineContext, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: "custom", path, message });
}
