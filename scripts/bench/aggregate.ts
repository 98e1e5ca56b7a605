/**
 * bench:aggregate — times one aggregation of n updates (WebAssembly SIMD kernels on the
 * calling thread plus worker threads over one shared memory; see kernels/).
 *
 * Single run, as the issue specifies:
 *   npm run bench:aggregate -- --method M --input FILE --n N --d D [--f F] [--beta B] --output OUT
 * reads n × d little-endian float32 (row-major), writes the d-vector result the same
 * way, prints one JSON line; "seconds" excludes file I/O.
 *
 * Without --input: generates data for n ∈ {100, 500} × d ∈ {1e4, 1e5, 1e6}, runs every
 * method here and the numpy reference (aggregate_reference.py) on the same file,
 * checks both results agree and prints one JSON line per case with both times.
 * Options: --methods a,b  --ns 100,500  --ds 10000,100000,1000000  --repeat 5
 * --threads 2  --no-numpy. Progress goes to stderr; each line records the 1-minute
 * load average before the case.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { AggregatePool, type AggregateMethod } from "./kernels/aggregatePool.ts";

const METHODS: AggregateMethod[] = ["fedavg", "median", "trimmed-mean", "krum", "multi-krum"];
const CHUNK = 1 << 30;

/** Reads `bytes` bytes of a file into a (possibly shared) byte view, in ≤ 1 GiB reads. */
function readInto(path: string, target: Uint8Array): void {
  const fd = openSync(path, "r");
  try {
    for (let at = 0; at < target.length; ) {
      const got = readSync(fd, target, at, Math.min(CHUNK, target.length - at), at);
      if (got === 0) throw new Error(`${path}: expected ${target.length} bytes, file ends at ${at}`);
      at += got;
    }
  } finally {
    closeSync(fd);
  }
}

function writeFrom(path: string, source: Uint8Array): void {
  const fd = openSync(path, "w");
  try {
    for (let at = 0; at < source.length; ) at += writeSync(fd, source, at, Math.min(CHUNK, source.length - at));
  } finally {
    closeSync(fd);
  }
}

/** Fast deterministic test data: per-row offset plus xorshift uniform noise in [-1, 1). */
function fill(x: Float32Array, n: number, d: number, seed: number): void {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    const offset = ((i * 2654435761) % 1000) / 5000;
    const row = i * d;
    for (let j = 0; j < d; j++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      x[row + j] = offset + ((s >>> 0) / 2147483648 - 1);
    }
  }
}

function timeMethod(pool: AggregatePool, method: AggregateMethod, f: number, beta: number, repeat: number): { seconds: number; info: Record<string, number> } {
  let best = Infinity;
  let info: Record<string, number> = {};
  for (let r = 0; r < repeat; r++) {
    const t = performance.now();
    info = pool.aggregate(method, { f, beta });
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return { seconds: best, info };
}

const Args = z.object({
  method: z.enum(METHODS as [AggregateMethod, ...AggregateMethod[]]).optional(),
  input: z.string().optional(),
  output: z.string().optional(),
  n: z.coerce.number().int().min(1).optional(),
  d: z.coerce.number().int().min(1).optional(),
  f: z.coerce.number().int().min(0).optional(),
  beta: z.coerce.number().min(0).lt(0.5).default(0.1),
  threads: z.coerce.number().int().min(1).default(2),
  repeat: z.coerce.number().int().min(1).default(5),
  methods: z.string().default(METHODS.join(",")),
  ns: z.string().default("100,500"),
  ds: z.string().default("10000,100000,1000000"),
  numpy: z.boolean().default(true),
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
      threads: { type: "string" },
      repeat: { type: "string" },
      methods: { type: "string" },
      ns: { type: "string" },
      ds: { type: "string" },
      "no-numpy": { type: "boolean" },
    },
  });
  const args = Args.parse({ ...values, numpy: !values["no-numpy"] });

  if (args.input) {
    if (!args.method || args.n === undefined || args.d === undefined) throw new Error("--input needs --method, --n and --d");
    const f = args.f ?? 1;
    const pool = await AggregatePool.create({ n: args.n, d: args.d, threads: args.threads });
    try {
      readInto(args.input, new Uint8Array(pool.memory.buffer, pool.x, args.n * args.d * 4));
      const t = performance.now();
      const info = pool.aggregate(args.method, { f, beta: args.beta });
      const seconds = (performance.now() - t) / 1000;
      if (args.output) writeFrom(args.output, new Uint8Array(pool.memory.buffer, pool.out, args.d * 4));
      process.stdout.write(`${JSON.stringify({ implementation: "synod-wasm-simd", method: args.method, n: args.n, d: args.d, f, beta: args.beta, threads: args.threads, seconds, ...info })}\n`);
    } finally {
      await pool.close();
    }
    return;
  }

  const dir = join(tmpdir(), "synod-bench-aggregate");
  mkdirSync(dir, { recursive: true });
  const reference = fileURLToPath(new URL("./aggregate_reference.py", import.meta.url));
  const methods = args.methods.split(",") as AggregateMethod[];
  for (const n of args.ns.split(",").map(Number)) {
    for (const d of args.ds.split(",").map(Number)) {
      const f = args.f ?? Math.floor(0.2 * n);
      const pool = await AggregatePool.create({ n, d, threads: args.threads });
      const file = join(dir, `x_${n}_${d}.f32`);
      try {
        process.stderr.write(`n=${n} d=${d}: generating ${((n * d * 4) / 2 ** 20).toFixed(0)} MiB\n`);
        fill(pool.updates, n, d, n * 7919 + d);
        writeFrom(file, new Uint8Array(pool.memory.buffer, pool.x, n * d * 4));
        for (const method of methods) {
          const load = loadavg()[0] as number;
          const ours = timeMethod(pool, method, f, args.beta, n * d >= 1e8 ? Math.min(2, args.repeat) : args.repeat);
          const line: Record<string, unknown> = { method, n, d, f, beta: args.beta, threads: args.threads, seconds: ours.seconds, ...ours.info, loadAverage1m: load };
          if (args.numpy) {
            const out = join(dir, `out_${method}.f32`);
            const big = n * d >= 1e8;
            // OpenBLAS's own threads can lose badly to a loaded machine, so the BLAS-based
            // methods are also timed single-threaded and numpy gets the faster of the two.
            const envs: Record<string, string>[] = method === "krum" || method === "multi-krum" ? [{}, { OPENBLAS_NUM_THREADS: "1" }] : [{}];
            const timings = envs.map((extra) => {
              const py = spawnSync("python3", [reference, "--method", method, "--input", file, "--n", String(n), "--d", String(d), "--f", String(f), "--beta", String(args.beta), "--output", out, "--repeat", String(big ? 1 : args.repeat)], { encoding: "utf8", maxBuffer: 1 << 20, env: { ...process.env, ...extra } });
              if (py.status !== 0) throw new Error(`numpy reference failed: ${py.stderr}`);
              return (JSON.parse(py.stdout.trim().split("\n").at(-1) ?? "{}") as { seconds: number }).seconds;
            });
            const numpy = { seconds: Math.min(...timings) };
            // (a small file's Buffer is a slice of a shared pool: copy exactly its bytes)
            const bytes = readFileSync(out);
            const theirs = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
            const mine = pool.result;
            let maxAbsDiff = 0;
            for (let j = 0; j < d; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs((mine[j] as number) - (theirs[j] as number)));
            rmSync(out);
            Object.assign(line, { numpySeconds: numpy.seconds, numpyTimings: timings, ratioToNumpy: ours.seconds / numpy.seconds, maxAbsDiff });
          }
          process.stderr.write(`  ${method}: ${ours.seconds.toFixed(4)} s${line.numpySeconds !== undefined ? ` (numpy ${(line.numpySeconds as number).toFixed(4)} s, ×${(line.ratioToNumpy as number).toFixed(2)}, max |Δ| ${(line.maxAbsDiff as number).toExponential(1)})` : ""}\n`);
          process.stdout.write(`${JSON.stringify(line)}\n`);
        }
      } finally {
        rmSync(file, { force: true });
        await pool.close();
      }
    }
  }
}

await main();
