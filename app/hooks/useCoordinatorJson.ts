"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readCoordinatorJson } from "../lib/coordinator.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseCoordinatorJsonParameters = {
  /** An API path, e.g. `/api/fl/metrics`. */
  path: `/${string}`;
  /** Read only while true (e.g. once `/api/status` answered). */
  enabled: boolean;
};

export type UseCoordinatorJsonReturnType<T> = UseQueryResult<T>;

/** One JSON resource of the coordinator API, polled every 5 s while enabled. */
export function useCoordinatorJson<T>({ path, enabled }: UseCoordinatorJsonParameters): UseCoordinatorJsonReturnType<T> {
  const { coordinatorUrl } = useSynodConfig();
  return useQuery({
    queryKey: ["coordinator", path, coordinatorUrl],
    queryFn: ({ signal }) => readCoordinatorJson<T>({ coordinatorUrl, path, signal }),
    enabled,
    refetchInterval: 5_000,
    retry: false,
  });
}
