"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { Address } from "viem";
import { readProposals, type ProposalSummary } from "../lib/readProposals.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseProposalsParameters = {
  /** The connected account, for "needs my vote"; optional. */
  account?: Address | undefined;
};

export type UseProposalsReturnType = UseQueryResult<ProposalSummary[]>;

/** Every proposal, newest first, polled at the configured interval (not on every block). */
export function useProposals({ account }: UseProposalsParameters = {}): UseProposalsReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "proposals", chainId, account ?? null],
    queryFn: () => readProposals({ client: client!, contracts: contracts!, account }),
    enabled: Boolean(client && contracts),
    refetchInterval: pollingIntervalMs,
  });
}
