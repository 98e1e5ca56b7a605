/**
 * WAT source of the WebAssembly SIMD aggregation kernels every strategy runs on
 * (through `kernelPool.ts`) and `bench:aggregate` times.
 *
 * The WAT is generated here, so the source of every instruction is in this file;
 * `npm run build:kernels` compiles it with wabt into the binary embedded in
 * `kernelsWasm.ts` (the coordinator instantiates that synchronously and never loads
 * wabt), and a test rebuilds it in memory and compares the bytes. Memory is imported
 * and shared, so the calling thread and a helper worker run the same kernels over one
 * staging area. All pointers are byte offsets into that memory.
 *
 * - `wsum`: acc[c] += Σᵢ wᵢ·x[i·stride + c] over a block of staged rows, four rows per
 *   pass in f32x4 (products and the four-row partial sum in float32), accumulated in
 *   float64. FedAvg and its kin use every update, Multi-Krum the kept ones.
 * - `gram`: adds Σₖ x[a·d+k]·x[b·d+k] over a k-range to a float64 Gram matrix (upper
 *   triangle, 4-row groups). Per chunk of K columns the rows are first packed into a
 *   panel of 4-row groups interleaved by 4 columns, so the inner loop reads A (4 rows)
 *   and B (2 rows) through two pointers bumped once per step; each 4 × 2 tile keeps 8
 *   f32x4 accumulators (relaxed SIMD FMA: one vfmadd231ps on x86-64). About 22 GMAC/s
 *   per thread here, ~78% of the 128-bit FMA peak (29 GMAC/s measured).
 *   The chunk (K·n·4 bytes) stays in L2; each tile's float32 sums over a chunk are
 *   added to the float64 matrix with two f64x2 stores per row pair.
 * - `sqdist`: ‖xᵢ − ref‖² per staged row (f32x4, float64 across 256-column chunks):
 *   the update norms of norm clipping and centered clipping.
 * - `center`: subtracts a block's first row from the others (distances unchanged, the
 *   Gram entries stay the size of the distances, so G_aa + G_bb − 2G_ab cancels few digits).
 * - `distances`: ‖xₐ − x_b‖² = Gₐₐ + G_bb − 2Gₐ_b from a Gram matrix (float64, ≥ 0).
 * - `scores`: Krum scores, the sum of the k smallest off-diagonal distances per row
 *   (quickselect, float64).
 * - `select`: coordinate-wise median or trimmed mean over a column range: 64-column
 *   blocks are transposed into contiguous scratch, then each column's order statistics
 *   come from a branchless out-of-place quickselect (`$kth`).
 * - `addf64`: dst += src (combines per-thread Gram matrices); `demote`: float64 →
 *   float32; `zero`: memory.fill.
 */

/** Exports of the compiled kernel module (all pointers are byte offsets). */
export type KernelExports = {
  wsum(x: number, stride: number, m: number, w: number, width: number, acc: number): void;
  center(x: number, stride: number, n: number, width: number): void;
  sqdist(x: number, stride: number, m: number, ref: number, width: number, acc: number): void;
  gram(x: number, n: number, d: number, k0: number, k1: number, g: number, pack: number, chunk: number): void;
  gramRows(n: number): number;
  distances(g: number, stride: number, n: number, dist: number): void;
  scores(dist: number, n: number, k: number, a0: number, a1: number, scratch: number, out: number): void;
  select(x: number, n: number, d: number, c0: number, c1: number, out: number, trimmed: number, cut: number, scratch: number): void;
  addf64(dst: number, src: number, count: number): void;
  demote(src: number, dst: number, count: number): void;
  zero(at: number, bytes: number): void;
};

/** The exports a region of `kernelPool.ts` can run on both threads, by index (its table encoding). */
export const TASK_KERNELS = ["gram", "select", "scores"] as const satisfies readonly (keyof KernelExports)[];

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

/** Byte offsets of four consecutive rows and their splatted weights, for `wsum`. */
function wsumRows(count: 1 | 4): string {
  return range(count)
    .map(
      (i) =>
        `(local.set $r${i} (i32.add (local.get $x) (i32.mul (i32.add (local.get $i) (i32.const ${i})) (local.get $rowBytes))))\n` +
        `(local.set $s${i} (f32.load offset=${4 * i} (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2)))))\n` +
        `(local.set $w${i} (f32x4.splat (local.get $s${i})))`,
    )
    .join("\n");
}

/** Σ of `count` weighted rows at byte offset $o, as f32x4 (vector) or f32 (scalar). */
function wsumTerms(count: 1 | 4, vector: boolean): string {
  const term = (i: number): string =>
    vector ? `(f32x4.mul (local.get $w${i}) (v128.load (i32.add (local.get $r${i}) (local.get $o))))` : `(f32.mul (local.get $s${i}) (f32.load (i32.add (local.get $r${i}) (local.get $o))))`;
  const add = vector ? "f32x4.add" : "f32.add";
  return count === 1 ? term(0) : `(${add} (${add} ${term(0)} ${term(1)}) (${add} ${term(2)} ${term(3)}))`;
}

/** One pass of `wsum` over `count` rows: vector columns, then the scalar tail. */
function wsumPass(count: 1 | 4): string {
  return `
      ${wsumRows(count)}
      (local.set $o (i32.const 0))
      (block $doneV${count} (loop $vec${count}
        (br_if $doneV${count} (i32.ge_u (local.get $o) (local.get $endV)))
        (local.set $t ${wsumTerms(count, true)})
        ;; acc is float64: column c = o/4 sits at byte 8c = 2o
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $o) (i32.const 1))))
        (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $t))))
        (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a)) (f64x2.promote_low_f32x4 (i8x16.shuffle ${HIGH_HALF} (local.get $t) (local.get $t)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vec${count})))
      (block $doneS${count} (loop $scalar${count}
        (br_if $doneS${count} (i32.ge_u (local.get $o) (local.get $endS)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $o) (i32.const 1))))
        (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 ${wsumTerms(count, false)})))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $scalar${count})))`;
}

/** Lanes 2, 3 of a f32x4 moved to lanes 0, 1 (for promoting the high half). */
const HIGH_HALF = "8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15";

const WSUM = `
  ;; acc[c] += Σ_{i < m} w[i]·x[i·stride + c] for c ∈ [0, width): m float32 rows \`stride\`
  ;; floats apart, float32 weights, float64 acc. Four rows per pass: their weighted sum
  ;; in float32 (f32x4), then added to acc in float64, so the error does not grow with m.
  (func (export "wsum") (param $x i32) (param $stride i32) (param $m i32) (param $w i32) (param $width i32) (param $acc i32)
    (local $i i32) (local $o i32) (local $a i32) (local $endV i32) (local $endS i32) (local $rowBytes i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $s0 f32) (local $s1 f32) (local $s2 f32) (local $s3 f32)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $t v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $endV (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2)))
    (local.set $endS (i32.shl (local.get $width) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done4 (loop $rows4
      (br_if $done4 (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
      ${wsumPass(4)}
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $rows4)))
    (block $done1 (loop $rows1
      (br_if $done1 (i32.ge_u (local.get $i) (local.get $m)))
      ${wsumPass(1)}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows1)))
  )

  ;; Rows 1 … n − 1 of the float32 block at x (rows \`stride\` floats apart, first \`width\`
  ;; columns) minus row 0, then row 0 zeroed: pairwise distances do not change.
  (func (export "center") (param $x i32) (param $stride i32) (param $n i32) (param $width i32)
    (local $i i32) (local $r i32) (local $o i32) (local $endV i32) (local $endS i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $endV (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2)))
    (local.set $endS (i32.shl (local.get $width) (i32.const 2)))
    (local.set $i (i32.const 1))
    (local.set $r (i32.add (local.get $x) (local.get $rowBytes)))
    (block $doneR (loop $rows
      (br_if $doneR (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $o (i32.const 0))
      (block $doneV (loop $vec
        (br_if $doneV (i32.ge_u (local.get $o) (local.get $endV)))
        (v128.store (i32.add (local.get $r) (local.get $o)) (f32x4.sub (v128.load (i32.add (local.get $r) (local.get $o))) (v128.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vec)))
      (block $doneS (loop $scalar
        (br_if $doneS (i32.ge_u (local.get $o) (local.get $endS)))
        (f32.store (i32.add (local.get $r) (local.get $o)) (f32.sub (f32.load (i32.add (local.get $r) (local.get $o))) (f32.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $scalar)))
      (local.set $r (i32.add (local.get $r) (local.get $rowBytes)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
    (memory.fill (local.get $x) (i32.const 0) (local.get $endS))
  )

  ;; out[i] += Σ_{c < width} (x[i·stride + c] − ref[c])² for rows i < m (x, ref float32;
  ;; out float64): differences and squares in f32x4, summed per lane over 256 columns,
  ;; then added in float64, so the error does not grow with the width.
  (func (export "sqdist") (param $x i32) (param $stride i32) (param $m i32) (param $ref i32) (param $width i32) (param $out i32)
    (local $i i32) (local $r i32) (local $o i32) (local $end i32) (local $endV i32) (local $endS i32) (local $rowBytes i32)
    (local $acc v128) (local $t v128) (local $sum f64) (local $s f32)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $endV (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2)))
    (local.set $endS (i32.shl (local.get $width) (i32.const 2)))
    (local.set $i (i32.const 0))
    (local.set $r (local.get $x))
    (block $doneR (loop $rows
      (br_if $doneR (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $sum (f64.const 0))
      (local.set $o (i32.const 0))
      (block $doneC (loop $chunks
        (br_if $doneC (i32.ge_u (local.get $o) (local.get $endV)))
        (local.set $end (select (i32.add (local.get $o) (i32.const 1024)) (local.get $endV) (i32.lt_u (i32.add (local.get $o) (i32.const 1024)) (local.get $endV))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (loop $vec
          (local.set $t (f32x4.sub (v128.load (i32.add (local.get $r) (local.get $o))) (v128.load (i32.add (local.get $ref) (local.get $o)))))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $t) (local.get $t))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br_if $vec (i32.lt_u (local.get $o) (local.get $end))))
        (local.set $sum (f64.add (local.get $sum)
          (f64.add
            (f64.add (f64.promote_f32 (f32x4.extract_lane 0 (local.get $acc))) (f64.promote_f32 (f32x4.extract_lane 1 (local.get $acc))))
            (f64.add (f64.promote_f32 (f32x4.extract_lane 2 (local.get $acc))) (f64.promote_f32 (f32x4.extract_lane 3 (local.get $acc)))))))
        (br $chunks)))
      (block $doneS (loop $scalar
        (br_if $doneS (i32.ge_u (local.get $o) (local.get $endS)))
        (local.set $s (f32.sub (f32.load (i32.add (local.get $r) (local.get $o))) (f32.load (i32.add (local.get $ref) (local.get $o)))))
        (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32.mul (local.get $s) (local.get $s)))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $scalar)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))
        (f64.add (f64.load (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3)))) (local.get $sum)))
      (local.set $r (i32.add (local.get $r) (local.get $rowBytes)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
  )

  ;; dst[i] = f32(src[i]) for i < count (src float64, dst float32)
  (func (export "demote") (param $src i32) (param $dst i32) (param $count i32)
    (local $i i32) (local $endV i32)
    (local.set $endV (i32.and (local.get $count) (i32.const -4)))
    (local.set $i (i32.const 0))
    (block $doneV (loop $vec
      (br_if $doneV (i32.ge_u (local.get $i) (local.get $endV)))
      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3)))))
          (f32x4.demote_f64x2_zero (v128.load offset=16 (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vec)))
    (block $doneS (loop $scalar
      (br_if $doneS (i32.ge_u (local.get $i) (local.get $count)))
      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))) (f32.demote_f64 (f64.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $scalar)))
  )

  ;; bytes [at, at + bytes) = 0
  (func (export "zero") (param $at i32) (param $bytes i32)
    (memory.fill (local.get $at) (i32.const 0) (local.get $bytes)))`;

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
  return `(module (import "env" "memory" (memory 1 65536 shared))\n${WSUM}\n${gramWat()}\n${quickselectWat("f64")}\n${KTH}\n${SELECT}\n${KRUM}\n)`;
}
