/** The repository root: Ignition deployments, experiments and artifacts are found from here. */
import path from "node:path";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "..", "..");
