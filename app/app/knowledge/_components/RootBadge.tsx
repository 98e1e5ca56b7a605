import type { EpochRecordStatus } from "../../../lib/verifyEpochRecord.ts";

/** Where the check of a record's leaf against the on-chain root stands. */
export type RootCheck = EpochRecordStatus | "checking" | "no-epoch";

/** "✓ in epoch root" only when the browser rebuilt the leaf and the proof led to the root the registry stores. */
export function RootBadge({ check, epoch }: { check: RootCheck; epoch: number | null }) {
  switch (check) {
    case "in-root":
      return (
        <span className="badge in-root" data-testid="root-check" title={`The record's leaf and its Merkle proof lead to epoch ${epoch}'s root stored on chain`}>
          ✓ in epoch root
        </span>
      );
    case "not-in-root":
      return (
        <span className="badge not-in-root" data-testid="root-check" title={`This record, as listed, is not in epoch ${epoch}'s ratified root`}>
          ✗ not in root
        </span>
      );
    case "invalid":
      return (
        <span className="badge not-in-root" data-testid="root-check" title="The listed fields cannot form a leaf (malformed CID or kind)">
          ✗ not in root (malformed)
        </span>
      );
    case "unratified":
      return (
        <span className="badge pending-check" data-testid="root-check" title={`The chain holds no root for epoch ${epoch} yet`}>
          epoch not ratified on chain
        </span>
      );
    case "no-epoch":
      return (
        <span className="badge pending-check" data-testid="root-check" title="The record is in no epoch yet">
          in no epoch yet
        </span>
      );
    case "checking":
      return (
        <span className="badge pending-check" data-testid="root-check">
          checking root…
        </span>
      );
  }
}
