/**
 * Worker side of `AggregatePool`: runs one slice of an aggregation over the shared
 * WebAssembly memory and replies when done.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runTask } from "./runTask.ts";
import type { Task } from "./selection.ts";
import { instantiateKernels, type WasmMemory } from "./wasmKernels.ts";

const { memory } = workerData as { memory: WasmMemory };
const kernels = await instantiateKernels(memory);

parentPort?.on("message", (task: Task) => {
  runTask(kernels, memory, task);
  parentPort?.postMessage({ id: task.id });
});
// Tells the pool the kernels are compiled, so no timed call includes start-up.
parentPort?.postMessage({ id: -1 });
