/**
 * Requests are validated with the route's zod schemas: 400 listing every problem with
 * its field path; the handler sees parsed, typed values.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import type { ApiPlugin } from "../../../coordinator/api/types.ts";
import { buildTestApp, TEST_ADMIN_TOKEN } from "./helper.ts";

const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

const routes: ApiPlugin = async (app) => {
  app.post(
    "/api/test/rounds",
    {
      schema: {
        body: z.object({
          round: z.int().min(1),
          strategy: z.enum(["fedavg", "krum"]),
          nodes: z.array(z.object({ id: z.string().min(1), weight: z.number().positive() })).min(1),
        }),
      },
    },
    async (request) => ({ round: request.body.round, nodes: request.body.nodes.length }),
  );
  app.get(
    "/api/test/records/:kind",
    {
      schema: {
        params: z.object({ kind: z.enum(["model", "incident"]) }),
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
      },
    },
    async (request) => ({ kind: request.params.kind, limit: request.query.limit }),
  );
};

describe("request validation", () => {
  it("400 lists every body problem with its field path", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    const response = await app.inject({
      method: "POST",
      url: "/api/test/rounds",
      headers: auth,
      payload: { round: "three", strategy: "fedsgd", nodes: [{ id: "a", weight: 1 }, { id: "", weight: -2 }] },
    });
    assert.equal(response.statusCode, 400);
    const { error } = response.json();
    assert.equal(error.name, "RequestValidationError");
    assert.deepEqual(
      error.issues.map((issue: { path: string }) => issue.path),
      ["round", "strategy", "nodes[1].id", "nodes[1].weight"],
    );
    assert.match(error.message, /^Invalid request body: round: .*; strategy: .*; nodes\[1\]\.id: .*; nodes\[1\]\.weight: .*\.$/);
  });

  it("passes parsed values to the handler", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    const response = await app.inject({
      method: "POST",
      url: "/api/test/rounds",
      headers: auth,
      payload: { round: 3, strategy: "krum", nodes: [{ id: "a", weight: 1 }] },
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { round: 3, nodes: 1 });
  });

  it("validates params and querystring, applying defaults and coercion", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    assert.deepEqual((await app.inject({ method: "GET", url: "/api/test/records/model" })).json(), { kind: "model", limit: 20 });
    assert.deepEqual((await app.inject({ method: "GET", url: "/api/test/records/model?limit=5" })).json(), { kind: "model", limit: 5 });
    const badParam = await app.inject({ method: "GET", url: "/api/test/records/weather" });
    assert.equal(badParam.statusCode, 400);
    assert.equal(badParam.json().error.issues[0].path, "kind");
    assert.match(badParam.json().error.message, /^Invalid request params: kind: /);
    const badQuery = await app.inject({ method: "GET", url: "/api/test/records/model?limit=1000" });
    assert.equal(badQuery.statusCode, 400);
    assert.match(badQuery.json().error.message, /^Invalid request querystring: limit: /);
  });

  it("400 for a body that is not JSON, without a stack or internals", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    const response = await app.inject({
      method: "POST",
      url: "/api/test/rounds",
      headers: { ...auth, "content-type": "application/json" },
      payload: '{"round": 3,',
    });
    assert.equal(response.statusCode, 400);
    const body = response.json();
    assert.equal(body.error.name, "BadRequestError");
    assert.deepEqual(Object.keys(body.error).sort(), ["message", "name"]);
  });

  it("415 for a body type the API does not parse", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    const response = await app.inject({
      method: "POST",
      url: "/api/test/rounds",
      headers: { ...auth, "content-type": "application/xml" },
      payload: "<round>3</round>",
    });
    assert.equal(response.statusCode, 415);
    assert.equal(response.json().error.name, "UnsupportedMediaTypeError");
  });

  it("refuses a route whose schema is not zod when the app starts", async (t) => {
    // What a route copied from plain fastify would have: a JSON schema.
    const jsonSchema: unknown = { type: "object" };
    const jsonSchemaRoute: ApiPlugin = async (app) => {
      app.post("/api/test/json-schema", { schema: { body: jsonSchema } }, async () => ({}));
    };
    const { app } = await buildTestApp(t, { app: { routes: [jsonSchemaRoute] } });
    await assert.rejects(async () => { await app.ready(); }, /must be a zod schema/);
  });
});
