/**
 * Errors of the coordinator's HTTP client (`coordinator/client/`), as the CLI and the
 * bot see them: the coordinator refused a call, could not be reached, or answered in a
 * shape its schema does not allow.
 */
import { BaseError, redactUrl } from "./base.ts";

/** What to do about a refused admin call. */
const AUTH_HINT = "Admin commands need the coordinator's token: set SYNOD_ADMIN_TOKEN, or SYNOD_DATA_DIR to the coordinator's data directory (its admin-token file).";

/** The coordinator answered with an error status; `shortMessage` is its own message. */
export type ApiRequestErrorType = ApiRequestError & { name: "ApiRequestError" };
export class ApiRequestError extends BaseError {
  readonly status: number;
  /** The coordinator's error class, e.g. `ExperimentRunningError`, when its body names one. */
  readonly errorName: string | undefined;
  readonly issues: ReadonlyArray<{ path: string; message: string }>;
  constructor({ status, message, errorName, issues = [] }: { status: number; message: string; errorName?: string | undefined; issues?: ReadonlyArray<{ path: string; message: string }> }) {
    super(message, { name: "ApiRequestError", metaMessages: [...issues.map((issue) => `- ${issue.path || "(body)"}: ${issue.message}`), ...(status === 401 || status === 403 ? [AUTH_HINT] : [])] });
    this.status = status;
    this.errorName = errorName;
    this.issues = issues;
  }
}

/** No answer at all (connection refused, DNS, TLS). */
export type CoordinatorUnreachableErrorType = CoordinatorUnreachableError & { name: "CoordinatorUnreachableError" };
export class CoordinatorUnreachableError extends BaseError {
  constructor({ url, cause }: { url: string; cause: unknown }) {
    super(`The coordinator at ${redactUrl(url)} is not reachable.`, {
      name: "CoordinatorUnreachableError",
      cause,
      metaMessages: ["Start it with `npm start`, or point SYNOD_API_URL at a running coordinator."],
    });
  }
}

/**
 * A 2xx whose body does not match the route's response schema: most likely a coordinator
 * of another version. Lists every problem with its path.
 */
export type ApiResponseValidationErrorType = ApiResponseValidationError & { name: "ApiResponseValidationError" };
export class ApiResponseValidationError extends BaseError {
  readonly path: string;
  readonly issues: ReadonlyArray<{ path: string; message: string }>;
  constructor({ path, issues }: { path: string; issues: ReadonlyArray<{ path: string; message: string }> }) {
    super(`The coordinator answered ${path} in a shape this client does not understand (another version?).`, {
      name: "ApiResponseValidationError",
      metaMessages: issues.slice(0, 10).map((issue) => `- ${issue.path || "(body)"}: ${issue.message}`),
    });
    this.path = path;
    this.issues = issues;
  }
}
