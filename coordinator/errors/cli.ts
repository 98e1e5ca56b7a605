/**
 * Errors of the operator CLI (`synod …`).
 */
import { BaseError } from "./base.ts";

/** A command was called the wrong way; the message shows the right way. */
export class UsageError extends BaseError {
  constructor(usage: string) {
    super(`Usage: ${usage}`, { name: "UsageError" });
  }
}
