"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useSynodConfig } from "./useSynodConfig.ts";
import { useSynodReadClient } from "./useSynodReadClient.ts";

export type UseChainTimeReturnType = {
  /** The chain's time in unix seconds, advanced by the local clock between polls. */
  now: bigint | undefined;
};

/**
 * The chain's clock for countdowns. The Governor runs on block timestamps, which
 * may differ from the wall clock (a local chain can be moved forward), so the latest
 * block's timestamp is polled and extrapolated each second.
 */
export function useChainTime(): UseChainTimeReturnType {
  const { client, chainId } = useSynodReadClient();
  const { pollingIntervalMs } = useSynodConfig();
  const { data } = useQuery({
    queryKey: ["synod", "chainTime", chainId],
    queryFn: async () => ({ timestamp: (await client!.getBlock({ blockTag: "latest" })).timestamp, at: Date.now() }),
    enabled: Boolean(client),
    refetchInterval: pollingIntervalMs,
  });
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setTick(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!data) return { now: undefined };
  return { now: data.timestamp + BigInt(Math.max(0, Math.floor((tick - data.at) / 1000))) };
}
