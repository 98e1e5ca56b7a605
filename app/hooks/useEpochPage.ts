"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readEpochPage, type EpochPage, type ReadEpochPageParameters } from "../lib/knowledgeApi.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseEpochPageParameters = Omit<ReadEpochPageParameters, "coordinatorUrl" | "fetchFn" | "signal"> & { enabled?: boolean };
export type UseEpochPageReturnType = UseQueryResult<EpochPage>;

/**
 * An epoch and a page of its records with leaves and proofs (`GET /api/knowledge/epochs/:epoch`). Not retried: an unreachable coordinator is said at once (the
 * page then falls back to the chain and the gateway); nothing read here is trusted.
 */
export function useEpochPage({ enabled = true, ...query }: UseEpochPageParameters): UseEpochPageReturnType {
  const { coordinatorUrl, pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["coordinator", "epoch", coordinatorUrl, query],
    queryFn: ({ signal }) => readEpochPage({ coordinatorUrl, signal, ...query }),
    enabled,
    retry: false,
    refetchInterval: pollingIntervalMs * 3,
  });
}
