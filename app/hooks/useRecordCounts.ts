"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { KnowledgeKind } from "../lib/knowledge.ts";
import { readRecordCounts } from "../lib/readKnowledge.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseRecordCountsReturnType = UseQueryResult<Record<KnowledgeKind, bigint>>;

/** How many records each kind has, in one multicall. */
export function useRecordCounts(): UseRecordCountsReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "recordCounts", chainId],
    queryFn: () => readRecordCounts({ client: client!, contracts: contracts! }),
    enabled: Boolean(client && contracts),
    refetchInterval: pollingIntervalMs * 2,
  });
}
