/**
 * Worker side of {@link AggregatePool}: runs one slice of an aggregation over the
 * shared WebAssembly memory and replies when done.
 */
import { parentPort, workerData } from "node:worker_threads";
import { instantiateKernels, type WasmMemory } from "./wasmKernels.ts";
import { selectTrimmedSums, type Task } from "./selection.ts";

const { memory } = workerData as { memory: WasmMemory };
const kernels = await instantiateKernels(memory);

parentPort?.on("message", (task: Task) => {
  runTask(task);
  parentPort?.postMessage({ id: task.id });
});
// Tells the pool the kernels are compiled, so no timed call includes start-up.
parentPort?.postMessage({ id: -1 });

/** Executes one task against the shared memory. */
function runTask(task: Task): void {
  const buffer = memory.buffer;
  switch (task.kind) {
    case "colsum": {
      const { x, n, d, c0, c1, out, scale, block } = task;
      const view = new Float32Array(buffer);
      for (let c = c0; c < c1; c += block) {
        const end = Math.min(c + block, c1);
        view.fill(0, out / 4 + c, out / 4 + end);
        kernels.colsum(x, n, d, c, end, out);
        if (scale !== 1) for (let j = c; j < end; j++) view[out / 4 + j] = (view[out / 4 + j] as number) * scale;
      }
      return;
    }
    case "rowsum": {
      // Sum of selected rows (Multi-Krum's kept updates) over a column range.
      const { x, d, rows, c0, c1, out, scale } = task;
      const view = new Float32Array(buffer);
      view.fill(0, out / 4 + c0, out / 4 + c1);
      for (const r of rows) kernels.colsum(x + r * d * 4, 1, d, c0, c1, out);
      for (let j = c0; j < c1; j++) view[out / 4 + j] = (view[out / 4 + j] as number) * scale;
      return;
    }
    case "gram": {
      const { x, n, d, k0, k1, g, chunk } = task;
      new Float64Array(buffer, g, n * n).fill(0);
      for (let k = k0; k < k1; k += chunk) kernels.gram(x, n, d, k, Math.min(k + chunk, k1), 0, n, g);
      return;
    }
    case "select":
      selectTrimmedSums(new Float32Array(buffer), task);
      return;
  }
}
