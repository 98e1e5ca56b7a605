"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { Hex } from "viem";
import { loadVerifiedContent, type VerifiedContent } from "../lib/loadVerifiedContent.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseVerifiedContentParameters = { cid: Hex | undefined };
export type UseVerifiedContentReturnType = UseQueryResult<VerifiedContent>;

/**
 * Fetches a record's content from the gateway and hash-checks it in the browser.
 * Content is only handed out when verified: a mismatching block is never rendered.
 */
export function useVerifiedContent({ cid }: UseVerifiedContentParameters): UseVerifiedContentReturnType {
  const { gatewayUrl } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "content", gatewayUrl, cid ?? null],
    queryFn: ({ signal }) => loadVerifiedContent({ gatewayUrl, cid: cid!, signal }),
    enabled: Boolean(cid),
    // Content addressed by its hash never changes; only unavailability is retried.
    staleTime: Number.POSITIVE_INFINITY,
    refetchInterval: (query) => (query.state.data?.status === "unavailable" ? 10_000 : false),
  });
}
