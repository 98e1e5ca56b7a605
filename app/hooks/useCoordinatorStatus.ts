"use client";

import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { readCoordinatorStatus, type StatusReport } from "../lib/coordinator.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseCoordinatorStatusReturnType = UseQueryResult<StatusReport>;

/** The coordinator's `/api/status`, polled; an error means "not reachable". */
export function useCoordinatorStatus(): UseCoordinatorStatusReturnType {
  const { coordinatorUrl } = useSynodConfig();
  return useQuery({
    queryKey: ["coordinator", "status", coordinatorUrl],
    queryFn: ({ signal }) => readCoordinatorStatus({ coordinatorUrl, signal }),
    refetchInterval: 5_000,
    retry: false,
  });
}
