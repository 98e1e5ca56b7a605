/**
 * Remote mesh nodes over HTTP and WebSocket.
 *
 * Node-facing (no token: every body is a message signed by the node's key, verified
 * by `RemoteMesh`; rate limit `node`, keyed by IP and `X-Synod-Node`):
 * - `POST /api/mesh/register`, `POST /api/mesh/heartbeat`, `POST /api/mesh/updates`
 * - `POST /api/mesh/heartbeats`: `{ messages: [...] }`, the heartbeats of all of a
 *   host's nodes in one request (each verified on its own; per-node results)
 * - `GET /api/mesh/ws` (upgrade): one socket per node host; the coordinator sends fit
 *   requests and probes on it, the host answers probes with signed messages.
 *
 * Operator-facing:
 * - `GET /api/mesh/nodes`: registered nodes with last-seen, heartbeats, host, batch.
 * - `GET /api/mesh/stats`: message counters (registrations, heartbeats, refusals by reason, fits, updates).
 * - `POST /api/mesh/nodes/admit` (admin): accept these node keys (the deployer calls it).
 * - `POST /api/mesh/nodes/deregister` (admin): forget these nodes (rollback).
 * - `POST /api/mesh/nodes/health` (admin): the per-node health check, with a signed probe.
 *
 * Host agents ({@link agentRoutes}, mounted when the coordinator controls remote hosts):
 * - `GET /api/mesh/agent` (upgrade): one control socket per host agent, opened by the
 *   agent directly (not through its link proxy); the agent proves which host it is with
 *   a hello signed by one of its nodes' keys, then obeys control messages signed by the
 *   coordinator's control key (see `mesh/hosts/agentWire.ts`).
 * - `GET /api/mesh/control`: the control key's address (public: agents are started
 *   with it, `synod nodes deploy` passes it on), and the agents connected.
 * Schemas: `schemas/mesh.ts`; the signed node messages' schema is the mesh's wire protocol.
 */
import { z } from "zod";
import type { Logger } from "../logger.ts";
import type { AgentRegistry } from "../mesh/hosts/agentRegistry.ts";
import type { CoordinatorToAgent } from "../mesh/hosts/agentWire.ts";
import type { NodeHealth as NodeHealthView, RemoteMesh, RemoteMeshStats, RemoteNodeView } from "../mesh/remote/remoteMesh.ts";
import { SignedNodeMessageSchema, type CoordinatorToHost } from "../mesh/remote/wire.ts";
import { errorResponses } from "./schemas/common.ts";
import {
  admitNodesBodySchema,
  admitNodesSchema,
  deregisterNodesBodySchema,
  deregisterNodesSchema,
  heartbeatSchema,
  heartbeatsSchema,
  meshControlSchema,
  meshNodesSchema,
  meshStatsSchema,
  nodeHealthBodySchema,
  nodesHealthSchema,
  receiveUpdateSchema,
  registerNodeSchema,
  type MeshStats,
  type NodeHealth,
  type RemoteNode,
} from "./schemas/mesh.ts";
import { mountJsonSocket } from "./jsonSocket.ts";
import type { ApiPlugin, AssertTrue, KeepsEveryKey } from "./types.ts";

/** Path of the host socket. */
export const MESH_SOCKET_PATH = "/api/mesh/ws";

/** Path of the host agents' control socket. */
export const AGENT_SOCKET_PATH = "/api/mesh/agent";

// The schemas keep every field the mesh returns (the serializer drops unknown ones).
export type MeshResponsesKeepEveryField = [
  AssertTrue<KeepsEveryKey<RemoteNodeView, RemoteNode>>,
  AssertTrue<KeepsEveryKey<RemoteMeshStats, MeshStats>>,
  AssertTrue<KeepsEveryKey<NodeHealthView, NodeHealth>>,
  AssertTrue<KeepsEveryKey<ReturnType<RemoteMesh["register"]>, z.output<typeof registerNodeSchema>>>,
  AssertTrue<KeepsEveryKey<ReturnType<RemoteMesh["heartbeats"]>, z.output<typeof heartbeatsSchema>>>,
  AssertTrue<KeepsEveryKey<ReturnType<RemoteMesh["receiveUpdate"]>, z.output<typeof receiveUpdateSchema>>>,
];

/** Options of {@link meshRoutes}. */
export type MeshRoutesParameters = {
  mesh: RemoteMesh;
  logger: Logger;
  /** Most host sockets open at once; default 10 000. */
  maxSockets?: number;
  /** Ping period of host sockets: a frozen host (SIGSTOP) is dropped after two missed pongs. Default 10 s. */
  socketPingMs?: number;
  /** Largest socket frame from a host, bytes; default 1 MiB. */
  maxFrameBytes?: number;
};

export function meshRoutes({ mesh, logger, maxSockets = 10_000, socketPingMs = 10_000, maxFrameBytes = 1024 * 1024 }: MeshRoutesParameters): ApiPlugin {
  return async (app) => {
    mountJsonSocket<CoordinatorToHost>(app, {
      path: MESH_SOCKET_PATH,
      protocol: { open: (channel) => mesh.openSession(channel), frame: (sessionId, frame) => mesh.onHostFrame(sessionId, frame), close: (sessionId) => mesh.closeSession(sessionId), stop: () => mesh.close() },
      logger: logger.child({ component: "mesh-api" }),
      maxSockets,
      pingMs: socketPingMs,
      maxFrameBytes,
      closeCode: 1001,
    });

    // Node messages: refusals are 4xx with the rule that was broken, never a 5xx.
    const node = { auth: "none", rateLimitPolicy: "node" } as const;
    const signed = <Response extends z.ZodType>(response: Response) => ({ config: node, schema: { body: SignedNodeMessageSchema, response: { 200: response, ...errorResponses } } });
    app.post("/api/mesh/register", signed(registerNodeSchema), async (request) => mesh.register(request.body));
    app.post("/api/mesh/heartbeat", signed(heartbeatSchema), async (request) => mesh.heartbeat(request.body));
    app.post("/api/mesh/updates", signed(receiveUpdateSchema), async (request) => mesh.receiveUpdate(request.body));
    // A host's nodes' heartbeats in one request (each still signed by its node).
    app.post(
      "/api/mesh/heartbeats",
      { config: node, schema: { body: z.strictObject({ messages: z.array(SignedNodeMessageSchema).min(1).max(5000) }), response: { 200: heartbeatsSchema, ...errorResponses } } },
      async (request) => mesh.heartbeats(request.body.messages),
    );

    app.get("/api/mesh/nodes", { schema: { response: { 200: meshNodesSchema, ...errorResponses } } }, async () => ({ nodes: mesh.nodes(), admitted: mesh.admitted().length, sockets: mesh.sessionCount() }));
    app.get("/api/mesh/stats", { schema: { response: { 200: meshStatsSchema, ...errorResponses } } }, async () => ({
      ...mesh.stats,
      registered: mesh.nodes().length,
      admitted: mesh.admitted().length,
      sockets: mesh.sessionCount(),
    }));

    app.post(
      "/api/mesh/nodes/admit",
      { schema: { body: admitNodesBodySchema, response: { 200: admitNodesSchema, ...errorResponses } } },
      async (request) => mesh.admit(request.body.nodes),
    );
    app.post(
      "/api/mesh/nodes/deregister",
      { schema: { body: deregisterNodesBodySchema, response: { 200: deregisterNodesSchema, ...errorResponses } } },
      async (request) => mesh.deregister(request.body.nodeIds, request.body.reason ?? "deregistered by the operator"),
    );
    app.post(
      "/api/mesh/nodes/health",
      { schema: { body: nodeHealthBodySchema, response: { 200: nodesHealthSchema, ...errorResponses } } },
      async (request) => {
        const nodes = await mesh.health(request.body.nodeIds, { probe: request.body.probe ?? true, probeTimeoutMs: request.body.probeTimeoutMs ?? 2000 });
        return { healthy: nodes.filter((n) => n.healthy).length, total: nodes.length, nodes };
      },
    );
  };
}

/** Options of {@link agentRoutes}. */
export type AgentRoutesParameters = {
  agents: AgentRegistry;
  logger: Logger;
  /** Most control sockets open at once; default 10 000. */
  maxSockets?: number;
  /** Ping period of control sockets: a vanished agent is dropped after two missed pongs. Default 10 s. */
  socketPingMs?: number;
  /** Largest frame from an agent, bytes; default 256 KiB (a hello lists at most 5000 node ids). */
  maxFrameBytes?: number;
};

/**
 * The host agents' control socket and the control address (see the file comment).
 *
 * @example
 * import { agentRoutes, meshRoutes } from "./mesh.ts";
 * routes: () => [meshRoutes({ mesh, logger }), agentRoutes({ agents, logger })]
 */
export function agentRoutes({ agents, logger, maxSockets = 10_000, socketPingMs = 10_000, maxFrameBytes = 256 * 1024 }: AgentRoutesParameters): ApiPlugin {
  return async (app) => {
    mountJsonSocket<CoordinatorToAgent>(app, {
      path: AGENT_SOCKET_PATH,
      protocol: { open: (channel) => agents.openSession(channel), frame: (sessionId, frame) => agents.onFrame(sessionId, frame), close: (sessionId) => agents.closeSession(sessionId), stop: () => agents.close() },
      logger: logger.child({ component: "agent-api" }),
      maxSockets,
      pingMs: socketPingMs,
      maxFrameBytes,
      closeCode: 1008,
    });

    app.get("/api/mesh/control", { schema: { response: { 200: meshControlSchema, ...errorResponses } } }, async () => ({
      address: agents.controlAddress,
      agents: agents.hosts().map((host) => ({ hostId: host.hostId, connected: host.connected, state: host.state, pid: host.pid ?? null, restarts: host.restarts, nodes: host.nodeIds.length })),
    }));
  };
}
