// Tests for the GEMM kernel and NDArray matmul: every layout, dtype and rank rule against a plain
// float64 triple loop, plus the error messages.

import { describe, expect, it } from 'vitest';
import { allocate, type DType, type TypedArray } from '../src/tensor/dtype.js';
import { gemm, matmul } from '../src/tensor/matmul.js';
import { NDArray } from '../src/tensor/ndarray.js';
import { Generator } from '../src/tensor/random.js';

const gen = new Generator(1);

function randn(dtype: DType, n: number): TypedArray {
  return gen.fillNormal(allocate(dtype, n));
}

function randArray(shape: number[], dtype: DType = 'float32'): NDArray {
  return NDArray.fromData(randn(dtype, shape.reduce((x, y) => x * y, 1)), shape);
}

/** One strided operand as gemm sees it. */
interface Operand {
  data: TypedArray;
  off: number;
  rs: number;
  cs: number;
}

/** The naive product in float64, plus Σ|a·b| per entry (the scale a rounding error is judged by). */
function reference(m: number, n: number, k: number, A: Operand, B: Operand): { value: Float64Array; scale: Float64Array } {
  const value = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const prod = A.data[A.off + i * A.rs + p * A.cs] * B.data[B.off + p * B.rs + j * B.cs];
        s += prod;
        t += Math.abs(prod);
      }
      value[i * n + j] = s;
      scale[i * n + j] = t;
    }
  }
  return { value, scale };
}

/** Lays an r×c matrix out in a fresh buffer: row-major, transposed, or with gaps, an offset and steps. */
function layout(r: number, c: number, kind: 'rowmajor' | 'transposed' | 'strided', dtype: DType): Operand {
  if (kind === 'rowmajor') return { data: randn(dtype, r * c), off: 0, rs: c, cs: 1 };
  if (kind === 'transposed') return { data: randn(dtype, r * c), off: 0, rs: 1, cs: r };
  // every other column of a wider matrix, starting 3 elements in: like x[:, ::2] of a sliced view
  const rs = 2 * c + 5;
  return { data: randn(dtype, 3 + r * rs), off: 3, rs, cs: 2 };
}

function expectClose(got: ArrayLike<number>, at: (i: number) => number, want: Float64Array, scale: Float64Array, rtol: number): void {
  for (let i = 0; i < want.length; i++) {
    const g = got[at(i)];
    const tol = rtol * (scale[i] + Math.abs(want[i])) + 1e-30;
    if (!(Math.abs(g - want[i]) <= tol)) {
      throw new Error(`entry ${i}: got ${g}, want ${want[i]} (tolerance ${tol})`);
    }
  }
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [7, 13, 5], [4, 4, 4], [5, 3, 9], [3, 70, 20], [70, 2, 20], [1, 1, 600], [2, 9, 1],
  [17, 33, 65], [64, 10, 64], [65, 129, 300], [130, 520, 40], [66, 6, 513],
];
const KINDS = ['rowmajor', 'transposed', 'strided'] as const;

describe('gemm', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const rtol = dtype === 'float32' ? 1e-5 : 1e-12;
    it(`matches the naive product for every shape and layout (${dtype})`, () => {
      for (const [m, n, k] of SHAPES) {
        for (const ka of KINDS) {
          for (const kb of KINDS) {
            const A = layout(m, k, ka, dtype);
            const B = layout(k, n, kb, dtype);
            const { value, scale } = reference(m, n, k, A, B);
            for (const accumulate of [false, true]) {
              // C sits inside a wider buffer (ldc > n, cOff > 0) so stray writes would show up
              const ldc = n + 3;
              const cOff = 2;
              const c = allocate(dtype, cOff + m * ldc).fill(7);
              gemm(m, n, k, A.data, A.off, A.rs, A.cs, B.data, B.off, B.rs, B.cs, c, cOff, ldc, accumulate);
              const want = accumulate ? value.map((v) => v + 7) : value;
              const at = (idx: number) => cOff + Math.floor(idx / n) * ldc + (idx % n);
              try {
                expectClose(c, at, want, scale, rtol);
              } catch (e) {
                throw new Error(`m=${m} n=${n} k=${k} A ${ka} B ${kb} accumulate=${accumulate}: ${(e as Error).message}`);
              }
              for (let i = 0; i < m; i++) for (let j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
                expect(c[cOff + i * ldc + j]).toBe(7);
              }
              expect([c[0], c[1]]).toEqual([7, 7]);
            }
          }
        }
      }
    });
  }

  it('reads stride-0 (broadcast) and negative-stride operands', () => {
    const m = 9, n = 11, k = 37;
    const row = randn('float64', k);
    const A: Operand = { data: row, off: 0, rs: 0, cs: 1 }; // every row of A is `row`
    const Bdata = randn('float64', k * n);
    const B: Operand = { data: Bdata, off: (k - 1) * n + (n - 1), rs: -n, cs: -1 }; // B flipped both ways
    const { value, scale } = reference(m, n, k, A, B);
    const c = new Float64Array(m * n);
    gemm(m, n, k, A.data, A.off, A.rs, A.cs, B.data, B.off, B.rs, B.cs, c, 0, n, false);
    expectClose(c, (i) => i, value, scale, 1e-12);
    const c2 = new Float64Array(4 * 4);
    gemm(4, 4, 1, new Float64Array([2]), 0, 0, 0, new Float64Array([3]), 0, 0, 0, c2, 0, 4, false);
    expect([...c2]).toEqual(new Array(16).fill(6));
  });

  it('mixes float32 and float64 operands and output', () => {
    const m = 20, n = 24, k = 30;
    const A = layout(m, k, 'rowmajor', 'float32');
    const B = layout(k, n, 'transposed', 'float64');
    const { value, scale } = reference(m, n, k, A, B);
    for (const dtype of ['float32', 'float64'] as const) {
      const c = allocate(dtype, m * n);
      gemm(m, n, k, A.data, 0, A.rs, A.cs, B.data, 0, B.rs, B.cs, c, 0, n, false);
      expectClose(c, (i) => i, value, scale, dtype === 'float32' ? 1e-5 : 1e-12);
    }
  });

  it('handles empty dimensions', () => {
    const a = randn('float32', 12);
    const b = randn('float32', 12);
    const c = new Float32Array(12).fill(5);
    gemm(3, 4, 0, a, 0, 0, 1, b, 0, 4, 1, c, 0, 4, true); // k = 0, accumulate: unchanged
    expect([...c]).toEqual(new Array(12).fill(5));
    gemm(3, 4, 0, a, 0, 0, 1, b, 0, 4, 1, c, 0, 4, false); // k = 0: C = 0
    expect([...c]).toEqual(new Array(12).fill(0));
    c.fill(5);
    gemm(0, 4, 3, a, 0, 3, 1, b, 0, 4, 1, c, 0, 4, false);
    gemm(3, 0, 3, a, 0, 3, 1, b, 0, 4, 1, c, 0, 4, false);
    expect([...c]).toEqual(new Array(12).fill(5));
  });
});

/** torch.matmul written out directly: promote 1-D arguments, broadcast batch dims, index with get(). */
function referenceMatmul(a: NDArray, b: NDArray): { shape: number[]; values: number[] } {
  const sa = a.ndim === 1 ? [1, a.shape[0]] : [...a.shape];
  const sb = b.ndim === 1 ? [b.shape[0], 1] : [...b.shape];
  const [m, k] = sa.slice(-2);
  const n = sb[sb.length - 1];
  const ba = sa.slice(0, -2);
  const bb = sb.slice(0, -2);
  const nb = Math.max(ba.length, bb.length);
  const pad = (s: number[]) => [...new Array<number>(nb - s.length).fill(1), ...s];
  const pa = pad(ba), pb = pad(bb);
  const batch = pa.map((d, i) => (d === 1 ? pb[i] : d));
  const count = batch.reduce((x, y) => x * y, 1);
  const values: number[] = [];
  for (let t = 0; t < count; t++) {
    const idx: number[] = [];
    for (let d = nb - 1, r = t; d >= 0; d--) {
      idx[d] = r % batch[d];
      r = Math.floor(r / batch[d]);
    }
    const ia = idx.slice(nb - ba.length).map((v, d) => (ba[d] === 1 ? 0 : v));
    const ib = idx.slice(nb - bb.length).map((v, d) => (bb[d] === 1 ? 0 : v));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const x = a.ndim === 1 ? a.get([p]) : a.get([...ia, i, p]);
          const y = b.ndim === 1 ? b.get([p]) : b.get([...ib, p, j]);
          s += x * y;
        }
        values.push(s);
      }
    }
  }
  const shape = [...batch];
  if (a.ndim > 1) shape.push(m);
  if (b.ndim > 1) shape.push(n);
  return { shape, values };
}

function checkMatmul(a: NDArray, b: NDArray): NDArray {
  const out = matmul(a, b);
  const want = referenceMatmul(a, b);
  expect(out.shape).toEqual(want.shape);
  expect(out.isDense()).toBe(true);
  const got = out.values();
  expect(got.length).toBe(want.values.length);
  const tol = out.dtype === 'float32' ? 1e-5 : 1e-12;
  for (let i = 0; i < got.length; i++) {
    expect(Math.abs(got[i] - want.values[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(want.values[i])) * 10);
  }
  return out;
}

describe('matmul (torch.matmul rules)', () => {
  it('1-D · 1-D is a 0-d dot product', () => {
    const out = checkMatmul(randArray([5]), randArray([5]));
    expect(out.shape).toEqual([]);
    const x = NDArray.fromData(new Float64Array([1, 2, 3]), [3]);
    expect(matmul(x, x).toArray()).toBe(14);
  });

  it('promotes 1-D arguments and removes the added dimension', () => {
    expect(checkMatmul(randArray([3]), randArray([3, 4])).shape).toEqual([4]);
    expect(checkMatmul(randArray([2, 3]), randArray([3])).shape).toEqual([2]);
    expect(checkMatmul(randArray([2, 3]), randArray([3, 4])).shape).toEqual([2, 4]);
    expect(checkMatmul(randArray([4]), randArray([2, 4, 5])).shape).toEqual([2, 5]);
    expect(checkMatmul(randArray([2, 3, 4]), randArray([4])).shape).toEqual([2, 3]);
  });

  it('broadcasts batch dimensions', () => {
    expect(checkMatmul(randArray([2, 3, 4]), randArray([4, 5])).shape).toEqual([2, 3, 5]);
    expect(checkMatmul(randArray([3, 4]), randArray([2, 4, 5])).shape).toEqual([2, 3, 5]);
    expect(checkMatmul(randArray([2, 1, 3, 4]), randArray([5, 4, 6])).shape).toEqual([2, 5, 3, 6]);
    expect(checkMatmul(randArray([1, 6, 7]), randArray([3, 7, 9])).shape).toEqual([3, 6, 9]);
  });

  it('gives the same result when a shared B lets batches fold into one tall product', () => {
    const w = randArray([20, 9]);
    checkMatmul(randArray([4, 1, 3, 20]), w); // evenly stacked batches: folded
    checkMatmul(randArray([6, 3, 20]).slice([0, 0, 0], [6, 3, 20], [2, 1, 1]), w); // gaps between batches
    checkMatmul(randArray([5, 20, 3]).transpose(1, 2), w); // transposed rows
    checkMatmul(randArray([3, 5, 20]).transpose(0, 1), w); // batch and row dims swapped
    checkMatmul(randArray([1, 5, 20]).expand([3, 5, 20]), w); // one A for every batch
  });

  it('reads transposed, sliced and expanded views in place', () => {
    const x = randArray([9, 70]);
    const w = randArray([30, 70]);
    checkMatmul(x, w.transpose(0, 1)); // g @ Wᵀ
    checkMatmul(x.transpose(0, 1), randArray([9, 12])); // xᵀ @ g
    checkMatmul(x.transpose(0, 1).slice([1, 0], [70, 9], [3, 2]), randArray([5, 8]));
    const batched = randArray([4, 6, 5]).transpose(1, 2); // [4,5,6], last two dims transposed
    checkMatmul(batched, randArray([6, 7]));
    checkMatmul(randArray([1, 5, 6]).expand([3, 5, 6]), randArray([3, 6, 2])); // stride-0 batch
    checkMatmul(randArray([8, 8]).slice([1, 2], [8, 8], [2, 3]), randArray([2, 5]));
  });

  it('promotes dtypes', () => {
    const f32 = randArray([4, 5], 'float32');
    const f64 = randArray([5, 3], 'float64');
    expect(checkMatmul(f32, f64).dtype).toBe('float64');
    expect(checkMatmul(f64.transpose(0, 1), f32.transpose(0, 1)).dtype).toBe('float64');
    expect(checkMatmul(f32, randArray([5, 3], 'float32')).dtype).toBe('float32');
  });

  it('handles empty dimensions', () => {
    expect(checkMatmul(randArray([0, 3]), randArray([3, 4])).shape).toEqual([0, 4]);
    const zeros = checkMatmul(randArray([2, 0]), randArray([0, 3]));
    expect([...zeros.values()]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(checkMatmul(randArray([0, 2, 3]), randArray([3, 4])).shape).toEqual([0, 2, 4]);
    expect(checkMatmul(randArray([0]), randArray([0])).toArray()).toBe(0);
  });

  it('rejects 0-d arguments, mismatched inner dimensions and unbroadcastable batches', () => {
    const scalar = NDArray.fromData(new Float32Array([1]), []);
    expect(() => matmul(scalar, randArray([3]))).toThrow(
      'matmul: both arguments must be at least 1-D, got shapes [] and [3]',
    );
    expect(() => matmul(randArray([2, 3]), randArray([4, 5]))).toThrow(
      'matmul: shapes [2,3] and [4,5] cannot be multiplied (3 ≠ 4)',
    );
    expect(() => matmul(randArray([3]), randArray([4]))).toThrow(
      'matmul: shapes [3] and [4] cannot be multiplied (3 ≠ 4)',
    );
    expect(() => matmul(randArray([2, 3, 4]), randArray([3, 4, 5]))).toThrow(
      'matmul: batch shapes [2] and [3] cannot be broadcast',
    );
  });
});
