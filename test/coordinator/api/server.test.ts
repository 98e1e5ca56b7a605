/**
 * The coordinator process wiring (`startCoordinator`): real configuration, a generated
 * admin token, embedded Helia, a chain over JSON-RPC, domain routes plugged in,
 * listening on a free port, and a clean close.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { pino } from "pino";
import { z } from "zod";
import { loadDotEnv, startCoordinator } from "../../../coordinator/server.ts";
import { defaultServices, knowledgeService } from "../../../coordinator/services/defaultServices.ts";
import { ConfigValidationError } from "../../../coordinator/errors/config.ts";
import { closedPort, startFakeJsonRpc } from "./fakeJsonRpc.ts";

describe("startCoordinator", () => {
  it("starts, is healthy against its chain and IPFS, serves plugged-in routes with the generated token, and closes", async (t) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-server-"));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const rpc = await startFakeJsonRpc({ chainId: 31337, blockNumber: 7n });
    t.after(() => rpc.close());

    const closedServices: string[] = [];
    const coordinator = await startCoordinator({
      env: { RPC_URL: rpc.url, SYNOD_NETWORK_PROFILE: "local", SYNOD_DATA_DIR: dataDir, SYNOD_API_PORT: "0" },
      logger: pino({ level: "silent" }),
      services: [
        ({ events }) => ({
          routes: () => [
            async (app) => {
              app.post("/api/test/incidents", { schema: { body: z.object({ fault: z.string() }) } }, async (request, reply) => {
                events.publish("mesh.incident", { incidentId: "i-1", phase: "detected", fault: request.body.fault, nodes: [] });
                reply.code(201);
                return { ok: true };
              });
            },
          ],
          healthChecks: () => [{ name: "incidents", check: async () => ({ ok: true, details: { open: 0 } }) }],
          close: async () => {
            closedServices.push("incidents");
          },
        }),
      ],
    });
    t.after(() => coordinator.close());
    assert.match(coordinator.url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${coordinator.url}/health`);
    const report = (await health.json()) as { checks: Record<string, { status: string; details?: Record<string, unknown> }> };
    assert.equal(health.status, 200, JSON.stringify(report));
    assert.equal(report.checks.chain?.details?.chainId, 31337);
    assert.equal(report.checks.ipfs?.details?.backend, "helia");
    assert.equal(report.checks.incidents?.status, "up");

    assert.equal(coordinator.adminToken.source, "generated");
    const token = (await readFile(path.join(dataDir, "admin-token"), "utf8")).trim();
    assert.equal(token, coordinator.adminToken.token);
    const denied = await fetch(`${coordinator.url}/api/test/incidents`, { method: "POST", body: JSON.stringify({ fault: "partition" }), headers: { "content-type": "application/json" } });
    assert.equal(denied.status, 401);
    const seen: string[] = [];
    coordinator.events.subscribe((event) => seen.push(event.type));
    const created = await fetch(`${coordinator.url}/api/test/incidents`, {
      method: "POST",
      body: JSON.stringify({ fault: "partition" }),
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(seen, ["mesh.incident"]);

    await coordinator.close();
    assert.deepEqual(closedServices, ["incidents"]);
    await assert.rejects(fetch(`${coordinator.url}/health`));
    await coordinator.close(); // idempotent
    assert.deepEqual(closedServices, ["incidents"]);
  });

  it("runs the knowledge service (a default service): its routes answer and its check reports the chain it waits for", async (t) => {
    assert.ok(defaultServices.includes(knowledgeService));
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-server-"));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const port = await closedPort();
    const coordinator = await startCoordinator({
      env: { RPC_URL: `http://127.0.0.1:${port}`, SYNOD_NETWORK_PROFILE: "local", SYNOD_DATA_DIR: dataDir, SYNOD_API_PORT: "0" },
      logger: pino({ level: "silent" }),
      // Only this one: the other defaults (FL's simulated mesh, …) have their own tests.
      services: [knowledgeService],
    });
    t.after(() => coordinator.close());
    const knowledge = await fetch(`${coordinator.url}/api/knowledge`);
    assert.equal(knowledge.status, 200);
    assert.deepEqual(await knowledge.json(), { records: [], total: 0, offset: 0, limit: 100 });
    const health = await fetch(`${coordinator.url}/health`);
    assert.equal(health.status, 503);
    const report = (await health.json()) as { checks: Record<string, { status: string }> };
    assert.deepEqual(Object.keys(report.checks), ["chain", "ipfs", "knowledge"]);
    assert.equal(report.checks.knowledge?.status, "down");
    await coordinator.close();
  });

  it("closes the services it started when a later one fails to start", async (t) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-server-"));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const closed: string[] = [];
    await assert.rejects(
      startCoordinator({
        env: { SYNOD_DATA_DIR: dataDir, SYNOD_API_PORT: "0", SYNOD_ADMIN_TOKEN: "z".repeat(32) },
        logger: pino({ level: "silent" }),
        services: [
          () => ({ close: async () => void closed.push("first") }),
          () => {
            throw new Error("index database is locked");
          },
        ],
      }),
      /index database is locked/,
    );
    assert.deepEqual(closed, ["first"]);
  });

  it("refuses to start on a bad environment, before opening anything", async () => {
    await assert.rejects(startCoordinator({ env: { SYNOD_API_PORT: "-1", LOG_LEVEL: "silent" }, logger: pino({ level: "silent" }) }), ConfigValidationError);
  });

  it("loadDotEnv fills only what the environment does not set", async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "synod-dotenv-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, ".env");
    await import("node:fs/promises").then(({ writeFile }) => writeFile(file, "SYNOD_API_PORT=9000\nLOG_LEVEL=debug\n# comment\n"));
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: "warn" };
    assert.deepEqual(loadDotEnv(file, env), ["SYNOD_API_PORT"]);
    assert.deepEqual(env, { LOG_LEVEL: "warn", SYNOD_API_PORT: "9000" });
    assert.deepEqual(loadDotEnv(path.join(dir, "missing.env"), env), []);
  });
});
