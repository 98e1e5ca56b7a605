/**
 * Node-facing routes are rate limited per IP and node key; other routes are not.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ApiPlugin } from "../../../coordinator/api/types.ts";
import { buildTestApp } from "./helper.ts";

const routes: ApiPlugin = async (app) => {
  app.post("/api/test/heartbeat", { config: { auth: "none", rateLimitPolicy: "node" } }, async () => ({ ok: true }));
  app.get("/api/test/unlimited", async () => ({ ok: true }));
};

const env = { SYNOD_NODE_RATE_LIMIT_MAX: "3", SYNOD_RATE_LIMIT_WINDOW_MS: "60000" };
const beat = (node: string) => ({ method: "POST" as const, url: "/api/test/heartbeat", headers: { "x-synod-node": node } });

describe("rate limits", () => {
  it("429 after SYNOD_NODE_RATE_LIMIT_MAX requests in the window, with Retry-After", async (t) => {
    const { app } = await buildTestApp(t, { env, app: { routes: [routes] } });
    for (let i = 0; i < 3; i++) {
      const response = await app.inject(beat("node-a"));
      assert.equal(response.statusCode, 200, `request ${i + 1}`);
      assert.equal(response.headers["x-ratelimit-remaining"], String(2 - i));
    }
    const limited = await app.inject(beat("node-a"));
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers["retry-after"], "60");
    const { error } = limited.json();
    assert.equal(error.name, "RateLimitedError");
    assert.equal(error.message, "Rate limit of 3 requests per 1 minute for this client exceeded; retry in 60 s.");
  });

  it("counts each node key separately, so nodes sharing a host do not starve each other", async (t) => {
    const { app } = await buildTestApp(t, { env, app: { routes: [routes] } });
    for (let i = 0; i < 3; i++) assert.equal((await app.inject(beat("node-a"))).statusCode, 200);
    assert.equal((await app.inject(beat("node-a"))).statusCode, 429);
    assert.equal((await app.inject(beat("node-b"))).statusCode, 200);
  });

  it("caps one IP across all node keys and node routes (SYNOD_NODE_IP_RATE_LIMIT_MAX)", async (t) => {
    const twoRoutes: ApiPlugin = async (app) => {
      await routes(app, {});
      app.post("/api/test/updates", { config: { auth: "none", rateLimitPolicy: "node" } }, async () => ({ ok: true }));
    };
    const { app } = await buildTestApp(t, { env: { ...env, SYNOD_NODE_IP_RATE_LIMIT_MAX: "4" }, app: { routes: [twoRoutes] } });
    // A client rotating node keys and routes: each key is under its own limit, the IP is not.
    assert.equal((await app.inject(beat("key-1"))).statusCode, 200);
    assert.equal((await app.inject(beat("key-2"))).statusCode, 200);
    assert.equal((await app.inject({ ...beat("key-3"), url: "/api/test/updates" })).statusCode, 200);
    assert.equal((await app.inject({ ...beat("key-4"), url: "/api/test/updates" })).statusCode, 200);
    const limited = await app.inject(beat("key-5"));
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers["retry-after"], "60");
    assert.equal(limited.json().error.message, "Rate limit of 4 requests per 1 minute for this host's nodes exceeded; retry in 60 s.");
    // Routes without the node policy do not count against it.
    assert.equal((await app.inject({ method: "GET", url: "/api/test/unlimited" })).statusCode, 200);
  });

  it("leaves routes without a policy alone", async (t) => {
    const { app } = await buildTestApp(t, { env, app: { routes: [routes] } });
    for (let i = 0; i < 10; i++) assert.equal((await app.inject({ method: "GET", url: "/api/test/unlimited" })).statusCode, 200);
  });
});
