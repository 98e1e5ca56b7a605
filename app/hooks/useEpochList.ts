"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readEpochList, type EpochList } from "../lib/knowledgeApi.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseEpochListParameters = { enabled?: boolean };
export type UseEpochListReturnType = UseQueryResult<EpochList>;

/**
 * The keeper's epochs (`GET /api/knowledge/epochs`). Not retried: an unreachable coordinator is said at once (the
 * page then falls back to the chain and the gateway); nothing read here is trusted.
 */
export function useEpochList({ enabled = true }: UseEpochListParameters): UseEpochListReturnType {
  const { coordinatorUrl, pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["coordinator", "epochs", coordinatorUrl, null],
    queryFn: ({ signal }) => readEpochList({ coordinatorUrl, signal }),
    enabled,
    retry: false,
    refetchInterval: pollingIntervalMs * 3,
  });
}
