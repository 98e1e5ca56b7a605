"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readRecordedEpochs, type OnChainEpoch } from "../lib/readEpochs.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseRecordedEpochsParameters = { enabled: boolean };
export type UseRecordedEpochsReturnType = UseQueryResult<OnChainEpoch[]>;

/** Epochs ratified within the configured block range, from `EpochRecorded` events, newest first. */
export function useRecordedEpochs({ enabled }: UseRecordedEpochsParameters): UseRecordedEpochsReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { logBlockRange, pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "recordedEpochs", chainId, logBlockRange],
    queryFn: () => readRecordedEpochs({ client: client!, contracts: contracts!, blockRange: BigInt(logBlockRange) }),
    enabled: Boolean(client && contracts && enabled),
    refetchInterval: pollingIntervalMs * 3,
  });
}
