"use client";

import { useQuery, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { readCoordinatorJson } from "../lib/coordinator.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseCoordinatorJsonParameters = {
  /** An API path, e.g. `/api/fl/metrics`. */
  path: `/${string}`;
  /** Read only while true (e.g. once `/api/status` answered). */
  enabled: boolean;
  /** Poll period, ms; default 5 000. */
  refetchIntervalMs?: number;
  /** Read again at once whenever this changes (e.g. the id of the latest relevant live event). */
  refreshKey?: string | number;
};

export type UseCoordinatorJsonReturnType<T> = UseQueryResult<T>;

/** One JSON resource of the coordinator API, polled while enabled and re-read when `refreshKey` changes. */
export function useCoordinatorJson<T>({ path, enabled, refetchIntervalMs = 5_000, refreshKey }: UseCoordinatorJsonParameters): UseCoordinatorJsonReturnType<T> {
  const { coordinatorUrl } = useSynodConfig();
  const queryClient = useQueryClient();
  const queryKey = ["coordinator", path, coordinatorUrl];
  const seen = useRef(refreshKey);
  useEffect(() => {
    if (seen.current === refreshKey) return;
    seen.current = refreshKey;
    if (enabled) void queryClient.invalidateQueries({ queryKey: ["coordinator", path, coordinatorUrl], exact: true });
  }, [refreshKey, enabled, queryClient, path, coordinatorUrl]);
  return useQuery({
    queryKey,
    queryFn: ({ signal }) => readCoordinatorJson<T>({ coordinatorUrl, path, signal }),
    enabled,
    refetchInterval: refetchIntervalMs,
    retry: false,
  });
}
