/**
 * The IPC channel between a node-host worker process and the process that started it:
 * the coordinator (a child host) or the host's own agent (`synod node-host` on another
 * machine). Both speak exactly this: an `init` with the host's settings (a spare
 * worker forked ahead of time waits for it), control commands each acknowledged by id,
 * and `ready` once every node has registered with the coordinator.
 */
import { z } from "zod";
import { AttackSpecSchema } from "../../fl/attacks/createAttack.ts";
import { NodeIdSchema } from "../remote/wire.ts";
import { HOST_DATASETS } from "./loadShards.ts";

/** Ways a host can be made to fail on purpose (deployment tests): see `nodeHostRuntime.ts`. */
export const HOST_FAULTS = ["wrong-key", "no-heartbeat", "bad-update-signature"] as const;
export type HostFault = (typeof HOST_FAULTS)[number];

/** What a host does on command, besides being killed or frozen by signal. */
export const HostCommandSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("ping") }),
  z.strictObject({ type: z.literal("attack"), nodeId: NodeIdSchema, spec: AttackSpecSchema.nullable() }),
  z.strictObject({ type: z.literal("clock"), offsetMs: z.number().int().min(-86_400_000).max(86_400_000) }),
  z.strictObject({ type: z.literal("stress"), workers: z.number().int().min(1).max(8), load: z.number().gt(0).max(1) }),
  z.strictObject({ type: z.literal("unstress") }),
]);
export type HostCommand = z.infer<typeof HostCommandSchema>;

/** A node's key as the host holds it. */
export const HostedNodeKeySchema = z.strictObject({ nodeId: NodeIdSchema, index: z.number().int().nonnegative(), privateKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/) });

/** The settings a worker runs with. */
export const WorkerInitSchema = z.strictObject({
  hostId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  /** Where the worker dials: the coordinator, or the link proxy in front of it. */
  coordinatorUrl: z.url({ protocol: /^https?$/ }),
  nodes: z.array(HostedNodeKeySchema).min(1).max(5000),
  data: z.strictObject({
    dataset: z.enum(HOST_DATASETS),
    totalShards: z.number().int().positive(),
    maxExamples: z.number().int().positive().optional(),
    seed: z.number().int().nonnegative(),
  }),
  model: z.strictObject({ kind: z.enum(["logistic-regression", "mlp"]), hidden: z.number().int().positive().optional() }),
  heartbeatMs: z.number().int().min(50).max(600_000),
  maxOfflineMs: z.number().int().min(1000),
  /** Misbehave on purpose (deployment tests): see `HOST_FAULTS`. */
  fault: z.enum(HOST_FAULTS).optional(),
  /** Where the worker writes its counters and latencies when SIGTERM stops it (benchmarks). */
  statsFile: z.string().min(1).max(4096).optional(),
});
export type WorkerInit = z.infer<typeof WorkerInitSchema>;

/** Parent → worker. */
export const ParentToWorkerSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("init"), init: WorkerInitSchema }),
  z.strictObject({ type: z.literal("command"), id: z.number().int().nonnegative(), command: HostCommandSchema }),
]);
export type ParentToWorker = z.infer<typeof ParentToWorkerSchema>;

/** Worker → parent. */
export type WorkerToParent =
  | { type: "ready"; bootId: string; pid: number; addresses: Record<string, `0x${string}`> }
  | { type: "ack"; id: number; error?: string };
