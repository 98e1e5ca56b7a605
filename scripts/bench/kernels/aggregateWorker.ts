/**
 * Worker side of `AggregatePool`: waits on its control slot in the shared memory
 * (Atomics.wait), runs the task written there, marks it done (Atomics.notify).
 */
import { parentPort, workerData } from "node:worker_threads";
import { ARGS_OFFSET, MAX_ARGS, runTask, SLOT_BYTES, TASK } from "./runTask.ts";
import { instantiateKernels, type WasmMemory } from "./wasmKernels.ts";

const { memory, slot } = workerData as { memory: WasmMemory; slot: number };
const kernels = await instantiateKernels(memory);
const ctrl = new Int32Array(memory.buffer, slot * SLOT_BYTES, 2);
const args = new Float64Array(memory.buffer, slot * SLOT_BYTES + ARGS_OFFSET, MAX_ARGS);

// Tells the pool the kernels are compiled, so no timed call includes start-up.
parentPort?.postMessage("ready");
let seen = Atomics.load(ctrl, 0);
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  if (args[0] === TASK.quit) break;
  runTask(kernels, memory.buffer, args);
  Atomics.store(ctrl, 1, seen);
  Atomics.notify(ctrl, 1);
}
parentPort?.close();
