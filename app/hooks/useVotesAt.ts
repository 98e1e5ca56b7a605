"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { Address } from "viem";
import { readVotesAt } from "../lib/readProposals.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseVotesAtParameters = {
  account: Address | undefined;
  /** A past timepoint (a proposal's snapshot); the read stays disabled for future ones. */
  timepoint: bigint | undefined;
  /** Whether the timepoint has passed (the Governor reverts for future timepoints). */
  past: boolean;
};
export type UseVotesAtReturnType = UseQueryResult<bigint>;

/** What `account`'s vote weighs on a proposal: its votes at the snapshot. */
export function useVotesAt({ account, timepoint, past }: UseVotesAtParameters): UseVotesAtReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  return useQuery({
    queryKey: ["synod", "votesAt", chainId, account ?? null, timepoint?.toString() ?? null],
    queryFn: () => readVotesAt({ client: client!, contracts: contracts!, account: account!, timepoint: timepoint! }),
    enabled: Boolean(client && contracts && account && timepoint !== undefined && past),
    staleTime: Number.POSITIVE_INFINITY,
  });
}
