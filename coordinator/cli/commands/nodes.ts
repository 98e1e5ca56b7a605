/**
 * `synod nodes deploy (--count N | --stages 50,100,500) --batch-size B [--nodes-per-host K] [--parallel-batches P]
 *                     [--heartbeat-ms MS] [--health-timeout-ms MS] [--max-failed-batches N]
 *                     [--data mnist|sensor] [--max-examples M] [--seed S] [--coordinator URL]
 *                     [--fail-batch N:FAULT] [--warm-spare true|false] [--rollback-all]`
 * `synod nodes status`
 * `synod nodes rollback (--batch ID | --all)`
 * `synod nodes admit FILE [--host-id ID]`
 *
 * The deployment manifest is `$SYNOD_DATA_DIR/mesh/deployment.json`; host logs are in
 * `$SYNOD_DATA_DIR/mesh/logs/`. `scripts/deploy-mesh-nodes.ts` is `synod nodes deploy`.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { NodeHealth } from "../../api/schemas/mesh.ts";
import { admitNodes, checkNodesHealth } from "../../client/actions/mesh.ts";
import { DeploymentOptionsError } from "../../errors/mesh.ts";
import { emptyManifest, manifestPath, readManifest, writeManifest } from "../../mesh/deploy/deploymentManifest.ts";
import { deployMeshNodes, rollbackAll, rollbackBatch, type RollbackResult } from "../../mesh/deploy/deployMeshNodes.ts";
import { isAlive } from "../../mesh/deploy/hostProcesses.ts";
import { createProgressBar } from "../../mesh/deploy/progressBar.ts";
import { HOST_FAULTS, type HostFault } from "../../mesh/nodeHost/workerChannel.ts";
import { UsageError } from "../../errors/cli.ts";
import type { CommandContext } from "../command.ts";

const USAGE = "synod nodes deploy (--count N | --stages 50,100,500) --batch-size B [options] | status | rollback (--batch ID | --all) | admit FILE";

const dataDirOf = () => path.resolve(process.env.SYNOD_DATA_DIR ?? ".synod");

function parseDeploy(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      count: { type: "string" },
      stages: { type: "string" },
      "batch-size": { type: "string", default: "10" },
      "nodes-per-host": { type: "string" },
      "parallel-batches": { type: "string" },
      "heartbeat-ms": { type: "string" },
      "health-timeout-ms": { type: "string" },
      "max-failed-batches": { type: "string" },
      data: { type: "string" },
      "max-examples": { type: "string" },
      seed: { type: "string" },
      coordinator: { type: "string" },
      "fail-batch": { type: "string", multiple: true },
      "warm-spare": { type: "string" },
      "rollback-all": { type: "boolean", default: false },
    },
  });
  const issues: string[] = [];
  const num = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) issues.push(`--${name}: must be a whole number, got ${JSON.stringify(value)}`);
    return n;
  };
  const stages = values.stages !== undefined ? values.stages.split(",").map((s) => num("stages", s.trim()) ?? 0) : values.count !== undefined ? [num("count", values.count) ?? 0] : [];
  if (!values["rollback-all"] && stages.length === 0) issues.push("--count or --stages: required");
  const faults = new Map<number, HostFault>();
  for (const spec of values["fail-batch"] ?? []) {
    const [batch, fault = "wrong-key"] = spec.split(":");
    if (!HOST_FAULTS.includes(fault as HostFault)) issues.push(`--fail-batch: fault must be one of ${HOST_FAULTS.join(", ")}, got ${JSON.stringify(fault)}`);
    faults.set(num("fail-batch", batch) ?? 0, fault as HostFault);
  }
  if (values.data !== undefined && values.data !== "mnist" && values.data !== "sensor") issues.push(`--data: mnist or sensor, got ${JSON.stringify(values.data)}`);
  if (values["warm-spare"] !== undefined && values["warm-spare"] !== "true" && values["warm-spare"] !== "false") issues.push(`--warm-spare: true or false, got ${JSON.stringify(values["warm-spare"])}`);
  if (issues.length) throw new DeploymentOptionsError({ issues });
  return {
    rollbackAll: values["rollback-all"],
    stages,
    batchSize: num("batch-size", values["batch-size"]) ?? 10,
    nodesPerHost: num("nodes-per-host", values["nodes-per-host"]),
    parallelBatches: num("parallel-batches", values["parallel-batches"]),
    heartbeatMs: num("heartbeat-ms", values["heartbeat-ms"]),
    healthTimeoutMs: num("health-timeout-ms", values["health-timeout-ms"]),
    maxFailedBatches: num("max-failed-batches", values["max-failed-batches"]),
    data: { dataset: (values.data ?? "mnist") as "mnist" | "sensor", seed: num("seed", values.seed) ?? 1, ...(values["max-examples"] ? { maxExamples: num("max-examples", values["max-examples"]) ?? 0 } : {}) },
    coordinator: values.coordinator,
    faults,
    warmSpare: values["warm-spare"] !== "false",
  };
}

export async function nodesCommand({ api, out, args }: CommandContext): Promise<void> {
  const [sub, ...rest] = args;
  const dataDir = dataDirOf();
  const file = manifestPath(dataDir);
  switch (sub) {
    case "deploy": {
      const options = parseDeploy(rest);
      if (options.rollbackAll) {
        const results = await rollbackAll({ api, dataDir, reason: "--rollback-all" });
        out.result(results, () => out.table(results.map((r) => ({ batch: r.batch, nodes: r.nodes.length, deregistered: r.deregistered, hosts: r.hosts.map((h) => `${h.hostId}:${h.outcome}`).join(" ") })), ["batch", "nodes", "deregistered", "hosts"]));
        return;
      }
      const summary = await deployMeshNodes({
        api,
        coordinatorUrl: options.coordinator ?? api.baseUrl,
        dataDir,
        stages: options.stages,
        batchSize: options.batchSize,
        data: options.data,
        faults: options.faults,
        warmSpare: options.warmSpare,
        onProgress: createProgressBar(),
        ...(options.nodesPerHost !== undefined ? { nodesPerHost: options.nodesPerHost } : {}),
        ...(options.parallelBatches !== undefined ? { parallelBatches: options.parallelBatches } : {}),
        ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
        ...(options.healthTimeoutMs !== undefined ? { healthTimeoutMs: options.healthTimeoutMs } : {}),
        ...(options.maxFailedBatches !== undefined ? { maxFailedBatches: options.maxFailedBatches } : {}),
      });
      out.result(summary, () => {
        out.line();
        out.table(summary.stages.map((s) => ({ stage: s.target, healthy: s.healthy, seconds: (s.durationMs / 1000).toFixed(1), batches: s.batches, failed: s.failedBatches, hosts: s.hostProcesses, "host rss MiB": Math.round(s.hostRssBytes / 2 ** 20) })), ["stage", "healthy", "seconds", "batches", "failed", "hosts", "host rss MiB"]);
        out.line();
        out.table(summary.batches.map((b) => ({ batch: b.id, stage: b.stage, nodes: b.nodes, hosts: b.hosts, status: b.status, seconds: (b.durationMs / 1000).toFixed(1), reason: b.reason })), ["batch", "stage", "nodes", "hosts", "status", "seconds", "reason"]);
        out.line(`\n${summary.failedBatches} failed batch(es) · ${(summary.totalMs / 1000).toFixed(1)} s · manifest ${summary.manifest}`);
      });
      return;
    }
    case "status": {
      const manifest = await readManifest(file);
      if (!manifest) {
        out.result({ batches: [], history: [] }, () => out.line(`no deployment manifest at ${file}`));
        return;
      }
      const nodeIds = manifest.batches.flatMap((b) => b.hosts.flatMap((h) => h.nodes.map((n) => n.nodeId)));
      let health: NodeHealth[] = [];
      let coordinatorError: string | null = null;
      try {
        health = nodeIds.length ? (await checkNodesHealth(api, { nodeIds, probe: true })).nodes : [];
      } catch (error) {
        coordinatorError = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      }
      const healthy = new Set(health.filter((h) => h.healthy).map((h) => h.nodeId));
      const batches = manifest.batches.map((b) => ({
        batch: b.id,
        status: b.status,
        stage: b.stage,
        hosts: b.hosts.map((h) => ({ hostId: h.hostId, pid: h.pid, alive: h.pid !== null ? isAlive(h.pid) : null })),
        nodes: b.hosts.reduce((n, h) => n + h.nodes.length, 0),
        healthy: b.hosts.reduce((n, h) => n + h.nodes.filter((node) => healthy.has(node.nodeId)).length, 0),
      }));
      out.result({ coordinatorUrl: manifest.coordinatorUrl, coordinatorError, batches, nodes: health, history: manifest.history }, () => {
        out.table(batches.map((b) => ({ batch: b.batch, status: b.status, stage: b.stage, healthy: `${b.healthy}/${b.nodes}`, hosts: b.hosts.map((h) => `${h.hostId}:${h.pid ?? "remote"}${h.alive === false ? "(dead)" : ""}`).join(" ") })), ["batch", "status", "stage", "healthy", "hosts"]);
        if (coordinatorError) out.line(`coordinator: ${coordinatorError}`);
        for (const h of health.filter((n) => !n.healthy).slice(0, 20)) out.line(`  ${h.nodeId}: ${h.problem}`);
        if (manifest.history.length) out.line(`rolled back: ${manifest.history.map((h) => `${h.id} (${h.reason})`).join("; ")}`);
      });
      return;
    }
    case "rollback": {
      const { values } = parseArgs({ args: rest, options: { batch: { type: "string", multiple: true }, all: { type: "boolean", default: false } } });
      if (!values.all && !values.batch?.length) throw new UsageError("synod nodes rollback (--batch ID … | --all)");
      if (values.all) {
        const results = await rollbackAll({ api, dataDir, reason: "synod nodes rollback --all" });
        out.result(results, () => out.table(results.map((r) => ({ batch: r.batch, nodes: r.nodes.length, deregistered: r.deregistered, hosts: r.hosts.map((h) => `${h.hostId}:${h.outcome}`).join(" ") })), ["batch", "nodes", "deregistered", "hosts"]));
        return;
      }
      const manifest = await readManifest(file);
      if (!manifest) throw new UsageError(`no deployment manifest at ${file}`);
      const results: RollbackResult[] = [];
      for (const batchId of values.batch ?? []) results.push(await rollbackBatch({ api, manifest, file, batchId, reason: "synod nodes rollback" }));
      out.result(results, () => out.table(results.map((r) => ({ batch: r.batch, nodes: r.nodes.length, deregistered: r.deregistered, hosts: r.hosts.map((h) => `${h.hostId}:${h.outcome}`).join(" ") })), ["batch", "nodes", "deregistered", "hosts"]));
      return;
    }
    case "admit": {
      // Nodes of a host on another machine: the host's first stdout line (or any
      // `{ hostId?, nodes: [{ nodeId, address }] }`) is the file.
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { "host-id": { type: "string" } } });
      const [source] = positionals;
      if (!source) throw new UsageError("synod nodes admit FILE [--host-id ID]");
      const parsed = z
        .looseObject({ hostId: z.string().optional(), nodes: z.array(z.looseObject({ nodeId: z.string(), address: z.string().regex(/^0x[0-9a-fA-F]{40}$/) })).min(1) })
        .parse(JSON.parse((await readFile(source, "utf8")).split("\n").find((line) => line.trim().startsWith("{")) ?? "{}"));
      const hostId = values["host-id"] ?? parsed.hostId ?? path.basename(source, path.extname(source));
      const manifest = (await readManifest(file)) ?? emptyManifest(api.baseUrl);
      const id = `batch-${String(manifest.nextBatch++).padStart(3, "0")}`;
      const nodes = parsed.nodes.map((n, i) => ({ nodeId: n.nodeId, index: Number(/(\d+)$/.exec(n.nodeId)?.[1] ?? i), address: n.address as `0x${string}` }));
      manifest.batches.push({ id, stage: 1, status: "external", startedAt: new Date().toISOString(), healthyAt: null, hosts: [{ hostId, pid: null, machine: "remote", keysFile: null, logFile: null, fault: null, startedAt: new Date().toISOString(), nodes }] });
      await writeManifest(file, manifest);
      const result = await admitNodes(api, { nodes: nodes.map((n) => ({ nodeId: n.nodeId, address: n.address, hostId, batch: id })) });
      out.result({ batch: id, hostId, ...result }, () => out.line(`admitted ${result.admitted} node keys of ${hostId} as ${id}`));
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
}
