/** KnowledgeRegistry's record kinds and ids (`kind << 40 | sequence`). */

export const KNOWLEDGE_KINDS = ["Model", "Incident", "ChaosReport", "MapekSnapshot", "Directive"] as const;
export type KnowledgeKind = (typeof KNOWLEDGE_KINDS)[number];

/** Human labels, plural, for the browser's tabs. */
export const KNOWLEDGE_KIND_LABELS: Record<KnowledgeKind, string> = {
  Model: "Models",
  Incident: "Incidents",
  ChaosReport: "Chaos reports",
  MapekSnapshot: "MAPE-K snapshots",
  Directive: "Directives",
};

const SEQUENCE_BITS = 40n;
const SEQUENCE_MASK = (1n << SEQUENCE_BITS) - 1n;

/** The kind's name for an on-chain index; throws on anything else. */
export function knowledgeKindName(index: number): KnowledgeKind {
  const name = KNOWLEDGE_KINDS[index];
  if (name === undefined) throw new RangeError(`unknown knowledge kind ${index}`);
  return name;
}

/** Splits a record id into its kind and its sequence number within the kind. */
export function parseRecordId(id: number | bigint): { kind: KnowledgeKind; sequence: bigint } {
  const value = BigInt(id);
  if (value <= 0n) throw new RangeError(`record id ${value} is not a record`);
  return { kind: knowledgeKindName(Number(value >> SEQUENCE_BITS)), sequence: value & SEQUENCE_MASK };
}

/** The record id of `sequence` within `kind`. */
export function recordId(kind: KnowledgeKind, sequence: bigint): bigint {
  return (BigInt(KNOWLEDGE_KINDS.indexOf(kind)) << SEQUENCE_BITS) | sequence;
}

/** `Model #3` for a record id; `none` for 0. */
export function formatRecordId(id: number | bigint): string {
  if (BigInt(id) === 0n) return "none";
  const { kind, sequence } = parseRecordId(id);
  return `${kind} #${sequence}`;
}
