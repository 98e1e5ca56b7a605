/**
 * What the bot asks the coordinator, as one port, all over the coordinator's HTTP API
 * (the same routes the CLI and the dApp use, so the bot needs no database, chain or
 * mesh of its own, and admin actions go through the admin token): FL, proposals, the
 * chaos engine (`/api/chaos/*`, see `chaosPort.ts`) and the MAPE-K loop (`/api/mapek`,
 * see `mapekPort.ts`). The bot inside the coordinator and `synod telegram` get the same.
 *
 * Responses are validated with the routes' own schemas (`coordinator/api/schemas/`, through
 * the typed actions of `coordinator/client/`): a coordinator of another version gives a
 * clear error instead of `undefined` in a message. The chaos routes' 404 and 409
 * become the domain's `UnknownExperimentError` and `ExperimentRunningError`, and their
 * 503 (no mesh in node-host processes, so no chaos engine and no MAPE-K loop) becomes
 * `ChaosUnavailableError`, so the commands answer these in their own words.
 */
import type { FlMetrics, FlModel, FlStatus, StartRound } from "../api/schemas/fl.ts";
import type { ProposalEntry } from "../api/schemas/proposals.ts";
import { getChaosStatus, listChaosExperiments, startChaosRun } from "../client/actions/chaos.ts";
import { getFlMetrics, getFlModel, getFlStatus, startFlRound } from "../client/actions/fl.ts";
import { getMapekStatus } from "../client/actions/mapek.ts";
import { listProposals } from "../client/actions/proposals.ts";
import type { ApiClient } from "../client/apiClient.ts";
import { ChaosUnavailableError, ExperimentRunningError, UnknownExperimentError } from "../errors/chaos.ts";
import { ApiRequestError } from "../errors/client.ts";
import { CoordinatorTimeoutError } from "../errors/telegram.ts";
import type { ChaosPort, ChaosStatusView, ExperimentEntry } from "./chaosPort.ts";
import type { MapekPort, MapekView } from "./mapekPort.ts";

/** Everything the bot's commands read or do. */
export type SynodBackend = {
  fl: {
    /** Starts a round (admin). @throws {ApiRequestError} 409 while one runs. */
    startRound(): Promise<StartRound>;
    status(): Promise<FlStatus>;
    model(): Promise<FlModel>;
    metrics(): Promise<FlMetrics>;
  };
  /** Governor proposals, newest first. */
  proposals(limit: number): Promise<ProposalEntry[]>;
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
 * import { createApiClient } from "../client/apiClient.ts";
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
    (await chaosCall("/api/chaos/experiments", () => timed("/api/chaos/experiments", listChaosExperiments(api)))).experiments.flatMap((e) =>
      e.valid ? [{ file: e.file, name: e.name, title: e.title, nominalDurationMs: e.nominalDurationMs }] : [],
    );
  const chaosStatus = async (): Promise<ChaosStatusView> => {
    const status = await chaosCall("/api/chaos/status", () => timed("/api/chaos/status", getChaosStatus(api)));
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
        const run = await chaosCall(pathname, () => timed(pathname, startChaosRun(api, body)));
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
      const v = await chaosCall("/api/mapek", () => timed("/api/mapek", getMapekStatus(api)));
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
      startRound: () => timed("/api/fl/rounds", startFlRound(api)),
      status: () => timed("/api/fl/status", getFlStatus(api)),
      model: () => timed("/api/fl/model", getFlModel(api)),
      metrics: () => timed("/api/fl/metrics", getFlMetrics(api)),
    },
    proposals: async (limit) => (await timed("/api/proposals", listProposals(api, { limit }))).proposals,
    chaos,
    mapek,
    apiUrl: api.baseUrl,
  };
}
