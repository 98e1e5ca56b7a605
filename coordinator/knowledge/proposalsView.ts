/**
 * Governor proposals as operators see them: the index's record of each proposal
 * (description, votes with reasons) with its live state from the governor, its type
 * (routine or full vote, derived from its actions as the governor does), and, for the
 * keeper's own epochs, which epoch it ratifies.
 */
import type { ChainClient } from "../chain/createChainClient.ts";
import { toChainError } from "../chain/createChainClient.ts";
import { UnknownProposalError } from "../errors/governance.ts";
import type { ChainIndexRepository, IndexedProposal } from "../store/chainIndexRepository.ts";
import type { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import { ProposalState } from "./proposalKeeper.ts";
import { proposalTypeOf, type ProposalType } from "./proposalType.ts";

export const PROPOSAL_STATE_NAMES = Object.fromEntries(Object.entries(ProposalState).map(([name, value]) => [value, name])) as Record<number, keyof typeof ProposalState>;

export type ProposalEntry = {
  id: string;
  state: keyof typeof ProposalState;
  proposer: string;
  /** The description's first line, without markdown heading marks. */
  title: string;
  description: string;
  voteStart: number;
  voteEnd: number;
  eta: number | null;
  /** Decimal wei. */
  votes: { for: string; against: string; abstain: string };
  actions: number;
  /** Routine (only writes knowledge; passes unless vetoed) or full (needs the quorum vote). */
  proposalType: ProposalType;
  /** Present when this coordinator's keeper made the proposal: the epoch it ratifies. */
  epoch: { epoch: number; status: string; root: string; manifestCid: string; records: number; headlines: string[] } | null;
};

export type ProposalDetails = ProposalEntry & {
  voters: Array<{ voter: string; support: "against" | "for" | "abstain"; weight: string; reason: string }>;
  /** Votes needed (For + Abstain) at the proposal's snapshot, decimal wei. */
  quorum: string;
};

export type ProposalsViewSources = { index: ChainIndexRepository; outbox: KnowledgeRepository; chain: ChainClient };

const SUPPORT = ["against", "for", "abstain"] as const;

async function entryOf({ chain, outbox }: ProposalsViewSources, proposal: IndexedProposal): Promise<ProposalEntry> {
  const state = await chain.contracts.governor.read.state([proposal.id]);
  const epoch = outbox.getEpochByProposal(proposal.id);
  return {
    id: proposal.id.toString(),
    state: PROPOSAL_STATE_NAMES[state] ?? "Pending",
    proposer: proposal.proposer,
    title: proposal.description.split("\n")[0]!.replace(/^#+\s*/, "").slice(0, 200),
    description: proposal.description,
    voteStart: proposal.voteStart,
    voteEnd: proposal.voteEnd,
    eta: proposal.queuedEta,
    votes: { for: proposal.votes.for.toString(), against: proposal.votes.against.toString(), abstain: proposal.votes.abstain.toString() },
    actions: proposal.targets.length,
    proposalType: proposalTypeOf(
      proposal.targets.map((target, i) => ({ target, data: proposal.calldatas[i] ?? "0x" })),
      chain.addresses.registry,
    ),
    epoch: epoch
      ? {
          epoch: epoch.epoch,
          status: epoch.status,
          root: epoch.root,
          manifestCid: epoch.manifestCid,
          records: epoch.counts.reduce((sum, n) => sum + n, 0),
          headlines: (JSON.parse(epoch.manifest) as { headlines: string[] }).headlines,
        }
      : null,
  };
}

/** Newest first, with live states. @throws {ChainUnavailableError} when the chain is down. */
export async function listProposals(sources: ProposalsViewSources, { limit = 50 } = {}): Promise<ProposalEntry[]> {
  try {
    return await Promise.all(sources.index.listProposals({ limit }).map((proposal) => entryOf(sources, proposal)));
  } catch (error) {
    throw toChainError(error, sources.chain.rpcUrl);
  }
}

/**
 * One proposal with its voters and quorum.
 * @param id - decimal or 0x-hex proposal id.
 * @throws {UnknownProposalError} when the index does not know it.
 */
export async function getProposal(sources: ProposalsViewSources, id: string): Promise<ProposalDetails> {
  let proposalId: bigint;
  try {
    proposalId = BigInt(id);
  } catch {
    throw new UnknownProposalError({ proposalId: id });
  }
  const proposal = sources.index.getProposal(proposalId);
  if (!proposal) throw new UnknownProposalError({ proposalId: id });
  try {
    const entry = await entryOf(sources, proposal);
    const snapshot = await sources.chain.contracts.governor.read.proposalSnapshot([proposalId]);
    const { timestamp } = await sources.chain.publicClient.getBlock();
    const quorum = await sources.chain.contracts.governor.read.quorum([snapshot < timestamp ? snapshot : timestamp - 1n]);
    return {
      ...entry,
      quorum: quorum.toString(),
      voters: sources.index.votesOf(proposalId).map((vote) => ({
        voter: vote.voter,
        support: SUPPORT[vote.support] ?? "abstain",
        weight: vote.weight.toString(),
        reason: vote.reason,
      })),
    };
  } catch (error) {
    throw toChainError(error, sources.chain.rpcUrl);
  }
}
