// NDArray: a strided view {data, shape, strides, offset} onto a flat typed array.
// View operations (reshape, permute, expand, slice, squeeze, unsqueeze) are O(ndim) and copy nothing.

import { allocate, dtypeOf, type DType, type TypedArray } from './dtype.js';
import { claim } from './storage.js';
import {
  checkShape,
  contiguousStrides,
  fmtShape,
  inferShape,
  normAxis,
  type Shape,
  sizeOf,
} from './shape.js';

/**
 * The plain strided array under every Tensor (`tensor.value`): a flat typed array plus shape, strides and offset.
 * It has no autograd; view operations (reshape, permute, transpose, expand, slice, squeeze, unsqueeze) copy nothing.
 * @example
 * ```ts
 * const a = new tg.NDArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * a.transpose(0, 1).shape; // [3, 2], sharing a's data
 * new tg.Tensor(a).sum().item(); // 21
 * ```
 */
export class NDArray {
  /** The flat storage, possibly shared with other views. */
  readonly data: TypedArray;
  /** The size of each dimension. */
  readonly shape: readonly number[];
  /** How many storage elements to step for +1 along each dimension (0 for broadcast dims). */
  readonly strides: readonly number[];
  /** The storage index of the first element. */
  readonly offset: number;
  /** The number of elements (the product of the shape). */
  readonly size: number;
  /**
   * @internal The caching allocator's note on `data` (src/tensor/storage.ts): its bits (issued there, held by a
   * tensor, shared) on the array that wrapped `data` first; on a view made by the methods below, that array.
   */
  _own: number | NDArray;

  /**
   * A view of `data`. Throws a RangeError unless the shape has non-negative integer dims, the strides (one per dim,
   * any sign) and the offset are integers, and every element the view can reach lies inside `data`.
   */
  constructor(data: TypedArray, shape: Shape, strides?: Shape, offset = 0) {
    this.data = data;
    this.shape = shape as number[];
    this.strides = (strides ?? contiguousStrides(shape)) as number[];
    this.offset = offset;
    this.size = sizeOf(shape);
    checkView(shape, this.strides, offset, data.length, 'NDArray');
    this._own = claim(data);
  }

  /** A view of this array's storage, sharing its allocator bits (a tensor on each makes the storage shared). */
  private view(shape: Shape, strides: Shape | undefined, offset: number): NDArray {
    const out = new NDArray(this.data, shape, strides, offset);
    out._own = typeof this._own === 'number' ? this : this._own;
    return out;
  }

  /** 'float32' or 'float64', from the storage's type. */
  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /** The number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** A fresh zero-filled contiguous array. */
  static zeros(shape: Shape, dtype: DType = 'float32'): NDArray {
    checkShape(shape, 'zeros');
    return new NDArray(allocate(dtype, sizeOf(shape)), shape);
  }

  /** Wraps a typed array as a contiguous array of the given shape (no copy). */
  static fromData(data: TypedArray, shape: Shape): NDArray {
    return new NDArray(data, shape);
  }

  /** True when the elements are laid out row-major with no gaps (size-1 dims may have any stride). */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i];
      if (d !== 1 && this.strides[i] !== expected) return false;
      expected *= d;
    }
    return true;
  }

  /** True when this view covers exactly its whole buffer in row-major order. */
  isDense(): boolean {
    return this.offset === 0 && this.data.length === this.size && this.isContiguous();
  }

  /** The element at a multi-index (slow; for tests and printing). */
  get(index: readonly number[]): number {
    let p = this.offset;
    for (let i = 0; i < index.length; i++) p += index[i] * this.strides[i];
    return this.data[p];
  }

  /** A contiguous copy (or this array itself when it is already dense). */
  contiguous(): NDArray {
    if (this.isDense()) return this;
    const out = allocate(this.dtype, this.size);
    copyInto(this, out, 0);
    return new NDArray(out, this.shape);
  }

  /** The elements in row-major order as a typed array that may alias this array's storage. */
  values(): TypedArray {
    if (this.isContiguous()) {
      return this.offset === 0 && this.data.length === this.size
        ? this.data
        : this.data.subarray(this.offset, this.offset + this.size);
    }
    return this.contiguous().data;
  }

  /** Copies to a new dense array of the given dtype. */
  astype(dtype: DType): NDArray {
    const out = allocate(dtype, this.size);
    copyInto(this, out, 0);
    return new NDArray(out, this.shape);
  }

  /** A dense copy with its own storage. */
  clone(): NDArray {
    return this.astype(this.dtype);
  }

  /** A view when the strides allow it (always for contiguous arrays, squeeze and unsqueeze), else a copy. */
  reshape(shape: Shape): NDArray {
    const target = inferShape(shape, this.size, 'reshape', this.shape);
    if (this.isContiguous()) return this.view(target, undefined, this.offset);
    const strides = viewStrides(this.shape, this.strides, target);
    if (strides) return this.view(target, strides, this.offset);
    return this.contiguous().reshape(target);
  }

  /** A view with the dims reordered: output dim i is input dim `dims[i]`. Throws a RangeError for a wrong or repeated dim. */
  permute(dims: readonly number[]): NDArray {
    const n = this.ndim;
    if (dims.length !== n) {
      throw new RangeError(`permute: expected ${n} dims for shape ${fmtShape(this.shape)}, got [${dims.join(',')}]`);
    }
    const seen = new Array<boolean>(n).fill(false);
    const shape = new Array<number>(n);
    const strides = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const d = normAxis(dims[i], n, 'permute');
      if (seen[d]) throw new RangeError(`permute: dims [${dims.join(',')}] repeat axis ${d}`);
      seen[d] = true;
      shape[i] = this.shape[d];
      strides[i] = this.strides[d];
    }
    return this.view(shape, strides, this.offset);
  }

  /** A view with two dims swapped. */
  transpose(dim0: number, dim1: number): NDArray {
    const n = this.ndim;
    const a = normAxis(dim0, n, 'transpose');
    const b = normAxis(dim1, n, 'transpose');
    const dims = new Array<number>(n);
    for (let i = 0; i < n; i++) dims[i] = i;
    dims[a] = b;
    dims[b] = a;
    return this.permute(dims);
  }

  /** Broadcast view: size-1 (or missing leading) dims get stride 0. */
  expand(shape: Shape): NDArray {
    const n = shape.length;
    if (n < this.ndim) {
      throw new RangeError(`expand: cannot expand shape ${fmtShape(this.shape)} to ${fmtShape(shape)}`);
    }
    const strides = new Array<number>(n);
    const out = new Array<number>(n);
    const lead = n - this.ndim;
    for (let i = 0; i < n; i++) {
      const want = shape[i];
      if (i < lead) {
        if (want < 0) throw new RangeError(`expand: cannot expand shape ${fmtShape(this.shape)} to ${fmtShape(shape)}`);
        out[i] = want;
        strides[i] = 0;
        continue;
      }
      const have = this.shape[i - lead];
      if (want === -1 || want === have) {
        out[i] = have;
        strides[i] = this.strides[i - lead];
      } else if (have === 1 && want >= 0) {
        out[i] = want;
        strides[i] = 0;
      } else {
        throw new RangeError(`expand: cannot expand shape ${fmtShape(this.shape)} to ${fmtShape(shape)}`);
      }
    }
    return this.view(out, strides, this.offset);
  }

  /** Basic slicing per axis: start (inclusive), end (exclusive), step > 0; already-normalised values. */
  slice(starts: readonly number[], ends: readonly number[], steps: readonly number[]): NDArray {
    const shape = new Array<number>(this.ndim);
    const strides = new Array<number>(this.ndim);
    let offset = this.offset;
    for (let i = 0; i < this.ndim; i++) {
      const len = Math.max(0, Math.ceil((ends[i] - starts[i]) / steps[i]));
      shape[i] = len;
      strides[i] = this.strides[i] * steps[i];
      if (len > 0) offset += starts[i] * this.strides[i];
    }
    return this.view(shape, strides, offset);
  }

  /** A view without size-1 dims (only the listed ones, when `axes` is given). */
  squeeze(axes?: readonly number[]): NDArray {
    const keep = (i: number) => (axes ? !axes.includes(i) || this.shape[i] !== 1 : this.shape[i] !== 1);
    const shape: number[] = [];
    const strides: number[] = [];
    for (let i = 0; i < this.ndim; i++) {
      if (keep(i)) {
        shape.push(this.shape[i]);
        strides.push(this.strides[i]);
      }
    }
    return this.view(shape, strides, this.offset);
  }

  /** A view with a size-1 dim inserted at `axis`. */
  unsqueeze(axis: number): NDArray {
    const a = normAxis(axis, this.ndim + 1, 'unsqueeze');
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape.splice(a, 0, 1);
    strides.splice(a, 0, a < this.ndim ? this.strides[a] * this.shape[a] : 1);
    return this.view(shape, strides, this.offset);
  }

  /** Nested JS arrays (a number for a 0-d array). */
  toArray(): unknown {
    const v = this.values();
    if (this.ndim === 0) return v[0];
    const build = (dim: number, base: number): unknown[] => {
      const n = this.shape[dim];
      const out = new Array<unknown>(n);
      if (dim === this.ndim - 1) {
        for (let i = 0; i < n; i++) out[i] = v[base + i];
      } else {
        const step = sizeOf(this.shape.slice(dim + 1));
        for (let i = 0; i < n; i++) out[i] = build(dim + 1, base + i * step);
      }
      return out;
    };
    return build(0, 0);
  }
}

/**
 * The invariant every NDArray keeps (checked in O(ndim) when one is made): integer shape, strides and offset,
 * and the lowest and highest storage index the view can reach both inside the buffer. Kernels rely on it,
 * so a hand-made view (`new tg.NDArray(...)`, `tg.fromNdarray`) can never read outside its storage.
 */
export function checkView(shape: Shape, strides: Shape, offset: number, length: number, op: string): void {
  if (strides.length !== shape.length) {
    throw new RangeError(`${op}: ${strides.length} strides for shape ${fmtShape(shape)} (need one per dimension)`);
  }
  if (!Number.isSafeInteger(offset)) throw new RangeError(`${op}: offset must be an integer, got ${offset}`);
  let lo = offset;
  let hi = offset;
  let size = 1;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    const st = strides[d];
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${op}: invalid shape ${fmtShape(shape)} (dimensions must be non-negative integers)`);
    if (!Number.isSafeInteger(st)) throw new RangeError(`${op}: strides [${strides.join(',')}] must be integers`);
    size *= n;
    if (st > 0) hi += (n - 1) * st;
    else lo += (n - 1) * st;
  }
  if (size > 0 && (lo < 0 || hi >= length)) {
    throw new RangeError(
      `${op}: a view with shape ${fmtShape(shape)}, strides [${strides.join(',')}] and offset ${offset} reaches storage ` +
        `indices ${lo}..${hi}, outside its buffer of ${length} elements`,
    );
  }
}

/**
 * Strides that let `newShape` view the same elements as (shape, strides), or null when a copy is
 * needed. Groups of old dims are matched with groups of new dims of equal size; a group can be
 * split or merged without copying only if its old dims are contiguous with each other.
 */
function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  if (sizeOf(shape) === 0) return null;
  const od: number[] = [];
  const os: number[] = [];
  shape.forEach((d, i) => { if (d !== 1) { od.push(d); os.push(strides[i]); } });
  const out = new Array<number>(newShape.length);
  let oi = 0;
  let ni = 0;
  while (ni < newShape.length && oi < od.length) {
    if (newShape[ni] === 1) { out[ni++] = 0; continue; }
    let oj = oi + 1;
    let nj = ni + 1;
    let op = od[oi];
    let np = newShape[ni];
    while (np !== op) {
      if (np < op) np *= newShape[nj++];
      else op *= od[oj++];
    }
    for (let k = oi; k < oj - 1; k++) if (os[k] !== od[k + 1] * os[k + 1]) return null;
    out[nj - 1] = os[oj - 1];
    for (let k = nj - 1; k > ni; k--) out[k - 1] = out[k] * newShape[k];
    ni = nj;
    oi = oj;
  }
  for (; ni < newShape.length; ni++) out[ni] = 0; // trailing size-1 dims: any stride will do
  return out;
}

/**
 * Copies a strided view into `out` (row-major) starting at `outOffset`.
 * The one strided walk every kernel can fall back on: precomputed pointer steps, no allocation per element.
 */
export function copyInto(src: NDArray, out: TypedArray, outOffset: number): void {
  const { data, shape, strides } = src;
  const n = src.size;
  if (n === 0) return;
  const nd = shape.length;
  if (src.isContiguous()) {
    const start = src.offset;
    if (data.constructor === out.constructor) (out as Float32Array).set(data.subarray(start, start + n) as Float32Array, outOffset);
    else for (let i = 0; i < n; i++) out[outOffset + i] = data[start + i];
    return;
  }
  if (nd === 0) {
    out[outOffset] = data[src.offset];
    return;
  }
  const last = nd - 1;
  const inner = shape[last];
  const innerStride = strides[last];
  const rows = n / inner;
  const idx = new Array<number>(nd).fill(0);
  let p = src.offset;
  let o = outOffset;
  for (let r = 0; r < rows; r++) {
    for (let j = 0, q = p; j < inner; j++, q += innerStride) out[o++] = data[q];
    // advance the outer multi-index (odometer), updating p by precomputed steps
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++;
      p += strides[d];
      if (idx[d] < shape[d]) break;
      p -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}
