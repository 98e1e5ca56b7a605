/**
 * Model record, v1: one global model produced by an FL round, with what went into it
 * and how well it did on the held-out set. The weights themselves are a separate
 * binary artifact (see `modelArtifact.ts`), referenced by CID.
 */
import { z } from "zod";
import {
  addIssue,
  cidSchema,
  count,
  finiteNumber,
  kebabNameSchema,
  nodeIdSchema,
  nonNegative,
  probability,
  recordBase,
} from "./common.ts";

const architectureSchema = z.strictObject({
  /** Model family, e.g. `mlp`. */
  name: kebabNameSchema,
  /** Input shape per example, e.g. `[784]` for MNIST. */
  inputShape: z.array(z.number().int().positive()).min(1),
  /** Output shape per example, e.g. `[10]`. */
  outputShape: z.array(z.number().int().positive()).min(1),
  /** Sizes of the hidden layers in order (`[]` for none). */
  hiddenLayers: z.array(z.number().int().positive()),
  /** Trainable parameters; must equal the artifact manifest's element count. */
  parameterCount: z.number().int().positive(),
});

export const modelRecordV1Schema = z
  .strictObject({
    ...recordBase("Model", 1),
    /** The weights artifact: manifest (JSON) and weights (little-endian Float32) CIDs. */
    artifact: z.strictObject({
      manifestCid: cidSchema,
      weightsCid: cidSchema,
    }),
    architecture: architectureSchema,
    /** The model this round started from; `null` for the first model. */
    parentModelCid: cidSchema.nullable(),
    strategy: z.strictObject({
      /** Aggregation strategy, e.g. `fedavg`, `krum`, `trimmed-mean`. */
      name: z.string().regex(/^[a-z][a-z0-9-]*$/, "must be a lower-case strategy name"),
      /** Its parameters as configured (Krum f, trimmed-mean β, server learning rate, …). */
      parameters: z.record(z.string().min(1), z.union([finiteNumber, z.string(), z.boolean()])),
    }),
    evaluation: z.strictObject({
      holdoutAccuracy: probability,
      holdoutLoss: nonNegative,
      holdoutExamples: z.number().int().positive(),
    }),
    /** Nodes whose updates were aggregated. */
    participants: z
      .array(
        z.strictObject({
          nodeId: nodeIdSchema,
          /** Training examples the update was computed on (FedAvg weight). */
          examples: z.number().int().positive(),
        }),
      )
      .min(1),
    /** Updates refused before aggregation, and why. */
    rejectedUpdates: z.array(
      z.strictObject({
        nodeId: nodeIdSchema,
        reason: z.enum(["bad-signature", "wrong-shape", "non-finite", "late", "duplicate", "norm-bound", "stale-model"]),
        detail: z.string().max(500).optional(),
      }),
    ),
    /** Updates a robust strategy or detector flagged as Byzantine. */
    byzantineFlagged: z.array(
      z.strictObject({
        nodeId: nodeIdSchema,
        /** What flagged it, e.g. `krum`, `norm-outlier`. */
        detector: kebabNameSchema,
        score: finiteNumber.optional(),
        /** Whether the update was left out of the aggregate. */
        excluded: z.boolean(),
      }),
    ),
    /** Differential privacy spent by this round; `null` when DP was off. */
    privacy: z
      .strictObject({
        mechanism: z.enum(["gaussian"]),
        epsilon: z.number().positive(),
        delta: z.number().min(0).max(1),
        clippingNorm: z.number().positive(),
        noiseMultiplier: nonNegative,
        /** ε spent since the first model, by the accountant named. */
        cumulativeEpsilon: z.number().positive().optional(),
        accountant: z.string().min(1).optional(),
      })
      .nullable(),
    /** Examples in all aggregated updates. */
    totalExamples: count,
  })
  .superRefine((record, ctx) => {
    const participants = new Set<string>();
    record.participants.forEach((participant, index) => {
      if (participants.has(participant.nodeId)) addIssue(ctx, ["participants", index, "nodeId"], "appears twice");
      participants.add(participant.nodeId);
    });
    record.rejectedUpdates.forEach((rejected, index) => {
      if (participants.has(rejected.nodeId)) {
        addIssue(ctx, ["rejectedUpdates", index, "nodeId"], "is also listed as a participant");
      }
    });
    record.byzantineFlagged.forEach((flagged, index) => {
      if (flagged.excluded && participants.has(flagged.nodeId)) {
        addIssue(ctx, ["byzantineFlagged", index, "nodeId"], "is excluded but also listed as a participant");
      }
    });
    const sum = record.participants.reduce((total, participant) => total + participant.examples, 0);
    if (sum !== record.totalExamples) {
      addIssue(ctx, ["totalExamples"], `is ${record.totalExamples} but participants' examples sum to ${sum}`);
    }
    if (record.parentModelCid !== null && record.parentModelCid === record.artifact.manifestCid) {
      addIssue(ctx, ["parentModelCid"], "cannot be the model's own artifact");
    }
  });

export type ModelRecordV1 = z.infer<typeof modelRecordV1Schema>;
