/**
 * The chaos engine as the bot sees it: the experiments it can run (the YAML files in
 * `experiments/`), starting one by name, and what is going on. `chaosPortFromEngine.ts`
 * adapts the real engine and `runExperiment`; the coordinator passes it to the bot
 * where it runs the chaos engine (`createTelegramService({ chaos })`).
 */
import path from "node:path";
import { BaseError } from "../errors/base.ts";

/** A valid experiment file (the fields of `listExperiments`' valid entries the bot shows). */
export type ExperimentEntry = { file: string; name: string; title: string; nominalDurationMs: number };

/** An experiment is already running: one at a time. */
export class ExperimentRunningError extends BaseError {
  constructor({ experiment }: { experiment: string }) {
    super(`Chaos experiment "${experiment}" is still running.`, { name: "ExperimentRunningError" });
  }
}

/** No valid experiment file has this name. */
export class UnknownExperimentError extends BaseError {
  readonly known: string[];
  constructor({ name, known }: { name: string; known: string[] }) {
    super(`No chaos experiment is named "${name}".`, { name: "UnknownExperimentError", metaMessages: [`Known: ${known.join(", ") || "(none)"}.`] });
    this.known = known;
  }
}

export type ChaosStatusView = {
  running: { experiment: string; title: string; startedAt: number; phase: string; detail: string } | null;
  last: { experiment: string; status: string; deviated: boolean; resilienceScore: number; mttdMs: number | null; mttrMs: number | null; reportCid: string | null; endedAt: number } | null;
  activeFaults: Array<{ faultId: string; kind: string; affected: string[] }>;
  /** Fault kinds that were ever injected, with counts and MTTD/MTTR. */
  statistics: Record<string, { injected: number; active: number; recovered: number; failed: number; mttdMs: number | null; mttrMs: number | null }>;
};

export type ChaosPort = {
  /** The valid experiment files. */
  experiments(): Promise<ExperimentEntry[]>;
  /**
   * Starts an experiment by name (or file name without extension); resolves once it is under way.
   * @throws {UnknownExperimentError} @throws {ExperimentRunningError}
   */
  run(name: string): Promise<{ experiment: string; title: string; nominalDurationMs: number }>;
  status(): Promise<ChaosStatusView>;
};

/** Finds a valid experiment by its `name` or its file name without extension. */
export function findExperiment<E extends { file: string; name: string }>(listings: readonly E[], name: string): E | undefined {
  const wanted = name.trim().toLowerCase();
  return listings.find((e) => e.name.toLowerCase() === wanted || path.basename(e.file).replace(/\.ya?ml$/, "").toLowerCase() === wanted);
}
