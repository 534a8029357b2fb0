// Data types: tapegrad stores float32 by default, float64 on request, and int32 for indices, labels and masks.
// Every kernel accepts any of them; results take the promoted dtype of the inputs (PyTorch's rules).

import { acquire } from './storage.js';
import { checkTensorSize } from './validate.js';

/**
 * The element types tapegrad stores: 'float32' (the default), 'float64' (for gradcheck and extra precision) and
 * 'int32' (indices, labels and masks: comparisons, argmax, argsort and topk return it; no gradients flow through it).
 */
export type DType = 'float32' | 'float64' | 'int32';
/** The floating-point dtypes: the ones that can carry gradients. */
export type FloatDType = 'float32' | 'float64';
/** The typed array behind a tensor: Float32Array, Float64Array or Int32Array. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

/**
 * Allocates a zero-filled typed array of the given dtype, through the caching allocator (storage.ts), so a
 * buffer the tape gave back is reused. A last line of defence: ops check their result's size (naming
 * themselves) before they get here, but no request over MAX_TENSOR_ELEMENTS reaches the engine. `zero`
 * false skips the fill of a reused buffer, for kernels that write every element of their result.
 */
export function allocate(dtype: DType, n: number, zero = true): TypedArray {
  checkTensorSize('allocate', n);
  return acquire(dtype, n, zero);
}

/** The dtype of a typed array. */
export function dtypeOf(a: TypedArray): DType {
  return a instanceof Float64Array ? 'float64' : a instanceof Int32Array ? 'int32' : 'float32';
}

/** True for float32 and float64. */
export function isFloating(d: DType): d is FloatDType {
  return d !== 'int32';
}

/**
 * The result dtype of combining two dtypes, as in PyTorch: int32 with int32 stays int32, int with float gives
 * the float, and float64 wins over float32.
 */
export function promote(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

export function assertDType(d: unknown, where: string): DType {
  if (d === 'float32' || d === 'float64' || d === 'int32') return d;
  throw new TypeError(`${where}: unknown dtype ${JSON.stringify(d)} (known: float32, float64, int32)`);
}
