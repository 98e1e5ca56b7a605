"use client";

import { useQueries } from "@tanstack/react-query";
import type { Hex } from "viem";
import { loadVerifiedContent, type VerifiedContent } from "../lib/loadVerifiedContent.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseVerifiedContentsParameters = { cids: readonly Hex[] };
export type UseVerifiedContentsReturnType = Array<VerifiedContent | undefined>;

/** Several records' contents, each verified (shares the cache with `useVerifiedContent`). */
export function useVerifiedContents({ cids }: UseVerifiedContentsParameters): UseVerifiedContentsReturnType {
  const { gatewayUrl } = useSynodConfig();
  const results = useQueries({
    queries: cids.map((cid) => ({
      queryKey: ["synod", "content", gatewayUrl, cid],
      queryFn: ({ signal }: { signal: AbortSignal }) => loadVerifiedContent({ gatewayUrl, cid, signal }),
      staleTime: Number.POSITIVE_INFINITY,
    })),
  });
  return results.map((r) => r.data);
}
