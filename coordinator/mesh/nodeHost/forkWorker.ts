/**
 * Forks a node-host worker: the node-host entry in worker mode, waiting for its
 * `init` on the IPC channel (see `workerChannel.ts`). A worker forked ahead of time is
 * a warm spare: module loading is most of a start (viem alone takes ~1.5 s on a busy
 * 2-core machine), so a restart that takes a spare only ships its settings.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("./nodeHostMain.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");

/** Forks one worker (Node 22 via `process.execPath`, TypeScript via tsx), its stderr inherited. */
export function forkWorker(env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return fork(ENTRY, ["--worker"], {
    execPath: process.execPath,
    execArgv: ["--import", TSX],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    env: { ...env, LOG_LEVEL: env.SYNOD_NODE_HOST_LOG_LEVEL ?? "silent" },
  });
}

/**
 * @example
 * import { WorkerPool } from "./forkWorker.ts";
 * const pool = new WorkerPool({ spares: 1 });
 * const child = pool.take();   // warm if a spare was ready
 * await pool.close();
 */
export class WorkerPool {
  #spares: ChildProcess[] = [];
  #size: number;
  #closed = false;

  constructor({ spares }: { spares: number }) {
    this.#size = spares;
    for (let i = 0; i < spares; i++) this.#spares.push(this.#forkSpare());
  }

  #forkSpare(): ChildProcess {
    const child = forkWorker();
    child.on("error", () => undefined);
    child.once("exit", () => {
      const index = this.#spares.indexOf(child);
      if (index >= 0) this.#spares.splice(index, 1);
    });
    return child;
  }

  /** A live spare if there is one, else a fresh fork; a replacement spare is forked either way. */
  take(): ChildProcess {
    let spare = this.#spares.shift();
    while (spare && (!spare.connected || spare.exitCode !== null || spare.signalCode !== null)) spare = this.#spares.shift();
    if (!this.#closed && this.#spares.length < this.#size) this.#spares.push(this.#forkSpare());
    return spare ?? forkWorker();
  }

  /** Kills the spares. */
  async close(): Promise<void> {
    this.#closed = true;
    const spares = this.#spares.splice(0);
    await Promise.all(
      spares.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      ),
    );
  }
}
