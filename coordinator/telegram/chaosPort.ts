/**
 * The chaos engine as the bot sees it: the experiments it can run (the YAML files in
 * `experiments/`), starting one by name, and what is going on. {@link chaosPortFromEngine}
 * adapts the real engine and `runExperiment`; the coordinator passes it to the bot
 * where it runs the chaos engine (`createTelegramService({ chaos })`).
 */
import path from "node:path";
import type { ChaosEngine } from "../chaos/chaosEngine.ts";
import { listExperiments, type ExperimentListing } from "../chaos/experiment/listExperiments.ts";
import { runExperiment, type ExperimentDeps, type ExperimentJournal } from "../chaos/experiment/runExperiment.ts";
import { BaseError } from "../errors/base.ts";
import type { Logger } from "../logger.ts";

/** A valid experiment file as listed. */
export type ExperimentEntry = Extract<ExperimentListing, { valid: true }>;

/** An experiment is already running: one at a time. */
export class ExperimentRunningError extends BaseError {
  constructor({ experiment }: { experiment: string }) {
    super(`Chaos experiment "${experiment}" is still running.`, { name: "ExperimentRunningError" });
  }
}

/** No valid experiment file has this name. */
export class UnknownExperimentError extends BaseError {
  readonly known: string[];
  constructor({ name, known }: { name: string; known: string[] }) {
    super(`No chaos experiment is named "${name}".`, { name: "UnknownExperimentError", metaMessages: [`Known: ${known.join(", ") || "(none)"}.`] });
    this.known = known;
  }
}

export type ChaosStatusView = {
  running: { experiment: string; title: string; startedAt: number; phase: string; detail: string } | null;
  last: { experiment: string; status: ExperimentJournal["status"]; deviated: boolean; resilienceScore: number; mttdMs: number | null; mttrMs: number | null; reportCid: string | null; endedAt: number } | null;
  activeFaults: Array<{ faultId: string; kind: string; affected: string[] }>;
  /** Fault kinds that were ever injected, with counts and MTTD/MTTR. */
  statistics: Record<string, { injected: number; active: number; recovered: number; failed: number; mttdMs: number | null; mttrMs: number | null }>;
};

export type ChaosPort = {
  experiments(): Promise<ExperimentListing[]>;
  /**
   * Starts an experiment by name (or file name without extension); resolves once it is under way.
   * @throws {UnknownExperimentError} @throws {ExperimentRunningError}
   */
  run(name: string): Promise<{ experiment: string; title: string; nominalDurationMs: number }>;
  status(): Promise<ChaosStatusView>;
};

/** Finds a valid experiment by its `name` or its file name without extension. */
export function findExperiment(listings: readonly ExperimentListing[], name: string): ExperimentEntry | undefined {
  const wanted = name.trim().toLowerCase();
  return listings.filter((e): e is ExperimentEntry => e.valid).find((e) => e.name.toLowerCase() === wanted || path.basename(e.file).replace(/\.ya?ml$/, "").toLowerCase() === wanted);
}

export type ChaosPortFromEngineParameters = {
  engine: ChaosEngine;
  /** What `runExperiment` needs (system, rounds, MAPE-K, outbox, events). */
  deps: Omit<ExperimentDeps, "engine">;
  /** The folder of experiment files; default `experiments`. */
  experimentsDir?: string;
  /** Passed to `runExperiment` (0.05 turns 60 s into 3 s); default 1. */
  timeScale?: number;
  logger?: Logger;
};

/**
 * @example
 * import { chaosPortFromEngine } from "./chaosPort.ts";
 * const chaos = chaosPortFromEngine({ engine, deps: { system: mesh, rounds: () => fl.mesh.runner.history, mapek, outbox, events } });
 * await chaos.run("node-failure");
 */
export function chaosPortFromEngine({ engine, deps, experimentsDir = "experiments", timeScale = 1, logger }: ChaosPortFromEngineParameters): ChaosPort {
  let running: ChaosStatusView["running"] = null;
  let last: ChaosStatusView["last"] = null;
  return {
    experiments: () => listExperiments(experimentsDir),
    async run(name) {
      if (running) throw new ExperimentRunningError({ experiment: running.experiment });
      const listings = await listExperiments(experimentsDir);
      const entry = findExperiment(listings, name);
      if (!entry) throw new UnknownExperimentError({ name, known: listings.flatMap((e) => (e.valid ? [e.name] : [])) });
      running = { experiment: entry.name, title: entry.title, startedAt: Date.now(), phase: "started", detail: "" };
      const current = running;
      void runExperiment(entry.file, { ...deps, engine }, {
        timeScale,
        onProgress: (p) => {
          current.phase = p.phase;
          current.detail = p.detail;
        },
      })
        .then(({ journal }) => {
          last = {
            experiment: journal.experiment.name,
            status: journal.status,
            deviated: journal.deviated,
            resilienceScore: journal.resilienceScore,
            mttdMs: journal.mttdMs,
            mttrMs: journal.mttrMs,
            reportCid: journal.records?.chaosReportCid ?? null,
            endedAt: journal.endedAt,
          };
        })
        .catch((error: unknown) => logger?.error({ err: error, experiment: entry.name }, "chaos experiment failed"))
        .finally(() => {
          running = null;
        });
      return { experiment: entry.name, title: entry.title, nominalDurationMs: Math.round(entry.nominalDurationMs * timeScale) };
    },
    async status() {
      const statistics: ChaosStatusView["statistics"] = {};
      for (const [kind, s] of Object.entries(engine.statistics())) {
        if (s.injected > 0 || s.active > 0) statistics[kind] = { injected: s.injected, active: s.active, recovered: s.recovered, failed: s.failed, mttdMs: s.mttdMs, mttrMs: s.mttrMs };
      }
      const activeFaults = engine
        .statuses()
        .filter((s) => s.phase === "injected" || s.phase === "injecting" || s.phase === "recovering")
        .map((s) => ({ faultId: s.faultId, kind: s.kind, affected: s.affected }));
      return { running: running && { ...running }, last, activeFaults, statistics };
    },
  };
}
