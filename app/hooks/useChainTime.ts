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
 * may differ from the wall clock: a local chain can be moved forward (then the latest
 * block is ahead of the wall clock), and an idle one mines nothing (then its latest
 * block falls behind, but the next block will carry the current time). So the latest
 * block's timestamp is polled, advanced by the seconds since the poll, and never taken
 * to be earlier than the wall clock.
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
  const extrapolated = data.timestamp + BigInt(Math.max(0, Math.floor((tick - data.at) / 1000)));
  const wallClock = BigInt(Math.floor(tick / 1000));
  return { now: extrapolated > wallClock ? extrapolated : wallClock };
}
