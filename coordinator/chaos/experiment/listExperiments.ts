/**
 * Lists the experiment files in a folder (`synod chaos ls`).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { InvalidExperimentError, type ChaosIssue } from "../../errors/chaos.ts";
import type { ExperimentSchedule, MethodStep } from "./experimentSchema.ts";
import { parseExperiment } from "./loadExperiment.ts";

/** One listed experiment; invalid files are listed with their problems rather than hidden. */
export type ExperimentListing =
  | { file: string; valid: true; name: string; title: string; tags: string[]; faults: string[]; nominalDurationMs: number; scheduleEveryMs: number | null; schedule: ExperimentSchedule | null }
  | { file: string; valid: false; issues: ChaosIssue[] };

/** How long a method takes at full length, ms (faults in the foreground wait their duration). */
export function nominalDurationMs(steps: readonly MethodStep[]): number {
  let total = 0;
  for (const step of steps) {
    if (step.type === "pause") total += step.durationMs;
    else if (step.type === "fault") total += step.background ? 0 : Number(step.spec.durationMs ?? 0);
    else total += Math.max(0, ...step.steps.map((s) => nominalDurationMs([s])));
  }
  return total;
}

function kinds(steps: readonly MethodStep[]): string[] {
  return steps.flatMap((s) => (s.type === "fault" ? [s.kind] : s.type === "parallel" ? kinds(s.steps) : []));
}

/**
 * Reads every `*.yaml` / `*.yml` in `dir`, sorted by file name.
 *
 * @example
 * import { listExperiments } from "./listExperiments.ts";
 * for (const e of await listExperiments("experiments")) console.log(e.file, e.valid ? e.title : e.issues);
 */
export async function listExperiments(dir: string): Promise<ExperimentListing[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const out: ExperimentListing[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    try {
      const e = parseExperiment(await readFile(file, "utf8"), file);
      out.push({ file, valid: true, name: e.name, title: e.title, tags: e.tags, faults: [...new Set(kinds(e.method))], nominalDurationMs: nominalDurationMs(e.method), scheduleEveryMs: e.schedule?.everyMs ?? null, schedule: e.schedule ?? null });
    } catch (error) {
      if (error instanceof InvalidExperimentError) out.push({ file, valid: false, issues: [...error.issues] });
      else throw error;
    }
  }
  return out;
}
