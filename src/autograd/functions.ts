// The tg.* function forms of the Tensor methods, plus the ops that take several tensors
// (concat, stack, where). Each is a thin wrapper: the rules live in the op table.

import { promote, type DType } from '../tensor/dtype.js';
import { fmtShape, normAxis } from '../tensor/shape.js';
import { apply, type Operand, Tensor, where } from './tensor.js';

export { where };

const T = (x: Operand, other?: Operand): Tensor =>
  x instanceof Tensor ? x : Tensor.scalar(x, other instanceof Tensor ? other.dtype : 'float32');

export const add = (a: Operand, b: Operand): Tensor => T(a, b).add(b);
export const sub = (a: Operand, b: Operand): Tensor => T(a, b).sub(b);
export const mul = (a: Operand, b: Operand): Tensor => T(a, b).mul(b);
export const div = (a: Operand, b: Operand): Tensor => T(a, b).div(b);
export const pow = (a: Operand, b: Operand): Tensor => T(a, b).pow(b);
export const maximum = (a: Operand, b: Operand): Tensor => T(a, b).maximum(b);
export const minimum = (a: Operand, b: Operand): Tensor => T(a, b).minimum(b);
export const neg = (x: Tensor): Tensor => x.neg();
export const exp = (x: Tensor): Tensor => x.exp();
export const log = (x: Tensor): Tensor => x.log();
export const log1p = (x: Tensor): Tensor => x.log1p();
export const sqrt = (x: Tensor): Tensor => x.sqrt();
export const abs = (x: Tensor): Tensor => x.abs();
export const relu = (x: Tensor): Tensor => x.relu();
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();
export const clamp = (x: Tensor, min?: number | null, max?: number | null): Tensor => x.clamp(min, max);
export const matmul = (a: Tensor, b: Tensor): Tensor => a.matmul(b);
export const sum = (x: Tensor, axis?: number | number[] | null, keepdims = false): Tensor => x.sum(axis, keepdims);
export const mean = (x: Tensor, axis?: number | number[] | null, keepdims = false): Tensor => x.mean(axis, keepdims);
export const max = (x: Tensor, axis?: number | number[] | null, keepdims = false): Tensor => x.max(axis, keepdims);
export const min = (x: Tensor, axis?: number | number[] | null, keepdims = false): Tensor => x.min(axis, keepdims);
export const logsumexp = (x: Tensor, axis?: number | number[] | null, keepdims = false): Tensor => x.logsumexp(axis, keepdims);
export const softmax = (x: Tensor, axis = -1): Tensor => x.softmax(axis);
export const logSoftmax = (x: Tensor, axis = -1): Tensor => x.logSoftmax(axis);
export const reshape = (x: Tensor, shape: number[]): Tensor => x.reshape(shape);
export const permute = (x: Tensor, dims: number[]): Tensor => x.permute(dims);
export const transpose = (x: Tensor, dim0: number, dim1: number): Tensor => x.transpose(dim0, dim1);
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor => x.flatten(startDim, endDim);
export const squeeze = (x: Tensor, axis?: number | number[]): Tensor => x.squeeze(axis);
export const unsqueeze = (x: Tensor, axis: number): Tensor => x.unsqueeze(axis);
export const gather = (x: Tensor, axis: number, index: Tensor): Tensor => x.gather(axis, index);
export const indexSelect = (x: Tensor, axis: number, indices: Tensor | ArrayLike<number>): Tensor => x.indexSelect(axis, indices);

/** Joins tensors along an existing axis; all other dims must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('concat: expected at least one tensor');
  const first = tensors[0];
  if (first.ndim === 0) throw new RangeError('concat: zero-dimensional tensors cannot be concatenated (use stack)');
  const a = normAxis(axis, first.ndim, 'concat');
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new RangeError(`concat: shapes ${fmtShape(first.shape)} and ${fmtShape(t.shape)} differ outside axis ${a}`);
    }
  }
  const dtype = tensors.reduce<DType>((d, t) => promote(d, t.dtype), 'float32');
  return apply('concat', tensors.map((t) => t.to(dtype)), { axis: a });
}

/** Joins same-shape tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('stack: expected at least one tensor');
  const first = tensors[0];
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => d !== first.shape[i])) {
      throw new RangeError(`stack: all tensors must have the same shape, got ${fmtShape(first.shape)} and ${fmtShape(t.shape)}`);
    }
  }
  const a = normAxis(axis, first.ndim + 1, 'stack', first.shape);
  return concat(tensors.map((t) => t.unsqueeze(a)), a);
}
