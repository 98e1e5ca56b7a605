/**
 * Federated learning: `POST /api/fl/rounds`, `GET /api/fl/status`, `/api/fl/model`, `/api/fl/metrics`.
 */
import { z } from "zod";
import { noParametersBodySchema } from "./common.ts";

/** `POST /api/fl/rounds` takes no parameters. */
export const startRoundBodySchema = noParametersBodySchema;

/** `POST /api/fl/rounds` → 202. */
export const startRoundSchema = z.object({
  round: z.number().int(),
  participants: z.number().int(),
  /** The round's deadline, ms. */
  timeoutMs: z.number(),
});
export type StartRound = z.output<typeof startRoundSchema>;

export const flStatusSchema = z.object({
  nodes: z.object({ total: z.number(), online: z.number(), banned: z.number() }),
  rounds: z.object({ completed: z.number(), failed: z.number(), running: z.number() }),
  updates: z.object({ accepted: z.number(), rejected: z.number() }),
  /** The round in progress, if any. */
  current: z.object({ round: z.number(), timeoutMs: z.number() }).nullable(),
  /** The aggregation strategy and its parameters (MeshPolicy). */
  strategy: z.record(z.string(), z.unknown()),
});
export type FlStatus = z.output<typeof flStatusSchema>;

/** The current global model; `round` is `null` until a round completed. */
export const flModelSchema = z.object({
  version: z.number(),
  round: z.number().nullable(),
  /** The Model record's CID. */
  recordCid: z.string().nullable(),
  /** The weights' manifest CID. */
  manifestCid: z.string().nullable(),
  holdoutAccuracy: z.number().nullable(),
  holdoutLoss: z.number().nullable(),
  /** The Model record's lifecycle status (unpublished, pending, proposed, ratified, …; `unknown` if the outbox lost it). */
  status: z.string().nullable(),
  /** Its registry id once recorded on chain. */
  recordId: z.number().nullable(),
});
export type FlModel = z.output<typeof flModelSchema>;

export const flMetricsSchema = z.object({
  rounds: z.object({ completed: z.number(), failed: z.number() }),
  updates: z.object({ accepted: z.number(), rejected: z.number(), rejectedByReason: z.record(z.string(), z.number()) }),
  byzantineDetections: z.number(),
  /** Hold-out accuracy and loss per completed round, oldest first. */
  accuracy: z.array(z.object({ round: z.number(), accuracy: z.number(), loss: z.number() })),
  /** Every failed round, with why when known. */
  failures: z.array(z.object({ round: z.number(), reason: z.string().nullable() })),
});
export type FlMetrics = z.output<typeof flMetricsSchema>;
