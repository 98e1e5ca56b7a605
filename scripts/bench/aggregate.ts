/**
 * bench:aggregate — times the product's aggregation: `createStrategy(spec).aggregate(…)`,
 * the call the round runner makes, on n updates each in its own Float32Array (as the
 * coordinator holds them), against numpy on the same raw float32 file.
 *
 * Single run:
 *   npm run bench:aggregate -- --method M --input FILE --n N --d D [--f F] [--beta B] --output OUT
 * reads n × d little-endian float32 (row-major), writes the d-vector result the same
 * way, prints one JSON line; "seconds" excludes file I/O.
 *
 * Without --input: generates data for each n × d (default n ∈ {100, 500}, d ∈ {1e4,
 * 1e5}; add --ds 10000,100000,1000000 for 1e6), runs every method here (best of
 * --repeat, plus the first, cold call) and the numpy reference (aggregate_reference.py)
 * on the same file, checks both results agree and prints one JSON line per case with
 * both times and their ratio. Without python3 + numpy it says so on stderr, marks the
 * lines `"numpy": "unavailable"` and still prints our timings. Options: --methods a,b
 * --ns 100,500 --ds 10000,100000 --repeat 5 --no-numpy, --js (also time FedAvg, median and
 * trimmed mean with the kernels off: the JavaScript path, best of 2). Progress goes to stderr; each
 * line records the 1-minute load average before the case, which kernels ran, and the
 * process's CPU time over wall time (about 2 when the helper thread had a core).
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { closeKernelPool, kernelCounts, kernelPool, type KernelCounts } from "../../coordinator/fl/kernels/kernelPool.ts";
import { setKernelsEnabled } from "../../coordinator/fl/strategies/aggregation.ts";
import { createStrategy, type StrategySpec } from "../../coordinator/fl/strategies/createStrategy.ts";
import type { AggregateOutput, ClientResult } from "../../coordinator/fl/strategies/strategy.ts";

const METHODS = ["fedavg", "median", "trimmed-mean", "krum", "multi-krum"] as const;
type Method = (typeof METHODS)[number];

/** The strategy each bench method is (equal example counts, so FedAvg is the plain mean). */
function specFor(method: Method, f: number, beta: number): StrategySpec {
  switch (method) {
    case "fedavg":
      return { name: "fedavg" };
    case "median":
      return { name: "fedmedian" };
    case "trimmed-mean":
      return { name: "fedtrimmedavg", beta };
    case "krum":
      return { name: "krum", numMalicious: f };
    case "multi-krum":
      return { name: "multikrum", numMalicious: f };
  }
}

/** Reads n updates of d float32 each, one Float32Array per update. */
function readUpdates(path: string, n: number, d: number): Float32Array[] {
  const fd = openSync(path, "r");
  try {
    return Array.from({ length: n }, (_, i) => {
      const row = new Float32Array(d);
      const bytes = new Uint8Array(row.buffer);
      for (let at = 0; at < bytes.length; ) {
        const got = readSync(fd, bytes, at, bytes.length - at, i * d * 4 + at);
        if (got === 0) throw new Error(`${path}: expected ${n * d * 4} bytes, file ends at ${i * d * 4 + at}`);
        at += got;
      }
      return row;
    });
  } finally {
    closeSync(fd);
  }
}

function writeFloats(path: string, rows: readonly Float32Array[]): void {
  const fd = openSync(path, "w");
  try {
    for (const row of rows) {
      const bytes = new Uint8Array(row.buffer, row.byteOffset, row.byteLength);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    }
  } finally {
    closeSync(fd);
  }
}

/** Fast deterministic test data: per-row offset plus xorshift uniform noise in [-1, 1). */
function generate(n: number, d: number, seed: number): Float32Array[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, (_, i) => {
    const offset = ((i * 2654435761) % 1000) / 5000;
    const row = new Float32Array(d);
    for (let j = 0; j < d; j++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      row[j] = offset + ((s >>> 0) / 2147483648 - 1);
    }
    return row;
  });
}

/** Which kernel operations ran between two snapshots (the proof the product path used them). */
function kernelsUsed(before: Readonly<KernelCounts>, after: Readonly<KernelCounts>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).flatMap(([k, v]) => (v !== before[k as keyof KernelCounts] ? [[k, v - before[k as keyof KernelCounts]]] : [])));
}

type Timing = { seconds: number; coldSeconds: number; cpuPerWall: number; output: AggregateOutput; kernels: Record<string, number> };

/** Times `aggregate` on a fresh strategy per call: the first (cold) call and the best of `repeat`. */
function timeStrategy(spec: StrategySpec, results: readonly ClientResult[], d: number, repeat: number): Timing {
  const global = new Float32Array(d);
  let best = Infinity;
  let cold = 0;
  let output: AggregateOutput | undefined;
  let wall = 0;
  const before = kernelCounts();
  const cpu = process.cpuUsage();
  for (let r = 0; r < repeat; r++) {
    const strategy = createStrategy(spec);
    const t = performance.now();
    output = strategy.aggregate({ round: 1, global, results });
    const seconds = (performance.now() - t) / 1000;
    wall += seconds;
    if (r === 0) cold = seconds;
    best = Math.min(best, seconds);
  }
  const used = process.cpuUsage(cpu);
  const kernels = kernelsUsed(before, kernelCounts());
  // CPU time of all the process's threads over wall time: about 2 when the helper thread got a core.
  const cpuPerWall = (used.user + used.system) / 1e6 / wall;
  return { seconds: best, coldSeconds: cold, cpuPerWall, output: output as AggregateOutput, kernels: Object.fromEntries(Object.entries(kernels).map(([k, v]) => [k, v / repeat])) };
}

/** Facts about a result: Krum's selected index, Multi-Krum's kept count, the trimmed count. */
function facts(method: Method, output: AggregateOutput): Record<string, number> {
  if (method === "krum") return { selected: Number(String(output.info.selected).slice(1)) };
  if (method === "multi-krum") return { kept: Number(output.info.kept) };
  if (method === "trimmed-mean") return { cutPerSide: Number(output.info.trimmedPerSide) };
  return {};
}

const results = (updates: readonly Float32Array[]): ClientResult[] => updates.map((params, i) => ({ nodeId: `#${i}`, params, numExamples: 1 }));

function numpyAvailable(): boolean {
  const probe = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  return probe.status === 0;
}

const Args = z.object({
  method: z.enum(METHODS).optional(),
  input: z.string().optional(),
  output: z.string().optional(),
  n: z.coerce.number().int().min(1).optional(),
  d: z.coerce.number().int().min(1).optional(),
  f: z.coerce.number().int().min(0).optional(),
  beta: z.coerce.number().min(0).lt(0.5).default(0.1),
  repeat: z.coerce.number().int().min(1).default(5),
  methods: z.string().default(METHODS.join(",")),
  ns: z.string().default("100,500"),
  ds: z.string().default("10000,100000"),
  numpy: z.boolean().default(true),
  js: z.boolean().default(false),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      method: { type: "string" },
      input: { type: "string" },
      output: { type: "string" },
      n: { type: "string" },
      d: { type: "string" },
      f: { type: "string" },
      beta: { type: "string" },
      repeat: { type: "string" },
      methods: { type: "string" },
      ns: { type: "string" },
      ds: { type: "string" },
      "no-numpy": { type: "boolean" },
      js: { type: "boolean" },
    },
  });
  const args = Args.parse({ ...values, numpy: !values["no-numpy"], js: values.js ?? false });
  // Start the helper thread before timing, as a running coordinator has it from its first round.
  const helpers = (await kernelPool()?.ready()) ?? 0;

  if (args.input) {
    if (!args.method || args.n === undefined || args.d === undefined) throw new Error("--input needs --method, --n and --d");
    const f = args.f ?? 1;
    const spec = specFor(args.method, f, args.beta);
    const timing = timeStrategy(spec, results(readUpdates(args.input, args.n, args.d)), args.d, 1);
    if (args.output) writeFloats(args.output, [timing.output.params]);
    process.stdout.write(`${JSON.stringify({ implementation: "synod", strategy: spec, method: args.method, n: args.n, d: args.d, f, beta: args.beta, threads: 1 + helpers, seconds: timing.seconds, ...facts(args.method, timing.output), kernels: timing.kernels })}\n`);
    await closeKernelPool();
    return;
  }

  const withNumpy = args.numpy && numpyAvailable();
  if (args.numpy && !withNumpy) process.stderr.write("python3 with numpy is not available here: printing our timings only (README quotes earlier numpy figures)\n");
  const dir = join(tmpdir(), "synod-bench-aggregate");
  mkdirSync(dir, { recursive: true });
  const reference = fileURLToPath(new URL("./aggregate_reference.py", import.meta.url));
  const methods = z.array(z.enum(METHODS)).parse(args.methods.split(","));
  for (const n of args.ns.split(",").map(Number)) {
    for (const d of args.ds.split(",").map(Number)) {
      const f = args.f ?? Math.floor(0.2 * n);
      const file = join(dir, `x_${n}_${d}.f32`);
      const big = n * d >= 1e8;
      try {
        process.stderr.write(`n=${n} d=${d}: generating ${((n * d * 4) / 2 ** 20).toFixed(0)} MiB\n`);
        const updates = generate(n, d, n * 7919 + d);
        writeFloats(file, updates);
        for (const method of methods) {
          const load = loadavg()[0] as number;
          const spec = specFor(method, f, args.beta);
          const ours = timeStrategy(spec, results(updates), d, big ? Math.min(2, args.repeat) : args.repeat);
          const line: Record<string, unknown> = { method, strategy: spec.name, n, d, f, beta: args.beta, threads: 1 + helpers, seconds: ours.seconds, coldSeconds: ours.coldSeconds, cpuPerWall: ours.cpuPerWall, ...facts(method, ours.output), kernels: ours.kernels, loadAverage1m: load };
          if (args.js && method !== "krum" && method !== "multi-krum") {
            // The same strategy with the kernels off: the JavaScript path it ran before them.
            // (Not for Krum: before, its distances already came from the Gram kernel, and
            // with the kernels off they come from the direct O(n²d) loop.)
            setKernelsEnabled(false);
            try {
              line.jsSeconds = timeStrategy(spec, results(updates), d, Math.min(2, args.repeat)).seconds;
            } finally {
              setKernelsEnabled(true);
            }
          }
          if (withNumpy) {
            const out = join(dir, `out_${method}.f32`);
            // OpenBLAS's own threads can lose badly to a loaded machine, so the BLAS-based
            // methods are also timed single-threaded and numpy gets the faster of the two.
            const envs: Record<string, string>[] = method === "krum" || method === "multi-krum" ? [{}, { OPENBLAS_NUM_THREADS: "1" }] : [{}];
            const timings = envs.map((extra) => {
              const py = spawnSync("python3", [reference, "--method", method, "--input", file, "--n", String(n), "--d", String(d), "--f", String(f), "--beta", String(args.beta), "--output", out, "--repeat", String(big ? 1 : args.repeat)], { encoding: "utf8", maxBuffer: 1 << 20, env: { ...process.env, ...extra } });
              if (py.status !== 0) throw new Error(`numpy reference failed: ${py.stderr}`);
              return (JSON.parse(py.stdout.trim().split("\n").at(-1) ?? "{}") as { seconds: number }).seconds;
            });
            const numpySeconds = Math.min(...timings);
            // (a small file's Buffer is a slice of a shared pool: copy exactly its bytes)
            const bytes = readFileSync(out);
            const theirs = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
            const mine = ours.output.params;
            let maxAbsDiff = 0;
            for (let j = 0; j < d; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs((mine[j] as number) - (theirs[j] as number)));
            rmSync(out);
            Object.assign(line, { numpySeconds, numpyTimings: timings, ratioToNumpy: ours.seconds / numpySeconds, maxAbsDiff });
            if (typeof line.jsSeconds === "number") line.jsRatioToNumpy = line.jsSeconds / numpySeconds;
          } else {
            line.numpy = "unavailable";
          }
          const ratio = typeof line.ratioToNumpy === "number" ? ` (numpy ${(line.numpySeconds as number).toFixed(4)} s, ×${line.ratioToNumpy.toFixed(2)}, max |Δ| ${(line.maxAbsDiff as number).toExponential(1)})` : "";
          const js = typeof line.jsSeconds === "number" ? `, JavaScript path ${line.jsSeconds.toFixed(4)} s` : "";
          process.stderr.write(`  ${method}: ${ours.seconds.toFixed(4)} s, cold ${ours.coldSeconds.toFixed(4)} s, cpu/wall ${ours.cpuPerWall.toFixed(2)}${js}${ratio}, load ${load.toFixed(1)}\n`);
          process.stdout.write(`${JSON.stringify(line)}\n`);
        }
      } finally {
        rmSync(file, { force: true });
      }
    }
  }
  await closeKernelPool();
}

await main();
