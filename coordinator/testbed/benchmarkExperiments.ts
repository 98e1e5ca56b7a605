/**
 * Runs every experiment in a folder against one hosted mesh: status, MTTD, MTTR and
 * resilience score per experiment (`npm run bench:chaos`, the table in the README).
 */
import { createLogger } from "../logger.ts";
import { loadMnist } from "../fl/datasets/mnist.ts";
import { createStrategy } from "../fl/strategies/createStrategy.ts";
import { KnowledgeRepository } from "../store/knowledgeRepository.ts";
import { openDatabase } from "../store/openDatabase.ts";
import { listExperiments } from "../chaos/experiment/listExperiments.ts";
import { runExperiment, type ExperimentJournal } from "../chaos/experiment/runExperiment.ts";
import { createChaosTestbed } from "./createChaosTestbed.ts";

/** One row of the benchmark. */
export type BenchmarkRow = { file: string; name: string; status: string; deviated: boolean; mttdMs: number | null; mttrMs: number | null; resilienceScore: number; affected: number; wallMs: number };

/**
 * Runs the experiments and returns one row each.
 *
 * @param options.nodes - mesh size.
 * @param options.perHost - nodes per host process.
 * @param options.timeScale - multiplies fault durations and pauses.
 * @param options.files - experiment files (default: every file in `experiments/`).
 */
export async function benchmarkExperiments(options: { nodes: number; perHost: number; timeScale: number; files?: string[]; heartbeatMs?: number; warmupRounds?: number }): Promise<BenchmarkRow[]> {
  const files = options.files?.length ? options.files : (await listExperiments("experiments")).filter((e) => e.valid).map((e) => e.file);
  const db = openDatabase(":memory:");
  const bed = await createChaosTestbed({
    dataset: loadMnist(),
    numNodes: options.nodes,
    nodesPerHost: options.perHost,
    maxExamples: Math.min(10_000, options.nodes * 60),
    strategy: createStrategy({ name: "fedmedian" }),
    roundConfig: { minFitClients: 5, minAvailableClients: 5, learningRate: 0.3, batchSize: 16, roundTimeoutMs: 3000, fractionFit: Math.min(1, 20 / options.nodes) },
    seed: 1,
    heartbeatMs: options.heartbeatMs ?? 250,
    mapekIntervalMs: 250,
    roundGapMs: 200,
    outbox: new KnowledgeRepository(db),
    directiveCooldownMs: 60_000,
    logger: createLogger({ level: process.env.LOG_LEVEL ?? "warn", stderr: true }),
  });
  const rows: BenchmarkRow[] = [];
  try {
    // Warm up until the model is past the experiments' accuracy floor.
    await bed.runRounds(options.warmupRounds ?? 10);
    bed.start();
    for (const file of files) {
      const started = Date.now();
      let journal: ExperimentJournal;
      try {
        ({ journal } = await runExperiment(file, bed.deps, { timeScale: options.timeScale, onProgress: (p) => console.error(`  [${file}] ${p.phase}: ${p.detail}`) }));
      } catch (error) {
        console.error(`  [${file}] failed: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      for (const [node, why] of bed.mapek.exclusions()) if (why === "byzantine") bed.mapek.reinstate(node);
      rows.push({ file, name: journal.experiment.name, status: journal.status, deviated: journal.deviated, mttdMs: journal.mttdMs, mttrMs: journal.mttrMs, resilienceScore: journal.resilienceScore, affected: new Set(journal.faults.flatMap((f) => f.affected)).size, wallMs: Date.now() - started });
    }
  } finally {
    await bed.close();
    db.close();
  }
  return rows;
}
