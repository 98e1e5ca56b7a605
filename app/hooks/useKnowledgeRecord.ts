"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readKnowledgeRecord, type KnowledgeRecordResponse } from "../lib/knowledgeApi.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseKnowledgeRecordParameters = { cid: string | undefined; enabled?: boolean };
export type UseKnowledgeRecordReturnType = UseQueryResult<KnowledgeRecordResponse>;

/**
 * One record by CID with its epoch proof (`GET /api/knowledge/:cid`); disabled without a CID. Not retried: an unreachable coordinator is said at once (the
 * page then falls back to the chain and the gateway); nothing read here is trusted.
 */
export function useKnowledgeRecord({ cid, enabled = true }: UseKnowledgeRecordParameters): UseKnowledgeRecordReturnType {
  const { coordinatorUrl, pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["coordinator", "record", coordinatorUrl, cid ?? null],
    queryFn: ({ signal }) => readKnowledgeRecord({ coordinatorUrl, signal, cid: cid! }),
    enabled: enabled && Boolean(cid),
    retry: false,
    refetchInterval: pollingIntervalMs * 3,
  });
}
