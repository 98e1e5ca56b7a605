/**
 * `GET /api/openapi.json`: the OpenAPI document generated from the routes' zod schemas.
 * Every route the app registers (read from fastify's own route table) must be in it
 * with its request schemas and a response schema, so a route added without schemas
 * fails here.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { chaosRoutes } from "../../../coordinator/api/chaos.ts";
import { flRoutes, type FlRoutesService } from "../../../coordinator/api/fl.ts";
import { knowledgeRoutes } from "../../../coordinator/api/knowledge.ts";
import { mapekRoutes } from "../../../coordinator/api/mapek.ts";
import { agentRoutes, meshRoutes } from "../../../coordinator/api/mesh.ts";
import { AgentRegistry } from "../../../coordinator/mesh/hosts/agentRegistry.ts";
import { generatePrivateKey } from "viem/accounts";
import { proposalsRoutes } from "../../../coordinator/api/proposals.ts";
import type { SynodApp } from "../../../coordinator/app.ts";
import { heliaContentStore, type HeliaContentStoreReturnType } from "../../../coordinator/ipfs/heliaContentStore.ts";
import { RemoteMesh } from "../../../coordinator/mesh/remote/remoteMesh.ts";
import { ChainIndexRepository } from "../../../coordinator/store/chainIndexRepository.ts";
import { KnowledgeRepository } from "../../../coordinator/store/knowledgeRepository.ts";
import { openDatabase, type Database } from "../../../coordinator/store/openDatabase.ts";
import { buildTestApp } from "./helper.ts";

/** The document's parts this test reads. */
type Operation = {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: object }> };
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
  security?: unknown[];
};
type Document = { openapi: string; info: { title: string }; paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, unknown> } };

/** Never called: the document is built from the routes' schemas, not from what they return. */
const notCalled = (): never => {
  throw new Error("the OpenAPI test calls no route");
};

/**
 * Every route of the app as fastify's router has it, from `printRoutes({ method })`:
 * each line is a path segment, indented under its parent (4 columns a level), with the
 * methods of a route that ends there in parentheses.
 */
function registeredRoutes(app: SynodApp): Array<{ method: string; url: string }> {
  const routes: Array<{ method: string; url: string }> = [];
  // HEAD mirrors each GET; the one OPTIONS route is the CORS preflight.
  for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as const) {
    const segments: string[] = [];
    for (const line of app.printRoutes({ method }).split("\n")) {
      const match = /^(.*?)[└├]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
      if (!match) continue;
      const depth = match[1]!.length / 4;
      segments.length = depth;
      segments.push(match[2]!);
      if (match[3]?.split(", ").includes(method)) routes.push({ method, url: segments.join("") });
    }
  }
  return routes;
}

describe("GET /api/openapi.json", () => {
  let dataDir: string;
  let db: Database;
  let store: HeliaContentStoreReturnType;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-api-openapi-"));
    db = openDatabase(":memory:");
    store = await heliaContentStore({ dataDir });
  });
  after(async () => {
    await store.close();
    db.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("lists every registered route with its request and response schemas, public", async (t) => {
    const fl: FlRoutesService = { startRound: notCalled, status: notCalled, model: notCalled, metrics: notCalled };
    const unavailable = "not in this test";
    const { app } = await buildTestApp(t, {
      app: {
        contentStore: store,
        routes: [
          flRoutes({ fl }),
          knowledgeRoutes({ outbox: new KnowledgeRepository(db), index: new ChainIndexRepository(db), content: store }),
          proposalsRoutes(notCalled),
          chaosRoutes({ runner: null, unavailable }),
          mapekRoutes({ loop: null, unavailable }),
          meshRoutes({ mesh: new RemoteMesh(), logger: pino({ level: "silent" }) }),
          agentRoutes({ agents: new AgentRegistry({ controlKey: generatePrivateKey(), admitted: () => undefined }), logger: pino({ level: "silent" }) }),
        ],
      },
    });

    // No admin token: the document is public.
    const response = await app.inject({ method: "GET", url: "/api/openapi.json" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^application\/json/);
    const document = response.json<Document>();
    assert.equal(document.openapi, "3.1.0");
    assert.equal(document.info.title, "Synod coordinator API");

    const routes = registeredRoutes(app);
    assert.ok(routes.length >= 35, `fastify's table lists ${routes.length} routes: ${JSON.stringify(routes)}`);
    const problems: string[] = [];
    for (const { method, url } of routes) {
      const route = `${method} ${url}`;
      const operation = document.paths[url.replace(/:(\w+)/g, "{$1}")]?.[method.toLowerCase()];
      if (!operation) {
        problems.push(`${route}: not in the document`);
        continue;
      }
      const responses = operation.responses ?? {};
      const success = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) problems.push(`${route}: no 2xx response`);
      for (const [status, body] of success) {
        const schemas = Object.values(body.content ?? {}).map((content) => content.schema);
        if (schemas.length === 0 || schemas.some((schema) => schema === undefined)) problems.push(`${route}: ${status} has no schema`);
      }
      for (const status of ["4XX", "5XX"]) if (!responses[status]?.content) problems.push(`${route}: no ${status} error schema`);
      for (const [, name] of url.matchAll(/:(\w+)/g)) {
        if (!operation.parameters?.some((parameter) => parameter.in === "path" && parameter.name === name)) problems.push(`${route}: no schema for :${name}`);
      }
      if (method === "POST" && !operation.requestBody?.content?.["application/json"]?.schema) problems.push(`${route}: no body schema`);
      // Documented as needing the admin token exactly when an anonymous call is refused
      // (the token is checked before anything else; a public GET is not called, it may stream).
      if (method !== "GET" || operation.security !== undefined) {
        const anonymous = await app.inject({ method, url: url.replace(/:(\w+)/g, "1") });
        if ((anonymous.statusCode === 401) !== (operation.security !== undefined)) problems.push(`${route}: security ${JSON.stringify(operation.security)}, anonymous call ${anonymous.statusCode}`);
      }
    }
    assert.deepEqual(problems, []);

    // Shapes used by many routes are components, referenced rather than repeated.
    for (const name of ["ErrorResponse", "ChaosRun", "ChaosSchedule", "MapekIncident", "KnowledgeEntry"]) assert.ok(document.components?.schemas?.[name], name);
    const chaosRun = document.paths["/api/chaos/runs/{runId}"]?.get?.responses?.["200"]?.content?.["application/json"]?.schema;
    assert.deepEqual(chaosRun, { $ref: "#/components/schemas/ChaosRun" });
    // The schedules route (`synod chaos ls`, the dApp's scheduled experiments) is documented with its list.
    const schedules = document.paths["/api/chaos/schedules"]?.get?.responses?.["200"]?.content?.["application/json"]?.schema as
      | { properties?: { schedules?: { type?: string; items?: unknown } } }
      | undefined;
    assert.deepEqual(schedules?.properties?.schedules, { type: "array", items: { $ref: "#/components/schemas/ChaosSchedule" } });
    const chaosSchedule = document.components?.schemas?.ChaosSchedule as { required?: string[] } | undefined;
    assert.ok(chaosSchedule?.required?.includes("nextRunAt") && chaosSchedule.required.includes("lastRun"), JSON.stringify(chaosSchedule));
    // Runs say what started them; listings carry the file's schedule.
    const chaosRunComponent = document.components?.schemas?.ChaosRun as { properties?: Record<string, unknown> } | undefined;
    assert.deepEqual(chaosRunComponent?.properties?.trigger, { type: "string", enum: ["manual", "schedule"], default: "manual" });
  });
});
