/**
 * bench:round — wall-clock time of one full FL round (select → train → sign → verify
 * → aggregate → evaluate) with every node in this process, at 50, 100 and 500 nodes,
 * logistic regression on MNIST (8000 training digits split IID, 2000 held out).
 *
 *   npm run bench:round -- [--nodes 50,100,500] [--rounds 5] [--strategy fedavg|multikrum|…] [--model logistic-regression|mlp]
 *
 * One warm-up round, then `--rounds` timed rounds; reports the median and the phase
 * breakdown of the median round. JSON on stdout (one line per node count), progress
 * on stderr.
 */
import { loadMnist } from "../../coordinator/fl/datasets/mnist.ts";
import { createStrategy } from "../../coordinator/fl/strategies/createStrategy.ts";
import type { RoundRecord } from "../../coordinator/fl/roundRunner.ts";
import { createSimulatedMesh } from "../../coordinator/mesh/createSimulatedMesh.ts";
import { parseArgs } from "node:util";
import { cpus, loadavg } from "node:os";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "50,100,500" },
    rounds: { type: "string", default: "5" },
    strategy: { type: "string", default: "fedavg" },
    model: { type: "string", default: "logistic-regression" },
  },
});

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const dataset = loadMnist();
for (const numNodes of values.nodes.split(",").map(Number)) {
  const f = Math.floor(0.2 * numNodes);
  const spec = ["krum", "multikrum", "bulyan"].includes(values.strategy) ? { name: values.strategy, numMalicious: values.strategy === "bulyan" ? Math.floor((numNodes - 3) / 4) : f } : { name: values.strategy };
  const strategy = createStrategy(spec);
  const setupStarted = performance.now();
  const mesh = createSimulatedMesh({
    dataset,
    model: values.model as "logistic-regression" | "mlp",
    numNodes,
    partition: { kind: "iid" },
    strategy,
    config: { minFitClients: Math.max(3, strategy.minResults()), minAvailableClients: Math.max(3, strategy.minResults()), fractionFit: 1, localEpochs: 1, batchSize: 32, learningRate: 0.1, roundTimeoutMs: 60_000 },
    seed: 1,
  });
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  process.stderr.write(`${numNodes} nodes: set up in ${setupSeconds.toFixed(2)} s, warm-up round…\n`);
  await mesh.runner.runRound();
  const records: { wall: number; record: RoundRecord }[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    const t = performance.now();
    const record = await mesh.runner.runRound();
    const wall = (performance.now() - t) / 1000;
    if (record.status !== "completed") throw new Error(`round failed: ${record.reason}`);
    records.push({ wall, record });
    process.stderr.write(`  round ${record.round}: ${wall.toFixed(3)} s, accuracy ${record.evaluation?.accuracy.toFixed(3)}\n`);
  }
  const mid = [...records].sort((a, b) => a.wall - b.wall)[Math.floor(records.length / 2)] as { wall: number; record: RoundRecord };
  const ms = mid.record.timingsMs;
  process.stdout.write(
    `${JSON.stringify({
      benchmark: "round",
      nodes: numNodes,
      model: mesh.model.kind,
      numParams: mesh.model.numParams,
      strategy: strategy.name,
      rounds: records.length,
      secondsMedian: median(records.map((r) => r.wall)),
      secondsMin: Math.min(...records.map((r) => r.wall)),
      secondsMax: Math.max(...records.map((r) => r.wall)),
      phasesOfMedianRoundSeconds: { trainAndSign: ms.fit / 1000, verify: ms.validate / 1000, aggregate: ms.aggregate / 1000, evaluate: ms.evaluate / 1000 },
      accepted: mid.record.accepted.length,
      accuracy: mid.record.evaluation?.accuracy,
      setupSeconds,
      heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      cpus: cpus().length,
      loadAverage1m: loadavg()[0],
    })}\n`,
  );
}
