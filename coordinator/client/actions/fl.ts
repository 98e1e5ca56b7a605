/**
 * Federated learning: `POST /api/fl/rounds`, `GET /api/fl/status`, `/api/fl/model`, `/api/fl/metrics`.
 * Each answer is validated with the route's schema (`coordinator/api/schemas/fl.ts`).
 */
import { flMetricsSchema, flModelSchema, flStatusSchema, startRoundSchema, type FlMetrics, type FlModel, type FlStatus, type StartRound } from "../../api/schemas/fl.ts";
import { callRoute, type ApiClient } from "../apiClient.ts";

/**
 * Starts a round now (admin).
 *
 * @throws {ApiRequestError} 409 while a round runs.
 * @example
 * const { round, participants } = await startFlRound(api);
 */
export function startFlRound(api: ApiClient): Promise<StartRound> {
  return callRoute(api, { method: "POST", path: "/api/fl/rounds", body: {}, schema: startRoundSchema });
}

/** Nodes, rounds, updates and the round in progress. */
export function getFlStatus(api: ApiClient): Promise<FlStatus> {
  return callRoute(api, { method: "GET", path: "/api/fl/status", schema: flStatusSchema });
}

/** The current global model, its CIDs and ratification. */
export function getFlModel(api: ApiClient): Promise<FlModel> {
  return callRoute(api, { method: "GET", path: "/api/fl/model", schema: flModelSchema });
}

/** Rejections by reason, Byzantine detections, accuracy per round. */
export function getFlMetrics(api: ApiClient): Promise<FlMetrics> {
  return callRoute(api, { method: "GET", path: "/api/fl/metrics", schema: flMetricsSchema });
}
