/**
 * WebAssembly SIMD kernels for bulk aggregation (bench:aggregate).
 *
 * The WAT is generated here and compiled with wabt at load time, so the source of
 * every instruction is in this file. Memory is imported and may be shared, so
 * several worker threads run the same kernels over one copy of the updates.
 *
 * - `colsum`: out[c] += Σᵢ x[i·d + c] over a column block, four rows per pass, f32x4.
 * - `gram`: for row tiles of 4 (A) × 2 (B), accumulates the dot products of rows over
 *   a k-range with 8 f32x4 FMA accumulators (relaxed SIMD `f32x4.relaxed_madd`, FMA on
 *   x86-64), then adds the 8 sums into a float64 Gram matrix. Only tiles with
 *   b ≥ a-tile start are computed: the Gram matrix is symmetric.
 */
import { setFlagsFromString } from "node:v8";
import wabtInit from "wabt";

// Compile straight to optimised code: V8's baseline (Liftoff) tier would run the first
// long kernel calls several times slower until tier-up, which single timed runs see.
setFlagsFromString("--no-liftoff");

/**
 * The slice of the WebAssembly JS API used here. The project's TypeScript lib is
 * ES2023 without DOM, which has no WebAssembly declarations, so it is typed locally.
 */
export type WasmMemory = { readonly buffer: SharedArrayBuffer | ArrayBuffer; grow(pages: number): number };
type WasmModule = object;
type WasmApi = {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<{ exports: object }>;
};
/** The runtime's WebAssembly object, typed. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Exports of the compiled kernel module. */
export type KernelExports = {
  colsum(x: number, n: number, d: number, c0: number, c1: number, out: number): void;
  gram(x: number, n: number, d: number, k0: number, k1: number, a0: number, a1: number, g: number): void;
};

const acc = (i: number, j: number): string => `$acc${i}${j}`;

function gramWat(): string {
  const locals = [
    ...[0, 1, 2, 3].flatMap((i) => [0, 1].map((j) => `(local ${acc(i, j)} v128)`)),
    ...[0, 1, 2, 3].map((i) => `(local $va${i} v128)`),
    "(local $vb0 v128) (local $vb1 v128)",
    ...[0, 1, 2, 3].map((i) => `(local $pa${i} i32)`),
    "(local $pb0 i32) (local $pb1 i32) (local $o i32) (local $end i32) (local $a i32) (local $b i32) (local $rowBytes i32) (local $cell i32)",
  ].join(" ");
  const zero = [0, 1, 2, 3].flatMap((i) => [0, 1].map((j) => `(local.set ${acc(i, j)} (v128.const i32x4 0 0 0 0))`)).join("\n");
  const loadA = [0, 1, 2, 3].map((i) => `(local.set $va${i} (v128.load (i32.add (local.get $pa${i}) (local.get $o))))`).join("\n");
  const fma = [0, 1]
    .map(
      (j) =>
        `(local.set $vb${j} (v128.load (i32.add (local.get $pb${j}) (local.get $o))))\n` +
        [0, 1, 2, 3].map((i) => `(local.set ${acc(i, j)} (f32x4.relaxed_madd (local.get $va${i}) (local.get $vb${j}) (local.get ${acc(i, j)})))`).join("\n"),
    )
    .join("\n");
  const hsum = (v: string): string =>
    `(f64.promote_f32 (f32.add (f32.add (f32x4.extract_lane 0 (local.get ${v})) (f32x4.extract_lane 1 (local.get ${v}))) (f32.add (f32x4.extract_lane 2 (local.get ${v})) (f32x4.extract_lane 3 (local.get ${v})))))`;
  const store = [0, 1, 2, 3]
    .flatMap((i) =>
      [0, 1].map(
        (j) =>
          `(local.set $cell (i32.add (local.get $g) (i32.shl (i32.add (i32.mul (i32.add (local.get $a) (i32.const ${i})) (local.get $n)) (i32.add (local.get $b) (i32.const ${j}))) (i32.const 3))))\n` +
          `(f64.store (local.get $cell) (f64.add (f64.load (local.get $cell)) ${hsum(acc(i, j))}))`,
      ),
    )
    .join("\n");
  return `
  (func (export "gram") (param $x i32) (param $n i32) (param $d i32) (param $k0 i32) (param $k1 i32) (param $a0 i32) (param $a1 i32) (param $g i32)
    ${locals}
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $a (local.get $a0))
    (block $doneA (loop $loopA
      (br_if $doneA (i32.ge_u (local.get $a) (local.get $a1)))
      ${[0, 1, 2, 3].map((i) => `(local.set $pa${i} (i32.add (local.get $x) (i32.mul (i32.add (local.get $a) (i32.const ${i})) (local.get $rowBytes))))`).join("\n")}
      (local.set $b (local.get $a))
      (block $doneB (loop $loopB
        (br_if $doneB (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $pb0 (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $rowBytes))))
        (local.set $pb1 (i32.add (local.get $pb0) (local.get $rowBytes)))
        ${zero}
        (local.set $o (i32.shl (local.get $k0) (i32.const 2)))
        (local.set $end (i32.shl (local.get $k1) (i32.const 2)))
        (block $doneK (loop $loopK
          (br_if $doneK (i32.ge_u (local.get $o) (local.get $end)))
          ${loadA}
          ${fma}
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br $loopK)))
        ${store}
        (local.set $b (i32.add (local.get $b) (i32.const 2)))
        (br $loopB)))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (br $loopA)))
  )`;
}

const COLSUM = `
  (func (export "colsum") (param $x i32) (param $n i32) (param $d i32) (param $c0 i32) (param $c1 i32) (param $out i32)
    (local $i i32) (local $o i32) (local $end i32) (local $rowBytes i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $dst i32)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $end (i32.shl (local.get $c1) (i32.const 2)))
    (local.set $i (i32.const 0))
    ;; four rows per pass: one load+store of the output block per four input rows
    (block $done4 (loop $rows4
      (br_if $done4 (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
      (local.set $r0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $rowBytes))))
      (local.set $r1 (i32.add (local.get $r0) (local.get $rowBytes)))
      (local.set $r2 (i32.add (local.get $r1) (local.get $rowBytes)))
      (local.set $r3 (i32.add (local.get $r2) (local.get $rowBytes)))
      (local.set $o (i32.shl (local.get $c0) (i32.const 2)))
      (block $doneC (loop $cols
        (br_if $doneC (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $dst (i32.add (local.get $out) (local.get $o)))
        (v128.store (local.get $dst)
          (f32x4.add (v128.load (local.get $dst))
            (f32x4.add
              (f32x4.add (v128.load (i32.add (local.get $r0) (local.get $o))) (v128.load (i32.add (local.get $r1) (local.get $o))))
              (f32x4.add (v128.load (i32.add (local.get $r2) (local.get $o))) (v128.load (i32.add (local.get $r3) (local.get $o)))))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $cols)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $rows4)))
    (block $done1 (loop $rows1
      (br_if $done1 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $r0 (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $rowBytes))))
      (local.set $o (i32.shl (local.get $c0) (i32.const 2)))
      (block $doneC1 (loop $cols1
        (br_if $doneC1 (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $dst (i32.add (local.get $out) (local.get $o)))
        (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (i32.add (local.get $r0) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $cols1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows1)))
  )`;

/** The kernel module's WAT source. */
export function kernelsWat(): string {
  return `(module (import "env" "memory" (memory 1 65536 shared))\n${COLSUM}\n${gramWat()}\n)`;
}

let compiled: Promise<WasmModule> | undefined;

/** Compiles (once per thread) the kernel module. */
export function compileKernels(): Promise<WasmModule> {
  compiled ??= (async () => {
    const wabt = await wabtInit();
    const parsed = wabt.parseWat("kernels.wat", kernelsWat(), { simd: true, relaxed_simd: true, threads: true });
    const { buffer } = parsed.toBinary({});
    parsed.destroy();
    return wasm.compile(new Uint8Array(buffer));
  })();
  return compiled;
}

/** Instantiates the kernels over `memory`. */
export async function instantiateKernels(memory: WasmMemory, module?: WasmModule): Promise<KernelExports> {
  const instance = await wasm.instantiate(module ?? (await compileKernels()), { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
