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

/** `GovernorProposalTypes.ProposalType`, by index: how a proposal is decided. */
export const PROPOSAL_TYPES = ["FullVote", "Routine"] as const;

/**
 * - `FullVote`: For must beat Against with quorum (For + Abstain) reached.
 * - `Routine`: only writes knowledge; passes unless Against reaches the veto threshold.
 */
export type ProposalTypeName = (typeof PROPOSAL_TYPES)[number];

/** The type's name for `proposalType(id)`; throws on an index the Governor never returns. */
export function proposalTypeName(index: number): ProposalTypeName {
  const name = PROPOSAL_TYPES[index];
  if (name === undefined) throw new RangeError(`unknown proposal type ${index}`);
  return name;
}

/** The label people read: "Routine" or "Full vote". */
export function proposalTypeLabel(type: ProposalTypeName): string {
  return type === "Routine" ? "Routine" : "Full vote";
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

export type EffectiveStateParameters = {
  /** `state()` as the chain answers it at its latest block. */
  state: ProposalStateName;
  snapshot: bigint;
  deadline: bigint;
  votes: { for: bigint; against: bigint; abstain: bigint };
  quorum: bigint;
  /** The time the next block will carry: the later of the latest block's time and the wall clock. */
  now: bigint;
  /** How the Governor decides it (`proposalType(id)`); FullVote when not given. */
  type?: ProposalTypeName;
  /** Against votes that veto a routine proposal (`vetoThreshold(snapshot)`). */
  vetoThreshold?: bigint;
};

/**
 * The state the proposal is in for the next transaction. A Governor on a timestamp
 * clock evaluates `state()` at the latest block; on a chain that mines only when there
 * are transactions (a local node) that block can be older than the snapshot or the
 * deadline, so the chain still says Pending when a vote would already count, or Active
 * when voting is over. This applies the Governor's own rules to the time of the next
 * block: voting opens after the snapshot, and once the deadline has passed a full-vote
 * proposal succeeded if quorum was reached (For + Abstain) and For beat Against, a
 * routine one unless Against reached the veto threshold (`GovernorProposalTypes`).
 *
 * @example
 * effectiveProposalState({ state: "Pending", snapshot: 100n, deadline: 220n, votes, quorum, now: 150n }); // "Active"
 */
export function effectiveProposalState({ state, snapshot, deadline, votes, quorum, now, type = "FullVote", vetoThreshold }: EffectiveStateParameters): ProposalStateName {
  if (state === "Pending" && now > snapshot) state = "Active";
  if (state === "Active" && now > deadline) {
    if (type === "Routine") return vetoThreshold !== undefined && votes.against >= vetoThreshold ? "Defeated" : "Succeeded";
    const quorumReached = quorum <= votes.for + votes.abstain;
    return quorumReached && votes.for > votes.against ? "Succeeded" : "Defeated";
  }
  return state;
}
