// A linear support vector machine, the classic baseline next to logistic regression: one-vs-rest scores
// w·x + b trained on the primal objective ½‖w‖² + C·Σ hinge (or squared hinge) by mini-batch Adam.

import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import { type DataInput, pickGenerator, type RandomSource, toTensor } from '../data/arrays.js';
import { Parameter } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import { NDArray } from '../tensor/ndarray.js';

/** Options of {@link LinearSVC} (scikit-learn's names in camelCase where they exist). */
export interface LinearSVCOptions extends RandomSource {
  /** Inverse regularization strength: larger C fits the training rows harder (default 1). */
  C?: number;
  /** 'hinge' max(0, 1 − y·f) or 'squaredHinge' max(0, 1 − y·f)² (default, as scikit-learn). */
  loss?: 'hinge' | 'squaredHinge';
  /** Passes over the rows (default 30). */
  epochs?: number;
  /** Rows per step (default 64). */
  batchSize?: number;
  /** Adam's step size (default 0.01). */
  learningRate?: number;
  /** Learn a bias per class (default true; it is not regularized). */
  fitIntercept?: boolean;
}

/**
 * A linear SVM classifier. For each class c (one-vs-rest; a single score for two classes) it minimizes
 * ½‖w_c‖² + C·Σᵢ L(yᵢ·(w_c·xᵢ + b_c)) with yᵢ = ±1 and L the hinge or squared hinge, the objective of
 * scikit-learn's LinearSVC, by Adam on mini-batches (each batch's loss scaled to the whole data set).
 * Standardize the features first; the optimum does not depend on the seed, the path to it does.
 * @example
 * ```ts
 * const { x, y } = tg.data.makeBlobs(200, { centers: 3, seed: 0 });
 * const svm = new tg.baselines.LinearSVC({ C: 1, seed: 0 }).fit(x, y);
 * svm.score(x, y); // accuracy, about 1 on well separated blobs
 * ```
 */
export class LinearSVC {
  /** The options in use, defaults filled in. */
  readonly options: Required<Omit<LinearSVCOptions, 'seed' | 'generator'>>;
  /** The class labels, sorted (set by fit). */
  classes: number[] = [];
  /** Weights [scores, features]: one row per class (one row for two classes). Null before fit. */
  weight: Tensor | null = null;
  /** Bias [scores] (zeros without fitIntercept). Null before fit. */
  bias: Tensor | null = null;
  /** The objective ½‖w‖²/(C·n) + mean loss after each epoch (the scikit-learn objective divided by C·n). */
  lossHistory: number[] = [];
  private readonly random: RandomSource;

  constructor(options: LinearSVCOptions = {}) {
    const o = {
      C: options.C ?? 1, loss: options.loss ?? 'squaredHinge', epochs: options.epochs ?? 30, batchSize: options.batchSize ?? 64,
      learningRate: options.learningRate ?? 0.01, fitIntercept: options.fitIntercept ?? true,
    };
    const known = ['C', 'loss', 'epochs', 'batchSize', 'learningRate', 'fitIntercept', 'seed', 'generator'];
    for (const k of Object.keys(options)) if (!known.includes(k)) throw new RangeError(`LinearSVC: unknown option ${JSON.stringify(k)} (options: ${known.join(', ')})`);
    if (!(o.C > 0 && Number.isFinite(o.C))) throw new RangeError(`LinearSVC: C must be a positive number, got ${o.C}`);
    if (o.loss !== 'hinge' && o.loss !== 'squaredHinge') throw new RangeError(`LinearSVC: loss must be 'hinge' or 'squaredHinge', got ${JSON.stringify(o.loss)}`);
    for (const k of ['epochs', 'batchSize'] as const) {
      if (!Number.isSafeInteger(o[k]) || o[k] < 1) throw new RangeError(`LinearSVC: ${k} must be a positive integer, got ${o[k]}`);
    }
    if (!(o.learningRate > 0 && Number.isFinite(o.learningRate))) throw new RangeError(`LinearSVC: learningRate must be a positive number, got ${o.learningRate}`);
    this.options = o;
    this.random = { seed: options.seed, generator: options.generator };
  }

  /** Trains on x [rows, features] and class labels y [rows]; returns this. */
  fit(xIn: DataInput, yIn: DataInput): this {
    const x = toTensor(xIn, 'LinearSVC.fit: x');
    const y = toTensor(yIn, 'LinearSVC.fit: y');
    if (x.ndim !== 2) throw new RangeError(`LinearSVC.fit: x must be [rows, features], got shape [${x.shape.join(',')}]`);
    if (y.ndim !== 1 || y.shape[0] !== x.shape[0]) throw new RangeError(`LinearSVC.fit: y must be [${x.shape[0]}] class labels, got shape [${y.shape.join(',')}]`);
    const labels = y.value.values();
    this.classes = [...new Set(labels)].sort((a, b) => a - b);
    if (this.classes.length < 2) throw new RangeError(`LinearSVC.fit: y has only one class (${this.classes.join(', ')}); an SVM needs two or more`);
    const [n, d] = x.shape;
    const k = this.classes.length === 2 ? 1 : this.classes.length;
    // targets ±1: column c is +1 for rows of class c (the larger class for the binary case)
    const signs = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const c = this.classes.indexOf(labels[i]);
      for (let j = 0; j < k; j++) signs[i * k + j] = (k === 1 ? c === 1 : c === j) ? 1 : -1;
    }
    const target = new Tensor(new NDArray(signs, [n, k]));
    const w = new Parameter(new NDArray(new Float32Array(k * d), [k, d]));
    const b = new Parameter(new NDArray(new Float32Array(k), [k]), this.options.fitIntercept);
    const params = this.options.fitIntercept ? [w, b] : [w];
    const opt = new Adam(params, { lr: this.options.learningRate });
    const gen = pickGenerator(this.random);
    const { batchSize, epochs, C } = this.options;
    const squared = this.options.loss === 'squaredHinge';
    const lambda = 1 / (C * n); // ½‖w‖²/(C·n) + mean loss has the same minimizer as ½‖w‖² + C·Σ loss
    this.lossHistory = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = gen.permutation(n);
      for (let start = 0; start < n; start += batchSize) {
        const idx = order.subarray(start, Math.min(n, start + batchSize));
        const margin = x.indexSelect(0, idx).matmul(w.t()).add(b).mul(target.indexSelect(0, idx));
        const hinge = margin.neg().add(1).relu();
        const data = (squared ? hinge.square() : hinge).sum(1).mean();
        const objective = data.add(w.square().sum().mul(lambda / 2));
        opt.zeroGrad();
        objective.backward();
        opt.step();
      }
      this.lossHistory.push(this.objective(x, target, w, b, lambda, squared));
    }
    this.weight = w.detach();
    this.bias = b.detach();
    return this;
  }

  private objective(x: Tensor, target: Tensor, w: Tensor, b: Tensor, lambda: number, squared: boolean): number {
    return noGrad(() => {
      const hinge = x.matmul(w.t()).add(b).mul(target).neg().add(1).relu();
      return (squared ? hinge.square() : hinge).sum(1).mean().item() + (lambda / 2) * w.square().sum().item();
    });
  }

  private requireFit(where: string): { w: Tensor; b: Tensor } {
    if (!this.weight || !this.bias) throw new Error(`LinearSVC.${where}: call fit(x, y) first`);
    return { w: this.weight, b: this.bias };
  }

  /** Signed distances to the separating hyperplanes: [rows] for two classes, else [rows, classes]. */
  decisionFunction(xIn: DataInput): Tensor {
    const { w, b } = this.requireFit('decisionFunction');
    const x = toTensor(xIn, 'LinearSVC.decisionFunction: x');
    if (x.ndim !== 2 || x.shape[1] !== w.shape[1]) throw new RangeError(`LinearSVC.decisionFunction: x must be [rows, ${w.shape[1]}], got shape [${x.shape.join(',')}]`);
    return noGrad(() => {
      const s = x.matmul(w.t()).add(b);
      return w.shape[0] === 1 ? s.reshape([-1]) : s;
    });
  }

  /** The predicted class label per row (float32 [rows]). */
  predict(x: DataInput): Tensor {
    const s = this.decisionFunction(x);
    const v = s.value.values();
    const out = new Float32Array(s.shape[0]);
    if (s.ndim === 1) for (let i = 0; i < out.length; i++) out[i] = this.classes[v[i] > 0 ? 1 : 0];
    else {
      const k = s.shape[1];
      for (let i = 0; i < out.length; i++) {
        let best = 0;
        for (let j = 1; j < k; j++) if (v[i * k + j] > v[i * k + best]) best = j;
        out[i] = this.classes[best];
      }
    }
    return new Tensor(new NDArray(out, [out.length]));
  }

  /** Accuracy on (x, y). */
  score(x: DataInput, y: DataInput): number {
    const p = this.predict(x).value.values();
    const t = toTensor(y, 'LinearSVC.score: y').value.values();
    if (t.length !== p.length) throw new RangeError(`LinearSVC.score: x has ${p.length} rows but y has ${t.length}`);
    let hits = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === t[i]) hits++;
    return hits / p.length;
  }
}
