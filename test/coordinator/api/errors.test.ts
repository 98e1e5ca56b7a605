/**
 * One error handler: 4xx show their short message, 5xx show nothing but a request id,
 * the log gets the whole error; 404 and 413 have the same shape.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import type { ApiPlugin } from "../../../coordinator/api/types.ts";
import { BaseError } from "../../../coordinator/errors/base.ts";
import { capturingLogger, buildTestApp, TEST_ADMIN_TOKEN } from "./helper.ts";

class RoundClosedError extends BaseError {
  readonly statusCode = 409;
  constructor({ round }: { round: number }) {
    super(`Round ${round} is closed.`, { name: "RoundClosedError", metaMessages: [`Internal queue: q-${round}`] });
  }
}

const routes: ApiPlugin = async (app) => {
  app.get("/api/test/crash", async () => {
    throw new Error("connect ECONNREFUSED postgres://admin:hunter2@10.0.0.5/synod");
  });
  app.get("/api/test/throws-a-string", async () => {
    // Not an Error at all: still a hidden 500.
    throw "database password is hunter2";
  });
  app.get("/api/test/closed", async () => {
    throw new RoundClosedError({ round: 7 });
  });
  app.post("/api/test/small", { bodyLimit: 100 }, async () => ({ ok: true }));
  app.post("/api/test/upload", { schema: { body: z.object({ data: z.string() }) } }, async (request) => ({ bytes: request.body.data.length }));
};

describe("error handler", () => {
  it("hides a 5xx's details from the client and logs the whole error with the request id", async (t) => {
    const { logger, lines } = capturingLogger();
    const { app } = await buildTestApp(t, { app: { routes: [routes], logger } });
    const response = await app.inject({ method: "GET", url: "/api/test/crash" });
    assert.equal(response.statusCode, 500);
    assert.doesNotMatch(response.body, /hunter2|ECONNREFUSED|postgres|stack/);
    const { error } = response.json();
    assert.equal(error.name, "InternalServerError");
    assert.match(error.message, /log has the details/);
    assert.equal(typeof error.requestId, "string");

    const logged = lines.find((line) => line.msg === "request failed");
    assert.ok(logged, "the failure is logged");
    assert.equal(logged.level, 50);
    assert.equal(logged.reqId, error.requestId);
    assert.match(String((logged.err as { message: string }).message), /hunter2/);
    assert.match(String((logged.err as { stack: string }).stack), /errors\.test\.ts/);
  });

  it("hides a thrown non-Error value too", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    const response = await app.inject({ method: "GET", url: "/api/test/throws-a-string" });
    assert.equal(response.statusCode, 500);
    assert.equal(response.json().error.name, "InternalServerError");
    assert.doesNotMatch(response.body, /hunter2/);
  });

  it("shows a 4xx's shortMessage (not its meta lines) under its class name", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    const response = await app.inject({ method: "GET", url: "/api/test/closed" });
    assert.equal(response.statusCode, 409);
    assert.deepEqual(response.json(), { error: { name: "RoundClosedError", message: "Round 7 is closed." } });
  });

  it("404 in the same shape, without echoing the query string", async (t) => {
    const { app } = await buildTestApp(t);
    const response = await app.inject({ method: "GET", url: "/api/nothing-here?token=abc" });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { error: { name: "RouteNotFoundError", message: "No route GET /api/nothing-here." } });
  });

  it("413 for a body over SYNOD_API_BODY_LIMIT, before the handler runs", async (t) => {
    const { app } = await buildTestApp(t, { env: { SYNOD_API_BODY_LIMIT: "2048" }, app: { routes: [routes] } });
    const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
    const small = await app.inject({ method: "POST", url: "/api/test/upload", headers, payload: { data: "x".repeat(1000) } });
    assert.equal(small.statusCode, 200);
    assert.deepEqual(small.json(), { bytes: 1000 });
    const large = await app.inject({ method: "POST", url: "/api/test/upload", headers, payload: { data: "x".repeat(3000) } });
    assert.equal(large.statusCode, 413);
    assert.deepEqual(large.json(), { error: { name: "PayloadTooLargeError", message: "The request body is over the 2048-byte limit." } });
    // A route's own limit is the one named.
    const routeLimited = await app.inject({ method: "POST", url: "/api/test/small", headers, payload: { data: "x".repeat(200) } });
    assert.equal(routeLimited.statusCode, 413);
    assert.equal(routeLimited.json().error.message, "The request body is over the 100-byte limit.");
  });
});
