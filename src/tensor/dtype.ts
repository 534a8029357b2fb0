// Data types: tapegrad stores float32 by default and float64 on request.
// Every kernel accepts either array type; results take the wider of the inputs' dtypes.

import { checkTensorSize } from './validate.js';

/** The element types tapegrad stores: 'float32' (the default) and 'float64' (for gradcheck and extra precision). */
export type DType = 'float32' | 'float64';
/** The typed array behind a tensor: a Float32Array for float32, a Float64Array for float64. */
export type TypedArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/**
 * Allocates a zero-filled typed array of the given dtype. A last line of defence: ops check their result's size
 * (naming themselves) before they get here, but no request over MAX_TENSOR_ELEMENTS reaches the engine.
 */
export function allocate(dtype: DType, n: number): TypedArray {
  checkTensorSize('allocate', n);
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** The dtype of a typed array. */
export function dtypeOf(a: TypedArray): DType {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

/** The result dtype of combining two dtypes (float64 wins, as in NumPy/PyTorch promotion). */
export function promote(a: DType, b: DType): DType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

export function assertDType(d: unknown, where: string): DType {
  if (d === 'float32' || d === 'float64') return d;
  throw new TypeError(`${where}: unknown dtype ${JSON.stringify(d)} (known: float32, float64)`);
}
