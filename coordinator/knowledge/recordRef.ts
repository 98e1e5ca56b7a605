/**
 * `KnowledgeRegistry` references. A record's `ref` is an earlier record's id, or, for a
 * record written by the same proposal (whose id nobody knows until it executes),
 * `(255 << 40) | k`: the k-th record (1-based) that proposal writes. The registry
 * stores the resolved id (see `IKnowledgeRegistry.RecordInput.ref`).
 */

const SEQUENCE = 2 ** 40;
const SAME_PROPOSAL_KIND = 255;

/** The `ref` naming the k-th record (1-based) written by the same proposal. */
export function sameProposalRef(position: number): number {
  return SAME_PROPOSAL_KIND * SEQUENCE + position;
}

/** The position a same-proposal `ref` names, or `null` for an ordinary record id (or 0). */
export function sameProposalPosition(ref: number): number | null {
  return Math.floor(ref / SEQUENCE) === SAME_PROPOSAL_KIND ? ref % SEQUENCE : null;
}
