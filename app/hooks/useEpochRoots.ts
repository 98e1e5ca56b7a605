"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { Hex } from "viem";
import { readEpochRoots } from "../lib/readEpochs.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseEpochRootsParameters = { epochs: readonly number[] };
export type UseEpochRootsReturnType = UseQueryResult<Map<number, Hex>>;

/** The on-chain root of each epoch (zero while not ratified), in one multicall; disabled while `epochs` is empty. */
export function useEpochRoots({ epochs }: UseEpochRootsParameters): UseEpochRootsReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { pollingIntervalMs } = useSynodConfig();
  const sorted = [...new Set(epochs)].sort((a, b) => a - b);
  return useQuery({
    queryKey: ["synod", "epochRoots", chainId, sorted],
    queryFn: () => readEpochRoots({ client: client!, contracts: contracts!, epochs: sorted }),
    enabled: Boolean(client && contracts && sorted.length > 0),
    refetchInterval: pollingIntervalMs * 2,
  });
}
