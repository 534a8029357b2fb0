// Data inputs as the data and Keras APIs accept them: Tensors, nested arrays or typed arrays.
// Helpers to count rows, pick rows by index (keeping the input's kind), convert once, and check finiteness.

import { Tensor } from '../autograd/tensor.js';
import { fromValue } from '../tensor/creation.js';
import type { DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import { fmtShape, type Shape } from '../tensor/shape.js';

/** Any numeric typed array (Float32Array, Int32Array, Uint8Array, ...) accepted as data; BigInt arrays are not. */
export type NumericArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** Anything the data helpers accept as a set of rows: row i is `x[i]` (or `x.indexSelect(0, [i])`). */
export type DataInput = Tensor | NumericArray | readonly unknown[];

/**
 * Where a data helper's randomness comes from: a `seed` for a fresh generator, or a `generator` to draw from
 * (default: the shared `tg.defaultGenerator`).
 */
export interface RandomSource {
  /** Seeds a fresh Generator for this call. */
  seed?: number;
  /** Draws from this generator (ignored when `seed` is given). */
  generator?: Generator;
}

/** The generator a call should draw from: a fresh one for `seed`, else the given one, else the default. */
export function pickGenerator(opts: RandomSource | undefined): Generator {
  if (opts?.seed !== undefined) return new Generator(opts.seed);
  return opts?.generator ?? defaultGenerator;
}

export function isNumericArray(x: unknown): x is NumericArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array);
}

/** The number of rows (first-axis length) of a data input. */
export function rowCount(x: DataInput, what: string): number {
  if (x instanceof Tensor) {
    if (x.ndim === 0) throw new RangeError(`${what}: expected at least one dimension (rows), got a scalar tensor`);
    return x.shape[0];
  }
  if (Array.isArray(x) || isNumericArray(x)) return x.length;
  throw new TypeError(`${what}: expected a Tensor, an array or a typed array, got ${x === null ? 'null' : typeof x}`);
}

/** Rows `idx` of x, in that order, as the same kind of value (Tensor, array or typed array). */
export function takeRows<X extends DataInput>(x: X, idx: ArrayLike<number>): X {
  if (x instanceof Tensor) {
    const picked = new Tensor(x.detach().indexSelect(0, idx).value);
    return picked as X;
  }
  if (isNumericArray(x)) {
    const Ctor = x.constructor as new (n: number) => NumericArray;
    const out = new Ctor(idx.length);
    for (let i = 0; i < idx.length; i++) out[i] = x[idx[i]];
    return out as X;
  }
  const arr = x as readonly unknown[];
  const out = new Array<unknown>(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = arr[idx[i]];
  return out as unknown as X;
}

export interface ToTensorOptions {
  /** The shape of one row; needed for a flat typed array of multi-dimensional rows. */
  rowShape?: Shape;
  /** The full shape, rows included (for a flat typed array). */
  shape?: Shape;
  dtype?: DType;
}

/**
 * Converts a data input to a Tensor once (a Tensor is returned as is, cut off from the tape). A flat
 * typed array is reshaped to `shape`, or to [rows, ...rowShape] when only the row shape is known.
 */
export function toTensor(x: DataInput, what: string, opts: ToTensorOptions = {}): Tensor {
  let t: Tensor;
  if (x instanceof Tensor) t = x.requiresGrad ? x.detach() : x;
  else if (Array.isArray(x) || isNumericArray(x)) {
    let shape = opts.shape;
    if (!shape && isNumericArray(x) && opts.rowShape && opts.rowShape.length > 0) {
      const per = opts.rowShape.reduce((a, b) => a * b, 1);
      if (per === 0 || x.length % per !== 0) {
        throw new RangeError(`${what}: a flat typed array of ${x.length} values cannot be split into rows of shape ${fmtShape(opts.rowShape)}`);
      }
      shape = [x.length / per, ...opts.rowShape];
    }
    try {
      t = new Tensor(fromValue(x, opts.dtype ?? 'float32', shape));
    } catch (e) {
      throw new (e instanceof TypeError ? TypeError : RangeError)(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    throw new TypeError(`${what}: expected a Tensor, a nested array or a typed array, got ${x === null ? 'null' : typeof x}`);
  }
  if (opts.dtype && t.dtype !== opts.dtype) t = new Tensor(t.value.astype(opts.dtype));
  return t;
}

/** Describes where flat element k of a tensor sits: "row i, column j" (or "row i" / "row i, element j"). */
export function describePosition(shape: readonly number[], k: number): string {
  if (shape.length <= 1) return `row ${k}`;
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const row = Math.floor(k / per);
  const rest = k - row * per;
  return shape.length === 2 ? `row ${row}, column ${rest}` : `row ${row}, element ${rest} of the row`;
}

/** Throws if a tensor holds NaN or ±Infinity, naming the first bad row and column. */
export function assertFinite(t: Tensor, what: string): void {
  const v = t.value.values();
  for (let k = 0; k < v.length; k++) {
    const e = v[k];
    if (e - e !== 0) {
      throw new RangeError(`${what} has ${e} at ${describePosition(t.shape, k)}: inputs and labels must be finite numbers`);
    }
  }
}

/** A dense Tensor over a fresh typed array. */
export function tensorOf(data: Float32Array | Float64Array, shape: Shape): Tensor {
  return new Tensor(new NDArray(data, [...shape]));
}
