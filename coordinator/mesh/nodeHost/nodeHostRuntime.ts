/**
 * A node host: one OS process carrying many mesh nodes (one process per node does not
 * fit 500 nodes on a small machine). It dials the coordinator, never the other way
 * round, so hosts on other machines need only the coordinator's URL:
 *
 *   host ── WebSocket /api/mesh/ws ──▶ coordinator   (fit requests and probes come back on it)
 *   host ── POST /api/mesh/register|heartbeat|updates ──▶ coordinator   (each signed by the node's key)
 *
 * Each node has its own secp256k1 key and data shard. Registration is retried, the
 * socket reconnects with backoff (and every node registers again), and the host gives
 * up after `maxOfflineMs` without the coordinator, so a forgotten host does not live
 * forever.
 *
 * `fault` makes the host misbehave for real, for deployment tests: `wrong-key` signs
 * node messages with keys the coordinator does not know, `no-heartbeat` registers and
 * then stays silent, `bad-update-signature` signs FL updates with a wrong key.
 */
import { randomUUID } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import type { Hex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import WebSocket from "ws";
import { createAttack } from "../../fl/attacks/createAttack.ts";
import type { FitInstruction } from "../../fl/client.ts";
import type { Dataset } from "../../fl/datasets/dataset.ts";
import { createLogisticRegression } from "../../fl/model/logisticRegression.ts";
import { createMlp } from "../../fl/model/mlp.ts";
import type { Logger } from "../../logger.ts";
import { MeshNode } from "../meshNode.ts";
import { createNodeIdentity } from "../nodeIdentity.ts";
import { createNodeMessageSigner, type NodeMessageKind, type NodeMessageSigner } from "../remote/nodeMessage.ts";
import { CoordinatorToHostSchema, decodeParams, encodeParams, type CoordinatorToHost, type HostToCoordinator } from "../remote/wire.ts";
import type { HostCommand, HostFault } from "./workerChannel.ts";
import { createReconnectBackoff } from "./reconnectBackoff.ts";


/** A node's key as the keys file holds it. */
export type HostedNodeKey = { nodeId: string; index: number; privateKey: Hex };

/** Options of {@link startNodeHost}. */
export type NodeHostRuntimeParameters = {
  hostId: string;
  /** The coordinator's base URL, e.g. `http://10.0.0.5:8787`. */
  coordinatorUrl: string;
  nodes: readonly HostedNodeKey[];
  /** The shared dataset and each node's rows in it (same order as `nodes`). */
  data: { dataset: Dataset; rows: readonly Uint32Array[] };
  model: { kind: "logistic-regression" | "mlp"; hidden?: number };
  heartbeatMs: number;
  /** Exit after this long without the coordinator (socket down and no registration). */
  maxOfflineMs: number;
  seed: number;
  fault?: HostFault | undefined;
  logger: Logger;
  /** Called when the host gives up (offline too long) or every node was deregistered. */
  onExit?: (code: number, reason: string) => void;
  /** Called once, when every node has registered for the first time. */
  onReady?: () => void;
};

/** Request latencies the host measured, by kind (the heartbeat benchmark reads them). */
export type HostLatencies = Record<"register" | "heartbeat" | "update", number[]>;

/** Counters of what the host sent and what came of it. */
export type HostCounters = {
  registered: number;
  heartbeatsSent: number;
  heartbeatsFailed: number;
  fitsReceived: number;
  updatesSent: number;
  updatesAccepted: number;
  updatesRefused: number;
  updatesFailed: number;
  reconnects: number;
};

/** The running host. */
export type NodeHostRuntime = {
  readonly hostId: string;
  readonly bootId: string;
  /** Addresses of the hosted nodes (the real keys, whatever `fault` says). */
  readonly addresses: ReadonlyMap<string, `0x${string}`>;
  counters: HostCounters;
  latencies: HostLatencies;
  /** Clears the counters and latencies (a benchmark starts its measurement window). */
  resetStats(): void;
  /**
   * Obeys a control command from the process that started this host (the coordinator
   * or the host's agent): turn a node Byzantine, skew the clock, burn CPU.
   * @throws {Error} naming the problem (unknown node, bad attack).
   */
  command(command: HostCommand): Promise<void>;
  /** Stops every loop and closes the socket. */
  close(): Promise<void>;
};

const LATENCY_SAMPLES = 200_000;

// A busy loop that burns `load` of every 100 ms slice: CPU stress as stress-ng does it.
const STRESS_SOURCE = `
const { workerData } = require("node:worker_threads");
const busy = Math.max(1, Math.round(workerData.load * 100));
for (;;) {
  const start = Date.now();
  while (Date.now() - start < busy) {}
  if (busy < 100) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 - busy);
}`;

/**
 * Starts a node host.
 *
 * @example
 * import { startNodeHost } from "./nodeHostRuntime.ts";
 * const host = await startNodeHost({ hostId: "host-a", coordinatorUrl: "http://127.0.0.1:8787", nodes, data, model: { kind: "logistic-regression" },
 *   heartbeatMs: 1000, maxOfflineMs: 300_000, seed: 1, logger });
 * await host.close();
 */
export function startNodeHost(parameters: NodeHostRuntimeParameters): NodeHostRuntime {
  const { hostId, heartbeatMs, logger, fault } = parameters;
  const base = parameters.coordinatorUrl.replace(/\/+$/, "");
  const socketUrl = `${base.replace(/^http/, "ws")}/api/mesh/ws`;
  const bootId = randomUUID();
  const { dataset } = parameters.data;
  const shape = { numFeatures: dataset.numFeatures, numClasses: dataset.numClasses };
  const model = parameters.model.kind === "mlp" ? createMlp({ ...shape, hidden: parameters.model.hidden ?? 64 }) : createLogisticRegression(shape);

  type Hosted = { node: MeshNode; signer: NodeMessageSigner; seq: number; beats: number; registered: boolean; registering: boolean; deregistered: boolean };
  // A clock-skew fault shifts the time the nodes sign into their messages (sentAt).
  let clockOffsetMs = 0;
  const nodeClock = () => Date.now() + clockOffsetMs;
  const hosted = new Map<string, Hosted>();
  const addresses = new Map<string, `0x${string}`>();
  parameters.nodes.forEach((key, i) => {
    // A wrong-key host signs updates with the real key (so the signature check, not the
    // update, is what fails) but every node message with a key nobody admitted.
    const updateKey = fault === "bad-update-signature" ? generatePrivateKey() : key.privateKey;
    const node = new MeshNode({ nodeId: key.nodeId, identity: createNodeIdentity({ privateKey: updateKey }), model, dataset, rows: parameters.data.rows[i] as Uint32Array, seed: parameters.seed * 1000 + key.index });
    const signer = createNodeMessageSigner(fault === "wrong-key" ? generatePrivateKey() : key.privateKey, nodeClock);
    hosted.set(key.nodeId, { node, signer, seq: 0, beats: 0, registered: false, registering: false, deregistered: false });
    addresses.set(key.nodeId, createNodeMessageSigner(key.privateKey).address);
  });

  const counters: HostCounters = { registered: 0, heartbeatsSent: 0, heartbeatsFailed: 0, fitsReceived: 0, updatesSent: 0, updatesAccepted: 0, updatesRefused: 0, updatesFailed: 0, reconnects: 0 };
  const latencies: HostLatencies = { register: [], heartbeat: [], update: [] };
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let closed = false;
  let announcedReady = false;
  let socket: WebSocket | undefined;
  let sessionId: string | undefined;
  let lastOnline = Date.now();
  const timers = new Set<NodeJS.Timeout>();

  // Sequence numbers start at the clock in µs so they keep rising across restarts
  // of the host (the coordinator refuses a seq it has seen).
  const nextSeq = (h: Hosted) => (h.seq = Math.max(h.seq + 1, Date.now() * 1000));

  const post = async (kind: NodeMessageKind, h: Hosted, path: string, payload: object): Promise<{ status: number; body: unknown }> => {
    const message = h.signer.sign(kind, h.node.nodeId, nextSeq(h), JSON.stringify(payload));
    const started = performance.now();
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-synod-node": h.node.nodeId },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(Math.max(5000, heartbeatMs * 5)),
    });
    const text = await response.text();
    const sample = latencies[kind as keyof HostLatencies];
    if (sample && sample.length < LATENCY_SAMPLES) sample.push(performance.now() - started);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: response.status, body };
  };

  const register = async (h: Hosted): Promise<void> => {
    if (h.registering || h.deregistered || !sessionId || closed) return;
    h.registering = true;
    try {
      const { status, body } = await post("register", h, "/api/mesh/register", {
        hostId,
        sessionId,
        bootId,
        pid: process.pid,
        heartbeatMs,
        numExamples: h.node.rows.length,
      });
      if (status === 200) {
        if (!h.registered) counters.registered++;
        h.registered = true;
        lastOnline = Date.now();
        if (!announcedReady && [...hosted.values()].every((x) => x.registered || x.deregistered)) {
          announcedReady = true;
          parameters.onReady?.();
        }
      } else {
        h.registered = false;
        logger.warn({ nodeId: h.node.nodeId, status, body }, "registration refused");
      }
    } catch (err) {
      h.registered = false;
      logger.debug({ err, nodeId: h.node.nodeId }, "registration failed");
    } finally {
      h.registering = false;
    }
  };

  const registerAll = async (): Promise<void> => {
    // A few at a time: hundreds of simultaneous signatures and requests would only queue.
    const pending = [...hosted.values()].filter((h) => !h.registered && !h.deregistered);
    const workers = Array.from({ length: Math.min(8, pending.length) }, async () => {
      for (let h = pending.shift(); h; h = pending.shift()) await register(h);
    });
    await Promise.all(workers);
  };

  // One request per period carries every node's heartbeat, each signed by its node:
  // 500 nodes cost the coordinator ten HTTP requests a second instead of five hundred.
  let beating = false;
  let lastCpu = process.cpuUsage();
  let lastCpuAt = performance.now();
  // CPU spent inside its nodes' training (µs), so the coordinator can tell the work it
  // asked for from load it did not: a host training a round is busy, not overloaded.
  let trainCpuUs = 0;
  let lastTrainCpuUs = 0;
  const beat = async (): Promise<void> => {
    if (beating || closed || fault === "no-heartbeat") return;
    const due = [...hosted.values()].filter((h) => h.registered && !h.deregistered);
    if (!due.length) return;
    beating = true;
    const lag = Math.round((loopDelay.percentile(99) / 1e6) * 10) / 10;
    // CPU of the whole process (training, stress workers) in cores since the last beat.
    const cpuNow = process.cpuUsage();
    const at = performance.now();
    const periodMs = Math.max(1, at - lastCpuAt);
    const cpuCores = Math.round(((cpuNow.user - lastCpu.user + cpuNow.system - lastCpu.system) / 1000 / periodMs) * 100) / 100;
    const trainCpuCores = Math.min(cpuCores, Math.round(((trainCpuUs - lastTrainCpuUs) / 1000 / periodMs) * 100) / 100);
    lastCpu = cpuNow;
    lastCpuAt = at;
    lastTrainCpuUs = trainCpuUs;
    const messages = due.map((h) => {
      const telemetry = h.node.telemetry();
      const payload = { bootId, beat: ++h.beats, roundsTrained: telemetry.roundsTrained, failures: telemetry.failures, lastTrainMs: telemetry.lastTrainMs, loopLagMs: lag, cpuCores, trainCpuCores };
      return h.signer.sign("heartbeat", h.node.nodeId, nextSeq(h), JSON.stringify(payload));
    });
    counters.heartbeatsSent += messages.length;
    const started = performance.now();
    try {
      const response = await fetch(`${base}/api/mesh/heartbeats`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-synod-node": hostId },
        body: JSON.stringify({ messages }),
        signal: AbortSignal.timeout(Math.max(5000, heartbeatMs * 5)),
      });
      const body = (await response.json().catch(() => undefined)) as { results?: Array<{ nodeId: string; ok: boolean; reason: string | null }> } | undefined;
      if (latencies.heartbeat.length < LATENCY_SAMPLES) latencies.heartbeat.push(performance.now() - started);
      if (!response.ok || !body?.results) {
        counters.heartbeatsFailed += messages.length;
        return;
      }
      lastOnline = Date.now();
      for (const result of body.results) {
        if (result.ok) continue;
        counters.heartbeatsFailed++;
        const h = hosted.get(result.nodeId);
        // The coordinator does not know this boot of the node (it restarted): join again.
        if (h && result.reason === "not-registered") {
          h.registered = false;
          void register(h);
        }
      }
    } catch {
      counters.heartbeatsFailed += messages.length;
    } finally {
      beating = false;
    }
  };

  const startHeartbeats = () => {
    const every = setInterval(() => void beat(), heartbeatMs);
    timers.add(every);
    const watchdog = setInterval(() => {
      loopDelay.reset();
      if (Date.now() - lastOnline > parameters.maxOfflineMs) shutdown(3, `no contact with the coordinator for ${parameters.maxOfflineMs} ms`);
      // Nodes refused earlier (coordinator not ready, key not yet admitted) try again.
      else if (sessionId && [...hosted.values()].some((h) => !h.registered && !h.deregistered && !h.registering)) void registerAll();
    }, Math.max(1000, heartbeatMs));
    timers.add(watchdog);
  };

  // Fit requests run one after another: training is CPU-bound, and a queue keeps the
  // event loop free for heartbeats between two trainings.
  const fitQueue: Extract<CoordinatorToHost, { type: "fit" }>[] = [];
  const cancelled = new Set<string>();
  let fitting = false;
  const runFits = async (): Promise<void> => {
    if (fitting) return;
    fitting = true;
    try {
      for (let request = fitQueue.shift(); request && !closed; request = fitQueue.shift()) {
        if (cancelled.delete(request.requestId)) continue;
        const h = hosted.get(request.nodeId);
        if (!h || h.deregistered) continue;
        await fit(h, request);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      fitting = false;
    }
  };

  const fit = async (h: Hosted, request: Extract<CoordinatorToHost, { type: "fit" }>): Promise<void> => {
    const params = decodeParams(request.params);
    const reportFailure = (reason: string) => send({ type: "fit-failed", requestId: request.requestId, nodeId: h.node.nodeId, reason: reason.slice(0, 500) });
    if (!params) return reportFailure("parameters are not whole float32 values");
    let update;
    try {
      const instruction: FitInstruction = { round: request.round, modelVersion: request.modelVersion, params, config: request.config as FitInstruction["config"] };
      const cpuBefore = process.cpuUsage();
      try {
        update = await h.node.fit(instruction, AbortSignal.timeout(request.timeoutMs));
      } finally {
        const cpuAfter = process.cpuUsage(cpuBefore);
        trainCpuUs += cpuAfter.user + cpuAfter.system;
      }
    } catch (error) {
      return reportFailure(error instanceof Error ? error.message.split("\n")[0]! : String(error));
    }
    counters.updatesSent++;
    try {
      const { status, body } = await post("update", h, "/api/mesh/updates", {
        requestId: request.requestId,
        round: update.round,
        modelVersion: update.modelVersion,
        params: encodeParams(update.params),
        numExamples: update.numExamples,
        metrics: update.metrics,
        updateHash: update.updateHash,
        signature: update.signature,
      });
      if (status === 200 && (body as { accepted?: boolean } | undefined)?.accepted === true) counters.updatesAccepted++;
      else {
        counters.updatesRefused++;
        logger.debug({ nodeId: h.node.nodeId, status, body }, "update not taken");
      }
    } catch (err) {
      counters.updatesFailed++;
      logger.debug({ err, nodeId: h.node.nodeId }, "update not delivered");
    }
  };

  const send = (frame: HostToCoordinator) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  };

  const onFrame = (frame: CoordinatorToHost): void => {
    switch (frame.type) {
      case "hello":
        sessionId = frame.sessionId;
        lastOnline = Date.now();
        for (const h of hosted.values()) h.registered = false;
        void registerAll();
        return;
      case "fit":
        counters.fitsReceived++;
        fitQueue.push(frame);
        void runFits();
        return;
      case "cancel":
        cancelled.add(frame.requestId);
        return;
      case "probe": {
        const h = hosted.get(frame.nodeId);
        if (!h || h.deregistered) return;
        send({ type: "probe-answer", message: h.signer.sign("probe", h.node.nodeId, nextSeq(h), JSON.stringify({ nonce: frame.nonce })) });
        return;
      }
      case "deregistered": {
        const h = hosted.get(frame.nodeId);
        if (!h) return;
        h.deregistered = true;
        h.registered = false;
        logger.info({ nodeId: frame.nodeId, reason: frame.reason }, "node deregistered by the coordinator");
        if ([...hosted.values()].every((x) => x.deregistered)) shutdown(0, "every node was deregistered");
        return;
      }
    }
  };

  // One socket at a time; when it closes (coordinator restarted, network cut) the next
  // attempt follows with exponential backoff up to 5 s.
  const backoff = createReconnectBackoff(timers);
  const connect = (): void => {
    if (closed) return;
    const ws = new WebSocket(socketUrl, { handshakeTimeout: 5000, maxPayload: 64 * 1024 * 1024 });
    socket = ws;
    ws.on("open", () => {
      backoff.reset();
    });
    ws.on("message", (data) => {
      let frame;
      try {
        frame = CoordinatorToHostSchema.parse(JSON.parse(data.toString()));
      } catch {
        return;
      }
      onFrame(frame);
    });
    ws.on("error", (err) => logger.debug({ err }, "coordinator socket error"));
    ws.on("close", () => {
      sessionId = undefined;
      for (const h of hosted.values()) h.registered = false;
      if (closed) return;
      counters.reconnects++;
      backoff.schedule(connect);
    });
  };

  const shutdown = (code: number, reason: string) => {
    if (closed) return;
    logger.warn({ code, reason }, "node host stopping");
    void runtime.close().then(() => parameters.onExit?.(code, reason));
  };

  let stressWorkers: Worker[] = [];
  const command = async (cmd: HostCommand): Promise<void> => {
    switch (cmd.type) {
      case "ping":
        return;
      case "attack": {
        const h = hosted.get(cmd.nodeId);
        if (!h) throw new Error(`unknown node ${cmd.nodeId}`);
        h.node.setAttack(cmd.spec ? createAttack(cmd.spec) : undefined);
        return;
      }
      case "clock":
        clockOffsetMs = cmd.offsetMs;
        return;
      case "stress":
        for (let i = 0; i < cmd.workers; i++) stressWorkers.push(new Worker(STRESS_SOURCE, { eval: true, workerData: { load: cmd.load } }));
        return;
      case "unstress": {
        const workers = stressWorkers;
        stressWorkers = [];
        await Promise.all(workers.map((worker) => worker.terminate()));
        return;
      }
    }
  };

  const runtime: NodeHostRuntime = {
    hostId,
    bootId,
    addresses,
    counters,
    latencies,
    command,
    resetStats() {
      for (const key of Object.keys(counters) as Array<keyof HostCounters>) counters[key] = 0;
      for (const key of Object.keys(latencies) as Array<keyof HostLatencies>) latencies[key].length = 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) {
        clearTimeout(timer);
        clearInterval(timer);
      }
      timers.clear();
      loopDelay.disable();
      await command({ type: "unstress" });
      const ws = socket;
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        await new Promise<void>((resolve) => {
          ws.once("close", () => resolve());
          ws.terminate();
        });
      }
    },
  };

  connect();
  startHeartbeats();
  return runtime;
}
