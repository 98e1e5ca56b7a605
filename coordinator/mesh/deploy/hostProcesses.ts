/**
 * Node-host OS processes started by the deployer: spawned detached (they outlive the
 * `synod nodes deploy` command that started them), found again by pid from the
 * manifest, and killed only after checking that the pid still is that host (a pid can
 * be reused by another program once the host has died). The pid is the host's agent;
 * being detached, it leads a process group that its worker and spare share, so a kill
 * takes the whole host.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The node-host entry point the deployer spawns. */
export const NODE_HOST_ENTRY = fileURLToPath(new URL("../nodeHost/nodeHostMain.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");

/**
 * Starts a node-host process in the background (Node 22 via `process.execPath`,
 * TypeScript via tsx), its stderr appended to `logFile`.
 *
 * @returns the pid.
 */
export function spawnNodeHost(args: readonly string[], logFile: string, env: NodeJS.ProcessEnv = process.env): number {
  const log = openSync(logFile, "a");
  try {
    const child = spawn(process.execPath, ["--import", TSX, NODE_HOST_ENTRY, ...args], {
      detached: true,
      stdio: ["ignore", "ignore", log],
      env: { ...env, LOG_LEVEL: env.SYNOD_NODE_HOST_LOG_LEVEL ?? "warn" },
    });
    if (child.pid === undefined) throw new Error("spawn returned no pid");
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Whether `pid` is a live process (a zombie counts as dead). */
export function isAlive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (existsSync("/proc/self/stat")) {
    try {
      const text = readFileSync(stat, "utf8");
      // The state follows the parenthesised command name, which may itself hold spaces.
      const state = text.slice(text.lastIndexOf(")") + 2, text.lastIndexOf(")") + 3);
      return state !== "Z" && state !== "X";
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is the node host `hostId` (its command line names the host id). */
export function isNodeHost(pid: number, hostId: string): boolean {
  if (!existsSync("/proc/self/cmdline")) return isAlive(pid);
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv.includes(NODE_HOST_ENTRY) && argv.includes(hostId);
  } catch {
    return false;
  }
}

/** Resident memory of a process, bytes (0 if gone or unknown). */
export function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of a process and its descendants (a host's agent, worker and spare), bytes. */
export function treeRssOf(pid: number): number {
  let total = rssOf(pid);
  let children: number[] = [];
  try {
    // Linux ≥ 3.5: the children of each of the process's threads.
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      children = children.concat(readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
    }
  } catch {
    return total;
  }
  for (const child of children) total += treeRssOf(child);
  return total;
}

/**
 * SIGKILLs a node host (its process group: agent, worker, spare) if `pid` still is
 * it, and waits (bounded) until the agent is gone.
 *
 * @returns `"killed"`, `"gone"` (already dead) or `"not-ours"` (the pid is another program now).
 */
export async function killNodeHost(pid: number, hostId: string, timeoutMs = 5000): Promise<"killed" | "gone" | "not-ours"> {
  if (!isAlive(pid)) return "gone";
  if (!isNodeHost(pid, hostId)) return "not-ours";
  try {
    // The group a detached host leads; a host started otherwise is killed alone.
    process.kill(-pid, "SIGKILL");
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      return "gone";
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return "killed";
}
