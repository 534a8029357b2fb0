// Composite tensor ops behind Tensor methods (prod, norm, split, chunk, repeat, tile, roll): each is built
// from primitives through Tensor methods, so it needs no gradient rule; only the Tensor type is imported.

import { fmtShape, normAxes, normAxis } from '../tensor/shape.js';
import { checkInt } from '../tensor/validate.js';
import type { Tensor } from './tensor.js';

/** Product over one axis (all elements when omitted), as the last element of cumprod: exact when elements are 0. */
export function prod(x: Tensor, axis: number | null | undefined, keepdims: boolean): Tensor {
  if (axis == null) {
    const out = prod(x.reshape([-1]), 0, false);
    return keepdims ? out.reshape(x.shape.map(() => 1)) : out;
  }
  const a = normAxis(axis, Math.max(x.ndim, 1), 'prod');
  if (x.ndim === 0) return x;
  const n = x.shape[a];
  if (n === 0) return x.sum(a, keepdims).add(1); // the empty product, connected to x like sum's
  const last = x.cumprod(a).narrow(a, n - 1, 1);
  return keepdims ? last : last.squeeze(a);
}

/** The p-norms torch.norm accepts here: a positive number (1, 2 ...), ±Infinity, 0 (count) or 'fro' (2 over the dims). */
export type NormOrder = number | 'fro';

/**
 * (Σ|x|^p)^(1/p) over `axis` (all when omitted). Its gradient at an all-zero slice is 0 (PyTorch's subgradient),
 * not NaN: the root is taken only where the sum is positive.
 */
export function norm(x: Tensor, p: NormOrder, axis: number | number[] | null | undefined, keepdims: boolean): Tensor {
  const axes = normAxes(axis, x.ndim, 'norm');
  const a = x.abs();
  if (p === 'fro' || p === 2) return safeRoot(x.square().sum(axes, keepdims), 2);
  if (typeof p !== 'number' || Number.isNaN(p)) {
    throw new RangeError(`norm: p must be a number, Infinity, -Infinity or 'fro', got ${JSON.stringify(p)}`);
  }
  if (p === Infinity) return a.max(axes, keepdims);
  if (p === -Infinity) return a.min(axes, keepdims);
  if (p === 0) return x.ne(0).sum(axes, keepdims).to(x.dtype === 'float64' ? 'float64' : 'float32');
  if (p === 1) return a.sum(axes, keepdims);
  if (p < 0) throw new RangeError(`norm: p must be positive, ±Infinity or 'fro', got ${p}`);
  return safeRoot(a.pow(p).sum(axes, keepdims), p);
}

/** s^(1/p) where s > 0, exactly 0 (with a 0 gradient) where s = 0. */
function safeRoot(s: Tensor, p: number): Tensor {
  const pos = s.gt(0);
  const root = (p === 2 ? s.maskedFill(pos.eq(0), 1).sqrt() : s.maskedFill(pos.eq(0), 1).pow(1 / p));
  return root.maskedFill(pos.eq(0), 0);
}

/**
 * Pieces along `axis` (views): a number gives pieces of that size (the last may be smaller), a list gives the
 * size of each piece (they must add up to the dim's size), as torch.split.
 */
export function split(x: Tensor, sizes: number | readonly number[], axis: number): Tensor[] {
  const a = normAxis(axis, x.ndim, 'split');
  const n = x.shape[a];
  let list: number[];
  if (typeof sizes === 'number') {
    checkInt('split', 'splitSize', sizes, { min: n === 0 ? 0 : 1 });
    list = [];
    for (let at = 0; at < n; at += sizes) list.push(Math.min(sizes, n - at));
    if (n === 0) list.push(0);
  } else {
    list = [...sizes];
    for (const s of list) checkInt('split', 'each section size', s, { min: 0 });
    const total = list.reduce((t, s) => t + s, 0);
    if (total !== n) throw new RangeError(`split: section sizes [${list}] add up to ${total}, but dim ${a} of shape ${fmtShape(x.shape)} has ${n}`);
  }
  let at = 0;
  return list.map((len) => {
    const piece = x.narrow(a, at, len);
    at += len;
    return piece;
  });
}

/** `chunks` pieces of ⌈n / chunks⌉ along `axis` (fewer when that covers the dim sooner), as torch.chunk. */
export function chunk(x: Tensor, chunks: number, axis: number): Tensor[] {
  checkInt('chunk', 'chunks', chunks, { min: 1 });
  const a = normAxis(axis, x.ndim, 'chunk');
  const n = x.shape[a];
  return split(x, n === 0 ? 0 : Math.ceil(n / chunks), a);
}

/** torch.Tensor.repeat: the whole tensor tiled `sizes[i]` times along dim i (extra leading sizes add dims). */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < x.ndim) {
    throw new RangeError(`repeat: needs at least one size per dim (${x.ndim} for shape ${fmtShape(x.shape)}), got [${sizes}]`);
  }
  for (const s of sizes) checkInt('repeat', 'each size', s, { min: 0 });
  const shape = [...sizes.slice(0, sizes.length - x.ndim).map(() => 1), ...x.shape];
  // [1, d0, 1, d1, ...] expanded to [r0, d0, r1, d1, ...], then each pair merged: a broadcast, so the gradient sums
  const paired = x.reshape(shape.flatMap((d) => [1, d]));
  const expanded = paired.expand(shape.flatMap((d, i) => [sizes[i], d]));
  return expanded.reshape(shape.map((d, i) => d * sizes[i]));
}

/** torch.tile: repeat, with `dims` padded with leading 1s when shorter than the tensor's rank. */
export function tile(x: Tensor, dims: readonly number[]): Tensor {
  return repeat(x, [...x.shape.slice(0, Math.max(0, x.ndim - dims.length)).map(() => 1), ...dims]);
}

/** torch.roll: elements shifted along dims, wrapping around; without dims, over the flattened tensor. */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
  const sh = typeof shifts === 'number' ? [shifts] : [...shifts];
  for (const s of sh) checkInt('roll', 'each shift', s);
  if (dims == null) {
    if (sh.length !== 1) throw new RangeError(`roll: without dims, shifts must be one number, got [${sh}]`);
    return roll(x.reshape([-1]), sh, [0]).reshape(x.shape);
  }
  const ds = typeof dims === 'number' ? [dims] : [...dims];
  if (ds.length !== sh.length) throw new RangeError(`roll: got ${sh.length} shifts for ${ds.length} dims`);
  let out = x;
  ds.forEach((d, i) => {
    const a = normAxis(d, x.ndim, 'roll');
    const n = x.shape[a];
    const k = n === 0 ? 0 : ((sh[i] % n) + n) % n;
    if (k === 0) return;
    out = out.indexSelect(a, Array.from({ length: n }, (_, j) => (j - k + n) % n)); // out[j] = x[j − k]
  });
  return out;
}
