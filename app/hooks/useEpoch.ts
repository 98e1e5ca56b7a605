"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readEpoch, type OnChainEpoch } from "../lib/readEpochs.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseEpochParameters = { epoch: number | undefined };
export type UseEpochReturnType = UseQueryResult<OnChainEpoch | null>;

/** The ratified epoch as the registry stores it (`getEpoch`), `null` while it has no root. */
export function useEpoch({ epoch }: UseEpochParameters): UseEpochReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "epoch", chainId, epoch ?? null],
    queryFn: () => readEpoch({ client: client!, contracts: contracts!, epoch: epoch! }),
    enabled: Boolean(client && contracts && epoch !== undefined),
    // A ratified root never changes; an unratified one is asked again.
    refetchInterval: (query) => (query.state.data ? false : pollingIntervalMs * 2),
  });
}
