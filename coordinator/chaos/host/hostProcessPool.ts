/**
 * Pre-forked node-host processes. A host process spends most of its start-up loading
 * modules (viem alone takes ~1.5 s on a busy 2-core machine); a restart that takes a
 * warm spare only has to ship the shards and open a port, which is what brings a
 * crashed node back within the 5 s MTTR target. Spares are plain forks waiting for
 * their `init` message; the pool forks a replacement whenever one is taken.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("./nodeHostMain.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");

/** Forks one node-host process (Node 22 via `process.execPath`, TypeScript via tsx). */
export function forkNodeHost(): ChildProcess {
  return fork(ENTRY, [], {
    execPath: process.execPath,
    execArgv: ["--import", TSX],
    serialization: "advanced",
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    env: { ...process.env, LOG_LEVEL: "silent" },
  });
}

/**
 * @example
 * import { HostProcessPool } from "./hostProcessPool.ts";
 * const pool = new HostProcessPool({ spares: 1 });
 * const child = pool.take();   // warm if a spare was ready
 * await pool.close();
 */
export class HostProcessPool {
  #spares: ChildProcess[] = [];
  #size: number;
  #closed = false;

  constructor({ spares }: { spares: number }) {
    this.#size = spares;
    for (let i = 0; i < spares; i++) this.#spares.push(this.#forkSpare());
  }

  #forkSpare(): ChildProcess {
    const child = forkNodeHost();
    child.once("exit", () => {
      const index = this.#spares.indexOf(child);
      if (index >= 0) this.#spares.splice(index, 1);
    });
    return child;
  }

  /** A spare if one is alive, else a fresh fork; a replacement spare is forked either way. */
  take(): ChildProcess {
    const spare = this.#spares.shift();
    if (!this.#closed && this.#spares.length < this.#size) this.#spares.push(this.#forkSpare());
    return spare ?? forkNodeHost();
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
