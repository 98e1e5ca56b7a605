/**
 * bench:report — turns the saved benchmark outputs into the markdown tables of
 * docs/fl.md (so the document shows measured numbers, never hand-typed ones).
 *
 *   npm run bench:report -- [--dir scripts/bench/results] [--robustness robustness.json]
 *
 * Reads robustness.json (bench:robustness --output), aggregate.jsonl and round.jsonl
 * (the stdout of bench:aggregate and bench:round) and prints markdown on stdout.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { dir: { type: "string", default: "scripts/bench/results" }, robustness: { type: "string", default: "robustness.json" } } });
const dir = values.dir;
const robustnessFile = values.robustness;
const out: string[] = [];
const pct = (f: number): string => `${Math.round(f * 100)} %`;

type RobustRow = { strategy: string; attack: string; byzantineFraction: number; refused: string | null; accuracyMean: number | null; accuracyStd: number | null; failedRounds?: number };
if (existsSync(join(dir, robustnessFile))) {
  const report = JSON.parse(readFileSync(join(dir, robustnessFile), "utf8")) as { config: Record<string, unknown>; wallSeconds: number; results: RobustRow[] };
  const rows = report.results;
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  const columns = [...new Set(rows.map((r) => `${r.attack}@${r.byzantineFraction}`))].sort((a, b) => {
    const order = ["none", "gaussian-noise", "sign-flip", "alie", "label-flip"];
    const [aa, af] = a.split("@") as [string, string];
    const [ba, bf] = b.split("@") as [string, string];
    return order.indexOf(aa) - order.indexOf(ba) || Number(af) - Number(bf);
  });
  const c = report.config;
  out.push(`Final test accuracy after ${c.rounds} rounds, mean ± std over ${c.seeds} seeds (MNIST, ${c.model}, ${c.clients} clients, Dirichlet α = ${c.alpha}, ${c.localEpochs} local epochs, lr ${c.learningRate}; wall time ${(report.wallSeconds / 60).toFixed(1)} min on 2 cores).`, "");
  out.push(`| strategy | ${columns.map((k) => (k.startsWith("none") ? "no attack" : `${k.split("@")[0]} ${pct(Number(k.split("@")[1]))}`)).join(" | ")} |`);
  out.push(`|---|${columns.map(() => "---").join("|")}|`);
  for (const s of strategies) {
    const cells = columns.map((k) => {
      const [attack, f] = k.split("@");
      const r = rows.find((x) => x.strategy === s && x.attack === attack && String(x.byzantineFraction) === f);
      if (!r) return "–";
      if (r.refused) return "refused¹";
      return `${(r.accuracyMean ?? 0).toFixed(3)} ± ${(r.accuracyStd ?? 0).toFixed(3)}${r.failedRounds ? ` (${r.failedRounds} failed rounds)` : ""}`;
    });
    out.push(`| ${s} | ${cells.join(" | ")} |`);
  }
  const refused = rows.filter((r) => r.refused);
  if (refused.length) out.push("", `¹ ${[...new Set(refused.map((r) => r.refused))].join("; ")}.`);
  out.push("");
}

if (existsSync(join(dir, "aggregate.jsonl"))) {
  const lines = readFileSync(join(dir, "aggregate.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, number | string>);
  out.push("| method | n | d | ours (s) | numpy (s) | ours / numpy | max abs diff |", "|---|---|---|---|---|---|---|");
  for (const l of lines) {
    out.push(`| ${l.method} | ${l.n} | ${Number(l.d).toExponential(0)} | ${Number(l.seconds).toPrecision(3)} | ${l.numpySeconds === undefined ? "–" : Number(l.numpySeconds).toPrecision(3)} | ${l.ratioToNumpy === undefined ? "–" : `${Number(l.ratioToNumpy).toFixed(2)}×`} | ${l.maxAbsDiff === undefined ? "–" : Number(l.maxAbsDiff).toExponential(1)} |`);
  }
  out.push("");
}

if (existsSync(join(dir, "round.jsonl"))) {
  const lines = readFileSync(join(dir, "round.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { nodes: number; strategy: string; secondsMedian: number; secondsMin: number; secondsMax: number; phasesOfMedianRoundSeconds: Record<string, number>; heapMiB: number; loadAverage1m: number; accuracy: number });
  out.push("| nodes | strategy | median round (s) | min–max (s) | train + sign | verify | aggregate | evaluate | heap (MiB) | load avg |", "|---|---|---|---|---|---|---|---|---|---|");
  for (const l of lines) {
    const p = l.phasesOfMedianRoundSeconds;
    out.push(`| ${l.nodes} | ${l.strategy} | ${l.secondsMedian.toFixed(3)} | ${l.secondsMin.toFixed(3)}–${l.secondsMax.toFixed(3)} | ${p.trainAndSign?.toFixed(3)} | ${p.verify?.toFixed(3)} | ${p.aggregate?.toFixed(3)} | ${p.evaluate?.toFixed(3)} | ${l.heapMiB} | ${l.loadAverage1m.toFixed(1)} |`);
  }
  out.push("");
}
process.stdout.write(`${out.join("\n")}\n`);
