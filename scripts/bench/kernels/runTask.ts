/**
 * Executes one aggregation task against the shared memory. Used by the worker threads
 * and, for small inputs where a message round-trip would cost more than the work, by
 * the pool's own thread.
 */
import { selectTrimmedSums, type Task } from "./selection.ts";
import type { KernelExports, WasmMemory } from "./wasmKernels.ts";

export function runTask(kernels: KernelExports, memory: WasmMemory, task: Task): void {
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
