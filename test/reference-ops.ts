// Plain float64 references for the issue-11 ops (flip, tril/triu, einsum, pad, scans, sort, ...), in the style of
// reference.ts: index arithmetic over flat row-major arrays, one textbook loop each, no tapegrad.

import { type Arr, normAxis, ravel, sizeOf, unravel } from './reference.js';

/** out[idx] = x[src(idx)] over an output of `shape`: the shape of every movement reference. */
function pick(x: Arr, shape: readonly number[], src: (idx: number[]) => number[] | null, fill = 0): Arr {
  const out = new Float64Array(sizeOf(shape));
  for (let k = 0; k < out.length; k++) {
    const s = src(unravel(k, shape));
    out[k] = s === null ? fill : x.data[ravel(s, x.shape)];
  }
  return { shape: [...shape], data: out };
}

export function flip(x: Arr, dims: readonly number[]): Arr {
  const ds = dims.map((d) => normAxis(d, x.shape.length));
  return pick(x, x.shape, (idx) => idx.map((v, d) => (ds.includes(d) ? x.shape[d] - 1 - v : v)));
}

/** tril (lower) or triu of the last two dims, diagonal offset k. */
export function triangle(x: Arr, k: number, lower: boolean): Arr {
  const n = x.shape.length;
  const out = pick(x, x.shape, (idx) => idx);
  out.data.forEach((_, p) => {
    const idx = unravel(p, x.shape);
    const off = idx[n - 1] - idx[n - 2];
    if (lower ? off > k : off < k) out.data[p] = 0;
  });
  return out;
}

/** Naive einsum with an explicit output: loop over every assignment of every label. */
export function einsum(equation: string, xs: readonly Arr[]): Arr {
  const [lhs, rhs] = equation.split('->');
  const terms = lhs.split(',');
  const size = new Map<string, number>();
  terms.forEach((t, i) => [...t].forEach((c, d) => size.set(c, Math.max(size.get(c) ?? 1, xs[i].shape[d]))));
  const labels = [...size.keys()];
  const outShape = [...rhs].map((c) => size.get(c)!);
  const out = new Float64Array(sizeOf(outShape));
  const all = labels.map((c) => size.get(c)!);
  for (let k = 0; k < sizeOf(all); k++) {
    const at = unravel(k, all);
    const val = (c: string) => at[labels.indexOf(c)];
    let prod = 1;
    terms.forEach((t, i) => {
      prod *= xs[i].data[ravel([...t].map((c, d) => (xs[i].shape[d] === 1 ? 0 : val(c))), xs[i].shape)];
    });
    out[ravel([...rhs].map(val), outShape)] += prod;
  }
  return { shape: outShape, data: out };
}

/** torch.nn.functional.pad, element by element. */
export function pad(x: Arr, amounts: readonly number[], mode: string, value = 0): Arr {
  const n = x.shape.length;
  const lr = x.shape.map((_, d) => {
    const k = n - 1 - d;
    return 2 * k < amounts.length ? [amounts[2 * k], amounts[2 * k + 1]] : [0, 0];
  });
  const shape = x.shape.map((s, d) => s + lr[d][0] + lr[d][1]);
  return pick(x, shape, (idx) => {
    const src: number[] = [];
    for (let d = 0; d < n; d++) {
      const s = x.shape[d];
      let i = idx[d] - lr[d][0];
      if (i < 0 || i >= s) {
        if (mode === 'constant') return null;
        if (mode === 'replicate') i = i < 0 ? 0 : s - 1;
        else if (mode === 'circular') i = ((i % s) + s) % s;
        else i = i < 0 ? -i : 2 * (s - 1) - i;
      }
      src.push(i);
    }
    return src;
  }, value);
}

/** Round half to even, the textbook way. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export const cumsumLane = (v: number[]): number[] => { let s = 0; return v.map((x) => (s += x)); };
export const cumprodLane = (v: number[]): number[] => { let p = 1; return v.map((x) => (p *= x)); };
export const prodOf = (v: number[]): number => v.reduce((p, x) => p * x, 1);

/** The p-norm of a list of numbers, from its definition. */
export function pnorm(v: number[], p: number | 'fro'): number {
  const a = v.map(Math.abs);
  if (p === Infinity) return Math.max(...a);
  if (p === -Infinity) return Math.min(...a);
  if (p === 0) return a.filter((x) => x !== 0).length;
  const q = p === 'fro' ? 2 : p;
  return a.reduce((s, x) => s + x ** q, 0) ** (1 / q);
}

/** Positions of a lane in ascending (or descending) order, ties by position. */
export function argsortLane(v: number[], descending: boolean): number[] {
  return v.map((_, i) => i).sort((i, j) => (descending ? v[j] - v[i] : v[i] - v[j]) || i - j);
}

/** torch.Tensor.repeat, element by element: out[idx] = x[idx mod shape]. */
export function repeat(x: Arr, sizes: readonly number[]): Arr {
  const lead = sizes.length - x.shape.length;
  const shape = sizes.map((r, d) => r * (d < lead ? 1 : x.shape[d - lead]));
  return pick(x, shape, (idx) => idx.slice(lead).map((v, d) => v % x.shape[d]));
}

/** torch.roll along dims, element by element: out[i] = x[i − shift]. */
export function roll(x: Arr, shifts: readonly number[], dims: readonly number[]): Arr {
  const ds = dims.map((d) => normAxis(d, x.shape.length));
  return pick(x, x.shape, (idx) => idx.map((v, d) => {
    const k = ds.indexOf(d);
    if (k < 0) return v;
    const n = x.shape[d];
    return (((v - shifts[k]) % n) + n) % n;
  }));
}
