/**
 * `synod mapek`                     state, φ and its factors, node counts, open incidents, exclusions
 * `synod mapek history [--limit N]` φ over the last N ticks as a sparkline, and the state changes among them
 */
import type { MapekStatus, MapekTickSummary } from "../../api/schemas/mapek.ts";
import { getMapekHistory, getMapekStatus } from "../../client/actions/mapek.ts";
import { UsageError } from "../../errors/cli.ts";
import type { CommandContext } from "../command.ts";
import type { Output } from "../output.ts";

/** φ peaks at the golden ratio (every factor at 1); the sparkline uses that fixed scale so charts compare. */
const PHI_MAX = (1 + Math.sqrt(5)) / 2;
const BARS = "▁▂▃▄▅▆▇█";

/** One bar per value, 0 → ▁ and `max` → █. */
export function sparkline(values: readonly number[], max = PHI_MAX): string {
  return values.map((v) => BARS[Math.max(0, Math.min(BARS.length - 1, Math.round((Math.max(0, v) / max) * (BARS.length - 1))))]).join("");
}

const time = (at: number) => new Date(at).toISOString().slice(11, 19);

export async function mapekCommand({ api, out, args, options }: CommandContext): Promise<void> {
  const [sub] = args;
  if (sub === undefined || sub === "status") {
    const view = await getMapekStatus(api);
    out.result(view, () => printView(out, view));
    return;
  }
  if (sub === "history") {
    const limit = options.limit === undefined ? 120 : Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("synod mapek history [--limit N]   (N from 1 to 1000)");
    const { ticks } = await getMapekHistory(api, { limit });
    out.result(ticks, () => printHistory(out, ticks));
    return;
  }
  throw new UsageError("synod mapek [history [--limit N]]");
}

function printView(out: Output, v: MapekStatus): void {
  out.line(`state ${v.state} · φ ${v.phi === null ? "—" : v.phi.toFixed(3)} · epoch ${v.epoch}${v.at ? ` at ${new Date(v.at).toISOString()}` : ""}`);
  if (v.factors) out.line(`factors ${Object.entries(v.factors).map(([name, value]) => `${name} ${value.toFixed(2)}`).join(" · ")}`);
  if (v.nodes) out.line(`nodes ${v.nodes.total} total · ${v.nodes.healthy} healthy · ${v.nodes.stale} stale · ${v.nodes.isolated} isolated`);
  out.line(`API latency ${v.apiLatencyMs === null ? "—" : `${v.apiLatencyMs.toFixed(1)} ms`} · load shedding ${v.shedding ? "on" : "off"}`);
  const conditions = Object.entries(v.conditions);
  if (conditions.length) out.line(`conditions ${conditions.map(([node, condition]) => `${node} ${condition}`).join(", ")}`);
  if (v.lastActions.length) out.line(`last actions ${v.lastActions.map((a) => `${a.action}${a.target ? ` ${a.target}` : ""} (${a.outcome})`).join(", ")}`);
  out.line();
  out.line(`open incidents: ${v.openIncidents.length}`);
  if (v.openIncidents.length)
    out.table(v.openIncidents.map((i) => ({ incident: i.incidentId, node: i.nodeId, condition: i.condition, detected: time(i.detectedAt), actions: i.actions.map((a) => a.action).join(", ") })), ["incident", "node", "condition", "detected", "actions"]);
  const excluded = Object.entries(v.excluded);
  out.line(`excluded from FL: ${excluded.length ? excluded.map(([node, reason]) => `${node} (${reason})`).join(", ") : "none"}`);
  if (v.recentIncidents.length) {
    out.line();
    out.line("recent incidents:");
    out.table(
      v.recentIncidents.slice(0, 10).map((i) => ({ incident: i.incidentId, node: i.nodeId, condition: i.condition, detected: time(i.detectedAt), healed: i.healedAt ? time(i.healedAt) : null, resolution: i.resolution })),
      ["incident", "node", "condition", "detected", "healed", "resolution"],
    );
  }
}

function printHistory(out: Output, ticks: readonly MapekTickSummary[]): void {
  if (ticks.length === 0) return out.line("(no ticks yet)");
  const first = ticks[0]!;
  const last = ticks.at(-1)!;
  // A tick whose φ was not a finite number has none (`null`): a gap in the line, left out of the figures.
  const phis = ticks.flatMap((t) => (t.phi === null ? [] : [t.phi]));
  const fixed = (phi: number | null) => (phi === null ? "—" : phi.toFixed(3));
  out.line(`φ over ${ticks.length} ticks (epoch ${first.epoch} ${time(first.at)} → ${last.epoch} ${time(last.at)}), scale 0–${PHI_MAX.toFixed(3)}:`);
  // Wrapped at 60 ticks a row, so long histories stay readable in a terminal.
  for (let i = 0; i < ticks.length; i += 60) out.line(`  ${ticks.slice(i, i + 60).map((t) => (t.phi === null ? " " : sparkline([t.phi]))).join("")}`);
  const figures = phis.length ? `min ${Math.min(...phis).toFixed(3)} · mean ${(phis.reduce((a, b) => a + b, 0) / phis.length).toFixed(3)} · max ${Math.max(...phis).toFixed(3)}` : "no φ measured";
  out.line(`  ${figures} · now ${fixed(last.phi)} ${last.state}`);
  out.line();
  const changes = ticks.flatMap((t, i) => (i > 0 && t.state !== ticks[i - 1]!.state ? [{ epoch: t.epoch, at: time(t.at), change: `${ticks[i - 1]!.state} → ${t.state}`, phi: fixed(t.phi), conditions: t.conditions, actions: t.actions }] : []));
  out.line(changes.length ? "state changes:" : `state changes: none (${first.state} throughout)`);
  if (changes.length) out.table(changes, ["epoch", "at", "change", "phi", "conditions", "actions"]);
}
