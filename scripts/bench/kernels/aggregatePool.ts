/**
 * A pool of worker threads sharing one WebAssembly memory that holds the n × d
 * updates, plus the aggregation methods of bench:aggregate built on it.
 *
 * Memory layout (byte offsets): X (n rows padded to a multiple of 4, zero rows at the
 * end so the 4-row Gram tiles never read past the data) | out (d floats) | one n × n
 * float64 Gram matrix per worker.
 */
import { Worker } from "node:worker_threads";
import { runTask } from "./runTask.ts";
import type { Task } from "./selection.ts";
import { instantiateKernels, wasm, type KernelExports, type WasmMemory } from "./wasmKernels.ts";

/**
 * Below this many values (n × d) tasks run on the pool's own thread: a worker
 * round-trip (~0.1–1 ms) would cost more than the work itself.
 */
const INLINE_BELOW = 1 << 21;

/** Aggregation methods of bench:aggregate. */
export type AggregateMethod = "fedavg" | "median" | "trimmed-mean" | "krum" | "multi-krum";

const PAGE = 65536;

export class AggregatePool {
  readonly n: number;
  readonly d: number;
  readonly memory: WasmMemory;
  readonly x = 0;
  readonly out: number;
  readonly grams: number[];
  #workers: Worker[];
  #kernels: KernelExports;
  #nextId = 0;
  #pending = new Map<number, () => void>();

  private constructor(n: number, d: number, memory: WasmMemory, workers: Worker[], out: number, grams: number[], kernels: KernelExports) {
    this.#kernels = kernels;
    this.n = n;
    this.d = d;
    this.memory = memory;
    this.#workers = workers;
    this.out = out;
    this.grams = grams;
    for (const w of workers) w.on("message", ({ id }: { id: number }) => this.#pending.get(id)?.());
  }

  /**
   * Allocates shared memory for n × d updates and starts `numWorkers` threads.
   *
   * @param options.n - number of updates.
   * @param options.d - parameters per update.
   * @param options.numWorkers - threads, default 2 (this machine's cores).
   */
  static async create(options: { n: number; d: number; numWorkers?: number }): Promise<AggregatePool> {
    const { n, d } = options;
    const numWorkers = options.numWorkers ?? 2;
    const padded = Math.ceil(n / 4) * 4;
    const out = padded * d * 4;
    const gramBase = Math.ceil((out + d * 4) / 8) * 8;
    const grams = Array.from({ length: numWorkers }, (_, w) => gramBase + w * n * n * 8);
    const bytes = gramBase + numWorkers * n * n * 8;
    const pages = Math.ceil(bytes / PAGE);
    if (pages > 65536) throw new RangeError(`n × d = ${n} × ${d} needs ${bytes} bytes, more than WebAssembly's 4 GiB`);
    const memory = new wasm.Memory({ initial: pages, maximum: 65536, shared: true });
    const workers = Array.from({ length: numWorkers }, () => new Worker(new URL("./aggregateWorker.ts", import.meta.url), { workerData: { memory } }));
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once("error", reject);
            w.once("message", () => resolve());
          }),
      ),
    );
    return new AggregatePool(n, d, memory, workers, out, grams, await instantiateKernels(memory));
  }

  /** The updates, as a Float32Array over the shared memory (n × d, row-major). */
  get updates(): Float32Array {
    return new Float32Array(this.memory.buffer, this.x, this.n * this.d);
  }

  /** The result vector (d floats). */
  get result(): Float32Array {
    return new Float32Array(this.memory.buffer, this.out, this.d);
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #run(tasks: Task[][]): Promise<void> {
    // Selection is compute-bound even when small, so it always uses the workers.
    if (this.n * this.d < INLINE_BELOW && tasks.every((list) => list.every((t) => t.kind !== "select"))) {
      for (const list of tasks) for (const task of list) runTask(this.#kernels, this.memory, task);
      return Promise.resolve();
    }
    return Promise.all(
      tasks.flatMap((list, w) =>
        list.map(
          (task) =>
            new Promise<void>((resolve) => {
              this.#pending.set(task.id, () => {
                this.#pending.delete(task.id);
                resolve();
              });
              (this.#workers[w] as Worker).postMessage(task);
            }),
        ),
      ),
    ).then(() => undefined);
  }

  /** Splits [0, end) into one range per worker, boundaries multiple of `align`. */
  #split(end: number, align: number): [number, number][] {
    const w = this.#workers.length;
    const bounds = Array.from({ length: w + 1 }, (_, i) => Math.min(end, Math.floor((i * end) / w / align) * align));
    bounds[w] = end;
    return Array.from({ length: w }, (_, i) => [bounds[i] as number, bounds[i + 1] as number]);
  }

  /**
   * Runs one aggregation; the result is left in {@link result}.
   *
   * @param method - the rule.
   * @param options.f - Byzantine count for Krum/Multi-Krum (n − f − 2 neighbours; Multi-Krum keeps n − f).
   * @param options.beta - trimmed-mean proportion cut per side.
   * @returns facts about the result (e.g. Krum's selected index).
   */
  async aggregate(method: AggregateMethod, options: { f: number; beta: number }): Promise<Record<string, number>> {
    const { n, d } = this;
    const simd = d - (d % 4);
    switch (method) {
      case "fedavg": {
        await this.#run(this.#split(simd, 4).map(([c0, c1]) => [{ id: this.#nextId++, kind: "colsum", x: this.x, n, d, c0, c1, out: this.out, scale: 1 / n, block: 2048 }]));
        this.#scalarTail((row, j) => row[j] as number, 1 / n, simd);
        return {};
      }
      case "median":
      case "trimmed-mean": {
        const cut = Math.floor(options.beta * n);
        await this.#run(
          this.#split(d, 1).map(([c0, c1]) => [{ id: this.#nextId++, kind: "select", x: this.x, n, d, c0, c1, out: this.out, mode: method === "median" ? "median" : "trimmed", cut }]),
        );
        return method === "trimmed-mean" ? { cutPerSide: cut } : {};
      }
      case "krum":
      case "multi-krum": {
        const distances = await this.#distances(simd);
        const k = Math.max(1, n - options.f - 2);
        const scores = new Float64Array(n);
        const row = new Float64Array(n - 1);
        for (let a = 0; a < n; a++) {
          let r = 0;
          for (let b = 0; b < n; b++) if (b !== a) row[r++] = distances[a * n + b] as number;
          row.sort();
          let s = 0;
          for (let t = 0; t < k; t++) s += row[t] as number;
          scores[a] = s;
        }
        const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => (scores[p] as number) - (scores[q] as number) || p - q);
        if (method === "krum") {
          const best = order[0] as number;
          this.result.set(this.updates.subarray(best * d, (best + 1) * d));
          return { selected: best };
        }
        const keep = order.slice(0, n - options.f);
        await this.#run(this.#split(simd, 4).map(([c0, c1]) => [{ id: this.#nextId++, kind: "rowsum", x: this.x, d, rows: keep, c0, c1, out: this.out, scale: 1 / keep.length }]));
        const kept = new Set(keep);
        this.#scalarTail((rowView, j, i) => (kept.has(i) ? (rowView[j] as number) : 0), 1 / keep.length, simd);
        return { kept: keep.length };
      }
    }
  }

  /** Columns past the last multiple of 4 are summed in JS. */
  #scalarTail(value: (row: Float32Array, j: number, i: number) => number, scale: number, from: number): void {
    const { n, d } = this;
    const x = this.updates;
    const out = this.result;
    for (let j = from; j < d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += value(x.subarray(i * d, (i + 1) * d), j, i);
      out[j] = s * scale;
    }
  }

  /** Squared distances ‖xₐ − x_b‖² = Gₐₐ + G_bb − 2Gₐ_b from the Gram matrix. */
  async #distances(simd: number): Promise<Float64Array> {
    const { n, d } = this;
    const ranges = this.#split(simd, 4);
    await this.#run(ranges.map(([k0, k1], w) => [{ id: this.#nextId++, kind: "gram", x: this.x, n, d, k0, k1, g: this.grams[w] as number, chunk: 1024 }]));
    const gram = new Float64Array(n * n);
    for (const g of this.grams) {
      const part = new Float64Array(this.memory.buffer, g, n * n);
      for (let i = 0; i < n * n; i++) gram[i] = (gram[i] as number) + (part[i] as number);
    }
    const x = this.updates;
    for (let a = 0; a < n; a++)
      for (let b = a; b < n; b++) {
        let s = 0;
        for (let j = simd; j < d; j++) s += (x[a * d + j] as number) * (x[b * d + j] as number);
        gram[a * n + b] = (gram[a * n + b] as number) + s;
      }
    const dot = (a: number, b: number): number => (b >= a ? (gram[a * n + b] as number) : (gram[b * n + a] as number));
    const distances = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) distances[a * n + b] = a === b ? 0 : Math.max(0, dot(a, a) + dot(b, b) - 2 * dot(a, b));
    return distances;
  }
}
