/**
 * Chaos experiments (`synod chaos`, the Telegram bot, the dApp).
 *
 * - `GET /api/chaos/experiments`: the experiment files offered by name (invalid ones with their problems)
 * - `POST /api/chaos/runs` (admin): `{ name }` or `{ yaml, file? }`, optional `timeScale` → 202 the run
 * - `GET /api/chaos/runs?limit=`: the latest runs, newest first (without journals)
 * - `GET /api/chaos/runs/:runId`: one run with its journal
 * - `POST /api/chaos/runs/:runId/abort` (admin)
 * - `GET /api/chaos/status`: the run in progress, the last one, active faults, statistics per fault kind
 * - `GET /api/chaos/schedules`: the experiments the coordinator runs on a schedule, with what each has done
 */
import { z } from "zod";
import { noParametersBodySchema } from "./common.ts";

/** The time scales a run accepts: every fault and pause shortened down to a thousandth, never lengthened. */
export const CHAOS_TIME_SCALE = { min: 0.001, max: 1 } as const;
const timeScale = z.number().min(CHAOS_TIME_SCALE.min).max(CHAOS_TIME_SCALE.max);

// --- requests ---

/** Start a run: a listed experiment by name, or an experiment's YAML (the CLI sends the operator's file). */
export const chaosRunBodySchema = z.union([
  z.strictObject({ name: z.string().min(1).max(200), timeScale: timeScale.optional() }),
  z.strictObject({ yaml: z.string().min(1).max(256 * 1024), file: z.string().min(1).max(1024).optional(), timeScale: timeScale.optional() }),
]);
export type ChaosRunBody = z.input<typeof chaosRunBodySchema>;

export const chaosRunParamsSchema = z.strictObject({ runId: z.coerce.number().int().min(1) });
export const chaosRunsQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional() });
export type ChaosRunsQuery = z.input<typeof chaosRunsQuerySchema>;
/** `POST /api/chaos/runs/:runId/abort` takes no parameters. */
export const abortChaosRunBodySchema = noParametersBodySchema;

// --- responses ---

/** A problem of an experiment file, with its dotted path (`method[2].spec.latencyMs`). */
export const chaosIssueSchema = z.object({ path: z.string(), message: z.string() });

/**
 * An experiment file's `schedule` (Chaos Mesh `Schedule`): exactly one of `everyMs` and
 * `cron`; the file's rules are in `coordinator/chaos/experiment/experimentSchema.ts`.
 */
export const experimentScheduleSchema = z.object({
  /** Interval between firings, ms. */
  everyMs: z.number().optional(),
  /** A five-field cron line, in the coordinator's local time. */
  cron: z.string().optional(),
  /** Finished scheduled runs kept in the runs store. */
  historyLimit: z.number(),
});
export type ExperimentScheduleWire = z.output<typeof experimentScheduleSchema>;

/** One listed experiment; invalid files are listed with their problems rather than hidden. */
export const experimentListingSchema = z.discriminatedUnion("valid", [
  z.object({
    file: z.string(),
    valid: z.literal(true),
    name: z.string(),
    title: z.string(),
    tags: z.array(z.string()),
    /** Fault kinds the method injects. */
    faults: z.array(z.string()),
    /** The method's length at full time scale, ms. */
    nominalDurationMs: z.number(),
    /** How often the coordinator runs it on its own, ms; `null` when it does not. */
    scheduleEveryMs: z.number().nullable(),
    /**
     * The file's schedule; `null` when the coordinator does not run it on its own. A
     * coordinator from before schedules sends none: it runs nothing on its own, hence the default.
     */
    schedule: experimentScheduleSchema.nullable().default(null),
  }),
  z.object({ file: z.string(), valid: z.literal(false), issues: z.array(chaosIssueSchema) }),
]);
export type ExperimentListing = z.output<typeof experimentListingSchema>;

export const experimentListSchema = z.object({ experiments: z.array(experimentListingSchema) });
export type ExperimentList = z.output<typeof experimentListSchema>;

/** Statistics of one fault kind; MTTD/MTTR are means over affected nodes that were detected / healed, ms. */
export const faultKindStatisticsSchema = z.object({
  injected: z.number(),
  active: z.number(),
  recovered: z.number(),
  failed: z.number(),
  detected: z.number(),
  healed: z.number(),
  mttdMs: z.number().nullable(),
  mttrMs: z.number().nullable(),
});
export type FaultKindStatistics = z.output<typeof faultKindStatisticsSchema>;

/** One fault as the engine tracks it. */
export const faultStatusSchema = z
  .object({
    faultId: z.string(),
    /** The fault kind's wire name, e.g. `network-delay`. */
    kind: z.string(),
    phase: z.enum(["injecting", "injected", "recovering", "recovered", "failed"]),
    /** Selected targets. */
    targets: z.array(z.string()),
    /** Nodes actually affected (a host crash takes its co-hosted nodes along). */
    affected: z.array(z.string()),
    injectedAt: z.number().nullable(),
    recoveredAt: z.number().nullable(),
    durationMs: z.number(),
    /** Per affected node: when MAPE-K detected it and when it was healed (ms since epoch). */
    detection: z.record(z.string(), z.object({ detectedAt: z.number().nullable(), healedAt: z.number().nullable() })),
    records: z.array(z.object({ target: z.string(), phase: z.enum(["injected", "recovered", "failed"]), detail: z.string().optional() })),
    message: z.string().nullable(),
  })
  .meta({ id: "FaultStatus" });
export type FaultStatus = z.output<typeof faultStatusSchema>;

/** A steady-state probe's reading. */
export const probeResultSchema = z.object({
  probe: z.string(),
  tolerance: z.string(),
  value: z.union([z.number(), z.string(), z.boolean()]).nullable(),
  ok: z.boolean(),
  at: z.number(),
});
export type ProbeResult = z.output<typeof probeResultSchema>;

/** A run's latest progress line. */
export const experimentProgressSchema = z.object({
  at: z.number(),
  phase: z.enum([
    "started",
    "steady-state-before",
    "fault-applied",
    "fault-recovered",
    "pause",
    "probe-sample",
    "abort",
    "rollback",
    "recovery-wait",
    "steady-state-after",
    "records",
    "finished",
  ]),
  detail: z.string(),
});
export type ExperimentProgress = z.output<typeof experimentProgressSchema>;

/** A finished run's journal. */
export const experimentJournalSchema = z.object({
  experiment: z.object({ name: z.string(), title: z.string(), file: z.string().nullable(), timeScale: z.number() }),
  status: z.enum(["completed", "failed", "aborted", "interrupted"]),
  /** The steady state did not hold during or after the method. */
  deviated: z.boolean(),
  startedAt: z.number(),
  endedAt: z.number(),
  steadyStates: z.object({ before: z.array(probeResultSchema), during: z.array(z.array(probeResultSchema)), after: z.array(probeResultSchema) }),
  faults: z.array(faultStatusSchema),
  events: z.array(z.object({ at: z.number(), type: z.string(), node: z.string().optional(), detail: z.string() })),
  /** Mean time to detect / recover over affected nodes, ms; `null` when none was detected / healed. */
  mttdMs: z.number().nullable(),
  mttrMs: z.number().nullable(),
  /** Litmus: Σ(weight × probe success %) / Σ weight over the during and after samples, 0–100. */
  resilienceScore: z.number(),
  /** Per fault kind the run injected. */
  statistics: z.record(z.string(), faultKindStatisticsSchema),
  abortReason: z.string().nullable(),
  /** CIDs of the records handed to the outbox. */
  records: z.object({ chaosReportCid: z.string(), incidentCids: z.array(z.string()) }).nullable(),
});
export type ExperimentJournal = z.output<typeof experimentJournalSchema>;

/** One run; `journal` is `null` in lists and while the run is in progress. */
export const chaosRunSchema = z
  .object({
    runId: z.number().int(),
    experiment: z.string(),
    title: z.string(),
    /** The experiment file, when it came from one the coordinator can read or the CLI named. */
    file: z.string().nullable(),
    status: z.enum(["running", "completed", "failed", "aborted", "interrupted"]),
    /**
     * What started it: an operator (API, CLI, bot) or the experiment's schedule. A
     * coordinator from before schedules sends none: all its runs were manual, hence the default.
     */
    trigger: z.enum(["manual", "schedule"]).default("manual"),
    timeScale: z.number(),
    /** The method's length at the run's time scale, ms. */
    nominalDurationMs: z.number(),
    startedAt: z.number(),
    endedAt: z.number().nullable(),
    /** The latest progress (while running: what is happening now). */
    progress: experimentProgressSchema.nullable(),
    reportCid: z.string().nullable(),
    journal: experimentJournalSchema.nullable(),
  })
  .meta({ id: "ChaosRun" });
export type ChaosRun = z.output<typeof chaosRunSchema>;

export const chaosRunListSchema = z.object({ runs: z.array(chaosRunSchema) });
export type ChaosRunList = z.output<typeof chaosRunListSchema>;

export const chaosStatusSchema = z.object({
  running: chaosRunSchema.nullable(),
  last: chaosRunSchema.nullable(),
  activeFaults: z.array(faultStatusSchema),
  /** Every fault kind, zeros included. */
  statistics: z.record(z.string(), faultKindStatisticsSchema),
});
export type ChaosStatus = z.output<typeof chaosStatusSchema>;

/** The last scheduled run of an experiment, as the schedule list shows it. */
export const scheduledRunSummarySchema = z.object({
  runId: z.number().int(),
  status: chaosRunSchema.shape.status,
  /** `deviated` when the run completed but the steady state did not hold after it; else the status. */
  verdict: z.enum(["running", "completed", "failed", "aborted", "interrupted", "deviated"]),
  /** `null` while running, or when the run wrote no journal. */
  resilienceScore: z.number().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
});
export type ScheduledRunSummary = z.output<typeof scheduledRunSummarySchema>;

/** One schedule and what it has done since the coordinator started; times in ms since epoch. */
export const chaosScheduleSchema = z
  .object({
    experiment: z.string(),
    file: z.string().nullable(),
    /** Interval between firings, ms; `null` for a cron schedule. */
    everyMs: z.number().nullable(),
    /** The cron line; `null` for an interval schedule. */
    cron: z.string().nullable(),
    /** Finished scheduled runs the coordinator keeps. */
    historyLimit: z.number().int(),
    /** Always Chaos Mesh's `Forbid`: a firing while a run of it is still going is skipped. */
    concurrencyPolicy: z.literal("Forbid"),
    /** When it fires next; `null` once stopped. */
    nextRunAt: z.number().nullable(),
    lastFiredAt: z.number().nullable(),
    /** Firings since the coordinator started: `started` + `skipped` + those that failed to start. */
    fired: z.number().int(),
    started: z.number().int(),
    skipped: z.number().int(),
    /** `overlap`: a run of this experiment was still going; `busy`: another experiment's run held the runner. */
    lastSkip: z.object({ at: z.number(), reason: z.enum(["overlap", "busy"]), runningRunId: z.number().int().nullable() }).nullable(),
    /** The last firing that could not start a run (e.g. the file was removed), with why. */
    lastError: z.object({ at: z.number(), message: z.string() }).nullable(),
    /** The newest scheduled run in the runs store (kept across restarts). */
    lastRun: scheduledRunSummarySchema.nullable(),
  })
  .meta({ id: "ChaosSchedule" });
export type ChaosSchedule = z.output<typeof chaosScheduleSchema>;

/** The body of `GET /api/chaos/schedules`, by experiment name. */
export const chaosScheduleListSchema = z.object({ schedules: z.array(chaosScheduleSchema) });
export type ChaosScheduleList = z.output<typeof chaosScheduleListSchema>;
