/**
 * `npm run bench:false-alarms` — the failure detector's false alarms (issue 15). One
 * mesh (20 nodes in two node-host processes, 250 ms heartbeats, MAPE-K with the anomaly
 * model as `npm start` runs it) under each condition with NO fault injected: three
 * CPU-bound processes, the coordinator's event loop blocked 2 s three times, 300 ms
 * added on every link. Then one host is SIGKILLed at the end of each condition.
 * Prints JSON on stdout: false incidents per condition (per node, per group, Incident
 * records) and the crash's MTTD and MTTR, with the targets (0 false incidents, MTTD
 * ≤ 1.5 s) passed or not. Progress goes to stderr.
 *
 * Options: --seconds 60 (hogs and delay)  --hogs 3  --blocks 3  --block-ms 2000  --gap-ms 5000
 *          --delay-ms 300  --anomaly-model shared|none  [condition …] (default: all three)
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { createLogger } from "../../coordinator/logger.ts";
import { KnowledgeRepository } from "../../coordinator/store/knowledgeRepository.ts";
import { openDatabase } from "../../coordinator/store/openDatabase.ts";
import {
  BENCH_FALSE_ALARM_SETTINGS,
  createFalseAlarmTestbed,
  FALSE_ALARM_CONDITIONS,
  FALSE_ALARM_TARGETS,
  measureFalseAlarms,
  type FalseAlarmConditionName,
  type FalseAlarmResult,
} from "../../coordinator/testbed/falseAlarms.ts";

const d = BENCH_FALSE_ALARM_SETTINGS;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: "string", default: String(d.hogMs / 1000) },
    hogs: { type: "string", default: String(d.hogs) },
    blocks: { type: "string", default: String(d.blocks) },
    "block-ms": { type: "string", default: String(d.blockMs) },
    "gap-ms": { type: "string", default: String(d.gapMs) },
    "delay-ms": { type: "string", default: String(d.delayMs) },
    "anomaly-model": { type: "string", default: "shared" },
  },
});
const unknown = positionals.filter((c) => !(FALSE_ALARM_CONDITIONS as readonly string[]).includes(c));
if (unknown.length) throw new Error(`unknown condition(s) ${unknown.join(", ")}; known: ${FALSE_ALARM_CONDITIONS.join(", ")}`);
if (values["anomaly-model"] !== "shared" && values["anomaly-model"] !== "none") throw new Error("--anomaly-model is shared or none");
const conditions = (positionals.length ? positionals : FALSE_ALARM_CONDITIONS) as readonly FalseAlarmConditionName[];
const settings = {
  hogs: Number(values.hogs),
  hogMs: Number(values.seconds) * 1000,
  blocks: Number(values.blocks),
  blockMs: Number(values["block-ms"]),
  gapMs: Number(values["gap-ms"]),
  delayMs: Number(values["delay-ms"]),
  delayHoldMs: Number(values.seconds) * 1000,
  // The condition holds until the crash healed: MTTR under it.
  liftOnDetection: false,
};

const db = openDatabase(":memory:");
const outbox = new KnowledgeRepository(db);
const progress = (line: string) => process.stderr.write(`${line}\n`);
progress("starting the mesh (20 nodes, 2 host processes)…");
const bed = await createFalseAlarmTestbed({
  outbox,
  anomalyModel: values["anomaly-model"] === "none" ? null : undefined,
  logger: createLogger({ level: process.env.LOG_LEVEL ?? "silent", stderr: true }),
});
const results: FalseAlarmResult[] = [];
try {
  for (const [i, condition] of conditions.entries()) {
    results.push(await measureFalseAlarms(bed, { condition, settings, outbox, crashHost: i, onProgress: progress }));
    const r = results.at(-1)!;
    progress(`[${condition}] false incidents ${r.falseIncidents.total} (records ${r.falseIncidents.records.length}), crash MTTD ${r.crash.mttdMs ?? "—"} ms, MTTR ${r.crash.mttrMs ?? "—"} ms`);
  }
} finally {
  await bed.close();
  db.close();
}

process.stdout.write(
  `${JSON.stringify(
    {
      bench: "false-alarms",
      machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg().map((l) => Math.round(l * 10) / 10) },
      settings: { nodes: 20, perHost: 10, heartbeatMs: 250, mapekIntervalMs: 250, anomalyModel: values["anomaly-model"], ...settings },
      targets: FALSE_ALARM_TARGETS,
      conditions: results,
      pass: Object.fromEntries(results.map((r) => [r.condition, r.targets])),
      allPass: results.every((r) => Object.values(r.targets).every(Boolean)),
    },
    null,
    2,
  )}\n`,
);
