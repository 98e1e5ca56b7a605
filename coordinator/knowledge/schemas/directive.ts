/**
 * Directive record, v1: policy changes proposed to governance — MeshPolicy parameter
 * values and node bans — with why. Executing the proposal applies them.
 */
import { z } from "zod";
import { addIssue, cidSchema, nodeIdSchema, recordBase } from "./common.ts";
import { mapekStateSchema } from "./mapekSnapshot.ts";

export const setParameterActionSchema = z.strictObject({
  type: z.literal("set-parameter"),
  /** MeshPolicy parameter name (ASCII, ≤ 32 bytes: stored as bytes32), e.g. `fl.minParticipants`. */
  parameter: z.string().regex(/^[\x21-\x7e]{1,32}$/, "must be 1–32 printable ASCII characters"),
  /** New value, a uint256 in decimal (a string: JSON numbers cannot hold every uint256). */
  value: z.string().regex(/^(0|[1-9][0-9]{0,77})$/, "must be a non-negative integer in decimal"),
  /** Value when proposed, for the voters' benefit. */
  previous: z.string().regex(/^(0|[1-9][0-9]{0,77})$/).optional(),
});

export const banNodeActionSchema = z.strictObject({
  type: z.literal("ban-node"),
  nodeId: nodeIdSchema,
  /** Seconds the ban lasts; `null` until lifted by another directive. */
  durationSeconds: z.number().int().positive().nullable(),
});

export const unbanNodeActionSchema = z.strictObject({
  type: z.literal("unban-node"),
  nodeId: nodeIdSchema,
});

export const directiveActionSchema = z.discriminatedUnion("type", [
  setParameterActionSchema,
  banNodeActionSchema,
  unbanNodeActionSchema,
]);
export type DirectiveAction = z.infer<typeof directiveActionSchema>;

export const directiveRecordV1Schema = z
  .strictObject({
    ...recordBase("Directive", 1),
    title: z.string().min(1).max(200),
    rationale: z.string().min(1).max(8000),
    /** What prompted it: the MAPE-K state entered and the snapshot that saw it. */
    trigger: z
      .strictObject({
        state: mapekStateSchema,
        snapshotCid: cidSchema.optional(),
      })
      .nullable(),
    actions: z.array(directiveActionSchema).min(1),
  })
  .superRefine((record, ctx) => {
    const seen = new Map<string, number>();
    record.actions.forEach((action, index) => {
      const key = action.type === "set-parameter" ? `parameter:${action.parameter}` : `node:${action.nodeId}`;
      const first = seen.get(key);
      if (first !== undefined) addIssue(ctx, ["actions", index], `conflicts with actions[${first}] (same target)`);
      else seen.set(key, index);
    });
  });

export type DirectiveRecordV1 = z.infer<typeof directiveRecordV1Schema>;
