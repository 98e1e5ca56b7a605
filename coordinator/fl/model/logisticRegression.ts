import type { Dataset } from "../datasets/dataset.ts";
import { createRng, shuffleInPlace } from "../random.ts";
import { csrOf, softmaxInPlace, type EvaluateResult, type Model, type TrainOptions, type TrainResult } from "./model.ts";

/**
 * Multinomial logistic regression (softmax regression). Parameter layout:
 * `W` (numClasses × numFeatures, row-major) then `b` (numClasses).
 *
 * @param shape.numFeatures - input size, e.g. 784 for MNIST.
 * @param shape.numClasses - output classes, e.g. 10.
 * @returns a {@link Model}.
 * @example
 * import { createLogisticRegression } from "./logisticRegression.ts";
 * const model = createLogisticRegression({ numFeatures: 784, numClasses: 10 });
 * const params = model.init(1);
 */
export function createLogisticRegression(shape: { numFeatures: number; numClasses: number }): Model {
  const D = shape.numFeatures;
  const C = shape.numClasses;
  const numParams = C * D + C;

  const init = (seed: number): Float32Array => {
    const rng = createRng(seed);
    const params = new Float32Array(numParams);
    for (let i = 0; i < C * D; i++) params[i] = rng.normal() * 0.01;
    return params;
  };

  const forward = (w: Float32Array, data: Dataset, row: number, out: Float64Array): void => {
    const { indptr, indices, values } = csrOf(data);
    const start = indptr[row] as number;
    const end = indptr[row + 1] as number;
    for (let c = 0; c < C; c++) {
      let z = w[C * D + c] as number;
      const base = c * D;
      for (let k = start; k < end; k++) z += (w[base + (indices[k] as number)] as number) * (values[k] as number);
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
    const probs = new Float64Array(C);
    const delta = new Float64Array(B * C);
    let loss = 0;
    let correct = 0;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      shuffleInPlace(order, o.rng);
      loss = 0;
      correct = 0;
      for (let bs = 0; bs < n; bs += B) {
        const be = Math.min(n, bs + B);
        for (let s = bs; s < be; s++) {
          const row = order[s] as number;
          const raw = data.labels[row] as number;
          const y = o.labelTransform ? o.labelTransform(raw) : raw;
          forward(w, data, row, probs);
          let arg = 0;
          for (let c = 1; c < C; c++) if ((probs[c] as number) > (probs[arg] as number)) arg = c;
          if (arg === y) correct++;
          softmaxInPlace(probs, C);
          loss -= Math.log(Math.max(probs[y] as number, 1e-12));
          for (let c = 0; c < C; c++) delta[(s - bs) * C + c] = (probs[c] as number) - (c === y ? 1 : 0);
        }
        const scale = o.learningRate / (be - bs);
        for (let s = bs; s < be; s++) {
          const row = order[s] as number;
          const start = indptr[row] as number;
          const end = indptr[row + 1] as number;
          for (let c = 0; c < C; c++) {
            const g = (delta[(s - bs) * C + c] as number) * scale;
            const base = c * D;
            for (let k = start; k < end; k++) w[base + (indices[k] as number)] = (w[base + (indices[k] as number)] as number) - g * (values[k] as number);
            w[C * D + c] = (w[C * D + c] as number) - g;
          }
        }
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
    const probs = new Float64Array(C);
    const n = rows ? rows.length : data.numExamples;
    let loss = 0;
    let correct = 0;
    for (let s = 0; s < n; s++) {
      const row = rows ? (rows[s] as number) : s;
      const y = data.labels[row] as number;
      forward(params, data, row, probs);
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
    const probs = new Float64Array(C);
    const n = rows ? rows.length : data.numExamples;
    const out = new Float32Array(n * C);
    for (let s = 0; s < n; s++) {
      const row = rows ? (rows[s] as number) : s;
      forward(params, data, row, probs);
      softmaxInPlace(probs, C);
      for (let c = 0; c < C; c++) out[s * C + c] = probs[c] as number;
    }
    return out;
  };

  return { kind: "logistic-regression", numParams, numFeatures: D, numClasses: C, init, train, evaluate, predict };
}
