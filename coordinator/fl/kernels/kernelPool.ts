/**
 * The one instance of the aggregation kernels in a process: a shared WebAssembly memory,
 * the module instantiated on the calling thread, and (started lazily) one helper worker
 * thread running the same kernels over the same memory.
 *
 * Parallel work is a *region*: a kernel and a table of chunks (one argument list each)
 * written into the control area. Both threads claim chunks from one counter and run
 * them; the calling thread returns when every chunk has finished, so a strategy's
 * `aggregate` stays synchronous. Claiming rather than a fixed half each: the
 * coordinator's 2-core machine is shared, and a helper the scheduler has put aside
 * simply takes fewer chunks, instead of the calling thread waiting for its half.
 * Nothing is posted or copied per region; the helper sleeps in Atomics.wait between
 * regions and is woken with Atomics.notify.
 *
 * The helper is started by the first region big enough to share and joins once it has
 * signalled ready (until then the calling thread does everything, so no call ever
 * waits for a thread to boot). It is `unref()`ed: it never keeps a process alive, and
 * `closeKernelPool()` stops it explicitly (shutdown, tests). One helper, because the
 * coordinator runs on a 2-core machine (`availableParallelism() − 1`, at most 1).
 *
 * Memory holds only the control area, a staging area for a block of columns of the
 * updates, per-thread scratch and Krum's n × n matrices, so it stays small whatever the
 * model size (WebAssembly memory never shrinks); the updates stay in their own arrays.
 *
 * Control area (Int32 words): SEQ (region sequence, helpers wait on it), QUIT, CLAIM
 * ((tag << 16) | next chunk), COUNT, FINISHED, ERROR (failed chunk + 1), READY[t],
 * CURRENT[t] (chunk + 1 that thread t is running); from byte 128 a Float64 table:
 * kind, argc, per-thread argument mask, per-thread stride, then ARGS values per chunk.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { KERNELS_WASM_BASE64 } from "./kernelsWasm.ts";
import { TASK_KERNELS, type KernelExports } from "./kernelsWat.ts";
import { KernelHelperError, KernelMemoryError } from "./kernelErrors.ts";
import { CLAIM_CHUNKS_SOURCE, KERNEL_WORKER_SOURCE } from "./kernelWorkerSource.ts";

/** The slice of the WebAssembly JS API used here (the project's TS lib has no DOM types). */
type WasmMemory = { readonly buffer: SharedArrayBuffer; grow(pages: number): number };
type WasmModule = object;
type WasmApi = {
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: object };
};

/** A parallel piece of work: one kernel over a list of chunks. */
export type KernelRegion = {
  kernel: (typeof TASK_KERNELS)[number];
  /** One argument list per chunk (byte offsets, counts). */
  chunks: readonly (readonly number[])[];
  /** Arguments that are per-thread (bit j for argument j), each offset by thread × `stride` bytes. */
  perThread?: { mask: number; stride: number };
  /** Its size (values or multiply-adds), against `threshold`: smaller regions do not wake the helper. */
  work: number;
  threshold: number;
};

const PAGE = 65536;
const CONTROL_BYTES = 65536;
const HEADER_OFFSET = 128;
/** Arguments per chunk in the table. */
const ARGS = 12;
/** Int32 indices of the control words; HEADER/ARGS are Float64 indices into the table. */
const WORDS = { SEQ: 0, QUIT: 1, CLAIM: 2, COUNT: 3, FINISHED: 4, ERROR: 5, READY: 8, CURRENT: 16, HEADER: 4, ARGS, HEADER_OFFSET } as const;
/** Most chunks per region: the table's room, and the 16 bits of the claim word. */
export const MAX_CHUNKS = Math.floor((CONTROL_BYTES - HEADER_OFFSET) / 8 / ARGS) - 1;
/** Spins on the finished count before sleeping in Atomics.wait. */
const SPINS = 1 << 12;
/** A helper that has not finished its chunk in this long is given up on and the chunk rerun here. */
const HELPER_TIMEOUT_MS = 60_000;

type ClaimChunks = (ctrl: Int32Array, table: Float64Array, kernels: readonly ((...args: number[]) => void)[], tag: number, thread: number, words: typeof WORDS) => number;
// The same source the helper evaluates (see kernelWorkerSource.ts).
const claimChunks = new Function(`${CLAIM_CHUNKS_SOURCE}\nreturn claimChunks;`)() as ClaimChunks;

/** Usage counts, to see which path ran (tests assert strategies reach the kernels). */
export type KernelCounts = {
  /** Weighted sums (FedAvg and kin, Multi-Krum's mean). */
  weightedSum: number;
  /** Coordinate-wise medians and trimmed means. */
  select: number;
  /** Pairwise distances through the Gram kernel. */
  gram: number;
  /** Krum scores. */
  scores: number;
  /** Squared distances of every update to one point (norm clipping, centered clipping). */
  distancesTo: number;
  /** Chunks the helper thread ran. */
  helperChunks: number;
};

const counts: KernelCounts = { weightedSum: 0, select: 0, gram: 0, scores: 0, distancesTo: 0, helperChunks: 0 };

/** A snapshot of the kernel usage counts since the process started. */
export function kernelCounts(): Readonly<KernelCounts> {
  return { ...counts };
}

/** Records one use of a kernel operation. */
export function countKernel(op: Exclude<keyof KernelCounts, "helperChunks">): void {
  counts[op] += 1;
}

type Helper = { worker: Worker; thread: number; ready: Promise<void>; dead: boolean };

export class KernelPool {
  readonly kernels: KernelExports;
  /** First byte free for callers' layouts (after the control area). */
  readonly heapBase = CONTROL_BYTES;
  readonly #memory: WasmMemory;
  readonly #module: WasmModule;
  readonly #byIndex: readonly ((...args: number[]) => void)[];
  readonly #maxHelpers: number;
  readonly #ctrl: Int32Array;
  readonly #table: Float64Array;
  #helpers: Helper[] = [];
  #seq = 0;

  private constructor(memory: WasmMemory, module: WasmModule, kernels: KernelExports, maxHelpers: number) {
    this.#memory = memory;
    this.#module = module;
    this.kernels = kernels;
    this.#byIndex = TASK_KERNELS.map((name) => kernels[name] as (...args: number[]) => void);
    this.#maxHelpers = maxHelpers;
    this.#ctrl = new Int32Array(memory.buffer, 0, HEADER_OFFSET / 4);
    this.#table = new Float64Array(memory.buffer, HEADER_OFFSET, (CONTROL_BYTES - HEADER_OFFSET) / 8);
  }

  /**
   * Instantiates the embedded kernel binary over a new shared memory (synchronously).
   *
   * @param options.helpers - helper threads to start on demand; default
   *   min(1, availableParallelism() − 1).
   */
  static create(options: { helpers?: number } = {}): KernelPool {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const memory = new wasm.Memory({ initial: CONTROL_BYTES / PAGE, maximum: 65536, shared: true });
    const module = new wasm.Module(Buffer.from(KERNELS_WASM_BASE64, "base64"));
    const kernels = new wasm.Instance(module, { env: { memory } }).exports as KernelExports;
    const helpers = Math.min(options.helpers ?? Math.min(1, availableParallelism() - 1), WORDS.CURRENT - WORDS.READY - 1);
    return new KernelPool(memory, module, kernels, helpers);
  }

  /** Threads that may run a region's chunks (this one and the helpers): per-thread areas to lay out. */
  get maxThreads(): number {
    return 1 + this.#maxHelpers;
  }

  /** The memory's current buffer (re-read after {@link reserve}: growing replaces it). */
  get buffer(): SharedArrayBuffer {
    return this.#memory.buffer;
  }

  /**
   * Grows the memory to at least `bytes`.
   *
   * @throws {KernelMemoryError} when WebAssembly cannot grow that far (4 GiB or the system's limit).
   */
  reserve(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes <= have) return;
    try {
      this.#memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch (cause) {
      throw new KernelMemoryError({ bytes, cause });
    }
  }

  /** Resolves once the helpers have started (or failed to), with how many run; starts them if needed. */
  async ready(): Promise<number> {
    if (this.#helpers.length === 0 && this.#maxHelpers > 0) this.#start();
    await Promise.all(this.#helpers.map((h) => h.ready));
    return this.#helpers.filter((h) => !h.dead).length;
  }

  /**
   * Runs every chunk of a region, on this thread and (if the region is big enough and
   * a helper is ready) the helper, returning when all have finished.
   *
   * @throws whatever a chunk's kernel throws (a chunk that failed on the helper is rerun here).
   * @throws {KernelHelperError} if a chunk failed on the helper only.
   */
  run(region: KernelRegion): void {
    const { chunks } = region;
    if (chunks.length === 0) return;
    if (chunks.length > MAX_CHUNKS) throw new RangeError(`a kernel region has ${chunks.length} chunks, more than ${MAX_CHUNKS}`);
    const ctrl = this.#ctrl;
    const table = this.#table;
    table[0] = TASK_KERNELS.indexOf(region.kernel);
    table[1] = chunks[0]?.length ?? 0;
    table[2] = region.perThread?.mask ?? 0;
    table[3] = region.perThread?.stride ?? 0;
    chunks.forEach((args, i) => table.set(args, WORDS.HEADER + i * ARGS));
    Atomics.store(ctrl, WORDS.FINISHED, 0);
    Atomics.store(ctrl, WORDS.ERROR, 0);
    Atomics.store(ctrl, WORDS.COUNT, chunks.length);
    this.#seq = (this.#seq + 1) & 0x7fff;
    const tag = this.#seq;
    Atomics.store(ctrl, WORDS.CLAIM, tag << 16);
    const share = chunks.length > 1 && region.work >= region.threshold;
    if (share && this.#helpers.length === 0 && this.#maxHelpers > 0) this.#start();
    if (share && this.#helpers.some((h) => !h.dead && Atomics.load(ctrl, WORDS.READY + h.thread) === 1)) {
      Atomics.store(ctrl, WORDS.SEQ, tag);
      Atomics.notify(ctrl, WORDS.SEQ);
    }
    const mine = claimChunks(ctrl, table, this.#byIndex, tag, 0, WORDS);
    const rerun = this.#awaitFinished(chunks.length);
    counts.helperChunks += chunks.length - mine - rerun;
    const failed = Atomics.load(ctrl, WORDS.ERROR);
    if (failed !== 0) {
      // Rerun here so the kernel's own error surfaces on this thread; if it does not
      // fail again, the chunk's partial work may have been applied twice.
      Atomics.store(ctrl, WORDS.ERROR, 0);
      this.#runChunk(failed - 1);
      throw new KernelHelperError({ kernel: region.kernel, chunk: failed - 1 });
    }
  }

  /** Stops the helpers (they are restarted by the next region big enough to share). */
  async close(): Promise<void> {
    const helpers = this.#helpers;
    this.#helpers = [];
    if (helpers.length === 0) return;
    const exits = helpers.map((h) => new Promise<void>((resolve) => (h.dead ? resolve() : h.worker.once("exit", () => resolve()))));
    // Referenced again until they have exited, or an otherwise idle process would end
    // before the exit events and leave this promise unsettled.
    helpers.forEach((h) => h.worker.ref());
    await Promise.all(helpers.map((h) => h.ready));
    Atomics.store(this.#ctrl, WORDS.QUIT, 1);
    Atomics.add(this.#ctrl, WORDS.SEQ, 1);
    Atomics.notify(this.#ctrl, WORDS.SEQ);
    await Promise.all(exits);
    Atomics.store(this.#ctrl, WORDS.QUIT, 0);
    for (const h of helpers) Atomics.store(this.#ctrl, WORDS.READY + h.thread, 0);
  }

  /** Runs chunk i of the current region here, as thread 0 (per-thread arguments unshifted). */
  #runChunk(i: number): void {
    const argc = this.#table[1] as number;
    const args = Array.from(this.#table.subarray(WORDS.HEADER + i * ARGS, WORDS.HEADER + i * ARGS + argc));
    (this.#byIndex[this.#table[0] as number] as (...a: number[]) => void)(...args);
  }

  /**
   * Waits until `count` chunks have finished. A helper silent for HELPER_TIMEOUT_MS is
   * given up on and its chunk rerun here (its event handlers cannot run while this
   * thread blocks, so a helper that died shows up only as silence).
   *
   * @returns how many chunks were rerun here.
   */
  #awaitFinished(count: number): number {
    const ctrl = this.#ctrl;
    for (let i = 0; i < SPINS; i++) if (Atomics.load(ctrl, WORDS.FINISHED) >= count) return 0;
    let rerun = 0;
    const deadline = performance.now() + HELPER_TIMEOUT_MS;
    for (let done = Atomics.load(ctrl, WORDS.FINISHED); done < count; done = Atomics.load(ctrl, WORDS.FINISHED)) {
      if (performance.now() > deadline) {
        for (const h of this.#helpers) {
          const current = Atomics.load(ctrl, WORDS.CURRENT + h.thread);
          if (current === 0) continue;
          h.dead = true;
          Atomics.store(ctrl, WORDS.READY + h.thread, 0);
          Atomics.store(ctrl, WORDS.CURRENT + h.thread, 0);
          this.#runChunk(current - 1);
          rerun += 1;
          Atomics.add(ctrl, WORDS.FINISHED, 1);
        }
        continue;
      }
      Atomics.wait(ctrl, WORDS.FINISHED, done, 100);
    }
    return rerun;
  }

  #start(): void {
    for (let i = 0; i < this.#maxHelpers; i++) {
      const thread = i + 1;
      Atomics.store(this.#ctrl, WORDS.READY + thread, 0);
      const worker = new Worker(KERNEL_WORKER_SOURCE, {
        eval: true,
        workerData: { memory: this.#memory, module: this.#module, thread, names: TASK_KERNELS, words: WORDS, controlBytes: CONTROL_BYTES },
      });
      // Never the reason a process stays alive; a strategy leaves no handle open.
      worker.unref();
      const helper: Helper = { worker, thread, dead: false, ready: Promise.resolve() };
      helper.ready = new Promise<void>((resolve) => {
        worker.once("message", () => resolve());
        worker.once("error", () => {
          helper.dead = true;
          resolve();
        });
        worker.once("exit", () => {
          helper.dead = true;
          resolve();
        });
      });
      this.#helpers.push(helper);
    }
  }
}

let shared: KernelPool | null | undefined;

/**
 * The process's kernel pool, created on first use; null when this runtime cannot
 * instantiate it (no shared WebAssembly memory), in which case callers use their
 * JavaScript path.
 */
export function kernelPool(): KernelPool | null {
  if (shared === undefined) {
    try {
      shared = KernelPool.create();
    } catch {
      shared = null;
    }
  }
  return shared;
}

/** Stops the pool's helper thread, if any (for shutdown; it never holds a process open anyway). */
export async function closeKernelPool(): Promise<void> {
  await shared?.close();
}
