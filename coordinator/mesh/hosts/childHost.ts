/**
 * A node host the coordinator started itself: a worker process (`forkWorker`) that
 * dials the coordinator's API through a link proxy the coordinator runs, so every
 * byte between the host and the coordinator can be delayed, lost or blackholed.
 * Process faults go by pid (SIGKILL, SIGSTOP/SIGCONT); attack, clock and stress go
 * over the worker's IPC channel (out of band: link faults do not cut it).
 */
import type { ChildProcess } from "node:child_process";
import { NodeHostError } from "../../errors/mesh.ts";
import type { AttackSpec } from "../../fl/attacks/createAttack.ts";
import { LinkProxy, type LinkDirection, type LinkImpairment } from "../link/linkProxy.ts";
import { forkWorker } from "../nodeHost/forkWorker.ts";
import type { HostCommand, WorkerInit } from "../nodeHost/workerChannel.ts";
import { WorkerProcess, type WorkerExit } from "../nodeHost/workerProcess.ts";
import type { HostControl, HostLink, HostState } from "./hostControl.ts";

/** Options of {@link ChildHost}. */
export type ChildHostParameters = {
  /** The worker's settings, except where it dials (the link proxy, set by the host). */
  init: Omit<WorkerInit, "coordinatorUrl">;
  /** The coordinator API the link forwards to (its port may be known only once it listens). */
  api: () => { host: string; port: number };
  /** Seeds the link's jitter and loss. */
  seed: number;
  /** How long to wait for every node to register (module loading under load takes seconds); default 30 s. */
  startTimeoutMs?: number;
  /** Where worker processes come from; default a fresh fork each time (a `WorkerPool` gives warm ones). */
  spawn?: () => ChildProcess;
  /** Called when the worker exits, with the signal that ended it. */
  onExit?: (exit: WorkerExit) => void;
};

/**
 * @example
 * import { ChildHost } from "./childHost.ts";
 * const host = new ChildHost({ init, api: () => ({ host: "127.0.0.1", port: 8787 }), seed: 1 });
 * await host.start();    // resolves once every node registered
 * await host.kill();     // SIGKILL: a crash
 * await host.start();    // a restart (new pid, new bootId)
 * await host.stop();
 */
export class ChildHost implements HostControl {
  readonly hostId: string;
  readonly nodeIds: readonly string[];
  readonly location = "child" as const;
  readonly link: HostLink;
  #parameters: ChildHostParameters;
  #proxy: LinkProxy;
  #listening: Promise<number> | undefined;
  #worker: WorkerProcess | undefined;
  #state: HostState = "stopped";
  #bootId = "";
  #clockOffsetMs = 0;
  #starting: Promise<void> | undefined;
  #restarts = 0;

  constructor(parameters: ChildHostParameters) {
    this.hostId = parameters.init.hostId;
    this.nodeIds = parameters.init.nodes.map((n) => n.nodeId);
    this.#parameters = parameters;
    this.#proxy = new LinkProxy({ name: `${this.hostId}/link`, target: parameters.api(), initiator: "node", seed: parameters.seed });
    const proxy = this.#proxy;
    this.link = {
      impair: async (direction: LinkDirection, patch: LinkImpairment) => proxy.impair(direction, patch),
      restore: async (direction: LinkDirection, keys?: readonly (keyof LinkImpairment)[]) => proxy.restore(direction, keys),
      setDown: async (down: boolean) => proxy.setDown(down),
    };
  }

  get state(): HostState {
    return this.#state;
  }
  get pid(): number | undefined {
    return this.#worker?.pid;
  }
  get bootId(): string {
    return this.#bootId;
  }
  get restarts(): number {
    return this.#restarts;
  }
  get clockOffsetMs(): number {
    return this.#clockOffsetMs;
  }
  /** The link proxy's own counters (bytes, chunks lost, dropped). */
  get proxy(): LinkProxy {
    return this.#proxy;
  }

  async start(): Promise<void> {
    // Two parties may bring a crashed host back at once (MAPE-K healing, a fault's own
    // recovery): the second waits for the first's start instead of killing it.
    if (this.#state === "starting" && this.#starting) return this.#starting;
    if (this.#state === "running" || this.#state === "paused") return;
    const starting = this.#start().finally(() => {
      if (this.#starting === starting) this.#starting = undefined;
    });
    this.#starting = starting;
    return starting;
  }

  async #start(): Promise<void> {
    if (this.#worker) this.#restarts++;
    this.#state = "starting";
    this.#proxy.retarget(this.#parameters.api());
    const proxyPort = await (this.#listening ??= this.#proxy.listen());
    let child = (this.#parameters.spawn ?? forkWorker)();
    // A spare that died while waiting would never answer: take a fresh fork instead.
    if (!child.connected || child.exitCode !== null || child.signalCode !== null) child = forkWorker();
    const worker = new WorkerProcess(child);
    this.#worker = worker;
    void worker.exited.then((exit) => {
      if (this.#worker !== worker) return;
      this.#state = this.#state === "stopped" ? "stopped" : "dead";
      this.#parameters.onExit?.(exit);
    });
    this.#clockOffsetMs = 0;
    try {
      worker.init({ ...this.#parameters.init, coordinatorUrl: `http://127.0.0.1:${proxyPort}` });
      const ready = await worker.whenReady(this.#parameters.startTimeoutMs ?? 30_000);
      this.#bootId = ready.bootId;
      this.#state = "running";
    } catch (cause) {
      // Not ready in time or exited: a half-started worker is killed, never left behind.
      await worker.kill();
      throw new NodeHostError({ hostId: this.hostId, reason: "its nodes did not all register", cause });
    }
  }

  async kill(): Promise<void> {
    if (!this.#worker || this.#state === "dead" || this.#state === "stopped") return;
    await this.#worker.kill();
  }

  async pause(): Promise<void> {
    if (this.#state !== "running" || !this.#worker) throw new NodeHostError({ hostId: this.hostId, reason: `cannot pause while ${this.#state}` });
    this.#worker.signal("SIGSTOP");
    this.#state = "paused";
  }

  async resume(): Promise<void> {
    if (this.#state !== "paused" || !this.#worker) return;
    this.#worker.signal("SIGCONT");
    this.#state = "running";
  }

  async restart(): Promise<void> {
    // Already coming back (another restart, or a start): that is the restart.
    if (this.#starting) return this.#starting;
    await this.kill();
    await this.start();
  }

  /** Sends a control command and waits for its ack (a paused worker does not answer). */
  #command(command: HostCommand, timeoutMs = 2000): Promise<void> {
    if (!this.#worker || (this.#state !== "running" && this.#state !== "paused")) {
      return Promise.reject(new NodeHostError({ hostId: this.hostId, reason: `not running (${this.#state})` }));
    }
    return this.#worker.command(command, timeoutMs);
  }

  async isResponsive(timeoutMs = 300): Promise<boolean> {
    try {
      await this.#command({ type: "ping" }, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  async setClockOffset(offsetMs: number): Promise<void> {
    await this.#command({ type: "clock", offsetMs });
    this.#clockOffsetMs = offsetMs;
  }

  setAttack(nodeId: string, spec: AttackSpec | null): Promise<void> {
    return this.#command({ type: "attack", nodeId, spec });
  }

  stress(workers: number, load: number): Promise<void> {
    return this.#command({ type: "stress", workers, load });
  }

  unstress(): Promise<void> {
    return this.#command({ type: "unstress" }, 5000);
  }

  /** Stops the worker for good (SIGKILL: hosts keep no state worth a graceful stop) and closes the link. */
  async stop(): Promise<void> {
    this.#state = "stopped";
    await this.#worker?.kill();
    await this.#proxy.close();
  }
}
