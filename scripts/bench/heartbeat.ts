/**
 * `npm run bench:heartbeat` — 500 remote nodes (node-host processes) heartbeating
 * every second while FL rounds over all of them run back to back, so every node also
 * submits an update per round. Prints (JSON on stdout) the API latency the nodes saw
 * (p50/p99/max per request kind, measured in the hosts), heartbeats sent and failed,
 * and updates dispatched, sent, accepted and lost. Target: zero lost updates.
 *
 * Options: --nodes 500  --seconds 30  --nodes-per-host 50  --heartbeat-ms 1000
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createApiClient } from "../../coordinator/client/apiClient.ts";
import { splitDataset } from "../../coordinator/fl/datasets/dataset.ts";
import { loadMnist } from "../../coordinator/fl/datasets/mnist.ts";
import { createLogisticRegression } from "../../coordinator/fl/model/logisticRegression.ts";
import { createRng } from "../../coordinator/fl/random.ts";
import { RoundRunner, type RoundRecord } from "../../coordinator/fl/roundRunner.ts";
import { createStrategy } from "../../coordinator/fl/strategies/createStrategy.ts";
import { manifestPath, readManifest } from "../../coordinator/mesh/deploy/deploymentManifest.ts";
import { deployMeshNodes, rollbackAll } from "../../coordinator/mesh/deploy/deployMeshNodes.ts";
import { isAlive } from "../../coordinator/mesh/deploy/hostProcesses.ts";
import { createProgressBar } from "../../coordinator/mesh/deploy/progressBar.ts";
import type { HostCounters, HostLatencies } from "../../coordinator/mesh/nodeHost/nodeHostRuntime.ts";
import { createMeshService } from "../../coordinator/services/createMeshService.ts";
import type { RemoteMesh } from "../../coordinator/mesh/remote/remoteMesh.ts";
import { startCoordinator } from "../../coordinator/server.ts";

const { values } = parseArgs({ options: { nodes: { type: "string", default: "500" }, seconds: { type: "string", default: "30" }, "nodes-per-host": { type: "string", default: "50" }, "heartbeat-ms": { type: "string", default: "1000" } } });
const numNodes = Number(values.nodes);
const seconds = Number(values.seconds);
const SEED = 1;

const mnist = loadMnist();
const rng = createRng(SEED);
const test = splitDataset(mnist, 0.2, rng.fork()).test;
const runner = new RoundRunner({
  model: createLogisticRegression({ numFeatures: test.numFeatures, numClasses: test.numClasses }),
  strategy: createStrategy({ name: "fedavg" }),
  evaluation: { dataset: test },
  config: { seed: SEED, fractionFit: 1, minFitClients: 3, minAvailableClients: 3, roundTimeoutMs: 60_000, completionFloor: 0.5, localEpochs: 1 },
});

const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-bench-heartbeat-"));
const statsDir = path.join(dataDir, "stats");
let mesh!: RemoteMesh;
const coordinator = await startCoordinator({
  env: { SYNOD_DATA_DIR: dataDir, SYNOD_API_PORT: "0", LOG_LEVEL: "silent", SYNOD_NETWORK_PROFILE: "local", IPFS_API_URL: "http://127.0.0.1:9", RPC_URL: "http://127.0.0.1:9", SYNOD_NODE_RATE_LIMIT_MAX: "1000000", SYNOD_MESH_NODES: "0", SYNOD_API_BODY_LIMIT: String(16 * 1024 * 1024) },
  services: [createMeshService({ onReady: (m) => (mesh = m), federation: { registerClient: (c) => runner.register(c), unregisterClient: (id) => runner.unregister(id) } })],
});
const api = createApiClient({ env: { SYNOD_API_URL: coordinator.url, SYNOD_ADMIN_TOKEN: coordinator.adminToken.token } });

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : null);
const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

try {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(statsDir, { recursive: true });
  await deployMeshNodes({ api, coordinatorUrl: coordinator.url, dataDir, stages: [numNodes], batchSize: Number(values["nodes-per-host"]), nodesPerHost: Number(values["nodes-per-host"]), heartbeatMs: Number(values["heartbeat-ms"]), healthTimeoutMs: 90_000, statsDir, data: { dataset: "mnist", seed: SEED, totalShards: numNodes }, onProgress: createProgressBar() });
  const manifest = (await readManifest(manifestPath(dataDir)))!;
  const hosts = manifest.batches.flatMap((b) => b.hosts);
  if (runner.clientIds().length !== numNodes) throw new Error(`${runner.clientIds().length} nodes registered, expected ${numNodes}`);

  // Measurement window: hosts and coordinator counters start from zero now.
  for (const host of hosts) process.kill(host.pid!, "SIGUSR2");
  const before = { ...mesh.stats };
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = performance.now();
  const rounds: RoundRecord[] = [];
  while (performance.now() - started < seconds * 1000) rounds.push(await runner.runRound());
  const elapsedS = (performance.now() - started) / 1000;
  const health = await mesh.health(runner.clientIds(), { probe: true, probeTimeoutMs: 5000 });

  for (const host of hosts) process.kill(host.pid!, "SIGTERM");
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && hosts.some((h) => !existsSync(path.join(statsDir, `${h.hostId}.json`)) || isAlive(h.pid!))) await new Promise((resolve) => setTimeout(resolve, 100));
  const stats = await Promise.all(hosts.map(async (h) => JSON.parse(await readFile(path.join(statsDir, `${h.hostId}.json`), "utf8")) as { counters: HostCounters; latencies: HostLatencies }));

  const sum = (key: keyof HostCounters) => stats.reduce((n, s) => n + s.counters[key], 0);
  const latency = (kind: keyof HostLatencies) => {
    const all = stats.flatMap((s) => s.latencies[kind]).sort((a, b) => a - b);
    return { requests: all.length, p50Ms: round1(percentile(all, 50)), p99Ms: round1(percentile(all, 99)), maxMs: round1(all.at(-1) ?? null) };
  };
  const dispatched = mesh.stats.fitsSent - before.fitsSent;
  const accepted = rounds.reduce((n, r) => n + r.accepted.length, 0);
  const rejected = rounds.reduce((n, r) => n + r.rejected.length, 0);
  const failures = rounds.reduce((n, r) => n + r.failures.length, 0);
  const heartbeatsSent = sum("heartbeatsSent");
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: "heartbeat",
        machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg().map((l) => Math.round(l * 10) / 10) },
        settings: { nodes: numNodes, hostProcesses: hosts.length, heartbeatMs: Number(values["heartbeat-ms"]), seconds },
        windowSeconds: Math.round(elapsedS * 10) / 10,
        heartbeats: { sent: heartbeatsSent, failed: sum("heartbeatsFailed"), perSecond: Math.round(heartbeatsSent / elapsedS), receivedByCoordinator: mesh.stats.heartbeats - before.heartbeats },
        latency: { heartbeat: latency("heartbeat"), update: latency("update") },
        rounds: { completed: rounds.filter((r) => r.status === "completed").length, failed: rounds.filter((r) => r.status === "failed").length, meanSeconds: round1(rounds.reduce((n, r) => n + r.durationMs, 0) / rounds.length / 1000), lastAccuracy: rounds.at(-1)?.evaluation?.accuracy ?? null },
        updates: {
          dispatched,
          sentByNodes: sum("updatesSent"),
          takenByCoordinator: sum("updatesAccepted"),
          refused: sum("updatesRefused"),
          undelivered: sum("updatesFailed"),
          acceptedInRounds: accepted,
          rejectedInRounds: rejected,
          failedOrTimedOut: failures,
          lost: dispatched - accepted - rejected,
        },
        healthyAfter: health.filter((h) => h.healthy).length,
        targets: { zeroLostUpdates: dispatched - accepted - rejected === 0 && sum("updatesFailed") === 0 && sum("updatesRefused") === 0 },
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await rollbackAll({ api, dataDir, reason: "benchmark finished" });
  await coordinator.close();
  await rm(dataDir, { recursive: true, force: true });
}
