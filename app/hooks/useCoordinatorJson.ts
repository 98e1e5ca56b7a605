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
  /** Poll period, ms, or a function of the last read's error (e.g. slower while a route says it is unavailable); default 5 000. */
  refetchIntervalMs?: number | ((error: Error | null) => number);
  /** Read again at once whenever this changes (e.g. the id of the latest relevant live event). */
  refreshKey?: string | number;
};

export type UseCoordinatorJsonReturnType<T> = UseQueryResult<T>;

/** Refresh requests closer together than this are served by one read, ms. */
const REFRESH_COALESCE_MS = 500;

/** One JSON resource of the coordinator API, polled while enabled and re-read when `refreshKey` changes. */
export function useCoordinatorJson<T>({ path, enabled, refetchIntervalMs = 5_000, refreshKey }: UseCoordinatorJsonParameters): UseCoordinatorJsonReturnType<T> {
  const { coordinatorUrl } = useSynodConfig();
  const queryClient = useQueryClient();
  const queryKey = ["coordinator", path, coordinatorUrl];
  const seen = useRef(refreshKey);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    if (seen.current === refreshKey) return;
    seen.current = refreshKey;
    // The event stream replays its history on connect: many keys in a burst make one read, not one each.
    if (!enabled || pending.current !== undefined) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      void queryClient.invalidateQueries({ queryKey: ["coordinator", path, coordinatorUrl], exact: true });
    }, REFRESH_COALESCE_MS);
  }, [refreshKey, enabled, queryClient, path, coordinatorUrl]);
  useEffect(
    () => () => {
      clearTimeout(pending.current);
      pending.current = undefined;
    },
    [],
  );
  return useQuery({
    queryKey,
    queryFn: ({ signal }) => readCoordinatorJson<T>({ coordinatorUrl, path, signal }),
    enabled,
    refetchInterval: typeof refetchIntervalMs === "function" ? (query) => refetchIntervalMs(query.state.error) : refetchIntervalMs,
    retry: false,
  });
}
