import { proposalTypeLabel, type ProposalTypeName } from "../lib/proposalState.ts";

const TITLES: Record<ProposalTypeName, string> = {
  Routine: "Only writes knowledge: passes unless Against votes reach the veto threshold; no quorum needed",
  FullVote: "Changes more than knowledge: needs quorum and more For than Against",
};

/** Routine / Full vote, as the Governor derived it from the actions (`proposalType`). */
export function ProposalTypeBadge({ type }: { type: ProposalTypeName }) {
  return (
    <span className={`badge type-${type}`} data-testid="proposal-type" title={TITLES[type]}>
      {proposalTypeLabel(type)}
    </span>
  );
}
