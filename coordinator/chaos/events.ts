/**
 * The chaos engine's events on the coordinator's bus (declaration merging, see
 * `coordinator/events.ts`).
 */
declare module "../events.ts" {
  interface SynodEvents {
    /** A fault was applied to the running system. */
    "chaos.fault.injected": { faultId: string; kind: string; targets: string[]; affected: string[]; durationMs: number };
    /** A fault was reverted. */
    "chaos.fault.recovered": { faultId: string; kind: string; affected: string[]; activeMs: number };
    /** An experiment moved on (live progress for the CLI and the dApp). */
    "chaos.experiment.progress": { experiment: string; runId?: number; phase: string; detail: string };
    /** An experiment ended. */
    "chaos.experiment.finished": { experiment: string; runId?: number; status: string; deviated: boolean; resilienceScore: number; mttdMs: number | null; mttrMs: number | null; reportCid?: string };
    /** A scheduled firing started nothing: a run of the experiment (`overlap`) or another one (`busy`) was still going (concurrency policy Forbid). */
    "chaos.schedule.skipped": { experiment: string; reason: "overlap" | "busy"; runningRunId?: number };
  }
}
export {};
