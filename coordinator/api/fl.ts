/**
 * Federated learning over HTTP.
 *
 * - `POST /api/fl/rounds` (admin): start a round now → 202 `{ round, participants, timeoutMs }`; 409 while one runs.
 * - `GET /api/fl/status`: nodes (total, online, banned), rounds, updates, the round in progress.
 * - `GET /api/fl/model`: the current global model: version, CIDs, holdout accuracy, ratification status.
 * - `GET /api/fl/metrics`: rounds, updates, rejections by reason, Byzantine detections, accuracy per round.
 */
import { z } from "zod";
import type { FlService } from "../fl/flService.ts";
import type { ApiPlugin } from "./types.ts";

export function flRoutes({ fl }: { fl: FlService }): ApiPlugin {
  return async (app) => {
    app.post("/api/fl/rounds", { schema: { body: z.strictObject({}).optional() } }, async (_request, reply) => {
      const started = await fl.startRound();
      reply.code(202);
      return started;
    });
    app.get("/api/fl/status", async () => fl.status());
    app.get("/api/fl/model", async () => fl.model());
    app.get("/api/fl/metrics", async () => fl.metrics());
  };
}
