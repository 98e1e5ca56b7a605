import { BaseError } from "../../errors/base.ts";

/** The kernels' WebAssembly memory cannot grow to what an aggregation needs (callers fall back to JavaScript). */
export class KernelMemoryError extends BaseError {
  readonly bytes: number;
  constructor({ bytes, cause }: { bytes: number; cause: unknown }) {
    super(`The aggregation kernels need ${bytes} bytes of WebAssembly memory, more than it can grow to.`, { name: "KernelMemoryError", cause });
    this.bytes = bytes;
  }
}

/** A kernel chunk failed on the helper thread but not when rerun on the calling thread, so partial sums may be counted twice. */
export class KernelHelperError extends BaseError {
  readonly kernel: string;
  constructor({ kernel, chunk }: { kernel: string; chunk: number }) {
    super(`Kernel ${kernel} failed on the helper thread (chunk ${chunk}) and succeeded when rerun; its result cannot be trusted.`, { name: "KernelHelperError" });
    this.kernel = kernel;
  }
}
