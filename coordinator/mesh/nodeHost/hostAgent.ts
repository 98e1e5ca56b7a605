/**
 * The host agent: what `synod node-host` runs. It carries no node itself; it
 * supervises one worker process (`forkWorker`, protocol in `workerChannel.ts`) that
 * runs the nodes, and applies the coordinator's faults to it, as Chaos Mesh's chaosd
 * does on a physical machine:
 *
 *   worker ── all node traffic ──▶ link proxy (in the agent, 127.0.0.1) ──▶ coordinator
 *   agent  ── control socket /api/mesh/agent (direct, never through the proxy) ──▶ coordinator
 *
 * - Link faults act on the agent's own proxy, so they hit every byte of the nodes'
 *   socket and requests, and never the control socket (a partition can be lifted).
 * - Process faults act on the worker by signal: kill (SIGKILL; the agent does not
 *   restart it by itself), pause/resume (SIGSTOP/SIGCONT); start/restart fork a new
 *   worker, taking the warm spare forked ahead of time when there is one.
 * - In-process faults (clock, attack, stress) are forwarded to the worker as commands.
 *
 * The agent obeys only control messages signed by the coordinator's control key
 * (`--control-address`), for this host, in this connection's session, with a rising
 * sequence number and a fresh timestamp (`mesh/hosts/controlMessage.ts`). It proves
 * which host it is with a hello signed by one of its nodes' keys, answering the
 * coordinator's challenge. Without a control address it only supervises its worker
 * (no control socket) and exits with it.
 *
 * It reports the worker's state changes on the control socket, exits after
 * `maxOfflineMs` without the coordinator (killing its worker), and exits when its worker
 * ends on its own with code 0 (every node was deregistered, e.g. a rollback).
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { getAddress, type Address } from "viem";
import WebSocket from "ws";
import { ControlMessageRejectedError } from "../../errors/mesh.ts";
import type { Logger } from "../../logger.ts";
import { CoordinatorToAgentSchema, type AgentHelloPayload, type AgentToCoordinator, type ControlOp } from "../hosts/agentWire.ts";
import { createControlVerifier } from "../hosts/controlMessage.ts";
import type { HostState } from "../hosts/hostControl.ts";
import { LinkProxy } from "../link/linkProxy.ts";
import { addressOfKey, createNodeMessageSigner } from "../remote/nodeMessage.ts";
import type { WorkerInit } from "./workerChannel.ts";
import { WorkerProcess, type WorkerExit } from "./workerProcess.ts";
import { createReconnectBackoff } from "./reconnectBackoff.ts";

/** Path of the control socket on the coordinator. */
const AGENT_SOCKET_PATH = "/api/mesh/agent";

/** Options of {@link startHostAgent}. */
export type HostAgentParameters = {
  /** The worker's settings; its `coordinatorUrl` is set by the agent (its link proxy). */
  init: Omit<WorkerInit, "coordinatorUrl">;
  /** The coordinator's base URL, e.g. `http://10.0.0.5:8787`. */
  coordinatorUrl: string;
  /** The coordinator's control address; without one there is no control socket. */
  controlAddress: Address | undefined;
  /** Exit after this long without the control socket (and kill the worker), ms. */
  maxOfflineMs: number;
  /** Fork the next worker ahead of time, so a restart skips module loading; default true. */
  warmSpare?: boolean;
  /** Forks a worker process waiting for `init` (`forkWorker.ts`). */
  fork: () => ChildProcess;
  /** How long the worker has to stop after SIGTERM before SIGKILL, ms; default 5000. */
  stopGraceMs?: number;
  logger: Logger;
  /** One JSON object per event (`started`, `worker-ready`, `worker-exit`); default a line on stdout. */
  print?: (event: Record<string, unknown>) => void;
  /** Called once when the agent has stopped, with its exit code. */
  onExit?: (code: number, reason: string) => void;
};

/** The running agent. */
export type HostAgent = {
  readonly hostId: string;
  readonly state: HostState;
  /** The worker's pid, while one runs. */
  readonly workerPid: number | undefined;
  /** The link proxy's port (`undefined` for an https coordinator: no proxy). */
  readonly linkPort: number | undefined;
  /** Whether the coordinator accepted this agent on the control socket. */
  readonly controlled: boolean;
  /** Sends a signal to the worker (SIGUSR2: a benchmark's window starts). */
  forward(signal: NodeJS.Signals): void;
  /** Stops the worker (SIGTERM: it writes its stats file), the spare, the socket and the proxy; resolves when done. */
  close(reason?: string): Promise<void>;
};

/**
 * Starts the agent and its first worker.
 *
 * @example
 * import { forkWorker } from "./forkWorker.ts";
 * import { startHostAgent } from "./hostAgent.ts";
 * const agent = await startHostAgent({ init, coordinatorUrl: "http://10.0.0.5:8787", controlAddress: "0x…", maxOfflineMs: 300_000, fork: forkWorker, logger });
 * process.once("SIGTERM", () => void agent.close("SIGTERM"));
 */
export async function startHostAgent(parameters: HostAgentParameters): Promise<HostAgent> {
  const { init, logger } = parameters;
  const { hostId } = init;
  const base = parameters.coordinatorUrl.replace(/\/+$/, "");
  const url = new URL(base);
  const stopGraceMs = parameters.stopGraceMs ?? 5000;
  const print = parameters.print ?? ((event) => process.stdout.write(`${JSON.stringify(event)}\n`));
  const warmSpare = parameters.warmSpare ?? true;

  // The worker dials the proxy, the proxy the coordinator. TLS would end at the
  // coordinator under its own name, which 127.0.0.1 is not: an https coordinator is
  // dialled directly, and link faults are refused for that host.
  let proxy: LinkProxy | undefined;
  let workerUrl = base;
  if (url.protocol === "http:") {
    proxy = new LinkProxy({ name: `${hostId}/link`, target: { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 80) }, initiator: "node", seed: init.data.seed });
    const port = await proxy.listen();
    workerUrl = `http://127.0.0.1:${port}${url.pathname.replace(/\/+$/, "")}`;
  } else {
    logger.warn("https coordinator: the worker dials it directly, so link faults cannot be applied to this host");
  }

  let state: HostState = "stopped";
  let active: WorkerProcess | undefined;
  let spare: WorkerProcess | undefined;
  let spareWarm = false;
  let bootId: string | null = null;
  let clockOffsetMs = 0;
  let lastExit: { code: number | null; signal: string | null } | null = null;
  /** The active worker is being stopped on purpose (`stop`, or the agent closing). */
  let stopping = false;
  let closing: Promise<void> | undefined;
  const timers = new Set<NodeJS.Timeout>();

  // ── the worker ─────────────────────────────────────────────────────────────

  const report = (): void => {
    send({ type: "state", state, pid: active?.alive ? active.pid : null, bootId, clockOffsetMs, spare: spare?.alive ? (spareWarm ? "warm" : "loading") : "none", exit: lastExit });
  };

  const onWorkerExit = (worker: WorkerProcess, exit: WorkerExit): void => {
    if (worker === spare) {
      spare = undefined;
      logger[closing ? "debug" : "warn"]({ pid: worker.pid, ...exit }, "the spare worker exited");
      report();
    }
    if (worker !== active) return;
    const wanted = stopping;
    state = wanted ? "stopped" : "dead";
    bootId = null;
    lastExit = { code: exit.code, signal: exit.signal };
    print({ event: "worker-exit", hostId, pid: worker.pid, code: exit.code, signal: exit.signal });
    logger[wanted || exit.signal === "SIGKILL" ? "info" : "warn"]({ pid: worker.pid, ...exit }, "worker exited");
    report();
    if (wanted || closing) return;
    // Code 0 on its own: the coordinator deregistered every node (a rollback); the host is done.
    if (exit.code === 0) void shutdown(0, "every node was deregistered");
    // With nobody to ask for a restart, the host ends with its worker.
    else if (!parameters.controlAddress) void shutdown(exit.code ?? 1, `the worker exited (${exit.signal ?? `code ${exit.code}`})`);
  };

  const fork = (): WorkerProcess => {
    const worker = new WorkerProcess(parameters.fork());
    void worker.exited.then((exit) => onWorkerExit(worker, exit));
    return worker;
  };

  const forkSpare = (): void => {
    if (!warmSpare || spare?.alive || closing) return;
    let forked: WorkerProcess;
    try {
      forked = fork();
    } catch (err) {
      logger.warn({ err }, "could not fork a spare worker");
      return;
    }
    spare = forked;
    spareWarm = false;
    report();
    // Warm once it answers on its channel: its modules are loaded.
    void forked.answers(120_000).then((warm) => {
      if (spare !== forked || !warm) return;
      spareWarm = true;
      logger.info({ pid: forked.pid }, "spare worker warm");
      report();
    });
  };

  const onReady = (worker: WorkerProcess, ready: { bootId: string; pid: number }): void => {
    if (worker !== active || !worker.alive) return;
    bootId = ready.bootId;
    if (state === "starting") state = "running";
    print({ event: "worker-ready", hostId, pid: worker.pid, bootId });
    logger.info({ pid: worker.pid, bootId }, "worker ready: every node registered");
    report();
    // Forked only now: on a small machine the spare's module loading would slow this start.
    forkSpare();
  };

  // Everything up to `active = worker` runs without an await: two starts at once fork
  // one worker, and the second waits for its ready.
  const startWorker = async (timeoutMs: number | undefined): Promise<void> => {
    if (closing) throw new Error("the agent is stopping");
    if (active?.alive) {
      await active.whenReady(timeoutMs);
      return;
    }
    const taken = spare?.alive && !spare.initialised ? spare : undefined;
    spare = undefined;
    const worker = taken ?? fork();
    active = worker;
    stopping = false;
    state = "starting";
    bootId = null;
    clockOffsetMs = 0;
    logger.info({ pid: worker.pid, spare: taken !== undefined }, "starting a worker");
    report();
    worker.init({ ...init, coordinatorUrl: workerUrl });
    void worker.whenReady().then((ready) => onReady(worker, ready), () => undefined);
    await worker.whenReady(timeoutMs);
  };

  const killWorker = async (): Promise<void> => {
    const worker = active;
    if (!worker?.alive) return;
    await worker.kill();
  };

  const stopWorker = async (): Promise<void> => {
    const worker = active;
    if (!worker?.alive) {
      state = "stopped";
      report();
      return;
    }
    stopping = true;
    await worker.terminate(stopGraceMs);
  };

  const running = (): WorkerProcess => {
    if (!active?.alive) throw new Error(`no worker is running (${state})`);
    return active;
  };

  const link = (): LinkProxy => {
    if (!proxy) throw new Error("this host has no link proxy (https coordinator): link faults are not available");
    return proxy;
  };

  /** Carries out one verified control operation. */
  const apply = async (op: ControlOp): Promise<{ responsive?: boolean }> => {
    switch (op.op) {
      case "start":
        await startWorker(op.timeoutMs);
        return {};
      case "restart":
        await killWorker();
        await startWorker(op.timeoutMs);
        return {};
      case "kill":
        await killWorker();
        return {};
      case "pause": {
        const worker = running();
        worker.signal("SIGSTOP");
        state = "paused";
        report();
        return {};
      }
      case "resume": {
        const worker = running();
        worker.signal("SIGCONT");
        state = worker.ready ? "running" : "starting";
        report();
        return {};
      }
      case "stop":
        await stopWorker();
        return {};
      case "ping": {
        if (!active?.alive) return { responsive: false };
        try {
          await active.command({ type: "ping" }, op.timeoutMs);
          return { responsive: true };
        } catch {
          return { responsive: false };
        }
      }
      case "command": {
        await running().command(op.command, op.timeoutMs);
        if (op.command.type === "clock") {
          clockOffsetMs = op.command.offsetMs;
          report();
        }
        return {};
      }
      case "link-impair":
        link().impair(op.direction, op.patch);
        return {};
      case "link-restore":
        link().restore(op.direction, op.keys);
        return {};
      case "link-down":
        link().setDown(op.down);
        return {};
    }
  };

  // ── the control socket ─────────────────────────────────────────────────────

  const controlAddress = parameters.controlAddress ? getAddress(parameters.controlAddress) : undefined;
  const verifier = controlAddress ? createControlVerifier({ controlAddress, hostId }) : undefined;
  const helloSigner = createNodeMessageSigner(init.nodes[0]!.privateKey as `0x${string}`);
  let socket: WebSocket | undefined;
  let session: string | undefined;
  let welcomed = false;
  let lastOnline = Date.now();
  let lastHeard = Date.now();
  const backoff = createReconnectBackoff(timers);

  function send(frame: AgentToCoordinator): void {
    if (welcomed && socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  const onControl = (ws: WebSocket, raw: unknown): void => {
    let verified;
    try {
      verified = verifier!.verify(raw, session ?? "");
    } catch (error) {
      const reason = error instanceof ControlMessageRejectedError ? error.reason : "malformed";
      logger.warn({ reason, detail: error instanceof ControlMessageRejectedError ? error.details : String(error) }, "control message refused");
      // Say so, so the coordinator's call fails now rather than at its timeout.
      const id = idOf(raw);
      if (id !== undefined && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "ack", id, error: `refused: ${reason}` } satisfies AgentToCoordinator));
      return;
    }
    const { id, op } = verified;
    logger.info({ id, op: op.op, ...(op.op === "command" ? { command: op.command.type } : {}) }, "control operation");
    void apply(op).then(
      (result) => send({ type: "ack", id, error: null, ...result }),
      (error: unknown) => send({ type: "ack", id, error: (error instanceof Error ? error.message.split("\n")[0]! : String(error)).slice(0, 500) }),
    );
  };

  const connect = (): void => {
    if (closing || !controlAddress) return;
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}${AGENT_SOCKET_PATH}`, { handshakeTimeout: 5000, maxPayload: 1024 * 1024 });
    socket = ws;
    ws.on("open", () => {
      backoff.reset();
      lastHeard = Date.now();
    });
    ws.on("ping", () => (lastHeard = Date.now()));
    ws.on("message", (data) => {
      lastHeard = Date.now();
      let frame;
      try {
        frame = CoordinatorToAgentSchema.parse(JSON.parse(data.toString()));
      } catch {
        return;
      }
      switch (frame.type) {
        case "challenge": {
          let theirs: string;
          try {
            theirs = getAddress(frame.controlAddress);
          } catch {
            theirs = frame.controlAddress;
          }
          if (theirs !== controlAddress) {
            // Misconfigured (or not our coordinator): its control messages would all be refused anyway.
            logger.error({ theirs, ours: controlAddress }, "the coordinator's control address is not --control-address: not joining its control");
            ws.close(1008, "control address mismatch");
            return;
          }
          session = randomBytes(16).toString("hex");
          const payload: AgentHelloPayload = { hostId, nodeIds: init.nodes.map((n) => n.nodeId), nonce: frame.nonce, session, agentPid: process.pid, linkProxy: proxy !== undefined };
          const message = helloSigner.sign("agent-hello", init.nodes[0]!.nodeId, Date.now() * 1000, JSON.stringify(payload));
          ws.send(JSON.stringify({ type: "agent-hello", message } satisfies AgentToCoordinator));
          return;
        }
        case "welcome":
          welcomed = true;
          lastOnline = Date.now();
          logger.info("under the coordinator's control");
          report();
          return;
        case "refused":
          logger.warn({ reason: frame.reason }, "the coordinator refused this agent");
          return;
        case "control":
          onControl(ws, frame.message);
          return;
      }
    });
    ws.on("error", (err) => logger.debug({ err }, "control socket error"));
    ws.on("close", () => {
      if (welcomed) lastOnline = Date.now();
      welcomed = false;
      session = undefined;
      if (closing) return;
      backoff.schedule(connect);
    });
  };

  const watchdog = setInterval(() => {
    const now = Date.now();
    if (welcomed) {
      lastOnline = now;
      // The coordinator pings every 10 s: a silent socket is a coordinator gone without a FIN.
      if (now - lastHeard > 45_000) socket?.terminate();
    } else if (controlAddress && now - lastOnline > parameters.maxOfflineMs) {
      void shutdown(3, `no control socket for ${parameters.maxOfflineMs} ms`);
    }
  }, 1000);
  timers.add(watchdog);

  // ── stopping ───────────────────────────────────────────────────────────────

  function shutdown(code: number, reason: string): Promise<void> {
    closing ??= (async () => {
      logger[code === 0 ? "info" : "warn"]({ code, reason }, "host agent stopping");
      for (const timer of timers) {
        clearTimeout(timer);
        clearInterval(timer);
      }
      timers.clear();
      stopping = true;
      const worker = active;
      const spareWorker = spare;
      await Promise.all([worker?.terminate(stopGraceMs), spareWorker?.kill()]);
      const ws = socket;
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        await new Promise<void>((resolve) => {
          ws.once("close", () => resolve());
          ws.terminate();
        });
      }
      await proxy?.close();
      parameters.onExit?.(code, reason);
    })();
    return closing;
  }

  print({ event: "started", hostId, pid: process.pid, controlAddress: controlAddress ?? null, linkPort: proxy?.port ?? null, nodes: init.nodes.map((n) => ({ nodeId: n.nodeId, address: addressOfKey(n.privateKey as `0x${string}`) })) });
  connect();
  // The first worker starts now; it keeps trying to register until its nodes are admitted.
  void startWorker(undefined).catch((err: unknown) => logger.warn({ err }, "the first worker did not become ready"));

  return {
    hostId,
    get state() {
      return state;
    },
    get workerPid() {
      return active?.alive ? active.pid : undefined;
    },
    linkPort: proxy?.port,
    get controlled() {
      return welcomed;
    },
    forward(signal) {
      active?.signal(signal);
    },
    close(reason = "closed") {
      return shutdown(0, reason);
    },
  };
}

/** The id a control message claims (unverified: only to say it was refused). */
function idOf(raw: unknown): number | undefined {
  try {
    const payload = (raw as { payload?: unknown })?.payload;
    const id = typeof payload === "string" ? (JSON.parse(payload) as { id?: unknown }).id : undefined;
    return typeof id === "number" && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
  } catch {
    return undefined;
  }
}
