/**
 * The experiment file format (YAML), after Chaos Toolkit's experiment: a title, a
 * steady-state hypothesis (probes with tolerances), a method (faults and pauses,
 * serial or in parallel), abort conditions, and rollbacks (always: every fault still
 * injected is recovered, whatever happened). Optional schedule, as Chaos Mesh's
 * `Schedule` would run it.
 */
import { Cron } from "croner";
import { z } from "zod";
import { MAPEK_STATES } from "../../knowledge/schemas/index.ts";
import { FAULT_KIND_NAMES } from "../fault.ts";

const name = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, "must be kebab-case");

/** Probe kinds: what a steady state is made of. */
export const ProbeSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("round-completion"),
    name,
    /** Rounds looked at (the most recent). */
    window: z.number().int().min(1).default(3),
    tolerance: z.strictObject({
      /** Least share of those rounds that completed. */
      minCompletedRatio: z.number().min(0).max(1),
      /** A round must have finished within this many ms (rounds stall under a bad fault). */
      maxSinceLastRoundMs: z.number().int().positive().optional(),
    }),
    weight: z.number().int().min(1).max(10).default(1),
  }),
  z.strictObject({
    type: z.literal("accuracy"),
    name,
    tolerance: z.strictObject({ min: z.number().min(0).max(1) }),
    weight: z.number().int().min(1).max(10).default(1),
  }),
  z.strictObject({
    type: z.literal("api-latency"),
    name,
    /** Path on the coordinator API. */
    path: z.string().regex(/^\//).default("/health"),
    samples: z.number().int().min(1).max(50).default(5),
    tolerance: z.strictObject({ maxP95Ms: z.number().positive() }),
    weight: z.number().int().min(1).max(10).default(1),
  }),
  z.strictObject({
    type: z.literal("mapek-state"),
    name,
    tolerance: z.strictObject({ in: z.array(z.enum(MAPEK_STATES)).min(1) }),
    weight: z.number().int().min(1).max(10).default(1),
  }),
  z.strictObject({
    type: z.literal("nodes-healthy"),
    name,
    tolerance: z.strictObject({ minFraction: z.number().min(0).max(1) }),
    weight: z.number().int().min(1).max(10).default(1),
  }),
]);
export type Probe = z.infer<typeof ProbeSchema>;

/** A method step. */
export type MethodStep =
  | { type: "fault"; name: string; kind: (typeof FAULT_KIND_NAMES)[number]; spec: Record<string, unknown>; background: boolean }
  | { type: "pause"; name?: string | undefined; durationMs: number }
  | { type: "parallel"; name?: string | undefined; steps: MethodStep[] };

const FaultStepSchema = z.strictObject({
  type: z.literal("fault"),
  name,
  kind: z.enum(FAULT_KIND_NAMES),
  /** The kind's spec (validated by the kind, see `coordinator/chaos/faults/`). */
  spec: z.record(z.string(), z.unknown()),
  /** Don't wait for the fault's duration before the next step. */
  background: z.boolean().default(false),
});
const PauseStepSchema = z.strictObject({ type: z.literal("pause"), name: name.optional(), durationMs: z.number().int().positive() });
export const MethodStepSchema: z.ZodType<MethodStep> = z.lazy(() =>
  z.discriminatedUnion("type", [FaultStepSchema, PauseStepSchema, z.strictObject({ type: z.literal("parallel"), name: name.optional(), steps: z.array(MethodStepSchema).min(1) })]),
) as z.ZodType<MethodStep>;

/** The shortest `schedule.everyMs` an experiment file may ask for, ms (a cron line fires at most once a minute anyway). */
export const MIN_SCHEDULE_INTERVAL_MS = 60_000;
/** Finished scheduled runs kept per experiment when `schedule.historyLimit` is not given. */
export const DEFAULT_SCHEDULE_HISTORY_LIMIT = 10;

/**
 * When the coordinator runs an experiment on its own, as Chaos Mesh's `Schedule` does:
 * every `everyMs`, or at the times of a five-field cron line (minute precision, the
 * coordinator's local time). Exactly one of the two. The concurrency policy is always
 * Chaos Mesh's `Forbid`: a firing while a run is still going is skipped.
 */
export const ScheduleSchema = z
  .strictObject({
    /** Interval between firings, ms (Chaos Mesh `@every`); the first comes one interval after the coordinator starts. */
    everyMs: z.number().int().min(MIN_SCHEDULE_INTERVAL_MS).optional(),
    /** A five-field cron line, e.g. `"*\/5 * * * *"` or `"@hourly"` (evaluated by croner). */
    cron: z
      .string()
      .superRefine((line, context) => {
        try {
          // Parsing only: without a function croner schedules nothing.
          new Cron(line, { paused: true, mode: "5-part" });
        } catch (error) {
          context.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
        }
      })
      .optional(),
    /** Finished scheduled runs of this experiment kept in the runs store; older ones are deleted (Chaos Mesh `historyLimit`). */
    historyLimit: z.number().int().min(1).max(1000).default(DEFAULT_SCHEDULE_HISTORY_LIMIT),
  })
  .superRefine((schedule, context) => {
    if ((schedule.everyMs === undefined) === (schedule.cron === undefined)) context.addIssue({ code: "custom", message: "give exactly one of everyMs and cron" });
  });
export type ExperimentSchedule = z.infer<typeof ScheduleSchema>;

export const ExperimentSchema = z.strictObject({
  version: z.literal(1),
  name,
  title: z.string().min(1).max(300),
  description: z.string().max(4000).optional(),
  tags: z.array(z.string()).default([]),
  /** Seeds target selection. */
  seed: z.number().int().default(1),
  "steady-state-hypothesis": z.strictObject({
    title: z.string().min(1),
    probes: z.array(ProbeSchema).min(1),
    /** How often probes are sampled while the method runs (Litmus's continuous mode), ms. */
    duringIntervalMs: z.number().int().positive().default(2000),
  }),
  method: z.array(MethodStepSchema).min(1),
  /** After rollback, wait up to this long for MAPE-K to close its incidents before the after-probes, ms. */
  recovery: z.strictObject({ maxWaitMs: z.number().int().nonnegative() }).default({ maxWaitMs: 30_000 }),
  abort: z
    .strictObject({
      /** Abort when this probe fails this many consecutive times during the method. */
      probeFailures: z.array(z.strictObject({ probe: name, consecutive: z.number().int().min(1) })).default([]),
      /** Abort when the method runs longer than this, ms. */
      deadlineMs: z.number().int().positive().optional(),
    })
    .default({ probeFailures: [] }),
  /** Rollbacks are not optional: every fault still injected is recovered (Chaos Toolkit `strategy: always`). */
  rollbacks: z.literal("always").default("always"),
  /** When the coordinator runs it on its own (see {@link ScheduleSchema}). */
  schedule: ScheduleSchema.optional(),
});
export type Experiment = z.infer<typeof ExperimentSchema>;
