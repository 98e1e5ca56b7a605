/**
 * Chaos experiments as the coordinator runs them (`/api/chaos`, `synod chaos run`,
 * `/chaos_run`): one at a time, started by name (a file in the experiments folder) or
 * from YAML text (the CLI sends the operator's file), with live progress on the event
 * bus. Every run and its journal is kept in SQLite; a run that a crash interrupted is
 * closed as `interrupted` on the next start (its faults died with the processes that
 * carried them: host processes are the coordinator's children, links its sockets).
 */
import path from "node:path";
import { ExperimentRunningError, UnknownChaosRunError, UnknownExperimentError } from "../../errors/chaos.ts";
import type { Logger } from "../../logger.ts";
import type { Database } from "../../store/openDatabase.ts";
import type { FaultStatus } from "../fault.ts";
import type { Experiment } from "./experimentSchema.ts";
import { listExperiments, nominalDurationMs, type ExperimentListing } from "./listExperiments.ts";
import { loadExperiment, parseExperiment } from "./loadExperiment.ts";
import { runExperiment, type ExperimentDeps, type ExperimentJournal, type ExperimentProgress } from "./runExperiment.ts";

/** A run's status: `running` until its journal says how it ended. */
export type ChaosRunStatus = "running" | ExperimentJournal["status"];

/** What started a run: an operator (API, CLI, bot) or the experiment's schedule. */
export type ChaosRunTrigger = "manual" | "schedule";

/** One run as the API shows it. */
export type ChaosRun = {
  runId: number;
  experiment: string;
  title: string;
  /** The experiment file, when it came from one the coordinator can read or the CLI named. */
  file: string | null;
  status: ChaosRunStatus;
  trigger: ChaosRunTrigger;
  timeScale: number;
  /** The method's length at this time scale, ms. */
  nominalDurationMs: number;
  startedAt: number;
  endedAt: number | null;
  /** The latest progress (while running: what is happening now). */
  progress: ExperimentProgress | null;
  reportCid: string | null;
  journal: ExperimentJournal | null;
};

/** How to start a run: a listed experiment by name, or an experiment's YAML text. */
export type ChaosRunSource = { name: string } | { yaml: string; file?: string };

/** Options of {@link ExperimentRunner}. */
export type ExperimentRunnerParameters = {
  db: Database;
  deps: ExperimentDeps;
  /** The folder of experiment files offered by name. */
  experimentsDir: string;
  logger?: Logger;
};

type RunRow = { run_id: number; experiment: string; title: string; file: string | null; source: string; status: ChaosRunStatus; trigger: ChaosRunTrigger; time_scale: number; started_at: number; ended_at: number | null; report_cid: string | null; journal: string | null };

/** Finds a valid listed experiment by its `name` or its file name without extension. */
export function findExperiment<E extends { file: string; name: string }>(listings: readonly E[], name: string): E | undefined {
  const wanted = name.trim().toLowerCase();
  return listings.find((e) => e.name.toLowerCase() === wanted || path.basename(e.file).replace(/\.ya?ml$/, "").toLowerCase() === wanted);
}

/**
 * @example
 * import { ExperimentRunner } from "./experimentRunner.ts";
 * const runner = new ExperimentRunner({ db, deps, experimentsDir: "experiments", logger });
 * const run = await runner.start({ name: "node-failure" }, { timeScale: 0.1 });
 * await runner.whenIdle();
 * runner.run(run.runId)?.journal?.resilienceScore;
 */
export class ExperimentRunner {
  #p: ExperimentRunnerParameters;
  #logger: Logger | undefined;
  #current: { runId: number; abort: AbortController; done: Promise<void>; progress: ExperimentProgress | null; nominalDurationMs: number } | undefined;

  constructor(parameters: ExperimentRunnerParameters) {
    this.#p = parameters;
    this.#logger = parameters.logger?.child({ component: "chaos-runs" });
    const interrupted = parameters.db
      .prepare("UPDATE chaos_runs SET status = 'interrupted', ended_at = ? WHERE status = 'running'")
      .run(Date.now());
    if (interrupted.changes) this.#logger?.warn({ runs: interrupted.changes }, "closed chaos runs interrupted by a restart");
  }

  /** The experiment files of the experiments folder, invalid ones with their problems. */
  experiments(): Promise<ExperimentListing[]> {
    return listExperiments(this.#p.experimentsDir);
  }

  /**
   * Starts a run; resolves once it is under way (follow `chaos.experiment.*` events, or
   * await {@link whenIdle}).
   *
   * @throws {ExperimentRunningError} while another run is in progress.
   * @throws {UnknownExperimentError} for a name no valid file has.
   * @throws {InvalidExperimentError} for YAML that is not a valid experiment.
   */
  async start(source: ChaosRunSource, options: { timeScale?: number; trigger?: ChaosRunTrigger } = {}): Promise<ChaosRun> {
    this.#refuseWhileRunning();
    let experiment: Experiment;
    let file: string | null;
    if ("name" in source) {
      const listings = (await this.experiments()).flatMap((e) => (e.valid ? [e] : []));
      const entry = findExperiment(listings, source.name);
      if (!entry) throw new UnknownExperimentError({ name: source.name, known: listings.map((e) => e.name) });
      experiment = await loadExperiment(entry.file);
      file = entry.file;
    } else {
      experiment = parseExperiment(source.yaml, source.file);
      file = source.file ?? null;
    }
    // Checked again: the listing above awaited, and another start may have won meanwhile.
    this.#refuseWhileRunning();
    const timeScale = options.timeScale ?? 1;
    const startedAt = Date.now();
    const { lastInsertRowid } = this.#p.db
      .prepare("INSERT INTO chaos_runs (experiment, title, file, source, status, trigger, time_scale, started_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)")
      .run(experiment.name, experiment.title, file, JSON.stringify(experiment), options.trigger ?? "manual", timeScale, startedAt);
    const runId = Number(lastInsertRowid);
    const abort = new AbortController();
    const current = { runId, abort, done: Promise.resolve(), progress: null as ExperimentProgress | null, nominalDurationMs: Math.round(nominalDurationMs(experiment.method) * timeScale) };
    this.#current = current;
    current.done = runExperiment(experiment, this.#p.deps, {
      timeScale,
      signal: abort.signal,
      runId,
      onProgress: (progress) => {
        current.progress = progress;
      },
    })
      .then(({ journal }) => this.#finish(runId, journal.status, journal))
      .catch((error: unknown) => {
        // runExperiment rolls back before it rethrows; the run is recorded as failed with why.
        this.#logger?.error({ err: error, runId, experiment: experiment.name }, "chaos run failed");
        this.#finish(runId, "failed", null);
      })
      .finally(() => {
        if (this.#current === current) this.#current = undefined;
      });
    this.#logger?.info({ runId, experiment: experiment.name, timeScale, trigger: options.trigger ?? "manual" }, "chaos run started");
    return this.run(runId)!;
  }

  #refuseWhileRunning(): void {
    if (this.#current) throw new ExperimentRunningError({ experiment: this.run(this.#current.runId)?.experiment ?? String(this.#current.runId) });
  }

  #finish(runId: number, status: ExperimentJournal["status"], journal: ExperimentJournal | null): void {
    this.#p.db
      .prepare("UPDATE chaos_runs SET status = ?, ended_at = ?, report_cid = ?, journal = ? WHERE run_id = ?")
      .run(status, journal?.endedAt ?? Date.now(), journal?.records?.chaosReportCid ?? null, journal ? JSON.stringify(journal) : null, runId);
  }

  /**
   * Interrupts a running run: its faults are rolled back and its journal says `interrupted`.
   * @throws {UnknownChaosRunError} for an id that never ran.
   */
  async abort(runId: number): Promise<ChaosRun> {
    const run = this.run(runId);
    if (!run) throw new UnknownChaosRunError({ runId });
    if (this.#current?.runId === runId) {
      this.#current.abort.abort();
      await this.#current.done;
    }
    return this.run(runId)!;
  }

  /** A run by id, with its journal. */
  run(runId: number): ChaosRun | undefined {
    const row = this.#p.db.prepare("SELECT * FROM chaos_runs WHERE run_id = ?").get(runId) as RunRow | undefined;
    return row && this.#view(row);
  }

  /** The latest runs, newest first, without journals; only one experiment's, or only those one trigger started, when asked. */
  runs(options: { limit?: number; experiment?: string; trigger?: ChaosRunTrigger } = {}): ChaosRun[] {
    const rows = this.#p.db
      .prepare("SELECT run_id, experiment, title, file, source, status, trigger, time_scale, started_at, ended_at, report_cid, NULL AS journal FROM chaos_runs WHERE (? IS NULL OR experiment = ?) AND (? IS NULL OR trigger = ?) ORDER BY run_id DESC LIMIT ?")
      .all(options.experiment ?? null, options.experiment ?? null, options.trigger ?? null, options.trigger ?? null, options.limit ?? 50) as RunRow[];
    return rows.map((row) => this.#view(row));
  }

  /**
   * Deletes an experiment's finished runs started by `trigger` beyond the newest `keep`
   * (a schedule's history limit); runs in progress are never deleted.
   *
   * @returns how many runs were deleted.
   */
  pruneRuns({ experiment, trigger, keep }: { experiment: string; trigger: ChaosRunTrigger; keep: number }): number {
    const { changes } = this.#p.db
      .prepare(
        `DELETE FROM chaos_runs WHERE run_id IN (
           SELECT run_id FROM chaos_runs WHERE experiment = ? AND trigger = ? AND status != 'running' ORDER BY run_id DESC LIMIT -1 OFFSET ?
         )`,
      )
      .run(experiment, trigger, keep);
    return Number(changes);
  }

  /** The run in progress, the last finished one, the faults active now and the statistics per fault kind. */
  status(): { running: ChaosRun | null; last: ChaosRun | null; activeFaults: FaultStatus[]; statistics: ReturnType<ExperimentDeps["engine"]["statistics"]> } {
    const last = this.#p.db.prepare("SELECT run_id FROM chaos_runs WHERE status != 'running' ORDER BY run_id DESC LIMIT 1").get() as { run_id: number } | undefined;
    return {
      running: this.#current ? (this.run(this.#current.runId) ?? null) : null,
      last: last ? (this.run(last.run_id) ?? null) : null,
      activeFaults: this.#p.deps.engine.statuses().filter((s) => s.phase === "injecting" || s.phase === "injected" || s.phase === "recovering"),
      statistics: this.#p.deps.engine.statistics(),
    };
  }

  /** Resolves when no run is in progress. */
  async whenIdle(): Promise<void> {
    await this.#current?.done;
  }

  /** Interrupts the run in progress (its faults are rolled back) and waits for it. */
  async close(): Promise<void> {
    this.#current?.abort.abort();
    await this.whenIdle();
  }

  #view(row: RunRow): ChaosRun {
    const current = this.#current?.runId === row.run_id ? this.#current : undefined;
    const journal = row.journal ? (JSON.parse(row.journal) as ExperimentJournal) : null;
    const source = JSON.parse(row.source) as Experiment;
    return {
      runId: row.run_id,
      experiment: row.experiment,
      title: row.title,
      file: row.file,
      status: row.status,
      trigger: row.trigger,
      timeScale: row.time_scale,
      nominalDurationMs: current?.nominalDurationMs ?? Math.round(nominalDurationMs(source.method) * row.time_scale),
      startedAt: row.started_at,
      endedAt: row.ended_at,
      progress: current?.progress ?? null,
      reportCid: row.report_cid,
      journal,
    };
  }
}
