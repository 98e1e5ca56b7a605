/**
 * The dApp (http://127.0.0.1:3000 or http://localhost:3000) may read the API and send
 * admin requests from the browser; other origins get no CORS headers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ApiPlugin } from "../../../coordinator/api/types.ts";
import { buildTestApp } from "./helper.ts";

const routes: ApiPlugin = async (app) => {
  app.post("/api/test/echo", async () => ({ ok: true }));
};

describe("CORS", () => {
  it("answers the dApp's preflight for an authenticated POST without asking for the token", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    for (const origin of ["http://127.0.0.1:3000", "http://localhost:3000"]) {
      const response = await app.inject({
        method: "OPTIONS",
        url: "/api/test/echo",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
      });
      assert.equal(response.statusCode, 204, origin);
      assert.equal(response.headers["access-control-allow-origin"], origin);
      assert.match(String(response.headers["access-control-allow-methods"]), /POST/);
      assert.match(String(response.headers["access-control-allow-headers"]), /Authorization/);
      assert.match(String(response.headers.vary), /Origin/);
    }
  });

  it("lets the dApp read JSON responses, errors included", async (t) => {
    const { app } = await buildTestApp(t, { app: { routes: [routes] } });
    const status = await app.inject({ method: "GET", url: "/api/status", headers: { origin: "http://localhost:3000" } });
    assert.equal(status.headers["access-control-allow-origin"], "http://localhost:3000");
    const denied = await app.inject({ method: "POST", url: "/api/test/echo", headers: { origin: "http://localhost:3000" } });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers["access-control-allow-origin"], "http://localhost:3000");
  });

  it("gives other origins nothing, and follows SYNOD_CORS_ORIGINS", async (t) => {
    const { app } = await buildTestApp(t, { env: { SYNOD_CORS_ORIGINS: "https://dao.example.org" }, app: { routes: [routes] } });
    const local = await app.inject({ method: "GET", url: "/api/status", headers: { origin: "http://localhost:3000" } });
    assert.equal(local.headers["access-control-allow-origin"], undefined);
    const configured = await app.inject({ method: "GET", url: "/api/status", headers: { origin: "https://dao.example.org" } });
    assert.equal(configured.headers["access-control-allow-origin"], "https://dao.example.org");
  });
});
