// Preprocessing: one-hot labels and per-feature scalers (standardize, min-max) fitted on training rows.
// Fit on the training set, then transform train and test with the same statistics (no test leakage).

import type { Tensor } from '../autograd/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { type DataInput, tensorOf, toTensor } from './arrays.js';

/**
 * One-hot rows [n, numClasses] (float32) from integer class labels; numClasses defaults to max + 1.
 * @example tg.data.oneHot([0, 2, 1], 3) // [[1,0,0],[0,0,1],[0,1,0]]
 */
export function oneHot(labels: DataInput, numClasses?: number): Tensor {
  const t = toTensor(labels, 'oneHot: labels');
  if (t.ndim > 1 && t.size !== t.shape[0]) throw new RangeError(`oneHot: labels must be 1-D, got shape ${fmtShape(t.shape)}`);
  const v = t.value.values();
  let c = numClasses;
  if (c === undefined) {
    c = 0;
    for (let i = 0; i < v.length; i++) c = Math.max(c, v[i] + 1);
  }
  if (!Number.isSafeInteger(c) || c < 1) throw new RangeError(`oneHot: numClasses must be a positive integer, got ${c}`);
  const out = new Float32Array(v.length * c);
  for (let i = 0; i < v.length; i++) {
    const k = v[i];
    if (!Number.isInteger(k) || k < 0 || k >= c) {
      throw new RangeError(`oneHot: label ${k} at row ${i} is not a class index in [0, ${c})`);
    }
    out[i * c + k] = 1;
  }
  return tensorOf(out, [v.length, c]);
}

/** Per-feature statistics over the rows: every axis but the first is a feature axis. */
function columnStats(x: Tensor, what: string): { min: Float64Array; max: Float64Array; mean: Float64Array; std: Float64Array } {
  if (x.ndim < 1 || x.shape[0] === 0) throw new RangeError(`${what}: needs at least one row, got shape ${fmtShape(x.shape)}`);
  const v = x.value.values();
  const rows = x.shape[0];
  const f = v.length / rows;
  const min = new Float64Array(f).fill(Infinity);
  const max = new Float64Array(f).fill(-Infinity);
  const mean = new Float64Array(f);
  const m2 = new Float64Array(f);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < f; j++) {
      const e = v[r * f + j];
      if (e - e !== 0) throw new RangeError(`${what}: value ${e} at row ${r}, column ${j} is not finite`);
      if (e < min[j]) min[j] = e;
      if (e > max[j]) max[j] = e;
      // Welford's update: stable for large offsets
      const d = e - mean[j];
      mean[j] += d / (r + 1);
      m2[j] += d * (e - mean[j]);
    }
  }
  const std = m2.map((s) => Math.sqrt(s / rows)); // population std, as scikit-learn
  return { min, max, mean, std };
}

/** y = (x - shift) * scale, per feature, in x's dtype (float32 for int32 input). */
function affine(x: Tensor, shift: Float64Array, scale: Float64Array, what: string): Tensor {
  const v = x.value.values();
  const f = shift.length;
  if (x.ndim < 1 || (x.shape[0] > 0 && v.length / x.shape[0] !== f)) {
    throw new RangeError(`${what}: the scaler was fitted on ${f} features per row, got shape ${fmtShape(x.shape)}`);
  }
  const out = x.dtype === 'float64' ? new Float64Array(v.length) : new Float32Array(v.length);
  for (let k = 0; k < v.length; k++) {
    const j = k % f;
    out[k] = (v[k] - shift[j]) * scale[j];
  }
  return tensorOf(out, x.shape);
}

/**
 * Standardizes features to zero mean and unit variance with statistics from the rows it was fitted on
 * (scikit-learn's StandardScaler). Create it with `StandardScaler.fit(xTrain)`.
 * @property mean Each feature's mean over the fitted rows.
 * @property std Each feature's population standard deviation over the fitted rows.
 */
export class StandardScaler {
  private constructor(readonly mean: Float64Array, readonly std: Float64Array) {}

  /** @example const s = tg.data.StandardScaler.fit(xTrain); const xt = s.transform(xTest); */
  static fit(x: DataInput): StandardScaler {
    const { mean, std } = columnStats(toTensor(x, 'StandardScaler.fit'), 'StandardScaler.fit');
    return new StandardScaler(mean, std);
  }

  /** (x - mean) / std per feature; a constant feature (std 0) is only centred. */
  transform(x: DataInput): Tensor {
    const scale = this.std.map((s) => (s > 0 ? 1 / s : 1));
    return affine(toTensor(x, 'StandardScaler.transform'), this.mean, scale, 'StandardScaler.transform');
  }

  /** Undoes transform(): x·std + mean per feature. */
  inverseTransform(x: DataInput): Tensor {
    const t = toTensor(x, 'StandardScaler.inverseTransform');
    const shift = this.mean.map((m, j) => -m / (this.std[j] > 0 ? this.std[j] : 1));
    return affine(t, shift, this.std.map((s) => (s > 0 ? s : 1)), 'StandardScaler.inverseTransform');
  }
}

/**
 * Scales features into a range (default [0, 1]) with the min and max of the rows it was fitted on
 * (scikit-learn's MinMaxScaler). Create it with `MinMaxScaler.fit(xTrain)`.
 * @property min Each feature's minimum over the fitted rows.
 * @property max Each feature's maximum over the fitted rows.
 * @property featureRange The target range [lo, hi].
 */
export class MinMaxScaler {
  private constructor(readonly min: Float64Array, readonly max: Float64Array, readonly featureRange: [number, number]) {}

  /**
   * Computes each feature's min and max over the rows of x. Throws a RangeError unless featureRange has lo < hi,
   * or for non-finite values.
   * @example
   * ```ts
   * const scaler = tg.data.MinMaxScaler.fit(xTrain, { featureRange: [-1, 1] });
   * const xTestScaled = scaler.transform(xTest);
   * ```
   */
  static fit(x: DataInput, options: { featureRange?: [number, number] } = {}): MinMaxScaler {
    const range = options.featureRange ?? [0, 1];
    if (!(range[0] < range[1])) throw new RangeError(`MinMaxScaler.fit: featureRange [${range}] must have min < max`);
    const { min, max } = columnStats(toTensor(x, 'MinMaxScaler.fit'), 'MinMaxScaler.fit');
    return new MinMaxScaler(min, max, [range[0], range[1]]);
  }

  /** lo + (x - min) * (hi - lo) / (max - min) per feature; a constant feature maps to lo. */
  transform(x: DataInput): Tensor {
    const [lo, hi] = this.featureRange;
    const scale = this.min.map((m, j) => (this.max[j] > m ? (hi - lo) / (this.max[j] - m) : 1));
    const shift = this.min.map((m, j) => m - lo / scale[j]);
    return affine(toTensor(x, 'MinMaxScaler.transform'), shift, scale, 'MinMaxScaler.transform');
  }

  /** Undoes transform(): maps the range back to the original units per feature. */
  inverseTransform(x: DataInput): Tensor {
    const [lo, hi] = this.featureRange;
    const scale = this.min.map((m, j) => (this.max[j] > m ? (this.max[j] - m) / (hi - lo) : 1));
    const shift = this.min.map((m, j) => lo - m / scale[j]);
    return affine(toTensor(x, 'MinMaxScaler.inverseTransform'), shift, scale, 'MinMaxScaler.inverseTransform');
  }
}

/**
 * Standardizes x with the mean and std of `fitOn` (default x itself).
 * @example const xTestScaled = tg.data.standardize(xTest, xTrain);
 */
export function standardize(x: DataInput, fitOn: DataInput = x): Tensor {
  return StandardScaler.fit(fitOn).transform(x);
}

/** Min-max scales x into featureRange with the min and max of `fitOn` (default x itself). */
export function minMaxScale(x: DataInput, fitOn: DataInput = x, options: { featureRange?: [number, number] } = {}): Tensor {
  return MinMaxScaler.fit(fitOn, options).transform(x);
}
