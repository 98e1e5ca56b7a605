/**
 * `npm run dataset:telemetry` — records the mesh-telemetry dataset the MAPE-K anomaly
 * model learns from (`datasets/mesh-telemetry.csv` and its `.json` description).
 *
 * A mesh of real node-host processes trains on MNIST while the chaos engine injects one
 * real fault at a time (crash, pause, partition, link down, delay, loss, bandwidth, CPU
 * stress, Byzantine updates, clock skew, request floods) on random nodes. Every
 * `--sample-ms` each node's telemetry (exactly what the MAPE-K monitor sees, through
 * `telemetryFeatures`) is written with the class of the fault active on it. No MAPE-K
 * loop runs, so nothing heals a fault before it is recovered: labels are what the node
 * suffers. Samples of a node within `--settle-ms` of a fault starting or ending on it
 * are left out (its heartbeat window still mixes both states), and only a share of
 * the healthy samples is kept (`--keep-healthy`), so the faults are not drowned.
 *
 * Options: --nodes 40  --per-host 5  --repeats 2  --episode-ms 12000  --cooldown-ms 4000
 *          --sample-ms 500  --settle-ms 2500  --keep-healthy 0.2  --seed 1  --output datasets/mesh-telemetry.csv
 */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import type { FaultKindName } from "../../coordinator/chaos/fault.ts";
import { createChaosTestbed } from "../../coordinator/testbed/createChaosTestbed.ts";
import { createEventBus } from "../../coordinator/events.ts";
import { loadMnist } from "../../coordinator/fl/datasets/mnist.ts";
import { createRng, shuffleInPlace } from "../../coordinator/fl/random.ts";
import { createStrategy } from "../../coordinator/fl/strategies/createStrategy.ts";
import { createLogger } from "../../coordinator/logger.ts";
import { CLASS_OF_FAULT, TELEMETRY_CLASSES, TELEMETRY_FEATURES, telemetryFeatures, type TelemetryClass } from "../../coordinator/mapek/telemetry.ts";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "40" },
    "per-host": { type: "string", default: "5" },
    repeats: { type: "string", default: "2" },
    "episode-ms": { type: "string", default: "12000" },
    "cooldown-ms": { type: "string", default: "4000" },
    "sample-ms": { type: "string", default: "500" },
    "settle-ms": { type: "string", default: "2500" },
    "keep-healthy": { type: "string", default: "0.2" },
    "heartbeat-ms": { type: "string", default: "250" },
    seed: { type: "string", default: "1" },
    output: { type: "string", default: "datasets/mesh-telemetry.csv" },
  },
});
const settings = {
  nodes: Number(values.nodes),
  perHost: Number(values["per-host"]),
  repeats: Number(values.repeats),
  episodeMs: Number(values["episode-ms"]),
  cooldownMs: Number(values["cooldown-ms"]),
  sampleMs: Number(values["sample-ms"]),
  settleMs: Number(values["settle-ms"]),
  keepHealthy: Number(values["keep-healthy"]),
  heartbeatMs: Number(values["heartbeat-ms"]),
  seed: Number(values.seed),
};
for (const [name, value] of Object.entries(settings)) if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: expected a non-negative number, got ${String(value)}`);

/** The fault variants, each run `repeats` times on fresh random targets. */
const VARIANTS: { kind: FaultKindName; spec: Record<string, unknown> }[] = [
  { kind: "node-crash", spec: { selector: { mode: "one" } } },
  { kind: "node-pause", spec: { selector: { mode: "one" } } },
  { kind: "network-partition", spec: { selector: { mode: "fixed", value: 4 } } },
  { kind: "link-down", spec: { selector: { mode: "fixed", value: 4 } } },
  { kind: "network-delay", spec: { selector: { mode: "fixed", value: 4 }, latencyMs: 150, jitterMs: 50 } },
  { kind: "network-delay", spec: { selector: { mode: "fixed", value: 4 }, latencyMs: 500, jitterMs: 100 } },
  { kind: "network-delay", spec: { selector: { mode: "fixed", value: 4 }, latencyMs: 1000, jitterMs: 0 } },
  { kind: "network-loss", spec: { selector: { mode: "fixed", value: 4 }, lossPercent: 10 } },
  { kind: "network-loss", spec: { selector: { mode: "fixed", value: 4 }, lossPercent: 30 } },
  { kind: "network-bandwidth", spec: { selector: { mode: "fixed", value: 4 }, rate: "200kbps" } },
  { kind: "cpu-stress", spec: { selector: { mode: "one" }, workers: 2, loadPercent: 95 } },
  { kind: "cpu-stress", spec: { selector: { mode: "one" }, workers: 1, loadPercent: 80 } },
  { kind: "byzantine", spec: { selector: { mode: "fixed", value: 4 }, attack: { kind: "sign-flip", scale: 4 } } },
  { kind: "byzantine", spec: { selector: { mode: "fixed", value: 4 }, attack: { kind: "gaussian-noise", std: 1 } } },
  { kind: "byzantine", spec: { selector: { mode: "fixed", value: 4 }, attack: { kind: "scaling", factor: 10 } } },
  { kind: "byzantine", spec: { selector: { mode: "fixed", value: 4 }, attack: { kind: "label-flip" } } },
  { kind: "byzantine", spec: { selector: { mode: "fixed", value: 4 }, attack: { kind: "nan-injection" } } },
  { kind: "clock-skew", spec: { selector: { mode: "one" }, offsetMs: 5_000 } },
  { kind: "clock-skew", spec: { selector: { mode: "one" }, offsetMs: -3_000 } },
  { kind: "clock-skew", spec: { selector: { mode: "one" }, offsetMs: 60_000 } },
  { kind: "request-flood", spec: { concurrency: 64 } },
];

const rng = createRng(settings.seed);
const episodes = shuffleInPlace(
  Array.from({ length: VARIANTS.length * settings.repeats }, (_, i) => VARIANTS[i % VARIANTS.length] as (typeof VARIANTS)[number]),
  rng,
);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

const events = createEventBus({ historySize: 256 });
// No MAPE-K and no anomaly model: faults stay as injected while their telemetry is recorded.
const bed = await createChaosTestbed({
  dataset: loadMnist(),
  anomalyModel: null,
  mapekIntervalMs: 250,
  numNodes: settings.nodes,
  nodesPerHost: settings.perHost,
  maxExamples: Math.min(10_000, settings.nodes * 60),
  strategy: createStrategy({ name: "fedmedian" }),
  roundConfig: { minFitClients: 5, minAvailableClients: 5, learningRate: 0.3, batchSize: 16, roundTimeoutMs: 3000, fractionFit: 0.5 },
  heartbeatMs: settings.heartbeatMs,
  seed: settings.seed,
  roundGapMs: 200,
  events,
  logger: createLogger({ level: process.env.LOG_LEVEL ?? "error", stderr: true }),
});
const { engine, monitor } = bed;
const nodeIds = monitor.nodes().map((v) => v.nodeId);
const nodeIndex = new Map(nodeIds.map((id, i) => [id, i]));
const rows: string[] = [];
const counts = Object.fromEntries(TELEMETRY_CLASSES.map((c) => [c, 0])) as Record<TelemetryClass, number>;
/** Per node: the last time a fault started or ended on it. */
const transitionAt = new Map<string, number>();
/** Per node: the class of the fault on it now. */
const labelOf = new Map<string, TelemetryClass>();
const started = Date.now();

const sample = (episode: number): void => {
  const now = monitor.now();
  for (const [nodeId, features] of telemetryFeatures(monitor.nodes(), now, settings.heartbeatMs)) {
    if (now - (transitionAt.get(nodeId) ?? 0) < settings.settleMs) continue;
    const label = labelOf.get(nodeId) ?? "healthy";
    if (label === "healthy" && rng.next() >= settings.keepHealthy) continue;
    counts[label]++;
    rows.push([nodeIndex.get(nodeId), episode, TELEMETRY_CLASSES.indexOf(label), ...Array.from(features, (f) => Number(f.toPrecision(5)))].join(","));
  }
};
const sampleFor = async (ms: number, episode: number): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    await sleep(settings.sampleMs);
    sample(episode);
  }
};

try {
  log(`mesh up: ${settings.nodes} nodes in ${Math.ceil(settings.nodes / settings.perHost)} host processes; warming up`);
  await bed.runRounds(5);
  bed.startRounds();
  await sampleFor(settings.cooldownMs, -1);
  for (const [e, { kind, spec }] of episodes.entries()) {
    const status = await engine.inject(kind, { ...spec, durationMs: settings.episodeMs }, { seed: settings.seed * 1000 + e });
    const label = CLASS_OF_FAULT[kind];
    const at = monitor.now();
    for (const node of status.affected) {
      transitionAt.set(node, at);
      if (label) labelOf.set(node, label);
    }
    log(`[${e + 1}/${episodes.length} ${Math.round((Date.now() - started) / 1000)} s] ${kind} on ${status.affected.length} node(s) → ${label}; rows so far ${rows.length}`);
    await sampleFor(settings.episodeMs, e);
    await engine.recover(status.faultId);
    const end = monitor.now();
    for (const node of status.affected) {
      transitionAt.set(node, end);
      labelOf.delete(node);
    }
    await sampleFor(settings.cooldownMs, e);
  }
} finally {
  await bed.close();
}

const header = ["node", "episode", "label", ...TELEMETRY_FEATURES].join(",");
await mkdir(dirname(values.output), { recursive: true });
await writeFile(values.output, `${header}\n${rows.join("\n")}\n`);
const description = {
  name: "mesh-telemetry",
  description: "Per-node MAPE-K telemetry of a mesh of node-host processes under real injected faults, labelled with the fault class active on the node.",
  generator: "npm run dataset:telemetry",
  generatedAt: new Date().toISOString(),
  wallSeconds: Math.round((Date.now() - started) / 1000),
  machine: { cpus: os.cpus().length, loadavg: os.loadavg().map((l) => Math.round(l * 10) / 10) },
  settings,
  variants: VARIANTS,
  features: TELEMETRY_FEATURES,
  classes: TELEMETRY_CLASSES,
  rows: rows.length,
  counts,
};
await writeFile(values.output.replace(/\.csv$/, ".json"), `${JSON.stringify(description, null, 2)}\n`);
process.stdout.write(`${JSON.stringify({ output: values.output, rows: rows.length, counts, wallSeconds: description.wallSeconds })}\n`);
