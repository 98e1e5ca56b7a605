/**
 * What the bot asks the coordinator, as one port, all over the coordinator's HTTP API
 * (the same routes the CLI and the dApp use, so the bot needs no database, chain or
 * mesh of its own, and admin actions go through the admin token): FL, proposals, the
 * chaos engine (`/api/chaos/*`, see `chaosPort.ts`) and the MAPE-K loop (`/api/mapek`,
 * see `mapekPort.ts`). The bot inside the coordinator and `synod telegram` get the same.
 *
 * Responses are validated with zod at this boundary: a coordinator of another version
 * gives a clear error instead of `undefined` in a message. The chaos routes' 404 and 409
 * become the domain's `UnknownExperimentError` and `ExperimentRunningError`, and their
 * 503 (no mesh in node-host processes, so no chaos engine and no MAPE-K loop) becomes
 * `ChaosUnavailableError`, so the commands answer these in their own words.
 */
import { z } from "zod";
import { ApiRequestError, type ApiClient } from "../cli/apiClient.ts";
import { ChaosUnavailableError, ExperimentRunningError, UnknownExperimentError } from "../errors/chaos.ts";
import { CoordinatorTimeoutError } from "../errors/telegram.ts";
import type { ChaosPort, ChaosStatusView, ExperimentEntry } from "./chaosPort.ts";
import type { MapekPort, MapekView } from "./mapekPort.ts";

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
      /** Routine proposals only write knowledge and pass unless vetoed; full ones need the quorum vote. */
      proposalType: z.enum(["routine", "full"]),
      epoch: z.object({ epoch: z.number(), records: z.number() }).nullable(),
    }),
  ),
});
export type ProposalView = z.infer<typeof ProposalsSchema>["proposals"][number];

/** `GET /api/chaos/experiments`: the valid entries are the ones the bot offers. */
export const ChaosExperimentsSchema = z.object({
  experiments: z.array(
    z.union([
      z.object({ valid: z.literal(true), file: z.string(), name: z.string(), title: z.string(), nominalDurationMs: z.number() }),
      z.object({ valid: z.literal(false), file: z.string() }),
    ]),
  ),
});

/** A run as `POST /api/chaos/runs` and `GET /api/chaos/status` show it (the fields the bot uses). */
export const ChaosRunSchema = z.object({
  runId: z.number().int(),
  experiment: z.string(),
  title: z.string(),
  status: z.string(),
  timeScale: z.number(),
  nominalDurationMs: z.number(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  progress: z.object({ phase: z.string(), detail: z.string() }).nullable(),
  reportCid: z.string().nullable(),
  journal: z.object({ deviated: z.boolean(), resilienceScore: z.number(), mttdMs: nullableNumber, mttrMs: nullableNumber }).nullable(),
});

export const ChaosStatusSchema = z.object({
  running: ChaosRunSchema.nullable(),
  last: ChaosRunSchema.nullable(),
  activeFaults: z.array(z.object({ faultId: z.string(), kind: z.string(), affected: z.array(z.string()) })),
  statistics: z.record(
    z.string(),
    z.object({ injected: z.number(), active: z.number(), recovered: z.number(), failed: z.number(), mttdMs: nullableNumber, mttrMs: nullableNumber }),
  ),
});

/** `GET /api/mapek` (the fields the bot uses). */
export const MapekSchema = z.object({
  state: z.string().nullable(),
  phi: nullableNumber,
  epoch: z.number(),
  openIncidents: z.array(z.object({ incidentId: z.string(), nodeId: z.string(), condition: z.string(), detectedAt: z.number() })),
  recentIncidents: z.array(z.object({ healedAt: nullableNumber })),
  excluded: z.record(z.string(), z.unknown()),
});

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
  /** The chaos engine. Every call throws `ChaosUnavailableError` where the coordinator runs none. */
  chaos: ChaosPort;
  /** The MAPE-K loop. Throws `ChaosUnavailableError` where the coordinator runs none. */
  mapek: MapekPort;
  /** The coordinator's base URL (for `/ipfs/{cid}` links). */
  apiUrl: string;
};

export type CreateHttpBackendParameters = {
  /** A client for the coordinator's API with the admin token (see `createApiClient`). */
  api: ApiClient;
  /** A call not answered within this many ms fails, so a hung coordinator cannot stall the bot (it handles updates in order). Default 15 000. */
  timeoutMs?: number;
};

/**
 * @example
 * import { createApiClient } from "../cli/apiClient.ts";
 * import { createHttpBackend } from "./synodBackend.ts";
 * const backend = createHttpBackend({ api: createApiClient({ env: { SYNOD_API_URL: "http://127.0.0.1:8787", SYNOD_ADMIN_TOKEN: token } }) });
 * const { round } = await backend.fl.startRound();
 */
export function createHttpBackend({ api, timeoutMs = 15_000 }: CreateHttpBackendParameters): SynodBackend {
  const timed = <T>(pathname: string, call: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CoordinatorTimeoutError({ url: api.baseUrl, pathname, timeoutMs })), timeoutMs);
    });
    return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
  };
  const get = async <S extends z.ZodType>(schema: S, pathname: string, query?: Record<string, string | number>) => schema.parse(await timed(pathname, api.get<unknown>(pathname, query))) as z.output<S>;
  /** A chaos or MAPE-K call: the coordinator's 503 means it runs neither (see `coordinator/api/chaos.ts`). */
  const chaosCall = async <T>(pathname: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 503) {
        throw new ChaosUnavailableError({ reason: `the coordinator at ${api.baseUrl} answered ${pathname} with 503 (${error.shortMessage})` });
      }
      throw error;
    }
  };
  const experiments = async (): Promise<ExperimentEntry[]> =>
    (await chaosCall("/api/chaos/experiments", () => get(ChaosExperimentsSchema, "/api/chaos/experiments"))).experiments.flatMap((e) =>
      e.valid ? [{ file: e.file, name: e.name, title: e.title, nominalDurationMs: e.nominalDurationMs }] : [],
    );
  const chaosStatus = async (): Promise<ChaosStatusView> => {
    const status = await chaosCall("/api/chaos/status", () => get(ChaosStatusSchema, "/api/chaos/status"));
    const { running, last } = status;
    return {
      running: running && { runId: running.runId, experiment: running.experiment, title: running.title, startedAt: running.startedAt, phase: running.progress?.phase ?? "started", detail: running.progress?.detail ?? "" },
      last: last && {
        runId: last.runId,
        experiment: last.experiment,
        status: last.status,
        deviated: last.journal?.deviated ?? null,
        resilienceScore: last.journal?.resilienceScore ?? null,
        mttdMs: last.journal?.mttdMs ?? null,
        mttrMs: last.journal?.mttrMs ?? null,
        reportCid: last.reportCid,
        endedAt: last.endedAt ?? last.startedAt,
      },
      activeFaults: status.activeFaults.map(({ faultId, kind, affected }) => ({ faultId, kind, affected })),
      statistics: Object.fromEntries(Object.entries(status.statistics).filter(([, s]) => s.injected > 0)),
    };
  };
  const chaos: ChaosPort = {
    experiments,
    status: chaosStatus,
    async run(name, options = {}) {
      const pathname = "/api/chaos/runs";
      try {
        const body = { name, ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }) };
        const run = ChaosRunSchema.parse(await chaosCall(pathname, () => timed(pathname, api.post<unknown>(pathname, body))));
        return { runId: run.runId, experiment: run.experiment, title: run.title, nominalDurationMs: run.nominalDurationMs, timeScale: run.timeScale };
      } catch (error) {
        if (!(error instanceof ApiRequestError)) throw error;
        // The API sends the short message only: ask again for what the domain errors carry.
        if (error.status === 404) throw new UnknownExperimentError({ name, known: (await experiments().catch(() => [])).map((e) => e.name) });
        if (error.status === 409) throw new ExperimentRunningError({ experiment: (await chaosStatus().catch(() => undefined))?.running?.experiment ?? name });
        throw error;
      }
    },
  };
  const mapek: MapekPort = {
    async view(): Promise<MapekView> {
      const v = await chaosCall("/api/mapek", () => get(MapekSchema, "/api/mapek"));
      return {
        state: v.state,
        phi: v.phi,
        epoch: v.epoch,
        openIncidents: v.openIncidents.map(({ incidentId, nodeId, condition, detectedAt }) => ({ incidentId, nodeId, condition, detectedAt })),
        healedIncidents: v.recentIncidents.filter((i) => i.healedAt !== null).length,
        excluded: Object.keys(v.excluded).length,
      };
    },
  };
  return {
    fl: {
      startRound: async () => StartRoundSchema.parse(await timed("/api/fl/rounds", api.post<unknown>("/api/fl/rounds", {}))),
      status: () => get(FlStatusSchema, "/api/fl/status"),
      model: () => get(FlModelSchema, "/api/fl/model"),
      metrics: () => get(FlMetricsSchema, "/api/fl/metrics"),
    },
    proposals: async (limit) => (await get(ProposalsSchema, "/api/proposals", { limit })).proposals,
    chaos,
    mapek,
    apiUrl: api.baseUrl,
  };
}
