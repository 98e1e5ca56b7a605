/**
 * Knowledge record schemas: one zod schema per kind and version, the union the
 * coordinator validates against, and the on-chain numbers of each kind. JSON Schema
 * copies live in `schemas/*.json` (`npx tsx scripts/export-schemas.ts`).
 */
import { z } from "zod";
import { RecordValidationError, type RecordIssue } from "../../errors/knowledge.ts";
import { chaosReportRecordV1Schema, type ChaosReportRecordV1 } from "./chaosReport.ts";
import { KNOWLEDGE_KINDS, type KnowledgeKind } from "./common.ts";
import { directiveRecordV1Schema, type DirectiveRecordV1 } from "./directive.ts";
import { incidentRecordV1Schema, type IncidentRecordV1 } from "./incident.ts";
import { mapekSnapshotRecordV1Schema, mapekSnapshotRecordV2Schema, type MapekSnapshotRecordV1, type MapekSnapshotRecordV2 } from "./mapekSnapshot.ts";
import { modelRecordV1Schema, type ModelRecordV1 } from "./model.ts";

export { KNOWLEDGE_KINDS, type KnowledgeKind, cidSchema, nodeIdSchema } from "./common.ts";
export { MAPEK_STATES, mapekStateSchema, type MapekState } from "./mapekSnapshot.ts";
export { directiveActionSchema, type DirectiveAction } from "./directive.ts";
export {
  chaosReportRecordV1Schema,
  directiveRecordV1Schema,
  incidentRecordV1Schema,
  mapekSnapshotRecordV1Schema,
  mapekSnapshotRecordV2Schema,
  modelRecordV1Schema,
  type ChaosReportRecordV1,
  type DirectiveRecordV1,
  type IncidentRecordV1,
  type MapekSnapshotRecordV1,
  type MapekSnapshotRecordV2,
  type ModelRecordV1,
};

/**
 * Every schema by kind and version. A new version is added beside the old one (never
 * edited in place): records already on IPFS and on chain keep validating.
 */
export const KNOWLEDGE_RECORD_SCHEMAS = {
  Model: { 1: modelRecordV1Schema },
  Incident: { 1: incidentRecordV1Schema },
  ChaosReport: { 1: chaosReportRecordV1Schema },
  MapekSnapshot: { 1: mapekSnapshotRecordV1Schema, 2: mapekSnapshotRecordV2Schema },
  Directive: { 1: directiveRecordV1Schema },
} as const;

/** The latest version of each kind, what the coordinator writes. */
export const LATEST_SCHEMA_VERSION = {
  Model: 1,
  Incident: 1,
  ChaosReport: 1,
  MapekSnapshot: 2,
  Directive: 1,
} as const satisfies Record<KnowledgeKind, number>;

/** Any knowledge record, any known version. */
export type KnowledgeRecord =
  | ModelRecordV1
  | IncidentRecordV1
  | ChaosReportRecordV1
  | MapekSnapshotRecordV1
  | MapekSnapshotRecordV2
  | DirectiveRecordV1;

/** Result of {@link validateKnowledgeRecord}. */
export type ValidateKnowledgeRecordReturnType =
  | { success: true; record: KnowledgeRecord }
  | { success: false; kind: string | undefined; issues: RecordIssue[] };

/**
 * Validates a value as a knowledge record: picks the schema from `kind` and
 * `schemaVersion`, then reports every problem with its field path.
 *
 * @param value - parsed JSON (e.g. from `store.getJson(cid)`) or a record being built.
 * @returns the typed record, or every issue found.
 *
 * @example
 * import { validateKnowledgeRecord } from "./index.ts";
 * const result = validateKnowledgeRecord(await store.getJson(cid));
 * if (!result.success) console.log(result.issues); // [{ path: "evaluation.holdoutAccuracy", message: "…" }]
 */
export function validateKnowledgeRecord(value: unknown): ValidateKnowledgeRecordReturnType {
  const head = z.looseObject({ kind: z.string(), schemaVersion: z.number() }).safeParse(value);
  if (!head.success) return { success: false, kind: undefined, issues: toIssues(head.error) };
  const { kind, schemaVersion } = head.data;
  if (!(kind in KNOWLEDGE_RECORD_SCHEMAS)) {
    return {
      success: false,
      kind,
      issues: [{ path: "kind", message: `unknown kind "${kind}"; expected one of ${Object.keys(KNOWLEDGE_KINDS).join(", ")}` }],
    };
  }
  const versions: Record<number, z.ZodType<KnowledgeRecord>> = KNOWLEDGE_RECORD_SCHEMAS[kind as KnowledgeKind];
  const schema = versions[schemaVersion];
  if (!schema) {
    return {
      success: false,
      kind,
      issues: [{ path: "schemaVersion", message: `${kind} has no schema version ${schemaVersion}; known: ${Object.keys(versions).join(", ")}` }],
    };
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? { success: true, record: parsed.data } : { success: false, kind, issues: toIssues(parsed.error) };
}

/**
 * Like {@link validateKnowledgeRecord}, but throws.
 *
 * @throws {RecordValidationError} listing every issue with its path.
 */
export function parseKnowledgeRecord(value: unknown): KnowledgeRecord {
  const result = validateKnowledgeRecord(value);
  if (!result.success) throw new RecordValidationError({ kind: result.kind, issues: result.issues });
  return result.record;
}

/**
 * What the KnowledgeRegistry stores for a record besides its CID.
 *
 * @returns `kind` as the registry's enum index, `schemaVersion` (uint16) and `round` (uint32).
 */
export function registryFields(record: KnowledgeRecord): { kind: number; schemaVersion: number; round: number } {
  return { kind: KNOWLEDGE_KINDS[record.kind], schemaVersion: record.schemaVersion, round: record.round };
}

/** The kind's name for an on-chain kind number, or `undefined`. */
export function kindName(kindId: number): KnowledgeKind | undefined {
  return (Object.keys(KNOWLEDGE_KINDS) as KnowledgeKind[]).find((name) => KNOWLEDGE_KINDS[name] === kindId);
}

/**
 * JSON Schemas (draft 2020-12) of every kind and version, keyed `model.v1` etc.
 * Cross-field rules (sums, time order) are zod refinements and are not expressible
 * here; the schemas say so in their description.
 */
export function knowledgeJsonSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [kind, versions] of Object.entries(KNOWLEDGE_RECORD_SCHEMAS)) {
    for (const [version, schema] of Object.entries(versions as Record<string, z.ZodType>)) {
      const id = `${kind.charAt(0).toLowerCase()}${kind.slice(1)}.v${version}`;
      const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "output" }) as Record<string, unknown>;
      out[id] = {
        $id: `https://synod.local/schemas/${id}.json`,
        title: `Synod ${kind} record, schema version ${version}`,
        description: `Kind ${kind} (on-chain kind ${KNOWLEDGE_KINDS[kind as KnowledgeKind]}). Cross-field rules (sums, time order, uniqueness) are enforced by the coordinator's zod schema and are not expressible in JSON Schema.`,
        ...json,
      };
    }
  }
  return out;
}

function toIssues(error: z.ZodError): RecordIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => {
    if (typeof segment === "number") return `${out}[${segment}]`;
    return out ? `${out}.${String(segment)}` : String(segment);
  }, "");
}
