/**
 * ChaosReport record, v1: one chaos experiment, after Chaos Toolkit's journal:
 * the steady-state hypothesis checked before and after, what was injected, the
 * run's events, and a Litmus-style resilience score.
 */
import { z } from "zod";
import {
  addIssue,
  cidSchema,
  dateTimeSchema,
  durationMs,
  finiteNumber,
  kebabNameSchema,
  nodeIdSchema,
  recordBase,
} from "./common.ts";

const probeResultSchema = z.strictObject({
  probe: z.string().min(1),
  /** What counted as steady, as written in the experiment (e.g. `"phi >= 0.809"`). */
  tolerance: z.string().min(1),
  /** The measured value, if the probe produces one. */
  value: z.union([finiteNumber, z.string(), z.boolean()]).nullable(),
  ok: z.boolean(),
});

export const chaosReportRecordV1Schema = z
  .strictObject({
    ...recordBase("ChaosReport", 1),
    experiment: z.strictObject({
      name: kebabNameSchema,
      title: z.string().min(1).max(300),
      /** The experiment definition (YAML) as published, if it was. */
      definitionCid: cidSchema.optional(),
      faults: z
        .array(
          z.strictObject({
            kind: kebabNameSchema,
            targets: z.array(nodeIdSchema).min(1),
            durationMs,
          }),
        )
        .min(1),
    }),
    status: z.enum(["completed", "failed", "aborted", "interrupted"]),
    hypothesis: z.strictObject({
      title: z.string().min(1),
      before: z.array(probeResultSchema).min(1),
      after: z.array(probeResultSchema),
      /** True when any probe failed after the method ran. */
      deviated: z.boolean(),
    }),
    journal: z.strictObject({
      startedAt: dateTimeSchema,
      endedAt: dateTimeSchema,
      events: z.array(
        z.strictObject({
          at: dateTimeSchema,
          /** `fault-applied`, `fault-recovered`, `probe`, `rollback`, `abort`, … */
          type: kebabNameSchema,
          node: nodeIdSchema.optional(),
          detail: z.string().max(2000),
        }),
      ),
    }),
    /** Incident records this run produced, once published. */
    incidentCids: z.array(cidSchema),
    /** Mean time to detect / recover over the run's incidents; `null` without incidents. */
    mttdMs: durationMs.nullable(),
    mttrMs: durationMs.nullable(),
    /** 0–100: the share of weighted probes that held (Litmus resilience score). */
    resilienceScore: z.number().min(0).max(100),
  })
  .superRefine((record, ctx) => {
    if (Date.parse(record.journal.endedAt) < Date.parse(record.journal.startedAt)) {
      addIssue(ctx, ["journal", "endedAt"], "is before startedAt");
    }
    const deviated = record.hypothesis.after.some((probe) => !probe.ok);
    if (deviated !== record.hypothesis.deviated) {
      addIssue(ctx, ["hypothesis", "deviated"], `is ${record.hypothesis.deviated} but the after-probes say ${deviated}`);
    }
    if (record.status === "completed" && record.hypothesis.after.length === 0) {
      addIssue(ctx, ["hypothesis", "after"], "must not be empty for a completed run");
    }
  });

export type ChaosReportRecordV1 = z.infer<typeof chaosReportRecordV1Schema>;
