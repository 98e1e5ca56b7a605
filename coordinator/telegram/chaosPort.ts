/**
 * The chaos engine as the bot sees it: the experiments it can run (the YAML files in
 * the coordinator's `experiments/`), starting one by name, and what is going on.
 * `createHttpBackend` (synodBackend.ts) implements it over `/api/chaos/*`.
 */

/** A valid experiment file (the fields of the API's valid listings the bot shows). */
export type ExperimentEntry = { file: string; name: string; title: string; nominalDurationMs: number };

/** What `run` resolves with: the run under way. */
export type ChaosRunStarted = {
  runId: number;
  experiment: string;
  title: string;
  /** The method's length at `timeScale`, ms. */
  nominalDurationMs: number;
  timeScale: number;
};

export type ChaosStatusView = {
  running: { runId: number; experiment: string; title: string; startedAt: number; phase: string; detail: string } | null;
  /**
   * The last finished run. `deviated`, `resilienceScore`, `mttdMs` and `mttrMs` come from
   * its journal: `null` for a run that failed before it had one.
   */
  last: {
    runId: number;
    experiment: string;
    status: string;
    deviated: boolean | null;
    resilienceScore: number | null;
    mttdMs: number | null;
    mttrMs: number | null;
    /** The ChaosReport record's CID (served at `/ipfs/{cid}`). */
    reportCid: string | null;
    endedAt: number;
  } | null;
  activeFaults: Array<{ faultId: string; kind: string; affected: string[] }>;
  /** Fault kinds that were ever injected, with counts and MTTD/MTTR. */
  statistics: Record<string, { injected: number; active: number; recovered: number; failed: number; mttdMs: number | null; mttrMs: number | null }>;
};

export type ChaosPort = {
  /**
   * The valid experiment files.
   * @throws {ChaosUnavailableError} where the coordinator runs no chaos engine (as every call here).
   */
  experiments(): Promise<ExperimentEntry[]>;
  /**
   * Starts an experiment by name (or file name without extension); resolves once it is under way.
   * @param options.timeScale - shortens faults and pauses (0.001–1); default 1, full length.
   * @throws {UnknownExperimentError} @throws {ExperimentRunningError}
   */
  run(name: string, options?: { timeScale?: number }): Promise<ChaosRunStarted>;
  status(): Promise<ChaosStatusView>;
};
