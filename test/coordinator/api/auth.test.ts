/**
 * Mutating routes need the admin bearer token unless they opt out; reads do not.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import type { ApiPlugin } from "../../../coordinator/api/types.ts";
import { buildTestApp, TEST_ADMIN_TOKEN } from "./helper.ts";

const routes: ApiPlugin = async (app) => {
  app.post("/api/test/echo", { schema: { body: z.object({ value: z.string() }) } }, async (request) => ({ echoed: request.body.value }));
  app.delete("/api/test/thing", async () => ({ deleted: true }));
  app.get("/api/test/public", async () => ({ ok: true }));
  app.get("/api/test/secret", { config: { auth: "admin" } }, async () => ({ secret: true }));
  // A node-facing write that proves its caller by signature, not by the admin token.
  app.post("/api/test/heartbeat", { config: { auth: "none" } }, async () => ({ accepted: true }));
};

const echo = { method: "POST" as const, url: "/api/test/echo", payload: { value: "hi" } };

describe("admin bearer token", () => {
  it("401 without an Authorization header, with a Bearer challenge", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    const response = await app.inject(echo);
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers["www-authenticate"], 'Bearer realm="synod"');
    assert.deepEqual(response.json(), { error: { name: "UnauthorizedError", message: "Authentication required: no Authorization header." } });
  });

  it("401 for another scheme", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    const response = await app.inject({ ...echo, headers: { authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString("base64")}` } });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.name, "UnauthorizedError");
  });

  it("403 for a wrong token, including one that is a prefix of the right one", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    for (const token of ["wrong-token", TEST_ADMIN_TOKEN.slice(0, -1), `${TEST_ADMIN_TOKEN}x`]) {
      const response = await app.inject({ ...echo, headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.statusCode, 403, token);
      assert.deepEqual(response.json(), { error: { name: "ForbiddenError", message: "The bearer token is not the admin token." } });
    }
  });

  it("200 with the admin token (scheme case-insensitive), and the handler runs", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    for (const scheme of ["Bearer", "bearer"]) {
      const response = await app.inject({ ...echo, headers: { authorization: `${scheme} ${TEST_ADMIN_TOKEN}` } });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { echoed: "hi" });
    }
    const deleted = await app.inject({ method: "DELETE", url: "/api/test/thing", headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    assert.equal(deleted.statusCode, 200);
  });

  it("checks the token before reading the body: no token, no validation details", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    const response = await app.inject({ method: "POST", url: "/api/test/echo", payload: { value: 42 } });
    assert.equal(response.statusCode, 401);
  });

  it("every mutating method is protected by default; reads are public unless a route asks", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    assert.equal((await app.inject({ method: "DELETE", url: "/api/test/thing" })).statusCode, 401);
    assert.equal((await app.inject({ method: "GET", url: "/api/test/public" })).statusCode, 200);
    assert.equal((await app.inject({ method: "GET", url: "/api/test/secret" })).statusCode, 401);
    const secret = await app.inject({ method: "GET", url: "/api/test/secret", headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    assert.equal(secret.statusCode, 200);
    assert.equal((await app.inject({ method: "POST", url: "/api/test/heartbeat" })).statusCode, 200);
  });

  it("refuses to build with an empty admin token", async (t) => {
    await assert.rejects(buildTestApp(t, { app: { adminToken: "" } }), /must not be empty/);
  });
});
