/**
 * The node-host process: `synod node-host …` runs {@link runNodeHost}; the deployer
 * spawns this file directly (Node 22 with tsx). Prints one JSON line on stdout when its
 * nodes are built — `{ "event": "started", hostId, pid, bootId, nodes: [{ nodeId, address }] }` —
 * and logs (pino JSON) on stderr. SIGTERM/SIGINT stop it cleanly, writing `--stats-file`
 * (request latencies and counters) first; SIGUSR2 clears those statistics; SIGKILL is a
 * crash, as the chaos engine wants.
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { loadShards } from "./loadShards.ts";
import { loadOrCreateNodeKeys, parseNodeHostArgs } from "./nodeHostOptions.ts";
import { startNodeHost, type NodeHostRuntime } from "./nodeHostRuntime.ts";
import { ParentToWorkerSchema, type WorkerInit, type WorkerToParent } from "./workerChannel.ts";

/**
 * Runs a node host until it is signalled or gives up.
 * @param argv - the `synod node-host` arguments.
 * @returns the exit code.
 */
export async function runNodeHost(argv: readonly string[]): Promise<number> {
  const options = parseNodeHostArgs(argv);
  // Logs on stderr: stdout carries only the machine-readable "started" line.
  const logger = pino({ level: process.env.LOG_LEVEL ?? "warn", base: undefined }, pino.destination(2)).child({ component: "node-host", hostId: options.hostId });
  const keys = await loadOrCreateNodeKeys(options.keysFile, { count: options.nodes, firstIndex: options.firstIndex });
  const data = loadShards({ dataset: options.dataset, indices: keys.map((k) => k.index), totalShards: options.totalShards, seed: options.seed, ...(options.maxExamples ? { maxExamples: options.maxExamples } : {}) });
  logger.info({ options: { ...options, keysFile: options.keysFile }, examples: data.data.numExamples }, "node host starting");
  return new Promise<number>((resolve) => {
    const host = startNodeHost({
      hostId: options.hostId,
      coordinatorUrl: options.coordinatorUrl,
      nodes: keys,
      data: { dataset: data.data, rows: data.rows },
      model: { kind: "logistic-regression" },
      heartbeatMs: options.heartbeatMs,
      maxOfflineMs: options.maxOfflineMs,
      seed: options.seed,
      fault: options.fault,
      logger,
      onExit: (code) => void finish(code),
    });
    let finishing = false;
    const finish = async (code: number) => {
      if (finishing) return;
      finishing = true;
      await host.close();
      if (options.statsFile) {
        await writeFile(options.statsFile, JSON.stringify({ hostId: host.hostId, pid: process.pid, counters: host.counters, latencies: host.latencies, rssBytes: process.memoryUsage.rss() }));
      }
      resolve(code);
    };
    process.once("SIGTERM", () => void finish(0));
    process.once("SIGINT", () => void finish(0));
    // A benchmark's measurement window starts now.
    process.on("SIGUSR2", () => host.resetStats());
    process.stdout.write(`${JSON.stringify({ event: "started", hostId: host.hostId, pid: process.pid, bootId: host.bootId, nodes: [...host.addresses].map(([nodeId, address]) => ({ nodeId, address })) })}\n`);
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
        logger,
        onReady: () => send({ type: "ready", bootId: runtime.bootId, pid: process.pid, addresses: Object.fromEntries(runtime.addresses) }),
        onExit: (code) => resolve(code),
      });
      host = runtime;
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
