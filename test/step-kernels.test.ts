// The branch-free and interleaved fast paths of the CNN step's small kernels (ReLU forward and backward, the
// per-channel sums of a bias gradient) give bitwise what their plain forms give: on special values (NaN, ±∞,
// ±0), float32 and float64, dense arrays and strided views. Max pooling's 2×2 kernel is tested in
// test/images.test.ts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import type { DType, Tensor } from 'tapegrad';

const DTYPES: DType[] = ['float32', 'float64'];
/** Values that make sign tests and masks go wrong: NaN, ±∞, ±0, tiny and huge numbers of both signs. */
const SPECIAL = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 3.4e38, -3.4e38, 1.5, -2.5, 1e300, -1e300];

function expectBitwise(actual: Tensor, expected: Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  const a = actual.dataSync(), b = expected.dataSync();
  const bad = [...b].flatMap((v, i) => (Object.is(a[i], v) ? [] : [`${i}: ${a[i]} vs ${v}`])).slice(0, 5);
  expect(bad).toEqual([]);
}

/** Values for a [rows, cols] tensor: the special ones, then seeded normals. */
function values(n: number, seed: number): number[] {
  const g = new tg.Generator(seed);
  const normals = g.fillNormal(new Float64Array(n), 0, 1);
  return Array.from(normals, (v, i) => (i < SPECIAL.length ? SPECIAL[(i + seed) % SPECIAL.length] : v));
}

describe('ReLU', () => {
  it('forward: a dense array and a transposed view of it give the same values (max(x, 0), NaN stays NaN, −0 and −∞ give +0)', () => {
    for (const dtype of DTYPES) {
      const x = tg.tensor(values(6 * 7, 1), { shape: [6, 7], dtype });
      const dense = x.relu();
      const viaView = x.mT.relu().mT; // a strided read: the row function's general loop
      expectBitwise(viaView.contiguous(), dense);
      const xs = x.dataSync(), ys = dense.dataSync();
      xs.forEach((v, i) => expect(Object.is(ys[i], Number.isNaN(v) ? Number.NaN : v > 0 ? v : 0)).toBe(true));
    }
  });

  it('backward: the gradient is bitwise g·[x > 0] (NaN or ∞ in g stays NaN where x ≤ 0, a negative g gives −0), dense and strided', () => {
    for (const dtype of DTYPES) {
      for (const strided of [false, true]) {
        const x = tg.tensor(values(5 * 8, 2), { shape: [5, 8], dtype });
        const g = tg.tensor(values(5 * 8, 3), { shape: [5, 8], dtype });
        const xv = strided ? x.mT : x, gv = strided ? g.mT : g;
        const leaf = xv.detach().requiresGrad_();
        leaf.relu().backward(gv);
        expectBitwise(leaf.grad!.contiguous(), gv.mul(xv.gt(0)).contiguous());
      }
    }
  });
});

describe('sum over all axes but one (a bias gradient: Σ over N, H, W per channel)', () => {
  it('equals the sums of a permuted contiguous copy bitwise, four channels at a time and the rest one by one', () => {
    const shape = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }));
    fc.assert(fc.property(shape, fc.constantFrom(...DTYPES), fc.constantFrom('dense', 'transposed', 'broadcast'), fc.integer({ min: 0, max: 1e6 }), ([n, c, h, w], dtype, layout, seed) => {
      const g = new tg.Generator(seed);
      let x = tg.tensor(Array.from(g.fillNormal(new Float64Array(n * c * h * w), 0, 1)), { shape: [n, c, h, w], dtype });
      if (layout === 'transposed') x = x.transpose(2, 3).contiguous().transpose(2, 3); // strides of [n, c, w, h]
      if (layout === 'broadcast') x = x.slice(1, 0, 1).expand([n, c, h, w]); // stride 0 along the channels
      const copy = tg.tensor(x.permute([1, 0, 2, 3])); // [c, n, h, w], contiguous
      expectBitwise(x.sum([0, 2, 3]), copy.reshape([c, -1]).sum(1));
      expectBitwise(x.sum([0, 2, 3], true), copy.reshape([c, -1]).sum(1).reshape([1, c, 1, 1]));
    }), { numRuns: 60, seed: 2413 });
  });

  it('keeps NaN and ±∞ in their own channel', () => {
    const x = tg.zeros([2, 6, 3, 3]).contiguous();
    const v = x.dataSync() as Float32Array;
    v[1 * 9 + 4] = Number.NaN; // channel 1 of image 0
    v[6 * 9 + 3 * 9] = Infinity; // channel 3 of image 1
    v[6 * 9 + 5 * 9 + 8] = -Infinity; // channel 5 of image 1
    const s = Array.from(tg.tensor(v, { shape: [2, 6, 3, 3] }).sum([0, 2, 3]).dataSync());
    expect(s).toEqual([0, Number.NaN, 0, Infinity, 0, -Infinity]);
  });
});
