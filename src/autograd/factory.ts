// Making tensors: tg.tensor from numbers, nested arrays or typed arrays, and the usual constructors.
// Random ones draw from the default seeded generator unless a Generator is passed.

import { arange as arangeKernel, eye as eyeKernel, fromValue, full as fullKernel, linspace as linspaceKernel } from '../tensor/creation.js';
import { allocate, assertDType, type DType, isFloating, type TypedArray } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { checkShape, type Shape, sizeOf } from '../tensor/shape.js';
import { checkOptions } from '../tensor/validate.js';
import { Tensor } from './tensor.js';

/** Options shared by the tensor constructors (`tg.tensor`, `tg.zeros`, `tg.ones`, ...). */
export interface TensorOptions {
  /** Element type: 'float32' (the default), 'float64', or 'int32' (integers: indices, labels, masks). */
  dtype?: DType;
  /** Track this tensor on the tape so `backward()` fills its `.grad` (default false). */
  requiresGrad?: boolean;
}

/** Options for the random constructors (`tg.rand`, `tg.randn`, `tg.randint`): tensor options plus a generator. */
export interface RandomOptions extends TensorOptions {
  /** The seeded generator to draw from; defaults to the shared `tg.defaultGenerator` (reseed it with `tg.manualSeed`). */
  generator?: Generator;
}

function make(value: NDArray, opts: TensorOptions | undefined): Tensor {
  return new Tensor(value, opts?.requiresGrad ?? false);
}

const TENSOR_OPTIONS = ['dtype', 'requiresGrad'];
const RANDOM_OPTIONS = [...TENSOR_OPTIONS, 'generator'];

/** The dtype option (default float32), after checking that `opts` has only known keys. */
function dtypeOpt(opts: TensorOptions | undefined, where: string, known: readonly string[] = TENSOR_OPTIONS): DType {
  checkOptions(where, opts, known);
  return opts?.dtype === undefined ? 'float32' : assertDType(opts.dtype, where);
}

/**
 * A tensor from a number, nested arrays, or a typed array (with `shape` for more than 1-D).
 * @example tg.tensor([[1, 2], [3, 4]], { requiresGrad: true })
 */
export function tensor(value: unknown, opts?: TensorOptions & { shape?: Shape }): Tensor {
  if (value instanceof Tensor) return make(value.value.astype(opts?.dtype ?? value.dtype), opts);
  checkOptions('tensor', opts, [...TENSOR_OPTIONS, 'shape']);
  if (opts?.dtype !== undefined) assertDType(opts.dtype, 'tensor');
  // like torch.tensor, always a copy: later writes to the caller's array do not show through
  const src = value instanceof Float32Array || value instanceof Float64Array ? value.slice() : value;
  return make(fromValue(src, opts?.dtype, opts?.shape), opts);
}

/**
 * A tensor of the given shape filled with 0 (float32 unless `dtype` says otherwise), like torch.zeros.
 * Throws a RangeError for a shape with negative or non-integer dims.
 * @example
 * ```ts
 * const z = tg.zeros([2, 3]);                  // shape [2, 3], all 0
 * const w = tg.zeros([3], { requiresGrad: true });
 * ```
 */
export function zeros(shape: Shape, opts?: TensorOptions): Tensor {
  return make(fullKernel(shape, 0, dtypeOpt(opts, 'zeros'), 'zeros'), opts);
}
/**
 * A tensor of the given shape filled with 1 (float32 unless `dtype` says otherwise), like torch.ones.
 * @example
 * ```ts
 * const o = tg.ones([2, 2], { dtype: 'float64' });
 * ```
 */
export function ones(shape: Shape, opts?: TensorOptions): Tensor {
  return make(fullKernel(shape, 1, dtypeOpt(opts, 'ones'), 'ones'), opts);
}
/**
 * A tensor of the given shape with every element equal to `value` (torch.full).
 * @example
 * ```ts
 * const t = tg.full([2, 3], 0.5); // [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
 * ```
 */
export function full(shape: Shape, value: number, opts?: TensorOptions): Tensor {
  return make(fullKernel(shape, value, dtypeOpt(opts, 'full')), opts);
}
/** Zeros with the same shape and dtype as `t` (options may override the dtype or set requiresGrad). */
export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return zeros(t.shape, { dtype: t.dtype, ...opts });
}
/** Ones with the same shape and dtype as `t` (options may override the dtype or set requiresGrad). */
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return ones(t.shape, { dtype: t.dtype, ...opts });
}
/** A tensor with the same shape and dtype as `t`, every element `value`. */
export function fullLike(t: Tensor, value: number, opts?: TensorOptions): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/**
 * Values start, start+step, ... below end; `arange(n)` is 0..n-1. Options may follow any of the
 * numbers, as torch.arange's keywords do: `arange(n, { dtype: 'float64' })`, `arange(2, 8, { ... })`.
 */
export function arange(end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end?: number, step?: number, opts?: TensorOptions): Tensor;
export function arange(start: number, a?: number | TensorOptions, b?: number | TensorOptions, c?: TensorOptions): Tensor {
  let end = a, step = b, opts = c;
  if (typeof a === 'object') [end, step, opts] = [undefined, undefined, a];
  else if (typeof b === 'object') [step, opts] = [undefined, b];
  const [s, e] = end === undefined ? [0, start] : [start, end as number];
  return make(arangeKernel(s, e, (step as number | undefined) ?? 1, dtypeOpt(opts, 'arange')), opts);
}
/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  return make(linspaceKernel(start, end, steps, dtypeOpt(opts, 'linspace')), opts);
}
/** The n×m identity matrix. */
export function eye(n: number, m = n, opts?: TensorOptions): Tensor {
  return make(eyeKernel(n, m, dtypeOpt(opts, 'eye')), opts);
}

function randomArray(shape: Shape, opts: RandomOptions | undefined, where: string, fill: (g: Generator, a: TypedArray) => void): Tensor {
  checkShape(shape, where);
  const data = allocate(dtypeOpt(opts, where, RANDOM_OPTIONS), sizeOf(shape));
  fill(opts?.generator ?? defaultGenerator, data);
  return make(new NDArray(data, [...shape]), opts);
}

function floatOnly(opts: RandomOptions | undefined, where: string): void {
  if (opts?.dtype !== undefined && !isFloating(assertDType(opts.dtype, where))) {
    throw new TypeError(`${where}: dtype ${opts.dtype} is not a floating-point dtype (use float32 or float64; randint makes integers)`);
  }
}

/** Uniform samples in [0, 1). */
export function rand(shape: Shape, opts?: RandomOptions): Tensor {
  floatOnly(opts, 'rand');
  return randomArray(shape, opts, 'rand', (g, a) => g.fillUniform(a, 0, 1));
}
/** Standard normal samples. */
export function randn(shape: Shape, opts?: RandomOptions): Tensor {
  floatOnly(opts, 'randn');
  return randomArray(shape, opts, 'randn', (g, a) => g.fillNormal(a, 0, 1));
}
/** Uniform integers in [low, high). */
export function randint(low: number, high: number, shape: Shape, opts?: RandomOptions): Tensor {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
    throw new RangeError(`randint: need integers low < high, got low=${low}, high=${high}`);
  }
  return randomArray(shape, opts, 'randint', (g, a) => {
    for (let i = 0; i < a.length; i++) a[i] = g.randint(low, high);
  });
}
