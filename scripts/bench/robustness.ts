/**
 * bench:robustness — accuracy of FL strategies × attacks × Byzantine fraction on
 * MNIST (100 clients, Dirichlet α = 0.5 by default), several seeds, mean ± std.
 *
 *   npm run bench:robustness -- [--rounds 20] [--seeds 3] [--model logistic-regression|mlp]
 *     [--strategies fedavg,multikrum,…] [--attacks none,gaussian-noise,sign-flip,alie,label-flip]
 *     [--fractions 0,0.1,0.2,0.3] [--clients 100] [--alpha 0.5] [--workers 2]
 *     [--reputation] [--reduced] [--output FILE]
 *
 * `--reduced` keeps the full fraction sweep only for the Gaussian and ALIE attacks and
 * runs sign flip and label flip at 20 % only (for a loaded 2-core machine).
 * Each (strategy, attack, fraction, seed) run is one job; jobs run in `--workers`
 * child processes. Robust rules assume f = max(actual Byzantine count, 20 % of clients)
 * — the 20 % threat model — so a configuration outside a rule's precondition (Bulyan
 * with 30 % Byzantine clients needs n ≥ 123) is reported as refused, not run.
 * JSON on stdout, progress on stderr.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BaseError } from "../../coordinator/errors/base.ts";
import type { AttackSpec } from "../../coordinator/fl/attacks/createAttack.ts";
import { loadMnist } from "../../coordinator/fl/datasets/mnist.ts";
import { Reputation } from "../../coordinator/fl/reputation.ts";
import { createStrategy, type StrategySpec } from "../../coordinator/fl/strategies/createStrategy.ts";
import { createSimulatedMesh } from "../../coordinator/mesh/createSimulatedMesh.ts";

type Job = {
  strategy: string;
  attack: string;
  fraction: number;
  seed: number;
  rounds: number;
  model: "logistic-regression" | "mlp";
  clients: number;
  alpha: number;
  learningRate: number;
  localEpochs: number;
  reputation: boolean;
};

type JobResult = Job & { assumedF: number; refused: string | null; accuracy: (number | null)[]; seconds: number };

/** Strategy config for a job; f is the number of Byzantine clients the rule assumes. */
function strategySpec(name: string, f: number): StrategySpec {
  switch (name) {
    case "krum":
    case "bulyan":
      return { name, numMalicious: f };
    case "multikrum":
      return { name, numMalicious: f };
    case "fedtrimmedavg":
      return { name, beta: 0.2 };
    case "centered-clipping":
      return { name, tau: 1, iterations: 3 };
    case "norm-clipping":
      return { name, maxNorm: 1 };
    case "fedprox":
      return { name, proximalMu: 0.01 };
    default:
      return { name } as StrategySpec;
  }
}

/** Attack config used by the benchmark. */
function attackSpec(kind: string): AttackSpec {
  switch (kind) {
    case "gaussian-noise":
      return { kind, std: 10 };
    case "alie":
      // Omniscient ALIE (μ, σ over the honest clients), z from Baruch et al.
      return { kind, omniscient: true };
    default:
      return { kind } as AttackSpec;
  }
}

async function runJob(job: Job): Promise<JobResult> {
  const started = performance.now();
  const count = Math.floor(job.fraction * job.clients);
  const assumedF = Math.max(count, Math.floor(0.2 * job.clients));
  const base = { ...job, assumedF, accuracy: [] as (number | null)[] };
  try {
    const strategy = createStrategy(strategySpec(job.strategy, assumedF));
    const min = Math.max(strategy.minResults(), 3);
    if (min > job.clients) {
      return { ...base, refused: `${strategy.name} with f = ${assumedF} needs ≥ ${min} updates per round, only ${job.clients} clients`, seconds: 0 };
    }
    const mesh = createSimulatedMesh({
      dataset: loadMnist(),
      model: job.model,
      numNodes: job.clients,
      partition: { kind: "dirichlet", alpha: job.alpha },
      strategy,
      // Without --reputation nobody is ever banned: the numbers are the aggregation rule's alone.
      reputation: new Reputation(job.reputation ? {} : { banBelow: 0 }),
      config: { minFitClients: min, minAvailableClients: min, learningRate: job.learningRate, localEpochs: job.localEpochs, batchSize: 32, trustWeightedSampling: job.reputation },
      ...(job.attack !== "none" && count > 0 ? { byzantine: { fraction: job.fraction, attack: attackSpec(job.attack) } } : {}),
      seed: job.seed,
    });
    for (let r = 0; r < job.rounds; r++) {
      const record = await mesh.runner.runRound();
      base.accuracy.push(record.evaluation?.accuracy ?? null);
    }
    return { ...base, refused: null, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    if (error instanceof BaseError) return { ...base, refused: error.shortMessage, seconds: (performance.now() - started) / 1000 };
    throw error;
  }
}

function runInChild(job: Job): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--job", JSON.stringify(job)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out) as JobResult) : reject(new Error(`job ${JSON.stringify(job)} exited with ${code}`))));
  });
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      job: { type: "string" },
      rounds: { type: "string", default: "20" },
      seeds: { type: "string", default: "3" },
      model: { type: "string", default: "logistic-regression" },
      strategies: { type: "string", default: "fedavg,fedmedian,fedtrimmedavg,krum,multikrum,bulyan,centered-clipping" },
      attacks: { type: "string", default: "none,gaussian-noise,sign-flip,alie,label-flip" },
      fractions: { type: "string", default: "0,0.1,0.2,0.3" },
      clients: { type: "string", default: "100" },
      alpha: { type: "string", default: "0.5" },
      "learning-rate": { type: "string", default: "0.3" },
      "local-epochs": { type: "string", default: "2" },
      workers: { type: "string", default: "2" },
      reputation: { type: "boolean", default: false },
      reduced: { type: "boolean", default: false },
      output: { type: "string" },
    },
  });
  if (values.job) {
    process.stdout.write(JSON.stringify(await runJob(JSON.parse(values.job) as Job)));
    return;
  }
  const common = {
    rounds: Number(values.rounds),
    model: values.model as Job["model"],
    clients: Number(values.clients),
    alpha: Number(values.alpha),
    learningRate: Number(values["learning-rate"]),
    localEpochs: Number(values["local-epochs"]),
    reputation: values.reputation,
  };
  const fractions = values.fractions.split(",").map(Number);
  const jobs: Job[] = [];
  for (const strategy of values.strategies.split(","))
    for (const attack of values.attacks.split(","))
      for (const fraction of attack === "none" ? [0] : values.reduced && !["gaussian-noise", "alie"].includes(attack) ? [0.2] : fractions.filter((f) => f > 0))
        for (let seed = 1; seed <= Number(values.seeds); seed++) jobs.push({ ...common, strategy, attack, fraction, seed });
  process.stderr.write(`bench:robustness: ${jobs.length} runs on ${values.workers} workers\n`);
  const started = performance.now();
  const results: JobResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++] as Job;
      const result = await runInChild(job);
      results.push(result);
      const last = result.accuracy.at(-1);
      process.stderr.write(`[${results.length}/${jobs.length}] ${job.strategy} ${job.attack} ${job.fraction} seed ${job.seed}: ${result.refused ?? (last ?? NaN).toFixed(3)} (${result.seconds.toFixed(1)} s)\n`);
    }
  };
  await Promise.all(Array.from({ length: Number(values.workers) }, worker));

  const groups = new Map<string, JobResult[]>();
  for (const r of results) {
    const key = `${r.strategy}|${r.attack}|${r.fraction}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const summary = [...groups.values()].map((runs) => {
    const first = runs[0] as JobResult;
    // A failed round leaves the model unchanged, so its run counts with the last
    // accuracy it reached (null if it never completed a round).
    const lastOf = (r: JobResult, upTo: number): number | null => {
      for (let i = upTo; i >= 0; i--) if (r.accuracy[i] != null) return r.accuracy[i] as number;
      return null;
    };
    const ok = runs.filter((r) => !r.refused);
    const finals = ok.map((r) => lastOf(r, common.rounds - 1)).filter((x): x is number => x !== null);
    const perRound = Array.from({ length: common.rounds }, (_, i) => {
      const xs = ok.map((r) => lastOf(r, i)).filter((x): x is number => x !== null);
      return xs.length ? Number(mean(xs).toFixed(4)) : null;
    });
    return {
      strategy: first.strategy,
      attack: first.attack,
      byzantineFraction: first.fraction,
      assumedF: first.assumedF,
      seeds: runs.length,
      refused: first.refused,
      failedRounds: ok.reduce((n, r) => n + r.accuracy.filter((a) => a === null).length, 0),
      accuracyMean: finals.length ? Number(mean(finals).toFixed(4)) : null,
      accuracyStd: finals.length ? Number(std(finals).toFixed(4)) : null,
      accuracyPerRound: perRound,
    };
  });
  const report = {
    benchmark: "robustness",
    dataset: "mnist",
    config: { ...common, seeds: Number(values.seeds), fractions, reduced: values.reduced, strategies: values.strategies.split(","), gaussianStd: 10, alie: "omniscient, z = Φ⁻¹((n − s)/n)", assumedF: "max(byzantine, 0.2·clients)" },
    wallSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    results: summary,
  };
  const json = JSON.stringify(report);
  if (values.output) writeFileSync(values.output, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${json}\n`);
}

await main();
