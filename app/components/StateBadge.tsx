import type { ProposalStateName } from "../lib/proposalState.ts";

/** A proposal state as a coloured badge (the text says it; colour is not the only cue). */
export function StateBadge({ state }: { state: ProposalStateName }) {
  return <span className={`badge ${state}`} data-testid="state-badge">{state}</span>;
}
