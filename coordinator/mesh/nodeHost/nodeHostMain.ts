/**
 * The node-host process: `synod node-host …` runs {@link runNodeHost}; the deployer
 * spawns this file directly (Node 22 with tsx). It is a host agent (`hostAgent.ts`):
 * its nodes run in a worker process it forks, behind its own link proxy, and with
 * `--control-address` it takes the coordinator's signed faults.
 *
 * stdout carries JSON lines only: `{ "event": "started", hostId, pid, controlAddress,
 * linkPort, nodes: [{ nodeId, address }] }` at once (what `synod nodes admit` reads),
 * then `worker-ready` / `worker-exit` lines; logs (pino JSON) go to stderr. SIGTERM and
 * SIGINT stop the worker (which writes `--stats-file`) and then the agent; SIGUSR2 is
 * forwarded to the worker (it clears its statistics); SIGKILL of the agent is a crash
 * of the whole host (its worker exits when its IPC channel closes).
 */
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { forkWorker } from "./forkWorker.ts";
import { startHostAgent } from "./hostAgent.ts";
import { loadOrCreateNodeKeys, parseNodeHostArgs } from "./nodeHostOptions.ts";

/**
 * Runs a node host (its agent and worker) until it is signalled or gives up.
 * @param argv - the `synod node-host` arguments.
 * @returns the exit code.
 */
export async function runNodeHost(argv: readonly string[]): Promise<number> {
  const options = parseNodeHostArgs(argv);
  // Logs on stderr: stdout carries only the machine-readable lines.
  const logger = pino({ level: process.env.LOG_LEVEL ?? "warn", base: undefined }, pino.destination(2)).child({ component: "node-host", hostId: options.hostId });
  const keys = await loadOrCreateNodeKeys(options.keysFile, { count: options.nodes, firstIndex: options.firstIndex });
  logger.info({ options }, "node host starting");
  return new Promise<number>((resolve, reject) => {
    const agent = startHostAgent({
      init: {
        hostId: options.hostId,
        nodes: keys,
        data: { dataset: options.dataset, totalShards: options.totalShards, seed: options.seed, ...(options.maxExamples ? { maxExamples: options.maxExamples } : {}) },
        model: { kind: "logistic-regression" },
        heartbeatMs: options.heartbeatMs,
        maxOfflineMs: options.maxOfflineMs,
        ...(options.fault ? { fault: options.fault } : {}),
        ...(options.statsFile ? { statsFile: options.statsFile } : {}),
      },
      coordinatorUrl: options.coordinatorUrl,
      controlAddress: options.controlAddress,
      maxOfflineMs: options.maxOfflineMs,
      warmSpare: options.warmSpare,
      fork: forkWorker,
      logger,
      onExit: (code) => resolve(code),
    });
    agent.catch(reject);
    // A signal before the agent is up stops it as soon as it is.
    const stop = (signal: NodeJS.Signals) => void agent.then((a) => a.close(signal), () => undefined);
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
    // A benchmark's measurement window starts now: the worker clears its statistics.
    process.on("SIGUSR2", () => void agent.then((a) => a.forward("SIGUSR2"), () => undefined));
  });
}

// Run only as a program (the test runner loads every file under test/, and the CLI imports this).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await runNodeHost(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`synod node-host: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
  // Undici keep-alive sockets would hold the loop open for a few seconds more.
  process.exit();
}
