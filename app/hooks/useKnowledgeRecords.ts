"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { KnowledgeKind } from "../lib/knowledge.ts";
import { readRecordsOfKind, type KnowledgeRecord } from "../lib/readKnowledge.ts";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseKnowledgeRecordsParameters = { kind: KnowledgeKind | undefined };
export type UseKnowledgeRecordsReturnType = UseQueryResult<KnowledgeRecord[]>;

/** The newest records of a kind, newest first (`recordsOfKind`, one call). */
export function useKnowledgeRecords({ kind }: UseKnowledgeRecordsParameters): UseKnowledgeRecordsReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  const { pollingIntervalMs } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "records", chainId, kind ?? null],
    queryFn: () => readRecordsOfKind({ client: client!, contracts: contracts!, kind: kind! }),
    enabled: Boolean(client && contracts && kind),
    refetchInterval: pollingIntervalMs * 2,
  });
}
