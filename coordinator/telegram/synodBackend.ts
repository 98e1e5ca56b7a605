/**
 * What the bot asks the coordinator, as one port: FL and proposals over the
 * coordinator's HTTP API (the same routes the CLI and the dApp use, so the bot needs
 * no database or chain of its own, and admin actions go through the admin token), and
 * the chaos engine and MAPE-K loop as optional in-process ports (they have no HTTP
 * routes yet; see `chaosPort.ts` and `mapekPort.ts` for adapters over the real classes).
 *
 * Responses are validated with zod at this boundary: a coordinator of another version
 * gives a clear error instead of `undefined` in a message.
 */
import { z } from "zod";
import type { ApiClient } from "../cli/apiClient.ts";
import { CoordinatorTimeoutError } from "../errors/telegram.ts";
import type { ChaosPort } from "./chaosPort.ts";
import type { MapekPort } from "./mapekPort.ts";

const nullableNumber = z.number().nullable();

export const StartRoundSchema = z.object({ round: z.number().int(), participants: z.number().int(), timeoutMs: z.number() });
export type StartRoundView = z.infer<typeof StartRoundSchema>;

export const FlStatusSchema = z.object({
  nodes: z.object({ total: z.number(), online: z.number(), banned: z.number() }),
  rounds: z.object({ completed: z.number(), failed: z.number(), running: z.number() }),
  updates: z.object({ accepted: z.number(), rejected: z.number() }),
  current: z.object({ round: z.number(), timeoutMs: z.number() }).nullable(),
  strategy: z.record(z.string(), z.unknown()),
});
export type FlStatusView = z.infer<typeof FlStatusSchema>;

export const FlModelSchema = z.object({
  version: z.number(),
  round: nullableNumber,
  recordCid: z.string().nullable(),
  manifestCid: z.string().nullable(),
  holdoutAccuracy: nullableNumber,
  holdoutLoss: nullableNumber,
  /** The Model record's lifecycle status (unpublished, pending, proposed, ratified, …). */
  status: z.string().nullable(),
  recordId: z.union([z.number(), z.string()]).nullable(),
});
export type FlModelView = z.infer<typeof FlModelSchema>;

export const FlMetricsSchema = z.object({
  rounds: z.object({ completed: z.number(), failed: z.number() }),
  updates: z.object({ accepted: z.number(), rejected: z.number(), rejectedByReason: z.record(z.string(), z.number()) }),
  byzantineDetections: z.number(),
  accuracy: z.array(z.object({ round: z.number(), accuracy: z.number(), loss: z.number() })),
  failures: z.array(z.object({ round: z.number(), reason: z.string().nullable() })),
});
export type FlMetricsView = z.infer<typeof FlMetricsSchema>;

export const ProposalsSchema = z.object({
  proposals: z.array(
    z.object({
      id: z.string(),
      state: z.string(),
      title: z.string(),
      voteStart: z.number(),
      voteEnd: z.number(),
      votes: z.object({ for: z.string(), against: z.string(), abstain: z.string() }),
      batch: z.object({ records: z.array(z.object({ kind: z.string() })) }).nullable(),
    }),
  ),
});
export type ProposalView = z.infer<typeof ProposalsSchema>["proposals"][number];

/** Everything the bot's commands read or do. */
export type SynodBackend = {
  fl: {
    /** Starts a round (admin). @throws {ApiRequestError} 409 while one runs. */
    startRound(): Promise<StartRoundView>;
    status(): Promise<FlStatusView>;
    model(): Promise<FlModelView>;
    metrics(): Promise<FlMetricsView>;
  };
  /** Governor proposals, newest first. */
  proposals(limit: number): Promise<ProposalView[]>;
  /** The chaos engine; absent when the coordinator does not run one. */
  chaos?: ChaosPort;
  /** The MAPE-K loop; absent when the coordinator does not run one. */
  mapek?: MapekPort;
  /** The coordinator's base URL (for `/ipfs/{cid}` links). */
  apiUrl: string;
};

export type CreateHttpBackendParameters = {
  /** A client for the coordinator's API with the admin token (see `createApiClient`). */
  api: ApiClient;
  /** A call not answered within this many ms fails, so a hung coordinator cannot stall the bot (it handles updates in order). Default 15 000. */
  timeoutMs?: number;
  chaos?: ChaosPort | undefined;
  mapek?: MapekPort | undefined;
};

/**
 * @example
 * import { createApiClient } from "../cli/apiClient.ts";
 * import { createHttpBackend } from "./synodBackend.ts";
 * const backend = createHttpBackend({ api: createApiClient({ env: { SYNOD_API_URL: "http://127.0.0.1:8787", SYNOD_ADMIN_TOKEN: token } }) });
 * const { round } = await backend.fl.startRound();
 */
export function createHttpBackend({ api, chaos, mapek, timeoutMs = 15_000 }: CreateHttpBackendParameters): SynodBackend {
  const timed = <T>(pathname: string, call: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CoordinatorTimeoutError({ url: api.baseUrl, pathname, timeoutMs })), timeoutMs);
    });
    return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
  };
  const get = async <S extends z.ZodType>(schema: S, pathname: string, query?: Record<string, string | number>) => schema.parse(await timed(pathname, api.get<unknown>(pathname, query))) as z.output<S>;
  return {
    fl: {
      startRound: async () => StartRoundSchema.parse(await timed("/api/fl/rounds", api.post<unknown>("/api/fl/rounds", {}))),
      status: () => get(FlStatusSchema, "/api/fl/status"),
      model: () => get(FlModelSchema, "/api/fl/model"),
      metrics: () => get(FlMetricsSchema, "/api/fl/metrics"),
    },
    proposals: async (limit) => (await get(ProposalsSchema, "/api/proposals", { limit })).proposals,
    ...(chaos ? { chaos } : {}),
    ...(mapek ? { mapek } : {}),
    apiUrl: api.baseUrl,
  };
}
