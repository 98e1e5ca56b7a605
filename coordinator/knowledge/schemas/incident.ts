/**
 * Incident record, v1: one fault the mesh suffered (injected or not), how fast it was
 * seen and healed, and what MAPE-K did about it.
 */
import { z } from "zod";
import { addIssue, cidSchema, dateTimeSchema, durationMs, kebabNameSchema, nodeIdSchema, recordBase } from "./common.ts";

export const incidentRecordV1Schema = z
  .strictObject({
    ...recordBase("Incident", 1),
    incidentId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/),
    fault: z.strictObject({
      /** Fault kind in Chaos Mesh style: `node-failure`, `network-partition`, `byzantine`, … */
      kind: kebabNameSchema,
      description: z.string().max(2000),
      /** Whether the chaos engine injected it on purpose. */
      injected: z.boolean(),
      /** The chaos report of the experiment that injected it, if published already. */
      experimentCid: cidSchema.optional(),
    }),
    affectedNodes: z.array(nodeIdSchema).min(1),
    startedAt: dateTimeSchema,
    detectedAt: dateTimeSchema,
    /** `null` while unhealed. */
    healedAt: dateTimeSchema.nullable(),
    /** detectedAt − startedAt. */
    timeToDetectMs: durationMs,
    /** healedAt − startedAt; `null` while unhealed. */
    timeToRecoverMs: durationMs.nullable(),
    actions: z.array(
      z.strictObject({
        /** `restart`, `isolate`, `reroute`, `exclude-from-fl`, … */
        action: kebabNameSchema,
        target: nodeIdSchema,
        at: dateTimeSchema,
        outcome: z.enum(["succeeded", "failed", "skipped"]),
        detail: z.string().max(2000).optional(),
      }),
    ),
    resolution: z.strictObject({
      status: z.enum(["healed", "mitigated", "unresolved", "escalated"]),
      summary: z.string().min(1).max(4000),
    }),
  })
  .superRefine((record, ctx) => {
    const started = Date.parse(record.startedAt);
    const detected = Date.parse(record.detectedAt);
    if (detected < started) addIssue(ctx, ["detectedAt"], "is before startedAt");
    if (record.timeToDetectMs !== detected - started) {
      addIssue(ctx, ["timeToDetectMs"], `is ${record.timeToDetectMs} but detectedAt − startedAt is ${detected - started}`);
    }
    if (record.healedAt === null) {
      if (record.timeToRecoverMs !== null) addIssue(ctx, ["timeToRecoverMs"], "must be null while healedAt is null");
      if (record.resolution.status === "healed") addIssue(ctx, ["healedAt"], "is required when the status is healed");
    } else {
      const healed = Date.parse(record.healedAt);
      if (healed < detected) addIssue(ctx, ["healedAt"], "is before detectedAt");
      if (record.timeToRecoverMs !== healed - started) {
        addIssue(ctx, ["timeToRecoverMs"], `is ${record.timeToRecoverMs} but healedAt − startedAt is ${healed - started}`);
      }
    }
  });

export type IncidentRecordV1 = z.infer<typeof incidentRecordV1Schema>;
