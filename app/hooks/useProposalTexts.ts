"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readProposalTexts, type ProposalText } from "../lib/readProposals.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseProposalTextsReturnType = UseQueryResult<Map<bigint, ProposalText>>;

/** Proposal descriptions from `ProposalCreated` over the configured, bounded block range. */
export function useProposalTexts(): UseProposalTextsReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { logBlockRange, pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "proposalTexts", chainId, logBlockRange],
    queryFn: () => readProposalTexts({ client: client!, contracts: contracts!, blockRange: BigInt(logBlockRange) }),
    enabled: Boolean(client && contracts),
    refetchInterval: pollingIntervalMs * 3,
  });
}
