/**
 * Errors of the chaos engine: invalid fault specs and experiments, faults that could
 * not be applied or reverted, and node hosts that misbehave.
 */
import { BaseError } from "./base.ts";

/** One problem in a fault spec or an experiment, with the path of the field it concerns. */
export type ChaosIssue = {
  /** Dotted path, e.g. `method[2].spec.latencyMs`; empty for the document itself. */
  path: string;
  message: string;
};

/** A fault spec failed validation; `issues` lists every problem (Chaos Mesh webhook style). */
export type InvalidFaultSpecErrorType = InvalidFaultSpecError & { name: "InvalidFaultSpecError" };
export class InvalidFaultSpecError extends BaseError {
  readonly kind: string;
  readonly issues: readonly ChaosIssue[];
  constructor({ kind, issues }: { kind: string; issues: readonly ChaosIssue[] }) {
    super(`Invalid ${kind} fault: ${issues.length} problem${issues.length === 1 ? "" : "s"}.`, {
      name: "InvalidFaultSpecError",
      metaMessages: issues.map((issue) => `- ${issue.path || "(spec)"}: ${issue.message}`),
      docsPath: "#chaos",
    });
    this.kind = kind;
    this.issues = issues;
  }
}

/** No fault kind is registered under the requested name. */
export class UnknownFaultKindError extends BaseError {
  constructor({ kind, known }: { kind: string; known: readonly string[] }) {
    super(`Unknown fault kind "${kind}".`, { name: "UnknownFaultKindError", metaMessages: [`known: ${known.join(", ")}`] });
  }
}

/** An experiment file failed to parse or validate; `issues` lists every problem. */
export class InvalidExperimentError extends BaseError {
  readonly statusCode = 400;
  readonly file: string | undefined;
  readonly issues: readonly ChaosIssue[];
  constructor({ file, issues }: { file?: string | undefined; issues: readonly ChaosIssue[] }) {
    super(`Invalid chaos experiment${file ? ` ${file}` : ""}: ${issues.length} problem${issues.length === 1 ? "" : "s"}.`, {
      name: "InvalidExperimentError",
      metaMessages: issues.map((issue) => `- ${issue.path || "(experiment)"}: ${issue.message}`),
      docsPath: "#chaos",
    });
    this.file = file;
    this.issues = issues;
  }
}

/** The selector matched fewer targets than the fault needs. */
export class NoTargetsError extends BaseError {
  constructor({ kind, reason }: { kind: string; reason: string }) {
    super(`${kind}: no targets selected (${reason}).`, { name: "NoTargetsError" });
  }
}

/** Applying a fault failed; whatever part was applied has been reverted. */
export class FaultApplyError extends BaseError {
  readonly kind: string;
  constructor({ kind, faultId, cause }: { kind: string; faultId: string; cause: unknown }) {
    super(`Could not apply ${kind} fault ${faultId}.`, { name: "FaultApplyError", cause, metaMessages: [`fault: ${faultId}`] });
    this.kind = kind;
  }
}

/** Reverting a fault failed: the system may still be impaired. */
export class FaultRecoverError extends BaseError {
  readonly kind: string;
  constructor({ kind, faultId, cause }: { kind: string; faultId: string; cause: unknown }) {
    super(`Could not recover ${kind} fault ${faultId}.`, { name: "FaultRecoverError", cause, metaMessages: [`fault: ${faultId}`] });
    this.kind = kind;
  }
}

/** An experiment was aborted by one of its abort conditions. */
export class ExperimentAbortedError extends BaseError {
  constructor({ experiment, reason }: { experiment: string; reason: string }) {
    super(`Experiment ${experiment} aborted: ${reason}.`, { name: "ExperimentAbortedError" });
  }
}

/** An experiment is already running: one at a time. */
export class ExperimentRunningError extends BaseError {
  readonly statusCode = 409;
  constructor({ experiment }: { experiment: string }) {
    super(`Chaos experiment "${experiment}" is still running.`, { name: "ExperimentRunningError", metaMessages: ["One experiment runs at a time: wait for it (`synod chaos status`) or abort it."] });
  }
}

/** No valid experiment file has this name. */
export class UnknownExperimentError extends BaseError {
  readonly statusCode = 404;
  readonly known: string[];
  constructor({ name, known }: { name: string; known: string[] }) {
    super(`No chaos experiment is named "${name}".`, { name: "UnknownExperimentError", metaMessages: [`Known: ${known.join(", ") || "(none)"}.`] });
    this.known = known;
  }
}

/** No chaos run has this id. */
export class UnknownChaosRunError extends BaseError {
  readonly statusCode = 404;
  constructor({ runId }: { runId: number }) {
    super(`No chaos run ${runId}.`, { name: "UnknownChaosRunError", metaMessages: ["List the runs with `synod chaos runs`."] });
  }
}

/** The coordinator's mesh is not one the chaos engine can act on. */
export class ChaosUnavailableError extends BaseError {
  readonly statusCode = 503;
  readonly expose = true;
  constructor({ reason }: { reason: string }) {
    super(`Chaos experiments and the MAPE-K loop are not running here: ${reason}.`, {
      name: "ChaosUnavailableError",
      metaMessages: ["They act on a mesh in node-host processes: set SYNOD_MESH_NODES_PER_HOST > 0 (the default, 10)."],
    });
  }
}

/** The mesh did not come to rest (nodes connected, no open incident) before a measurement that needs a clean start. */
export class MeshNotQuietError extends BaseError {
  constructor({ condition, open, groups }: { condition: string; open: readonly string[]; groups: readonly string[] }) {
    super(`The mesh was not quiet before measuring "${condition}".`, {
      name: "MeshNotQuietError",
      metaMessages: [`open incidents: ${open.join(", ") || "(none)"}`, `incident groups: ${groups.join(", ") || "(none)"}`],
    });
  }
}
