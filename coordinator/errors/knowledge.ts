/**
 * Errors of the knowledge layer: record validation and the model weights artifact.
 */
import { BaseError } from "./base.ts";

/** One problem found in a record, with the path of the field it concerns. */
export type RecordIssue = {
  /** Dotted path, e.g. `evaluation.holdoutAccuracy` or `participants[2].nodeId`; empty for the record itself. */
  path: string;
  message: string;
};

/** A knowledge record does not match its schema. Lists every problem, not just the first. */
export type RecordValidationErrorType = RecordValidationError & { name: "RecordValidationError" };
export class RecordValidationError extends BaseError {
  readonly kind: string | undefined;
  readonly issues: readonly RecordIssue[];

  constructor({ kind, issues }: { kind?: string | undefined; issues: readonly RecordIssue[] }) {
    super(
      `Invalid ${kind ?? "knowledge"} record: ${issues.length} problem${issues.length === 1 ? "" : "s"}.`,
      {
        name: "RecordValidationError",
        metaMessages: issues.map((issue) => `- ${issue.path || "(record)"}: ${issue.message}`),
        docsPath: "#knowledge-model",
      },
    );
    this.kind = kind;
    this.issues = issues;
  }
}

/** The weights bytes do not match what the manifest says about them. */
export type ModelArtifactMismatchErrorType = ModelArtifactMismatchError & { name: "ModelArtifactMismatchError" };
export class ModelArtifactMismatchError extends BaseError {
  readonly field: string;

  constructor({ field, expected, actual }: { field: string; expected: string; actual: string }) {
    super(`Model weights do not match their manifest: ${field} is ${actual}, the manifest says ${expected}.`, {
      name: "ModelArtifactMismatchError",
      docsPath: "#knowledge-model",
    });
    this.field = field;
  }
}

/** Weights that cannot be published: NaN/Infinity, or a layer layout that does not cover them. */
export type InvalidModelWeightsErrorType = InvalidModelWeightsError & { name: "InvalidModelWeightsError" };
export class InvalidModelWeightsError extends BaseError {
  constructor({ reason }: { reason: string }) {
    super(`Invalid model weights: ${reason}.`, { name: "InvalidModelWeightsError" });
  }
}

/** Neither this coordinator's outbox nor the chain knows a record with this CID. */
export type UnknownKnowledgeErrorType = UnknownKnowledgeError & { name: "UnknownKnowledgeError" };
export class UnknownKnowledgeError extends BaseError {
  readonly statusCode = 404;
  constructor({ cid }: { cid: string }) {
    super(`No knowledge record has CID ${cid}.`, { name: "UnknownKnowledgeError", metaMessages: ["List records with `synod knowledge ls`."] });
  }
}

/** The keeper has built no epoch with this number. */
export type UnknownEpochErrorType = UnknownEpochError & { name: "UnknownEpochError" };
export class UnknownEpochError extends BaseError {
  readonly statusCode = 404;
  constructor({ epoch }: { epoch: number }) {
    super(`No knowledge epoch ${epoch}.`, { name: "UnknownEpochError", metaMessages: ["List epochs with `synod knowledge epochs`."] });
  }
}

/** An epoch manifest whose records do not hash to the root it (or the chain) claims. */
export type EpochRootMismatchErrorType = EpochRootMismatchError & { name: "EpochRootMismatchError" };
export class EpochRootMismatchError extends BaseError {
  constructor({ epoch, expected, actual }: { epoch: number; expected: string; actual: string }) {
    super(`Epoch ${epoch}: the manifest's records give root ${actual}, expected ${expected}.`, {
      name: "EpochRootMismatchError",
      metaMessages: ["The manifest was altered, or it belongs to another epoch."],
    });
  }
}
