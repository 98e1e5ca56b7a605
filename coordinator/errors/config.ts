/**
 * Errors of the coordinator's configuration (`coordinator/config.ts`): raised once at
 * boot, before anything listens, so the operator sees every problem at once.
 */
import { BaseError } from "./base.ts";

const DOCS = "#configuration";

/** One problem with one environment variable. */
export type ConfigIssue = {
  /** The variable, e.g. `SYNOD_API_PORT`; empty for a problem across variables. */
  variable: string;
  message: string;
};

/**
 * The environment does not describe a valid configuration. Lists every problem, each
 * with its variable, never the variable's value (it may be a secret).
 *
 * @example
 * new ConfigValidationError({ issues: [{ variable: "SYNOD_API_PORT", message: "must be an integer from 0 to 65535" }] })
 */
export type ConfigValidationErrorType = ConfigValidationError & { name: "ConfigValidationError" };
export class ConfigValidationError extends BaseError {
  readonly issues: readonly ConfigIssue[];

  constructor({ issues }: { issues: readonly ConfigIssue[] }) {
    super(`Invalid configuration: ${issues.length} problem${issues.length === 1 ? "" : "s"}.`, {
      name: "ConfigValidationError",
      metaMessages: issues.map((issue) => `- ${issue.variable || "(environment)"}: ${issue.message}`),
      details: "Fix the variables above (see .env.example) and start again.",
      docsPath: DOCS,
    });
    this.issues = issues;
  }
}

/**
 * The admin token file under `SYNOD_DATA_DIR` could not be created or read, or holds
 * something that is not a token.
 */
export type AdminTokenFileErrorType = AdminTokenFileError & { name: "AdminTokenFileError" };
export class AdminTokenFileError extends BaseError {
  readonly path: string;

  constructor({ path, reason, cause }: { path: string; reason: string; cause?: unknown }) {
    super(`Cannot use the admin token file ${path}: ${reason}.`, {
      name: "AdminTokenFileError",
      cause,
      metaMessages: ["Set SYNOD_ADMIN_TOKEN, or delete the file to have a new token generated."],
      docsPath: DOCS,
    });
    this.path = path;
  }
}
