/**
 * The calling thread plus helper worker threads sharing one WebAssembly memory that
 * holds the n × d updates, and the aggregation methods of bench:aggregate on it.
 *
 * Work is forked by writing each helper's task into its control slot in the shared
 * memory and waking it with Atomics.notify; the calling thread runs its own share
 * meanwhile and then waits (Atomics.wait) for the helpers' done flags. No message is
 * posted and nothing is copied. Inputs too small to pay for a wake-up (tens of µs)
 * run on the calling thread alone.
 *
 * Memory layout (byte offsets): control slots (64 KiB) | X (n × d float32) | out (d) |
 * row list (n int32) | distances (n × n float64) | scores (n float64) | per thread: Gram
 * matrix (np × np float64, np = n rounded up to 4), Gram packing panel, scratch.
 */
import { Worker } from "node:worker_threads";
import { ARGS_OFFSET, MAX_ARGS, runTask, SLOT_BYTES, TASK } from "./runTask.ts";
import { gramPackBytes, gramRows, instantiateKernels, SELECT_BLOCK, wasm, type KernelExports, type WasmMemory } from "./wasmKernels.ts";

/** Aggregation methods of bench:aggregate. */
export type AggregateMethod = "fedavg" | "median" | "trimmed-mean" | "krum" | "multi-krum";

const PAGE = 65536;
const CONTROL_BYTES = 65536;
/** Gram chunk: K columns of all rows are packed at a time (n·K·4 bytes, in L2). */
const GRAM_CHUNK = 256;
/** Columns per block of the row sums (128 KiB of `out`, in L2; long enough row streams for the prefetchers). */
const SUM_BLOCK = 32768;
/**
 * Below these amounts of work one thread does it all (a wake-up costs more). Sums are
 * memory-bound: up to ~40 MB one thread streaming from cache was as fast as two or
 * faster (measured at 100 × 1e4, 500 × 1e4, 100 × 1e5); from DRAM two threads win.
 */
const PARALLEL_SUM_VALUES = 1 << 24;
const PARALLEL_SELECT_VALUES = 1 << 15;
const PARALLEL_GRAM_MACS = 1 << 22;
const PARALLEL_SCORES_VALUES = 1 << 14;

const align = (bytes: number, to = 64): number => Math.ceil(bytes / to) * to;

export class AggregatePool {
  readonly n: number;
  readonly d: number;
  readonly threads: number;
  readonly memory: WasmMemory;
  readonly x = CONTROL_BYTES;
  readonly out: number;
  readonly rows: number;
  readonly dist: number;
  readonly scores: number;
  readonly grams: number[];
  readonly packs: number[];
  readonly scratches: number[];
  #workers: Worker[];
  #kernels: KernelExports;
  #seq = 0;

  private constructor(n: number, d: number, memory: WasmMemory, workers: Worker[], kernels: KernelExports, layout: { out: number; rows: number; dist: number; scores: number; grams: number[]; packs: number[]; scratches: number[] }) {
    this.n = n;
    this.d = d;
    this.threads = workers.length + 1;
    this.memory = memory;
    this.#workers = workers;
    this.#kernels = kernels;
    this.out = layout.out;
    this.rows = layout.rows;
    this.dist = layout.dist;
    this.scores = layout.scores;
    this.grams = layout.grams;
    this.packs = layout.packs;
    this.scratches = layout.scratches;
  }

  /**
   * Allocates shared memory for n × d updates and starts `threads − 1` helpers.
   *
   * @param options.n - number of updates.
   * @param options.d - parameters per update.
   * @param options.threads - threads including the caller's, default 2 (this machine's cores).
   */
  static async create(options: { n: number; d: number; threads?: number }): Promise<AggregatePool> {
    const { n, d } = options;
    const threads = Math.max(1, options.threads ?? 2);
    const np = gramRows(n);
    const out = align(CONTROL_BYTES + n * d * 4);
    const rows = align(out + d * 4);
    const dist = align(rows + n * 4);
    const scores = align(dist + n * n * 8);
    let at = align(scores + n * 8);
    const grams: number[] = [];
    const packs: number[] = [];
    const scratches: number[] = [];
    for (let t = 0; t < threads; t++) {
      grams.push(at);
      at = align(at + np * np * 8);
      packs.push(at);
      at = align(at + gramPackBytes(n, GRAM_CHUNK));
      scratches.push(at);
      at = align(at + Math.max((SELECT_BLOCK + 2) * n * 4, n * 8));
    }
    const pages = Math.ceil(at / PAGE);
    if (pages > 65536) throw new RangeError(`n × d = ${n} × ${d} needs ${at} bytes, more than WebAssembly's 4 GiB`);
    const memory = new wasm.Memory({ initial: pages, maximum: 65536, shared: true });
    const workers = Array.from({ length: threads - 1 }, (_, w) => new Worker(new URL("./aggregateWorker.ts", import.meta.url), { workerData: { memory, slot: w + 1 } }));
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once("error", reject);
            w.once("message", () => resolve());
          }),
      ),
    );
    new Int32Array(memory.buffer, rows, n).set(Array.from({ length: n }, (_, i) => i));
    return new AggregatePool(n, d, memory, workers, await instantiateKernels(memory), { out, rows, dist, scores, grams, packs, scratches });
  }

  /** The updates, as a Float32Array over the shared memory (n × d, row-major). */
  get updates(): Float32Array {
    return new Float32Array(this.memory.buffer, this.x, this.n * this.d);
  }

  /** The result vector (d floats). */
  get result(): Float32Array {
    return new Float32Array(this.memory.buffer, this.out, this.d);
  }

  /** Stops the helpers. */
  async close(): Promise<void> {
    const exits = this.#workers.map((w) => new Promise<void>((resolve) => w.once("exit", () => resolve())));
    this.#workers.forEach((_, i) => this.#post(i + 1, [TASK.quit]));
    await Promise.all(exits);
  }

  #post(slot: number, task: number[]): number {
    if (task.length > MAX_ARGS) throw new RangeError("too many task arguments");
    const buffer = this.memory.buffer;
    new Float64Array(buffer, slot * SLOT_BYTES + ARGS_OFFSET, MAX_ARGS).set(task);
    const ctrl = new Int32Array(buffer, slot * SLOT_BYTES, 2);
    const seq = ++this.#seq;
    Atomics.store(ctrl, 0, seq);
    Atomics.notify(ctrl, 0);
    return seq;
  }

  /** Runs tasks[0] here and tasks[t] on helper t, returning when all are done. */
  #fork(tasks: number[][]): void {
    const buffer = this.memory.buffer;
    const posted = tasks.slice(1).map((task, i) => this.#post(i + 1, task));
    runTask(this.#kernels, buffer, tasks[0] as number[]);
    posted.forEach((seq, i) => {
      const ctrl = new Int32Array(buffer, (i + 1) * SLOT_BYTES, 2);
      for (let v = Atomics.load(ctrl, 1); v !== seq; v = Atomics.load(ctrl, 1)) Atomics.wait(ctrl, 1, v);
    });
  }

  /** Splits [0, end) into `parts` ranges with boundaries multiple of `by`. */
  static #split(end: number, parts: number, by: number): [number, number][] {
    const bounds = Array.from({ length: parts + 1 }, (_, i) => (i === parts ? end : Math.min(end, Math.floor((i * end) / parts / by) * by)));
    return Array.from({ length: parts }, (_, i) => [bounds[i] as number, bounds[i + 1] as number]);
  }

  #threadsFor(work: number, threshold: number): number {
    return work >= threshold ? this.threads : 1;
  }

  /** out = scale · Σ rows listed at `this.rows` (first m). */
  #rowsum(m: number): void {
    const { d } = this;
    const parts = AggregatePool.#split(d, this.#threadsFor(m * d, PARALLEL_SUM_VALUES), 16);
    this.#fork(parts.map(([c0, c1]) => [TASK.rowsum, this.x, d, this.rows, m, c0, c1, this.out, 1 / m, SUM_BLOCK]));
  }

  /**
   * Runs one aggregation; the result is left in {@link result}.
   *
   * @param method - the rule.
   * @param options.f - Byzantine count for Krum/Multi-Krum (n − f − 2 neighbours; Multi-Krum keeps n − f).
   * @param options.beta - trimmed-mean proportion cut per side.
   * @returns facts about the result (e.g. Krum's selected index).
   */
  aggregate(method: AggregateMethod, options: { f: number; beta: number }): Record<string, number> {
    const { n, d } = this;
    switch (method) {
      case "fedavg": {
        this.#rowsum(n);
        return {};
      }
      case "median":
      case "trimmed-mean": {
        const cut = Math.floor(options.beta * n);
        const parts = AggregatePool.#split(d, this.#threadsFor(n * d, PARALLEL_SELECT_VALUES), 16);
        this.#fork(parts.map(([c0, c1], t) => [TASK.select, this.x, n, d, c0, c1, this.out, method === "median" ? 0 : 1, cut, this.scratches[t] as number]));
        return method === "trimmed-mean" ? { cutPerSide: cut } : {};
      }
      case "krum":
      case "multi-krum": {
        const scores = this.#krumScores(Math.max(1, n - options.f - 2));
        const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => (scores[p] as number) - (scores[q] as number) || p - q);
        if (method === "krum") {
          const best = order[0] as number;
          this.result.set(this.updates.subarray(best * d, (best + 1) * d));
          return { selected: best };
        }
        const keep = order.slice(0, n - options.f).sort((p, q) => p - q);
        const list = new Int32Array(this.memory.buffer, this.rows, n);
        list.set(keep);
        try {
          this.#rowsum(keep.length);
        } finally {
          for (let i = 0; i < n; i++) list[i] = i;
        }
        return { kept: keep.length };
      }
    }
  }

  /** Krum scores: per update, the sum of squared distances to its k nearest others. */
  #krumScores(k: number): Float64Array {
    const { n, d } = this;
    const np = gramRows(n);
    const parts = AggregatePool.#split(d, this.#threadsFor((n * n * d) / 2, PARALLEL_GRAM_MACS), 8);
    this.#fork(parts.map(([k0, k1], t) => [TASK.gram, this.x, n, d, k0, k1, this.grams[t] as number, this.packs[t] as number, GRAM_CHUNK, np * np]));
    const g = this.grams[0] as number;
    for (let t = 1; t < parts.length; t++) this.#kernels.addf64(g, this.grams[t] as number, np * np);
    this.#kernels.distances(g, np, n, this.dist);
    // Rows split so both threads get equal work (each row is a quickselect over n − 1 values).
    const rows = AggregatePool.#split(n, this.#threadsFor(n * n, PARALLEL_SCORES_VALUES), 1);
    this.#fork(rows.map(([a0, a1], t) => [TASK.scores, this.dist, n, k, a0, a1, this.scratches[t] as number, this.scores]));
    return new Float64Array(this.memory.buffer, this.scores, n);
  }
}
