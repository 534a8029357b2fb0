// Elementwise kernels: unary, binary and ternary maps over strided arrays.
// Each op supplies a row function (a tight loop over one run of elements); the drivers walk the rest.

import { allocate, type DType, type TypedArray } from './dtype.js';
import { NDArray } from './ndarray.js';
import { fmtShape, shapesEqual } from './shape.js';
import { erf, erfc, expForFloat32 } from './special.js';

/** out[o+i] = f(x[ix + i*sx]) for i < n; p is an optional scalar parameter. */
export type UnaryRow = (out: TypedArray, o: number, x: TypedArray, ix: number, sx: number, n: number, p: number, q: number) => void;
/** out[o+i] = f(a[ia + i*sa], b[ib + i*sb]) for i < n. */
export type BinaryRow = (
  out: TypedArray, o: number, a: TypedArray, ia: number, sa: number, b: TypedArray, ib: number, sb: number, n: number,
) => void;

/**
 * Merges adjacent dims that are contiguous with each other in every operand, so the innermost
 * run is as long as possible (a dense array becomes one run of `size` elements).
 */
function coalesce(shape: readonly number[], stridesList: (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = stridesList.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue; // size-1 dims never move a pointer
    const k = outShape.length - 1;
    if (k >= 0 && stridesList.every((s, j) => outStrides[j][k] === s[d] * shape[d])) {
      outShape[k] *= shape[d];
      for (let j = 0; j < stridesList.length; j++) outStrides[j][k] = stridesList[j][d];
    } else {
      outShape.push(shape[d]);
      for (let j = 0; j < stridesList.length; j++) outStrides[j].push(stridesList[j][d]);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(1);
  }
  return { shape: outShape, strides: outStrides };
}

/** Applies a unary row function; the result is a fresh dense array. */
export function mapUnary(x: NDArray, row: UnaryRow, p = 0, q = 0, dtype: DType = x.dtype): NDArray {
  const n = x.size;
  const out = allocate(dtype, n, false); // every element is written below
  if (n === 0) return new NDArray(out, x.shape);
  if (x.isContiguous()) {
    row(out, 0, x.data, x.offset, 1, n, p, q);
    return new NDArray(out, x.shape);
  }
  const { shape, strides } = coalesce(x.shape, [x.strides]);
  const st = strides[0];
  const nd = shape.length;
  const inner = shape[nd - 1];
  const sx = st[nd - 1];
  const rows = n / inner;
  const idx = new Array<number>(nd).fill(0);
  let px = x.offset;
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    row(out, o, x.data, px, sx, inner, p, q);
    for (let d = nd - 2; d >= 0; d--) {
      px += st[d];
      if (++idx[d] < shape[d]) break;
      px -= st[d] * shape[d];
      idx[d] = 0;
    }
  }
  return new NDArray(out, x.shape);
}

/** Applies a binary row function to two arrays of the same shape (broadcast views are expanded first). */
export function mapBinary(op: string, a: NDArray, b: NDArray, row: BinaryRow, dtype: DType): NDArray {
  if (!shapesEqual(a.shape, b.shape)) {
    throw new RangeError(`${op}: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} must match here`);
  }
  const n = a.size;
  const out = allocate(dtype, n, false); // every element is written below
  if (n === 0) return new NDArray(out, a.shape);
  if (a.isContiguous() && b.isContiguous()) {
    row(out, 0, a.data, a.offset, 1, b.data, b.offset, 1, n);
    return new NDArray(out, a.shape);
  }
  const { shape, strides } = coalesce(a.shape, [a.strides, b.strides]);
  const [sta, stb] = strides;
  const nd = shape.length;
  const inner = shape[nd - 1];
  const sa = sta[nd - 1];
  const sb = stb[nd - 1];
  const rows = n / inner;
  const idx = new Array<number>(nd).fill(0);
  let pa = a.offset;
  let pb = b.offset;
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    row(out, o, a.data, pa, sa, b.data, pb, sb, inner);
    for (let d = nd - 2; d >= 0; d--) {
      pa += sta[d];
      pb += stb[d];
      if (++idx[d] < shape[d]) break;
      pa -= sta[d] * shape[d];
      pb -= stb[d] * shape[d];
      idx[d] = 0;
    }
  }
  return new NDArray(out, a.shape);
}

/** where(cond, a, b) for three arrays of one shape: cond != 0 picks a. */
export function whereKernel(cond: NDArray, a: NDArray, b: NDArray, dtype: DType): NDArray {
  const n = a.size;
  const out = allocate(dtype, n);
  const { shape, strides } = coalesce(a.shape, [cond.strides, a.strides, b.strides]);
  const [stc, sta, stb] = strides;
  const nd = shape.length;
  const inner = shape[nd - 1];
  const rows = n === 0 ? 0 : n / inner;
  const idx = new Array<number>(nd).fill(0);
  let pc = cond.offset;
  let pa = a.offset;
  let pb = b.offset;
  const cd = cond.data;
  const ad = a.data;
  const bd = b.data;
  const sc = stc[nd - 1];
  const sa = sta[nd - 1];
  const sb = stb[nd - 1];
  for (let r = 0, o = 0; r < rows; r++) {
    for (let i = 0, c = pc, x = pa, y = pb; i < inner; i++, c += sc, x += sa, y += sb) out[o++] = cd[c] !== 0 ? ad[x] : bd[y];
    for (let d = nd - 2; d >= 0; d--) {
      pc += stc[d];
      pa += sta[d];
      pb += stb[d];
      if (++idx[d] < shape[d]) break;
      pc -= stc[d] * shape[d];
      pa -= sta[d] * shape[d];
      pb -= stb[d] * shape[d];
      idx[d] = 0;
    }
  }
  return new NDArray(out, a.shape);
}

/** Copies src into the (possibly strided) view dst of the same shape. */
export function assignInto(dst: NDArray, src: NDArray): void {
  if (!shapesEqual(dst.shape, src.shape)) {
    throw new RangeError(`assign: shapes ${fmtShape(dst.shape)} and ${fmtShape(src.shape)} must match`);
  }
  if (dst.size === 0) return;
  const { shape, strides } = coalesce(dst.shape, [dst.strides, src.strides]);
  const [std, sts] = strides;
  const nd = shape.length;
  const inner = shape[nd - 1];
  const rows = dst.size / inner;
  const idx = new Array<number>(nd).fill(0);
  let pd = dst.offset;
  let ps = src.offset;
  const dd = dst.data;
  const sd = src.data;
  const s1 = std[nd - 1];
  const s2 = sts[nd - 1];
  for (let r = 0; r < rows; r++) {
    for (let i = 0, p = pd, q = ps; i < inner; i++, p += s1, q += s2) dd[p] = sd[q];
    for (let d = nd - 2; d >= 0; d--) {
      pd += std[d];
      ps += sts[d];
      if (++idx[d] < shape[d]) break;
      pd -= std[d] * shape[d];
      ps -= sts[d] * shape[d];
      idx[d] = 0;
    }
  }
}

// ---- unary row functions -------------------------------------------------------------------

export const UNARY = {
  neg: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = -x[i]; },
  // float32 results take the fast exp (within 1 ulp of Math.exp rounded to float32, ~1.4× faster).
  exp: (o, j, x, i, s, n) => {
    if (o instanceof Float32Array && j === 0 && i === 0 && s === 1) for (let k = 0; k < n; k++) o[k] = expForFloat32(x[k]);
    else if (o instanceof Float32Array) for (let k = 0; k < n; k++, i += s) o[j + k] = expForFloat32(x[i]);
    else for (let k = 0; k < n; k++, i += s) o[j + k] = Math.exp(x[i]);
  },
  log: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.log(x[i]); },
  log1p: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.log1p(x[i]); },
  expm1: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.expm1(x[i]); },
  sqrt: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.sqrt(x[i]); },
  abs: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.abs(x[i]); },
  sign: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.sign(x[i]); },
  floor: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.floor(x[i]); },
  ceil: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.ceil(x[i]); },
  trunc: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.trunc(x[i]); },
  // halves go to the even neighbour (banker's rounding), as torch.round and NumPy do; NaN and ±∞ pass through
  round: (o, j, x, i, s, n) => {
    for (let k = 0; k < n; k++, i += s) {
      const v = x[i];
      const f = Math.floor(v);
      const d = v - f;
      o[j + k] = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
    }
  },
  sin: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.sin(x[i]); },
  cos: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.cos(x[i]); },
  // relu(NaN) stays NaN: `v <= 0` is false for NaN. On float32 data (v + |v|) / 2 gives the same
  // values with no data-dependent branch, which on random signs runs twice as fast (only -∞, where
  // it would give NaN, needs the well-predicted guard; 2v cannot overflow a double).
  relu: (o, j, x, i, s, n) => {
    if (x instanceof Float32Array && j === 0 && i === 0 && s === 1) {
      // a whole dense array (the common case): plain `k` indices, as for add below
      for (let k = 0; k < n; k++) {
        let v = x[k];
        if (v < -1e38) v = 0;
        o[k] = (v + Math.abs(v)) * 0.5;
      }
    } else if (x instanceof Float32Array) {
      for (let k = 0; k < n; k++, i += s) {
        let v = x[i];
        if (v < -1e38) v = 0;
        o[j + k] = (v + Math.abs(v)) * 0.5;
      }
    } else for (let k = 0; k < n; k++, i += s) { const v = x[i]; o[j + k] = v <= 0 ? 0 : v; }
  },
  // Stable logistic: never exponentiates a positive number, so ±1000 give exactly 0 and 1.
  sigmoid: (o, j, x, i, s, n) => {
    for (let k = 0; k < n; k++, i += s) {
      const v = x[i];
      if (v >= 0) o[j + k] = 1 / (1 + Math.exp(-v));
      else { const e = Math.exp(v); o[j + k] = e / (1 + e); }
    }
  },
  tanh: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Math.tanh(x[i]); },
  erf: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = erf(x[i]); },
  erfc: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = erfc(x[i]); },
  /** x > 0 as 1/0 (the relu mask). */
  positive: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = x[i] > 0 ? 1 : 0; },
  isfinite: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = Number.isFinite(x[i]) ? 1 : 0; },
  /** clamp to [p, q]; NaN stays NaN, and a NaN bound makes every element NaN (as in PyTorch). */
  clamp: (o, j, x, i, s, n, p, q) => {
    if (Number.isNaN(p) || Number.isNaN(q)) {
      for (let k = 0; k < n; k++) o[j + k] = NaN;
      return;
    }
    for (let k = 0; k < n; k++, i += s) { const v = x[i]; o[j + k] = v < p ? p : v > q ? q : v; }
  },
  /** 1 where p <= x <= q (the clamp mask). */
  inRange: (o, j, x, i, s, n, p, q) => { for (let k = 0; k < n; k++, i += s) { const v = x[i]; o[j + k] = v >= p && v <= q ? 1 : 0; } },
  powScalar: (o, j, x, i, s, n, p) => {
    if (p === 2) for (let k = 0; k < n; k++, i += s) { const v = x[i]; o[j + k] = v * v; }
    else for (let k = 0; k < n; k++, i += s) o[j + k] = Math.pow(x[i], p);
  },
  addScalar: (o, j, x, i, s, n, p) => { for (let k = 0; k < n; k++, i += s) o[j + k] = x[i] + p; },
  mulScalar: (o, j, x, i, s, n, p) => { for (let k = 0; k < n; k++, i += s) o[j + k] = x[i] * p; },
  copy: (o, j, x, i, s, n) => { for (let k = 0; k < n; k++, i += s) o[j + k] = x[i]; },
} satisfies Record<string, UnaryRow>;

// ---- binary row functions ------------------------------------------------------------------

// add, sub, mul and div, the ops of every training step, have a third loop for whole dense arrays
// (every offset 0, unit steps): with plain `k` indices V8 drops the offset arithmetic and its
// overflow checks, which measured 1.5× faster on 2^20 floats than the offset loop; unrolled by 4
// (add, sub, mul), another 1.2×: fewer loop-condition checks per element. Runs at an offset (rows of
// a broadcast) walk the output index and reach a and b by a fixed distance from it, also unrolled.
export const BINARY = {
  add: (o, j, a, ia, sa, b, ib, sb, n) => {
    if (j === 0 && ia === 0 && ib === 0 && sa === 1 && sb === 1) {
      let k = 0;
      for (; k + 3 < n; k += 4) {
        o[k] = a[k] + b[k];
        o[k + 1] = a[k + 1] + b[k + 1];
        o[k + 2] = a[k + 2] + b[k + 2];
        o[k + 3] = a[k + 3] + b[k + 3];
      }
      for (; k < n; k++) o[k] = a[k] + b[k];
    } else if (sa === 1 && sb === 1) {
      const e = j + n, da = ia - j, db = ib - j;
      let k = j;
      for (; k + 3 < e; k += 4) {
        o[k] = a[k + da] + b[k + db];
        o[k + 1] = a[k + 1 + da] + b[k + 1 + db];
        o[k + 2] = a[k + 2 + da] + b[k + 2 + db];
        o[k + 3] = a[k + 3 + da] + b[k + 3 + db];
      }
      for (; k < e; k++) o[k] = a[k + da] + b[k + db];
    }
    else for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = a[ia] + b[ib];
  },
  sub: (o, j, a, ia, sa, b, ib, sb, n) => {
    if (j === 0 && ia === 0 && ib === 0 && sa === 1 && sb === 1) {
      let k = 0;
      for (; k + 3 < n; k += 4) {
        o[k] = a[k] - b[k];
        o[k + 1] = a[k + 1] - b[k + 1];
        o[k + 2] = a[k + 2] - b[k + 2];
        o[k + 3] = a[k + 3] - b[k + 3];
      }
      for (; k < n; k++) o[k] = a[k] - b[k];
    } else if (sa === 1 && sb === 1) {
      const e = j + n, da = ia - j, db = ib - j;
      let k = j;
      for (; k + 3 < e; k += 4) {
        o[k] = a[k + da] - b[k + db];
        o[k + 1] = a[k + 1 + da] - b[k + 1 + db];
        o[k + 2] = a[k + 2 + da] - b[k + 2 + db];
        o[k + 3] = a[k + 3 + da] - b[k + 3 + db];
      }
      for (; k < e; k++) o[k] = a[k + da] - b[k + db];
    }
    else for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = a[ia] - b[ib];
  },
  mul: (o, j, a, ia, sa, b, ib, sb, n) => {
    if (j === 0 && ia === 0 && ib === 0 && sa === 1 && sb === 1) {
      let k = 0;
      for (; k + 3 < n; k += 4) {
        o[k] = a[k] * b[k];
        o[k + 1] = a[k + 1] * b[k + 1];
        o[k + 2] = a[k + 2] * b[k + 2];
        o[k + 3] = a[k + 3] * b[k + 3];
      }
      for (; k < n; k++) o[k] = a[k] * b[k];
    } else if (sa === 1 && sb === 1) {
      const e = j + n, da = ia - j, db = ib - j;
      let k = j;
      for (; k + 3 < e; k += 4) {
        o[k] = a[k + da] * b[k + db];
        o[k + 1] = a[k + 1 + da] * b[k + 1 + db];
        o[k + 2] = a[k + 2 + da] * b[k + 2 + db];
        o[k + 3] = a[k + 3 + da] * b[k + 3 + db];
      }
      for (; k < e; k++) o[k] = a[k + da] * b[k + db];
    }
    else for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = a[ia] * b[ib];
  },
  div: (o, j, a, ia, sa, b, ib, sb, n) => {
    if (j === 0 && ia === 0 && ib === 0 && sa === 1 && sb === 1) for (let k = 0; k < n; k++) o[k] = a[k] / b[k];
    else for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = a[ia] / b[ib];
  },
  pow: (o, j, a, ia, sa, b, ib, sb, n) => {
    for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = Math.pow(a[ia], b[ib]);
  },
  // NaN propagates through maximum/minimum, as in PyTorch.
  maximum: (o, j, a, ia, sa, b, ib, sb, n) => {
    for (let k = 0; k < n; k++, ia += sa, ib += sb) { const x = a[ia], y = b[ib]; o[j + k] = x > y || x !== x ? x : y; }
  },
  minimum: (o, j, a, ia, sa, b, ib, sb, n) => {
    for (let k = 0; k < n; k++, ia += sa, ib += sb) { const x = a[ia], y = b[ib]; o[j + k] = x < y || x !== x ? x : y; }
  },
  eq: (o, j, a, ia, sa, b, ib, sb, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = a[ia] === b[ib] ? 1 : 0; },
  ne: (o, j, a, ia, sa, b, ib, sb, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = a[ia] !== b[ib] ? 1 : 0; },
  lt: (o, j, a, ia, sa, b, ib, sb, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = a[ia] < b[ib] ? 1 : 0; },
  le: (o, j, a, ia, sa, b, ib, sb, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = a[ia] <= b[ib] ? 1 : 0; },
  gt: (o, j, a, ia, sa, b, ib, sb, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = a[ia] > b[ib] ? 1 : 0; },
  ge: (o, j, a, ia, sa, b, ib, sb, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) o[j + k] = a[ia] >= b[ib] ? 1 : 0; },
  /**
   * relu's gradient in one pass: g·[x > 0] (bitwise what the tape computed as two passes before: a NaN or
   * infinite g still gives NaN where x ≤ 0, and a negative g gives −0). `+(x > 0)` turns the comparison into
   * 1 or 0 with no branch: on signs that vary at random a branch on x > 0 is mispredicted half the time,
   * which measured 4× slower on 2^18 random floats.
   */
  reluBackward: (o, j, g, ig, sg, x, ix, sx, n) => {
    if (j === 0 && ig === 0 && ix === 0 && sg === 1 && sx === 1) for (let k = 0; k < n; k++) o[k] = g[k] * +(x[k] > 0);
    else for (let k = 0; k < n; k++, ig += sg, ix += sx) o[j + k] = g[ig] * +(x[ix] > 0);
  },
} satisfies Record<string, BinaryRow>;

export type UnaryKernel = keyof typeof UNARY;
export type BinaryKernel = keyof typeof BINARY;
