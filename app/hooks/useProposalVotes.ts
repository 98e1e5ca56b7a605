"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readProposalVoteEvents, type Vote } from "../lib/readProposals.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseProposalVotesParameters = { proposalId: bigint | undefined };
export type UseProposalVotesReturnType = UseQueryResult<Vote[]>;

/** The voters of a proposal with their reasons (VoteCast events, bounded block range). */
export function useProposalVotes({ proposalId }: UseProposalVotesParameters): UseProposalVotesReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { logBlockRange, pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "votes", chainId, proposalId?.toString() ?? null],
    queryFn: () =>
      readProposalVoteEvents({ client: client!, contracts: contracts!, proposalId: proposalId!, blockRange: BigInt(logBlockRange) }),
    enabled: Boolean(client && contracts && proposalId !== undefined),
    refetchInterval: pollingIntervalMs,
  });
}
