"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readRecords, type KnowledgeRecord } from "../lib/readKnowledge.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseRecordsParameters = { ids: readonly bigint[] };
export type UseRecordsReturnType = UseQueryResult<KnowledgeRecord[]>;

/** Records by id (lineage), in one multicall; disabled while `ids` is empty. */
export function useRecords({ ids }: UseRecordsParameters): UseRecordsReturnType {
  const { client, contracts, chainId } = useSynodReadClient();
  return useQuery({
    queryKey: ["synod", "recordsById", chainId, ids.map(String)],
    queryFn: () => readRecords({ client: client!, contracts: contracts!, ids }),
    enabled: Boolean(client && contracts && ids.length > 0),
  });
}
