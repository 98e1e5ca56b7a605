/**
 * Staged deployment of mesh nodes in real node-host processes (the original script
 * wrote `{status: "deployed"}` without deploying anything; this one starts processes,
 * checks every node for real and rolls back for real).
 *
 * For each stage (e.g. 50 → 100 → 500 nodes) batches of `batchSize` nodes are deployed
 * one after another:
 *
 * 1. keys: a fresh secp256k1 key per node, in a keys file per host (mode 0600);
 * 2. manifest: the batch is recorded as `deploying` before anything starts;
 * 3. admit: the coordinator is told the batch's node addresses (admin API);
 * 4. hosts: `nodesPerHost` nodes per host, each a host agent process (spawned
 *    detached, pid recorded) with its worker; the agents are given the coordinator's
 *    control address (`GET /api/mesh/control`, recorded in the manifest), so chaos and
 *    MAPE-K reach them through their control socket;
 * 5. health: every node must be registered, heartbeating (≥ 2 beats, the last within
 *    2.5 periods), connected, and answer a signed probe, and every host process alive,
 *    within `healthTimeoutMs`;
 * 6. healthy → `healthy` in the manifest; otherwise rollback: SIGKILL the batch's host
 *    processes (each agent's process group: agent, worker and spare), deregister its nodes on the coordinator, delete its keys, and move it
 *    from `batches` to `history` with the reason.
 *
 * A failed batch does not count toward the stage; after `maxFailedBatches` failures the
 * deployment stops with {@link DeploymentFailedError} (what is healthy stays up).
 */
import { mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { generatePrivateKey } from "viem/accounts";
import { DeploymentFailedError, DeploymentOptionsError } from "../../errors/mesh.ts";
import type { Logger } from "../../logger.ts";
import { nodeIdOf, writeNodeKeys } from "../nodeHost/nodeHostOptions.ts";
import type { HostedNodeKey } from "../nodeHost/nodeHostRuntime.ts";
import type { HostFault } from "../nodeHost/workerChannel.ts";
import type { NodeHealth } from "../remote/remoteMesh.ts";
import { addressOfKey } from "../remote/nodeMessage.ts";
import { emptyManifest, manifestPath, readManifest, writeManifest, type DeploymentManifest, type ManifestBatch, type ManifestHost } from "./deploymentManifest.ts";
import { isAlive, killNodeHost, spawnNodeHost, treeRssOf } from "./hostProcesses.ts";
import type { DeployProgressEvent } from "./progressBar.ts";

/** The coordinator's admin API as the deployer uses it (the CLI's `ApiClient` fits). */
export type DeployApi = {
  get<T>(pathname: string): Promise<T>;
  post<T>(pathname: string, body: unknown): Promise<T>;
};

/** Options of {@link deployMeshNodes}. */
export type DeployMeshNodesParameters = {
  api: DeployApi;
  /** The URL node hosts connect to (may differ from the API client's, e.g. a public address). */
  coordinatorUrl: string;
  /** `SYNOD_DATA_DIR`: manifest, keys and host logs go under `mesh/`. */
  dataDir: string;
  /** Total nodes after each stage, increasing, e.g. `[50, 100, 500]`. */
  stages: readonly number[];
  batchSize: number;
  /** Nodes per host process; default `min(batchSize, 50)`. A batch's hosts carry only its nodes. */
  nodesPerHost?: number;
  heartbeatMs?: number;
  /** How long a batch may take to become healthy; default 30 s. */
  healthTimeoutMs?: number;
  /** Batches deployed at the same time (each checked and rolled back on its own); default 1. */
  parallelBatches?: number;
  /** Stop after this many failed batches; default 3. */
  maxFailedBatches?: number;
  /** Host data settings (must match the coordinator's FL: same seed and maxExamples). */
  data?: { dataset?: "mnist" | "sensor"; seed?: number; maxExamples?: number; totalShards?: number };
  /** Make batches fail on purpose: batch number (1-based, in this run) → host fault. */
  faults?: ReadonlyMap<number, HostFault>;
  /** Hosts write their request latencies and counters to `<statsDir>/<hostId>.json` when stopped with SIGTERM (benchmarks). */
  statsDir?: string;
  /** A host exits after this long without the coordinator; default 5 min. */
  hostMaxOfflineMs?: number;
  /** Each host keeps a spare worker loaded for fast restarts (~120 MiB more per host); default true. */
  warmSpare?: boolean;
  onProgress?: (event: DeployProgressEvent) => void;
  logger?: Logger;
};

/** One batch as the summary reports it. */
export type BatchSummary = { id: string; stage: number; nodes: number; hosts: number; pids: number[]; status: "healthy" | "rolled-back"; durationMs: number; reason: string | null };

/** One stage as the summary reports it. */
export type StageSummary = { target: number; healthy: number; durationMs: number; batches: number; failedBatches: number; hostRssBytes: number; hostProcesses: number };

/** What {@link deployMeshNodes} returns. */
export type DeploymentSummary = { stages: StageSummary[]; batches: BatchSummary[]; failedBatches: number; totalMs: number; manifest: string };

/** Validates the options, listing every problem. */
function check(parameters: DeployMeshNodesParameters): void {
  const issues: string[] = [];
  if (parameters.stages.length === 0) issues.push("stages: at least one (e.g. --count 50 or --stages 50,100,500)");
  parameters.stages.forEach((stage, i) => {
    if (!Number.isInteger(stage) || stage < 1 || stage > 100_000) issues.push(`stages[${i}]: must be an integer from 1 to 100000, got ${stage}`);
    if (i > 0 && stage <= (parameters.stages[i - 1] ?? 0)) issues.push(`stages[${i}]: must be above the previous stage (${parameters.stages[i - 1]})`);
  });
  if (!Number.isInteger(parameters.batchSize) || parameters.batchSize < 1 || parameters.batchSize > 5000) issues.push(`batchSize: must be an integer from 1 to 5000, got ${parameters.batchSize}`);
  const perHost = parameters.nodesPerHost;
  const parallel = parameters.parallelBatches;
  if (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1 || parallel > 64)) issues.push(`parallelBatches: must be an integer from 1 to 64, got ${parallel}`);
  if (perHost !== undefined && (!Number.isInteger(perHost) || perHost < 1 || perHost > 5000)) issues.push(`nodesPerHost: must be an integer from 1 to 5000, got ${perHost}`);
  if (issues.length) throw new DeploymentOptionsError({ issues });
}

/**
 * Deploys nodes stage by stage and batch by batch, as described above.
 *
 * @returns per-stage and per-batch figures; the manifest path.
 * @throws {DeploymentOptionsError} on bad options; {@link DeploymentFailedError} when too many batches failed.
 * @example
 * import { deployMeshNodes } from "./deployMeshNodes.ts";
 * const summary = await deployMeshNodes({ api, coordinatorUrl: "http://127.0.0.1:8787", dataDir: ".synod", stages: [50, 100, 500], batchSize: 50 });
 */
export async function deployMeshNodes(parameters: DeployMeshNodesParameters): Promise<DeploymentSummary> {
  check(parameters);
  const { api, dataDir, batchSize } = parameters;
  const started = performance.now();
  const file = manifestPath(dataDir);
  const meshDir = path.dirname(file);
  const manifest: DeploymentManifest = (await readManifest(file)) ?? emptyManifest(parameters.coordinatorUrl);
  manifest.coordinatorUrl = parameters.coordinatorUrl;
  manifest.controlAddress = await controlAddressOf(api, parameters.logger);
  const nodesPerHost = parameters.nodesPerHost ?? Math.min(batchSize, 50);
  const heartbeatMs = parameters.heartbeatMs ?? 1000;
  const healthTimeoutMs = parameters.healthTimeoutMs ?? 30_000;
  const maxFailed = parameters.maxFailedBatches ?? 3;
  const data = parameters.data ?? {};
  const progress = parameters.onProgress ?? (() => undefined);
  const summary: DeploymentSummary = { stages: [], batches: [], failedBatches: 0, totalMs: 0, manifest: file };
  const healthyNodes = () => manifest.batches.filter((b) => b.status !== "deploying").reduce((n, b) => n + b.hosts.reduce((m, h) => m + h.nodes.length, 0), 0);
  const parallel = parameters.parallelBatches ?? 1;
  let nextIndex = Math.max(-1, ...manifest.batches.flatMap((b) => b.hosts.flatMap((h) => h.nodes.map((n) => n.index)))) + 1;
  let batchNumber = 0;
  const totalShards = data.totalShards ?? Math.max(500, ...parameters.stages);

  for (const target of parameters.stages) {
    const stageStarted = performance.now();
    const stage: StageSummary = { target, healthy: healthyNodes(), durationMs: 0, batches: 0, failedBatches: 0, hostRssBytes: 0, hostProcesses: 0 };
    progress({ type: "stage", stage: target, target, healthy: stage.healthy });
    // Up to `parallel` batches in flight; each is still checked and rolled back on its own.
    const running = new Set<Promise<void>>();
    let inFlight = 0;
    const runBatch = async (size: number, number: number, firstIndex: number): Promise<void> => {
      const t0 = performance.now();
      const batch = await deployBatch({ manifest, file, meshDir, size, firstIndex, stage: target, nodesPerHost, heartbeatMs, data, totalShards, fault: parameters.faults?.get(number), parameters });
      stage.batches++;
      progress({ type: "batch-started", batch: batch.id, stage: target, nodes: size, hosts: batch.hosts.length });
      const verdict = await waitHealthy(api, batch, healthTimeoutMs, heartbeatMs, (healthy, elapsedMs) => progress({ type: "batch-health", batch: batch.id, healthy, nodes: size, elapsedMs, total: healthyNodes(), target }));
      const pids = batch.hosts.map((h) => h.pid).filter((pid): pid is number => pid !== null);
      if (verdict.ok) {
        batch.status = "healthy";
        batch.healthyAt = new Date().toISOString();
        await writeManifest(file, manifest);
      } else {
        await rollbackBatch({ api, manifest, file, batchId: batch.id, reason: verdict.reason });
        summary.failedBatches++;
        stage.failedBatches++;
        parameters.logger?.warn({ batch: batch.id, reason: verdict.reason }, "batch rolled back");
      }
      const durationMs = performance.now() - t0;
      summary.batches.push({ id: batch.id, stage: target, nodes: size, hosts: batch.hosts.length, pids, status: verdict.ok ? "healthy" : "rolled-back", durationMs, reason: verdict.ok ? null : verdict.reason });
      progress({ type: "batch-finished", batch: batch.id, status: verdict.ok ? "healthy" : "rolled-back", durationMs, reason: verdict.ok ? null : verdict.reason, total: healthyNodes(), target });
    };
    while (healthyNodes() < target || running.size > 0) {
      const missing = target - healthyNodes() - inFlight;
      if (missing > 0 && running.size < parallel && summary.failedBatches < maxFailed) {
        const size = Math.min(batchSize, missing);
        inFlight += size;
        const task = runBatch(size, ++batchNumber, nextIndex).finally(() => {
          inFlight -= size;
          running.delete(task);
        });
        nextIndex += size;
        running.add(task);
        continue;
      }
      if (running.size === 0) {
        await writeManifest(file, manifest);
        throw new DeploymentFailedError({ stage: target, healthy: healthyNodes(), failedBatches: summary.failedBatches });
      }
      await Promise.race(running);
    }
    const pids = manifest.batches.flatMap((b) => b.hosts.map((h) => h.pid)).filter((pid): pid is number => pid !== null);
    stage.healthy = healthyNodes();
    stage.durationMs = performance.now() - stageStarted;
    stage.hostProcesses = pids.length;
    stage.hostRssBytes = pids.reduce((sum, pid) => sum + treeRssOf(pid), 0);
    summary.stages.push(stage);
  }
  summary.totalMs = performance.now() - started;
  return summary;
}

type DeployBatchParameters = {
  manifest: DeploymentManifest;
  file: string;
  meshDir: string;
  size: number;
  firstIndex: number;
  stage: number;
  nodesPerHost: number;
  heartbeatMs: number;
  data: NonNullable<DeployMeshNodesParameters["data"]>;
  totalShards: number;
  fault: HostFault | undefined;
  parameters: DeployMeshNodesParameters;
};

/** Keys, manifest entry, admission, host processes: everything but the health check. */
async function deployBatch(p: DeployBatchParameters): Promise<ManifestBatch> {
  const id = `batch-${String(p.manifest.nextBatch++).padStart(3, "0")}`;
  const batch: ManifestBatch = { id, stage: p.stage, status: "deploying", startedAt: new Date().toISOString(), healthyAt: null, hosts: [] };
  // Listed with its id, before any await: batches deployed in parallel stay in id order.
  p.manifest.batches.push(batch);
  const plans: Array<{ host: ManifestHost; keys: HostedNodeKey[] }> = [];
  for (let offset = 0, h = 0; offset < p.size; offset += p.nodesPerHost, h++) {
    const hostId = `${id}-h${h}`;
    const keys: HostedNodeKey[] = Array.from({ length: Math.min(p.nodesPerHost, p.size - offset) }, (_, i) => {
      const index = p.firstIndex + offset + i;
      return { nodeId: nodeIdOf(index), index, privateKey: generatePrivateKey() };
    });
    const keysFile = path.join(p.meshDir, "keys", `${hostId}.json`);
    await writeNodeKeys(keysFile, keys);
    const host: ManifestHost = {
      hostId,
      pid: null,
      machine: os.hostname(),
      keysFile,
      logFile: path.join(p.meshDir, "logs", `${hostId}.log`),
      fault: p.fault ?? null,
      startedAt: new Date().toISOString(),
      nodes: keys.map((k) => ({ nodeId: k.nodeId, index: k.index, address: addressOfKey(k.privateKey) })),
    };
    plans.push({ host, keys });
    batch.hosts.push(host);
  }
  // Recorded before anything runs: a deployer killed from here on leaves a manifest
  // that `synod nodes rollback` can clean up.
  await writeManifest(p.file, p.manifest);
  await p.parameters.api.post("/api/mesh/nodes/admit", { nodes: batch.hosts.flatMap((host) => host.nodes.map((n) => ({ nodeId: n.nodeId, address: n.address, hostId: host.hostId, batch: id }))) });
  await mkdir(path.join(p.meshDir, "logs"), { recursive: true });
  for (const { host, keys } of plans) {
    const args = [
      "--nodes", String(keys.length),
      "--coordinator", p.parameters.coordinatorUrl,
      "--first-index", String(keys[0]!.index),
      "--keys", host.keysFile!,
      "--host-id", host.hostId,
      "--heartbeat-ms", String(p.heartbeatMs),
      "--total-shards", String(p.totalShards),
      "--data", p.data.dataset ?? "mnist",
      "--seed", String(p.data.seed ?? 1),
      "--max-offline-ms", String(p.parameters.hostMaxOfflineMs ?? 5 * 60_000),
      ...(p.data.maxExamples ? ["--max-examples", String(p.data.maxExamples)] : []),
      ...(p.fault ? ["--fault", p.fault] : []),
      ...(p.parameters.statsDir ? ["--stats-file", path.join(p.parameters.statsDir, `${host.hostId}.json`)] : []),
      ...(p.manifest.controlAddress ? ["--control-address", p.manifest.controlAddress] : []),
      ...(p.parameters.warmSpare === false ? ["--warm-spare", "false"] : []),
    ];
    host.pid = spawnNodeHost(args, host.logFile!);
  }
  await writeManifest(p.file, p.manifest);
  return batch;
}

/**
 * The coordinator's control address, or `null` when it does not control host agents
 * (no `/api/mesh/control`: its hosts then run without a control socket).
 */
async function controlAddressOf(api: DeployApi, logger: Logger | undefined): Promise<`0x${string}` | null> {
  try {
    const { address } = await api.get<{ address: `0x${string}` }>("/api/mesh/control");
    return address;
  } catch (error) {
    if ((error as { status?: unknown }).status !== 404) throw error;
    logger?.warn("the coordinator has no /api/mesh/control: hosts are deployed without a control address (chaos and MAPE-K cannot reach them)");
    return null;
  }
}

/** Refusals that no amount of waiting cures: the host runs keys the coordinator does not accept. */
const DEFINITIVE = /refused: (wrong-key|unknown-node|banned|bad-signature)/;

/**
 * Polls the coordinator's health check (with probes) until every node of the batch is
 * healthy, or the deadline. Fails early, without waiting for the deadline, when a node
 * is refused for its key (it will never be accepted) or has been silent for five
 * heartbeat periods (at least 3 s) after registering.
 */
async function waitHealthy(api: DeployApi, batch: ManifestBatch, timeoutMs: number, heartbeatMs: number, onPoll: (healthy: number, elapsedMs: number) => void): Promise<{ ok: true } | { ok: false; reason: string }> {
  const nodeIds = batch.hosts.flatMap((h) => h.nodes.map((n) => n.nodeId));
  const started = performance.now();
  let last: NodeHealth[] = [];
  while (performance.now() - started < timeoutMs) {
    const dead = batch.hosts.filter((h) => h.pid !== null && !isAlive(h.pid));
    if (dead.length) {
      const log = dead[0]!.logFile ? ` (see ${dead[0]!.logFile})` : "";
      return { ok: false, reason: `host process ${dead.map((h) => `${h.hostId} pid ${h.pid}`).join(", ")} exited${log}` };
    }
    try {
      const report = await api.post<{ healthy: number; nodes: NodeHealth[] }>("/api/mesh/nodes/health", { nodeIds, probe: true, probeTimeoutMs: 2000 });
      last = report.nodes;
      onPoll(report.healthy, performance.now() - started);
      if (report.healthy === nodeIds.length) return { ok: true };
      const refused = report.nodes.find((n) => n.problem && DEFINITIVE.test(n.problem));
      if (refused) return { ok: false, reason: `${refused.nodeId}: ${refused.problem}` };
      const silent = report.nodes.find((n) => n.registered && (n.lastSeenAgeMs ?? 0) > Math.max(3000, 5 * heartbeatMs));
      if (silent) return { ok: false, reason: `${silent.nodeId}: registered, then no heartbeat for ${silent.lastSeenAgeMs} ms (${silent.heartbeats} heartbeats)` };
    } catch (error) {
      last = [];
      onPoll(0, performance.now() - started);
      if (performance.now() - started > timeoutMs / 2) return { ok: false, reason: `health check failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(250, heartbeatMs))));
  }
  const unhealthy = last.filter((n) => !n.healthy);
  const first = unhealthy[0];
  return { ok: false, reason: `${unhealthy.length || nodeIds.length}/${nodeIds.length} nodes unhealthy after ${timeoutMs} ms${first ? `; ${first.nodeId}: ${first.problem}` : ""}` };
}

/** Options of {@link rollbackBatch}. */
export type RollbackBatchParameters = { api: DeployApi; manifest: DeploymentManifest; file: string; batchId: string; reason: string };

/** What a rollback did per host. */
export type RollbackResult = { batch: string; nodes: string[]; hosts: Array<{ hostId: string; pid: number | null; outcome: "killed" | "gone" | "not-ours" | "remote" }>; deregistered: number };

/**
 * Rolls a batch back: SIGKILL its host processes (only if each pid still is that
 * host), deregister its nodes on the coordinator, delete its keys, and move it from
 * `batches` to `history`. The manifest is written even if the coordinator is down
 * (its nodes are then refused when it restarts, since it admits from the manifest).
 */
export async function rollbackBatch({ api, manifest, file, batchId, reason }: RollbackBatchParameters): Promise<RollbackResult> {
  const batch = manifest.batches.find((b) => b.id === batchId);
  if (!batch) return { batch: batchId, nodes: [], hosts: [], deregistered: 0 };
  const hosts: RollbackResult["hosts"] = [];
  for (const host of batch.hosts) {
    const outcome = host.pid !== null && host.machine === os.hostname() ? await killNodeHost(host.pid, host.hostId) : "remote";
    hosts.push({ hostId: host.hostId, pid: host.pid, outcome });
  }
  const nodes = batch.hosts.flatMap((h) => h.nodes.map((n) => n.nodeId));
  let deregistered = 0;
  let deregisterError: string | null = null;
  try {
    deregistered = (await api.post<{ deregistered: string[] }>("/api/mesh/nodes/deregister", { nodeIds: nodes, reason: `rollback of ${batchId}: ${reason}`.slice(0, 200) })).deregistered.length;
  } catch (error) {
    deregisterError = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  }
  for (const host of batch.hosts) if (host.keysFile) await rm(host.keysFile, { force: true });
  manifest.batches = manifest.batches.filter((b) => b.id !== batchId);
  manifest.history.push({
    id: batchId,
    stage: batch.stage,
    nodeIds: nodes,
    pids: batch.hosts.map((h) => h.pid).filter((pid): pid is number => pid !== null),
    reason: deregisterError ? `${reason}; deregistration failed: ${deregisterError}` : reason,
    rolledBackAt: new Date().toISOString(),
  });
  await writeManifest(file, manifest);
  return { batch: batchId, nodes, hosts, deregistered };
}

/**
 * Rolls back every batch of the manifest (`--rollback-all`), newest first.
 * @returns one result per batch.
 */
export async function rollbackAll({ api, dataDir, reason }: { api: DeployApi; dataDir: string; reason: string }): Promise<RollbackResult[]> {
  const file = manifestPath(dataDir);
  const manifest = await readManifest(file);
  if (!manifest) return [];
  const results: RollbackResult[] = [];
  for (const batch of [...manifest.batches].reverse()) results.push(await rollbackBatch({ api, manifest, file, batchId: batch.id, reason }));
  return results;
}
