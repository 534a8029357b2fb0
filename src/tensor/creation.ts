// Creating arrays: from nested JS arrays and typed arrays, and the usual constant and range makers.
// Ragged or non-numeric input is rejected with the position where it went wrong.

import { allocate, dtypeOf, type DType, type TypedArray } from './dtype.js';
import { NDArray } from './ndarray.js';
import { checkShape, fmtShape, MAX_DIMS, type Shape, sizeOf } from './shape.js';
import { checkInt, checkTensorSize } from './validate.js';

export type NestedArray = number | boolean | readonly NestedArray[];

function inferNestedShape(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v) || ArrayBuffer.isView(v)) {
    // an array that contains itself would otherwise grow the shape until the heap is gone
    if (shape.length === MAX_DIMS) throw new RangeError(`tensor: nested deeper than ${MAX_DIMS} levels (an array that contains itself?)`);
    const len = (v as ArrayLike<unknown>).length;
    shape.push(len);
    if (len === 0) break;
    v = (v as ArrayLike<unknown>)[0];
  }
  return shape;
}

/** Builds a dense array from a number, nested arrays, or a typed array (with an optional shape). */
export function fromValue(value: unknown, dtype: DType | undefined, shape?: Shape): NDArray {
  if (value instanceof Float32Array || value instanceof Float64Array) {
    const dt = dtype ?? dtypeOf(value);
    const s = shape ?? [value.length];
    checkShape(s, 'tensor');
    if (sizeOf(s) !== value.length) {
      throw new RangeError(`tensor: shape ${fmtShape(s)} needs ${sizeOf(s)} elements, the typed array has ${value.length}`);
    }
    const data = dt === dtypeOf(value) ? value : allocate(dt, value.length);
    if (data !== value) for (let i = 0; i < value.length; i++) data[i] = value[i];
    return new NDArray(data, [...s]);
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number | bigint>;
    const s = shape ?? [arr.length];
    if (sizeOf(s) !== arr.length) {
      throw new RangeError(`tensor: shape ${fmtShape(s)} needs ${sizeOf(s)} elements, the typed array has ${arr.length}`);
    }
    const data = allocate(dtype ?? 'float32', arr.length);
    for (let i = 0; i < arr.length; i++) data[i] = Number(arr[i]);
    return new NDArray(data, [...s]);
  }
  const s = inferNestedShape(value);
  checkShape(s, 'tensor');
  const data = allocate(dtype ?? 'float32', sizeOf(s));
  let k = 0;
  const fill = (v: unknown, dim: number, path: number[]): void => {
    if (dim === s.length) {
      if (typeof v === 'number') data[k++] = v;
      else if (typeof v === 'boolean') data[k++] = v ? 1 : 0;
      else throw new TypeError(`tensor: expected a number at [${path.join(',')}], got ${v === null ? 'null' : typeof v}`);
      return;
    }
    if (!Array.isArray(v) && !ArrayBuffer.isView(v)) {
      throw new TypeError(`tensor: ragged nested array at [${path.join(',')}]: expected an array of length ${s[dim]}`);
    }
    const arr = v as ArrayLike<unknown>;
    if (arr.length !== s[dim]) {
      throw new RangeError(`tensor: ragged nested array at [${path.join(',')}]: expected length ${s[dim]}, got ${arr.length}`);
    }
    for (let i = 0; i < arr.length; i++) fill(arr[i], dim + 1, [...path, i]);
  };
  fill(value, 0, []);
  const out = new NDArray(data, s);
  return shape ? out.reshape(shape) : out;
}

export function full(shape: Shape, value: number, dtype: DType = 'float32', op = 'full'): NDArray {
  checkShape(shape, op);
  const data = allocate(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new NDArray(data, [...shape]);
}

export function arange(start: number, end: number, step: number, dtype: DType = 'float32'): NDArray {
  if (step === 0 || !Number.isFinite(step)) throw new RangeError(`arange: step must be a non-zero finite number, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError(`arange: start and end must be finite numbers, got ${start} and ${end}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  checkTensorSize('arange', n);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new NDArray(data, [n]);
}

export function linspace(start: number, end: number, steps: number, dtype: DType = 'float32'): NDArray {
  checkInt('linspace', 'steps', steps, { min: 0 });
  checkTensorSize('linspace', steps);
  const data = allocate(dtype, steps);
  const d = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) data[i] = i === steps - 1 && steps > 1 ? end : start + i * d;
  return new NDArray(data, [steps]);
}

export function eye(n: number, m = n, dtype: DType = 'float32'): NDArray {
  checkShape([n, m], 'eye');
  const data: TypedArray = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return new NDArray(data, [n, m]);
}
