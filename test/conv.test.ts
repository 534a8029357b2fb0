// Convolutions beyond the op table: PyTorch's values and gradients (fixtures written by
// scripts/fixtures/conv.py), the chunked im2col and its workspace bound, channels-last views,
// and fast-check properties (linear in x and in w, a one-hot kernel shifts, the transposed conv is the adjoint).

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';
import { conv2dForward, conv2dInputGrad, conv2dWeightGrad, convTuning, type ConvGeometry, planConv } from '../src/tensor/conv.js';
import { NDArray } from '../src/tensor/ndarray.js';

const F = tg.nn.functional;

interface FixArr { shape: number[]; data: number[] }
interface FixCase {
  fn: 'conv1d' | 'conv2d' | 'convTranspose1d' | 'convTranspose2d';
  options: Record<string, unknown>;
  x: FixArr; w: FixArr; b?: FixArr; y: FixArr; gy: FixArr; gx: FixArr; gw: FixArr; gb?: FixArr;
}
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/conv/conv.json', import.meta.url), 'utf8')) as { cases: FixCase[] };

const t64 = (a: FixArr, requiresGrad = false): Tensor => tg.tensor(a.data, { shape: a.shape, dtype: 'float64', requiresGrad });

function expectClose(actual: Tensor, expected: FixArr, tol: number): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const worst = expected.data.reduce((m, e, i) => Math.max(m, Math.abs(a[i] - e)), 0);
  expect(worst).toBeLessThan(tol);
}

describe('PyTorch fixtures (float64)', () => {
  it.each(fixtures.cases.map((c) => [`${c.fn} ${JSON.stringify(c.options)} x${JSON.stringify(c.x.shape)} w${JSON.stringify(c.w.shape)}`, c] as const))(
    '%s: output and every gradient', (_, c) => {
      const x = t64(c.x, true), w = t64(c.w, true), b = c.b ? t64(c.b, true) : null;
      const y = (F[c.fn] as (x: Tensor, w: Tensor, b: Tensor | null, o: object) => Tensor)(x, w, b, c.options);
      expectClose(y, c.y, 1e-10);
      y.mul(t64(c.gy)).sum().backward();
      expectClose(x.grad!, c.gx, 1e-10);
      expectClose(w.grad!, c.gw, 1e-10);
      if (b) expectClose(b.grad!, c.gb!, 1e-10);
    },
  );

  it('float32 agrees with the float64 fixtures to float32 precision', () => {
    for (const c of fixtures.cases) {
      const f = F[c.fn] as (x: Tensor, w: Tensor, b: Tensor | null, o: object) => Tensor;
      const y = f(tg.tensor(c.x.data, { shape: c.x.shape }), tg.tensor(c.w.data, { shape: c.w.shape }), c.b ? tg.tensor(c.b.data) : null, c.options);
      expect(y.dtype).toBe('float32');
      expectClose(y, c.y, 1e-4);
    }
  });
});

const geo = (o: Partial<ConvGeometry> = {}): ConvGeometry => ({ stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1, ...o });
const randArr = (shape: number[], seed: number) => tg.randn(shape, { dtype: 'float64', generator: new tg.Generator(seed) }).value;

describe('chunked im2col', () => {
  it('gives the same results with chunks of one output row as in one piece (forward bitwise; the two adjoints up to summation order)', () => {
    const g = geo({ stride: [2, 1], padding: [1, 2, 0, 1], dilation: [1, 2], groups: 2 });
    const x = randArr([3, 4, 7, 6], 1);
    const w = randArr([6, 2, 3, 2], 2);
    // an explicit chunk size takes the chunked im2col path (the default, on one thread, the implicit GEMM)
    const whole = conv2dForward(x, w, g, 1 << 19);
    const tiny = conv2dForward(x, w, g, 1); // one output row per chunk
    expect([...tiny.data]).toEqual([...whole.data]);
    const gy = randArr(whole.shape as number[], 3);
    const dxWhole = conv2dInputGrad(gy, w, g, [7, 6]);
    const dxTiny = conv2dInputGrad(gy, w, g, [7, 6], 1);
    // col2im adds a pixel's taps chunk by chunk: the same terms, in another order
    dxTiny.data.forEach((v, i) => expect(v).toBeCloseTo(dxWhole.data[i], 12));
    const dwWhole = conv2dWeightGrad(x, gy, g, [3, 2]);
    const dwTiny = conv2dWeightGrad(x, gy, g, [3, 2], 1);
    dwTiny.data.forEach((v, i) => expect(v).toBeCloseTo(dwWhole.data[i], 10));
  });

  it('the implicit GEMM (no column buffer) gives the chunked im2col results up to summation order, strided, dilated, grouped, several k-slices and panels', () => {
    // K = 30·3·3 = 270 column rows: two k-slices of the forward, 5 A blocks of the input gradient;
    // 2·9·13 = 234 positions; 20 output channels per group; the last case has 300 output channels
    // (two k-slices of the input gradient)
    const cases: [number[], number[], ConvGeometry][] = [
      [[3, 4, 7, 6], [6, 2, 3, 2], geo({ stride: [2, 1], padding: [1, 2, 0, 1], dilation: [1, 2], groups: 2 })],
      [[2, 60, 9, 13], [40, 30, 3, 3], geo({ groups: 2 })],
      [[1, 3, 40, 40], [70, 3, 2, 2], geo({ stride: [1, 1], padding: [0, 0, 0, 0] })], // 70 > 64 output rows: two A blocks; 1521 positions: 3 panels
      [[2, 2, 6, 5], [300, 2, 3, 3], geo({ stride: [2, 1], padding: [2, 1, 0, 2], dilation: [2, 1] })],
      [[5, 3, 3, 4], [4, 3, 3, 3], geo({ padding: [0, 0, 0, 0] })], // one output row of 2 per image: strips span images
      [[4, 8, 12, 12], [16, 8, 5, 5], geo({ padding: [0, 0, 0, 0] })], // LeNet's second layer: every tap inside
      [[3, 1, 12, 11], [8, 1, 5, 5], geo({ padding: [0, 0, 0, 0] })], // LeNet's first: K = 25, a last strip of one tap
      [[2, 1, 9, 8], [4, 1, 5, 5], geo({ padding: [2, 1, 2, 0] })], // the same with edges
    ];
    // stride-1 forwards and input gradients take the direct kernels (test/conv-direct.test.ts) unless
    // convTuning.direct is off: both ways
    try {
      for (const direct of [false, true]) {
        convTuning.direct = direct;
        for (const [xs, ws, g] of cases) checkImplicit(xs, ws, g);
      }
    } finally {
      convTuning.direct = true;
    }
    function checkImplicit(xs: number[], ws: number[], g: ConvGeometry): void {
      const x = randArr(xs, 11), w = randArr(ws, 12);
      const implicit = conv2dForward(x, w, g);
      const chunked = conv2dForward(x, w, g, 1 << 19);
      expect(implicit.shape).toEqual(chunked.shape);
      implicit.data.forEach((v, i) => expect(v).toBeCloseTo(chunked.data[i], 11));
      const gy = randArr(implicit.shape as number[], 13);
      const dw = conv2dWeightGrad(x, gy, g, [ws[2], ws[3]]);
      const dwChunked = conv2dWeightGrad(x, gy, g, [ws[2], ws[3]], 1 << 19);
      dw.data.forEach((v, i) => expect(v).toBeCloseTo(dwChunked.data[i], 9));
      const dx = conv2dInputGrad(gy, w, g, [xs[2], xs[3]]);
      const dxChunked = conv2dInputGrad(gy, w, g, [xs[2], xs[3]], 1 << 19);
      dx.data.forEach((v, i) => expect(v).toBeCloseTo(dxChunked.data[i], 10));
    }
  });

  it('with threads on (units of the implicit GEMM shared out) gives bitwise the one-thread results, float32 and float64', async () => {
    // each case has at least 2^21 multiply-adds, so its three kernels run on the threads
    const cases = [
      // [x shape, weight shape, options, dtype, x transposed in H and W (a non-contiguous view)]
      [[4, 16, 16, 16], [32, 16, 3, 3], { padding: 1 }, 'float64', false],
      [[24, 1, 28, 28], [8, 1, 5, 5], {}, 'float32', false], // LeNet's first layer: Og = 8, K = 25
      [[48, 8, 12, 12], [16, 8, 5, 5], {}, 'float32', true], // its second, on a transposed view
      [[12, 8, 20, 19], [16, 4, 3, 3], { padding: 2, dilation: 2, stride: [1, 2], groups: 2 }, 'float64', false],
    ] as const;
    const run = () => cases.flatMap(([xs, ws, opts, dtype, transposed], i) => {
      let x = tg.randn([...xs], { dtype, generator: new tg.Generator(30 + i) });
      if (transposed) x = x.transpose(2, 3).contiguous().transpose(2, 3);
      x.requiresGrad_();
      const k = tg.randn([...ws], { dtype, generator: new tg.Generator(40 + i) }).requiresGrad_();
      const y = F.conv2d(x, k, null, opts);
      y.mul(y).sum().backward();
      return [y, x.grad!, k.grad!];
    });
    // the implicit GEMM's units: with the direct kernels off (they take the stride-1 cases otherwise)
    convTuning.direct = false;
    try {
      const single = run();
      await tg.setNumThreads(2);
      const threaded = run();
      threaded.forEach((t, i) => {
        expect(t.shape).toEqual(single[i].shape);
        expect(Array.from(t.dataSync())).toEqual(Array.from(single[i].dataSync()));
      });
    } finally {
      convTuning.direct = true;
      await tg.setNumThreads(1);
    }
  });
  afterAll(async () => {
    convTuning.direct = true;
    await tg.setNumThreads(1);
  });

  it('plans at most 64 MB of workspace for 32 images of 320×320 with 16 channels and a 3×3 kernel (float32 and float64)', () => {
    for (const bytes of [4, 8]) {
      const p = planConv([32, 16, 320, 320], [32, 16, 3, 3], [320, 320], geo(), bytes);
      expect(p.workspaceBytes).toBeLessThanOrEqual(64 * 2 ** 20);
      expect(p.rowsPerChunk).toBeGreaterThanOrEqual(1);
      expect(p.rowsPerChunk).toBeLessThan(32 * 320); // it does chunk: the whole im2col would be 32·320·320·144 elements
    }
  });

  it('reads strided (channels-last) storage in place: an NHWC array permuted to NCHW gives the dense result', () => {
    const nhwc = tg.randn([2, 5, 6, 3], { dtype: 'float64', generator: new tg.Generator(4) });
    const nchw = nhwc.permute([0, 3, 1, 2]);
    expect(nchw.value.isContiguous()).toBe(false);
    const w = tg.randn([4, 3, 3, 3], { dtype: 'float64', generator: new tg.Generator(5) });
    const a = F.conv2d(nchw, w, null, { padding: 1 });
    const b = F.conv2d(nchw.contiguous(), w, null, { padding: 1 });
    expect([...a.dataSync()]).toEqual([...b.dataSync()]);
  });

  it('unbatched input [C, H, W] gives the batch-of-one result without the batch axis', () => {
    const x = tg.randn([2, 5, 5], { generator: new tg.Generator(6) });
    const w = tg.randn([3, 2, 3, 3], { generator: new tg.Generator(7) });
    const y = F.conv2d(x, w, null, { stride: 2 });
    expect(y.shape).toEqual([3, 2, 2]);
    expect([...y.dataSync()]).toEqual([...F.conv2d(x.unsqueeze(0), w, null, { stride: 2 }).dataSync()]);
  });
});

describe('direct weight gradient (stride 1: conv-direct.ts)', () => {
  // the direct kernel's own tests: the Winograd weight gradient (conv-winograd.ts), which would take some
  // of these shapes first, is off here (test/conv-winograd.test.ts tests it)
  beforeAll(() => {
    convTuning.winogradGrads = false;
  });
  afterAll(() => {
    convTuning.winogradGrads = true;
  });
  // x [3, 6, 10, 11] and ȳ as non-contiguous views; O = 7, 6, 2·5, 2·7 (at most 8 per group, the direct
  // kernel's domain; the last tile of output channels holds 3, 2, 1 and 3 of them); K = Cg·3·3 = 54 or 27
  // and Cg·4·4 (K mod 4 ≠ 0 for the 3 × 3 kernels); Wo = 9, 11, 13, 7
  const pads: [string, number[], number[] | ((d: number) => number[])][] = [
    ['0', [3, 3], [0, 0, 0, 0]], ['1', [3, 3], [1, 1, 1, 1]], ['2', [3, 3], [2, 2, 2, 2]],
    ['asymmetric', [3, 3], [2, 0, 1, 3]],
    // 'same' with an even kernel: PyTorch puts the odd extra at the end (d·(k − 1) in all)
    ['same, 4 × 4', [4, 4], (d: number) => [Math.floor((3 * d) / 2), 3 * d - Math.floor((3 * d) / 2), Math.floor((3 * d) / 2), 3 * d - Math.floor((3 * d) / 2)]],
  ];
  /** A [n, c, h, w] view whose last two axes are transposed in storage, at an offset into a larger array. */
  const strided = (shape: number[], seed: number, dtype: 'float32' | 'float64'): NDArray => {
    const [n, c, h, w] = shape;
    const t = tg.randn([n, c + 1, w, h], { dtype, generator: new tg.Generator(seed) }).narrow(1, 1, c).transpose(2, 3).value;
    expect(t.isContiguous()).toBe(false);
    expect(t.offset).toBeGreaterThan(0);
    return t;
  };
  const cases = pads.flatMap(([name, k, pad]) => [1, 2].flatMap((d) => [1, 2].map((groups) => {
    const g = geo({ padding: typeof pad === 'function' ? pad(d) : pad, dilation: [d, d], groups });
    const O = groups === 1 ? (d === 1 ? 7 : 6) : (d === 1 ? 10 : 14);
    return [`padding ${name}, dilation ${d}, groups ${groups}, ${O} output channels`, k, g, O] as const;
  })));

  it.each(cases)('%s: equals the chunked im2col path (float64 to 1e-12, float32 to 1e-5, relative)', (_, k, g, O) => {
    for (const dtype of ['float64', 'float32'] as const) {
      const x = strided([3, 6, 10, 11], 50, dtype);
      const w = tg.zeros([O, 6 / g.groups, k[0], k[1]], { dtype }).value;
      const yShape = conv2dForward(x, w, g).shape as number[];
      expect(yShape[3] % 4).not.toBe(0);
      const gy = strided(yShape, 51, dtype);
      const runs = convTuning.directWeightGradRuns;
      const direct = conv2dWeightGrad(x, gy, g, k);
      expect(convTuning.directWeightGradRuns - runs).toBe(1);
      const chunked = conv2dWeightGrad(x, gy, g, k, 1 << 19);
      expect(direct.shape).toEqual(chunked.shape);
      expect(direct.dtype).toBe(dtype);
      const tol = dtype === 'float64' ? 1e-12 : 1e-5;
      direct.data.forEach((v, i) => expect(Math.abs(v - chunked.data[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(chunked.data[i]))));
    }
  });

  it('odd shapes: a 1 × 1 kernel, padding past the kernel reach, dilation in one axis, height-1 (conv1d) and width-1 images, depthwise', () => {
    const cases: [number[], number[], ConvGeometry][] = [
      [[4, 6, 7, 9], [5, 6, 1, 1], geo({ padding: [0, 0, 0, 0] })],
      [[3, 2, 5, 6], [3, 2, 3, 3], geo({ padding: [3, 4, 3, 1] })],
      [[3, 4, 9, 8], [6, 2, 3, 2], geo({ padding: [1, 2, 0, 1], dilation: [2, 1], groups: 2 })],
      [[5, 3, 1, 17], [4, 3, 1, 5], geo({ padding: [0, 0, 2, 2], dilation: [1, 3] })],
      [[5, 3, 13, 1], [4, 3, 3, 1], geo({ padding: [1, 1, 0, 0] })],
      [[3, 6, 8, 9], [6, 1, 3, 3], geo({ padding: [1, 1, 1, 1], groups: 6 })], // depthwise: Og = 1, 1 × 4 tiles
      [[3, 4, 8, 9], [8, 1, 3, 2], geo({ padding: [2, 0, 1, 1], dilation: [1, 2], groups: 4 })], // Og = 2
    ];
    for (const [xs, ws, g] of cases) {
      const x = strided(xs, 58, 'float64');
      const gy = strided(conv2dForward(x, tg.zeros(ws, { dtype: 'float64' }).value, g).shape as number[], 59, 'float64');
      const runs = convTuning.directWeightGradRuns;
      const direct = conv2dWeightGrad(x, gy, g, [ws[2], ws[3]]);
      expect(convTuning.directWeightGradRuns - runs).toBe(1);
      const chunked = conv2dWeightGrad(x, gy, g, [ws[2], ws[3]], 1 << 19);
      direct.data.forEach((v, i) => expect(Math.abs(v - chunked.data[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(chunked.data[i]))));
    }
  });

  it('sums batches of several images in one tile: 150 images are 15 units of 10, each a batch of 8 and one of 2', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const g = geo({ padding: [2, 0, 1, 3], dilation: [2, 1], groups: 2 });
      const x = strided([150, 4, 6, 7], 54, dtype);
      const yShape = conv2dForward(x, tg.zeros([6, 2, 3, 3], { dtype }).value, g).shape as number[];
      const gy = strided(yShape, 55, dtype);
      const runs = convTuning.directWeightGradRuns;
      const direct = conv2dWeightGrad(x, gy, g, [3, 3]);
      expect(convTuning.directWeightGradRuns - runs).toBe(1);
      const chunked = conv2dWeightGrad(x, gy, g, [3, 3], 1 << 19);
      const tol = dtype === 'float64' ? 1e-12 : 1e-5;
      direct.data.forEach((v, i) => expect(Math.abs(v - chunked.data[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(chunked.data[i]))));
    }
  });

  it('leaves more than 8 output channels per group to the implicit GEMM (convTuning.weightGradMaxOg), and takes them when told to', () => {
    const g = geo({ padding: [1, 0, 2, 1] });
    const x = strided([5, 3, 9, 10], 56, 'float64');
    const gy = strided(conv2dForward(x, tg.zeros([9, 3, 3, 3], { dtype: 'float64' }).value, g).shape as number[], 57, 'float64');
    const chunked = conv2dWeightGrad(x, gy, g, [3, 3], 1 << 19);
    for (const maxOg of [8, 9]) {
      convTuning.weightGradMaxOg = maxOg;
      try {
        const runs = convTuning.directWeightGradRuns;
        const dw = conv2dWeightGrad(x, gy, g, [3, 3]);
        expect(convTuning.directWeightGradRuns - runs).toBe(maxOg === 9 ? 1 : 0);
        dw.data.forEach((v, i) => expect(Math.abs(v - chunked.data[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(chunked.data[i]))));
      } finally {
        convTuning.weightGradMaxOg = 8;
      }
    }
  });

  it('falls back to the implicit GEMM when one padded image does not fit the scratch, with the same sums', () => {
    const x = randArr([1, 2, 725, 725], 52); // 2 × 727² > 2^20 elements with padding 1
    const g = geo();
    const gy = randArr([1, 1, 725, 725], 53);
    const runs = convTuning.directWeightGradRuns;
    const dw = conv2dWeightGrad(x, gy, g, [3, 3]);
    expect(convTuning.directWeightGradRuns).toBe(runs);
    const chunked = conv2dWeightGrad(x, gy, g, [3, 3], 1 << 19);
    dw.data.forEach((v, i) => expect(Math.abs(v - chunked.data[i])).toBeLessThanOrEqual(1e-10 * (1 + Math.abs(chunked.data[i]))));
  });

  it('gives bitwise the same sums with two threads as with one (units are runs of whole images), float32 and float64', async () => {
    // ≥ 2^21 multiply-adds each, so the units run on the threads; 21 images: 11 units of 2 and 1
    const cases = [
      [[21, 6, 20, 18], [14, 3, 3, 3], geo({ padding: [1, 2, 0, 1], dilation: [2, 2], groups: 2 }), 'float64'],
      [[64, 1, 28, 28], [8, 1, 5, 5], geo({ padding: [0, 0, 0, 0] }), 'float32'], // LeNet's first layer
    ] as const;
    const run = () => cases.map(([xs, ws, g, dtype], i) => {
      const x = strided([...xs], 60 + i, dtype);
      const yShape = conv2dForward(x, tg.zeros([...ws], { dtype }).value, g).shape as number[];
      return conv2dWeightGrad(x, strided(yShape, 70 + i, dtype), g, [ws[2], ws[3]]);
    });
    const single = run();
    await tg.setNumThreads(2);
    try {
      const threaded = run();
      threaded.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(single[i].data)));
    } finally {
      await tg.setNumThreads(1);
    }
  });
});

// ---- properties --------------------------------------------------------------------------------

/** Random conv problems: shapes, options and float64 data that fit together. */
const convCase = fc.record({
  n: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 2 }), cg: fc.integer({ min: 1, max: 2 }), og: fc.integer({ min: 1, max: 2 }),
  kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 3, max: 7 }), w: fc.integer({ min: 3, max: 7 }),
  stride: fc.integer({ min: 1, max: 3 }), padding: fc.integer({ min: 0, max: 2 }), dilation: fc.integer({ min: 1, max: 2 }), seed: fc.integer({ min: 0, max: 1e6 }),
}).filter((c) => c.h + 2 * c.padding >= c.dilation * (c.kh - 1) + 1 && c.w + 2 * c.padding >= c.dilation * (c.kw - 1) + 1);

const RUNS = { numRuns: 40, seed: 1313 };
const close = (a: Tensor, b: Tensor, tol = 1e-10) => {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [a.dataSync(), b.dataSync()];
  x.forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThan(tol * (1 + Math.abs(y[i]))));
};

describe('fast-check properties', () => {
  it('conv2d is linear in x and in w: conv(a·x1 + x2, w) = a·conv(x1, w) + conv(x2, w), likewise in w', () => {
    fc.assert(fc.property(convCase, fc.double({ min: -2, max: 2, noNaN: true }), (c, a) => {
      const gen = new tg.Generator(c.seed);
      const xs = [c.n, c.groups * c.cg, c.h, c.w], ws = [c.groups * c.og, c.cg, c.kh, c.kw];
      const [x1, x2] = [tg.randn(xs, { dtype: 'float64', generator: gen }), tg.randn(xs, { dtype: 'float64', generator: gen })];
      const [w1, w2] = [tg.randn(ws, { dtype: 'float64', generator: gen }), tg.randn(ws, { dtype: 'float64', generator: gen })];
      const o = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
      close(F.conv2d(x1.mul(a).add(x2), w1, null, o), F.conv2d(x1, w1, null, o).mul(a).add(F.conv2d(x2, w1, null, o)));
      close(F.conv2d(x1, w1.mul(a).add(w2), null, o), F.conv2d(x1, w1, null, o).mul(a).add(F.conv2d(x1, w2, null, o)));
    }), RUNS);
  });

  it('a one-hot kernel shifts the image: tap (ky, kx) with padding p reads x[oy + ky − p, ox + kx − p]', () => {
    fc.assert(fc.property(convCase, (c) => {
      const gen = new tg.Generator(c.seed);
      const x = tg.randn([1, 1, c.h, c.w], { dtype: 'float64', generator: gen });
      const ky = c.seed % c.kh, kx = (c.seed >> 3) % c.kw;
      const w = tg.zeros([1, 1, c.kh, c.kw], { dtype: 'float64' });
      w.value.data[ky * c.kw + kx] = 1;
      const y = F.conv2d(x, w, null, { padding: c.padding });
      const [Ho, Wo] = y.shape.slice(2);
      const xd = x.dataSync(), yd = y.dataSync();
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0; ox < Wo; ox++) {
          const iy = oy + ky - c.padding, ix = ox + kx - c.padding;
          const want = iy >= 0 && iy < c.h && ix >= 0 && ix < c.w ? xd[iy * c.w + ix] : 0;
          expect(yd[oy * Wo + ox]).toBe(want);
        }
      }
    }), RUNS);
  });

  it('the transposed convolution is the adjoint: ⟨conv(x, w), y⟩ = ⟨x, convT(y, w)⟩', () => {
    fc.assert(fc.property(convCase, (c) => {
      const gen = new tg.Generator(c.seed);
      const x = tg.randn([c.n, c.groups * c.cg, c.h, c.w], { dtype: 'float64', generator: gen });
      const w = tg.randn([c.groups * c.og, c.cg, c.kh, c.kw], { dtype: 'float64', generator: gen });
      const o = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups };
      const cx = F.conv2d(x, w, null, o);
      const y = tg.randn(cx.shape, { dtype: 'float64', generator: gen });
      // the output padding that maps back to exactly x's size
      const outputPadding = [2, 3].map((ax) => x.shape[ax] - ((cx.shape[ax] - 1) * c.stride - 2 * c.padding + c.dilation * ((ax === 2 ? c.kh : c.kw) - 1) + 1));
      const ty = F.convTranspose2d(y, w, null, { ...o, outputPadding });
      expect(ty.shape).toEqual(x.shape);
      const lhs = cx.mul(y).sum().item(), rhs = x.mul(ty).sum().item();
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * (1 + Math.abs(lhs)));
    }), RUNS);
  });

  it('conv1d equals conv2d on a height-1 image', () => {
    fc.assert(fc.property(convCase, (c) => {
      const gen = new tg.Generator(c.seed);
      const x = tg.randn([c.n, c.groups * c.cg, c.w], { dtype: 'float64', generator: gen });
      const w = tg.randn([c.groups * c.og, c.cg, c.kw], { dtype: 'float64', generator: gen });
      const y1 = F.conv1d(x, w, null, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
      const y2 = F.conv2d(x.unsqueeze(2), w.unsqueeze(2), null, { stride: [1, c.stride], padding: [0, c.padding], dilation: [1, c.dilation], groups: c.groups });
      expect([...y1.dataSync()]).toEqual([...y2.squeeze(2).dataSync()]);
    }), RUNS);
  });
});

describe('bad input', () => {
  it('names the op and the shapes for 1-D mistakes too', () => {
    expect(() => F.conv1d(tg.zeros([1, 3, 8]), tg.zeros([4, 2, 3]))).toThrow(/^conv1d: given groups=1, weight of size \[4,2,3\], expected input \[1,3,8\] to have 2 channels, but got 3 channels/);
    expect(() => F.conv1d(tg.zeros([1, 2, 2]), tg.zeros([4, 2, 3]))).toThrow(/^conv1d: padded input size per channel \[2\] is smaller than the \(dilated\) kernel size \[3\]/);
    expect(() => F.conv1d(tg.zeros([1, 2, 8]), tg.zeros([4, 2, 3]), null, { dilation: 0 })).toThrow(/^conv1d: dilation must be a positive integer/);
    expect(() => F.convTranspose2d(tg.zeros([1, 3, 4, 4]), tg.zeros([2, 2, 3, 3]))).toThrow(/^convTranspose2d: .*expected input \[1,3,4,4\] to have 2 channels, but got 3/);
    expect(() => F.convTranspose2d(tg.zeros([1, 2, 4, 4]), tg.zeros([2, 2, 3, 3]), null, { stride: 2, outputPadding: 2 })).toThrow(/^convTranspose2d: outputPadding \[2,2\] must be smaller than either stride \[2,2\] or dilation \[1,1\]/);
  });

  it('leaves NDArray inputs of a failed kernel call untouched (a 3-D array is rejected before any work)', () => {
    const x = new NDArray(new Float64Array(8), [2, 2, 2]);
    expect(() => conv2dForward(x, x, geo())).toThrow(/^conv2d: expected 4-D arrays, got \[2,2,2\] and \[2,2,2\]/);
  });
});
