/**
 * Mesh nodes in real node-host processes, deployed in batches against a running
 * coordinator: a batch made to fail for real (its nodes sign with keys nobody
 * admitted, or never heartbeat) is detected by the health check and rolled back
 * (processes gone, nodes deregistered, out of the manifest) while the rest stay
 * healthy; unknown keys and wrong signatures are refused; an FL round trains over the
 * remote nodes like over in-process ones. Every host is a host agent given the
 * coordinator's control address, and comes under its control.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { generatePrivateKey } from "viem/accounts";
import { createApiClient, type ApiClient } from "../../../coordinator/client/apiClient.ts";
import { splitDataset } from "../../../coordinator/fl/datasets/dataset.ts";
import { loadMnist } from "../../../coordinator/fl/datasets/mnist.ts";
import { createLogisticRegression } from "../../../coordinator/fl/model/logisticRegression.ts";
import { createRng } from "../../../coordinator/fl/random.ts";
import { RoundRunner } from "../../../coordinator/fl/roundRunner.ts";
import { createStrategy } from "../../../coordinator/fl/strategies/createStrategy.ts";
import { manifestPath, readManifest } from "../../../coordinator/mesh/deploy/deploymentManifest.ts";
import { deployMeshNodes, rollbackAll } from "../../../coordinator/mesh/deploy/deployMeshNodes.ts";
import { isAlive } from "../../../coordinator/mesh/deploy/hostProcesses.ts";
import type { AgentRegistry } from "../../../coordinator/mesh/hosts/agentRegistry.ts";
import { createMeshService } from "../../../coordinator/services/createMeshService.ts";
import { createNodeMessageSigner } from "../../../coordinator/mesh/remote/nodeMessage.ts";
import type { RemoteMesh } from "../../../coordinator/mesh/remote/remoteMesh.ts";
import { startCoordinator, type StartCoordinatorReturnType } from "../../../coordinator/server.ts";

const SEED = 7;
const MAX_EXAMPLES = 3000;

/** The coordinator's held-out set, cut exactly as createSimulatedMesh cuts it. */
function holdout() {
  const mnist = loadMnist();
  const rng = createRng(SEED);
  const source = splitDataset(mnist, 1 - MAX_EXAMPLES / mnist.numExamples, rng.fork()).test;
  return splitDataset(source, 0.2, rng.fork()).test;
}

describe("mesh node deployment (real node-host processes)", () => {
  let dataDir: string;
  let coordinator: StartCoordinatorReturnType;
  let mesh: RemoteMesh;
  let agents: AgentRegistry;
  let api: ApiClient;
  /** What the fake MeshPolicy bans. */
  const bans: string[] = [];
  const test = holdout();
  const model = createLogisticRegression({ numFeatures: test.numFeatures, numClasses: test.numClasses });
  // FL side: nodes join and leave the runner through the service's sink, as with FlService.
  const runner = new RoundRunner({
    model,
    strategy: createStrategy({ name: "fedavg" }),
    evaluation: { dataset: test },
    config: { seed: SEED, fractionFit: 1, minFitClients: 3, minAvailableClients: 3, roundTimeoutMs: 30_000, completionFloor: 0.5, localEpochs: 1 },
  });
  const deploy = (stages: number[], batchSize: number, extra: Partial<Parameters<typeof deployMeshNodes>[0]> = {}) =>
    deployMeshNodes({ api, coordinatorUrl: coordinator.url, dataDir, stages, batchSize, nodesPerHost: 10, heartbeatMs: 300, healthTimeoutMs: 12_000, hostMaxOfflineMs: 20_000, data: { dataset: "mnist", seed: SEED, maxExamples: MAX_EXAMPLES, totalShards: 100 }, ...extra });

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-deploy-"));
    coordinator = await startCoordinator({
      env: { SYNOD_DATA_DIR: dataDir, SYNOD_API_PORT: "0", LOG_LEVEL: "silent", IPFS_API_URL: "http://127.0.0.1:9", RPC_URL: "http://127.0.0.1:9", SYNOD_NETWORK_PROFILE: "local", SYNOD_NODE_RATE_LIMIT_MAX: "100000", SYNOD_MESH_NODES: "0" },
      services: [createMeshService({ onReady: (m, _mesh, a) => ((mesh = m), (agents = a)), policyBans: async () => bans, policyRefreshMs: 200, federation: { registerClient: (c) => runner.register(c), unregisterClient: (id) => runner.unregister(id) } })],
    });
    api = createApiClient({ env: { SYNOD_API_URL: coordinator.url, SYNOD_ADMIN_TOKEN: coordinator.adminToken.token } });
  });

  after(async () => {
    // Whatever happened above: no host process outlives the test.
    const manifest = await readManifest(manifestPath(dataDir)).catch(() => undefined);
    await rollbackAll({ api, dataDir, reason: "test finished" });
    for (const pid of manifest?.batches.flatMap((b) => b.hosts.map((h) => h.pid)) ?? []) if (pid && isAlive(pid)) process.kill(pid, "SIGKILL");
    await coordinator.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("deploys 50 nodes in batches of 10, rolls back the batch made to fail, keeps the rest healthy", async () => {
    const summary = await deploy([50], 10, { faults: new Map([[3, "wrong-key"]]), parallelBatches: 2 });

    assert.equal(summary.batches.length, 6, JSON.stringify(summary.batches.map((b) => [b.id, b.status, Math.round(b.durationMs), b.reason])));
    const failed = summary.batches.filter((b) => b.status === "rolled-back");
    assert.equal(failed.length, 1);
    const [rolledBack] = failed;
    assert.equal(rolledBack!.id, "batch-003");
    assert.match(rolledBack!.reason ?? "", /wrong-key/);
    // processes gone
    assert.ok(rolledBack!.pids.length > 0);
    for (const pid of rolledBack!.pids) assert.equal(isAlive(pid), false, `rolled-back host pid ${pid} still alive`);
    // nodes deregistered: not admitted, not registered, not trainable
    const manifest = (await readManifest(manifestPath(dataDir)))!;
    const history = manifest.history.find((h) => h.id === "batch-003")!;
    assert.equal(history.nodeIds.length, 10);
    const admitted = new Set(mesh.admitted().map((n) => n.nodeId));
    for (const nodeId of history.nodeIds) {
      assert.equal(admitted.has(nodeId), false);
      assert.equal(mesh.node(nodeId), undefined);
      assert.equal(runner.clientIds().includes(nodeId), false);
    }
    // out of the manifest; the other five batches healthy, every node answering a probe
    assert.deepEqual(manifest.batches.map((b) => [b.id, b.status]), [["batch-001", "healthy"], ["batch-002", "healthy"], ["batch-004", "healthy"], ["batch-005", "healthy"], ["batch-006", "healthy"]]);
    const live = manifest.batches.flatMap((b) => b.hosts.flatMap((h) => h.nodes.map((n) => n.nodeId)));
    assert.equal(live.length, 50);
    const health = await mesh.health(live, { probe: true });
    assert.deepEqual(health.filter((h) => !h.healthy).map((h) => `${h.nodeId}: ${h.problem}`), []);
    for (const batch of manifest.batches) for (const host of batch.hosts) assert.equal(isAlive(host.pid!), true);
    assert.equal(summary.stages[0]!.healthy, 50);
    // Every host was given the control address and is under control: its agent (the
    // manifest's pid) connected, its worker running.
    assert.equal(manifest.controlAddress, agents.controlAddress);
    for (const host of manifest.batches.flatMap((b) => b.hosts)) {
      const agent = agents.host(host.hostId);
      assert.deepEqual([agent?.connected, agent?.agentPid, agent?.state], [true, host.pid, "running"], host.hostId);
      assert.ok(agent?.pid && isAlive(agent.pid), `${host.hostId}: worker ${agent?.pid}`);
    }
    // The rolled-back host's worker went with its agent (the host's process group was killed).
    const rolledBackWorker = agents.host("batch-003-h0")?.pid;
    assert.ok(rolledBackWorker, "batch-003's agent reported its worker");
    assert.equal(isAlive(rolledBackWorker), false);
  });

  it("detects a batch whose nodes register but never heartbeat, and rolls it back", async () => {
    const summary = await deploy([55], 5, { faults: new Map([[1, "no-heartbeat"]]), maxFailedBatches: 1 }).catch((error: unknown) => error);
    assert.ok(summary instanceof Error && summary.name === "DeploymentFailedError", String(summary));
    const manifest = (await readManifest(manifestPath(dataDir)))!;
    const entry = manifest.history.at(-1)!;
    assert.match(entry.reason, /heartbeat/);
    for (const pid of entry.pids) assert.equal(isAlive(pid), false);
    for (const nodeId of entry.nodeIds) assert.equal(mesh.node(nodeId), undefined);
    assert.equal(mesh.nodes().length, 50);
  });

  it("refuses an unknown node key and a message signed with the wrong key", async () => {
    const post = (pathname: string, body: unknown) => fetch(`${coordinator.url}${pathname}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const payload = JSON.stringify({ hostId: "intruder", sessionId: "x", bootId: "b", pid: 1, heartbeatMs: 1000, numExamples: 1 });

    const stranger = createNodeMessageSigner(generatePrivateKey());
    const unknown = await post("/api/mesh/register", stranger.sign("register", "node-999", Date.now() * 1000, payload));
    assert.equal(unknown.status, 403);
    assert.match(await unknown.text(), /unknown-node/);

    // A live node's id, but not its key: registration, heartbeat and update are all refused.
    const victim = mesh.nodes()[0]!;
    for (const [kind, pathname] of [["register", "/api/mesh/register"], ["heartbeat", "/api/mesh/heartbeat"], ["update", "/api/mesh/updates"]] as const) {
      const forged = await post(pathname, stranger.sign(kind, victim.nodeId, Date.now() * 1000, kind === "register" ? payload : "{}"));
      assert.equal(forged.status, 401, kind);
      assert.match(await forged.text(), /wrong-key/);
    }
    // A tampered payload under a real signature does not recover to the node's key either.
    const signed = createNodeMessageSigner(generatePrivateKey()).sign("heartbeat", victim.nodeId, Date.now() * 1000, "{}");
    const tampered = await post("/api/mesh/heartbeat", { ...signed, payload: '{"x":1}' });
    assert.equal(tampered.status, 401);
    assert.ok((mesh.stats.rejected["unknown-node"] ?? 0) >= 1 && (mesh.stats.rejected["wrong-key"] ?? 0) >= 4);
    assert.equal(mesh.node(victim.nodeId)?.connected, true);
  });

  it("trains a round over the remote nodes; updates signed with a wrong key are rejected", async () => {
    // Five more nodes whose FL updates carry a signature by the wrong key: they deploy
    // healthy (their node messages are fine) but the round must reject their updates.
    const summary = await deploy([55], 5, { faults: new Map([[1, "bad-update-signature"]]) });
    assert.equal(summary.batches.at(-1)!.status, "healthy");
    const bad = new Set((await readManifest(manifestPath(dataDir)))!.batches.at(-1)!.hosts.flatMap((h) => h.nodes.map((n) => n.nodeId)));
    assert.equal(runner.clientIds().length, 55);

    const record = await runner.runRound();
    assert.equal(record.status, "completed", record.reason ?? "");
    assert.equal(record.sampled.length, 55);
    assert.deepEqual(record.failures, []);
    assert.deepEqual(new Set(record.rejected.map((r) => r.nodeId)), bad);
    assert.ok(record.rejected.every((r) => r.reason === "bad-signature"));
    assert.equal(record.accepted.length, 50);
    assert.equal(runner.modelVersion, 1);
    assert.ok(record.evaluation!.accuracy > 0.5, `holdout accuracy ${record.evaluation!.accuracy}`);
    assert.equal(mesh.stats.updatesLate, 0);
  });

  it("refuses a node once MeshPolicy bans its key", async () => {
    const victim = mesh.nodes().find((n) => n.connected)!;
    const before = mesh.stats.rejected.banned ?? 0;
    bans.push(victim.address);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (mesh.stats.rejected.banned ?? 0) === before) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok((mesh.stats.rejected.banned ?? 0) > before, "the banned node's heartbeats were not refused");
    // Its heartbeats no longer count: it drops out of health; lifting the ban brings it back.
    const until = async (healthy: boolean) => {
      const end = Date.now() + 5000;
      while (Date.now() < end && (await mesh.health([victim.nodeId], { probe: true }))[0]!.healthy !== healthy) await new Promise((resolve) => setTimeout(resolve, 100));
      return (await mesh.health([victim.nodeId], { probe: true }))[0]!;
    };
    const banned = await until(false);
    assert.equal(banned.healthy, false);
    assert.match(banned.problem ?? "", /heartbeat/);
    bans.length = 0;
    assert.equal((await until(true)).healthy, true);
  });
});
