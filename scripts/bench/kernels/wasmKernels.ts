/**
 * WebAssembly SIMD kernels for bulk aggregation (bench:aggregate) and the
 * coordinator's Gram distances.
 *
 * The WAT is generated here and compiled with wabt (at load time for the benchmark,
 * ahead of time into `coordinator/fl/kernels/kernelsWasm.ts` for the coordinator), so
 * the source of every instruction is in this file. Memory is imported and may be
 * shared, so several threads run the same kernels over one copy of the updates.
 *
 * - `rowsum`: out[c] = scale · Σ_{r ∈ rows} x[r·d + c] for a column range, in column
 *   blocks (the block of `out` stays in cache), four rows per pass, f32x4. FedAvg uses
 *   every row; Multi-Krum the kept ones.
 * - `gram`: adds Σₖ x[a·d+k]·x[b·d+k] over a k-range to a float64 Gram matrix (upper
 *   triangle, 4-row groups). Per chunk of K columns the rows are first packed into a
 *   panel of 4-row groups interleaved by 4 columns, so the inner loop reads A (4 rows)
 *   and B (2 rows) through two pointers bumped once per step; each 4 × 2 tile keeps 8
 *   f32x4 accumulators (relaxed SIMD FMA: one vfmadd231ps on x86-64). About 22 GMAC/s
 *   per thread here, ~78% of the 128-bit FMA peak (29 GMAC/s measured).
 *   The chunk (K·n·4 bytes) stays in L2; each tile's float32 sums over a chunk are
 *   added to the float64 matrix with two f64x2 stores per row pair.
 * - `distances`: ‖xₐ − x_b‖² = Gₐₐ + G_bb − 2Gₐ_b from a Gram matrix (float64, ≥ 0).
 * - `scores`: Krum scores, the sum of the k smallest off-diagonal distances per row
 *   (quickselect, float64).
 * - `select`: coordinate-wise median or trimmed mean over a column range: 64-column
 *   blocks are transposed into contiguous scratch, then each column's order statistics
 *   come from a branchless out-of-place quickselect (`$kth`).
 * - `addf64`: dst += src (combines per-thread Gram matrices).
 */
import { setFlagsFromString } from "node:v8";
import wabtInit from "wabt";

// Compile straight to optimised code, all functions when the module is compiled: V8's
// baseline (Liftoff) tier would run the first long kernel calls several times slower
// until tier-up, and lazy compilation would put each function's compile time into its
// first call, which single timed runs see.
setFlagsFromString("--no-liftoff");
setFlagsFromString("--no-wasm-lazy-compilation");

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

/** Exports of the compiled kernel module (all pointers are byte offsets). */
export type KernelExports = {
  rowsum(x: number, d: number, rows: number, m: number, c0: number, c1: number, out: number, scale: number, block: number): void;
  gram(x: number, n: number, d: number, k0: number, k1: number, g: number, pack: number, chunk: number): void;
  gramRows(n: number): number;
  distances(g: number, stride: number, n: number, dist: number): void;
  scores(dist: number, n: number, k: number, a0: number, a1: number, scratch: number, out: number): void;
  select(x: number, n: number, d: number, c0: number, c1: number, out: number, trimmed: number, cut: number, scratch: number): void;
  addf64(dst: number, src: number, count: number): void;
};

/**
 * Rows per group of the Gram kernel (A tile height) and B tile width (divides it).
 * 4 × 2 keeps 8 accumulators + 4 A + 2 B vectors in x64 V8's 15 usable xmm registers;
 * 3 × 3 (9 accumulators) measured the same (22 GMAC/s per thread at 500 × 1e4).
 */
const GROUP = 4;
const TILE_B = 2;

/** Bytes of `gram`'s packing buffer for n rows and chunk K. */
export function gramPackBytes(n: number, chunk: number): number {
  return gramRows(n) * Math.ceil(chunk / 4) * 16;
}

/** Rows padded to `gram`'s group size: the Gram matrix is (padded × padded). */
export function gramRows(n: number): number {
  return Math.ceil(n / GROUP) * GROUP;
}

/** Columns per transposed block of `select`; its scratch is (SELECT_BLOCK + 2) × n floats. */
export const SELECT_BLOCK = 64;

const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i);
const acc = (i: number, j: number): string => `$acc${i}${j}`;

// Lane shuffles for the horizontal sums of two accumulators p, q:
// [p0,q0,p1,q1] + [p2,q2,p3,q3], then the two halves added.
const LO_PAIRS = "0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23";
const HI_PAIRS = "8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31";
const SWAP_HALVES = "8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7";

function gramWat(): string {
  const G = GROUP;
  const C = TILE_B;
  const stepBytes = 16 * G;
  const locals = [
    ...range(G).flatMap((i) => range(C).map((j) => `(local ${acc(i, j)} v128)`)),
    ...range(G).map((i) => `(local $va${i} v128)`),
    "(local $vb v128) (local $t v128)",
    "(local $ga i32) (local $gb i32) (local $h i32) (local $groups i32) (local $groupBytes i32) (local $pa i32) (local $pb i32) (local $qa i32) (local $qb i32) (local $qend i32)",
    "(local $o i32) (local $end i32) (local $kc i32) (local $ke i32) (local $steps i32) (local $cell i32)",
  ].join(" ");
  const zero = range(G)
    .flatMap((i) => range(C).map((j) => `(local.set ${acc(i, j)} (v128.const i32x4 0 0 0 0))`))
    .join("\n");
  // One k-step (4 columns). Not unrolled: TurboFan would hoist the second step's loads
  // above the first step's FMAs and spill accumulators (x64 V8 has 16 xmm registers).
  const step = (at = 0): string =>
    [
      ...range(G).map((i) => `(local.set $va${i} (v128.load offset=${at + 16 * i} (local.get $qa)))`),
      ...range(C).flatMap((j) => [
        `(local.set $vb (v128.load offset=${at + 16 * j} (local.get $qb)))`,
        ...range(G).map((i) => `(local.set ${acc(i, j)} (f32x4.relaxed_madd (local.get $va${i}) (local.get $vb) (local.get ${acc(i, j)})))`),
      ]),
    ].join("\n");
  // G[a+i][b+j]: columns in pairs as f64x2 ([Σacc(i,j), Σacc(i,j+1)] by two shuffles
  // and adds), an odd last column alone.
  const cell = (i: number, j: number): string =>
    `(local.set $cell (i32.add (local.get $g) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $ga) (i32.const ${G})) (i32.const ${i})) (local.get $np)) (i32.add (i32.add (i32.mul (local.get $gb) (i32.const ${G})) (i32.mul (local.get $h) (i32.const ${C}))) (i32.const ${j}))) (i32.const 3))))`;
  const hsum = (v: string): string =>
    `(f64.promote_f32 (f32.add (f32.add (f32x4.extract_lane 0 (local.get ${v})) (f32x4.extract_lane 1 (local.get ${v}))) (f32.add (f32x4.extract_lane 2 (local.get ${v})) (f32x4.extract_lane 3 (local.get ${v})))))`;
  const store = range(G)
    .flatMap((i) =>
      range(Math.ceil(C / 2)).map((p) => {
        const j = 2 * p;
        if (j + 1 === C) return `${cell(i, j)}\n(f64.store (local.get $cell) (f64.add (f64.load (local.get $cell)) ${hsum(acc(i, j))}))`;
        return (
          `(local.set $t (f32x4.add (i8x16.shuffle ${LO_PAIRS} (local.get ${acc(i, j)}) (local.get ${acc(i, j + 1)})) (i8x16.shuffle ${HI_PAIRS} (local.get ${acc(i, j)}) (local.get ${acc(i, j + 1)}))))\n` +
          `(local.set $t (f32x4.add (local.get $t) (i8x16.shuffle ${SWAP_HALVES} (local.get $t) (local.get $t))))\n` +
          `${cell(i, j)}\n` +
          `(v128.store (local.get $cell) (f64x2.add (v128.load (local.get $cell)) (f64x2.promote_low_f32x4 (local.get $t))))`
        );
      }),
    )
    .join("\n");
  return `
  ;; Rows padded to the group size: the Gram matrix is gramRows(n) × gramRows(n).
  (func $gramRows (export "gramRows") (param $n i32) (result i32)
    (i32.mul (i32.div_u (i32.add (local.get $n) (i32.const ${G - 1})) (i32.const ${G})) (i32.const ${G})))

  ;; Packs rows [0, np) × columns [kc, ke) of x into ${G}-row groups interleaved by 4
  ;; columns: group g, step s, row i at pack + g·groupBytes + s·${stepBytes} + i·16. Rows ≥ n
  ;; and columns ≥ ke are zero.
  (func $pack (param $x i32) (param $n i32) (param $d i32) (param $kc i32) (param $ke i32) (param $pack i32) (param $np i32) (param $steps i32)
    (local $r i32) (local $src i32) (local $dst i32) (local $s i32) (local $full i32) (local $c i32) (local $groupBytes i32)
    (local.set $groupBytes (i32.mul (local.get $steps) (i32.const ${stepBytes})))
    (local.set $full (i32.shr_u (i32.sub (local.get $ke) (local.get $kc)) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $doneR (loop $rows
      (br_if $doneR (i32.ge_u (local.get $r) (local.get $np)))
      (local.set $dst (i32.add (i32.add (local.get $pack) (i32.mul (i32.div_u (local.get $r) (i32.const ${G})) (local.get $groupBytes))) (i32.shl (i32.rem_u (local.get $r) (i32.const ${G})) (i32.const 4))))
      (local.set $s (i32.const 0))
      (if (i32.lt_u (local.get $r) (local.get $n))
        (then
          (local.set $src (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $d)) (local.get $kc)) (i32.const 2))))
          (block $doneS (loop $steps4
            (br_if $doneS (i32.ge_u (local.get $s) (local.get $full)))
            (v128.store (i32.add (local.get $dst) (i32.mul (local.get $s) (i32.const ${stepBytes}))) (v128.load (i32.add (local.get $src) (i32.shl (local.get $s) (i32.const 4)))))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $steps4)))
          ;; partial last step: copy the remaining columns, zero the rest
          (if (i32.lt_u (local.get $s) (local.get $steps))
            (then
              (v128.store (i32.add (local.get $dst) (i32.mul (local.get $s) (i32.const ${stepBytes}))) (v128.const i32x4 0 0 0 0))
              (local.set $c (i32.add (local.get $kc) (i32.shl (local.get $s) (i32.const 2))))
              (block $doneC (loop $cols
                (br_if $doneC (i32.ge_u (local.get $c) (local.get $ke)))
                (f32.store
                  (i32.add (i32.add (local.get $dst) (i32.mul (local.get $s) (i32.const ${stepBytes}))) (i32.shl (i32.sub (local.get $c) (i32.add (local.get $kc) (i32.shl (local.get $s) (i32.const 2)))) (i32.const 2)))
                  (f32.load (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $d)) (local.get $c)) (i32.const 2)))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $cols)))
              (local.set $s (i32.add (local.get $s) (i32.const 1)))))))
      (block $doneZ (loop $zeros
        (br_if $doneZ (i32.ge_u (local.get $s) (local.get $steps)))
        (v128.store (i32.add (local.get $dst) (i32.mul (local.get $s) (i32.const ${stepBytes}))) (v128.const i32x4 0 0 0 0))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $zeros)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows)))
  )

  ;; G[a][b] += Σ_{k ∈ [k0, k1)} x[a·d+k]·x[b·d+k] for ${G}-row groups ga ≤ gb (G is
  ;; np × np float64 with np = n rounded up to ${G}; the diagonal ${G} × ${G} blocks are full).
  (func (export "gram") (param $x i32) (param $n i32) (param $d i32) (param $k0 i32) (param $k1 i32) (param $g i32) (param $pack i32) (param $chunk i32)
    (local $np i32)
    ${locals}
    (local.set $np (call $gramRows (local.get $n)))
    (local.set $groups (i32.div_u (local.get $np) (i32.const ${G})))
    (local.set $kc (local.get $k0))
    (block $doneChunks (loop $chunks
      (br_if $doneChunks (i32.ge_u (local.get $kc) (local.get $k1)))
      (local.set $ke (select (i32.add (local.get $kc) (local.get $chunk)) (local.get $k1) (i32.lt_u (i32.add (local.get $kc) (local.get $chunk)) (local.get $k1))))
      ;; steps of 4 columns
      (local.set $steps (i32.shr_u (i32.add (i32.sub (local.get $ke) (local.get $kc)) (i32.const 3)) (i32.const 2)))
      (local.set $groupBytes (i32.mul (local.get $steps) (i32.const ${stepBytes})))
      (local.set $end (local.get $groupBytes))
      (call $pack (local.get $x) (local.get $n) (local.get $d) (local.get $kc) (local.get $ke) (local.get $pack) (local.get $np) (local.get $steps))
      (local.set $ga (i32.const 0))
      (block $doneA (loop $loopA
        (br_if $doneA (i32.ge_u (local.get $ga) (local.get $groups)))
        (local.set $pa (i32.add (local.get $pack) (i32.mul (local.get $ga) (local.get $groupBytes))))
        (local.set $gb (local.get $ga))
        (block $doneB (loop $loopB
          (br_if $doneB (i32.ge_u (local.get $gb) (local.get $groups)))
          (local.set $h (i32.const 0))
          (block $doneH (loop $loopH
            (br_if $doneH (i32.ge_u (local.get $h) (i32.const ${G / C})))
            (local.set $pb (i32.add (i32.add (local.get $pack) (i32.mul (local.get $gb) (local.get $groupBytes))) (i32.mul (local.get $h) (i32.const ${16 * C}))))
            ${zero}
            ;; A and B pointers bumped by one step (64 bytes) per iteration: the loads
            ;; address [memory + pointer + constant] with no further arithmetic
            (local.set $qa (local.get $pa))
            (local.set $qb (local.get $pb))
            (local.set $qend (i32.add (local.get $pa) (local.get $end)))
            (loop $loopK
              ${step()}
              (local.set $qa (i32.add (local.get $qa) (i32.const ${stepBytes})))
              (local.set $qb (i32.add (local.get $qb) (i32.const ${stepBytes})))
              (br_if $loopK (i32.lt_u (local.get $qa) (local.get $qend))))
            ${store}
            (local.set $h (i32.add (local.get $h) (i32.const 1)))
            (br $loopH)))
          (local.set $gb (i32.add (local.get $gb) (i32.const 1)))
          (br $loopB)))
        (local.set $ga (i32.add (local.get $ga) (i32.const 1)))
        (br $loopA)))
      (local.set $kc (local.get $ke))
      (br $chunks)))
  )`;
}

const ROWSUM = `
  ;; out[c] = scale · Σ_{i < m} x[rows[i]·d + c] for c ∈ [c0, c1), in blocks of \`block\`
  ;; columns (a multiple of 4); c0 must be a multiple of 4.
  (func (export "rowsum") (param $x i32) (param $d i32) (param $rows i32) (param $m i32) (param $c0 i32) (param $c1 i32) (param $out i32) (param $scale f32) (param $block i32)
    (local $cb i32) (local $ce i32) (local $cv i32) (local $i i32) (local $o i32) (local $endV i32) (local $endS i32) (local $rowBytes i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $dst i32) (local $vs v128)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $vs (f32x4.splat (local.get $scale)))
    (local.set $cb (local.get $c0))
    (block $doneBlocks (loop $blocks
      (br_if $doneBlocks (i32.ge_u (local.get $cb) (local.get $c1)))
      (local.set $ce (select (i32.add (local.get $cb) (local.get $block)) (local.get $c1) (i32.lt_u (i32.add (local.get $cb) (local.get $block)) (local.get $c1))))
      (local.set $cv (i32.add (local.get $cb) (i32.and (i32.sub (local.get $ce) (local.get $cb)) (i32.const -4))))
      (local.set $endV (i32.shl (local.get $cv) (i32.const 2)))
      (local.set $endS (i32.shl (local.get $ce) (i32.const 2)))
      ;; zero the block
      (local.set $o (i32.shl (local.get $cb) (i32.const 2)))
      (block $d0 (loop $z
        (br_if $d0 (i32.ge_u (local.get $o) (local.get $endV)))
        (v128.store (i32.add (local.get $out) (local.get $o)) (v128.const i32x4 0 0 0 0))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $z)))
      (block $d1 (loop $zs
        (br_if $d1 (i32.ge_u (local.get $o) (local.get $endS)))
        (f32.store (i32.add (local.get $out) (local.get $o)) (f32.const 0))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $zs)))
      (local.set $i (i32.const 0))
      ;; four rows per pass: one load + store of the output block per four input rows
      (block $done4 (loop $rows4
        (br_if $done4 (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
        (local.set $r0 (i32.add (local.get $x) (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $r1 (i32.add (local.get $x) (i32.mul (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $r2 (i32.add (local.get $x) (i32.mul (i32.load offset=8 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $r3 (i32.add (local.get $x) (i32.mul (i32.load offset=12 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $o (i32.shl (local.get $cb) (i32.const 2)))
        (block $doneC (loop $cols
          (br_if $doneC (i32.ge_u (local.get $o) (local.get $endV)))
          (local.set $dst (i32.add (local.get $out) (local.get $o)))
          (v128.store (local.get $dst)
            (f32x4.add (v128.load (local.get $dst))
              (f32x4.add
                (f32x4.add (v128.load (i32.add (local.get $r0) (local.get $o))) (v128.load (i32.add (local.get $r1) (local.get $o))))
                (f32x4.add (v128.load (i32.add (local.get $r2) (local.get $o))) (v128.load (i32.add (local.get $r3) (local.get $o)))))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br $cols)))
        (block $doneCS (loop $colsS
          (br_if $doneCS (i32.ge_u (local.get $o) (local.get $endS)))
          (local.set $dst (i32.add (local.get $out) (local.get $o)))
          (f32.store (local.get $dst)
            (f32.add (f32.load (local.get $dst))
              (f32.add
                (f32.add (f32.load (i32.add (local.get $r0) (local.get $o))) (f32.load (i32.add (local.get $r1) (local.get $o))))
                (f32.add (f32.load (i32.add (local.get $r2) (local.get $o))) (f32.load (i32.add (local.get $r3) (local.get $o)))))))
          (local.set $o (i32.add (local.get $o) (i32.const 4)))
          (br $colsS)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows4)))
      (block $done1 (loop $rows1
        (br_if $done1 (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $r0 (i32.add (local.get $x) (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $o (i32.shl (local.get $cb) (i32.const 2)))
        (block $doneC1 (loop $cols1
          (br_if $doneC1 (i32.ge_u (local.get $o) (local.get $endV)))
          (local.set $dst (i32.add (local.get $out) (local.get $o)))
          (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (i32.add (local.get $r0) (local.get $o)))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br $cols1)))
        (block $doneC1S (loop $cols1S
          (br_if $doneC1S (i32.ge_u (local.get $o) (local.get $endS)))
          (local.set $dst (i32.add (local.get $out) (local.get $o)))
          (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (i32.add (local.get $r0) (local.get $o)))))
          (local.set $o (i32.add (local.get $o) (i32.const 4)))
          (br $cols1S)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows1)))
      ;; scale the block
      (local.set $o (i32.shl (local.get $cb) (i32.const 2)))
      (block $d2 (loop $sc
        (br_if $d2 (i32.ge_u (local.get $o) (local.get $endV)))
        (local.set $dst (i32.add (local.get $out) (local.get $o)))
        (v128.store (local.get $dst) (f32x4.mul (v128.load (local.get $dst)) (local.get $vs)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $sc)))
      (block $d3 (loop $scs
        (br_if $d3 (i32.ge_u (local.get $o) (local.get $endS)))
        (local.set $dst (i32.add (local.get $out) (local.get $o)))
        (f32.store (local.get $dst) (f32.mul (f32.load (local.get $dst)) (local.get $scale)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $scs)))
      (local.set $cb (local.get $ce))
      (br $blocks)))
  )`;

/** Quickselect (median-of-three pivot, Hoare partition) over elements [lo, hi] of type T at $a. */
function quickselectWat(t: "f32" | "f64"): string {
  const shift = t === "f32" ? 2 : 3;
  const at = (i: string): string => `(i32.add (local.get $a) (i32.shl (local.get ${i}) (i32.const ${shift})))`;
  return `
  (func $select_${t} (param $a i32) (param $lo i32) (param $hi i32) (param $k i32)
    (local $mid i32) (local $i i32) (local $j i32) (local $x ${t}) (local $y ${t}) (local $z ${t}) (local $p ${t}) (local $tmp ${t})
    (block $done (loop $outer
      (br_if $done (i32.le_s (local.get $hi) (local.get $lo)))
      (local.set $mid (i32.shr_s (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
      (local.set $x (${t}.load ${at("$lo")}))
      (local.set $y (${t}.load ${at("$mid")}))
      (local.set $z (${t}.load ${at("$hi")}))
      (if (${t}.gt (local.get $x) (local.get $y)) (then (local.set $tmp (local.get $x)) (local.set $x (local.get $y)) (local.set $y (local.get $tmp))))
      (local.set $p (select (local.get $x) (select (local.get $y) (local.get $z) (${t}.gt (local.get $z) (local.get $y))) (${t}.lt (local.get $z) (local.get $x))))
      (local.set $i (local.get $lo))
      (local.set $j (local.get $hi))
      (block $doneP (loop $part
        (br_if $doneP (i32.gt_s (local.get $i) (local.get $j)))
        (block $b1 (loop $l1
          (br_if $b1 (i32.eqz (${t}.lt (${t}.load ${at("$i")}) (local.get $p))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l1)))
        (block $b2 (loop $l2
          (br_if $b2 (i32.eqz (${t}.gt (${t}.load ${at("$j")}) (local.get $p))))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br $l2)))
        (if (i32.le_s (local.get $i) (local.get $j))
          (then
            (local.set $tmp (${t}.load ${at("$i")}))
            (${t}.store ${at("$i")} (${t}.load ${at("$j")}))
            (${t}.store ${at("$j")} (local.get $tmp))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))))
        (br $part)))
      (if (i32.le_s (local.get $k) (local.get $j))
        (then (local.set $hi (local.get $j)))
        (else
          (if (i32.ge_s (local.get $k) (local.get $i))
            (then (local.set $lo (local.get $i)))
            (else (br $done)))))
      (br $outer)))
  )`;
}

/**
 * The k-th smallest of n floats at $src (left intact), by quickselect with a
 * branchless out-of-place partition: each pass streams the current range into the
 * other buffer, values < pivot from the front, the rest from the back (every value is
 * stored at both ends and the index that advances keeps it), so random data costs no
 * branch mispredictions. Buffers A and B hold n floats each.
 */
const KTH = `
  (func $kth (param $src i32) (param $n i32) (param $k i32) (param $bufA i32) (param $bufB i32) (result f32)
    (local $cur i32) (local $dst i32) (local $len i32) (local $i i32) (local $lp i32) (local $rp i32) (local $end i32)
    (local $v f32) (local $p f32) (local $x f32) (local $y f32) (local $z f32) (local $tmp f32) (local $left i32)
    (local.set $cur (local.get $src))
    (local.set $dst (local.get $bufA))
    (local.set $len (local.get $n))
    (loop $pass
      (if (i32.le_u (local.get $len) (i32.const 1)) (then (return (f32.load (local.get $cur)))))
      ;; median of three
      (local.set $x (f32.load (local.get $cur)))
      (local.set $y (f32.load (i32.add (local.get $cur) (i32.shl (i32.shr_u (local.get $len) (i32.const 1)) (i32.const 2)))))
      (local.set $z (f32.load (i32.add (local.get $cur) (i32.shl (i32.sub (local.get $len) (i32.const 1)) (i32.const 2)))))
      (if (f32.gt (local.get $x) (local.get $y)) (then (local.set $tmp (local.get $x)) (local.set $x (local.get $y)) (local.set $y (local.get $tmp))))
      (local.set $p (select (local.get $x) (select (local.get $y) (local.get $z) (f32.gt (local.get $z) (local.get $y))) (f32.lt (local.get $z) (local.get $x))))
      (local.set $end (i32.add (local.get $cur) (i32.shl (local.get $len) (i32.const 2))))
      ;; values < p to the front of dst
      (local.set $lp (local.get $dst))
      (local.set $rp (i32.add (local.get $dst) (i32.shl (i32.sub (local.get $len) (i32.const 1)) (i32.const 2))))
      (local.set $i (local.get $cur))
      (loop $part
        (local.set $v (f32.load (local.get $i)))
        (f32.store (local.get $lp) (local.get $v))
        (f32.store (local.get $rp) (local.get $v))
        (local.set $left (f32.lt (local.get $v) (local.get $p)))
        (local.set $lp (i32.add (local.get $lp) (i32.shl (local.get $left) (i32.const 2))))
        (local.set $rp (i32.sub (local.get $rp) (i32.shl (i32.xor (local.get $left) (i32.const 1)) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $part (i32.lt_u (local.get $i) (local.get $end))))
      (local.set $left (i32.shr_u (i32.sub (local.get $lp) (local.get $dst)) (i32.const 2)))
      (if (i32.eqz (local.get $left))
        (then
          ;; nothing below p (p is the minimum): split off the values equal to p instead
          (local.set $lp (local.get $dst))
          (local.set $rp (i32.add (local.get $dst) (i32.shl (i32.sub (local.get $len) (i32.const 1)) (i32.const 2))))
          (local.set $i (local.get $cur))
          (loop $part2
            (local.set $v (f32.load (local.get $i)))
            (f32.store (local.get $lp) (local.get $v))
            (f32.store (local.get $rp) (local.get $v))
            (local.set $left (f32.le (local.get $v) (local.get $p)))
            (local.set $lp (i32.add (local.get $lp) (i32.shl (local.get $left) (i32.const 2))))
            (local.set $rp (i32.sub (local.get $rp) (i32.shl (i32.xor (local.get $left) (i32.const 1)) (i32.const 2))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br_if $part2 (i32.lt_u (local.get $i) (local.get $end))))
          (local.set $left (i32.shr_u (i32.sub (local.get $lp) (local.get $dst)) (i32.const 2)))
          (if (i32.lt_u (local.get $k) (local.get $left)) (then (return (local.get $p))))))
      (if (i32.lt_u (local.get $k) (local.get $left))
        (then (local.set $cur (local.get $dst)) (local.set $len (local.get $left)))
        (else
          (local.set $cur (i32.add (local.get $dst) (i32.shl (local.get $left) (i32.const 2))))
          (local.set $len (i32.sub (local.get $len) (local.get $left)))
          (local.set $k (i32.sub (local.get $k) (local.get $left)))))
      (local.set $dst (select (local.get $bufB) (local.get $bufA) (i32.eq (local.get $dst) (local.get $bufA))))
      (br $pass))
    (unreachable)
  )`;

const SELECT = `
  ;; Median (trimmed = 0) or trimmed mean cutting \`cut\` values per side (trimmed = 1)
  ;; of columns [c0, c1) of the n × d matrix at x, written to out[c]. Scratch holds
  ;; (${SELECT_BLOCK} + 2) × n floats: the transposed block, then two partition buffers.
  (func (export "select") (param $x i32) (param $n i32) (param $d i32) (param $c0 i32) (param $c1 i32) (param $out i32) (param $trimmed i32) (param $cut i32) (param $scratch i32)
    (local $c i32) (local $w i32) (local $i i32) (local $t i32) (local $src i32) (local $col i32) (local $colEnd i32) (local $half i32) (local $bufA i32) (local $bufB i32)
    (local $v f32) (local $e f32) (local $lo f32) (local $hi f32) (local $below f32) (local $sum f64) (local $countA i32) (local $countB i32)
    (local.set $half (i32.shr_u (local.get $n) (i32.const 1)))
    (local.set $bufA (i32.add (local.get $scratch) (i32.shl (i32.mul (local.get $n) (i32.const ${SELECT_BLOCK})) (i32.const 2))))
    (local.set $bufB (i32.add (local.get $bufA) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $c (local.get $c0))
    (block $doneBlocks (loop $blocks
      (br_if $doneBlocks (i32.ge_u (local.get $c) (local.get $c1)))
      (local.set $w (select (i32.const ${SELECT_BLOCK}) (i32.sub (local.get $c1) (local.get $c)) (i32.lt_u (i32.add (local.get $c) (i32.const ${SELECT_BLOCK})) (local.get $c1))))
      ;; transpose: scratch[t·n + i] = x[i·d + c + t]
      (local.set $i (i32.const 0))
      (block $doneT (loop $rows
        (br_if $doneT (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $src (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $d)) (local.get $c)) (i32.const 2))))
        (local.set $t (i32.const 0))
        (block $doneW (loop $cols
          (br_if $doneW (i32.ge_u (local.get $t) (local.get $w)))
          (f32.store (i32.add (local.get $scratch) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $n)) (local.get $i)) (i32.const 2)))
            (f32.load (i32.add (local.get $src) (i32.shl (local.get $t) (i32.const 2)))))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
      (local.set $t (i32.const 0))
      (block $doneCols (loop $each
        (br_if $doneCols (i32.ge_u (local.get $t) (local.get $w)))
        (local.set $col (i32.add (local.get $scratch) (i32.shl (i32.mul (local.get $t) (local.get $n)) (i32.const 2))))
        (local.set $colEnd (i32.add (local.get $col) (i32.shl (local.get $n) (i32.const 2))))
        (if (i32.eqz (local.get $trimmed))
          (then
            (local.set $v (call $kth (local.get $col) (local.get $n) (local.get $half) (local.get $bufA) (local.get $bufB)))
            (if (i32.eqz (i32.and (local.get $n) (i32.const 1)))
              (then
                ;; even count: the lower middle value is v if fewer than half values are
                ;; below v, else the largest value below v
                (local.set $below (f32.const -inf))
                (local.set $countA (i32.const 0))
                (local.set $i (local.get $col))
                (loop $scan
                  (local.set $e (f32.load (local.get $i)))
                  (local.set $countA (i32.add (local.get $countA) (f32.lt (local.get $e) (local.get $v))))
                  (local.set $below (select (local.get $e) (local.get $below) (i32.and (f32.lt (local.get $e) (local.get $v)) (f32.gt (local.get $e) (local.get $below)))))
                  (local.set $i (i32.add (local.get $i) (i32.const 4)))
                  (br_if $scan (i32.lt_u (local.get $i) (local.get $colEnd))))
                (local.set $below (select (local.get $v) (local.get $below) (i32.lt_u (local.get $countA) (local.get $half))))
                (local.set $v (f32.demote_f64 (f64.mul (f64.add (f64.promote_f32 (local.get $v)) (f64.promote_f32 (local.get $below))) (f64.const 0.5))))))
            (f32.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $c) (local.get $t)) (i32.const 2))) (local.get $v)))
          (else
            ;; window [cut, n − 1 − cut] of the sorted column: its end values lo, hi by
            ;; selection, the values strictly between summed, the copies of lo and hi
            ;; inside the window counted
            (local.set $lo (call $kth (local.get $col) (local.get $n) (local.get $cut) (local.get $bufA) (local.get $bufB)))
            (local.set $hi (call $kth (local.get $col) (local.get $n) (i32.sub (i32.sub (local.get $n) (i32.const 1)) (local.get $cut)) (local.get $bufA) (local.get $bufB)))
            (if (f32.eq (local.get $lo) (local.get $hi))
              (then (local.set $v (local.get $lo)))
              (else
                (local.set $sum (f64.const 0))
                (local.set $countA (i32.const 0))
                (local.set $countB (i32.const 0))
                (local.set $i (local.get $col))
                (loop $scan2
                  (local.set $e (f32.load (local.get $i)))
                  (local.set $sum (f64.add (local.get $sum)
                    (select (f64.promote_f32 (local.get $e)) (f64.const 0) (i32.and (f32.gt (local.get $e) (local.get $lo)) (f32.lt (local.get $e) (local.get $hi))))))
                  (local.set $countA (i32.add (local.get $countA) (f32.le (local.get $e) (local.get $lo))))
                  (local.set $countB (i32.add (local.get $countB) (f32.lt (local.get $e) (local.get $hi))))
                  (local.set $i (i32.add (local.get $i) (i32.const 4)))
                  (br_if $scan2 (i32.lt_u (local.get $i) (local.get $colEnd))))
                (local.set $sum (f64.add (local.get $sum)
                  (f64.add
                    (f64.mul (f64.promote_f32 (local.get $lo)) (f64.convert_i32_s (i32.sub (local.get $countA) (local.get $cut))))
                    (f64.mul (f64.promote_f32 (local.get $hi)) (f64.convert_i32_s (i32.sub (i32.sub (local.get $n) (local.get $cut)) (local.get $countB)))))))
                (local.set $v (f32.demote_f64 (f64.div (local.get $sum) (f64.convert_i32_s (i32.sub (local.get $n) (i32.shl (local.get $cut) (i32.const 1)))))))))
            (f32.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $c) (local.get $t)) (i32.const 2))) (local.get $v))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $each)))
      (local.set $c (i32.add (local.get $c) (local.get $w)))
      (br $blocks)))
  )`;

const KRUM = `
  ;; dist[a·n + b] = max(0, G[a][a] + G[b][b] − 2·G[min][max]) (0 on the diagonal); G has row stride \`stride\`.
  (func (export "distances") (param $g i32) (param $stride i32) (param $n i32) (param $dist i32)
    (local $a i32) (local $b i32) (local $gaa f64) (local $v f64) (local $cell i32)
    (local.set $a (i32.const 0))
    (block $doneA (loop $la
      (br_if $doneA (i32.ge_u (local.get $a) (local.get $n)))
      (local.set $gaa (f64.load (i32.add (local.get $g) (i32.shl (i32.mul (local.get $a) (i32.add (local.get $stride) (i32.const 1))) (i32.const 3)))))
      (f64.store (i32.add (local.get $dist) (i32.shl (i32.mul (local.get $a) (i32.add (local.get $n) (i32.const 1))) (i32.const 3))) (f64.const 0))
      (local.set $b (i32.add (local.get $a) (i32.const 1)))
      (block $doneB (loop $lb
        (br_if $doneB (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $v (f64.sub
          (f64.add (local.get $gaa) (f64.load (i32.add (local.get $g) (i32.shl (i32.mul (local.get $b) (i32.add (local.get $stride) (i32.const 1))) (i32.const 3)))))
          (f64.mul (f64.const 2) (f64.load (i32.add (local.get $g) (i32.shl (i32.add (i32.mul (local.get $a) (local.get $stride)) (local.get $b)) (i32.const 3)))))))
        (local.set $v (f64.max (local.get $v) (f64.const 0)))
        (f64.store (i32.add (local.get $dist) (i32.shl (i32.add (i32.mul (local.get $a) (local.get $n)) (local.get $b)) (i32.const 3))) (local.get $v))
        (f64.store (i32.add (local.get $dist) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $n)) (local.get $a)) (i32.const 3))) (local.get $v))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $lb)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $la)))
  )

  ;; out[a] = sum of the k smallest dist[a][b], b ≠ a, for rows a ∈ [a0, a1) (float64;
  ;; scratch holds n − 1 values).
  (func (export "scores") (param $dist i32) (param $n i32) (param $k i32) (param $a0 i32) (param $a1 i32) (param $scratch i32) (param $out i32)
    (local $a i32) (local $b i32) (local $r i32) (local $sum f64)
    (local.set $a (local.get $a0))
    (block $doneA (loop $la
      (br_if $doneA (i32.ge_u (local.get $a) (local.get $a1)))
      (local.set $r (i32.const 0))
      (local.set $b (i32.const 0))
      (block $doneB (loop $lb
        (br_if $doneB (i32.ge_u (local.get $b) (local.get $n)))
        (if (i32.ne (local.get $a) (local.get $b))
          (then
            (f64.store (i32.add (local.get $scratch) (i32.shl (local.get $r) (i32.const 3)))
              (f64.load (i32.add (local.get $dist) (i32.shl (i32.add (i32.mul (local.get $a) (local.get $n)) (local.get $b)) (i32.const 3)))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $lb)))
      (if (i32.lt_s (local.get $k) (local.get $r))
        (then (call $select_f64 (local.get $scratch) (i32.const 0) (i32.sub (local.get $r) (i32.const 1)) (i32.sub (local.get $k) (i32.const 1)))))
      (local.set $sum (f64.const 0))
      (local.set $b (i32.const 0))
      (block $doneS (loop $ls
        (br_if $doneS (i32.ge_s (local.get $b) (select (local.get $k) (local.get $r) (i32.lt_s (local.get $k) (local.get $r)))))
        (local.set $sum (f64.add (local.get $sum) (f64.load (i32.add (local.get $scratch) (i32.shl (local.get $b) (i32.const 3))))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $ls)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $a) (i32.const 3))) (local.get $sum))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br $la)))
  )

  ;; dst[i] += src[i] for i < count (float64)
  (func (export "addf64") (param $dst i32) (param $src i32) (param $count i32)
    (local $o i32) (local $end i32)
    (local.set $end (i32.shl (local.get $count) (i32.const 3)))
    (local.set $o (i32.const 0))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (f64.store (i32.add (local.get $dst) (local.get $o)) (f64.add (f64.load (i32.add (local.get $dst) (local.get $o))) (f64.load (i32.add (local.get $src) (local.get $o)))))
      (local.set $o (i32.add (local.get $o) (i32.const 8)))
      (br $l)))
  )`;

/** The kernel module's WAT source. */
export function kernelsWat(): string {
  return `(module (import "env" "memory" (memory 1 65536 shared))\n${ROWSUM}\n${gramWat()}\n${quickselectWat("f64")}\n${KTH}\n${SELECT}\n${KRUM}\n)`;
}

/** Compiles the WAT to a WebAssembly binary with wabt. */
export async function kernelsBinary(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat("kernels.wat", kernelsWat(), { simd: true, relaxed_simd: true, threads: true });
  try {
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

let compiled: Promise<WasmModule> | undefined;

/** Compiles (once per thread) the kernel module. */
export function compileKernels(): Promise<WasmModule> {
  compiled ??= kernelsBinary().then((bytes) => wasm.compile(bytes));
  return compiled;
}

/** Instantiates the kernels over `memory`. */
export async function instantiateKernels(memory: WasmMemory, module?: WasmModule): Promise<KernelExports> {
  const instance = await wasm.instantiate(module ?? (await compileKernels()), { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
