/**
 * Remote mesh nodes. Node-facing routes take signed node messages (their schema is the
 * mesh's wire protocol, `coordinator/mesh/remote/wire.ts`); the operator-facing ones are here.
 *
 * - `POST /api/mesh/register`, `/api/mesh/heartbeat`, `/api/mesh/updates`, `/api/mesh/heartbeats` (nodes)
 * - `GET /api/mesh/nodes`, `GET /api/mesh/stats`
 * - `POST /api/mesh/nodes/admit`, `/api/mesh/nodes/deregister`, `/api/mesh/nodes/health` (admin)
 */
import { z } from "zod";
// The mesh's wire protocol (zod only) owns the node id's form.
import { NodeIdSchema as nodeIdSchema } from "../../mesh/remote/wire.ts";
const addressSchema = z.templateLiteral(["0x", z.string().regex(/^[0-9a-fA-F]{40}$/)]);

// --- requests (admin) ---

/** Accept these node keys (the deployer calls it with each batch). */
export const admitNodesBodySchema = z.strictObject({
  nodes: z.array(z.strictObject({ nodeId: nodeIdSchema, address: addressSchema, hostId: z.string().min(1).max(128), batch: z.string().max(64).optional() })).max(10_000),
});
export type AdmitNodesBody = z.input<typeof admitNodesBodySchema>;

/** Forget these nodes (a rollback). */
export const deregisterNodesBodySchema = z.strictObject({ nodeIds: z.array(nodeIdSchema).max(10_000), reason: z.string().max(200).optional() });
export type DeregisterNodesBody = z.input<typeof deregisterNodesBodySchema>;

/** The per-node health check, with a signed probe by default. */
export const nodeHealthBodySchema = z.strictObject({ nodeIds: z.array(nodeIdSchema).max(10_000), probe: z.boolean().optional(), probeTimeoutMs: z.int().min(50).max(30_000).optional() });
export type NodeHealthBody = z.input<typeof nodeHealthBodySchema>;

// --- responses ---

export const registerNodeSchema = z.object({ nodeId: z.string(), heartbeatMs: z.number(), serverTime: z.number() });
export const heartbeatSchema = z.object({ serverTime: z.number() });
/** Each heartbeat of the batch verified on its own. */
export const heartbeatsSchema = z.object({ serverTime: z.number(), results: z.array(z.object({ nodeId: z.string(), ok: z.boolean(), reason: z.string().nullable() })) });
export const receiveUpdateSchema = z.object({ accepted: z.boolean(), reason: z.string().nullable() });

/** What the coordinator knows about a registered node. */
export const remoteNodeSchema = z.object({
  nodeId: z.string(),
  address: addressSchema,
  hostId: z.string(),
  batch: z.string().nullable(),
  connected: z.boolean(),
  bootId: z.string(),
  pid: z.number(),
  heartbeatMs: z.number(),
  numExamples: z.number(),
  registeredAt: z.number(),
  lastSeenAt: z.number(),
  heartbeats: z.number(),
  roundsTrained: z.number(),
  failures: z.number(),
  loopLagMs: z.number(),
});
export type RemoteNode = z.output<typeof remoteNodeSchema>;

export const meshNodesSchema = z.object({
  nodes: z.array(remoteNodeSchema),
  /** Node keys admitted. */
  admitted: z.number(),
  /** Host sockets open. */
  sockets: z.number(),
});
export type MeshNodes = z.output<typeof meshNodesSchema>;

export const meshStatsSchema = z.object({
  registrations: z.number(),
  heartbeats: z.number(),
  /** Refused node messages by the rule they broke. */
  rejected: z.record(z.string(), z.number()),
  fitsSent: z.number(),
  updatesReceived: z.number(),
  updatesLate: z.number(),
  fitsFailed: z.number(),
  fitsTimedOut: z.number(),
  probes: z.number(),
  registered: z.number(),
  admitted: z.number(),
  sockets: z.number(),
});
export type MeshStats = z.output<typeof meshStatsSchema>;

export const admitNodesSchema = z.object({ admitted: z.number() });
export type AdmitNodes = z.output<typeof admitNodesSchema>;
export const deregisterNodesSchema = z.object({ deregistered: z.array(z.string()) });
export type DeregisterNodes = z.output<typeof deregisterNodesSchema>;

/** One node's health as the deployment check sees it. */
export const nodeHealthSchema = z.object({
  nodeId: z.string(),
  admitted: z.boolean(),
  registered: z.boolean(),
  connected: z.boolean(),
  heartbeats: z.number(),
  /** Milliseconds since the last heartbeat (or registration), `null` if never registered. */
  lastSeenAgeMs: z.number().nullable(),
  heartbeating: z.boolean(),
  probe: z.object({ ok: z.boolean(), rttMs: z.number().nullable(), error: z.string().nullable() }).nullable(),
  healthy: z.boolean(),
  /** Why not healthy, one line; `null` when healthy. */
  problem: z.string().nullable(),
});
export type NodeHealth = z.output<typeof nodeHealthSchema>;

export const nodesHealthSchema = z.object({ healthy: z.number(), total: z.number(), nodes: z.array(nodeHealthSchema) });
export type NodesHealth = z.output<typeof nodesHealthSchema>;

/** `GET /api/mesh/control`: the control key's address and the host agents under control. */
export const meshControlSchema = z.object({
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  agents: z.array(
    z.object({
      hostId: z.string(),
      connected: z.boolean(),
      state: z.enum(["starting", "running", "paused", "dead", "stopped"]),
      pid: z.number().int().nullable(),
      restarts: z.number().int(),
      nodes: z.number().int(),
    }),
  ),
});
export type MeshControl = z.output<typeof meshControlSchema>;
