// tg.nn.init: fill a tensor's storage in place with PyTorch's initialisation schemes (Kaiming, Xavier, ...).
// Fan-in and fan-out follow torch.nn.init for [out, in, ...kernel] weights; all draws come from a Generator.

import type { Tensor } from '../autograd/tensor.js';
import type { TypedArray } from '../tensor/dtype.js';
import { allocate } from '../tensor/dtype.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';
import { bumpVersion } from '../autograd/version.js';

/** The activation that follows a layer, used by {@link calculateGain} and Kaiming init to pick the gain (PyTorch's names in camelCase). */
export type Nonlinearity =
  | 'linear' | 'identity' | 'conv1d' | 'conv2d' | 'conv3d' | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';
/** Which fan Kaiming init scales by: 'fanIn' (the layer's inputs) or 'fanOut' (its outputs). */
export type FanMode = 'fanIn' | 'fanOut';

/** The `generator` option shared by the random initialisers. */
export interface GeneratorOption {
  /** Where the random numbers come from (default: the global defaultGenerator). */
  generator?: Generator;
}

/** Options for {@link kaimingUniform_} and {@link kaimingNormal_}. */
export interface KaimingOptions extends GeneratorOption {
  /** The negative slope of the leaky ReLU that follows (only used with nonlinearity 'leakyRelu'). Default 0. */
  a?: number;
  /** 'fanIn' (default) keeps the forward activations' variance; 'fanOut' the backward gradients'. */
  mode?: FanMode;
  /** Default 'leakyRelu', as in PyTorch (with a = 0 that is the ReLU gain √2). */
  nonlinearity?: Nonlinearity;
}

/** Options for {@link xavierUniform_} and {@link xavierNormal_}. */
export interface XavierOptions extends GeneratorOption {
  /** Scale factor applied to the standard deviation (default 1); see {@link calculateGain}. */
  gain?: number;
}

/**
 * The recommended gain for a nonlinearity: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for ReLU,
 * √(2 / (1 + slope²)) for leaky ReLU (slope `param`, default 0.01), 3/4 for SELU.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'identity': case 'sigmoid':
    case 'conv1d': case 'conv2d': case 'conv3d': case 'convTranspose1d': case 'convTranspose2d': case 'convTranspose3d':
      return 1;
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new TypeError(`calculateGain: negative slope ${slope} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default: throw new RangeError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * [fanIn, fanOut] of a weight shaped [out, in, ...kernel]: fanIn = in·k, fanOut = out·k with k the
 * product of the kernel dims (1 for a Linear weight). Needs at least 2 dims.
 */
export function calculateFanInAndFanOut(tensor: Tensor, where = 'calculateFanInAndFanOut'): [number, number] {
  const shape = tensor.shape;
  if (shape.length < 2) {
    throw new RangeError(`${where}: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, got shape ${fmtShape(shape)}`);
  }
  const receptive = shape.slice(2).reduce((n, d) => n * d, 1);
  return [shape[1] * receptive, shape[0] * receptive];
}

/**
 * Fills the tensor's elements (row-major) with `fill`, writing through its strides, so views and
 * parameters sharing the storage see the new values. Returns the tensor, as PyTorch's init does.
 */
function fillInPlace<T extends Tensor>(tensor: T, fill: (out: TypedArray) => void): T {
  const v = tensor.value;
  if (v.size === 0) return tensor;
  bumpVersion(v.data);
  if (v.isContiguous()) {
    fill(v.data.subarray(v.offset, v.offset + v.size));
    return tensor;
  }
  const tmp = allocate(v.dtype, v.size);
  fill(tmp);
  // scatter row-major values through the strides (an odometer over the multi-index)
  const { shape, strides, data } = v;
  const idx = new Array<number>(shape.length).fill(0);
  let p = v.offset;
  for (let k = 0; k < v.size; k++) {
    data[p] = tmp[k];
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]++;
      p += strides[d];
      if (idx[d] < shape[d]) break;
      p -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return tensor;
}

/** U(a, b) in place. */
export function uniform_<T extends Tensor>(tensor: T, a = 0, b = 1, options: GeneratorOption = {}): T {
  if (!(a <= b)) throw new RangeError(`uniform_: need a <= b, got a=${a}, b=${b}`);
  const g = options.generator ?? defaultGenerator;
  return fillInPlace(tensor, (out) => g.fillUniform(out, a, b));
}

/** N(mean, std²) in place. */
export function normal_<T extends Tensor>(tensor: T, mean = 0, std = 1, options: GeneratorOption = {}): T {
  if (!(std >= 0)) throw new RangeError(`normal_: std must be non-negative, got ${std}`);
  const g = options.generator ?? defaultGenerator;
  return fillInPlace(tensor, (out) => g.fillNormal(out, mean, std));
}

/**
 * N(mean, std²) truncated to [a, b], in place (torch.nn.init.trunc_normal_; defaults a = −2, b = 2, absolute
 * bounds). Draws outside the bounds are redrawn, so the result keeps the normal's shape inside them.
 */
export function truncNormal_<T extends Tensor>(tensor: T, mean = 0, std = 1, a = -2, b = 2, options: GeneratorOption = {}): T {
  if (!(std >= 0)) throw new RangeError(`truncNormal_: std must be non-negative, got ${std}`);
  if (!(a < b) || !(mean - 8 * std < b && a < mean + 8 * std)) {
    throw new RangeError(`truncNormal_: need a < b and the bounds within 8 std of the mean, got a=${a}, b=${b}, mean=${mean}, std=${std}`);
  }
  const g = options.generator ?? defaultGenerator;
  return fillInPlace(tensor, (out) => {
    for (let i = 0; i < out.length; i++) {
      let z = std * g.normal() + mean;
      while (z < a || z > b) z = std * g.normal() + mean;
      out[i] = z;
    }
  });
}

/**
 * Fills the tensor in place with `value` and returns it (torch.nn.init.constant_); no gradient is recorded.
 * @example
 * ```ts
 * const lin = new tg.nn.Linear(3, 2);
 * tg.nn.init.constant_(lin.bias!, 0.1);
 * ```
 */
export function constant_<T extends Tensor>(tensor: T, value: number): T {
  return fillInPlace(tensor, (out) => out.fill(value));
}

/**
 * Fills the tensor in place with 0 and returns it (torch.nn.init.zeros_).
 * @example
 * ```ts
 * tg.nn.init.zeros_(new tg.nn.Linear(3, 2).weight);
 * ```
 */
export const zeros_ = <T extends Tensor>(tensor: T): T => constant_(tensor, 0);
/** Fills the tensor in place with 1 and returns it (torch.nn.init.ones_). */
export const ones_ = <T extends Tensor>(tensor: T): T => constant_(tensor, 1);

/**
 * He (Kaiming) standard deviation gain / √fan; a uniform draw with this variance has limit √3 times it.
 * The one place the He and LeCun scales are computed (Keras' heNormal, lecunUniform, ... use it too).
 */
export function kaimingStd(fan: number, gain = Math.SQRT2): number {
  return gain / Math.sqrt(Math.max(1, fan));
}

/**
 * Glorot (Xavier) standard deviation gain·√(2 / (fanIn + fanOut)).
 * With {@link xavierBound}, the one place the Glorot scale is computed (Keras' glorot initializers use them too).
 */
export function xavierStd(fanIn: number, fanOut: number, gain = 1): number {
  return gain * Math.sqrt(2 / Math.max(1, fanIn + fanOut));
}

/** Glorot (Xavier) uniform limit gain·√(6 / (fanIn + fanOut)): U(−limit, limit) has the variance of {@link xavierStd}. */
export function xavierBound(fanIn: number, fanOut: number, gain = 1): number {
  return gain * Math.sqrt(6 / Math.max(1, fanIn + fanOut));
}

function kaimingStdOf(tensor: Tensor, options: KaimingOptions, where: string): number {
  const mode = options.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new RangeError(`${where}: mode must be 'fanIn' or 'fanOut', got ${JSON.stringify(mode)}`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor, where);
  return kaimingStd(mode === 'fanIn' ? fanIn : fanOut, calculateGain(options.nonlinearity ?? 'leakyRelu', options.a ?? 0));
}

const KAIMING_OPTIONS = optionKeys<KaimingOptions>({ a: true, mode: true, nonlinearity: true, generator: true });
const XAVIER_OPTIONS = optionKeys<XavierOptions>({ gain: true, generator: true });

/**
 * He initialisation: U(-bound, bound) with bound = gain·√(3 / fan). PyTorch's Linear uses
 * a = √5 (leaky ReLU), which works out to bound = 1/√fanIn.
 */
export function kaimingUniform_<T extends Tensor>(tensor: T, options: KaimingOptions = {}): T {
  checkOptions('kaimingUniform_', options, KAIMING_OPTIONS);
  if (tensor.size === 0) return tensor;
  const bound = Math.sqrt(3) * kaimingStdOf(tensor, options, 'kaimingUniform_');
  return uniform_(tensor, -bound, bound, options);
}

/** He initialisation: N(0, std²) with std = gain / √fan. */
export function kaimingNormal_<T extends Tensor>(tensor: T, options: KaimingOptions = {}): T {
  checkOptions('kaimingNormal_', options, KAIMING_OPTIONS);
  if (tensor.size === 0) return tensor;
  return normal_(tensor, 0, kaimingStdOf(tensor, options, 'kaimingNormal_'), options);
}

function xavierStdOf(tensor: Tensor, gain: number, where: string): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor, where);
  return xavierStd(fanIn, fanOut, gain);
}

/** Glorot initialisation: U(-a, a) with a = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform_<T extends Tensor>(tensor: T, options: XavierOptions = {}): T {
  checkOptions('xavierUniform_', options, XAVIER_OPTIONS);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor, 'xavierUniform_');
  const a = xavierBound(fanIn, fanOut, options.gain ?? 1);
  return uniform_(tensor, -a, a, options);
}

/** Glorot initialisation: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal_<T extends Tensor>(tensor: T, options: XavierOptions = {}): T {
  checkOptions('xavierNormal_', options, XAVIER_OPTIONS);
  return normal_(tensor, 0, xavierStdOf(tensor, options.gain ?? 1, 'xavierNormal_'), options);
}

/**
 * Fills a rows × cols row-major matrix so that its rows (rows ≤ cols) or its columns (rows ≥ cols) are
 * orthonormal, times `gain`. A Gaussian matrix [max, min] is orthonormalised column by column (modified
 * Gram–Schmidt, in doubles); its R factor then has a positive diagonal, which is the sign fix PyTorch and
 * Keras apply to their QR, so Q is uniformly (Haar) distributed. Transposed when rows < cols.
 */
function orthogonalFill(out: TypedArray, rows: number, cols: number, gain: number, g: Generator): void {
  const n = Math.max(rows, cols), m = Math.min(rows, cols);
  const a = g.fillNormal(new Float64Array(n * m)); // a[i·m + j]: row i, column j
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i * m + k] * a[i * m + j];
      for (let i = 0; i < n; i++) a[i * m + j] -= dot * a[i * m + k];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * m + j] * a[i * m + j];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * m + j] /= norm;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (rows >= cols) out[i * cols + j] = gain * a[i * m + j];
      else out[j * cols + i] = gain * a[i * m + j];
    }
  }
}

/**
 * Orthogonal initialisation (torch.nn.init.orthogonal_, Saxe et al. 2013): the tensor, viewed as a matrix
 * [shape[0], rest], gets orthonormal rows or columns (whichever are fewer), times `gain` (default 1). Keras'
 * default for recurrent kernels. Needs at least 2 dims.
 * @example
 * ```ts
 * const w = tg.nn.init.orthogonal_(tg.zeros([3, 5]));
 * console.log(w.matmul(w.t()).toArray()); // ≈ the 3 × 3 identity
 * ```
 */
export function orthogonal_<T extends Tensor>(tensor: T, options: XavierOptions = {}): T {
  checkOptions('orthogonal_', options, XAVIER_OPTIONS);
  if (tensor.shape.length < 2) throw new RangeError(`orthogonal_: only tensors with 2 or more dimensions are supported, got shape ${fmtShape(tensor.shape)}`);
  if (tensor.size === 0) return tensor;
  const rows = tensor.shape[0], cols = tensor.size / rows;
  const g = options.generator ?? defaultGenerator;
  return fillInPlace(tensor, (out) => orthogonalFill(out, rows, cols, options.gain ?? 1, g));
}

// Names without the trailing underscore (they fill in place all the same).
export {
  constant_ as constant, kaimingNormal_ as kaimingNormal, kaimingUniform_ as kaimingUniform, normal_ as normal,
  ones_ as ones, orthogonal_ as orthogonal, truncNormal_ as truncNormal, uniform_ as uniform, xavierNormal_ as xavierNormal, xavierUniform_ as xavierUniform, zeros_ as zeros,
};
