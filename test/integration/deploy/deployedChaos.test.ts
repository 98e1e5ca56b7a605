/**
 * One mesh, end to end: `synod nodes deploy --count 100 --batch-size 10` starts real
 * host agents with their workers, then the seed scenarios' experiments
 * (`experiments/node-failure.yaml`, `experiments/network-partition.yaml`), run through
 * the API as `synod chaos run` does, break nodes of that deployment for real: the
 * crash kills a deployed worker through its agent, the partition blackholes a deployed
 * host's own link proxy. MAPE-K, fed by the same mesh, detects and heals them.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ChaosRun } from "../../../coordinator/api/schemas/chaos.ts";
import { createApiClient, type ApiClient } from "../../../coordinator/client/apiClient.ts";
import { getChaosRun, startChaosRun } from "../../../coordinator/client/actions/chaos.ts";
import { getMapekStatus } from "../../../coordinator/client/actions/mapek.ts";
import { manifestPath, readManifest } from "../../../coordinator/mesh/deploy/deploymentManifest.ts";
import { deployMeshNodes, rollbackAll } from "../../../coordinator/mesh/deploy/deployMeshNodes.ts";
import { isAlive } from "../../../coordinator/mesh/deploy/hostProcesses.ts";
import { startCoordinator, type StartCoordinatorReturnType } from "../../../coordinator/server.ts";
import { chaosService, flService, meshService } from "../../../coordinator/services/defaultServices.ts";

/**
 * Stated bounds for a crash on a busy 2-core machine (the whole suite, other work):
 * the targets are 2 s and 5 s; the test prints the measured MTTD and MTTR.
 */
const MAX_CRASH_MTTD_MS = 5_000;
const MAX_CRASH_MTTR_MS = 15_000;
const HEARTBEAT_MS = 200;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe("chaos and MAPE-K on deployed nodes (100 nodes, 10 host agents)", () => {
  let dataDir: string;
  let coordinator: StartCoordinatorReturnType;
  let api: ApiClient;

  /** Runs an experiment file as `synod chaos run` does and waits for its journal. */
  async function runExperiment(name: string, timeScale: number): Promise<ChaosRun> {
    const started = await startChaosRun(api, { name, timeScale });
    const deadline = Date.now() + 180_000;
    for (;;) {
      const run = await getChaosRun(api, { runId: started.runId });
      if (run.status !== "running") return run;
      assert.ok(Date.now() < deadline, `${name} still running: ${JSON.stringify(run.progress)}`);
      await sleep(500);
    }
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-deployed-chaos-"));
    coordinator = await startCoordinator({
      env: {
        SYNOD_DATA_DIR: dataDir,
        SYNOD_API_PORT: "0",
        LOG_LEVEL: "silent",
        IPFS_API_URL: "http://127.0.0.1:9",
        RPC_URL: "http://127.0.0.1:9",
        SYNOD_NETWORK_PROFILE: "local",
        SYNOD_NODE_RATE_LIMIT_MAX: "100000",
        // No nodes of its own: every node of this mesh is a deployed one.
        SYNOD_MESH_NODES: "0",
        SYNOD_MESH_HEARTBEAT_MS: String(HEARTBEAT_MS),
        SYNOD_MAPEK_INTERVAL_MS: "200",
        SYNOD_FL_ROUND_INTERVAL_MS: "1000",
      },
      services: [flService, meshService, chaosService],
    });
    api = createApiClient({ env: { SYNOD_API_URL: coordinator.url, SYNOD_ADMIN_TOKEN: coordinator.adminToken.token } });
    const summary = await deployMeshNodes({
      api,
      coordinatorUrl: coordinator.url,
      dataDir,
      stages: [100],
      batchSize: 10,
      heartbeatMs: HEARTBEAT_MS,
      healthTimeoutMs: 60_000,
      hostMaxOfflineMs: 30_000,
      // The coordinator's own FL split: same dataset and seed.
      data: { dataset: "mnist", seed: 1, totalShards: 100 },
    });
    assert.equal(summary.stages[0]!.healthy, 100);
    // Every deployed host is under the mesh's control through its agent.
    const mesh = coordinator.services.mesh!;
    await until(() => mesh.hosts().length === 10 && mesh.hosts().every((h) => h.location === "remote" && h.state === "running"), "10 remote hosts under control");
    // Rounds over the deployment until the model passes the experiments' accuracy floor.
    await until(() => (mesh.rounds().at(-1)?.evaluation?.accuracy ?? 0) >= 0.85, "the model trained past 0.85", 120_000);
  });

  after(async () => {
    const manifest = await readManifest(manifestPath(dataDir)).catch(() => undefined);
    if (api) await rollbackAll({ api, dataDir, reason: "test finished" }).catch(() => undefined);
    for (const pid of manifest?.batches.flatMap((b) => b.hosts.map((h) => h.pid)) ?? []) if (pid && isAlive(pid)) process.kill(-pid, "SIGKILL");
    await coordinator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("node-failure.yaml kills a deployed host's worker through its agent; MAPE-K detects and heals it", async (t) => {
    const mesh = coordinator.services.mesh!;
    const run = await runExperiment("node-failure", 0.1);
    const fault = run.journal!.faults[0]!;
    assert.equal(fault.kind, "node-crash");
    assert.equal(fault.affected.length, 10, "one host: its 10 nodes");
    const host = mesh.host(fault.affected[0]!)!;
    assert.equal(host.location, "remote", "a deployed host, reached through its agent");
    assert.ok(host.restarts >= 1, "its worker was restarted");
    for (const node of fault.affected) {
      const d = fault.detection[node]!;
      assert.ok(d.detectedAt !== null, `${node} not detected`);
      assert.ok(d.detectedAt - fault.injectedAt! <= MAX_CRASH_MTTD_MS, `${node} detected after ${d.detectedAt - fault.injectedAt!} ms`);
      assert.ok(d.healedAt !== null && d.healedAt - fault.injectedAt! <= MAX_CRASH_MTTR_MS, `${node} healed after ${d.healedAt === null ? "never" : d.healedAt - fault.injectedAt!} ms`);
    }
    t.diagnostic(`deployed host crash: MTTD ${run.journal!.mttdMs} ms, MTTR ${run.journal!.mttrMs} ms (targets 2000 and 5000)`);
    assert.equal(run.status, "completed", JSON.stringify(run.journal!.steadyStates.after));
    assert.equal(run.journal!.deviated, false, JSON.stringify(run.journal!.steadyStates.after));
  });

  it("network-partition.yaml blackholes a deployed host's own link proxy; MAPE-K routes around it and readmits its nodes after the heal", async () => {
    const mesh = coordinator.services.mesh!;
    const restartsBefore = new Map(mesh.hosts().map((h) => [h.hostId, h.restarts]));
    const run = await runExperiment("network-partition", 0.1);
    const fault = run.journal!.faults[0]!;
    assert.equal(fault.kind, "network-partition");
    // 25 % of 10 hosts: two hosts, a minority.
    assert.ok(fault.affected.length >= 10 && fault.affected.length < 50, `affected ${fault.affected.length}`);
    const undetected = fault.affected.filter((node) => fault.detection[node]!.detectedAt === null);
    if (undetected.length) {
      // What MAPE-K held for them: an incident already open when the fault began hides its detection.
      const mapek = await getMapekStatus(api);
      const seen = [...mapek.openIncidents, ...mapek.recentIncidents].filter((i) => undetected.includes(i.nodeId));
      assert.fail(`not detected while injected (${fault.injectedAt}–${fault.recoveredAt}): ${undetected.join(", ")}; their incidents: ${JSON.stringify(seen)}`);
    }
    for (const node of fault.affected) assert.equal(mesh.host(node)!.location, "remote");
    // The hosts stayed alive (a partition is not a crash): no restart.
    const restarted = [...new Set(fault.affected.map((node) => mesh.host(node)!))].filter((h) => h.restarts !== restartsBefore.get(h.hostId)).map((h) => h.hostId);
    assert.deepEqual(restarted, []);
    // After the heal every partitioned node trains again.
    await until(() => fault.affected.every((node) => !mesh.isExcluded(node) && mesh.isReady(node)), "the partitioned nodes readmitted to FL", 30_000);
    assert.equal(run.status, "completed");
  });
});

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
