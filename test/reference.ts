// Plain float64 reference implementations for the op table (test/optable.ts): row-major flat arrays
// plus shapes, naive loops, no tapegrad. Written for obviousness, not speed: each is the textbook formula.

/** A dense row-major float64 array. */
export interface Arr {
  shape: number[];
  data: Float64Array;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

export function arr(shape: readonly number[], data: ArrayLike<number>): Arr {
  if (data.length !== sizeOf(shape)) throw new Error(`reference: shape [${shape}] needs ${sizeOf(shape)} values, got ${data.length}`);
  return { shape: [...shape], data: Float64Array.from(data) };
}

export const scalarArr = (v: number): Arr => arr([], [v]);

/** The multi-index of flat position k. */
export function unravel(k: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return idx;
}

/** The flat position of a multi-index. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let k = 0;
  for (let d = 0; d < shape.length; d++) k = k * shape[d] + idx[d];
  return k;
}

export const normAxis = (a: number, ndim: number): number => (a < 0 ? a + ndim : a);

/** All axes when undefined; negatives normalised; sorted. */
export function normAxes(axis: number | number[] | undefined, ndim: number): number[] {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  return (typeof axis === 'number' ? [axis] : axis).map((a) => normAxis(a, ndim)).sort((a, b) => a - b);
}

// ---- broadcasting and elementwise maps -----------------------------------------------------------

export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const n = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = i < n - s.length ? 1 : s[i - (n - s.length)];
      if (v !== 1) {
        if (d !== 1 && d !== v) throw new Error(`reference: cannot broadcast [${shapes.join('] and [')}]`);
        d = v;
      }
    }
    out.push(d);
  }
  return out;
}

/** The element of x read at output multi-index `idx` under broadcasting. */
function readBroadcast(x: Arr, idx: readonly number[]): number {
  const lead = idx.length - x.shape.length;
  let k = 0;
  for (let d = 0; d < x.shape.length; d++) k = k * x.shape[d] + (x.shape[d] === 1 ? 0 : idx[lead + d]);
  return x.data[k];
}

export function broadcastTo(x: Arr, shape: readonly number[]): Arr {
  return mapN([x], (v) => v, shape);
}

/** out[i] = f(x0[i], x1[i], ...) with NumPy broadcasting. */
export function mapN(xs: readonly Arr[], f: (...v: number[]) => number, shape: readonly number[] = broadcastShape(...xs.map((x) => x.shape))): Arr {
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const idx = unravel(k, shape);
    out[k] = f(...xs.map((x) => readBroadcast(x, idx)));
  }
  return { shape: [...shape], data: out };
}

export const map = (x: Arr, f: (v: number) => number): Arr => mapN([x], f);
export const zip = (a: Arr, b: Arr, f: (a: number, b: number) => number): Arr => mapN([a, b], f);

/** Sums a broadcast result back to `shape` (what the gradient of a broadcast operand must be). */
export function sumTo(x: Arr, shape: readonly number[]): Arr {
  const out = new Float64Array(sizeOf(shape));
  for (let k = 0; k < x.data.length; k++) {
    const idx = unravel(k, x.shape);
    out[ravel(idx.slice(idx.length - shape.length).map((v, d) => (shape[d] === 1 ? 0 : v)), shape)] += x.data[k];
  }
  return { shape: [...shape], data: out };
}

// ---- reductions ------------------------------------------------------------------------------

/** Groups the elements by their index outside `axes` and reduces each group with f. */
export function reduceLanes(x: Arr, axis: number | number[] | undefined, keepdims: boolean, f: (vals: number[]) => number): Arr {
  const axes = normAxes(axis, x.shape.length);
  const outShape = x.shape.flatMap((d, i) => (axes.includes(i) ? (keepdims ? [1] : []) : [d]));
  const keptShape = x.shape.filter((_, i) => !axes.includes(i));
  const groups: number[][] = Array.from({ length: sizeOf(keptShape) }, () => []);
  for (let k = 0; k < x.data.length; k++) {
    const idx = unravel(k, x.shape).filter((_, i) => !axes.includes(i));
    groups[ravel(idx, keptShape)].push(x.data[k]);
  }
  return { shape: outShape, data: Float64Array.from(groups.map(f)) };
}

/** Replaces each 1-D lane along `axis` by f(lane) (same length). */
export function mapLanes(x: Arr, axis: number, f: (lane: number[]) => number[]): Arr {
  const a = normAxis(axis, x.shape.length);
  const out = new Float64Array(x.data.length);
  for (let k = 0; k < x.data.length; k++) {
    const idx = unravel(k, x.shape);
    if (idx[a] !== 0) continue;
    const positions = Array.from({ length: x.shape[a] }, (_, j) => ravel(idx.map((v, d) => (d === a ? j : v)), x.shape));
    const lane = f(positions.map((p) => x.data[p]));
    positions.forEach((p, j) => { out[p] = lane[j]; });
  }
  return { shape: [...x.shape], data: out };
}

export const sumOf = (v: readonly number[]): number => v.reduce((s, x) => s + x, 0);
export const meanOf = (v: readonly number[]): number => sumOf(v) / v.length;
export const maxOf = (v: readonly number[]): number => Math.max(...v);
export const minOf = (v: readonly number[]): number => Math.min(...v);
export const logSumExpOf = (v: readonly number[]): number => {
  const m = maxOf(v);
  return m + Math.log(sumOf(v.map((x) => Math.exp(x - m))));
};
/** Sample variance (Bessel's correction), two-pass. */
export const varOf = (v: readonly number[]): number => {
  const m = meanOf(v);
  return sumOf(v.map((x) => (x - m) * (x - m))) / (v.length - 1);
};
export const softmaxOf = (v: readonly number[]): number[] => {
  const m = maxOf(v);
  const e = v.map((x) => Math.exp(x - m));
  const s = sumOf(e);
  return e.map((x) => x / s);
};
export const logSoftmaxOf = (v: readonly number[]): number[] => {
  const l = logSumExpOf(v);
  return v.map((x) => x - l);
};

// ---- linear algebra --------------------------------------------------------------------------

/** torch.matmul semantics: 1-D operands promoted then squeezed, batch dims broadcast. */
export function matmul(a: Arr, b: Arr): Arr {
  const a2 = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
  const b2 = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
  const [m, k] = a2.slice(-2);
  const [k2, n] = b2.slice(-2);
  if (k !== k2) throw new Error('reference matmul: inner dims differ');
  const batch = broadcastShape(a2.slice(0, -2), b2.slice(0, -2));
  const A = { shape: a2, data: a.data };
  const B = { shape: b2, data: b.data };
  const full = [...batch, m, n];
  const out = new Float64Array(sizeOf(full));
  for (let p = 0; p < out.length; p++) {
    const idx = unravel(p, full);
    const [i, j] = idx.slice(-2);
    const bi = idx.slice(0, -2);
    let s = 0;
    for (let t = 0; t < k; t++) s += readBroadcast(A, [...bi, i, t]) * readBroadcast(B, [...bi, t, j]);
    out[p] = s;
  }
  let shape = full;
  if (a.shape.length === 1) shape = shape.filter((_, d) => d !== shape.length - 2);
  if (b.shape.length === 1) shape = shape.slice(0, -1);
  return { shape, data: out };
}

// ---- movement --------------------------------------------------------------------------------

export function reshape(x: Arr, shape: readonly number[]): Arr {
  const known = sizeOf(shape.filter((d) => d !== -1));
  return { shape: shape.map((d) => (d === -1 ? x.data.length / known : d)), data: x.data.slice() };
}

export function permute(x: Arr, dims: readonly number[]): Arr {
  const nd = x.shape.length;
  const p = dims.map((d) => normAxis(d, nd));
  const shape = p.map((d) => x.shape[d]);
  const out = new Float64Array(x.data.length);
  for (let k = 0; k < out.length; k++) {
    const idx = unravel(k, shape);
    const src = new Array<number>(nd);
    p.forEach((d, i) => { src[d] = idx[i]; });
    out[k] = x.data[ravel(src, x.shape)];
  }
  return { shape, data: out };
}

export function transpose(x: Arr, d0: number, d1: number): Arr {
  const dims = x.shape.map((_, i) => i);
  const a = normAxis(d0, x.shape.length);
  const b = normAxis(d1, x.shape.length);
  [dims[a], dims[b]] = [dims[b], dims[a]];
  return permute(x, dims);
}

/** Python slicing x[start:end:step] along one dim (step > 0). */
export function slice(x: Arr, dim: number, start: number | null, end: number | null, step = 1): Arr {
  const d = normAxis(dim, x.shape.length);
  const n = x.shape[d];
  const fix = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const picks: number[] = [];
  for (let i = start === null ? 0 : fix(start); i < (end === null ? n : fix(end)); i += step) picks.push(i);
  return indexSelect(x, d, picks);
}

/** Whole slices along `axis` picked by integer indices. */
export function indexSelect(x: Arr, axis: number, picks: readonly number[]): Arr {
  const a = normAxis(axis, x.shape.length);
  const shape = x.shape.map((d, i) => (i === a ? picks.length : d));
  const out = new Float64Array(sizeOf(shape));
  for (let k = 0; k < out.length; k++) {
    const idx = unravel(k, shape);
    idx[a] = picks[idx[a]];
    out[k] = x.data[ravel(idx, x.shape)];
  }
  return { shape, data: out };
}

export function concat(xs: readonly Arr[], axis: number): Arr {
  const a = normAxis(axis, xs[0].shape.length);
  const shape = [...xs[0].shape];
  shape[a] = sumOf(xs.map((x) => x.shape[a]));
  const out = new Float64Array(sizeOf(shape));
  for (let k = 0; k < out.length; k++) {
    const idx = unravel(k, shape);
    let j = 0;
    while (idx[a] >= xs[j].shape[a]) idx[a] -= xs[j++].shape[a];
    out[k] = xs[j].data[ravel(idx, xs[j].shape)];
  }
  return { shape, data: out };
}

export function stack(xs: readonly Arr[], axis: number): Arr {
  const a = normAxis(axis, xs[0].shape.length + 1);
  return concat(xs.map((x) => ({ shape: [...x.shape.slice(0, a), 1, ...x.shape.slice(a)], data: x.data })), a);
}

/** torch.gather: out[i][j] = x[index[i][j]][j] for axis 0, and so on. */
export function gather(x: Arr, axis: number, index: Arr): Arr {
  const a = normAxis(axis, x.shape.length);
  const out = new Float64Array(index.data.length);
  for (let k = 0; k < out.length; k++) {
    const idx = unravel(k, index.shape);
    idx[a] = index.data[k];
    out[k] = x.data[ravel(idx, x.shape)];
  }
  return { shape: [...index.shape], data: out };
}

// ---- losses (input [N, C] or as stated) ----------------------------------------------------------

export const reduceLoss = (losses: Arr, reduction: 'mean' | 'sum' | 'none'): Arr =>
  reduction === 'none' ? losses : scalarArr(reduction === 'sum' ? sumOf([...losses.data]) : meanOf([...losses.data]));

/** Rows of a [N, C] array (or one row for [C]). */
export function rows(x: Arr): number[][] {
  const c = x.shape[x.shape.length - 1];
  const out: number[][] = [];
  for (let i = 0; i < x.data.length; i += c) out.push([...x.data.subarray(i, i + c)]);
  return out;
}

/** Cross-entropy per row against class indices, with label smoothing eps (PyTorch's definition). */
export function crossEntropyIndex(logits: Arr, labels: readonly number[], eps: number): number[] {
  return rows(logits).map((row, i) => {
    const lp = logSoftmaxOf(row);
    return -(1 - eps) * lp[labels[i]] - (eps * sumOf(lp)) / row.length;
  });
}

/** Cross-entropy per row against class probabilities, smoothed toward uniform by eps. */
export function crossEntropyProbs(logits: Arr, target: Arr, eps: number): number[] {
  const t = rows(target);
  return rows(logits).map((row, i) => {
    const lp = logSoftmaxOf(row);
    return -sumOf(lp.map((l, j) => ((1 - eps) * t[i][j] + eps / row.length) * l));
  });
}

export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
