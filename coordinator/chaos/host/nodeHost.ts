/**
 * The coordinator's handle on one node-host process: spawns it (Node 22 via
 * `process.execPath` with tsx), ships its nodes' shards, and gives the chaos engine
 * and MAPE-K the real levers: SIGKILL, SIGSTOP/SIGCONT, respawn, and control messages.
 */
import type { ChildProcess } from "node:child_process";
import { NodeHostError } from "../../errors/chaos.ts";
import type { AttackSpec } from "../../fl/attacks/createAttack.ts";
import { forkNodeHost } from "./hostProcessPool.ts";
import type { HostCommand, HostedNodeInit, HostReply } from "./wire.ts";

/** A control command without its id (the handle numbers them). */
export type HostControl = Extract<HostCommand, { id: number }> extends infer C ? (C extends { id: number } ? Omit<C, "id"> : never) : never;

/** Where a host process is in its life. */
export type NodeHostState = "starting" | "running" | "paused" | "dead" | "stopped";

/** Options of {@link NodeHost}. */
export type NodeHostParameters = {
  hostId: string;
  model: Extract<HostCommand, { type: "init" }>["model"];
  nodes: HostedNodeInit[];
  heartbeat: { intervalMs: number; ports: Record<string, number> };
  /** How long to wait for `ready` (module loading under load takes seconds). */
  startTimeoutMs?: number;
  /** Where processes come from; default a fresh fork each time (a `HostProcessPool` gives warm ones). */
  spawn?: () => ChildProcess;
  /** Called with the new port after every (re)start, so links can retarget. */
  onReady?: (info: { port: number; bootId: string; pid: number }) => void;
  /** Called when the process exits, with the signal that ended it. */
  onExit?: (info: { code: number | null; signal: NodeJS.Signals | null }) => void;
};

/**
 * One node-host child process.
 *
 * @example
 * import { NodeHost } from "./nodeHost.ts";
 * const host = new NodeHost({ hostId: "host-0", model, nodes, heartbeat: { intervalMs: 250, ports } });
 * await host.start();
 * host.kill();           // SIGKILL: a crash
 * await host.start();    // a restart (new pid, new bootId)
 * await host.stop();
 */
export class NodeHost {
  readonly hostId: string;
  readonly nodeIds: readonly string[];
  #parameters: NodeHostParameters;
  #child: ChildProcess | undefined;
  #state: NodeHostState = "stopped";
  #port = 0;
  #bootId = "";
  #addresses: Record<string, `0x${string}`> = {};
  #nextId = 1;
  #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  #clockOffsetMs = 0;
  #exited: Promise<void> = Promise.resolve();
  #starting: Promise<void> | undefined;
  /** Restarts so far (MAPE-K and chaos both count on it). */
  restarts = 0;

  constructor(parameters: NodeHostParameters) {
    this.hostId = parameters.hostId;
    this.nodeIds = parameters.nodes.map((n) => n.nodeId);
    this.#parameters = parameters;
  }

  get state(): NodeHostState {
    return this.#state;
  }
  get port(): number {
    return this.#port;
  }
  get pid(): number | undefined {
    return this.#child?.pid;
  }
  get bootId(): string {
    return this.#bootId;
  }
  /** Each node's signing address, as the host reported it. */
  get addresses(): Readonly<Record<string, `0x${string}`>> {
    return this.#addresses;
  }

  /** Spawns the process and waits until it serves; rejects after `options.timeoutMs` (default `startTimeoutMs`, 30 s). */
  async start(options: { timeoutMs?: number } = {}): Promise<void> {
    // Two parties may bring a crashed host back at once (MAPE-K healing, a fault's own
    // recovery): the second waits for the first's start instead of killing it.
    if (this.#state === "starting" && this.#starting) return this.#starting;
    if (this.#state === "running" || this.#state === "paused") {
      throw new NodeHostError({ hostId: this.hostId, reason: `cannot start while ${this.#state}` });
    }
    const starting = this.#start(options).finally(() => {
      if (this.#starting === starting) this.#starting = undefined;
    });
    this.#starting = starting;
    return starting;
  }

  async #start(options: { timeoutMs?: number }): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.#parameters.startTimeoutMs ?? 30_000;
    if (this.#child) this.restarts++;
    this.#state = "starting";
    let child = (this.#parameters.spawn ?? forkNodeHost)();
    // A spare that died while waiting would never send `ready`: take a fresh fork instead.
    if (!child.connected || child.exitCode !== null || child.signalCode !== null) child = forkNodeHost();
    this.#child = child;
    // Without a listener a failed IPC write (EPIPE to a process that just died) would be
    // thrown as an uncaught exception in the coordinator; the send callbacks report it.
    child.on("error", () => undefined);
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        if (this.#child === child) {
          this.#state = this.#state === "stopped" ? "stopped" : "dead";
          for (const [id, pending] of this.#pending) {
            clearTimeout(pending.timer);
            pending.reject(new NodeHostError({ hostId: this.hostId, reason: `exited (${signal ?? code}) before answering command ${id}` }));
          }
          this.#pending.clear();
          this.#parameters.onExit?.({ code, signal });
        }
        resolve();
      });
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new NodeHostError({ hostId: this.hostId, reason: `not ready within ${timeoutMs} ms` })), timeoutMs);
      child.on("message", (raw: unknown) => {
        const reply = raw as HostReply;
        if (reply.type === "ready") {
          clearTimeout(timer);
          this.#port = reply.port;
          this.#bootId = reply.bootId;
          this.#addresses = reply.addresses;
          this.#state = "running";
          this.#parameters.onReady?.({ port: reply.port, bootId: reply.bootId, pid: reply.pid });
          resolve();
        } else if (reply.type === "ack") {
          const pending = this.#pending.get(reply.id);
          if (!pending) return;
          this.#pending.delete(reply.id);
          clearTimeout(pending.timer);
          if (reply.error) pending.reject(new NodeHostError({ hostId: this.hostId, reason: reply.error }));
          else pending.resolve();
        }
      });
      child.once("exit", () => {
        clearTimeout(timer);
        reject(new NodeHostError({ hostId: this.hostId, reason: "exited during start" }));
      });
    });
    child.send({ type: "init", hostId: this.hostId, model: this.#parameters.model, nodes: this.#parameters.nodes, heartbeat: this.#parameters.heartbeat, clockOffsetMs: 0 } satisfies HostCommand, (error) => {
      // The exit handler above rejects `ready`; this only keeps the failed write from being thrown.
      if (error) child.kill("SIGKILL");
    });
    this.#clockOffsetMs = 0;
    await ready;
  }

  /** SIGKILL: the process dies without cleanup, as in a crash. Resolves once it has exited. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || this.#state === "dead" || this.#state === "stopped") return;
    child.kill("SIGKILL");
    await this.#exited;
  }

  /** SIGSTOP: frozen, sockets open, nothing answers. */
  pause(): void {
    if (this.#state !== "running" || !this.#child) throw new NodeHostError({ hostId: this.hostId, reason: `cannot pause while ${this.#state}` });
    this.#child.kill("SIGSTOP");
    this.#state = "paused";
  }

  /** SIGCONT. */
  resume(): void {
    if (this.#state !== "paused" || !this.#child) return;
    this.#child.kill("SIGCONT");
    this.#state = "running";
  }

  /** Kill (if alive, even paused) and start again: a new pid and bootId. */
  async restart(): Promise<void> {
    // Already coming back (another restart, or a start): that is the restart.
    if (this.#starting) return this.#starting;
    if (this.#state === "paused") this.#child?.kill("SIGCONT");
    await this.kill();
    await this.start();
  }

  /**
   * Sends a control command and waits for its ack (rejects if the host is not running
   * or does not answer within `timeoutMs`: a paused host does not answer).
   */
  command(command: HostControl, timeoutMs = 2000): Promise<void> {
    const child = this.#child;
    if (!child || (this.#state !== "running" && this.#state !== "paused")) {
      return Promise.reject(new NodeHostError({ hostId: this.hostId, reason: `not running (${this.#state})` }));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new NodeHostError({ hostId: this.hostId, reason: `no answer to ${command.type} within ${timeoutMs} ms` }));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      // A host killed a moment ago still looks alive until its exit event: the write fails (EPIPE) instead.
      child.send({ ...command, id } as HostCommand, (error) => {
        if (!error || !this.#pending.delete(id)) return;
        clearTimeout(timer);
        reject(new NodeHostError({ hostId: this.hostId, reason: `${command.type} not delivered: ${error.message}` }));
      });
    });
  }

  /** Whether the process answers on its control channel within `timeoutMs` (false when dead or frozen). */
  async isResponsive(timeoutMs = 300): Promise<boolean> {
    try {
      await this.command({ type: "ping" }, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /** Sets the node clock offset (clock skew); 0 resyncs. */
  async setClockOffset(offsetMs: number): Promise<void> {
    await this.command({ type: "clock", offsetMs });
    this.#clockOffsetMs = offsetMs;
  }
  get clockOffsetMs(): number {
    return this.#clockOffsetMs;
  }

  /** Turns one hosted node Byzantine (or honest with `null`). */
  setAttack(nodeId: string, spec: AttackSpec | null): Promise<void> {
    return this.command({ type: "attack", nodeId, spec });
  }

  /** Starts CPU stress workers inside the host. */
  stress(workers: number, load: number): Promise<void> {
    return this.command({ type: "stress", workers, load });
  }

  /** Stops the stress workers. */
  unstress(): Promise<void> {
    return this.command({ type: "unstress" }, 5000);
  }

  /** Stops the process for good (SIGKILL; hosts keep no state worth a graceful stop). */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#state = "stopped";
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGCONT");
    child.kill("SIGKILL");
    await this.#exited;
  }
}
