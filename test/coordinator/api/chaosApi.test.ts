/**
 * `/api/chaos/*` and `/api/mapek*` at their boundary: without a hosted mesh they say
 * why (503), admin routes need the token, and bad requests (invalid YAML, unknown
 * names and ids, out-of-range values) get a clear 4xx and create no run. A restart on
 * the same data dir reuses the anomaly model the first start trained.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startCoordinator, type StartCoordinatorReturnType } from "../../../coordinator/server.ts";
import { chaosService, flService, meshService } from "../../../coordinator/services/defaultServices.ts";
import { capturingLogger } from "./helper.ts";

const ENV = { SYNOD_API_PORT: "0", LOG_LEVEL: "silent", RPC_URL: "http://127.0.0.1:9", SYNOD_NETWORK_PROFILE: "local", SYNOD_FL_ROUND_INTERVAL_MS: "0" };
type ErrorBody = { error: { name: string; message: string; issues?: Array<{ path: string; message: string }> } };

describe("chaos and MAPE-K API", () => {
  describe("without the mesh service", () => {
    let dataDir: string;
    let coordinator: StartCoordinatorReturnType;
    before(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-chaos-api-"));
      coordinator = await startCoordinator({ env: { ...ENV, SYNOD_DATA_DIR: dataDir, SYNOD_MESH_NODES: "6", SYNOD_MESH_NODES_PER_HOST: "0" }, services: [flService, chaosService] });
    });
    after(async () => {
      await coordinator.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it("answers 503 saying what is missing, and still asks for the token first on admin routes", async () => {
      for (const pathname of ["/api/mapek", "/api/mapek/history", "/api/chaos/experiments", "/api/chaos/runs", "/api/chaos/status", "/api/chaos/schedules"]) {
        const response = await fetch(`${coordinator.url}${pathname}`);
        const body = (await response.json()) as ErrorBody;
        assert.equal(response.status, 503, pathname);
        assert.equal(body.error.name, "ChaosUnavailableError");
        assert.match(body.error.message, /no mesh service/);
      }
      const anonymous = await fetch(`${coordinator.url}/api/chaos/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "node-failure" }) });
      assert.equal(anonymous.status, 401);
    });
  });

  describe("with the mesh's own node hosts", () => {
    let dataDir: string;
    let coordinator: StartCoordinatorReturnType;
    let logs: Array<Record<string, unknown>>;
    const start = async () => {
      const { logger, lines } = capturingLogger();
      logs = lines;
      coordinator = await startCoordinator({ env: { ...ENV, SYNOD_DATA_DIR: dataDir, SYNOD_MESH_NODES: "4", SYNOD_MESH_NODES_PER_HOST: "2" }, logger, services: [flService, meshService, chaosService] });
    };
    const modelLogs = () => logs.filter((l) => typeof l.msg === "string" && l.msg.startsWith("anomaly model"));
    const post = (body: unknown) =>
      fetch(`${coordinator.url}/api/chaos/runs`, { method: "POST", headers: { authorization: `Bearer ${coordinator.adminToken.token}`, "content-type": "application/json" }, body: JSON.stringify(body) });

    before(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-chaos-api-"));
      await start();
    });
    after(async () => {
      await coordinator.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it("refuses invalid experiments, unknown names and ids, and out-of-range values, creating no run", async () => {
      const invalid = await post({ yaml: "title: no method\nsteady-state-hypothesis: {probes: []}\nmethod:\n  - {type: fault, name: k, kind: node-crash, spec: {selector: {mode: one}, durationMs: -5}}\n", file: "bad.yaml" });
      const invalidBody = (await invalid.json()) as ErrorBody;
      assert.equal(invalid.status, 400, JSON.stringify(invalidBody));
      assert.equal(invalidBody.error.name, "RequestValidationError");
      assert.ok(invalidBody.error.issues!.some((i) => i.path.startsWith("yaml.")), JSON.stringify(invalidBody.error.issues));

      const broken = await post({ yaml: "title: [unclosed" });
      assert.equal(broken.status, 400);
      assert.match(((await broken.json()) as ErrorBody).error.message, /yaml/);

      const unknown = await post({ name: "no-such-experiment" });
      assert.equal(unknown.status, 404);
      assert.equal(((await unknown.json()) as ErrorBody).error.name, "UnknownExperimentError");

      const scaled = await post({ name: "node-failure", timeScale: 5 });
      assert.equal(scaled.status, 400);
      const extra = await post({ name: "node-failure", rm: "-rf" });
      assert.equal(extra.status, 400);

      const missing = await fetch(`${coordinator.url}/api/chaos/runs/99`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as ErrorBody).error.name, "UnknownChaosRunError");
      assert.equal((await fetch(`${coordinator.url}/api/chaos/runs/abc`)).status, 400);
      const abortMissing = await fetch(`${coordinator.url}/api/chaos/runs/99/abort`, { method: "POST", headers: { authorization: `Bearer ${coordinator.adminToken.token}`, "content-type": "application/json" }, body: "{}" });
      assert.equal(abortMissing.status, 404);

      const { runs } = (await (await fetch(`${coordinator.url}/api/chaos/runs`)).json()) as { runs: unknown[] };
      assert.deepEqual(runs, []);
      const status = (await (await fetch(`${coordinator.url}/api/chaos/status`)).json()) as { running: unknown; last: unknown; activeFaults: unknown[] };
      assert.equal(status.running, null);
      assert.deepEqual(status.activeFaults, []);
      // The shipped experiment files run only by hand.
      assert.deepEqual(await (await fetch(`${coordinator.url}/api/chaos/schedules`)).json(), { schedules: [] });
    });

    it("serves the MAPE-K state over the hosted nodes and its history", async () => {
      const deadline = Date.now() + 30_000;
      let state: { state: string | null; phi: number | null; nodes: { total: number } | null; thresholds?: unknown; anomalyModel?: { strategy: string; source: string } | null } = { state: null, phi: null, nodes: null };
      // The hosts start once the API listens: the loop may tick before all 4 nodes registered.
      while (Date.now() < deadline && (!state.state || state.nodes?.total !== 4)) {
        state = (await (await fetch(`${coordinator.url}/api/mapek`)).json()) as typeof state;
        if (!state.state || state.nodes?.total !== 4) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(state.state, "a tick happened");
      assert.equal(state.nodes?.total, 4);
      assert.ok(Number.isFinite(state.phi));
      // The chain's MeshPolicy (the deployment's defaults here): the values the dashboard draws.
      assert.deepEqual(state.thresholds, { euphoric: 1.456, harmonic: 1.133, contemplative: 0.809, mystical: 0.485 });
      assert.equal(state.anomalyModel?.strategy, "fedavg", "the anomaly model trained by FL is reported");
      assert.equal(state.anomalyModel?.source, "trained", "a fresh data dir has no cached model");
      const { ticks } = (await (await fetch(`${coordinator.url}/api/mapek/history?limit=5`)).json()) as { ticks: Array<{ epoch: number; state: string; phi: number }> };
      assert.ok(ticks.length >= 1 && ticks.length <= 5);
      assert.deepEqual(
        ticks.map((t) => t.epoch),
        [...ticks.map((t) => t.epoch)].sort((a, b) => a - b),
        "oldest first",
      );
      assert.equal((await fetch(`${coordinator.url}/api/mapek/history?limit=0`)).status, 400);
    });

    it("after a restart on the same data dir, loads the anomaly model from the cache instead of training it, and says so", async () => {
      const [trained] = modelLogs();
      assert.equal(trained?.msg, "anomaly model trained", JSON.stringify(modelLogs()));
      await coordinator.close();
      await start();
      const [loaded, ...others] = modelLogs();
      assert.equal(loaded?.msg, "anomaly model loaded from cache", JSON.stringify(modelLogs()));
      assert.deepEqual(others, []);
      assert.equal(loaded.key, trained.key);
      assert.equal(loaded.path, path.join(dataDir, "mapek", "anomaly-model", `${String(trained.key)}.json`));
      const body = (await (await fetch(`${coordinator.url}/api/mapek`)).json()) as { anomalyModel: { source: string; strategy: string } | null };
      assert.equal(body.anomalyModel?.source, "cache");
      assert.equal(body.anomalyModel?.strategy, "fedavg");
    });
  });
});
