/**
 * Runs experiments on their own, as Chaos Mesh's `Schedule` does: each experiment file
 * with a `schedule` (an interval, `everyMs`, or a five-field cron line, `cron`) starts
 * runs through the {@link ExperimentRunner}, marked `trigger: "schedule"`.
 *
 * - Concurrency policy `Forbid`: a firing while a run of the same experiment is still
 *   going (or starting) is skipped, counted and logged, never queued. The runner runs
 *   one experiment at a time, so a firing while another experiment runs is skipped too,
 *   for that reason; the runner's own refusal (409) stays as it is.
 * - History limit (Chaos Mesh `historyLimit`): after each scheduled run, and when the
 *   schedule starts, the experiment's finished scheduled runs beyond the newest
 *   `historyLimit` are deleted from the runs store. Manual runs are never pruned.
 * - A firing missed because the process was busy or down is not caught up: the next
 *   one comes at its time.
 */
import { Cron } from "croner";
import "../events.ts";
import { ExperimentRunningError, InvalidExperimentError } from "../../errors/chaos.ts";
import type { EventBus } from "../../events.ts";
import type { Logger } from "../../logger.ts";
import type { ChaosRunStatus, ExperimentRunner } from "./experimentRunner.ts";
import { MIN_SCHEDULE_INTERVAL_MS, type ExperimentSchedule } from "./experimentSchema.ts";

/**
 * Why a firing started nothing:
 * - `overlap`: a run of this experiment is still going or starting (`Forbid`);
 * - `busy`: another experiment's run holds the runner (one run at a time).
 */
export type ScheduleSkipReason = "overlap" | "busy";

/** The last scheduled run of an experiment, as the schedule list shows it. */
export type ScheduledRunSummary = {
  runId: number;
  status: ChaosRunStatus;
  /** `deviated` when the run completed but the steady state did not hold after it; else the status. */
  verdict: ChaosRunStatus | "deviated";
  /** `null` while running, or when the run wrote no journal. */
  resilienceScore: number | null;
  startedAt: number;
  endedAt: number | null;
};

/** One schedule and what it has done since the coordinator started. */
export type ExperimentScheduleStatus = {
  experiment: string;
  file: string | null;
  /** Interval between firings, ms; `null` for a cron schedule. */
  everyMs: number | null;
  /** The cron line; `null` for an interval schedule. */
  cron: string | null;
  historyLimit: number;
  concurrencyPolicy: "Forbid";
  /** When it fires next, ms since epoch; `null` once stopped. */
  nextRunAt: number | null;
  lastFiredAt: number | null;
  /** Firings since the coordinator started: `started` + `skipped` + those that failed to start. */
  fired: number;
  started: number;
  skipped: number;
  lastSkip: { at: number; reason: ScheduleSkipReason; runningRunId: number | null } | null;
  /** The last firing that could not start a run (e.g. the file was removed), with why. */
  lastError: { at: number; message: string } | null;
  /** The newest scheduled run in the runs store (kept across restarts). */
  lastRun: ScheduledRunSummary | null;
};

/** One experiment to run on a schedule. */
export type ScheduleEntry = {
  /** The experiment's `name`; each firing starts the experiments folder's file of that name, as read then. */
  experiment: string;
  file?: string | null;
  schedule: ExperimentSchedule;
};

/** Options of {@link ExperimentScheduler}. */
export type ExperimentSchedulerParameters = {
  runner: ExperimentRunner;
  events?: EventBus;
  logger?: Logger;
  /** The shortest `everyMs` accepted, ms; default {@link MIN_SCHEDULE_INTERVAL_MS} (the YAML rule). Tests pass less. */
  minIntervalMs?: number;
  /** Time scale of scheduled runs (see `runExperiment`); default 1, the file's durations. */
  timeScale?: number;
};

type Schedule = {
  experiment: string;
  file: string | null;
  spec: ExperimentSchedule;
  timer: NodeJS.Timeout | undefined;
  cron: Cron | undefined;
  /** Interval schedules: the next slot (slots are `start + k × everyMs`). */
  nextAt: number | null;
  fired: number;
  started: number;
  skipped: number;
  lastFiredAt: number | null;
  lastSkip: ExperimentScheduleStatus["lastSkip"];
  lastError: ExperimentScheduleStatus["lastError"];
  /** A firing's `runner.start` under way. */
  starting: Promise<void> | undefined;
};

/**
 * @example
 * import { ExperimentScheduler } from "./experimentScheduler.ts";
 * const scheduler = new ExperimentScheduler({ runner, events, logger });
 * await scheduler.start();             // every experiment file with a `schedule`
 * scheduler.schedules()[0]?.nextRunAt;
 * await scheduler.stop();              // before runner.close()
 */
export class ExperimentScheduler {
  #p: ExperimentSchedulerParameters;
  #logger: Logger | undefined;
  #schedules = new Map<string, Schedule>();
  #stopped = false;

  constructor(parameters: ExperimentSchedulerParameters) {
    this.#p = parameters;
    this.#logger = parameters.logger?.child({ component: "chaos-schedules" });
  }

  /**
   * Schedules every valid experiment file of the runner's folder that has a `schedule`.
   * A folder that cannot be read, or a schedule that cannot be added, is logged: the
   * coordinator runs on without it.
   */
  async start(): Promise<void> {
    let listings: Awaited<ReturnType<ExperimentRunner["experiments"]>>;
    try {
      listings = await this.#p.runner.experiments();
    } catch (error) {
      this.#logger?.warn({ err: error }, "experiments folder unreadable: no chaos schedules");
      return;
    }
    for (const listing of listings) {
      if (!listing.valid || !listing.schedule) continue;
      try {
        this.add({ experiment: listing.name, file: listing.file, schedule: listing.schedule });
      } catch (error) {
        this.#logger?.error({ err: error, experiment: listing.name, file: listing.file }, "chaos schedule not started");
      }
    }
  }

  /**
   * Starts one schedule; its first firing is one interval from now, or the cron line's next time.
   *
   * @throws {InvalidExperimentError} for an interval under `minIntervalMs`, both or neither of
   * `everyMs` and `cron`, an invalid cron line, or an experiment already scheduled.
   */
  add({ experiment, file = null, schedule: spec }: ScheduleEntry): void {
    const minIntervalMs = this.#p.minIntervalMs ?? MIN_SCHEDULE_INTERVAL_MS;
    const invalid = (path: string, message: string) => new InvalidExperimentError({ file: file ?? experiment, issues: [{ path, message }] });
    if (this.#stopped) throw invalid("schedule", "the scheduler is stopped");
    if (this.#schedules.has(experiment)) throw invalid("name", `another file's experiment "${experiment}" is already scheduled`);
    if ((spec.everyMs === undefined) === (spec.cron === undefined)) throw invalid("schedule", "give exactly one of everyMs and cron");
    if (spec.everyMs !== undefined && !(spec.everyMs >= minIntervalMs)) throw invalid("schedule.everyMs", `must be at least ${minIntervalMs} ms`);
    if (!Number.isInteger(spec.historyLimit) || spec.historyLimit < 1) throw invalid("schedule.historyLimit", "must be a whole number ≥ 1");
    const schedule: Schedule = { experiment, file, spec, timer: undefined, cron: undefined, nextAt: null, fired: 0, started: 0, skipped: 0, lastFiredAt: null, lastSkip: null, lastError: null, starting: undefined };
    if (spec.cron !== undefined) {
      try {
        schedule.cron = new Cron(spec.cron, { mode: "5-part", unref: true }, () => void this.#fire(schedule));
      } catch (error) {
        throw invalid("schedule.cron", error instanceof Error ? error.message : String(error));
      }
    } else {
      schedule.nextAt = Date.now() + (spec.everyMs as number);
      this.#arm(schedule);
    }
    this.#schedules.set(experiment, schedule);
    // The limit may have been lowered since the last start.
    this.#prune(schedule);
    this.#logger?.info({ experiment, file, everyMs: spec.everyMs ?? null, cron: spec.cron ?? null, historyLimit: spec.historyLimit, concurrencyPolicy: "Forbid", nextRunAt: this.#nextRunAt(schedule), timeScale: this.#p.timeScale ?? 1 }, "chaos schedule started");
  }

  /** Every schedule, by experiment name, with its next firing, counts and last scheduled run. */
  schedules(): ExperimentScheduleStatus[] {
    return [...this.#schedules.values()]
      .sort((a, b) => a.experiment.localeCompare(b.experiment))
      .map((s) => ({
        experiment: s.experiment,
        file: s.file,
        everyMs: s.spec.everyMs ?? null,
        cron: s.spec.cron ?? null,
        historyLimit: s.spec.historyLimit,
        concurrencyPolicy: "Forbid" as const,
        nextRunAt: this.#nextRunAt(s),
        lastFiredAt: s.lastFiredAt,
        fired: s.fired,
        started: s.started,
        skipped: s.skipped,
        lastSkip: s.lastSkip,
        lastError: s.lastError,
        lastRun: this.#lastRun(s.experiment),
      }));
  }

  /**
   * Stops every schedule: no firing after this resolves. A firing's start under way is
   * waited for (so `runner.close()` afterwards interrupts its run); runs are not.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const s of this.#schedules.values()) {
      clearTimeout(s.timer);
      s.cron?.stop();
    }
    await Promise.all([...this.#schedules.values()].map((s) => s.starting));
  }

  #arm(schedule: Schedule): void {
    schedule.timer = setTimeout(() => {
      const every = schedule.spec.everyMs as number;
      const now = Date.now();
      // Slots late timers missed are not caught up: the next slot is the first one still ahead.
      let next = (schedule.nextAt as number) + every;
      while (next <= now) next += every;
      schedule.nextAt = next;
      this.#arm(schedule);
      void this.#fire(schedule);
    }, Math.max(0, (schedule.nextAt as number) - Date.now()));
    // The API server keeps the coordinator alive; a schedule alone must not.
    schedule.timer.unref();
  }

  #nextRunAt(schedule: Schedule): number | null {
    if (this.#stopped) return null;
    if (schedule.cron) return schedule.cron.nextRun()?.getTime() ?? null;
    return schedule.nextAt;
  }

  async #fire(schedule: Schedule): Promise<void> {
    if (this.#stopped) return;
    const at = Date.now();
    schedule.fired += 1;
    schedule.lastFiredAt = at;
    if (schedule.starting) return this.#skip(schedule, at, "overlap", null);
    const running = this.#p.runner.status().running;
    if (running) return this.#skip(schedule, at, running.experiment === schedule.experiment ? "overlap" : "busy", running.runId);
    const starting = (async () => {
      try {
        const run = await this.#p.runner.start({ name: schedule.experiment }, { trigger: "schedule", ...(this.#p.timeScale === undefined ? {} : { timeScale: this.#p.timeScale }) });
        schedule.started += 1;
        this.#logger?.info({ experiment: schedule.experiment, runId: run.runId }, "scheduled chaos run started");
        void this.#p.runner
          .whenIdle()
          .then(() => this.#prune(schedule))
          .catch((error: unknown) => this.#logger?.error({ err: error, experiment: schedule.experiment }, "old scheduled chaos runs not pruned"));
      } catch (error) {
        // Another start won the runner between the check above and the runner's own.
        if (error instanceof ExperimentRunningError) return this.#skip(schedule, at, "busy", this.#p.runner.status().running?.runId ?? null);
        schedule.lastError = { at, message: error instanceof Error ? error.message : String(error) };
        this.#logger?.error({ err: error, experiment: schedule.experiment }, "scheduled chaos run could not start");
      }
    })();
    schedule.starting = starting;
    await starting;
    schedule.starting = undefined;
  }

  #skip(schedule: Schedule, at: number, reason: ScheduleSkipReason, runningRunId: number | null): void {
    schedule.skipped += 1;
    schedule.lastSkip = { at, reason, runningRunId };
    this.#logger?.info({ experiment: schedule.experiment, reason, runningRunId, skipped: schedule.skipped }, "scheduled chaos run skipped (concurrency policy Forbid)");
    this.#p.events?.publish("chaos.schedule.skipped", { experiment: schedule.experiment, reason, ...(runningRunId === null ? {} : { runningRunId }) });
  }

  #prune(schedule: Schedule): void {
    // After stop the store may be closing; the next start prunes instead.
    if (this.#stopped) return;
    const deleted = this.#p.runner.pruneRuns({ experiment: schedule.experiment, trigger: "schedule", keep: schedule.spec.historyLimit });
    if (deleted) this.#logger?.debug({ experiment: schedule.experiment, deleted, historyLimit: schedule.spec.historyLimit }, "old scheduled chaos runs pruned");
  }

  #lastRun(experiment: string): ScheduledRunSummary | null {
    const [listed] = this.#p.runner.runs({ experiment, trigger: "schedule", limit: 1 });
    if (!listed) return null;
    const run = listed.status === "running" ? listed : (this.#p.runner.run(listed.runId) ?? listed);
    return {
      runId: run.runId,
      status: run.status,
      verdict: run.status === "completed" && run.journal?.deviated ? "deviated" : run.status,
      resilienceScore: run.journal?.resilienceScore ?? null,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
    };
  }
}
