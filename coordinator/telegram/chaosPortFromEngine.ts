/**
 * {@link ChaosPort} over the real chaos engine: experiments from `listExperiments`,
 * runs through `runExperiment` in the background (one at a time), status from the
 * engine's fault statuses and statistics and the last run's journal.
 */
import type { ChaosEngine } from "../chaos/chaosEngine.ts";
import { listExperiments } from "../chaos/experiment/listExperiments.ts";
import { runExperiment, type ExperimentDeps } from "../chaos/experiment/runExperiment.ts";
import type { Logger } from "../logger.ts";
import { ExperimentRunningError, findExperiment, UnknownExperimentError, type ChaosPort, type ChaosStatusView, type ExperimentEntry } from "./chaosPort.ts";

export type ChaosPortFromEngineParameters = {
  engine: ChaosEngine;
  /** What `runExperiment` needs (system, rounds, MAPE-K, outbox, events). */
  deps: Omit<ExperimentDeps, "engine">;
  /** The folder of experiment files; default `experiments`. */
  experimentsDir?: string;
  /** Passed to `runExperiment` (0.05 turns 60 s into 3 s); default 1. */
  timeScale?: number;
  logger?: Logger;
};

/**
 * @example
 * import { chaosPortFromEngine } from "./chaosPortFromEngine.ts";
 * const chaos = chaosPortFromEngine({ engine, deps: { system: mesh, rounds: () => fl.mesh.runner.history, mapek, outbox, events } });
 * await chaos.run("node-failure");
 */
export function chaosPortFromEngine({ engine, deps, experimentsDir = "experiments", timeScale = 1, logger }: ChaosPortFromEngineParameters): ChaosPort {
  let running: ChaosStatusView["running"] = null;
  let last: ChaosStatusView["last"] = null;
  const experiments = async (): Promise<ExperimentEntry[]> =>
    (await listExperiments(experimentsDir)).flatMap((e) => (e.valid ? [{ file: e.file, name: e.name, title: e.title, nominalDurationMs: e.nominalDurationMs }] : []));
  return {
    experiments,
    async run(name) {
      if (running) throw new ExperimentRunningError({ experiment: running.experiment });
      const listings = await experiments();
      const entry = findExperiment(listings, name);
      if (!entry) throw new UnknownExperimentError({ name, known: listings.map((e) => e.name) });
      running = { experiment: entry.name, title: entry.title, startedAt: Date.now(), phase: "started", detail: "" };
      const current = running;
      void runExperiment(entry.file, { ...deps, engine }, {
        timeScale,
        onProgress: (p) => {
          current.phase = p.phase;
          current.detail = p.detail;
        },
      })
        .then(({ journal }) => {
          last = {
            experiment: journal.experiment.name,
            status: journal.status,
            deviated: journal.deviated,
            resilienceScore: journal.resilienceScore,
            mttdMs: journal.mttdMs,
            mttrMs: journal.mttrMs,
            reportCid: journal.records?.chaosReportCid ?? null,
            endedAt: journal.endedAt,
          };
        })
        .catch((error: unknown) => logger?.error({ err: error, experiment: entry.name }, "chaos experiment failed"))
        .finally(() => {
          running = null;
        });
      return { experiment: entry.name, title: entry.title, nominalDurationMs: Math.round(entry.nominalDurationMs * timeScale) };
    },
    async status() {
      const statistics: ChaosStatusView["statistics"] = {};
      for (const [kind, s] of Object.entries(engine.statistics())) {
        if (s.injected > 0 || s.active > 0) statistics[kind] = { injected: s.injected, active: s.active, recovered: s.recovered, failed: s.failed, mttdMs: s.mttdMs, mttrMs: s.mttrMs };
      }
      const activeFaults = engine
        .statuses()
        .filter((s) => s.phase === "injected" || s.phase === "injecting" || s.phase === "recovering")
        .map((s) => ({ faultId: s.faultId, kind: s.kind, affected: s.affected }));
      return { running: running && { ...running }, last, activeFaults, statistics };
    },
  };
}
