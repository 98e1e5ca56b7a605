/**
 * What travels between node hosts and the coordinator:
 *
 * - node → coordinator over HTTP, each body one {@link SignedNodeMessage}:
 *   `POST /api/mesh/register`, `/api/mesh/heartbeat`, `/api/mesh/updates`;
 * - coordinator → host over one WebSocket per host (`/api/mesh/ws`): fit requests and
 *   probes ({@link CoordinatorToHost}); the host answers probes on the same socket
 *   with signed messages ({@link HostToCoordinator}).
 *
 * The socket carries no authority of its own: a node is bound to it only by its
 * signed `register`, and everything it says about a node is signed by that node.
 */
import { z } from "zod";

const hex = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`));

/** A node id: what the deployment manifest names it. */
export const NodeIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,96}$/, { error: "letters, digits, '.', '_' and '-', at most 96" });

/** A signed node message as sent (see `nodeMessage.ts`). */
export const SignedNodeMessageSchema = z.strictObject({
  kind: z.enum(["register", "heartbeat", "update", "probe"]),
  nodeId: NodeIdSchema,
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  sentAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  // A logistic-regression MNIST update is ~42 KB of base64; the body limit bounds the rest.
  payload: z.string().max(64 * 1024 * 1024),
  signature: hex(65),
});

/** `register`: the node joins, bound to its host's socket session. */
export const RegisterPayloadSchema = z.strictObject({
  hostId: z.string().min(1).max(128),
  /** The session id the host's socket was given in `hello`. */
  sessionId: z.string().min(1).max(64),
  /** Changes with every start of the host process (a restart is visible). */
  bootId: z.string().min(1).max(64),
  pid: z.number().int().positive(),
  /** The node's heartbeat period (the coordinator judges staleness by it). */
  heartbeatMs: z.number().int().min(50).max(600_000),
  numExamples: z.number().int().nonnegative(),
});
export type RegisterPayload = z.infer<typeof RegisterPayloadSchema>;

/** `heartbeat`: the node is alive; a little telemetry rides along. */
export const HeartbeatPayloadSchema = z.strictObject({
  bootId: z.string().min(1).max(64),
  /** Counts this node's heartbeats since its boot, from 1: gaps are lost heartbeats. */
  beat: z.number().int().positive(),
  roundsTrained: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  /** How long the node's last local training took, ms (`null` before the first). */
  lastTrainMs: z.number().nonnegative().nullable(),
  /** The host's event-loop delay p99 over the last period, ms. */
  loopLagMs: z.number().nonnegative(),
  /** CPU the host process used over the last period, in cores (stress workers included). */
  cpuCores: z.number().nonnegative(),
  /** The part of `cpuCores` spent training its nodes: work the coordinator asked for, not load. */
  trainCpuCores: z.number().nonnegative(),
});
export type HeartbeatPayload = z.infer<typeof HeartbeatPayloadSchema>;

/** `update`: the answer to a fit request (the FL update keeps its own EIP-712 signature). */
export const UpdatePayloadSchema = z.strictObject({
  requestId: z.string().min(1).max(64),
  round: z.number().int().nonnegative(),
  modelVersion: z.number().int().nonnegative(),
  /** Base64 of the little-endian float32 parameters. */
  params: z.string(),
  numExamples: z.number().int().nonnegative(),
  metrics: z.strictObject({ loss: z.number(), accuracy: z.number(), trainMs: z.number() }),
  updateHash: hex(32),
  signature: hex(65),
});
export type UpdatePayload = z.infer<typeof UpdatePayloadSchema>;

/** `probe`: the node echoes the coordinator's nonce, proving it holds its key right now. */
export const ProbePayloadSchema = z.strictObject({ nonce: z.string().min(16).max(64) });

/** Local training settings sent with a fit request. */
export const FitConfigSchema = z.looseObject({ localEpochs: z.number(), learningRate: z.number(), batchSize: z.number(), proximalMu: z.number().optional() });

/** Coordinator → host, on the socket. */
export const CoordinatorToHostSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("hello"), sessionId: z.string() }),
  z.strictObject({
    type: z.literal("fit"),
    requestId: z.string(),
    nodeId: z.string(),
    round: z.number().int(),
    modelVersion: z.number().int(),
    params: z.string(),
    config: FitConfigSchema,
    timeoutMs: z.number().int().positive(),
  }),
  z.strictObject({ type: z.literal("cancel"), requestId: z.string() }),
  z.strictObject({ type: z.literal("probe"), nodeId: z.string(), nonce: z.string() }),
  z.strictObject({ type: z.literal("deregistered"), nodeId: z.string(), reason: z.string() }),
]);
export type CoordinatorToHost = z.infer<typeof CoordinatorToHostSchema>;

/** Host → coordinator, on the socket. */
export const HostToCoordinatorSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("probe-answer"), message: SignedNodeMessageSchema }),
  z.strictObject({ type: z.literal("fit-failed"), requestId: z.string(), nodeId: z.string(), reason: z.string().max(500) }),
]);
export type HostToCoordinator = z.infer<typeof HostToCoordinatorSchema>;

/** Base64 of a Float32Array's bytes. */
export function encodeParams(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

/** Inverse of {@link encodeParams}; `null` when the length is not a whole number of floats. */
export function decodeParams(text: string): Float32Array | null {
  const bytes = Buffer.from(text, "base64");
  if (bytes.byteLength % 4 !== 0) return null;
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
