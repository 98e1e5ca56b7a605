"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { KnowledgeKind } from "../lib/knowledge.ts";
import { readRecordPage, type KnowledgeRecord } from "../lib/readKnowledge.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseRecordPageParameters = { kind: KnowledgeKind; offset: number; limit: number; enabled?: boolean };
export type UseRecordPageReturnType = UseQueryResult<{ records: KnowledgeRecord[]; total: number }>;

/** One page of the records of `kind` stored on chain, newest first. */
export function useRecordPage({ kind, offset, limit, enabled = true }: UseRecordPageParameters): UseRecordPageReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "recordPage", chainId, kind, offset, limit],
    queryFn: () => readRecordPage({ client: client!, contracts: contracts!, kind, offset, limit }),
    enabled: Boolean(client && contracts && enabled),
    refetchInterval: pollingIntervalMs * 2,
  });
}
