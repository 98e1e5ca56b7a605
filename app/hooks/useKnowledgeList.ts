"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readKnowledgeList, type KnowledgeList, type ReadKnowledgeListParameters } from "../lib/knowledgeApi.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseKnowledgeListParameters = Omit<ReadKnowledgeListParameters, "coordinatorUrl" | "fetchFn" | "signal"> & { enabled?: boolean };
export type UseKnowledgeListReturnType = UseQueryResult<KnowledgeList>;

/**
 * A page of every record the coordinator lists (`GET /api/knowledge`). Not retried: an unreachable coordinator is said at once (the
 * page then falls back to the chain and the gateway); nothing read here is trusted.
 */
export function useKnowledgeList({ enabled = true, ...query }: UseKnowledgeListParameters): UseKnowledgeListReturnType {
  const { coordinatorUrl, pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["coordinator", "list", coordinatorUrl, query],
    queryFn: ({ signal }) => readKnowledgeList({ coordinatorUrl, signal, ...query }),
    enabled,
    retry: false,
    refetchInterval: pollingIntervalMs * 3,
  });
}
