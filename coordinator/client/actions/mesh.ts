/**
 * Mesh nodes in node-host processes, operator side (`coordinator/api/schemas/mesh.ts`).
 */
import { admitNodesSchema, nodesHealthSchema, type AdmitNodes, type AdmitNodesBody, type NodeHealthBody, type NodesHealth } from "../../api/schemas/mesh.ts";
import { callRoute, type ApiClient } from "../apiClient.ts";

/** Accepts these node keys (admin). */
export function admitNodes(api: ApiClient, body: AdmitNodesBody): Promise<AdmitNodes> {
  return callRoute(api, { method: "POST", path: "/api/mesh/nodes/admit", body, schema: admitNodesSchema });
}

/** The per-node health check, with a signed probe unless `probe: false` (admin). */
export function checkNodesHealth(api: ApiClient, body: NodeHealthBody): Promise<NodesHealth> {
  return callRoute(api, { method: "POST", path: "/api/mesh/nodes/health", body, schema: nodesHealthSchema });
}
