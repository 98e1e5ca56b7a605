/**
 * `npm run bench:chaos` — runs every experiment in `experiments/` against one mesh of
 * node-host processes (MAPE-K healing, real faults) and prints JSON on stdout: per
 * experiment status, deviation, nodes affected, MTTD, MTTR, resilience score and wall
 * time, and whether the single-crash targets hold (detected ≤ 2 s, healed ≤ 5 s).
 *
 * Options: --nodes 100  --per-host 10  --time-scale 0.25  --heartbeat-ms 250  [experiments/…yaml …]
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { benchmarkExperiments } from "../../coordinator/testbed/benchmarkExperiments.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { nodes: { type: "string", default: "100" }, "per-host": { type: "string", default: "10" }, "time-scale": { type: "string", default: "0.25" }, "heartbeat-ms": { type: "string", default: "250" } },
});
const settings = { nodes: Number(values.nodes), perHost: Number(values["per-host"]), timeScale: Number(values["time-scale"]), heartbeatMs: Number(values["heartbeat-ms"]) };
const rows = await benchmarkExperiments({ ...settings, files: positionals });
const crash = rows.find((r) => r.name === "node-failure");
process.stdout.write(
  `${JSON.stringify(
    {
      bench: "chaos",
      machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg().map((l) => Math.round(l * 10) / 10) },
      settings,
      experiments: rows,
      targets: crash ? { nodeFailureDetectedWithin2s: crash.mttdMs !== null && crash.mttdMs <= 2000, nodeFailureHealedWithin5s: crash.mttrMs !== null && crash.mttrMs <= 5000 } : null,
    },
    null,
    2,
  )}\n`,
);
