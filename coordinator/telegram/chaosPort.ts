/**
 * The chaos engine as the bot sees it: the experiments it can run (the YAML files in
 * `experiments/`), starting one by name, and what is going on. `chaosPortFromEngine.ts`
 * adapts the real engine and `runExperiment`; the coordinator passes it to the bot
 * where it runs the chaos engine (`createTelegramService({ chaos })`).
 */

/** A valid experiment file (the fields of `listExperiments`' valid entries the bot shows). */
export type ExperimentEntry = { file: string; name: string; title: string; nominalDurationMs: number };

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
