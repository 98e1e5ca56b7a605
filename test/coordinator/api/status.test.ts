/**
 * GET /api/status: version, uptime, configuration without secrets, component states.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig, summarizeConfig } from "../../../coordinator/config.ts";
import { buildTestApp, TEST_ADMIN_TOKEN } from "./helper.ts";

describe("GET /api/status", () => {
  it("reports version, uptime, redacted config and each component", async (t) => {
    const { config } = loadConfig({ SYNOD_ADMIN_TOKEN: TEST_ADMIN_TOKEN, RPC_URL: "http://u:p4ss@127.0.0.1:8545" });
    const startedAt = new Date(Date.now() - 90_000);
    const { app } = await buildTestApp(t, {
      app: {
        startedAt,
        version: "1.2.3",
        configSummary: summarizeConfig(config),
        healthChecks: [
          { name: "chain", check: async () => ({ ok: true, details: { chainId: 31337 } }) },
          { name: "ipfs", check: async () => ({ ok: false, error: "IPFS is unavailable" }) },
        ],
      },
    });
    const response = await app.inject({ method: "GET", url: "/api/status" });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.name, "synod-coordinator");
    assert.equal(body.version, "1.2.3");
    assert.equal(body.startedAt, startedAt.toISOString());
    assert.ok(body.uptimeSeconds >= 90 && body.uptimeSeconds < 100, String(body.uptimeSeconds));
    assert.equal(body.components.chain.status, "up");
    assert.equal(body.components.ipfs.status, "down");
    assert.equal(body.ready, false);
    assert.equal(body.eventStreamClients, 0);
    assert.equal(body.config.api.adminToken, "(set)");
    assert.doesNotMatch(response.body, new RegExp(`${TEST_ADMIN_TOKEN}|p4ss`));
  });
});
