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
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { forkWorker } from "./forkWorker.ts";
import { startHostAgent } from "./hostAgent.ts";
import { loadShards } from "./loadShards.ts";
import { loadOrCreateNodeKeys, parseNodeHostArgs } from "./nodeHostOptions.ts";
import { startNodeHost, type NodeHostRuntime } from "./nodeHostRuntime.ts";
import { ParentToWorkerSchema, type WorkerInit, type WorkerToParent } from "./workerChannel.ts";

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
      // The worker logs at the agent's level, into the agent's stderr (the host's log file).
      fork: () => forkWorker({ ...process.env, SYNOD_NODE_HOST_LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" }),
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

/**
 * Worker mode (`--worker`, forked by `forkWorker`): waits for `init` on the IPC channel,
 * runs the host, answers control commands, and exits when its parent goes away (a
 * worker never outlives the coordinator or agent that started it).
 */
export function runWorker(): Promise<number> {
  const send = (message: WorkerToParent) => process.send?.(message);
  let host: NodeHostRuntime | undefined;
  return new Promise<number>((resolve) => {
    const start = (init: WorkerInit) => {
      const logger = pino({ level: process.env.LOG_LEVEL ?? "warn", base: undefined }, pino.destination(2)).child({ component: "node-host", hostId: init.hostId });
      const keys = init.nodes.map((n) => ({ ...n, privateKey: n.privateKey as `0x${string}` }));
      const data = loadShards({ dataset: init.data.dataset, indices: keys.map((k) => k.index), totalShards: init.data.totalShards, seed: init.data.seed, ...(init.data.maxExamples ? { maxExamples: init.data.maxExamples } : {}) });
      const runtime: NodeHostRuntime = startNodeHost({
        hostId: init.hostId,
        coordinatorUrl: init.coordinatorUrl,
        nodes: keys,
        data: { dataset: data.data, rows: data.rows },
        model: init.model,
        heartbeatMs: init.heartbeatMs,
        maxOfflineMs: init.maxOfflineMs,
        seed: init.data.seed,
        fault: init.fault,
        logger,
        onReady: () => send({ type: "ready", bootId: runtime.bootId, pid: process.pid, addresses: Object.fromEntries(runtime.addresses) }),
        onExit: (code) => resolve(code),
      });
      host = runtime;
      // SIGTERM from the agent: close cleanly and write the stats file (benchmarks read it).
      process.once("SIGTERM", () => {
        void runtime.close().then(async () => {
          if (init.statsFile) await writeFile(init.statsFile, JSON.stringify({ hostId: runtime.hostId, pid: process.pid, counters: runtime.counters, latencies: runtime.latencies, rssBytes: process.memoryUsage.rss() }));
          resolve(0);
        });
      });
      // A benchmark's measurement window starts now (the agent forwards SIGUSR2).
      process.on("SIGUSR2", () => runtime.resetStats());
    };
    process.on("message", (raw: unknown) => {
      const parsed = ParentToWorkerSchema.safeParse(raw);
      if (!parsed.success) return;
      const message = parsed.data;
      if (message.type === "init") {
        if (!host) start(message.init);
        return;
      }
      const { id, command } = message;
      if (!host) return send({ type: "ack", id, error: "not initialised" });
      host.command(command).then(
        () => send({ type: "ack", id }),
        (error: unknown) => send({ type: "ack", id, error: error instanceof Error ? error.message : String(error) }),
      );
    });
    process.on("disconnect", () => resolve(0));
    // A parent that died while this worker was still loading its modules closed the
    // channel before the listener above existed: never outlive it.
    if (!process.connected) resolve(0);
  });
}

// Run only as a program (the test runner loads every file under test/, and the CLI imports this).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = process.argv[2] === "--worker" ? await runWorker() : await runNodeHost(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`synod node-host: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
  // Undici keep-alive sockets would hold the loop open for a few seconds more.
  process.exit();
}
