"use client";

import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import { readCoordinatorJson, type ChaosRun, type ChaosRunList } from "../lib/coordinator.ts";
import { useCoordinatorJson } from "./useCoordinatorJson.ts";
import { useSynodConfig } from "./useSynodConfig.ts";

export type UseChaosRunsParameters = {
  /** How many of the latest runs; default 10. */
  limit?: number;
  /** Read only while true (e.g. once `/api/status` answered). */
  enabled: boolean;
  /** Read the list again at once when this changes (e.g. the latest `chaos.experiment.*` event id). */
  refreshKey?: string | number;
};

export type UseChaosRunsReturnType = {
  /** `GET /api/chaos/runs` (without journals). */
  list: UseQueryResult<ChaosRunList>;
  /** Each listed run with its journal (`GET /api/chaos/runs/:id`), in list order; `undefined` until read. */
  runs: Array<{ run: ChaosRun; detail: ChaosRun | undefined; error: Error | null }>;
};

/**
 * The latest chaos runs with their journals. The list leaves journals out, and MTTD,
 * MTTR, the score and the report CID live in them, so each run is read once more;
 * a finished run never changes, so its detail is read once and kept.
 */
export function useChaosRuns({ limit = 10, enabled, refreshKey }: UseChaosRunsParameters): UseChaosRunsReturnType {
  const { coordinatorUrl } = useSynodConfig();
  const list = useCoordinatorJson<ChaosRunList>({ path: `/api/chaos/runs?limit=${limit}`, enabled, refetchIntervalMs: 15_000, ...(refreshKey !== undefined ? { refreshKey } : {}) });
  const listed = list.data?.runs ?? [];
  const details = useQueries({
    queries: listed.map((run) => ({
      // The status is part of the key: a run read while running is read again once it ended.
      queryKey: ["coordinator", "chaos-run", coordinatorUrl, run.runId, run.status],
      queryFn: ({ signal }: { signal: AbortSignal }) => readCoordinatorJson<ChaosRun>({ coordinatorUrl, path: `/api/chaos/runs/${run.runId}`, signal }),
      enabled: enabled && run.status !== "running",
      staleTime: Number.POSITIVE_INFINITY,
      retry: false,
    })),
  });
  return { list, runs: listed.map((run, i) => ({ run, detail: details[i]?.data, error: details[i]?.error ?? null })) };
}
