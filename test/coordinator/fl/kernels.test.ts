import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { buildKernelsBinary, KERNELS_WASM_PATH, kernelsWasmSource } from "../../../coordinator/fl/kernels/buildKernels.ts";
import { kernelCoordinateSelect } from "../../../coordinator/fl/kernels/coordinateSelect.ts";
import { gramSquaredDistances } from "../../../coordinator/fl/kernels/gramDistances.ts";
import { closeKernelPool, kernelCounts, kernelPool, type KernelCounts, type KernelPool } from "../../../coordinator/fl/kernels/kernelPool.ts";
import { kernelKrumScores } from "../../../coordinator/fl/kernels/krumScores.ts";
import { kernelSquaredDistancesTo } from "../../../coordinator/fl/kernels/squaredDistancesTo.ts";
import { kernelWeightedMean } from "../../../coordinator/fl/kernels/weightedSum.ts";
import { createRng } from "../../../coordinator/fl/random.ts";
import { coordinateMedianJs, directSquaredDistances, KERNEL_THRESHOLDS, krumScoresJs, setKernelsEnabled, squaredDistancesToJs, trimmedMeanJs, weightedMeanJs } from "../../../coordinator/fl/strategies/aggregation.ts";
import { createStrategy, type StrategySpec } from "../../../coordinator/fl/strategies/createStrategy.ts";
import type { AggregateOutput, ClientResult } from "../../../coordinator/fl/strategies/strategy.ts";

/** n vectors of length d: N(3 + 0.1·i, 1) per coordinate, seeded. */
function vectorsOf(n: number, d: number, seed: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => Float32Array.from({ length: d }, () => 3 + 0.1 * i + rng.normal()));
}

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let j = 0; j < expected.length; j++) worst = Math.max(worst, Math.abs((actual[j] as number) - (expected[j] as number)) / Math.max(1, Math.abs(expected[j] as number)));
  return worst;
}

/** Index of the first coordinate where the two differ (Object.is, so −0 ≠ +0 too), or −1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  for (let j = 0; j < a.length; j++) if (!Object.is(a[j], b[j])) return j;
  return -1;
}

const pool = kernelPool() as KernelPool;
after(async () => {
  setKernelsEnabled(true);
  await closeKernelPool();
});

describe("kernel binary", () => {
  it("is the WAT of kernelsWat.ts as compiled by npm run build:kernels (rebuild in memory, compare bytes)", async () => {
    const rebuilt = await buildKernelsBinary();
    const committed = readFileSync(KERNELS_WASM_PATH, "utf8");
    assert.equal(committed, kernelsWasmSource(rebuilt), "coordinator/fl/kernels/kernelsWasm.ts is stale: run npm run build:kernels");
  });

  it("instantiates in this runtime", () => {
    assert.ok(pool, "kernelPool() returned null: no shared WebAssembly memory here");
  });
});

// Each case runs twice: on the calling thread alone, then with the helper thread ready.
for (const mode of ["calling thread", "with helper thread"] as const) {
  describe(`kernels against the JavaScript path (${mode})`, () => {
    before(async () => {
      if (mode === "with helper thread") assert.equal(await pool.ready(), 1, "the helper thread did not start");
    });

    const shapes = [
      [1, 1],
      [2, 3],
      [5, 17],
      [7, 1003],
      [22, 2051],
      [64, 7850],
      [101, 6000],
    ] as const;

    for (const [n, d] of shapes) {
      it(`median and trimmed mean are exactly those of the sorted columns (n = ${n}, d = ${d})`, () => {
        const vectors = vectorsOf(n, d, n * 31 + d);
        // Ties and repeated values: whole coordinates copied between clients.
        for (let i = 1; i < n; i += 3) (vectors[i] as Float32Array).set((vectors[i - 1] as Float32Array).subarray(0, d >> 1));
        assert.equal(firstDifference(kernelCoordinateSelect(pool, vectors), coordinateMedianJs(vectors)), -1);
        for (const beta of [0, 0.1, 0.2, 0.45]) {
          const cut = Math.floor(beta * n);
          assert.equal(firstDifference(kernelCoordinateSelect(pool, vectors, cut), trimmedMeanJs(vectors, beta)), -1, `β = ${beta}`);
        }
      });

      it(`weighted mean matches to float32 rounding (n = ${n}, d = ${d})`, () => {
        const vectors = vectorsOf(n, d, n * 17 + d);
        const weights = vectors.map((_, i) => 1 + ((i * 7) % 13));
        assert.ok(maxRelativeError(kernelWeightedMean(pool, vectors, weights), weightedMeanJs(vectors, weights)) < 3e-7);
        const some = vectors.map((_, i) => i).filter((i) => i % 3 !== 1);
        const subset = weightedMeanJs(
          some.map((i) => vectors[i] as Float32Array),
          some.map((i) => weights[i] as number),
        );
        assert.ok(maxRelativeError(kernelWeightedMean(pool, vectors, weights, some), subset) < 3e-7);
      });

      it(`distances to a point match the float64 loop (n = ${n}, d = ${d})`, () => {
        const vectors = vectorsOf(n, d, n * 5 + d);
        const ref = vectorsOf(1, d, 1)[0] as Float32Array;
        assert.ok(maxRelativeError(kernelSquaredDistancesTo(pool, vectors, ref), squaredDistancesToJs(vectors, ref)) < 1e-6);
      });

      it(`Gram distances and Krum scores match the direct double loop (n = ${n}, d = ${d})`, () => {
        const vectors = vectorsOf(n, d, n * 7 + d);
        const exact = directSquaredDistances(vectors);
        assert.ok(maxRelativeError(gramSquaredDistances(pool, vectors), exact) < 1e-4);
        const all = vectors.map((_, i) => i);
        const f = Math.max(0, Math.floor((n - 3) / 2));
        assert.ok(maxRelativeError(kernelKrumScores(pool, exact, n, all, f), krumScoresJs(exact, n, all, f)) < 1e-12);
        const some = all.filter((i) => i % 4 !== 2);
        assert.ok(maxRelativeError(kernelKrumScores(pool, exact, n, some, 1), krumScoresJs(exact, n, some, 1)) < 1e-12);
      });
    }
  });
}

/** The kernel operations each strategy must reach on a large input. */
const strategies: { spec: StrategySpec; uses: (keyof KernelCounts)[]; exact: boolean }[] = [
  { spec: { name: "fedavg" }, uses: ["weightedSum"], exact: false },
  { spec: { name: "fedavgm" }, uses: ["weightedSum"], exact: false },
  { spec: { name: "fedprox", proximalMu: 0.01 }, uses: ["weightedSum"], exact: false },
  { spec: { name: "fedadam" }, uses: ["weightedSum"], exact: false },
  { spec: { name: "fedmedian" }, uses: ["select"], exact: true },
  { spec: { name: "fedtrimmedavg", beta: 0.2 }, uses: ["select"], exact: true },
  { spec: { name: "krum", numMalicious: 6 }, uses: ["gram", "scores"], exact: true },
  { spec: { name: "multikrum", numMalicious: 6 }, uses: ["gram", "scores", "weightedSum"], exact: false },
  { spec: { name: "bulyan", numMalicious: 6 }, uses: ["gram", "scores", "select"], exact: false },
  { spec: { name: "norm-clipping", maxNorm: 100 }, uses: ["distancesTo", "weightedSum"], exact: false },
  { spec: { name: "centered-clipping", tau: 100 }, uses: ["distancesTo", "weightedSum"], exact: false },
];

describe("strategies on a large input run on the kernels, with the JavaScript path's results", () => {
  // Above every threshold (n·d, n²·d, n²), and n ≥ 4f + 3 for Bulyan with f = 6.
  const n = 40;
  const d = 3001;
  const vectors = vectorsOf(n, d, 99);
  // Six Byzantine clients far from the rest, so robust rules have something to flag.
  for (let i = 0; i < 6; i++) (vectors[i] as Float32Array).forEach((v, j, row) => (row[j] = -5 * v));
  const results: ClientResult[] = vectors.map((params, i) => ({ nodeId: `node-${i}`, params, numExamples: 10 + ((i * 37) % 50) }));
  const input = { round: 1, global: new Float32Array(d).fill(3), results };

  it("the input is above every threshold", () => {
    assert.ok(n * d >= KERNEL_THRESHOLDS.weightedMeanValues && n * d >= KERNEL_THRESHOLDS.selectValues);
    assert.ok(n * n * d >= KERNEL_THRESHOLDS.distanceMacs && n * n >= KERNEL_THRESHOLDS.scoreValues);
  });

  for (const { spec, uses, exact } of strategies) {
    it(`${spec.name} uses ${uses.join(", ")} and agrees with the JavaScript path${exact ? " exactly" : ""}`, () => {
      const counted = kernelCounts();
      const fast = createStrategy(spec).aggregate(input);
      const now = kernelCounts();
      for (const op of uses) assert.ok(now[op] > counted[op], `${spec.name} did not run the ${op} kernel`);
      setKernelsEnabled(false);
      let slow: AggregateOutput;
      try {
        const before = kernelCounts();
        slow = createStrategy(spec).aggregate(input);
        assert.deepEqual(kernelCounts(), before, "the JavaScript path ran a kernel");
      } finally {
        setKernelsEnabled(true);
      }
      assert.deepEqual(fast.flagged, slow.flagged);
      assert.deepEqual(fast.info, slow.info);
      if (exact) assert.equal(firstDifference(fast.params, slow.params), -1);
      else assert.ok(maxRelativeError(fast.params, slow.params) < 1e-6, `largest relative difference ${maxRelativeError(fast.params, slow.params)}`);
    });
  }

  it("small inputs keep the JavaScript path", () => {
    const counted = kernelCounts();
    createStrategy({ name: "fedmedian" }).aggregate({ round: 1, global: new Float32Array(3), results: results.slice(0, 5).map((r) => ({ ...r, params: r.params.subarray(0, 3) })) });
    assert.deepEqual(kernelCounts(), counted);
  });
});

describe("kernel helper thread", () => {
  it("does not keep a process alive: a strategy runs on it and the process exits without closing the pool", async () => {
    const fixture = fileURLToPath(new URL("./kernelExitFixture.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", fixture], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`the process did not exit within 60 s; stdout: ${stdout}; stderr: ${stderr}`));
      }, 60_000);
      child.once("exit", (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    assert.equal(code, 0, stderr);
    const counts = JSON.parse(stdout.trim()) as KernelCounts;
    assert.ok(counts.select >= 1, "the strategy did not run on the kernels");
    assert.ok(counts.helperChunks >= 1, "the helper thread ran no task");
  });
});
