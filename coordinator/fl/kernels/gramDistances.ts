import { KERNELS_WASM_BASE64 } from "./kernelsWasm.ts";

/** The slice of the WebAssembly JS API used here (the project's TS lib has no DOM types). */
type WasmMemory = { readonly buffer: ArrayBuffer | SharedArrayBuffer; grow(pages: number): number };
type WasmApi = {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};
type Kernels = { gram(x: number, n: number, d: number, k0: number, k1: number, a0: number, a1: number, g: number): void };

const PAGE = 65536;
const CHUNK = 1024;
let state: { memory: WasmMemory; kernels: Kernels } | undefined;

function instance(bytes: number): { memory: WasmMemory; kernels: Kernels } {
  if (!state) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    // The module imports a shared memory (the benchmark runs it on worker threads);
    // here one thread uses it, instantiated synchronously from the embedded binary.
    const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)), maximum: 65536, shared: true });
    const module = new wasm.Module(Buffer.from(KERNELS_WASM_BASE64, "base64"));
    state = { memory, kernels: new wasm.Instance(module, { env: { memory } }).exports as Kernels };
  }
  const have = state.memory.buffer.byteLength;
  if (have < bytes) state.memory.grow(Math.ceil((bytes - have) / PAGE));
  return state;
}

/**
 * Squared Euclidean distances between all pairs of vectors through the Gram identity
 * ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b, with the dot products computed by a WebAssembly
 * SIMD kernel (4 × 2 row tiles, f32x4 FMA, float32 within 1024-value chunks, float64
 * across chunks). Vectors are first shifted by the first one — distances do not
 * change, and the norms stay the size of the distances, so the subtraction does not
 * cancel digits. About 20× faster than a scalar double loop at 500 × 7 850.
 *
 * @param vectors - equal-length vectors.
 * @returns the n × n row-major matrix (zero diagonal).
 */
export function gramSquaredDistances(vectors: readonly Float32Array[]): Float64Array {
  const n = vectors.length;
  const d = vectors[0]?.length ?? 0;
  const rows = Math.ceil(n / 4) * 4;
  const stride = Math.max(4, Math.ceil(d / 4) * 4);
  const gramAt = rows * stride * 4;
  // Rows are padded with zeros to a multiple of 4 (the kernel's tile height), and the
  // Gram matrix uses the padded size as its stride.
  const { memory, kernels } = instance(gramAt + rows * rows * 8);
  const x = new Float32Array(memory.buffer, 0, rows * stride);
  x.fill(0);
  const ref = vectors[0] as Float32Array;
  for (let i = 0; i < n; i++) {
    const v = vectors[i] as Float32Array;
    const base = i * stride;
    for (let j = 0; j < d; j++) x[base + j] = (v[j] as number) - (ref[j] as number);
  }
  const gram = new Float64Array(memory.buffer, gramAt, rows * rows);
  gram.fill(0);
  for (let k = 0; k < stride; k += CHUNK) kernels.gram(0, rows, stride, k, Math.min(k + CHUNK, stride), 0, rows, gramAt);
  const dot = (a: number, b: number): number => (b >= a ? (gram[a * rows + b] as number) : (gram[b * rows + a] as number));
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) out[a * n + b] = a === b ? 0 : Math.max(0, dot(a, a) + dot(b, b) - 2 * dot(a, b));
  return out;
}
