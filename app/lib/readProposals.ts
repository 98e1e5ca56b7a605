/**
 * Governance reads, batched: the calls of one read go into as few multicalls as their
 * return data allows (deployless on chains without Multicall3, where one multicall can
 * return at most 24 KiB: see `chunkedMulticall.ts`). Proposals are enumerated on chain with
 * GovernorStorage (`proposalCount`, `proposalDetailsAt`); no event scan is needed to
 * list them.
 */
import { keccak256, toHex, type Address, type Hex, type PublicClient } from "viem";
import { chunkedMulticall } from "./chunkedMulticall.ts";
import type { SynodContracts } from "./contracts.ts";
import { effectiveProposalState, proposalStateName, proposalTypeName, type ProposalStateName, type ProposalTypeName } from "./proposalState.ts";

export type ProposalVotes = { against: bigint; for: bigint; abstain: bigint };

export type ProposalSummary = {
  id: bigint;
  index: number;
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  descriptionHash: Hex;
  /** The state for the next transaction (see `effectiveProposalState`). */
  state: ProposalStateName;
  /** `state()` at the chain's latest block. */
  chainState: ProposalStateName;
  votes: ProposalVotes;
  /** Timestamps (the token's clock is ERC-6372 timestamp). */
  snapshot: bigint;
  deadline: bigint;
  eta: bigint;
  proposer: Address;
  /** Votes needed at the snapshot (a full-vote proposal's quorum). */
  quorum: bigint;
  /** How the Governor decides it (`proposalType(id)`, fixed from its actions when proposed). */
  type: ProposalTypeName;
  /** Against votes that veto it if routine (`vetoThreshold(snapshot)`). */
  vetoThreshold: bigint;
  /** Whether `account` voted; `undefined` without an account. */
  hasVoted: boolean | undefined;
};

export type ReadProposalsParameters = {
  client: PublicClient;
  contracts: SynodContracts;
  account?: Address | undefined;
  /** Only the newest `limit` proposals (newest first). */
  limit?: number;
};

/**
 * Reads every proposal (newest first) with its state, tallies, times and quorum: three
 * rounds of multicalls, each cut into chunks by the size of what the calls return.
 */
export async function readProposals({ client, contracts, account, limit = 200 }: ReadProposalsParameters): Promise<ProposalSummary[]> {
  const governor = contracts.MeshGovernor;
  const count = Number(await client.readContract({ ...governor, functionName: "proposalCount" }));
  const indexes = Array.from({ length: Math.min(count, limit) }, (_, i) => count - 1 - i);
  if (indexes.length === 0) return [];
  const details = (await chunkedMulticall(
    client,
    indexes.map((index) => ({ ...governor, functionName: "proposalDetailsAt", args: [BigInt(index)] })),
  )) as Details[];
  const ids = details.map(([id]) => id);
  return readProposalsById({ client, contracts, account, ids, details, indexes });
}

type Details = readonly [bigint, readonly Address[], readonly bigint[], readonly Hex[], Hex];

async function readProposalsById({
  client,
  contracts,
  account,
  ids,
  details,
  indexes,
}: {
  client: PublicClient;
  contracts: SynodContracts;
  account: Address | undefined;
  ids: bigint[];
  details: readonly Details[];
  indexes: number[];
}): Promise<ProposalSummary[]> {
  const governor = contracts.MeshGovernor;
  const perProposal = ids.flatMap(
    (id) =>
      [
        { ...governor, functionName: "state", args: [id] },
        { ...governor, functionName: "proposalVotes", args: [id] },
        { ...governor, functionName: "proposalSnapshot", args: [id] },
        { ...governor, functionName: "proposalDeadline", args: [id] },
        { ...governor, functionName: "proposalEta", args: [id] },
        { ...governor, functionName: "proposalProposer", args: [id] },
        { ...governor, functionName: "proposalType", args: [id] },
        ...(account ? [{ ...governor, functionName: "hasVoted", args: [id, account] } as const] : []),
      ] as const,
  );
  const results = await chunkedMulticall(client, perProposal);
  const stride = account ? 8 : 7;
  const rows = ids.map((id, i) => {
    const r = results.slice(i * stride, (i + 1) * stride);
    const [against, forVotes, abstain] = r[1] as readonly [bigint, bigint, bigint];
    return { id, state: r[0] as number, votes: { against, for: forVotes, abstain }, snapshot: r[2] as bigint, deadline: r[3] as bigint, eta: r[4] as bigint, proposer: r[5] as Address, type: proposalTypeName(r[6] as number), hasVoted: account ? (r[7] as boolean) : undefined };
  });
  // quorum(timepoint) and vetoThreshold(timepoint) revert for a future timepoint: only ask for snapshots already past.
  const now = (await client.getBlock({ blockTag: "latest" })).timestamp;
  const thresholdCalls = rows.flatMap((row) => {
    const timepoint = row.snapshot < now ? row.snapshot : now - 1n;
    return [{ ...governor, functionName: "quorum", args: [timepoint] }, { ...governor, functionName: "vetoThreshold", args: [timepoint] }] as const;
  });
  const thresholds = (await chunkedMulticall(client, thresholdCalls)) as bigint[];
  const wallClock = BigInt(Math.floor(Date.now() / 1000));
  const nextBlockTime = now > wallClock ? now : wallClock;
  return rows.map((row, i) => {
    const [, targets, values, calldatas, descriptionHash] = details[i]!;
    const chainState = proposalStateName(row.state);
    const quorum = thresholds[2 * i]!;
    const vetoThreshold = thresholds[2 * i + 1]!;
    return {
      ...row,
      index: indexes[i]!,
      targets,
      values,
      calldatas,
      descriptionHash,
      chainState,
      state: effectiveProposalState({ state: chainState, snapshot: row.snapshot, deadline: row.deadline, votes: row.votes, quorum, now: nextBlockTime, type: row.type, vetoThreshold }),
      quorum,
      vetoThreshold,
    };
  });
}

/** Reads one proposal by id (same shape as the list). */
export async function readProposal({
  client,
  contracts,
  account,
  id,
}: {
  client: PublicClient;
  contracts: SynodContracts;
  account?: Address | undefined;
  id: bigint;
}): Promise<ProposalSummary> {
  // Through the chunked reader too: a proposal's details alone can pass 24 KiB.
  const [[targets, values, calldatas, descriptionHash]] = (await chunkedMulticall(client, [
    { ...contracts.MeshGovernor, functionName: "proposalDetails", args: [id] },
  ])) as [readonly [readonly Address[], readonly bigint[], readonly Hex[], Hex]];
  const [summary] = await readProposalsById({
    client,
    contracts,
    account,
    ids: [id],
    details: [[id, targets, values, calldatas, descriptionHash]],
    indexes: [-1],
  });
  return summary!;
}

export type ProposalText = { description: string; proposer: Address; blockNumber: bigint; transactionHash: Hex };

/**
 * Proposal descriptions from `ProposalCreated` events over the last `blockRange`
 * blocks (bounded: never a scan from genesis). GovernorStorage keeps only the
 * description's hash, so each text found is checked against it by the caller.
 */
export async function readProposalTexts({
  client,
  contracts,
  blockRange,
}: {
  client: PublicClient;
  contracts: SynodContracts;
  blockRange: bigint;
}): Promise<Map<bigint, ProposalText>> {
  const latest = await client.getBlockNumber({ cacheTime: 0 });
  const fromBlock = latest > blockRange ? latest - blockRange : 0n;
  const logs = await client.getContractEvents({
    ...contracts.MeshGovernor,
    eventName: "ProposalCreated",
    fromBlock,
    toBlock: latest,
  });
  const texts = new Map<bigint, ProposalText>();
  for (const log of logs) {
    texts.set(log.args.proposalId!, {
      description: log.args.description!,
      proposer: log.args.proposer!,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    });
  }
  return texts;
}

/** Whether `description` is the text a proposal committed to (GovernorStorage's `descriptionHash`). */
export function descriptionMatches(description: string, descriptionHash: Hex): boolean {
  return keccak256(toHex(description)) === descriptionHash;
}

export type Vote = { voter: Address; support: 0 | 1 | 2; weight: bigint; reason: string; blockNumber: bigint; transactionHash: Hex };

/** The votes cast on `proposalId`, from `VoteCast` events over the last `blockRange` blocks, newest first. */
export async function readProposalVoteEvents({
  client,
  contracts,
  proposalId,
  blockRange,
}: {
  client: PublicClient;
  contracts: SynodContracts;
  proposalId: bigint;
  blockRange: bigint;
}): Promise<Vote[]> {
  const latest = await client.getBlockNumber({ cacheTime: 0 });
  const fromBlock = latest > blockRange ? latest - blockRange : 0n;
  const logs = await client.getContractEvents({ ...contracts.MeshGovernor, eventName: "VoteCast", fromBlock, toBlock: latest });
  return logs
    .filter((log) => log.args.proposalId === proposalId)
    .map((log) => ({
      voter: log.args.voter!,
      support: Number(log.args.support) as 0 | 1 | 2,
      weight: log.args.weight!,
      reason: log.args.reason ?? "",
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    }))
    .reverse();
}

export type VotingPower = {
  balance: bigint;
  /** Current votes (delegated to this account). */
  votes: bigint;
  delegatee: Address;
  totalSupply: bigint;
};

/** The account's balance, votes and delegate, in one multicall. */
export async function readVotingPower({
  client,
  contracts,
  account,
}: {
  client: PublicClient;
  contracts: SynodContracts;
  account: Address;
}): Promise<VotingPower> {
  const token = contracts.MeshToken;
  const [balance, votes, delegatee, totalSupply] = await client.multicall({
    allowFailure: false,
    contracts: [
      { ...token, functionName: "balanceOf", args: [account] },
      { ...token, functionName: "getVotes", args: [account] },
      { ...token, functionName: "delegates", args: [account] },
      { ...token, functionName: "totalSupply" },
    ],
  });
  return { balance, votes, delegatee, totalSupply };
}

/**
 * The account's votes at a proposal's snapshot (what its vote weighs). When the
 * chain's latest block is still before the snapshot (an idle local chain), the
 * Governor cannot look the snapshot up yet (it reverts for future timepoints), but no
 * block lies between, so the votes at the snapshot are the current ones.
 */
export async function readVotesAt({
  client,
  contracts,
  account,
  timepoint,
}: {
  client: PublicClient;
  contracts: SynodContracts;
  account: Address;
  timepoint: bigint;
}): Promise<bigint> {
  const latest = (await client.getBlock({ blockTag: "latest" })).timestamp;
  if (timepoint < latest) {
    return client.readContract({ ...contracts.MeshGovernor, functionName: "getVotes", args: [account, timepoint] });
  }
  return client.readContract({ ...contracts.MeshToken, functionName: "getVotes", args: [account] });
}
