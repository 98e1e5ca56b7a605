/**
 * One node-host worker process as its parent sees it (the host agent; the
 * coordinator's child hosts can use it the same way): the `init` it is sent, the
 * `ready` it answers once every node has registered, commands acknowledged by id, its
 * signals and its exit. The protocol is `workerChannel.ts`.
 *
 * A worker forked ahead of time (a warm spare) has loaded its modules and waits for
 * `init`: starting it costs only the data and the registrations.
 */
import type { ChildProcess } from "node:child_process";
import { WorkerCommandError } from "../../errors/mesh.ts";
import type { HostCommand, ParentToWorker, WorkerInit, WorkerToParent } from "./workerChannel.ts";

/** What `ready` says. */
export type WorkerReady = Extract<WorkerToParent, { type: "ready" }>;

/** How a worker ended. */
export type WorkerExit = { code: number | null; signal: NodeJS.Signals | null };

type Pending = { command: string; resolve: (ack: { error?: string | undefined }) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

/**
 * @example
 * import { forkWorker } from "./forkWorker.ts";
 * import { WorkerProcess } from "./workerProcess.ts";
 * const worker = new WorkerProcess(forkWorker());
 * worker.init(init);
 * const ready = await worker.whenReady(60_000);   // every node registered
 * await worker.command({ type: "clock", offsetMs: 5000 }, 2000);
 * await worker.kill();                             // SIGKILL, resolves on exit
 */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<WorkerExit>;
  #exit: WorkerExit | undefined;
  #ready: WorkerReady | undefined;
  #initialised = false;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #waitingReady = new Set<{ resolve: (ready: WorkerReady) => void; reject: (error: Error) => void }>();

  constructor(child: ChildProcess) {
    if (child.pid === undefined) throw new WorkerCommandError({ pid: undefined, command: "start", reason: "fork returned no pid" });
    this.child = child;
    this.pid = child.pid;
    this.exited = new Promise<WorkerExit>((resolve) => {
      child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        const reason = `it exited (${signal ?? `code ${code}`})`;
        for (const [id, pending] of this.#pending) {
          this.#pending.delete(id);
          clearTimeout(pending.timer);
          pending.reject(new WorkerCommandError({ pid: this.pid, command: pending.command, reason }));
        }
        for (const waiter of this.#waitingReady) waiter.reject(new WorkerCommandError({ pid: this.pid, command: "become ready", reason }));
        this.#waitingReady.clear();
        resolve(this.#exit);
      });
    });
    child.on("message", (raw) => this.#onMessage(raw as WorkerToParent));
    // A send to a worker that just died fails asynchronously too; the exit handler reports it.
    child.on("error", () => undefined);
  }

  /** Whether the process still runs (a stopped one counts as running). */
  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** How it ended, once it has. */
  get exit(): WorkerExit | undefined {
    return this.#exit;
  }

  /** Its `ready`, once sent. */
  get ready(): WorkerReady | undefined {
    return this.#ready;
  }

  /** Whether it has been sent its `init` (a spare has not). */
  get initialised(): boolean {
    return this.#initialised;
  }

  #onMessage(message: WorkerToParent): void {
    if (message?.type === "ready") {
      this.#ready = message;
      for (const waiter of this.#waitingReady) waiter.resolve(message);
      this.#waitingReady.clear();
    } else if (message?.type === "ack") {
      const pending = this.#pending.get(message.id);
      if (!pending) return; // answered after its timeout (e.g. a worker resumed from SIGSTOP)
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      pending.resolve(message);
    }
  }

  #send(message: ParentToWorker): void {
    if (!this.alive || !this.child.connected) throw new WorkerCommandError({ pid: this.pid, command: message.type, reason: "its IPC channel is closed" });
    this.child.send(message);
  }

  /**
   * Sends `init` (once): the worker loads its data and registers its nodes.
   * @throws {WorkerCommandError} when it was initialised already or its channel is closed.
   */
  init(init: WorkerInit): void {
    if (this.#initialised) throw new WorkerCommandError({ pid: this.pid, command: "init", reason: "it was initialised already" });
    this.#initialised = true;
    this.#send({ type: "init", init });
  }

  /**
   * Resolves with its `ready` (every node registered), at once if it came already.
   * @param timeoutMs - give up waiting after this long (the worker keeps trying); none by default.
   * @throws {WorkerCommandError} when it exits first or `timeoutMs` passes.
   */
  whenReady(timeoutMs?: number): Promise<WorkerReady> {
    if (this.#ready) return Promise.resolve(this.#ready);
    if (this.#exit) return Promise.reject(new WorkerCommandError({ pid: this.pid, command: "become ready", reason: `it exited (${this.#exit.signal ?? `code ${this.#exit.code}`})` }));
    return new Promise<WorkerReady>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        resolve: (ready: WorkerReady) => {
          clearTimeout(timer);
          resolve(ready);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#waitingReady.delete(waiter);
          reject(new WorkerCommandError({ pid: this.pid, command: "become ready", reason: `no ready within ${timeoutMs} ms` }));
        }, timeoutMs);
      }
      this.#waitingReady.add(waiter);
    });
  }

  /**
   * Sends a command and waits for its ack.
   * @throws {WorkerCommandError} when the worker refuses it, exits, or does not answer within `timeoutMs`.
   */
  async command(command: HostCommand, timeoutMs: number): Promise<void> {
    const ack = await this.#request(command, timeoutMs);
    if (ack.error) throw new WorkerCommandError({ pid: this.pid, command: command.type, reason: ack.error });
  }

  /**
   * Whether the worker answers on its channel at all within `timeoutMs`: a spare that
   * has loaded its modules acknowledges a `ping` (as "not initialised"), one still
   * loading does not yet (its channel is read once its handler is installed).
   */
  async answers(timeoutMs: number): Promise<boolean> {
    try {
      await this.#request({ type: "ping" }, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /** Sends a command; resolves with its ack, whatever it says; rejects on timeout or exit. */
  #request(command: HostCommand, timeoutMs: number): Promise<{ error?: string | undefined }> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new WorkerCommandError({ pid: this.pid, command: command.type, reason: `no ack within ${timeoutMs} ms` }));
      }, timeoutMs);
      this.#pending.set(id, { command: command.type, resolve, reject, timer });
      try {
        this.#send({ type: "command", id, command });
      } catch (error) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(error as Error);
      }
    });
  }

  /** Sends a signal; `false` if the process is gone. */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.alive) return false;
    try {
      return process.kill(this.pid, signal);
    } catch {
      return false;
    }
  }

  /** SIGKILL (works on a stopped process too); resolves once it has exited. */
  async kill(): Promise<WorkerExit> {
    this.signal("SIGKILL");
    return this.exited;
  }

  /**
   * SIGTERM (the worker closes cleanly and writes its stats file), then SIGKILL after
   * `graceMs`; resolves once it has exited.
   */
  async terminate(graceMs: number): Promise<WorkerExit> {
    if (!this.alive) return this.exited;
    // A frozen worker cannot handle SIGTERM until it runs again.
    this.signal("SIGCONT");
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}
