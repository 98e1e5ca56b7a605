/**
 * One slice of an aggregation, encoded as numbers in a control slot of the shared
 * memory so that the pool's thread and its workers run it the same way, without
 * structured-clone messages: args[0] is the kind, the rest its kernel's arguments.
 */
import type { KernelExports } from "./wasmKernels.ts";

export const TASK = { quit: 0, rowsum: 1, gram: 2, select: 3, scores: 4 } as const;

/** Bytes per thread slot in the control area: [seq i32, done i32, pad, args f64 × 16]. */
export const SLOT_BYTES = 256;
/** Byte offset of a slot's arguments. */
export const ARGS_OFFSET = 16;
export const MAX_ARGS = 16;

export function runTask(kernels: KernelExports, buffer: SharedArrayBuffer | ArrayBuffer, args: ArrayLike<number>): void {
  const a = (i: number): number => args[i] as number;
  switch (a(0)) {
    case TASK.rowsum:
      kernels.rowsum(a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), a(9));
      return;
    case TASK.gram:
      // Each thread zeroes its own Gram matrix (args[9] float64 values) first.
      new Float64Array(buffer, a(6), a(9)).fill(0);
      kernels.gram(a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8));
      return;
    case TASK.select:
      kernels.select(a(1), a(2), a(3), a(4), a(5), a(6), a(7), a(8), a(9));
      return;
    case TASK.scores:
      kernels.scores(a(1), a(2), a(3), a(4), a(5), a(6), a(7));
      return;
    default:
      throw new Error(`unknown task kind ${a(0)}`);
  }
}
