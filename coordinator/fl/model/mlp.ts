import type { Dataset } from "../datasets/dataset.ts";
import { createRng, shuffleInPlace } from "../random.ts";
import { csrOf, softmaxInPlace, type EvaluateResult, type Model, type TrainOptions, type TrainResult } from "./model.ts";

/**
 * One-hidden-layer perceptron with ReLU and softmax output. Parameter layout:
 * `W1` (numFeatures × hidden, input-major so a sparse input row touches contiguous
 * memory), `b1` (hidden), `W2` (numClasses × hidden), `b2` (numClasses).
 * Initialisation is He-normal (He et al. 2015) from the seed.
 *
 * @param shape.numFeatures - input size.
 * @param shape.numClasses - output classes.
 * @param shape.hidden - hidden units, default 64.
 * @returns a {@link Model}.
 * @example
 * import { createMlp } from "./mlp.ts";
 * const model = createMlp({ numFeatures: 784, numClasses: 10, hidden: 64 });
 */
export function createMlp(shape: { numFeatures: number; numClasses: number; hidden?: number }): Model {
  const D = shape.numFeatures;
  const C = shape.numClasses;
  const H = shape.hidden ?? 64;
  const oB1 = D * H;
  const oW2 = oB1 + H;
  const oB2 = oW2 + C * H;
  const numParams = oB2 + C;

  const init = (seed: number): Float32Array => {
    const rng = createRng(seed);
    const p = new Float32Array(numParams);
    const s1 = Math.sqrt(2 / D);
    const s2 = Math.sqrt(2 / H);
    for (let i = 0; i < oB1; i++) p[i] = rng.normal() * s1;
    for (let i = oW2; i < oB2; i++) p[i] = rng.normal() * s2;
    return p;
  };

  /** Writes hidden activations into `h` and output logits into `out`. */
  const forward = (w: Float32Array, data: Dataset, row: number, h: Float64Array, out: Float64Array): void => {
    const { indptr, indices, values } = csrOf(data);
    for (let j = 0; j < H; j++) h[j] = w[oB1 + j] as number;
    for (let k = indptr[row] as number, end = indptr[row + 1] as number; k < end; k++) {
      const v = values[k] as number;
      const base = (indices[k] as number) * H;
      for (let j = 0; j < H; j++) h[j] = (h[j] as number) + (w[base + j] as number) * v;
    }
    for (let j = 0; j < H; j++) if ((h[j] as number) < 0) h[j] = 0;
    for (let c = 0; c < C; c++) {
      let z = w[oB2 + c] as number;
      const base = oW2 + c * H;
      for (let j = 0; j < H; j++) z += (w[base + j] as number) * (h[j] as number);
      out[c] = z;
    }
  };

  const train = (params: Float32Array, data: Dataset, rows: ArrayLike<number>, o: TrainOptions): TrainResult => {
    const w = params.slice();
    const mu = o.proximalMu ?? 0;
    const order = Uint32Array.from(rows);
    const n = order.length;
    const B = Math.max(1, Math.floor(o.batchSize));
    const { indptr, indices, values } = csrOf(data);
    const hs = new Float64Array(B * H);
    const dOut = new Float64Array(B * C);
    const dh = new Float64Array(H);
    const probs = new Float64Array(C);
    const gW2 = new Float64Array(C * H + C);
    let loss = 0;
    let correct = 0;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      shuffleInPlace(order, o.rng);
      loss = 0;
      correct = 0;
      for (let bs = 0; bs < n; bs += B) {
        const be = Math.min(n, bs + B);
        const m = be - bs;
        for (let s = 0; s < m; s++) {
          const row = order[bs + s] as number;
          const raw = data.labels[row] as number;
          const y = o.labelTransform ? o.labelTransform(raw) : raw;
          const h = hs.subarray(s * H, (s + 1) * H);
          forward(w, data, row, h, probs);
          let arg = 0;
          for (let c = 1; c < C; c++) if ((probs[c] as number) > (probs[arg] as number)) arg = c;
          if (arg === y) correct++;
          softmaxInPlace(probs, C);
          loss -= Math.log(Math.max(probs[y] as number, 1e-12));
          for (let c = 0; c < C; c++) dOut[s * C + c] = (probs[c] as number) - (c === y ? 1 : 0);
        }
        // All gradients are taken at the pre-step weights: W2's gradient is
        // accumulated first, W1 is updated from dh computed with the old W2.
        gW2.fill(0);
        const scale = o.learningRate / m;
        for (let s = 0; s < m; s++) {
          const row = order[bs + s] as number;
          for (let j = 0; j < H; j++) {
            let acc = 0;
            if ((hs[s * H + j] as number) > 0) {
              for (let c = 0; c < C; c++) acc += (dOut[s * C + c] as number) * (w[oW2 + c * H + j] as number);
            }
            dh[j] = acc * scale;
          }
          for (let c = 0; c < C; c++) {
            const g = dOut[s * C + c] as number;
            for (let j = 0; j < H; j++) gW2[c * H + j] = (gW2[c * H + j] as number) + g * (hs[s * H + j] as number);
            gW2[C * H + c] = (gW2[C * H + c] as number) + g;
          }
          for (let k = indptr[row] as number, end = indptr[row + 1] as number; k < end; k++) {
            const v = values[k] as number;
            const base = (indices[k] as number) * H;
            for (let j = 0; j < H; j++) w[base + j] = (w[base + j] as number) - (dh[j] as number) * v;
          }
          for (let j = 0; j < H; j++) w[oB1 + j] = (w[oB1 + j] as number) - (dh[j] as number);
        }
        for (let i = 0; i < C * H + C; i++) w[oW2 + i] = (w[oW2 + i] as number) - scale * (gW2[i] as number);
        if (mu > 0) {
          // FedProx: gradient of μ/2‖w − w_global‖² is μ(w − w_global).
          const step = o.learningRate * mu;
          for (let i = 0; i < numParams; i++) w[i] = (w[i] as number) - step * ((w[i] as number) - (params[i] as number));
        }
      }
    }
    return { params: w, loss: n ? loss / n : 0, accuracy: n ? correct / n : 0, numExamples: n };
  };

  const evaluate = (params: Float32Array, data: Dataset, rows?: ArrayLike<number>): EvaluateResult => {
    const h = new Float64Array(H);
    const probs = new Float64Array(C);
    const n = rows ? rows.length : data.numExamples;
    let loss = 0;
    let correct = 0;
    for (let s = 0; s < n; s++) {
      const row = rows ? (rows[s] as number) : s;
      const y = data.labels[row] as number;
      forward(params, data, row, h, probs);
      let arg = 0;
      for (let c = 1; c < C; c++) if ((probs[c] as number) > (probs[arg] as number)) arg = c;
      if (arg === y) correct++;
      softmaxInPlace(probs, C);
      const p = probs[y] as number;
      loss -= Math.log(Number.isFinite(p) ? Math.max(p, 1e-12) : 1e-12);
    }
    return { loss: n ? loss / n : 0, accuracy: n ? correct / n : 0, numExamples: n };
  };

  const predict = (params: Float32Array, data: Dataset, rows?: ArrayLike<number>): Float32Array => {
    const h = new Float64Array(H);
    const probs = new Float64Array(C);
    const n = rows ? rows.length : data.numExamples;
    const out = new Float32Array(n * C);
    for (let s = 0; s < n; s++) {
      const row = rows ? (rows[s] as number) : s;
      forward(params, data, row, h, probs);
      softmaxInPlace(probs, C);
      for (let c = 0; c < C; c++) out[s * C + c] = probs[c] as number;
    }
    return out;
  };

  return { kind: "mlp", numParams, numFeatures: D, numClasses: C, init, train, evaluate, predict };
}
