/** OpenZeppelin Governor's `ProposalState`, by index. */
export const PROPOSAL_STATES = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
] as const;

export type ProposalStateName = (typeof PROPOSAL_STATES)[number];

/** The state's name for an on-chain index; throws on an index the Governor never returns. */
export function proposalStateName(index: number): ProposalStateName {
  const name = PROPOSAL_STATES[index];
  if (name === undefined) throw new RangeError(`unknown proposal state ${index}`);
  return name;
}

/** The list's filters. `needs-my-vote` is an active proposal the connected account has not voted on. */
export const PROPOSAL_FILTERS = ["all", "active", "needs-my-vote", "succeeded", "queued", "executed", "defeated"] as const;
export type ProposalFilter = (typeof PROPOSAL_FILTERS)[number];

export type FilterableProposal = {
  state: ProposalStateName;
  /** Whether the connected account voted; `undefined` when no account is connected. */
  hasVoted: boolean | undefined;
  /** Searchable text: title, description, decoded actions, id. */
  text: string;
};

/** Whether a proposal passes the filter and contains every word of the search query. */
export function matchesProposal(proposal: FilterableProposal, filter: ProposalFilter, query: string): boolean {
  const stateOk = (() => {
    switch (filter) {
      case "all":
        return true;
      case "active":
        return proposal.state === "Active";
      case "needs-my-vote":
        return proposal.state === "Active" && proposal.hasVoted === false;
      case "succeeded":
        return proposal.state === "Succeeded";
      case "queued":
        return proposal.state === "Queued";
      case "executed":
        return proposal.state === "Executed";
      case "defeated":
        return proposal.state === "Defeated";
    }
  })();
  if (!stateOk) return false;
  const haystack = proposal.text.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/** The title of a proposal description: its first Markdown heading or first line. */
export function proposalTitle(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const line = description.split("\n").find((l) => l.trim() !== "");
  if (!line) return undefined;
  return line.replace(/^#+\s*/, "").trim().slice(0, 200);
}
