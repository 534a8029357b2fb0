// Tensor basics: creation, random generators, views, output, dtype promotion, broadcasting errors,
// reductions against a float64 reference, float32 sum drift, NaN propagation and scijs ndarray interop.

import { createRequire } from 'node:module';
import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';

// ndarray-ops ships no type declarations: load it through require and type the few functions used.
type Nd = ndarray.NdArray | tg.ScijsNdarray;
const ops = createRequire(import.meta.url)('ndarray-ops') as {
  addeq(a: Nd, b: Nd): void;
  mulseq(a: Nd, s: number): void;
  sum(a: Nd): number;
};

/** The elements of a tensor in row-major logical order, read one by one through its strides. */
function logical(t: tg.Tensor): number[] {
  const out: number[] = [];
  const idx = t.shape.map(() => 0);
  for (let k = 0; k < t.size; k++) {
    out.push(t.value.get(idx));
    for (let d = t.ndim - 1; d >= 0; d--) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const flat = (t: tg.Tensor): number[] => Array.from(t.value.contiguous().data);

function expectClose(actual: number[], expected: number[], tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (Number.isNaN(expected[i])) expect(a).toBeNaN();
    else if (!Number.isFinite(expected[i])) expect(a).toBe(expected[i]);
    else expect(Math.abs(a - expected[i]), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i])));
  });
}

describe('creation', () => {
  it('builds tensors from numbers, nested arrays and booleans', () => {
    const s = tg.tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.dtype).toBe('float32');
    expect(s.item()).toBe(3.5);
    const m = tg.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(m.shape).toEqual([2, 3]);
    expect(m.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tg.tensor([true, false]).toArray()).toEqual([1, 0]);
    expect(tg.tensor([]).shape).toEqual([0]);
    expect(tg.tensor([[]]).shape).toEqual([1, 0]);
    expect(tg.tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('builds tensors from typed arrays with a shape', () => {
    const f64 = tg.tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
    expect(f64.dtype).toBe('float64');
    expect(f64.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const i32 = tg.tensor(new Int32Array([1, -2, 3, 4]), { shape: [2, 2] });
    expect(i32.dtype).toBe('float32');
    expect(i32.toArray()).toEqual([[1, -2], [3, 4]]);
    const cast = tg.tensor(new Float32Array([0.5, 1.5]), { dtype: 'float64' });
    expect(cast.dtype).toBe('float64');
    expect(cast.toArray()).toEqual([0.5, 1.5]);
    expect(() => tg.tensor(new Float32Array(3), { shape: [2, 2] })).toThrow(
      'tensor: shape [2,2] needs 4 elements, the typed array has 3',
    );
  });

  it('rejects ragged and non-numeric input, naming where it went wrong', () => {
    expect(() => tg.tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array at [1]: expected length 2, got 1');
    expect(() => tg.tensor([[[1, 2], [3, 4]], [[5, 6], [7]]])).toThrow(
      'tensor: ragged nested array at [1,1]: expected length 2, got 1',
    );
    expect(() => tg.tensor([[1], 2])).toThrow('tensor: ragged nested array at [1]: expected an array of length 1');
    expect(() => tg.tensor([[1, 'a']])).toThrow('tensor: expected a number at [0,1], got string');
  });

  it('honours the dtype option and rejects unknown dtypes', () => {
    expect(tg.tensor([1, 2], { dtype: 'float64' }).dtype).toBe('float64');
    expect(tg.tensor([1, 2], { dtype: 'float64' }).value.data).toBeInstanceOf(Float64Array);
    expect(tg.tensor([1, 2]).value.data).toBeInstanceOf(Float32Array);
    expect(() => tg.tensor([1, 2], { dtype: 'int8' as tg.DType })).toThrow(
      'tensor: unknown dtype "int8" (known: float32, float64, int32)',
    );
  });

  // tensor(aTensor, { dtype }) copies into the requested dtype, as torch.tensor does
  it('tensor(aTensor, { dtype }) converts to that dtype', () => {
    expect(tg.tensor(tg.tensor([1, 2]), { dtype: 'float64' }).dtype).toBe('float64');
  });

  it('makes constant tensors: zeros, ones, full, eye', () => {
    expect(tg.zeros([2, 3]).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(tg.ones([2], { dtype: 'float64' }).value.data).toEqual(new Float64Array([1, 1]));
    expect(tg.full([2, 2], 7).toArray()).toEqual([[7, 7], [7, 7]]);
    expect(tg.full([2], NaN).toArray()).toEqual([NaN, NaN]);
    expect(tg.zeros([0, 3]).size).toBe(0);
    expect(tg.eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(tg.eye(2, 3, { dtype: 'float64' }).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(tg.eye(2, 3, { dtype: 'float64' }).dtype).toBe('float64');
    expect(tg.zeros([2, 3], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => tg.zeros([2, -1])).toThrow('invalid shape [2,-1] (dimensions must be non-negative integers)');
  });

  // shape errors name the factory the user called, not the kernel behind it
  it('a bad shape error names the function the user called', () => {
    expect(() => tg.zeros([2, -1])).toThrow('zeros: invalid shape [2,-1]');
  });

  it('makes ranges: arange and linspace', () => {
    expect(tg.arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(tg.arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(tg.arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(tg.arange(0, 1, 0.1).size).toBe(10);
    // options after any of the numbers, like torch.arange's keywords
    expect(tg.arange(3, { dtype: 'float64' }).dtype).toBe('float64');
    expect(tg.arange(2, 5, { dtype: 'float64' }).toArray()).toEqual([2, 3, 4]);
    expect(tg.arange(0, 6, 2, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(tg.arange(3, undefined, 1, { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => tg.arange(0, 1, 0)).toThrow('arange: step must be a non-zero finite number, got 0');
    expect(tg.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // the end point is exact, not start + (n-1)·step
    const l = tg.linspace(0, 0.3, 7, { dtype: 'float64' });
    expect(l.toArray()[6]).toBe(0.3);
    expect(tg.linspace(2, 3, 1).toArray()).toEqual([2]);
  });

  it('makes random tensors with the requested shape and dtype', () => {
    const u = tg.rand([3, 4]);
    expect(u.shape).toEqual([3, 4]);
    expect(u.dtype).toBe('float32');
    expect(flat(u).every((v) => v >= 0 && v < 1)).toBe(true);
    expect(tg.randn([2, 2, 2], { dtype: 'float64' }).dtype).toBe('float64');
    const r = tg.randint(-2, 3, [1000]);
    const vals = flat(r);
    expect(r.shape).toEqual([1000]);
    expect(vals.every((v) => Number.isInteger(v) && v >= -2 && v < 3)).toBe(true);
    expect(new Set(vals)).toEqual(new Set([-2, -1, 0, 1, 2]));
    expect(() => tg.randint(3, 3, [2])).toThrow('randint: need integers low < high, got low=3, high=3');
  });
});

describe('random generators', () => {
  it('tg.manualSeed(n) repeats the same stream', () => {
    tg.manualSeed(7);
    const a = flat(tg.randn([50]));
    const b = flat(tg.rand([50]));
    tg.manualSeed(7);
    expect(flat(tg.randn([50]))).toEqual(a);
    expect(flat(tg.rand([50]))).toEqual(b);
  });

  it('an explicit Generator is independent of the default one', () => {
    tg.manualSeed(3);
    const expected = flat(tg.randn([20]));
    tg.manualSeed(3);
    const g = new tg.Generator(3);
    const fromG = flat(tg.randn([20], { generator: g })); // draws from g must not advance the default
    expect(flat(tg.randn([20]))).toEqual(expected);
    expect(fromG).toEqual(expected); // same seed, same stream
    const g2 = new tg.Generator(11);
    const h2 = new tg.Generator(11);
    expect(flat(tg.rand([10], { generator: g2 }))).toEqual(flat(tg.rand([10], { generator: h2 })));
  });

  it('different seeds give different streams', () => {
    const a = flat(tg.rand([10], { generator: new tg.Generator(1) }));
    const b = flat(tg.rand([10], { generator: new tg.Generator(2) }));
    expect(a).not.toEqual(b);
    tg.manualSeed(1);
    const c = flat(tg.randn([10]));
    tg.manualSeed(2);
    expect(flat(tg.randn([10]))).not.toEqual(c);
  });

  it('randn and rand have roughly the right mean and spread (10^5 draws)', () => {
    const n = 100_000;
    const stats = (v: tg.TypedArray) => {
      let s = 0;
      for (const x of v) s += x;
      const mean = s / v.length;
      let q = 0;
      for (const x of v) q += (x - mean) ** 2;
      return { mean, std: Math.sqrt(q / (v.length - 1)) };
    };
    const normal = stats(tg.randn([n], { generator: new tg.Generator(42), dtype: 'float64' }).value.data);
    // standard error of the mean is 1/sqrt(n) ≈ 0.003; allow ~5 of them
    expect(Math.abs(normal.mean)).toBeLessThan(0.016);
    expect(Math.abs(normal.std - 1)).toBeLessThan(0.012);
    const uniform = stats(tg.rand([n], { generator: new tg.Generator(43) }).value.data);
    expect(Math.abs(uniform.mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(uniform.std - Math.sqrt(1 / 12))).toBeLessThan(0.005);
  });
});

describe('views share storage and copy nothing', () => {
  it('reshape / view / flatten of a contiguous tensor', () => {
    const x = tg.arange(24).reshape([2, 3, 4]);
    const y = x.reshape([6, 4]);
    expect(y.value.data).toBe(x.value.data);
    expect(y.value.strides).toEqual([4, 1]);
    expect(x.view([4, -1]).shape).toEqual([4, 6]);
    expect(x.flatten().value.data).toBe(x.value.data);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    x.value.data[5] = 100;
    expect(y.toArray()[1][1]).toBe(100);
  });

  it('transpose / permute swap strides', () => {
    const x = tg.arange(6).reshape([2, 3]);
    const t = x.transpose(0, 1);
    expect(t.value.data).toBe(x.value.data);
    expect(t.shape).toEqual([3, 2]);
    expect(t.value.strides).toEqual([1, 3]);
    expect(t.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.T.toArray()).toEqual(t.toArray());
    expect(x.t().value.strides).toEqual([1, 3]);
    const v = tg.arange(3);
    expect(v.t()).toBe(v); // 1-D: unchanged, as torch.Tensor.t
    expect(() => tg.zeros([2, 3, 4]).t()).toThrow(/t: expects a tensor with at most 2 dims, got shape \[2,3,4\]/);
    const p = tg.arange(24).reshape([2, 3, 4]).permute([2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.value.strides).toEqual([1, 12, 4]);
    x.value.data[1] = -1;
    expect(t.toArray()[1][0]).toBe(-1);
  });

  it('expand broadcasts with stride 0', () => {
    const x = tg.tensor([1, 2, 3]);
    const e = x.expand([4, 3]);
    expect(e.value.data).toBe(x.value.data);
    expect(e.value.strides).toEqual([0, 1]);
    expect(e.toArray()).toEqual([[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]);
    const col = tg.tensor([[1], [2]]).expand([2, 3]);
    expect(col.value.strides).toEqual([1, 0]);
    expect(col.toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    x.value.data[2] = 9;
    expect(e.toArray()[3]).toEqual([1, 2, 9]);
  });

  it('slice with a step', () => {
    const x = tg.arange(20).reshape([4, 5]);
    const s = x.slice(1, 1, null, 2); // columns 1, 3
    expect(s.value.data).toBe(x.value.data);
    expect(s.shape).toEqual([4, 2]);
    expect(s.value.strides).toEqual([5, 2]);
    expect(s.value.offset).toBe(1);
    expect(s.toArray()).toEqual([[1, 3], [6, 8], [11, 13], [16, 18]]);
    const r = x.slice(0, -2); // the last two rows
    expect(r.value.offset).toBe(10);
    expect(r.toArray()).toEqual([[10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]);
    expect(x.narrow(1, 2, 2).toArray()[0]).toEqual([2, 3]);
    x.value.data[13] = -5;
    expect(s.toArray()[2][1]).toBe(-5);
  });

  it('squeeze / unsqueeze of a contiguous tensor', () => {
    const x = tg.arange(6).reshape([2, 1, 3]);
    const s = x.squeeze();
    expect(s.shape).toEqual([2, 3]);
    expect(s.value.data).toBe(x.value.data);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3]); // a dim that is not 1 stays, as in PyTorch
    const u = s.unsqueeze(-1);
    expect(u.shape).toEqual([2, 3, 1]);
    expect(u.value.data).toBe(x.value.data);
    expect(s.unsqueeze(0).shape).toEqual([1, 2, 3]);
  });

  // squeeze/unsqueeze are views even on non-contiguous input (reshape keeps a view when strides allow)
  it('squeeze / unsqueeze of a transposed tensor are views too', () => {
    const x = tg.ones([3, 1, 4]).transpose(0, 2); // [4, 1, 3], not contiguous
    expect(x.squeeze(1).value.data).toBe(x.value.data);
    expect(x.unsqueeze(0).value.data).toBe(x.value.data);
  });

  it('views of views compose, and writes to the base show through all of them', () => {
    const base = tg.arange(24).reshape([4, 6]);
    const v = base.transpose(0, 1).slice(0, 1, 6, 2).slice(1, 1, 3); // rows 1,3,5 of the transpose; cols 1,2
    expect(v.value.data).toBe(base.value.data);
    expect(v.toArray()).toEqual([[7, 13], [9, 15], [11, 17]]);
    base.value.data[15] = 0;
    expect(v.toArray()[1][1]).toBe(0);
  });

  it('contiguous() copies a strided view into fresh row-major storage, and is free on a dense tensor', () => {
    const x = tg.arange(6).reshape([2, 3]);
    expect(x.contiguous()).toBe(x);
    const t = x.transpose(0, 1);
    const c = t.contiguous();
    expect(c.value.data).not.toBe(x.value.data);
    expect(c.value.isDense()).toBe(true);
    expect(c.value.strides).toEqual([2, 1]);
    expect(Array.from(c.value.data)).toEqual([0, 3, 1, 4, 2, 5]);
    const e = tg.tensor([1, 2]).expand([2, 2]).contiguous();
    expect(Array.from(e.value.data)).toEqual([1, 2, 1, 2]);
  });

  it('reshape of a non-contiguous tensor copies (and gets the values right)', () => {
    const t = tg.arange(6).reshape([2, 3]).transpose(0, 1);
    const r = t.reshape([6]);
    expect(r.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(r.value.data).not.toBe(t.value.data);
  });
});

describe('output', () => {
  it('toArray gives nested arrays, and a number for a scalar', () => {
    expect(tg.tensor([[1, 2], [3, 4]]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tg.tensor(2.5).toArray()).toBe(2.5);
    expect(tg.arange(8).reshape([2, 2, 2]).permute([2, 1, 0]).toArray()).toEqual([[[0, 4], [2, 6]], [[1, 5], [3, 7]]]);
  });

  it('item reads a one-element tensor and rejects others', () => {
    expect(tg.tensor([[4]]).item()).toBe(4);
    expect(tg.arange(5).slice(0, 3, 4).item()).toBe(3);
    expect(() => tg.tensor([1, 2]).item()).toThrow('item: only one-element tensors can be converted to a number, got shape [2]');
  });

  it('toString prints like PyTorch', () => {
    expect(tg.tensor([[1, 2], [3, 4.5]]).toString()).toBe('tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]])');
    expect(tg.tensor([1, 2, 3]).toString()).toBe('tensor([1., 2., 3.])');
    expect(tg.tensor([-1.5, 2, 100]).toString()).toBe('tensor([ -1.5000,   2.0000, 100.0000])');
    expect(tg.tensor(3.25).toString()).toBe('tensor(3.2500)');
    expect(tg.tensor([1.5, 2], { dtype: 'float64' }).toString()).toBe('tensor([1.5000, 2.0000], dtype=float64)');
    // (PyTorch sizes the columns from the finite values only and would print 'tensor([nan, inf, -inf, 1.])')
    expect(tg.tensor([NaN, Infinity, -Infinity, 1]).toString()).toBe('tensor([ nan,  inf, -inf,   1.])');
    expect(tg.arange(8).reshape([2, 2, 2]).toString()).toBe(
      'tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])',
    );
    expect(tg.zeros([0, 3]).toString()).toBe('tensor([], size=[0, 3])');
    expect(tg.tensor([1, 2], { requiresGrad: true }).toString()).toBe('tensor([1., 2.], requiresGrad=true)');
    expect(tg.tensor([1, 2], { requiresGrad: true }).mul(2).toString()).toBe('tensor([2., 4.], gradFn=mul)');
    expect(tg.arange(6).reshape([2, 3]).T.toString()).toBe('tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])');
  });

  // PyTorch prints scientific notation with a two-digit exponent (Python's '{:.4e}')
  it('toString uses PyTorch-style two-digit exponents in scientific mode', () => {
    expect(tg.tensor([1e-5, 1]).toString()).toBe('tensor([1.0000e-05, 1.0000e+00])');
  });

  it('toString summarises tensors of more than 1000 elements with "..."', () => {
    expect(tg.arange(2000).toString()).toBe('tensor([   0.,    1.,    2., ..., 1997., 1998., 1999.])');
    const s = tg.arange(2000).reshape([40, 50]).toString();
    const lines = s.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('tensor([[   0.,    1.,    2., ...,   47.,   48.,   49.],');
    expect(lines[3]).toBe('        ...,');
    expect(lines[6]).toBe('        [1950., 1951., 1952., ..., 1997., 1998., 1999.]])');
    // 1000 elements exactly are printed in full
    expect(tg.arange(1000).toString()).not.toContain('...');
    expect(tg.arange(2000, undefined, 1, { dtype: 'float64' }).toString()).toMatch(/\.\.\..*\], dtype=float64\)$/);
  });
});

describe('dtype promotion and broadcasting', () => {
  it('float32 op float64 gives float64, either way round', () => {
    const a = tg.tensor([1, 2]);
    const b = tg.tensor([0.5, 0.25], { dtype: 'float64' });
    expect(a.add(b).dtype).toBe('float64');
    expect(b.mul(a).dtype).toBe('float64');
    expect(a.sub(b).toArray()).toEqual([0.5, 1.75]);
    expect(a.add(1.5).dtype).toBe('float32'); // a number takes the tensor's dtype
    expect(b.add(1).dtype).toBe('float64');
    expect(tg.add(2, b).dtype).toBe('float64');
    expect(a.maximum(b).dtype).toBe('float64');
  });

  it('broadcasts NumPy-style', () => {
    const a = tg.tensor([[1], [2], [3]]);
    const b = tg.tensor([10, 20]);
    expect(a.add(b).toArray()).toEqual([[11, 21], [12, 22], [13, 23]]);
    expect(tg.ones([2, 1, 3]).mul(tg.ones([4, 1])).shape).toEqual([2, 4, 3]);
  });

  it('reports shapes that cannot be broadcast', () => {
    expect(() => tg.ones([2, 3]).add(tg.ones([4]))).toThrow(new RangeError('add: shapes [2,3] and [4] cannot be broadcast'));
    expect(() => tg.ones([2, 3]).mul(tg.ones([3, 2]))).toThrow('mul: shapes [2,3] and [3,2] cannot be broadcast');
  });
});

// ---- reductions against a float64 reference --------------------------------------------------

type Ref = (xs: number[]) => number;
const REF: Record<'sum' | 'mean' | 'max' | 'min' | 'logsumexp' | 'var', Ref> = {
  sum: (xs) => xs.reduce((a, b) => a + b, 0),
  mean: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
  max: (xs) => Math.max(...xs),
  min: (xs) => Math.min(...xs),
  logsumexp: (xs) => {
    const m = Math.max(...xs);
    return m + Math.log(xs.reduce((a, b) => a + Math.exp(b - m), 0));
  },
  var: (xs) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  },
};

/** Reduces row-major `values` of `shape` over `axes` (normalised) with f; the output is row-major too. */
function refReduce(values: number[], shape: number[], axes: number[], f: Ref): number[] {
  const buckets = new Map<number, number[]>();
  const idx = shape.map(() => 0);
  for (let k = 0; k < values.length; k++) {
    let key = 0;
    for (let d = 0; d < shape.length; d++) if (!axes.includes(d)) key = key * shape[d] + idx[d];
    if (!buckets.has(key)) buckets.set(key, []);
    buckets.get(key)!.push(values[k]);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return [...buckets.keys()].sort((a, b) => a - b).map((key) => f(buckets.get(key)!));
}

function refArgmax(values: number[], shape: number[], axis: number): number[] {
  return refReduce(values.map((v, k) => k), shape, [axis], (ks) => {
    let best = 0;
    for (let i = 1; i < ks.length; i++) if (values[ks[i]] > values[ks[best]]) best = i;
    return best;
  });
}

describe('reductions', () => {
  const shape = [3, 4, 5];
  const inputs: [string, () => tg.Tensor][] = [
    ['contiguous', () => tg.randn(shape, { generator: new tg.Generator(5), dtype: 'float64' })],
    ['transposed', () => tg.randn([5, 3, 4], { generator: new tg.Generator(6), dtype: 'float64' }).permute([1, 2, 0])],
    ['sliced', () => tg.randn([3, 8, 5], { generator: new tg.Generator(7), dtype: 'float64' }).slice(1, 1, 8, 2)],
  ];
  const axesCases: (number | number[] | undefined)[] = [undefined, 0, 1, 2, -1, -3, [0, 2], [-1, 0], [1, 2], [0, 1, 2]];
  const kinds = ['sum', 'mean', 'max', 'min', 'logsumexp', 'var'] as const;

  for (const [layout, make] of inputs) {
    for (const kind of kinds) {
      it(`${kind} on a ${layout} input over each axis set, with and without keepdims`, () => {
        const x = make();
        expect(x.shape).toEqual(shape);
        if (layout !== 'contiguous') expect(x.value.isContiguous()).toBe(false);
        const values = logical(x);
        for (const axis of axesCases) {
          const norm = axis === undefined ? [0, 1, 2] : (typeof axis === 'number' ? [axis] : axis).map((a) => (a + 3) % 3);
          const expected = refReduce(values, shape, norm, REF[kind]);
          for (const keepdims of [false, true]) {
            const y = x[kind](axis, keepdims);
            const want = keepdims ? shape.map((d, i) => (norm.includes(i) ? 1 : d)) : shape.filter((_, i) => !norm.includes(i));
            expect(y.shape, `${kind}(${JSON.stringify(axis)}, ${keepdims})`).toEqual(want);
            expectClose(flat(y), expected, 1e-12);
          }
        }
      });
    }

    it(`argmax on a ${layout} input over each axis and over all`, () => {
      const x = make();
      const values = logical(x);
      for (const axis of [0, 1, 2, -1, -2]) {
        const a = (axis + 3) % 3;
        expect(flat(x.argmax(axis))).toEqual(refArgmax(values, shape, a));
        expect(x.argmax(axis, true).shape).toEqual(shape.map((d, i) => (i === a ? 1 : d)));
      }
      expect(x.argmax().item()).toBe(values.indexOf(Math.max(...values)));
    });
  }

  it('argmax picks the first of tied maxima; float32 reductions keep float32', () => {
    const x = tg.tensor([[1, 3, 3], [4, 0, 4]]);
    expect(x.argmax(1).toArray()).toEqual([1, 0]);
    expect(x.argmax().item()).toBe(3);
    expect(x.sum().dtype).toBe('float32');
    expect(x.sum(0).toArray()).toEqual([5, 3, 7]);
    expect(x.mean(-1, true).toArray()).toEqual([[Math.fround(7 / 3)], [Math.fround(8 / 3)]]);
  });

  it('rejects out-of-range and repeated axes', () => {
    const x = tg.ones([2, 3]);
    expect(() => x.sum(2)).toThrow('sum: axis 2 is out of range for a tensor of 2 dimensions');
    expect(() => x.max([0, -2])).toThrow('max: axis 0 appears more than once');
  });
});

describe('float32 sums do not drift', () => {
  const n = 1_392_640; // 1360 · 1024
  const expectNear = (v: number, want: number) => expect(Math.abs(v - want) / want).toBeLessThanOrEqual(1e-6);

  it('sum of 1,392,640 copies of 0.1 (shape [1392640])', () => {
    const x = tg.full([n], 0.1);
    expect(x.dtype).toBe('float32');
    expectNear(x.sum().item(), 139_264);
    expectNear(x.mean().item(), 0.1);
  });

  it('the same as [1360, 1024]: over all axes, and axis 0 then all', () => {
    const x = tg.full([1360, 1024], 0.1);
    expectNear(x.sum().item(), 139_264);
    expectNear(x.sum([0, 1]).item(), 139_264);
    const cols = x.sum(0);
    expect(cols.shape).toEqual([1024]);
    expectNear(cols.value.data[0], 136);
    expectNear(cols.sum().item(), 139_264);
    expectNear(x.sum(1).sum().item(), 139_264);
    expectNear(x.transpose(0, 1).sum(1).sum().item(), 139_264);
  });
});

describe('NaN propagation in reductions and relu', () => {
  for (const pos of [0, 3, 5]) {
    it(`a NaN at position ${pos} of 6 makes max, min and sum NaN (1-D, and along either axis of 2-D)`, () => {
      const v = [1, 5, -2, 4, 0, 3];
      v[pos] = NaN;
      const x = tg.tensor(v);
      expect(x.max().item()).toBeNaN();
      expect(x.min().item()).toBeNaN();
      expect(x.sum().item()).toBeNaN();
      const m = x.reshape([2, 3]);
      const row = Math.floor(pos / 3);
      const col = pos % 3;
      for (const op of ['max', 'min', 'sum'] as const) {
        const r = flat(m[op](1));
        expect(Number.isNaN(r[row]) && !Number.isNaN(r[1 - row]), `${op}(1)`).toBe(true);
        const c = flat(m[op](0)); // reduced axis not innermost: the accumulator path
        expect(c.map((e) => Number.isNaN(e)), `${op}(0)`).toEqual([0, 1, 2].map((j) => j === col));
      }
      expect(flat(x.relu()).map((e) => Number.isNaN(e))).toEqual(v.map((e) => Number.isNaN(e)));
    });
  }
});

describe('scijs ndarray interop', () => {
  it('fromNdarray is zero-copy for contiguous Float32Array data', () => {
    const data = new Float32Array([0, 1, 2, 3, 4, 5]);
    const nd = ndarray(data, [2, 3]);
    const t = tg.fromNdarray(nd);
    expect(t.value.data).toBe(data);
    expect(t.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    data[4] = 40;
    nd.set(0, 0, -1);
    expect(t.toArray()).toEqual([[-1, 1, 2], [3, 40, 5]]);
    expect(tg.fromNdarray(ndarray(new Float64Array([1, 2]), [2])).dtype).toBe('float64');
    expect(tg.fromNdarray(nd, { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('fromNdarray reads transposed, stepped and sliced ndarrays', () => {
    const nd = ndarray(new Float32Array(Array.from({ length: 12 }, (_, i) => i)), [3, 4]);
    expect(tg.fromNdarray(nd.transpose(1, 0)).toArray()).toEqual([[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
    const stepped = nd.step(2, -1); // rows 0 and 2, columns reversed: a negative stride
    expect(stepped.stride).toEqual([8, -1]);
    expect(tg.fromNdarray(stepped).toArray()).toEqual([[3, 2, 1, 0], [11, 10, 9, 8]]);
    expect(tg.fromNdarray(nd.lo(1, 1).hi(2, 2)).toArray()).toEqual([[5, 6], [9, 10]]);
    // strided data still computes right
    expect(tg.fromNdarray(stepped).add(1).sum().item()).toBe(3 + 2 + 1 + 0 + 11 + 10 + 9 + 8 + 8);
    expect(tg.fromNdarray(nd.transpose(1, 0)).sum(1).toArray()).toEqual([12, 15, 18, 21]);
  });

  it('fromNdarray shares Int32Array storage as int32 and converts other storage (plain arrays) into float32', () => {
    const data = new Int32Array([1, 2, 3, 4]);
    const i32 = tg.fromNdarray(ndarray(data, [2, 2]).transpose(1, 0));
    expect(i32.dtype).toBe('int32');
    expect(i32.value.data).toBe(data);
    expect(i32.toArray()).toEqual([[1, 3], [2, 4]]);
    const plain = tg.fromNdarray(ndarray([1, 2, 3, 4, 5, 6], [2, 3]).step(1, -1));
    expect(plain.dtype).toBe('float32');
    expect(plain.toArray()).toEqual([[3, 2, 1], [6, 5, 4]]);
  });

  it('toNdarray shares storage, strides and offset', () => {
    const t = tg.arange(12).reshape([3, 4]).transpose(0, 1);
    const nd = t.toNdarray();
    expect(nd.data).toBe(t.value.data);
    expect(nd.shape).toEqual([4, 3]);
    expect(nd.stride).toEqual([1, 4]);
    expect(nd.get(1, 2)).toBe(9);
    const s = tg.arange(12).reshape([3, 4]).slice(1, 1, 4, 2);
    expect(s.toNdarray().offset).toBe(1);
    expect(s.toNdarray().get(2, 1)).toBe(11);
    expect(tg.tensor([1, 2, 3]).expand([2, 3]).toNdarray().stride).toEqual([0, 1]);
    // the declared type (tg.ScijsNdarray) has exactly the members of the bundled ndarray's objects
    const declared = {
      data: 1, shape: 1, stride: 1, offset: 1, dtype: 1, size: 1, order: 1, dimension: 1,
      get: 1, set: 1, index: 1, lo: 1, hi: 1, step: 1, transpose: 1, pick: 1,
    } satisfies Record<keyof tg.ScijsNdarray, 1>;
    const actual = [...Object.keys(nd), ...Object.getOwnPropertyNames(Object.getPrototypeOf(nd)).filter((k) => k !== 'constructor')];
    expect(actual.sort()).toEqual(Object.keys(declared).sort());
  });

  it('round-trips through ndarray-ops: in-place ops on the ndarray change the tensor', () => {
    const t = tg.arange(12).reshape([3, 4]).transpose(0, 1);
    const nd = t.toNdarray();
    ops.addeq(nd, ndarray(new Float32Array(12).fill(100), [4, 3]));
    expect(t.toArray()).toEqual([[100, 104, 108], [101, 105, 109], [102, 106, 110], [103, 107, 111]]);
    ops.mulseq(nd, 2);
    expect(t.sum().item()).toBe(2 * (1200 + 66));
    expect(ops.sum(tg.fromNdarray(nd).toNdarray())).toBe(t.sum().item());
  });
});

describe('dense elementwise loops', () => {
  it('add, sub, mul and div are exact for every length mod 4 (the unrolled loop and its tail)', () => {
    for (let n = 0; n <= 11; n++) {
      const a = Array.from({ length: n }, (_, i) => i * 1.5 - 3);
      const b = Array.from({ length: n }, (_, i) => 2 + i * 0.25);
      const ta = tg.tensor(a, { dtype: 'float64' }), tb = tg.tensor(b, { dtype: 'float64' });
      expect(ta.add(tb).toArray(), `add n=${n}`).toEqual(a.map((v, i) => v + b[i]));
      expect(ta.sub(tb).toArray(), `sub n=${n}`).toEqual(a.map((v, i) => v - b[i]));
      expect(ta.mul(tb).toArray(), `mul n=${n}`).toEqual(a.map((v, i) => v * b[i]));
      expect(ta.div(tb).toArray(), `div n=${n}`).toEqual(a.map((v, i) => v / b[i]));
    }
  });
});

describe('elementwise runs at an offset (broadcast rows, views)', () => {
  it('add, sub and mul of a [5, n] view and a broadcast [n] row match a plain loop, for n = 1 … 9', () => {
    for (let n = 1; n <= 9; n++) {
      const base = tg.arange(6 * n, { dtype: 'float64' }).reshape([6, n]);
      const m = base.slice(0, 1, 6); // rows 1..5: a view with a non-zero offset
      const row = tg.arange(n, { dtype: 'float64' }).mul(0.5).sub(1);
      const mv = m.toArray() as number[][], rv = row.toArray() as number[];
      expect(m.add(row).toArray(), `add n=${n}`).toEqual(mv.map((r) => r.map((v, k) => v + rv[k])));
      expect(m.sub(row).toArray(), `sub n=${n}`).toEqual(mv.map((r) => r.map((v, k) => v - rv[k])));
      expect(row.mul(m).toArray(), `mul n=${n}`).toEqual(mv.map((r) => r.map((v, k) => rv[k] * v)));
    }
  });
});
