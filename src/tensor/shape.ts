// Shape arithmetic: sizes, contiguous strides, axis normalisation and NumPy broadcasting.
// Pure functions over number arrays; every error names the op and the shapes involved.

import { checkTensorSize } from './validate.js';

export type Shape = readonly number[];

export function fmtShape(s: Shape): string {
  return `[${s.join(',')}]`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major (C-order) strides for a shape. */
export function contiguousStrides(shape: Shape): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= shape[i];
  }
  return st;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The most dimensions a tensor may have (as in PyTorch and NumPy 2). */
export const MAX_DIMS = 64;

/**
 * Checks that a shape is a list of at most MAX_DIMS non-negative safe integers whose product is at most
 * MAX_TENSOR_ELEMENTS; the errors name the op and the shape.
 */
export function checkShape(shape: Shape, op: string): void {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: a shape must be an array of integers, got ${typeof shape}`);
  if (shape.length > MAX_DIMS) throw new RangeError(`${op}: ${shape.length} dimensions is more than the limit of ${MAX_DIMS}`);
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`${op}: invalid shape ${fmtShape(shape)} (dimensions must be non-negative integers)`);
    }
  }
  checkTensorSize(op, sizeOf(shape), shape);
}

/**
 * Normalises a possibly negative axis into [0, ndim). `shape` (the input's) is named in the error;
 * ops that insert a dim (unsqueeze, stack) pass ndim = rank + 1 with the input's shape.
 */
export function normAxis(axis: number, ndim: number, op: string, shape?: Shape): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    const what = shape ? `shape ${fmtShape(shape)}` : `a tensor of ${ndim} dimension${ndim === 1 ? '' : 's'}`;
    const valid = ndim === 0 ? 'no axis is valid' : `valid: ${-ndim} to ${ndim - 1}`;
    throw new RangeError(`${op}: axis ${axis} is out of range for ${what} (${valid})`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Normalises `axis?: number | number[]` into a sorted list of distinct axes (all axes when undefined). */
export function normAxes(axis: number | readonly number[] | undefined | null, ndim: number, op: string): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  const out = list.map((a) => normAxis(a, ndim, op));
  const sorted = [...out].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new RangeError(`${op}: axis ${sorted[i]} appears more than once`);
  }
  return sorted;
}

/** NumPy broadcasting of two shapes; throws `op: shapes [..] and [..] cannot be broadcast`. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new RangeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast`);
  }
  checkTensorSize(op, sizeOf(out), out);
  return out;
}

/** Shape after reducing `axes` (sorted, distinct), keeping them as 1 when keepdims. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepdims) out.push(1);
    } else out.push(shape[i]);
  }
  return out;
}

/** Resolves a reshape target that may contain one -1. */
export function inferShape(target: Shape, size: number, op: string, from: Shape): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    const d = target[i];
    if (d === -1) {
      if (infer >= 0) throw new RangeError(`${op}: only one dimension can be -1, got ${fmtShape(target)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${op}: invalid dimension ${d} in ${fmtShape(target)}`);
    } else known *= d;
  }
  const out = [...target];
  if (infer >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new RangeError(`${op}: cannot reshape ${fmtShape(from)} (size ${size}) into ${fmtShape(target)}`);
    }
    out[infer] = size / known;
  }
  if (sizeOf(out) !== size) {
    throw new RangeError(`${op}: cannot reshape ${fmtShape(from)} (size ${size}) into ${fmtShape(target)}`);
  }
  return out;
}
