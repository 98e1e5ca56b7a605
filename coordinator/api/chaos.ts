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
 */
import { z } from "zod";
import type { ExperimentRunner } from "../chaos/experiment/experimentRunner.ts";
import type { ExperimentScheduler } from "../chaos/experiment/experimentScheduler.ts";
import { RequestValidationError } from "../errors/api.ts";
import { ChaosUnavailableError, InvalidExperimentError, UnknownChaosRunError } from "../errors/chaos.ts";
import type { ApiPlugin } from "./types.ts";

const RunBodySchema = z.union([
  z.strictObject({ name: z.string().min(1).max(200), timeScale: z.number().min(0.001).max(1).optional() }),
  z.strictObject({ yaml: z.string().min(1).max(256 * 1024), file: z.string().min(1).max(1024).optional(), timeScale: z.number().min(0.001).max(1).optional() }),
]);
const RunParamsSchema = z.strictObject({ runId: z.coerce.number().int().min(1) });

/** Options of {@link chaosRoutes}: the runner (and the scheduler, when schedules run), or why there is none. */
export type ChaosRoutesParameters = { runner: ExperimentRunner; scheduler?: ExperimentScheduler } | { runner: null; unavailable: string };

export function chaosRoutes(parameters: ChaosRoutesParameters): ApiPlugin {
  const runner = (): ExperimentRunner => {
    if (parameters.runner === null) throw new ChaosUnavailableError({ reason: parameters.unavailable });
    return parameters.runner;
  };
  return async (app) => {
    app.get("/api/chaos/experiments", async () => ({ experiments: await runner().experiments() }));
    app.post("/api/chaos/runs", { schema: { body: RunBodySchema } }, async (request, reply) => {
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
    app.get("/api/chaos/runs", { schema: { querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional() }) } }, async (request) => ({
      runs: runner().runs(request.query.limit === undefined ? {} : { limit: request.query.limit }),
    }));
    app.get("/api/chaos/runs/:runId", { schema: { params: RunParamsSchema } }, async (request) => {
      const run = runner().run(request.params.runId);
      if (!run) throw new UnknownChaosRunError({ runId: request.params.runId });
      return run;
    });
    app.post("/api/chaos/runs/:runId/abort", { schema: { params: RunParamsSchema, body: z.strictObject({}).optional() } }, async (request) => runner().abort(request.params.runId));
    app.get("/api/chaos/status", async () => runner().status());
    app.get("/api/chaos/schedules", async () => {
      if (parameters.runner === null) throw new ChaosUnavailableError({ reason: parameters.unavailable });
      return { schedules: parameters.scheduler?.schedules() ?? [] };
    });
  };
}
