/**
 * Chaos experiments over HTTP (`synod chaos`, the Telegram bot, the dApp).
 *
 * - `GET /api/chaos/experiments`: the experiment files the coordinator offers by name (invalid ones with their problems).
 * - `POST /api/chaos/runs` (admin): `{ name }` or `{ yaml, file? }`, optional `timeScale` (0.001–1 shortens faults and pauses)
 *   → 202 the run; 409 while another runs; 400 with every problem of an invalid experiment; 404 for an unknown name.
 * - `GET /api/chaos/runs`: the latest runs, newest first (without journals).
 * - `GET /api/chaos/runs/:runId`: one run with its journal (steady states, faults, MTTD, MTTR, resilience score, record CIDs).
 * - `POST /api/chaos/runs/:runId/abort` (admin): interrupt a run; its faults are rolled back.
 * - `GET /api/chaos/status`: the run in progress, the last one, active faults, statistics per fault kind.
 * - `GET /api/chaos/schedules`: the experiments that run on a schedule: interval or cron line, history limit, next
 *   run time, firings started and skipped (concurrency policy Forbid), and the last scheduled run's verdict.
 *
 * Live progress: the `chaos.experiment.*` and `chaos.fault.*` events on `GET /api/events`.
 * Where the mesh is not in node-host processes every route answers 503 saying so.
 * Schemas: `schemas/chaos.ts`.
 */
import type { ChaosRun as ChaosRunView, ExperimentRunner } from "../chaos/experiment/experimentRunner.ts";
import type { ExperimentScheduler, ExperimentScheduleStatus } from "../chaos/experiment/experimentScheduler.ts";
import type { ExperimentListing as ExperimentListingView } from "../chaos/experiment/listExperiments.ts";
import { RequestValidationError } from "../errors/api.ts";
import { ChaosUnavailableError, InvalidExperimentError, UnknownChaosRunError } from "../errors/chaos.ts";
import {
  abortChaosRunBodySchema,
  chaosRunBodySchema,
  chaosRunListSchema,
  chaosRunParamsSchema,
  chaosRunSchema,
  chaosRunsQuerySchema,
  chaosScheduleListSchema,
  chaosStatusSchema,
  experimentListSchema,
  type ChaosRun,
  type ChaosSchedule,
  type ChaosStatus,
  type ExperimentListing,
} from "./schemas/chaos.ts";
import { errorResponses } from "./schemas/common.ts";
import type { ApiPlugin, AssertTrue, KeepsEveryKey } from "./types.ts";

// The schemas keep every field the runner returns (the serializer drops unknown ones).
export type ChaosResponsesKeepEveryField = [
  AssertTrue<KeepsEveryKey<ExperimentListingView, ExperimentListing>>,
  AssertTrue<KeepsEveryKey<ChaosRunView, ChaosRun>>,
  AssertTrue<KeepsEveryKey<ReturnType<ExperimentRunner["status"]>, ChaosStatus>>,
  AssertTrue<KeepsEveryKey<ExperimentScheduleStatus, ChaosSchedule>>,
];

/** Options of {@link chaosRoutes}: the runner (and the scheduler, when schedules run), or why there is none. */
export type ChaosRoutesParameters = { runner: ExperimentRunner; scheduler?: ExperimentScheduler } | { runner: null; unavailable: string };

export function chaosRoutes(parameters: ChaosRoutesParameters): ApiPlugin {
  const runner = (): ExperimentRunner => {
    if (parameters.runner === null) throw new ChaosUnavailableError({ reason: parameters.unavailable });
    return parameters.runner;
  };
  return async (app) => {
    app.get("/api/chaos/experiments", { schema: { response: { 200: experimentListSchema, ...errorResponses } } }, async () => ({ experiments: await runner().experiments() }));
    app.post("/api/chaos/runs", { schema: { body: chaosRunBodySchema, response: { 202: chaosRunSchema, ...errorResponses } } }, async (request, reply) => {
      const { timeScale, ...source } = request.body;
      const run = await runner()
        .start(source, timeScale === undefined ? {} : { timeScale })
        .catch((error: unknown) => {
          // The experiment is part of the body: its problems are the body's, with their paths.
          if (error instanceof InvalidExperimentError) throw new RequestValidationError({ part: "body", issues: error.issues.map((i) => ({ path: i.path ? `yaml.${i.path}` : "yaml", message: i.message })) });
          throw error;
        });
      reply.code(202);
      return run;
    });
    app.get("/api/chaos/runs", { schema: { querystring: chaosRunsQuerySchema, response: { 200: chaosRunListSchema, ...errorResponses } } }, async (request) => ({
      runs: runner().runs(request.query.limit === undefined ? {} : { limit: request.query.limit }),
    }));
    app.get("/api/chaos/runs/:runId", { schema: { params: chaosRunParamsSchema, response: { 200: chaosRunSchema, ...errorResponses } } }, async (request) => {
      const run = runner().run(request.params.runId);
      if (!run) throw new UnknownChaosRunError({ runId: request.params.runId });
      return run;
    });
    app.post(
      "/api/chaos/runs/:runId/abort",
      { schema: { params: chaosRunParamsSchema, body: abortChaosRunBodySchema, response: { 200: chaosRunSchema, ...errorResponses } } },
      async (request) => runner().abort(request.params.runId),
    );
    app.get("/api/chaos/status", { schema: { response: { 200: chaosStatusSchema, ...errorResponses } } }, async () => runner().status());
    app.get("/api/chaos/schedules", { schema: { response: { 200: chaosScheduleListSchema, ...errorResponses } } }, async () => {
      if (parameters.runner === null) throw new ChaosUnavailableError({ reason: parameters.unavailable });
      return { schedules: parameters.scheduler?.schedules() ?? [] };
    });
  };
}
