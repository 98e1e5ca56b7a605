/**
 * Reads and validates experiment files: YAML syntax, the format's schema, each fault's
 * spec by its kind's own validator, and cross references (probe names in abort
 * conditions). Every problem is reported with its path.
 */
import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import { InvalidExperimentError, type ChaosIssue } from "../../errors/chaos.ts";
import { FAULT_KINDS } from "../faults/index.ts";
import { ExperimentSchema, type Experiment, type MethodStep } from "./experimentSchema.ts";

/**
 * Validates a parsed experiment document.
 *
 * @param value - the YAML document as plain data.
 * @returns the experiment, or every problem found.
 */
export function validateExperiment(value: unknown): { ok: true; experiment: Experiment } | { ok: false; issues: ChaosIssue[] } {
  const parsed = ExperimentSchema.safeParse(value);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })) };
  const experiment = parsed.data;
  const issues: ChaosIssue[] = [];
  const names = new Set<string>();
  const visit = (steps: MethodStep[], path: string): void => {
    steps.forEach((step, index) => {
      const at = `${path}.${index}`;
      if (step.type === "parallel") return visit(step.steps, `${at}.steps`);
      if (step.type !== "fault") return;
      if (names.has(step.name)) issues.push({ path: `${at}.name`, message: `"${step.name}" is used by another step` });
      names.add(step.name);
      const result = FAULT_KINDS[step.kind].validate(step.spec);
      if (!result.ok) for (const issue of result.issues) issues.push({ path: `${at}.spec${issue.path ? `.${issue.path}` : ""}`, message: issue.message });
    });
  };
  visit(experiment.method, "method");
  const probes = new Set(experiment["steady-state-hypothesis"].probes.map((p) => p.name));
  if (probes.size !== experiment["steady-state-hypothesis"].probes.length) issues.push({ path: "steady-state-hypothesis.probes", message: "probe names must be unique" });
  experiment.abort.probeFailures.forEach((rule, index) => {
    if (!probes.has(rule.probe)) issues.push({ path: `abort.probeFailures.${index}.probe`, message: `no probe named "${rule.probe}"` });
  });
  return issues.length ? { ok: false, issues } : { ok: true, experiment };
}

/**
 * Parses experiment YAML text.
 *
 * @param text - the file's contents.
 * @param file - its path, for error messages.
 * @throws {InvalidExperimentError} with every problem (YAML errors with line numbers).
 */
export function parseExperiment(text: string, file?: string): Experiment {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length) {
    throw new InvalidExperimentError({ file, issues: document.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}` : "", message: e.message.split("\n")[0] ?? e.message })) });
  }
  const result = validateExperiment(document.toJS());
  if (!result.ok) throw new InvalidExperimentError({ file, issues: result.issues });
  return result.experiment;
}

/**
 * Reads and validates an experiment file.
 *
 * @example
 * import { loadExperiment } from "./loadExperiment.ts";
 * const experiment = await loadExperiment("experiments/node-failure.yaml");
 */
export async function loadExperiment(file: string): Promise<Experiment> {
  return parseExperiment(await readFile(file, "utf8"), file);
}
