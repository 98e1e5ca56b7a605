/**
 * What travels on a host agent's control socket (`GET /api/mesh/agent`, upgraded to a
 * WebSocket), which the agent opens to the coordinator directly, never through its
 * link proxy, so a link fault cannot cut it:
 *
 *   coordinator ─ challenge {nonce, controlAddress} ─▶ agent
 *   coordinator ◀─ agent-hello (signed by one of the host's node keys: hostId, nodeIds, nonce, session) ─ agent
 *   coordinator ─ welcome | refused ─▶ agent
 *   coordinator ─ control (signed by the control key: session, id, op) ─▶ agent
 *   coordinator ◀─ ack {id, error, responsive?} · state {state, pid, bootId, exit, …} ─ agent
 *
 * Both signed messages are node messages (`remote/nodeMessage.ts`) of their own kind,
 * so neither can pass for the other or for a node's register/heartbeat/update.
 */
import { z } from "zod";
import type { LinkDirection, LinkImpairment } from "../link/linkProxy.ts";
import { HostCommandSchema } from "../nodeHost/workerChannel.ts";
import { NodeIdSchema, SignedNodeMessageSchema } from "../remote/wire.ts";

const HostIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/);
/** A random id the agent picks for each control connection; control messages name it. */
const SessionSchema = z.string().regex(/^[0-9a-f]{32}$/);

/** Impairments of one link direction, as `LinkProxy.impair` takes them. */
export const LinkImpairmentSchema = z.strictObject({
  delayMs: z.number().nonnegative().max(600_000).optional(),
  jitterMs: z.number().nonnegative().max(600_000).optional(),
  loss: z.number().min(0).max(1).optional(),
  rtoMs: z.number().positive().max(60_000).optional(),
  bytesPerSecond: z.number().positive().optional(),
  blackhole: z.boolean().optional(),
}) satisfies z.ZodType<LinkImpairment>;

const LinkDirectionSchema = z.enum(["to", "from"] as const satisfies readonly LinkDirection[]);
const TimeoutSchema = z.number().int().min(10).max(600_000);

/** One control operation: what `HostControl` does to a remote host. */
export const ControlOpSchema = z.discriminatedUnion("op", [
  z.strictObject({ op: z.literal("start"), timeoutMs: TimeoutSchema }),
  z.strictObject({ op: z.literal("restart"), timeoutMs: TimeoutSchema }),
  z.strictObject({ op: z.literal("kill") }),
  z.strictObject({ op: z.literal("pause") }),
  z.strictObject({ op: z.literal("resume") }),
  z.strictObject({ op: z.literal("stop") }),
  /** Whether the worker acknowledges a `ping` on its IPC channel within `timeoutMs`. */
  z.strictObject({ op: z.literal("ping"), timeoutMs: TimeoutSchema }),
  /** A worker command (attack, clock, stress, unstress), forwarded over IPC. */
  z.strictObject({ op: z.literal("command"), command: HostCommandSchema, timeoutMs: TimeoutSchema }),
  z.strictObject({ op: z.literal("link-impair"), direction: LinkDirectionSchema, patch: LinkImpairmentSchema }),
  z.strictObject({ op: z.literal("link-restore"), direction: LinkDirectionSchema, keys: z.array(LinkImpairmentSchema.keyof()).optional() }),
  z.strictObject({ op: z.literal("link-down"), down: z.boolean() }),
]);
export type ControlOp = z.infer<typeof ControlOpSchema>;

/** The signed payload of a `control` message. */
export const ControlPayloadSchema = z.strictObject({
  /** The agent's session this is for: a message is good on one connection only. */
  session: SessionSchema,
  /** Echoed in the ack. */
  id: z.number().int().nonnegative(),
  op: ControlOpSchema,
});
export type ControlPayload = z.infer<typeof ControlPayloadSchema>;

/** The signed payload of an `agent-hello` message. */
export const AgentHelloPayloadSchema = z.strictObject({
  hostId: HostIdSchema,
  /** Every node the host carries; each must be admitted to this host id. */
  nodeIds: z.array(NodeIdSchema).min(1).max(5000),
  /** The coordinator's challenge (one use). */
  nonce: z.string().regex(/^[0-9a-f]{32}$/),
  session: SessionSchema,
  agentPid: z.number().int().positive(),
  /** Whether the worker's traffic crosses the agent's link proxy (link faults possible). */
  linkProxy: z.boolean(),
});
export type AgentHelloPayload = z.infer<typeof AgentHelloPayloadSchema>;

/** A signed `control` message (its `nodeId` is the host id). */
export const ControlMessageSchema = SignedNodeMessageSchema.extend({ kind: z.literal("control"), nodeId: HostIdSchema });

/** A signed `agent-hello` message (its `nodeId` is the signing node's). */
export const AgentHelloMessageSchema = SignedNodeMessageSchema.extend({ kind: z.literal("agent-hello") });

/** The life-cycle states a host reports (as `HostControl.state`). */
export const HOST_STATES = ["starting", "running", "paused", "dead", "stopped"] as const;

/** The agent's report of its worker, sent after `welcome` and on every change. */
export const HostStateReportSchema = z.strictObject({
  type: z.literal("state"),
  state: z.enum(HOST_STATES),
  /** The worker's pid (a new one per start), `null` when none runs. */
  pid: z.number().int().positive().nullable(),
  /** The worker's boot id from its `ready`, `null` before. */
  bootId: z.string().max(64).nullable(),
  clockOffsetMs: z.number().int(),
  /** The spare worker: none, still loading its modules, or warm (a restart takes it). */
  spare: z.enum(["none", "loading", "warm"]),
  /** How the last worker ended, if it did. */
  exit: z.strictObject({ code: z.number().int().nullable(), signal: z.string().max(16).nullable() }).nullable(),
});
export type HostStateReport = z.infer<typeof HostStateReportSchema>;

/** Coordinator → agent. */
export const CoordinatorToAgentSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("challenge"), nonce: z.string(), controlAddress: z.string() }),
  z.strictObject({ type: z.literal("welcome"), hostId: z.string() }),
  z.strictObject({ type: z.literal("refused"), reason: z.string().max(500) }),
  z.strictObject({ type: z.literal("control"), message: ControlMessageSchema }),
]);
export type CoordinatorToAgent = z.infer<typeof CoordinatorToAgentSchema>;

/** Agent → coordinator. */
export const AgentToCoordinatorSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("agent-hello"), message: AgentHelloMessageSchema }),
  z.strictObject({ type: z.literal("ack"), id: z.number().int().nonnegative(), error: z.string().max(500).nullable(), responsive: z.boolean().optional() }),
  HostStateReportSchema,
]);
export type AgentToCoordinator = z.infer<typeof AgentToCoordinatorSchema>;
