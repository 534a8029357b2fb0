// Lane kernels: cumulative sums and products, and the sort permutation, along one axis.
// The axis is moved last (one permuted copy when it is not), so every lane is a contiguous run.

import { allocate } from './dtype.js';
import { NDArray } from './ndarray.js';

/** x with `axis` moved last, dense, and the permutation that puts it back. */
function lanesLast(x: NDArray, axis: number): { lanes: NDArray; back: number[] } {
  const nd = x.ndim;
  const dims = [...Array(nd).keys()].filter((d) => d !== axis).concat([axis]);
  const back = new Array<number>(nd);
  dims.forEach((d, i) => { back[d] = i; });
  return { lanes: x.permute(dims).contiguous(), back };
}

/** Inclusive running sum ('sum') or product ('prod') along `axis`, accumulated in doubles. */
export function scanKernel(x: NDArray, axis: number, kind: 'sum' | 'prod'): NDArray {
  const { lanes, back } = lanesLast(x, axis);
  const n = x.shape[axis];
  const src = lanes.data;
  const out = allocate(x.dtype, x.size);
  for (let start = 0; start < x.size; start += n) {
    let acc = kind === 'sum' ? 0 : 1;
    for (let i = start; i < start + n; i++) {
      acc = kind === 'sum' ? acc + src[i] : acc * src[i];
      out[i] = acc;
    }
  }
  return new NDArray(out, lanes.shape).permute(back).contiguous();
}

/**
 * The permutation that sorts each lane along `axis` (int32 indices, x's shape), as torch.sort: NaN counts as
 * larger than every number (last ascending, first descending), and equal elements keep their order (stable).
 */
export function sortIndices(x: NDArray, axis: number, descending: boolean): NDArray {
  const { lanes, back } = lanesLast(x, axis);
  const n = x.shape[axis];
  const v = lanes.data;
  const out = new Int32Array(x.size);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let start = 0; start < x.size; start += n) {
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((i, j) => {
      const a = v[start + i];
      const b = v[start + j];
      // NaN above everything; ties broken by position, so the sort is stable in both directions
      const c = a !== a ? (b !== b ? 0 : 1) : b !== b ? -1 : a < b ? -1 : a > b ? 1 : 0;
      return (descending ? -c : c) || i - j;
    });
    for (let i = 0; i < n; i++) out[start + i] = order[i];
  }
  return new NDArray(out, lanes.shape).permute(back).contiguous();
}

/** True when some element of x is exactly zero (cumprod's gradient then needs its division-free form). */
export function hasZero(x: NDArray): boolean {
  const v = x.values();
  for (let i = 0; i < v.length; i++) if (v[i] === 0) return true;
  return false;
}

/** One-hot rows: for labels of shape S, an int32 array of shape [...S, classes] with a 1 at each label. */
export function oneHotKernel(labels: NDArray, classes: number, op: string): NDArray {
  const v = labels.values();
  const out = new Int32Array(v.length * classes);
  for (let i = 0; i < v.length; i++) {
    const k = v[i];
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      throw new RangeError(`${op}: label ${k} at position ${i} is not a class index in [0, ${classes})`);
    }
    out[i * classes + k] = 1;
  }
  return new NDArray(out, [...labels.shape, classes]);
}
