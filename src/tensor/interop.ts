// scijs ndarray interop: {data, shape, stride, offset} maps straight onto an NDArray view.
// Float32/Float64/Int32 data is shared (zero-copy); other element types are converted into float32.

import ndarray from 'ndarray';
import type { DType, TypedArray } from './dtype.js';
import { checkView, NDArray } from './ndarray.js';
import { checkShape } from './shape.js';

/** The fields of a scijs ndarray that interop reads. */
export interface NdarrayLike {
  data: ArrayLike<number> | { get(i: number): number; length: number };
  shape: number[];
  stride: number[];
  offset: number;
}

/** Views a scijs ndarray as an NDArray (sharing storage when its data is Float32Array, Float64Array or Int32Array). */
export function ndarrayFromScijs(nd: NdarrayLike): NDArray {
  if (!nd || !Array.isArray(nd.shape) || !Array.isArray(nd.stride)) {
    throw new TypeError('fromNdarray: expected a scijs ndarray with data, shape, stride and offset');
  }
  const { data, shape, stride, offset } = nd;
  if (typeof data !== 'object' || data === null || !Number.isSafeInteger(data.length)) {
    throw new TypeError('fromNdarray: expected a scijs ndarray whose data has a length');
  }
  checkShape(shape, 'fromNdarray');
  // every element the view reaches must lie inside data: a hostile view cannot read past it
  checkView(shape, stride, offset, data.length, 'fromNdarray');
  if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array) return new NDArray(data, [...shape], [...stride], offset);
  // other storage: gather the elements through the strides into a fresh float32 array
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const get = 'get' in data && typeof data.get === 'function' ? (i: number) => data.get(i) : (i: number) => (data as ArrayLike<number>)[i];
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < size; k++) {
    let p = offset;
    for (let d = 0; d < shape.length; d++) p += idx[d] * stride[d];
    out[k] = Number(get(p));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return new NDArray(out, [...shape]);
}

/**
 * A scijs ndarray, as Tensor.toNdarray returns it: a strided view of the tensor's storage with
 * ndarray's methods. The ndarray package is bundled into tapegrad, so its type is written out here
 * (the members the bundled ndarray 1.x has) and users need no @types package.
 */
export interface ScijsNdarray<D extends TypedArray = TypedArray> {
  data: D;
  shape: number[];
  stride: number[];
  offset: number;
  dtype: DType;
  size: number;
  order: number[];
  dimension: number;
  /** The element at the given indices. */
  get(...index: number[]): number;
  /** Sets the element at the given indices to the last argument. */
  set(...indexThenValue: number[]): number;
  /** The position in `data` of the element at the given indices. */
  index(...index: number[]): number;
  /** The view starting at the given indices. */
  lo(...index: number[]): ScijsNdarray<D>;
  /** The view ending before the given indices. */
  hi(...index: number[]): ScijsNdarray<D>;
  /** The view taking every k-th element along each dimension. */
  step(...steps: number[]): ScijsNdarray<D>;
  /** The view with the dimensions in the given order. */
  transpose(...axes: number[]): ScijsNdarray<D>;
  /** Fixes the dimensions given a number (null keeps one). */
  pick(...index: (number | null)[]): ScijsNdarray<D>;
}

/** A scijs ndarray viewing the same storage as `x` (no copy). */
export function ndarrayToScijs(x: NDArray): ScijsNdarray {
  return ndarray(x.data, [...x.shape], [...x.strides], x.offset);
}
