/**
 * Chaos experiments (`coordinator/api/schemas/chaos.ts`). Where the coordinator runs no
 * chaos engine every call throws an `ApiRequestError` with status 503 (`errorName`
 * `ChaosUnavailableError`).
 */
import {
  chaosRunListSchema,
  chaosRunSchema,
  chaosScheduleListSchema,
  chaosStatusSchema,
  experimentListSchema,
  type ChaosRun,
  type ChaosRunBody,
  type ChaosRunList,
  type ChaosRunsQuery,
  type ChaosScheduleList,
  type ChaosStatus,
  type ExperimentList,
} from "../../api/schemas/chaos.ts";
import { callRoute, type ApiClient } from "../apiClient.ts";

/** The experiment files offered by name; invalid ones with their problems. */
export function listChaosExperiments(api: ApiClient): Promise<ExperimentList> {
  return callRoute(api, { method: "GET", path: "/api/chaos/experiments", schema: experimentListSchema });
}

/**
 * Starts a run (admin): a listed experiment by name, or an experiment's YAML.
 *
 * @throws {ApiRequestError} 404 for an unknown name, 409 while another run is in progress, 400 for an invalid experiment.
 * @example
 * const run = await startChaosRun(api, { name: "node-failure", timeScale: 0.1 });
 */
export function startChaosRun(api: ApiClient, body: ChaosRunBody): Promise<ChaosRun> {
  return callRoute(api, { method: "POST", path: "/api/chaos/runs", body, schema: chaosRunSchema });
}

/** The latest runs, newest first, without journals. */
export function listChaosRuns(api: ApiClient, query: ChaosRunsQuery = {}): Promise<ChaosRunList> {
  return callRoute(api, { method: "GET", path: "/api/chaos/runs", query, schema: chaosRunListSchema });
}

/** One run with its journal. */
export function getChaosRun(api: ApiClient, { runId }: { runId: number }): Promise<ChaosRun> {
  return callRoute(api, { method: "GET", path: `/api/chaos/runs/${runId}`, schema: chaosRunSchema });
}

/** Interrupts a run (admin); its faults are rolled back. */
export function abortChaosRun(api: ApiClient, { runId }: { runId: number }): Promise<ChaosRun> {
  return callRoute(api, { method: "POST", path: `/api/chaos/runs/${runId}/abort`, body: {}, schema: chaosRunSchema });
}

/** The run in progress, the last one, active faults, statistics per fault kind. */
export function getChaosStatus(api: ApiClient): Promise<ChaosStatus> {
  return callRoute(api, { method: "GET", path: "/api/chaos/status", schema: chaosStatusSchema });
}

/**
 * The experiments the coordinator runs on a schedule, with what each has done.
 *
 * @throws {ApiRequestError} 404 from a coordinator older than schedules (it has no such route).
 */
export function listChaosSchedules(api: ApiClient): Promise<ChaosScheduleList> {
  return callRoute(api, { method: "GET", path: "/api/chaos/schedules", schema: chaosScheduleListSchema });
}
