"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { Address } from "viem";
import { readVotingPower, type VotingPower } from "../lib/readProposals.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseVotingPowerParameters = { account: Address | undefined };
export type UseVotingPowerReturnType = UseQueryResult<VotingPower>;

/** Balance, current votes and delegate of `account`; disabled until an account is connected. */
export function useVotingPower({ account }: UseVotingPowerParameters): UseVotingPowerReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "votingPower", chainId, account ?? null],
    queryFn: () => readVotingPower({ client: client!, contracts: contracts!, account: account! }),
    enabled: Boolean(client && contracts && account),
    refetchInterval: pollingIntervalMs,
  });
}
