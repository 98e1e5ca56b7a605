"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { Address } from "viem";
import { readProposal, type ProposalSummary } from "../lib/readProposals.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseProposalParameters = {
  id: bigint | undefined;
  account?: Address | undefined;
};

export type UseProposalReturnType = UseQueryResult<ProposalSummary>;

/** One proposal's state, tallies, times and quorum; disabled until `id` is known. */
export function useProposal({ id, account }: UseProposalParameters): UseProposalReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "proposal", chainId, id?.toString() ?? null, account ?? null],
    queryFn: () => readProposal({ client: client!, contracts: contracts!, account, id: id! }),
    enabled: Boolean(client && contracts && id !== undefined),
    refetchInterval: pollingIntervalMs,
  });
}
