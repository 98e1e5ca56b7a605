/**
 * bench:plot — draws accuracy per round from a bench:robustness JSON report as a PNG
 * (an SVG rendered by resvg, offline, with the system's DejaVu/Liberation fonts).
 *
 *   npm run bench:plot -- [--input scripts/bench/results/robustness.json]
 *     [--output docs/img/fl-accuracy-per-round.png] [--scenarios none:0,gaussian-noise:0.2,alie:0.2]
 *
 * One panel per scenario (attack:byzantineFraction), one line per strategy (mean over
 * seeds). Prints a JSON line with the output path on stdout.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Resvg } from "@resvg/resvg-js";
import { z } from "zod";

const Report = z.object({
  config: z.object({ rounds: z.number(), clients: z.number(), alpha: z.number(), seeds: z.number(), model: z.string() }).passthrough(),
  results: z.array(
    z.object({
      strategy: z.string(),
      attack: z.string(),
      byzantineFraction: z.number(),
      refused: z.string().nullable(),
      accuracyPerRound: z.array(z.number().nullable()),
    }),
  ),
});

const { values } = parseArgs({
  options: {
    input: { type: "string", default: "scripts/bench/results/robustness.json" },
    output: { type: "string", default: "docs/img/fl-accuracy-per-round.png" },
    scenarios: { type: "string", default: "none:0,gaussian-noise:0.2,alie:0.2" },
  },
});

const report = Report.parse(JSON.parse(readFileSync(values.input, "utf8")));
const scenarios = values.scenarios.split(",").map((s) => {
  const [attack, fraction] = s.split(":");
  return { attack: attack as string, fraction: Number(fraction) };
});
const strategies = [...new Set(report.results.map((r) => r.strategy))];
const palette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
const W = 420;
const H = 360;
const M = { left: 52, right: 12, top: 40, bottom: 44 };
const rounds = report.config.rounds;
const yMin = 0;
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

const panels = scenarios.map((scenario, p) => {
  const x0 = p * W;
  const px = (round: number): number => x0 + M.left + ((round - 1) / Math.max(1, rounds - 1)) * (W - M.left - M.right);
  const py = (acc: number): number => M.top + (1 - (acc - yMin) / (1 - yMin)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  const label = scenario.attack === "none" ? "no attack" : `${scenario.attack}, ${Math.round(scenario.fraction * 100)} % Byzantine`;
  parts.push(`<text x="${x0 + W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(label)}</text>`);
  for (let t = 0; t <= 10; t += 2) {
    const acc = yMin + (t / 10) * (1 - yMin);
    parts.push(`<line x1="${px(1)}" x2="${px(rounds)}" y1="${py(acc)}" y2="${py(acc)}" stroke="#ddd"/>`);
    parts.push(`<text x="${px(1) - 6}" y="${py(acc) + 4}" text-anchor="end" font-size="11">${acc.toFixed(1)}</text>`);
  }
  for (let r = 1; r <= rounds; r += Math.max(1, Math.floor(rounds / 5))) parts.push(`<text x="${px(r)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11">${r}</text>`);
  parts.push(`<text x="${x0 + W / 2}" y="${H - 8}" text-anchor="middle" font-size="12">round</text>`);
  if (p === 0) parts.push(`<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle" font-size="12">test accuracy</text>`);
  parts.push(`<rect x="${px(1)}" y="${py(1)}" width="${px(rounds) - px(1)}" height="${py(yMin) - py(1)}" fill="none" stroke="#888"/>`);
  strategies.forEach((strategy, i) => {
    const row = report.results.find((r) => r.strategy === strategy && r.attack === scenario.attack && Math.abs(r.byzantineFraction - scenario.fraction) < 1e-9);
    if (!row || row.refused) return;
    const points = row.accuracyPerRound.map((a, r) => (a === null ? null : `${px(r + 1).toFixed(1)},${py(a).toFixed(1)}`)).filter((s): s is string => s !== null);
    parts.push(`<polyline points="${points.join(" ")}" fill="none" stroke="${palette[i % palette.length]}" stroke-width="2"/>`);
  });
  return parts.join("\n");
});

const legendY = H + 8;
const legend = strategies
  .map((s, i) => {
    const x = 60 + i * Math.floor((scenarios.length * W - 80) / strategies.length);
    return `<line x1="${x}" x2="${x + 24}" y1="${legendY + 10}" y2="${legendY + 10}" stroke="${palette[i % palette.length]}" stroke-width="3"/><text x="${x + 30}" y="${legendY + 14}" font-size="12">${esc(s)}</text>`;
  })
  .join("\n");
const caption = `MNIST, ${report.config.model}, ${report.config.clients} clients, Dirichlet α = ${report.config.alpha}, mean of ${report.config.seeds} seeds`;
const width = scenarios.length * W;
const height = H + 52;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Liberation Sans, sans-serif">
<rect width="100%" height="100%" fill="white"/>
${panels.join("\n")}
${legend}
<text x="${width / 2}" y="${height - 6}" text-anchor="middle" font-size="11" fill="#555">${esc(caption)}</text>
</svg>`;
const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" }, fitTo: { mode: "zoom", value: 2 } }).render().asPng();
writeFileSync(values.output, png);
writeFileSync(values.output.replace(/\.png$/, ".svg"), svg);
process.stdout.write(`${JSON.stringify({ benchmark: "plot", output: values.output, bytes: png.length, scenarios })}\n`);
