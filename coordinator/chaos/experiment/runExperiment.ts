/**
 * Runs a chaos experiment against the running system and writes its journal (after
 * Chaos Toolkit's run: steady state before → method → rollbacks → steady state
 * after), sampling the probes while the method runs, measuring MTTD/MTTR from MAPE-K's
 * incidents, scoring resilience the Litmus way, and handing the ChaosReport and
 * Incident records to the knowledge outbox.
 */
import { setTimeout as sleep } from "node:timers/promises";
import "../events.ts";
import type { EventBus } from "../../events.ts";
import type { RoundRecord } from "../../fl/roundRunner.ts";
import type { Logger } from "../../logger.ts";
import type { MapekLoop } from "../../mapek/mapekLoop.ts";
import type { KnowledgeRepository } from "../../store/knowledgeRepository.ts";
import type { ChaosEngine } from "../chaosEngine.ts";
import type { ChaosSystem } from "../system.ts";
import { buildChaosRecords, submitChaosRecords } from "./buildChaosRecords.ts";
import type { ExperimentJournal, JournalEvent } from "./experimentJournal.ts";
import type { Experiment, MethodStep, Probe } from "./experimentSchema.ts";
import { loadExperiment } from "./loadExperiment.ts";
import { runProbe, type ProbeResult } from "./probes.ts";

/** What a run needs from the coordinator. */
export type ExperimentDeps = {
  engine: ChaosEngine;
  system: ChaosSystem;
  /** FL rounds so far (probes read completion and accuracy). */
  rounds: () => readonly RoundRecord[];
  /** The MAPE-K loop (state probes, incidents for MTTD/MTTR and healing actions). */
  mapek?: MapekLoop;
  /** Where ChaosReport and Incident records are queued; without it none are submitted. */
  outbox?: KnowledgeRepository;
  events?: EventBus;
  logger?: Logger;
};

/** A live progress line (for `synod chaos run` and the API's event stream). */
export type ExperimentProgress = { at: number; phase: "started" | "steady-state-before" | "fault-applied" | "fault-recovered" | "pause" | "probe-sample" | "abort" | "rollback" | "recovery-wait" | "steady-state-after" | "records" | "finished"; detail: string };

/** Options of {@link runExperiment}. */
export type RunExperimentOptions = {
  onProgress?: (progress: ExperimentProgress) => void;
  /** Multiplies every fault duration and pause (0.05 turns 60 s into 3 s); default 1. */
  timeScale?: number;
  /** Interrupts the run (rollbacks still happen). */
  signal?: AbortSignal;
  /** The run's id where the coordinator keeps runs; carried by its events. */
  runId?: number;
};

// Where callers have always found the journal's types; they live in experimentJournal.ts.
export type { ExperimentJournal, JournalEvent } from "./experimentJournal.ts";

/** Returned by {@link runExperiment}. */
export type RunExperimentReturnType = { journal: ExperimentJournal };

const mean = (values: number[]): number | null => (values.length ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : null);

/**
 * Computes the Litmus resilience score: each probe's success percentage over its
 * samples, weighted by the probe's weight.
 */
export function resilienceScore(probes: readonly Probe[], samples: readonly ProbeResult[]): number {
  let weighted = 0;
  let weights = 0;
  for (const probe of probes) {
    const mine = samples.filter((s) => s.probe === probe.name);
    if (mine.length === 0) continue;
    weighted += probe.weight * (mine.filter((s) => s.ok).length / mine.length) * 100;
    weights += probe.weight;
  }
  return weights ? Math.round((weighted / weights) * 10) / 10 : 0;
}

/**
 * Runs an experiment.
 *
 * @param file - a YAML file path, or an experiment already loaded.
 * @param deps - engine, system, FL history, MAPE-K loop, outbox, bus.
 * @param options.onProgress - live progress.
 * @param options.timeScale - shortens faults and pauses (tests).
 * @param options.signal - interrupts the run.
 * @returns the journal (status, deviated, steady states, MTTD, MTTR, score, record CIDs).
 *
 * @example
 * import { runExperiment } from "./runExperiment.ts";
 * const { journal } = await runExperiment("experiments/node-failure.yaml", { engine, system: mesh, rounds: () => mesh.rounds(), mapek, outbox, events },
 *   { onProgress: (p) => console.log(p.phase, p.detail) });
 * console.log(journal.status, journal.mttdMs, journal.mttrMs, journal.resilienceScore, journal.records?.chaosReportCid);
 */
export async function runExperiment(file: string | Experiment, deps: ExperimentDeps, options: RunExperimentOptions = {}): Promise<RunExperimentReturnType> {
  const experiment = typeof file === "string" ? await loadExperiment(file) : file;
  const scale = options.timeScale ?? 1;
  const logger = deps.logger?.child({ component: "chaos-experiment", experiment: experiment.name });
  const probes = experiment["steady-state-hypothesis"].probes;
  const events: JournalEvent[] = [];
  const faultIds: string[] = [];
  const startedAt = Date.now();
  const progress = (phase: ExperimentProgress["phase"], detail: string): void => {
    const at = Date.now();
    events.push({ at, type: phase, detail });
    options.onProgress?.({ at, phase, detail });
    deps.events?.publish("chaos.experiment.progress", { experiment: experiment.name, phase, detail, ...(options.runId !== undefined ? { runId: options.runId } : {}) });
  };
  logger?.info({ title: experiment.title, timeScale: scale, method: experiment.method, probes }, "chaos experiment starting");
  progress("started", `${experiment.title} (time scale ${scale})`);

  const probeDeps = { system: deps.system, rounds: deps.rounds, mapek: deps.mapek };
  const runProbes = async (): Promise<ProbeResult[]> => {
    const out: ProbeResult[] = [];
    for (const probe of probes) out.push(await runProbe(probe, probeDeps, scale));
    return out;
  };

  const journal: ExperimentJournal = {
    experiment: { name: experiment.name, title: experiment.title, file: typeof file === "string" ? file : null, timeScale: scale },
    status: "completed",
    deviated: false,
    startedAt,
    endedAt: startedAt,
    steadyStates: { before: [], during: [], after: [] },
    faults: [],
    events,
    mttdMs: null,
    mttrMs: null,
    resilienceScore: 0,
    statistics: {},
    abortReason: null,
    records: null,
  };

  journal.steadyStates.before = await runProbes();
  const failedBefore = journal.steadyStates.before.filter((p) => !p.ok);
  progress("steady-state-before", failedBefore.length ? `not steady: ${failedBefore.map((p) => `${p.probe}=${p.value}`).join(", ")}` : "steady");

  if (failedBefore.length === 0) {
    // --- method, with probes sampled alongside and abort conditions watched ---
    const stop = new AbortController();
    const abort = (reason: string): void => {
      if (stop.signal.aborted) return;
      journal.abortReason = reason;
      stop.abort(new Error(reason));
    };
    options.signal?.addEventListener("abort", () => abort("interrupted"), { once: true });
    const deadline = experiment.abort.deadlineMs ? setTimeout(() => abort(`deadline of ${experiment.abort.deadlineMs} ms passed`), experiment.abort.deadlineMs * scale) : undefined;
    const consecutive = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      const interval = Math.max(250, experiment["steady-state-hypothesis"].duringIntervalMs * scale);
      while (sampling && !stop.signal.aborted) {
        await sleep(interval, undefined, { signal: stop.signal }).catch(() => undefined);
        if (!sampling || stop.signal.aborted) break;
        const sample = await runProbes();
        journal.steadyStates.during.push(sample);
        const failed = sample.filter((p) => !p.ok);
        progress("probe-sample", failed.length ? `failing: ${failed.map((p) => `${p.probe}=${p.value}`).join(", ")}` : "all probes within tolerance");
        for (const result of sample) consecutive.set(result.probe, result.ok ? 0 : (consecutive.get(result.probe) ?? 0) + 1);
        for (const rule of experiment.abort.probeFailures) {
          if ((consecutive.get(rule.probe) ?? 0) >= rule.consecutive) abort(`probe ${rule.probe} failed ${rule.consecutive} times in a row`);
        }
      }
    })();
    const background: Promise<void>[] = [];
    const runStep = async (step: MethodStep, index: string): Promise<void> => {
      if (stop.signal.aborted) return;
      if (step.type === "pause") {
        progress("pause", `${step.name ?? "pause"} ${Math.round(step.durationMs * scale)} ms`);
        await sleep(step.durationMs * scale, undefined, { signal: stop.signal }).catch(() => undefined);
        return;
      }
      if (step.type === "parallel") {
        await Promise.all(step.steps.map((s, i) => runStep(s, `${index}.${i}`)));
        return;
      }
      const spec = scaleSpec(step.spec, scale);
      const status = await deps.engine.inject(step.kind, spec, { seed: experiment.seed * 1000 + faultIds.length });
      faultIds.push(status.faultId);
      progress("fault-applied", `${step.name}: ${step.kind} on ${status.targets.join(", ")}${status.affected.join() !== status.targets.join() ? ` (affects ${status.affected.join(", ")})` : ""} for ${spec.durationMs} ms`);
      const hold = async (): Promise<void> => {
        await sleep(Number(spec.durationMs), undefined, { signal: stop.signal }).catch(() => undefined);
        const recovered = await deps.engine.recover(status.faultId);
        progress("fault-recovered", `${step.name}: ${step.kind} recovered (${recovered.phase})`);
      };
      if (step.background) background.push(hold());
      else await hold();
    };
    try {
      for (const [i, step] of experiment.method.entries()) await runStep(step, String(i));
      await Promise.all(background);
    } catch (error) {
      journal.status = "failed";
      journal.abortReason = error instanceof Error ? (error.message.split("\n")[0] ?? "error") : String(error);
      logger?.error({ err: error }, "chaos experiment method failed");
    } finally {
      sampling = false;
      if (deadline) clearTimeout(deadline);
      if (!stop.signal.aborted) stop.abort(new Error("method finished"));
      await sampler;
    }
    if (journal.abortReason && journal.status !== "failed") {
      journal.status = journal.abortReason === "interrupted" ? "interrupted" : "aborted";
      progress("abort", journal.abortReason);
    }
  } else {
    journal.status = "failed";
  }

  // --- rollbacks: always ---
  const mine = new Set(faultIds);
  for (const faultId of faultIds) {
    const status = deps.engine.status(faultId);
    if (status?.phase === "injected") {
      try {
        await deps.engine.recover(faultId);
        progress("rollback", `recovered ${faultId}`);
      } catch (error) {
        progress("rollback", `could not recover ${faultId}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
      }
    }
  }

  // --- give MAPE-K time to close the incidents this run opened, then check again ---
  if (faultIds.length && deps.mapek) {
    progress("recovery-wait", `waiting up to ${experiment.recovery.maxWaitMs} ms for MAPE-K to heal`);
    const until = Date.now() + experiment.recovery.maxWaitMs;
    const affected = () => new Set(faultIds.flatMap((id) => deps.engine.status(id)?.affected ?? []));
    while (Date.now() < until) {
      const open = deps.mapek.openIncidents().filter((i) => affected().has(i.nodeId));
      const excluded = [...deps.mapek.exclusions()].filter(([node, why]) => why === "route" && affected().has(node));
      if (open.length === 0 && excluded.length === 0) break;
      await sleep(250);
    }
    // The after-probes read the loop's latest analysis: wait for one made after the healing.
    const epoch = deps.mapek.lastTick?.epoch ?? 0;
    const tickDeadline = Date.now() + 5000;
    while ((deps.mapek.lastTick?.epoch ?? 0) <= epoch + 1 && Date.now() < tickDeadline) await sleep(50);
  }
  if (journal.status !== "failed" || failedBefore.length === 0) {
    journal.steadyStates.after = await runProbes();
    const failedAfter = journal.steadyStates.after.filter((p) => !p.ok);
    journal.deviated = failedAfter.length > 0;
    progress("steady-state-after", failedAfter.length ? `deviated: ${failedAfter.map((p) => `${p.probe}=${p.value}`).join(", ")}` : "steady");
  }

  // --- measurements ---
  journal.faults = deps.engine.statuses().filter((s) => mine.has(s.faultId));
  const detect: number[] = [];
  const heal: number[] = [];
  for (const fault of journal.faults) {
    for (const [node, d] of Object.entries(fault.detection)) {
      if (fault.injectedAt === null) continue;
      if (d.detectedAt !== null) {
        detect.push(d.detectedAt - fault.injectedAt);
        events.push({ at: d.detectedAt, type: "incident-detected", node, detail: `${fault.kind} detected after ${d.detectedAt - fault.injectedAt} ms` });
      }
      if (d.healedAt !== null) {
        heal.push(d.healedAt - fault.injectedAt);
        events.push({ at: d.healedAt, type: "incident-healed", node, detail: `${fault.kind} healed after ${d.healedAt - fault.injectedAt} ms` });
      }
    }
  }
  journal.mttdMs = mean(detect);
  journal.mttrMs = mean(heal);
  journal.resilienceScore = resilienceScore(probes, [...journal.steadyStates.during.flat(), ...journal.steadyStates.after]);
  const stats = deps.engine.statistics();
  for (const kind of new Set(journal.faults.map((f) => f.kind))) journal.statistics[kind] = stats[kind];
  journal.endedAt = Date.now();
  events.sort((a, b) => a.at - b.at);

  // --- knowledge ---
  if (journal.faults.some((f) => f.injectedAt !== null && f.affected.length > 0)) {
    const records = buildChaosRecords({ experiment, journal, mapek: deps.mapek, round: deps.rounds().at(-1)?.round ?? 0 });
    if (deps.outbox) {
      journal.records = await submitChaosRecords(deps.outbox, records);
      progress("records", `ChaosReport ${journal.records.chaosReportCid}, ${journal.records.incidentCids.length} incident(s)`);
    }
  }
  progress("finished", `${journal.status}${journal.deviated ? " (deviated)" : ""}; MTTD ${journal.mttdMs ?? "–"} ms, MTTR ${journal.mttrMs ?? "–"} ms, resilience ${journal.resilienceScore}`);
  deps.events?.publish("chaos.experiment.finished", {
    experiment: experiment.name,
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
    status: journal.status,
    deviated: journal.deviated,
    resilienceScore: journal.resilienceScore,
    mttdMs: journal.mttdMs,
    mttrMs: journal.mttrMs,
    ...(journal.records ? { reportCid: journal.records.chaosReportCid } : {}),
  });
  logger?.info({ status: journal.status, deviated: journal.deviated, mttdMs: journal.mttdMs, mttrMs: journal.mttrMs, resilienceScore: journal.resilienceScore }, "chaos experiment finished");
  return { journal };
}

/** Scales the durations of a fault spec. */
function scaleSpec(spec: Record<string, unknown>, scale: number): Record<string, unknown> & { durationMs: number } {
  const out: Record<string, unknown> = { ...spec };
  for (const key of ["durationMs", "gracePeriodMs"]) {
    // A positive duration stays positive: kinds reject 0 where a length is needed.
    if (typeof out[key] === "number" && (out[key] as number) > 0) out[key] = Math.max(1, Math.round((out[key] as number) * scale));
  }
  return out as Record<string, unknown> & { durationMs: number };
}
