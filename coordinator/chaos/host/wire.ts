/**
 * What travels between the coordinator and a node host: the IPC control messages
 * (out of band, like a Kubernetes node agent, so network faults do not cut the chaos
 * engine off from the hosts it manages) and the HTTP bodies that go through the links.
 */
import { z } from "zod";
import type { NodeTelemetry } from "../../mesh/meshNode.ts";
import type { AttackSpec } from "../../fl/attacks/createAttack.ts";

/** A node as shipped to its host: identity seed, shard rows copied out of the dataset. */
export type HostedNodeInit = {
  nodeId: string;
  identitySeed: string;
  seed: number;
  features: Float32Array;
  labels: Uint8Array;
};

/** Coordinator → host. */
export type HostCommand =
  | {
      type: "init";
      hostId: string;
      model: { kind: "logistic-regression" | "mlp"; numFeatures: number; numClasses: number; hidden?: number };
      nodes: HostedNodeInit[];
      /** Port of each node's `from` link (heartbeats go through it); heartbeat period. */
      heartbeat: { intervalMs: number; ports: Record<string, number> };
      /** Clock offset to start with (a clock-skew fault survives nothing: restarts come up with 0). */
      clockOffsetMs: number;
    }
  | { type: "ping"; id: number }
  | { type: "attack"; id: number; nodeId: string; spec: AttackSpec | null }
  | { type: "clock"; id: number; offsetMs: number }
  | { type: "stress"; id: number; workers: number; load: number }
  | { type: "unstress"; id: number };

/** Host → coordinator. */
export type HostReply =
  | { type: "ready"; port: number; bootId: string; pid: number; addresses: Record<string, `0x${string}`> }
  | { type: "ack"; id: number; error?: string };

/** A heartbeat as a node sends it. */
export const HeartbeatSchema = z.strictObject({
  nodeId: z.string().min(1).max(128),
  hostId: z.string().min(1).max(128),
  /** Changes every time the host process starts: a new bootId means the node restarted. */
  bootId: z.string().min(1).max(64),
  seq: z.number().int().nonnegative(),
  /** The node's clock (ms since epoch), skew included. */
  sentAt: z.number(),
  pid: z.number().int().positive(),
  /** Event-loop delay p99 over the last period, ms (CPU starvation shows here first). */
  loopLagMs: z.number().nonnegative(),
  /** CPU the host process used over the last period, in cores (worker threads included). */
  cpuCores: z.number().nonnegative(),
  telemetry: z.looseObject({ roundsTrained: z.number(), failures: z.number(), lastTrainMs: z.number().nullable() }),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema> & { telemetry: Partial<NodeTelemetry> };

/** Base64 of a Float32Array's bytes. */
export function encodeFloat32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

/** Inverse of {@link encodeFloat32}. */
export function decodeFloat32(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** A fit request body. */
export const FitRequestSchema = z.strictObject({
  round: z.number().int(),
  modelVersion: z.number().int(),
  params: z.string(),
  config: z.looseObject({ localEpochs: z.number(), learningRate: z.number(), batchSize: z.number() }),
});

/** A fit response body. */
export const FitResponseSchema = z.strictObject({
  nodeId: z.string(),
  round: z.number().int(),
  modelVersion: z.number().int(),
  params: z.string(),
  numExamples: z.number(),
  metrics: z.strictObject({ loss: z.number(), accuracy: z.number(), trainMs: z.number() }),
  updateHash: z.string().regex(/^0x[0-9a-f]{64}$/),
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
});
