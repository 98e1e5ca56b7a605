/**
 * Federated learning over HTTP (schemas: `schemas/fl.ts`).
 *
 * - `POST /api/fl/rounds` (admin): start a round now → 202 `{ round, participants, timeoutMs }`; 409 while one runs.
 * - `GET /api/fl/status`: nodes (total, online, banned), rounds, updates, the round in progress.
 * - `GET /api/fl/model`: the current global model: version, CIDs, holdout accuracy, ratification status.
 * - `GET /api/fl/metrics`: rounds, updates, rejections by reason, Byzantine detections, accuracy per round.
 */
import type { FlService } from "../fl/flService.ts";
import { errorResponses } from "./schemas/common.ts";
import { flMetricsSchema, flModelSchema, flStatusSchema, startRoundBodySchema, startRoundSchema, type FlMetrics, type FlModel, type FlStatus, type StartRound } from "./schemas/fl.ts";
import type { ApiPlugin, AssertTrue, KeepsEveryKey } from "./types.ts";

/** What the routes ask of the FL service. */
export type FlRoutesService = Pick<FlService, "startRound" | "status" | "model" | "metrics">;

// The schemas keep every field the service returns (the serializer drops unknown ones).
export type FlResponsesKeepEveryField = [
  AssertTrue<KeepsEveryKey<Awaited<ReturnType<FlService["startRound"]>>, StartRound>>,
  AssertTrue<KeepsEveryKey<ReturnType<FlService["status"]>, FlStatus>>,
  AssertTrue<KeepsEveryKey<ReturnType<FlService["model"]>, FlModel>>,
  AssertTrue<KeepsEveryKey<ReturnType<FlService["metrics"]>, FlMetrics>>,
];

export function flRoutes({ fl }: { fl: FlRoutesService }): ApiPlugin {
  return async (app) => {
    app.post("/api/fl/rounds", { schema: { body: startRoundBodySchema, response: { 202: startRoundSchema, ...errorResponses } } }, async (_request, reply) => {
      const started = await fl.startRound();
      reply.code(202);
      return started;
    });
    app.get("/api/fl/status", { schema: { response: { 200: flStatusSchema, ...errorResponses } } }, async () => fl.status());
    app.get("/api/fl/model", { schema: { response: { 200: flModelSchema, ...errorResponses } } }, async () => fl.model());
    app.get("/api/fl/metrics", { schema: { response: { 200: flMetricsSchema, ...errorResponses } } }, async () => fl.metrics());
  };
}
