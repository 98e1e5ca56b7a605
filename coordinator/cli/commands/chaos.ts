/**
 * `synod chaos ls`   the experiment files; for scheduled ones, the interval or cron line, next run and last scheduled run
 * `synod chaos run FILE|NAME [--time-scale X]`   live progress, then the journal's summary; exit 0 only when completed and not deviated
 * `synod chaos status`
 * `synod chaos runs [--limit N]`
 * `synod chaos show ID`
 * `synod chaos abort ID`
 *
 * `run` sends a file's YAML (validated here first, so problems show with their paths
 * before anything reaches the coordinator) or a name the coordinator knows. It follows
 * `GET /api/events` (opened before the run is started, so no event is missed) and also
 * polls the run every 2 s, because a stream can drop events. Ctrl-C asks the coordinator
 * to abort the run (its faults are rolled back) and still prints the summary.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { CHAOS_TIME_SCALE, type ChaosRun, type ChaosSchedule, type ChaosStatus, type ExperimentListing, type ProbeResult } from "../../api/schemas/chaos.ts";
import { parseExperiment } from "../../chaos/experiment/loadExperiment.ts";
import "../../chaos/events.ts";
import { BaseError } from "../../errors/base.ts";
import { UnknownExperimentError } from "../../errors/chaos.ts";
import type { SynodEvent, SynodEvents } from "../../events.ts";
import { abortChaosRun, getChaosRun, getChaosStatus, listChaosExperiments, listChaosRuns, listChaosSchedules, startChaosRun } from "../../client/actions/chaos.ts";
import { subscribeServerSentEvents } from "../../client/serverSentEvents.ts";
import { UsageError } from "../../errors/cli.ts";
import { ApiRequestError } from "../../errors/client.ts";
import type { CommandContext } from "../command.ts";
import type { Output } from "../output.ts";

const USAGE = "synod chaos ls | run FILE|NAME [--time-scale X] | status | runs [--limit N] | show ID | abort ID";
/** The run is polled this often besides the event stream. */
const POLL_MS = 2_000;
/** Event types `run` follows (prefixes, see `GET /api/events?types=`). */
const FOLLOWED_EVENTS = ["chaos", "mesh.incident", "mapek.state.changed"];

/** Another run holds the coordinator's one experiment slot. */
export class ChaosRunRefusedError extends BaseError {
  constructor({ message, running }: { message: string; running: ChaosRun | null }) {
    super(running ? `Refused: chaos run #${running.runId} (${running.experiment}) is still running.` : `Refused: ${message}`, {
      name: "ChaosRunRefusedError",
      metaMessages: [`One experiment runs at a time: wait for it (\`synod chaos status\`) or abort it (\`synod chaos abort ${running?.runId ?? "ID"}\`).`],
    });
  }
}

/** A path-looking argument to `chaos run` names no file. */
export class ExperimentFileNotFoundError extends BaseError {
  constructor({ file }: { file: string }) {
    super(`No experiment file ${file}.`, { name: "ExperimentFileNotFoundError", metaMessages: ["Give an existing YAML file or the name of an experiment `synod chaos ls` lists."] });
  }
}

export async function chaosCommand(context: CommandContext): Promise<number | void> {
  const { api, out } = context;
  const [sub, ...rest] = context.args;
  switch (sub) {
    case "ls": {
      const { experiments } = await listChaosExperiments(api);
      // A coordinator from before schedules ran has no such route: its schedules never fire.
      const { schedules } = await listChaosSchedules(api).catch((failure: unknown) => {
        if (failure instanceof ApiRequestError && failure.status === 404) return { schedules: [] as ChaosSchedule[] };
        throw failure;
      });
      const listed = experiments.map((e) => (e.valid ? { ...e, scheduled: schedules.find((s) => s.experiment === e.name) ?? null } : e));
      out.result(listed, () => printExperiments(out, listed));
      return;
    }
    case "run":
      return runExperimentCommand(context, rest);
    case "status": {
      const status = await getChaosStatus(api);
      out.result(status, () => printStatus(out, status));
      return;
    }
    case "runs": {
      const { values } = parseOwn(() => parseArgs({ args: rest, options: { limit: { type: "string" } } }), "synod chaos runs [--limit N]");
      const limit = values.limit === undefined ? undefined : wholeNumber("--limit", values.limit);
      const { runs } = await listChaosRuns(api, { limit });
      out.result(runs, () =>
        out.table(
          runs.map((r) => ({ run: `#${r.runId}`, experiment: r.experiment, status: r.status, started: new Date(r.startedAt).toISOString(), took: r.endedAt ? seconds(r.endedAt - r.startedAt) : "…", scale: r.timeScale, report: r.reportCid })),
          ["run", "experiment", "status", "started", "took", "scale", "report"],
        ),
      );
      return;
    }
    case "show": {
      const run = await getChaosRun(api, { runId: runIdArgument(rest, "show") });
      out.result(run, () => printSummary(out, run));
      return run.status === "running" || (run.status === "completed" && !run.journal?.deviated) ? 0 : 1;
    }
    case "abort": {
      const run = await abortChaosRun(api, { runId: runIdArgument(rest, "abort") });
      out.result(run, () => printSummary(out, run));
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
}

/** Runs `parse` (node:util parseArgs), turning its complaints into a usage message. */
function parseOwn<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (cause) {
    throw new UsageError(`${usage}\n${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

function wholeNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${USAGE}\n${name}: a whole number ≥ 1, got ${JSON.stringify(value)}`);
  return n;
}

function runIdArgument(args: string[], sub: string): number {
  const id = args[0]?.replace(/^#/, "");
  if (!id || !/^\d+$/.test(id) || Number(id) < 1) throw new UsageError(`synod chaos ${sub} ID`);
  return Number(id);
}

// --- run ---------------------------------------------------------------------------

type RunSource = { name: string } | { yaml: string; file: string };

/** A file when `target` is one; else a name, unless it clearly meant a file. */
async function resolveSource(target: string): Promise<RunSource> {
  const isFile = await stat(target).then((s) => s.isFile(), () => false);
  if (isFile) {
    const file = path.resolve(target);
    const yaml = await readFile(file, "utf8");
    // Throws InvalidExperimentError listing every problem (with lines and paths): nothing is sent.
    parseExperiment(yaml, target);
    return { yaml, file };
  }
  if (/\.ya?ml$/i.test(target) || target.includes("/") || target.includes(path.sep)) throw new ExperimentFileNotFoundError({ file: target });
  return { name: target };
}

async function runExperimentCommand({ api, out, onInterrupt = () => () => {}, error = (text) => process.stderr.write(text) }: CommandContext, args: string[]): Promise<number> {
  const { values, positionals } = parseOwn(() => parseArgs({ args, options: { "time-scale": { type: "string" } }, allowPositionals: true }), "synod chaos run FILE|NAME [--time-scale X]");
  const [target] = positionals;
  if (!target || positionals.length > 1) throw new UsageError("synod chaos run FILE|NAME [--time-scale X]   (X from 0.001 to 1)");
  let timeScale: number | undefined;
  if (values["time-scale"] !== undefined) {
    timeScale = Number(values["time-scale"]);
    if (!Number.isFinite(timeScale) || timeScale < CHAOS_TIME_SCALE.min || timeScale > CHAOS_TIME_SCALE.max) throw new UsageError(`synod chaos run FILE|NAME [--time-scale X]\n--time-scale: from 0.001 to 1, got ${JSON.stringify(values["time-scale"])}`);
  }
  const source = await resolveSource(target);

  // Live lines go to stdout for people; with --json only the final run is printed.
  const live = out.json ? () => {} : (text: string) => out.line(text);
  const t0 = Date.now();
  let nominalMs = 0;
  const stamp = () => {
    const elapsed = Date.now() - t0;
    const share = nominalMs > 0 ? ` ${String(Math.min(999, Math.round((elapsed / nominalMs) * 100))).padStart(3)}%` : "";
    return `[${seconds(elapsed).padStart(7)}${share}]`;
  };

  let runId: number | undefined;
  let finished = false;
  let wake: () => void = () => {};
  const pending: SynodEvent[] = [];
  let lastSample = "";
  const incidents = new Map<string, { line: string; nodes: string[]; ids: string[] }>();
  let incidentTimer: NodeJS.Timeout | undefined;
  const flushIncidents = () => {
    clearTimeout(incidentTimer);
    for (const { line, nodes, ids } of incidents.values()) live(`${line} ${nodes.join(", ")} [${ids.length === 1 ? ids[0] : `${ids[0]} +${ids.length - 1}`}]`);
    incidents.clear();
  };
  const show = (event: SynodEvent): void => {
    if (event.type !== "mesh.incident") flushIncidents();
    if (event.type === "chaos.experiment.progress") {
      const data = event.data as SynodEvents["chaos.experiment.progress"];
      if (data.runId !== runId) return;
      // Probe samples come every few hundred ms: show them when what they say changes.
      if (data.phase === "probe-sample") {
        if (data.detail === lastSample) return;
        lastSample = data.detail;
      }
      live(`${stamp()} ${data.phase.padEnd(19)} ${data.detail}`);
    } else if (event.type === "chaos.experiment.finished") {
      const data = event.data as SynodEvents["chaos.experiment.finished"];
      if (data.runId !== runId) return;
      finished = true;
      wake();
    } else if (finished) {
      return;
    } else if (event.type === "chaos.fault.injected") {
      const data = event.data as SynodEvents["chaos.fault.injected"];
      live(`${stamp()} ${"fault injected".padEnd(19)} ${data.kind} on ${data.targets.join(", ") || "—"} (affects ${data.affected.join(", ") || "—"}) for ${data.durationMs} ms [${data.faultId}]`);
    } else if (event.type === "chaos.fault.recovered") {
      const data = event.data as SynodEvents["chaos.fault.recovered"];
      live(`${stamp()} ${"fault recovered".padEnd(19)} ${data.kind} after ${data.activeMs} ms (${data.affected.join(", ") || "—"}) [${data.faultId}]`);
    } else if (event.type === "mesh.incident") {
      const data = event.data as { incidentId: string; phase: string; fault: string; nodes: string[] };
      // A host crash opens one incident per co-hosted node in the same tick: one line for them all.
      const key = `${data.phase}|${data.fault}`;
      const group = incidents.get(key) ?? { line: `${stamp()} ${`incident ${data.phase}`.padEnd(19)} ${data.fault} on`, nodes: [] as string[], ids: [] as string[] };
      group.nodes.push(...data.nodes);
      group.ids.push(data.incidentId);
      incidents.set(key, group);
      clearTimeout(incidentTimer);
      incidentTimer = setTimeout(flushIncidents, 50);
    } else if (event.type === "mapek.state.changed") {
      const data = event.data as { from: string; to: string; phi: number };
      live(`${stamp()} ${"MAPE-K state".padEnd(19)} ${data.from} → ${data.to} (φ ${data.phi.toFixed(3)})`);
    }
  };

  const stream = subscribeServerSentEvents({ apiUrl: api.baseUrl, types: FOLLOWED_EVENTS, retryMs: 1_000 });
  stream.subscribe((event) => {
    if (runId === undefined) pending.push(event);
    else show(event);
  });
  const connection = await stream.connected;
  if (!connection.ok) error(`synod: live events unavailable (${connection.reason}); polling the run every ${POLL_MS / 1000} s\n`);

  let run: ChaosRun;
  try {
    try {
      run = await startChaosRun(api, { ...source, ...(timeScale === undefined ? {} : { timeScale }) });
    } catch (failure) {
      if (failure instanceof ApiRequestError && failure.status === 409) {
        const running = await getChaosStatus(api).then((s) => s.running, () => null);
        throw new ChaosRunRefusedError({ message: failure.shortMessage, running });
      }
      if (failure instanceof ApiRequestError && failure.status === 404 && "name" in source) {
        const { experiments } = await listChaosExperiments(api).catch(() => ({ experiments: [] as ExperimentListing[] }));
        const known = experiments.flatMap((e) => (e.valid ? [e.name] : []));
        throw new UnknownExperimentError({ name: source.name, known });
      }
      throw failure;
    }
    runId = run.runId;
    nominalMs = run.nominalDurationMs;
    live(`chaos run #${run.runId} ${run.experiment}: ${run.title}`);
    live(`time scale ${run.timeScale}, nominal duration ${seconds(run.nominalDurationMs)}; Ctrl-C aborts the run`);
    for (const event of pending.splice(0)) show(event);

    let interrupted = false;
    let aborting: Promise<unknown> | undefined;
    const stopListening = onInterrupt(() => {
      if (interrupted) return;
      interrupted = true;
      live(`${stamp()} ${"interrupt".padEnd(19)} asking the coordinator to abort run #${runId} (faults are rolled back)`);
      aborting = abortChaosRun(api, { runId: run.runId }).catch((failure: unknown) => error(`synod: abort failed: ${failure instanceof Error ? failure.message : String(failure)}\n`));
      wake();
    });
    try {
      // The finished event is published just before the run is stored: poll until the store says so too.
      while (run.status === "running") {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, finished || interrupted ? 100 : POLL_MS);
        });
        wake = () => {};
        if (aborting) await aborting;
        run = await getChaosRun(api, { runId: run.runId });
        if (!connection.ok && run.progress && run.progress.detail !== lastSample) {
          lastSample = run.progress.detail;
          live(`${stamp()} ${run.progress.phase.padEnd(19)} ${run.progress.detail}`);
        }
      }
    } finally {
      stopListening();
    }
  } finally {
    stream.close();
    flushIncidents();
  }
  if (!out.json) out.line();
  out.result(run, () => printSummary(out, run));
  return run.status === "completed" && !run.journal?.deviated ? 0 : 1;
}

// --- printing ----------------------------------------------------------------------

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const ms = (value: number | null | undefined) => (value === null || value === undefined ? "—" : `${value} ms`);

/** `every 5 min (keep 10)` or `cron 0 * * * * (keep 10)`: the interval or cron line, and the history limit. */
function scheduleCell(e: Extract<ExperimentListing, { valid: true }>): string | null {
  // Coordinators from before cron schedules list only the interval.
  if (!e.schedule) return e.scheduleEveryMs ? `every ${seconds(e.scheduleEveryMs)}` : null;
  return `${e.schedule.cron !== undefined ? `cron ${e.schedule.cron}` : `every ${seconds(e.schedule.everyMs ?? 0)}`} (keep ${e.schedule.historyLimit})`;
}

/** The last scheduled run's verdict, and how many firings were skipped. */
function lastScheduledCell(scheduled: ChaosSchedule | null): string | null {
  if (!scheduled) return null;
  const last = scheduled.lastRun ? `#${scheduled.lastRun.runId} ${scheduled.lastRun.verdict}` : "none yet";
  return scheduled.skipped ? `${last}, ${scheduled.skipped} skipped` : last;
}

function printExperiments(out: Output, experiments: ReadonlyArray<ExperimentListing & { scheduled?: ChaosSchedule | null }>): void {
  out.table(
    experiments.map((e) =>
      e.valid
        ? {
            name: e.name,
            faults: e.faults.join(", "),
            duration: seconds(e.nominalDurationMs),
            schedule: scheduleCell(e),
            "next run": e.scheduled?.nextRunAt ? `${new Date(e.scheduled.nextRunAt).toISOString()} (in ${seconds(Math.max(0, e.scheduled.nextRunAt - Date.now()))})` : null,
            "last scheduled": lastScheduledCell(e.scheduled ?? null),
            title: e.title,
          }
        : { name: path.basename(e.file), faults: "INVALID", duration: null, schedule: null, "next run": null, "last scheduled": null, title: `${e.issues.length} problem${e.issues.length === 1 ? "" : "s"}` },
    ),
    ["name", "faults", "duration", "schedule", "next run", "last scheduled", "title"],
  );
  for (const e of experiments) {
    if (e.valid) continue;
    out.line();
    out.line(`${e.file} is not a valid experiment:`);
    for (const issue of e.issues) out.line(`  - ${issue.path || "(experiment)"}: ${issue.message}`);
  }
}

function printStatus(out: Output, status: ChaosStatus): void {
  const r = status.running;
  if (r) {
    const elapsed = Date.now() - r.startedAt;
    out.line(`running: #${r.runId} ${r.experiment} — ${seconds(elapsed)} of nominal ${seconds(r.nominalDurationMs)} (time scale ${r.timeScale})`);
    if (r.progress) out.line(`  now: ${r.progress.phase} — ${r.progress.detail}`);
  } else out.line("running: none");
  const l = status.last;
  if (l) out.line(`last: #${l.runId} ${l.experiment} ${l.status}${l.journal?.deviated ? " (deviated)" : ""} · MTTD ${ms(l.journal?.mttdMs)} · MTTR ${ms(l.journal?.mttrMs)} · resilience ${l.journal?.resilienceScore ?? "—"} · report ${l.reportCid ?? "—"}`);
  out.line();
  out.line("active faults:");
  out.table(status.activeFaults.map((f) => ({ fault: f.faultId, kind: f.kind, phase: f.phase, affected: f.affected.join(", "), since: f.injectedAt ? seconds(Date.now() - f.injectedAt) : null })), ["fault", "kind", "phase", "affected", "since"]);
  out.line();
  out.line("per fault kind:");
  out.table(
    Object.entries(status.statistics).flatMap(([kind, s]) => (s && s.injected > 0 ? [{ kind, injected: s.injected, recovered: s.recovered, failed: s.failed, detected: s.detected, healed: s.healed, mttd: ms(s.mttdMs), mttr: ms(s.mttrMs) }] : [])),
    ["kind", "injected", "recovered", "failed", "detected", "healed", "mttd", "mttr"],
  );
}

const probeCell = (result: ProbeResult | undefined) => (result ? `${result.ok ? "✓" : "✗"} ${typeof result.value === "number" ? Math.round(result.value * 1000) / 1000 : String(result.value)}` : "—");

/** The run's summary: status, steady state before/after per probe, MTTD, MTTR, score, record CIDs. */
export function printSummary(out: Output, run: ChaosRun): void {
  const j = run.journal;
  const verdict = !j
    ? ""
    : j.deviated
      ? ", DEVIATED from the steady state"
      : j.steadyStates.before.some((p) => !p.ok)
        ? ", the steady state did not hold before the method: nothing was injected"
        : run.status === "completed" || run.status === "interrupted" || run.status === "aborted"
          ? ", steady state held"
          : "";
  out.line(`chaos run #${run.runId} ${run.experiment}: ${run.status}${verdict}`);
  out.line(`  ${run.title}`);
  out.line(`  took ${run.endedAt ? seconds(run.endedAt - run.startedAt) : `${seconds(Date.now() - run.startedAt)} so far`} (nominal ${seconds(run.nominalDurationMs)} at time scale ${run.timeScale})${run.file ? ` · ${run.file}` : ""}`);
  if (run.status === "running" && run.progress) out.line(`  now: ${run.progress.phase} — ${run.progress.detail}`);
  if (!j) {
    if (run.status !== "running") out.line("  no journal (the run failed before it wrote one; see the coordinator's log)");
    return;
  }
  if (j.abortReason) out.line(`  abort reason: ${j.abortReason}`);
  out.line();
  const names = [...new Set([...j.steadyStates.before, ...j.steadyStates.after].map((p) => p.probe))];
  out.table(
    names.map((probe) => {
      const before = j.steadyStates.before.find((p) => p.probe === probe);
      const after = j.steadyStates.after.find((p) => p.probe === probe);
      return { probe, tolerance: (before ?? after)?.tolerance, before: probeCell(before), after: probeCell(after) };
    }),
    ["probe", "before", "after", "tolerance"],
  );
  out.line();
  for (const f of j.faults) out.line(`fault ${f.faultId}: ${f.kind} on ${f.targets.join(", ") || "—"} (affected ${f.affected.join(", ") || "—"}) ${f.phase}${f.message ? ` — ${f.message}` : ""}`);
  out.line(`MTTD ${ms(j.mttdMs)} · MTTR ${ms(j.mttrMs)} · resilience score ${j.resilienceScore}/100`);
  if (j.records) {
    out.line(`ChaosReport ${j.records.chaosReportCid}`);
    out.line(`incidents (${j.records.incidentCids.length})${j.records.incidentCids.length ? ":" : ""}`);
    for (const cid of j.records.incidentCids) out.line(`  ${cid}`);
  } else out.line("ChaosReport — (no fault took effect, nothing was recorded)");
}
