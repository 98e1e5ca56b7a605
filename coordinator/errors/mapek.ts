/**
 * Errors of the MAPE-K loop.
 */
import { BaseError } from "./base.ts";

/** The φ thresholds are not strictly decreasing (EUPHORIC > HARMONIC > CONTEMPLATIVE > MYSTICAL). */
export class InvalidThresholdsError extends BaseError {
  constructor({ thresholds }: { thresholds: Record<string, number> }) {
    super("MAPE-K φ thresholds must be strictly decreasing from EUPHORIC to MYSTICAL.", {
      name: "InvalidThresholdsError",
      metaMessages: Object.entries(thresholds).map(([k, v]) => `${k}: ${v}`),
    });
  }
}

/** A heartbeat did not match its schema. */
export class InvalidHeartbeatError extends BaseError {
  constructor({ issues }: { issues: string[] }) {
    super("Invalid heartbeat.", { name: "InvalidHeartbeatError", metaMessages: issues });
  }
}

/** A healing action failed. */
export class HealingActionError extends BaseError {
  readonly action: string;
  readonly target: string | null;
  constructor({ action, target, cause }: { action: string; target: string | null; cause: unknown }) {
    super(`Healing action ${action}${target ? ` on ${target}` : ""} failed.`, { name: "HealingActionError", cause });
    this.action = action;
    this.target = target;
  }
}

/** Anomaly model parameters that do not fit its MLP (another architecture, or a truncated array). */
export class InvalidAnomalyModelParamsError extends BaseError {
  constructor({ expected, actual }: { expected: number; actual: number }) {
    super(`The anomaly model's MLP has ${expected} parameters, not ${actual}.`, { name: "InvalidAnomalyModelParamsError" });
  }
}
