"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { loadEpochManifest, type LoadEpochManifestReturnType } from "../lib/loadEpochManifest.ts";
import type { OnChainEpoch } from "../lib/readEpochs.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseEpochManifestParameters = { epoch: OnChainEpoch | null | undefined };
export type UseEpochManifestReturnType = UseQueryResult<LoadEpochManifestReturnType>;

/**
 * A ratified epoch's manifest from the gateway, verified against the CID and the root
 * the registry stores; disabled until the epoch is read from the chain.
 */
export function useEpochManifest({ epoch }: UseEpochManifestParameters): UseEpochManifestReturnType {
  const { gatewayUrl } = useSynodConfig();
  return useQuery({
    queryKey: ["synod", "epochManifest", gatewayUrl, epoch?.epoch ?? null, epoch?.manifestCid ?? null, epoch?.root ?? null],
    queryFn: ({ signal }) => loadEpochManifest({ gatewayUrl, epoch: epoch!.epoch, manifestCid: epoch!.manifestCid, root: epoch!.root, signal }),
    enabled: Boolean(epoch),
    staleTime: Number.POSITIVE_INFINITY,
    refetchInterval: (query) => (query.state.data?.status === "unavailable" ? 10_000 : false),
  });
}
