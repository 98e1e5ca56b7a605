/**
 * The journal a chaos experiment run writes. Its own file because the run
 * (`runExperiment.ts`) writes it and the records built from it (`buildChaosRecords.ts`)
 * read it: both import it, neither imports the other for it.
 */
import type { FaultKindStatistics } from "../chaosEngine.ts";
import type { FaultKindName, FaultStatus } from "../fault.ts";
import type { ProbeResult } from "./probes.ts";

/** One event of the journal. */
export type JournalEvent = { at: number; type: string; node?: string; detail: string };

/** The run's journal. */
export type ExperimentJournal = {
  experiment: { name: string; title: string; file: string | null; timeScale: number };
  status: "completed" | "failed" | "aborted" | "interrupted";
  deviated: boolean;
  startedAt: number;
  endedAt: number;
  steadyStates: { before: ProbeResult[]; during: ProbeResult[][]; after: ProbeResult[] };
  faults: FaultStatus[];
  events: JournalEvent[];
  /** Mean time to detect / recover over affected nodes, ms; `null` when none was detected / healed. */
  mttdMs: number | null;
  mttrMs: number | null;
  /** Litmus: Σ(weight × probe success %) / Σ weight over the during and after samples, 0–100. */
  resilienceScore: number;
  statistics: Partial<Record<FaultKindName, FaultKindStatistics>>;
  abortReason: string | null;
  /** CIDs of the records handed to the outbox. */
  records: { chaosReportCid: string; incidentCids: string[] } | null;
};
