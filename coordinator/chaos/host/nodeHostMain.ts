/**
 * Entry point of a node-host process: hosts some mesh nodes, serves their FL fit
 * requests over HTTP (reached through the fault-injecting links), sends their
 * heartbeats to the coordinator (through the links too) and obeys control messages
 * on its IPC channel. Crash = SIGKILL of this process, pause = SIGSTOP/SIGCONT.
 *
 * Spawned by `NodeHost` (`nodeHost.ts`); not meant to be run by hand.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { createAttack } from "../../fl/attacks/createAttack.ts";
import type { FitInstruction } from "../../fl/client.ts";
import type { Dataset } from "../../fl/datasets/dataset.ts";
import { createLogisticRegression } from "../../fl/model/logisticRegression.ts";
import { createMlp } from "../../fl/model/mlp.ts";
import { MeshNode } from "../../mesh/meshNode.ts";
import { createNodeIdentity } from "../../mesh/nodeIdentity.ts";
import { decodeFloat32, encodeFloat32, FitRequestSchema, type HostCommand, type HostReply } from "./wire.ts";

const bootId = randomUUID();
const nodes = new Map<string, MeshNode>();
let clockOffsetMs = 0;
let stressWorkers: Worker[] = [];
let heartbeatTimer: NodeJS.Timeout | undefined;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const send = (reply: HostReply): void => {
  process.send?.(reply);
};

// A busy loop that burns `load` of every 100 ms slice: CPU stress as stress-ng does it.
const STRESS_SOURCE = `
const { workerData } = require("node:worker_threads");
const busy = Math.max(1, Math.round(workerData.load * 100));
for (;;) {
  const start = Date.now();
  while (Date.now() - start < busy) {}
  if (busy < 100) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 - busy);
}`;

function startHeartbeats(hostId: string, intervalMs: number, ports: Record<string, number>): void {
  // One keep-alive socket per node through its own link, as a real node would hold.
  const agents = new Map<string, http.Agent>();
  let seq = 0;
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  const beat = (): void => {
    const nowCpu = process.cpuUsage();
    const now = performance.now();
    const cpuCores = (nowCpu.user - lastCpu.user + nowCpu.system - lastCpu.system) / 1000 / Math.max(1, now - lastAt);
    lastCpu = nowCpu;
    lastAt = now;
    const loopLagMs = loopDelay.percentile(99) / 1e6;
    loopDelay.reset();
    seq++;
    for (const [nodeId, node] of nodes) {
      const port = ports[nodeId];
      if (port === undefined) continue;
      let agent = agents.get(nodeId);
      if (!agent) agents.set(nodeId, (agent = new http.Agent({ keepAlive: true, maxSockets: 1 })));
      const body = JSON.stringify({ nodeId, hostId, bootId, seq, sentAt: Date.now() + clockOffsetMs, pid: process.pid, loopLagMs, cpuCores, telemetry: node.telemetry() });
      const request = http.request({ host: "127.0.0.1", port, path: "/mesh/heartbeat", method: "POST", agent, timeout: intervalMs * 4, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } });
      request.on("response", (response) => response.resume());
      // A lost heartbeat is exactly what a partition should cause; nothing to do.
      request.on("error", () => undefined);
      request.on("timeout", () => request.destroy());
      request.end(body);
    }
  };
  heartbeatTimer = setInterval(beat, intervalMs);
  beat();
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const server = http.createServer(async (request, response) => {
  const [, route, nodeId] = (request.url ?? "").split("/");
  const node = nodeId ? nodes.get(decodeURIComponent(nodeId)) : undefined;
  const reply = (status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), connection: "close" });
    response.end(text);
  };
  if (!node) return reply(404, { error: "unknown node" });
  if (route === "ping") return reply(200, { nodeId: node.nodeId, bootId });
  if (route !== "fit" || request.method !== "POST") return reply(404, { error: "unknown route" });
  try {
    const parsed = FitRequestSchema.parse(JSON.parse(await readBody(request)));
    const instruction: FitInstruction = { ...parsed, params: decodeFloat32(parsed.params), config: parsed.config as FitInstruction["config"] };
    const abort = new AbortController();
    request.on("close", () => {
      if (!response.writableFinished) abort.abort();
    });
    const update = await node.fit(instruction, abort.signal);
    reply(200, { ...update, params: encodeFloat32(update.params) });
  } catch (error) {
    reply(500, { error: error instanceof Error ? error.message : String(error) });
  }
});

process.on("message", (raw: unknown) => {
  const command = raw as HostCommand;
  const ack = (id: number, error?: string): void => send({ type: "ack", id, ...(error ? { error } : {}) });
  switch (command.type) {
    case "init": {
      const shape = { numFeatures: command.model.numFeatures, numClasses: command.model.numClasses };
      const model = command.model.kind === "mlp" ? createMlp({ ...shape, hidden: command.model.hidden ?? 64 }) : createLogisticRegression(shape);
      const addresses: Record<string, `0x${string}`> = {};
      for (const init of command.nodes) {
        const dataset: Dataset = { name: "shard", features: init.features, labels: init.labels, numExamples: init.labels.length, ...shape };
        const node = new MeshNode({ nodeId: init.nodeId, identity: createNodeIdentity({ seed: init.identitySeed }), model, dataset, rows: Uint32Array.from({ length: init.labels.length }, (_, i) => i), seed: init.seed });
        nodes.set(init.nodeId, node);
        addresses[init.nodeId] = node.address;
      }
      clockOffsetMs = command.clockOffsetMs;
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as { port: number }).port;
        send({ type: "ready", port, bootId, pid: process.pid, addresses });
        startHeartbeats(command.hostId, command.heartbeat.intervalMs, command.heartbeat.ports);
      });
      return;
    }
    case "ping":
      return ack(command.id);
    case "attack": {
      const node = nodes.get(command.nodeId);
      if (!node) return ack(command.id, `unknown node ${command.nodeId}`);
      try {
        node.setAttack(command.spec ? createAttack(command.spec) : undefined);
        return ack(command.id);
      } catch (error) {
        return ack(command.id, error instanceof Error ? error.message : String(error));
      }
    }
    case "clock":
      clockOffsetMs = command.offsetMs;
      return ack(command.id);
    case "stress":
      for (let i = 0; i < command.workers; i++) stressWorkers.push(new Worker(STRESS_SOURCE, { eval: true, workerData: { load: command.load } }));
      return ack(command.id);
    case "unstress":
      void Promise.all(stressWorkers.map((worker) => worker.terminate())).then(() => ack(command.id));
      stressWorkers = [];
      return;
  }
});

// The coordinator went away: a host never outlives it.
process.on("disconnect", () => {
  if (heartbeatTimer) clearInterval(heartbeatTimer);
  process.exit(0);
});
