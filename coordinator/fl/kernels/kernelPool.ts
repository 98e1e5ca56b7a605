/**
 * The one instance of the aggregation kernels in a process: a shared WebAssembly memory,
 * the module instantiated on the calling thread, and (started lazily) one helper worker
 * thread running the same kernels over the same memory.
 *
 * Work is forked by writing the helper's task into its control slot in the shared
 * memory and waking it with Atomics.notify; the calling thread runs its own share
 * meanwhile and then waits (Atomics.wait) for the helper's done flag, so a strategy's
 * `aggregate` stays synchronous. Nothing is posted or copied per task.
 *
 * The helper is started by the first piece of work big enough to share and is used
 * once it has signalled ready (until then the calling thread does everything, so no
 * call ever waits for a thread to boot). It is `unref()`ed: it never keeps a process
 * alive, and `closeKernelPool()` stops it explicitly (shutdown, tests). One helper,
 * because the coordinator runs on a 2-core machine (`availableParallelism() − 1`,
 * at most 1).
 *
 * Memory holds only a staging area for a block of columns of the updates, per-thread
 * scratch and the n × n matrices of Krum, so it stays small whatever the model size
 * (WebAssembly memory never shrinks); the updates themselves stay in their own arrays.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { KERNELS_WASM_BASE64 } from "./kernelsWasm.ts";
import { TASK_KERNELS, type KernelExports } from "./kernelsWat.ts";
import { KERNEL_WORKER_SOURCE } from "./kernelWorkerSource.ts";

/** The slice of the WebAssembly JS API used here (the project's TS lib has no DOM types). */
type WasmMemory = { readonly buffer: SharedArrayBuffer; grow(pages: number): number };
type WasmModule = object;
type WasmApi = {
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: object };
};

/** A kernel call: the export's name and its arguments (numbers: byte offsets, counts). */
export type KernelTask = { kernel: (typeof TASK_KERNELS)[number]; args: number[] };

const PAGE = 65536;
const SLOT_BYTES = 256;
const ARGS_OFFSET = 16;
const MAX_ARGS = 28;
/** Control slots (slot 0 unused: it stands for the calling thread). */
const CONTROL_BYTES = 4096;
/** Spins on the done flag before sleeping in Atomics.wait (the helper's share is about as long as ours). */
const SPINS = 1 << 12;
/** A helper that has not answered a task in this long is given up on and the task rerun here. */
const HELPER_TIMEOUT_MS = 60_000;

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
  /** Tasks the helper thread ran. */
  helperTasks: number;
};

const counts: KernelCounts = { weightedSum: 0, select: 0, gram: 0, scores: 0, helperTasks: 0 };

/** A snapshot of the kernel usage counts since the process started. */
export function kernelCounts(): Readonly<KernelCounts> {
  return { ...counts };
}

/** Records one use of a kernel operation. */
export function countKernel(op: Exclude<keyof KernelCounts, "helperTasks">): void {
  counts[op] += 1;
}

type Helper = { worker: Worker; slot: number; ctrl: Int32Array; args: Float64Array; ready: Promise<void>; dead: boolean };

export class KernelPool {
  readonly kernels: KernelExports;
  /** First byte free for callers' layouts (after the control slots). */
  readonly heapBase = CONTROL_BYTES;
  readonly #memory: WasmMemory;
  readonly #module: WasmModule;
  readonly #maxHelpers: number;
  #helpers: Helper[] = [];
  #seq = 0;

  private constructor(memory: WasmMemory, module: WasmModule, kernels: KernelExports, maxHelpers: number) {
    this.#memory = memory;
    this.#module = module;
    this.kernels = kernels;
    this.#maxHelpers = maxHelpers;
  }

  /** Instantiates the embedded kernel binary over a new shared memory (synchronously). */
  static create(options: { helpers?: number } = {}): KernelPool {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const memory = new wasm.Memory({ initial: 1, maximum: 65536, shared: true });
    const module = new wasm.Module(Buffer.from(KERNELS_WASM_BASE64, "base64"));
    const kernels = new wasm.Instance(module, { env: { memory } }).exports as KernelExports;
    return new KernelPool(memory, module, kernels, options.helpers ?? Math.min(1, availableParallelism() - 1));
  }

  /** The memory's current buffer (re-read after {@link reserve}: growing replaces it). */
  get buffer(): SharedArrayBuffer {
    return this.#memory.buffer;
  }

  /**
   * Grows the memory to at least `bytes`.
   *
   * @throws {RangeError} when WebAssembly cannot grow that far (4 GiB or the system's limit).
   */
  reserve(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes > have) this.#memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /**
   * How many threads a piece of work should be split over: 1 below `threshold`, else
   * the calling thread plus the helpers that are ready. Starts the helpers the first
   * time work reaches a threshold.
   *
   * @param work - its size (values or multiply-adds).
   * @param threshold - the size from which a helper's wake-up (tens of µs) pays off.
   */
  threadsFor(work: number, threshold: number): number {
    if (work < threshold) return 1;
    if (this.#helpers.length === 0 && this.#maxHelpers > 0) this.#start();
    return 1 + this.#helpers.filter((h) => !h.dead && Atomics.load(h.ctrl, 3) === 1).length;
  }

  /** Resolves once the helpers have started (or failed to); starts them if needed. */
  async ready(): Promise<number> {
    if (this.#helpers.length === 0 && this.#maxHelpers > 0) this.#start();
    await Promise.all(this.#helpers.map((h) => h.ready));
    return this.#helpers.filter((h) => !h.dead).length;
  }

  /**
   * Runs tasks[0] on this thread and tasks[t] on ready helper t − 1, returning when all
   * are done. Pass at most {@link threadsFor} tasks; any beyond the ready helpers run
   * here, one after another.
   */
  fork(tasks: readonly KernelTask[]): void {
    const ready = this.#helpers.filter((h) => !h.dead && Atomics.load(h.ctrl, 3) === 1);
    const posted: { helper: Helper; task: KernelTask; seq: number }[] = [];
    const local: KernelTask[] = [];
    tasks.forEach((task, i) => {
      const helper = i > 0 ? ready[i - 1] : undefined;
      if (helper) posted.push({ helper, task, seq: this.#post(helper, task) });
      else local.push(task);
    });
    for (const task of local) this.#run(task);
    for (const { helper, task, seq } of posted) {
      if (!this.#join(helper, seq)) this.#run(task);
      else counts.helperTasks += 1;
    }
  }

  /** Stops the helpers (they are restarted by the next large piece of work). */
  async close(): Promise<void> {
    const helpers = this.#helpers;
    this.#helpers = [];
    await Promise.all(
      helpers.map(async (h) => {
        if (h.dead) return;
        const exited = new Promise<void>((resolve) => h.worker.once("exit", () => resolve()));
        // Referenced again until it has exited, or an otherwise idle process would end
        // before the exit event and leave this promise unsettled.
        h.worker.ref();
        await h.ready;
        h.args[0] = -1;
        Atomics.store(h.ctrl, 0, Atomics.load(h.ctrl, 0) + 1);
        Atomics.notify(h.ctrl, 0);
        await exited;
      }),
    );
  }

  #run(task: KernelTask): void {
    (this.kernels[task.kernel] as (...args: number[]) => void)(...task.args);
  }

  #start(): void {
    for (let i = 0; i < this.#maxHelpers; i++) {
      const slot = i + 1;
      const ctrl = new Int32Array(this.#memory.buffer, slot * SLOT_BYTES, 4);
      const args = new Float64Array(this.#memory.buffer, slot * SLOT_BYTES + ARGS_OFFSET, MAX_ARGS);
      ctrl.fill(0);
      const worker = new Worker(KERNEL_WORKER_SOURCE, {
        eval: true,
        workerData: { memory: this.#memory, module: this.#module, slot, names: TASK_KERNELS, slotBytes: SLOT_BYTES, argsOffset: ARGS_OFFSET, maxArgs: MAX_ARGS },
      });
      // Never the reason a process stays alive; a strategy leaves no handle open.
      worker.unref();
      const helper: Helper = { worker, slot, ctrl, args, dead: false, ready: Promise.resolve() };
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

  #post(helper: Helper, task: KernelTask): number {
    if (task.args.length + 2 > MAX_ARGS) throw new RangeError(`kernel task ${task.kernel} has ${task.args.length} arguments, more than ${MAX_ARGS - 2}`);
    helper.args[0] = TASK_KERNELS.indexOf(task.kernel);
    helper.args[1] = task.args.length;
    helper.args.set(task.args, 2);
    const seq = ++this.#seq;
    Atomics.store(helper.ctrl, 0, seq);
    Atomics.notify(helper.ctrl, 0);
    return seq;
  }

  /** Waits for the helper to finish task `seq`; false if it failed or stopped answering. */
  #join(helper: Helper, seq: number): boolean {
    const { ctrl } = helper;
    for (let i = 0; i < SPINS; i++) if (Atomics.load(ctrl, 1) === seq) return Atomics.load(ctrl, 2) === 0;
    const deadline = performance.now() + HELPER_TIMEOUT_MS;
    for (let done = Atomics.load(ctrl, 1); done !== seq; done = Atomics.load(ctrl, 1)) {
      if (performance.now() > deadline) {
        // Its event handlers cannot run while we block, so a helper that died shows up
        // as silence: stop using it (the task is rerun here).
        helper.dead = true;
        return false;
      }
      Atomics.wait(ctrl, 1, done, 100);
    }
    return Atomics.load(ctrl, 2) === 0;
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
