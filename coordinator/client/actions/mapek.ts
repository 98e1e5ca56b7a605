/**
 * The MAPE-K loop (`coordinator/api/schemas/mapek.ts`). Where the coordinator runs no
 * loop both calls throw an `ApiRequestError` with status 503.
 */
import { mapekHistorySchema, mapekStatusSchema, type MapekHistory, type MapekHistoryQuery, type MapekStatus } from "../../api/schemas/mapek.ts";
import { callRoute, type ApiClient } from "../apiClient.ts";

/** State, φ and its factors, node counts, incidents, exclusions, the anomaly model. */
export function getMapekStatus(api: ApiClient): Promise<MapekStatus> {
  return callRoute(api, { method: "GET", path: "/api/mapek", schema: mapekStatusSchema });
}

/** State and φ per tick, oldest first. */
export function getMapekHistory(api: ApiClient, query: MapekHistoryQuery = {}): Promise<MapekHistory> {
  return callRoute(api, { method: "GET", path: "/api/mapek/history", query, schema: mapekHistorySchema });
}
