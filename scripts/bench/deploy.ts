/**
 * `npm run bench:deploy` — deploys 50 → 100 → 500 mesh nodes in node-host processes
 * against a coordinator in this process, and prints per stage (JSON on stdout): time,
 * healthy nodes (every one registered, heartbeating and answering a signed probe),
 * host processes, and resident memory of the hosts and the coordinator.
 * Targets: 500 healthy nodes within 60 s, under 4 GiB RSS in total.
 *
 * Options: --stages 50,100,500  --batch-size 50  --nodes-per-host 50  --parallel-batches 3  --heartbeat-ms 1000
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createApiClient } from "../../coordinator/client/apiClient.ts";
import { deployMeshNodes, rollbackAll } from "../../coordinator/mesh/deploy/deployMeshNodes.ts";
import { manifestPath, readManifest } from "../../coordinator/mesh/deploy/deploymentManifest.ts";
import { createProgressBar } from "../../coordinator/mesh/deploy/progressBar.ts";
import { createMeshService } from "../../coordinator/services/createMeshService.ts";
import type { RemoteMesh } from "../../coordinator/mesh/remote/remoteMesh.ts";
import { startCoordinator } from "../../coordinator/server.ts";

const { values } = parseArgs({ options: { stages: { type: "string", default: "50,100,500" }, "batch-size": { type: "string", default: "50" }, "nodes-per-host": { type: "string", default: "50" }, "heartbeat-ms": { type: "string", default: "1000" }, "parallel-batches": { type: "string", default: "3" } } });
const stages = values.stages.split(",").map(Number);
const dataDir = await mkdtemp(path.join(os.tmpdir(), "synod-bench-deploy-"));
let mesh!: RemoteMesh;
const coordinator = await startCoordinator({
  env: { SYNOD_DATA_DIR: dataDir, SYNOD_API_PORT: "0", LOG_LEVEL: "silent", SYNOD_NETWORK_PROFILE: "local", IPFS_API_URL: "http://127.0.0.1:9", RPC_URL: "http://127.0.0.1:9", SYNOD_NODE_RATE_LIMIT_MAX: "1000000", SYNOD_MESH_NODES: "0" },
  services: [createMeshService({ onReady: (m) => (mesh = m) })],
});
const api = createApiClient({ env: { SYNOD_API_URL: coordinator.url, SYNOD_ADMIN_TOKEN: coordinator.adminToken.token } });
try {
  const results = [];
  let total = 0;
  for (const target of stages) {
    const summary = await deployMeshNodes({
      api,
      coordinatorUrl: coordinator.url,
      dataDir,
      stages: [target],
      batchSize: Number(values["batch-size"]),
      nodesPerHost: Number(values["nodes-per-host"]),
      parallelBatches: Number(values["parallel-batches"]),
      heartbeatMs: Number(values["heartbeat-ms"]),
      healthTimeoutMs: 60_000,
      data: { dataset: "mnist", seed: 1, totalShards: Math.max(...stages) },
      onProgress: createProgressBar(),
    });
    const stage = summary.stages[0]!;
    total += stage.durationMs;
    // Independent of the deployer's own verdict: every node, probed now.
    const manifest = (await readManifest(manifestPath(dataDir)))!;
    const nodeIds = manifest.batches.flatMap((b) => b.hosts.flatMap((h) => h.nodes.map((n) => n.nodeId)));
    const health = await mesh.health(nodeIds, { probe: true, probeTimeoutMs: 5000 });
    const coordinatorRss = process.memoryUsage.rss();
    results.push({
      stage: target,
      healthyNodes: health.filter((h) => h.healthy).length,
      stageSeconds: Math.round(stage.durationMs / 100) / 10,
      cumulativeSeconds: Math.round(total / 100) / 10,
      batches: stage.batches,
      failedBatches: stage.failedBatches,
      hostProcesses: stage.hostProcesses,
      hostRssMiB: Math.round(stage.hostRssBytes / 2 ** 20),
      coordinatorRssMiB: Math.round(coordinatorRss / 2 ** 20),
      totalRssMiB: Math.round((stage.hostRssBytes + coordinatorRss) / 2 ** 20),
      batchSeconds: summary.batches.map((b) => Math.round(b.durationMs / 100) / 10),
    });
  }
  const last = results.at(-1)!;
  process.stdout.write(
    `${JSON.stringify({ bench: "deploy", machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg().map((l) => Math.round(l * 10) / 10) }, settings: { stages, batchSize: Number(values["batch-size"]), nodesPerHost: Number(values["nodes-per-host"]), parallelBatches: Number(values["parallel-batches"]), heartbeatMs: Number(values["heartbeat-ms"]) }, stages: results, targets: { healthy500Within60s: last.healthyNodes === 500 && last.cumulativeSeconds <= 60, rssUnder4GiB: last.totalRssMiB < 4096 } }, null, 2)}\n`,
  );
} finally {
  await rollbackAll({ api, dataDir, reason: "benchmark finished" });
  await coordinator.close();
  await rm(dataDir, { recursive: true, force: true });
}
