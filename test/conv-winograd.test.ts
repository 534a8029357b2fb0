// The Winograd forward (src/tensor/conv-winograd.ts, F(4×4, 3×3) and F(2×2, 5×5)) against the path it
// replaces (convTuning.winograd off: the direct kernels or the implicit GEMM) and the chunked im2col
// path: 3×3 and 5×5 kernels, paddings 0, 1, 2, asymmetric and 'same', groups, ragged output sizes and
// tile blocks, batches of 1 and several, bias or none, strided and channels-last views, float32 and
// float64; threads 1 vs 2 bitwise; which convolutions useWinograd sends to it; gradients unchanged.
// Then the Winograd weight gradient (winogradWeightGrad, convTuning.winogradGrads) the same way, against
// the path it replaces (the direct weight gradient or the implicit GEMM) and the chunked path; and the
// input gradient by the Winograd forward in transposed form (also convTuning.winogradGrads).

import { afterAll, describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { conv2dForward, conv2dInputGrad, conv2dWeightGrad, convTuning, type ConvGeometry } from '../src/tensor/conv.js';
import type { NDArray } from '../src/tensor/ndarray.js';
import { channelsLast, countRuns, rand, relErr, strided } from './conv-helpers.js';

const F = tg.nn.functional;
const CHUNKED = 1 << 19; // an explicit chunk size: the chunked im2col + matmul path


/** Calls f and returns its result and how many forwards took the Winograd kernels meanwhile. */
const counted = <T>(f: () => T): [T, number] => countRuns('winogradRuns', f);

/** f with the Winograd kernels switched off (the direct kernels or the implicit GEMM instead). */
function without<T>(f: () => T): T {
  convTuning.winograd = false;
  try {
    return f();
  } finally {
    convTuning.winograd = true;
  }
}

const geo = (padding: number[], groups: number): ConvGeometry => ({ stride: [1, 1], padding, dilation: [1, 1], groups });

// [name, padding [top, bottom, left, right]]; x is 11 × 13, so no output size is a multiple of the tile
const paddings: [string, (k: number) => number[]][] = [
  ['padding 0', () => [0, 0, 0, 0]],
  ['padding 1', () => [1, 1, 1, 1]],
  ['padding 2', () => [2, 2, 2, 2]],
  ['asymmetric padding', () => [2, 0, 1, 3]],
  ["'same'", (k) => [(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2]],
];

describe('Winograd stride-1 forward', () => {
  afterAll(async () => {
    convTuning.winograd = true;
    await tg.setNumThreads(1);
  });

  describe.each(['float64', 'float32'] as const)('%s', (dtype) => {
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;
    it.each(paddings)('%s × 3×3, 5×5 × groups 1, 2 × batch 1, 3 × bias or none × dense, strided, channels-last: matches the path it replaces', (_, pad) => {
      let seed = 1;
      for (const k of [3, 5]) {
        for (const groups of [1, 2]) {
          for (const n of [1, 3]) {
            // 4 input and 9 output channels per group (Og % 4 ≠ 0: a partial channel tile)
            const g = geo(pad(k), groups);
            const x = rand([n, 4 * groups, 11, 13], seed++, dtype);
            const w = rand([9 * groups, 4, k, k], seed++, dtype);
            const bias = rand([9 * groups], seed++, dtype);
            const ref = without(() => conv2dForward(x, w, g, undefined, bias));
            const refNoBias = without(() => conv2dForward(x, w, g));
            expect(relErr(ref, conv2dForward(x, w, g, CHUNKED, bias))).toBeLessThan(tol);
            expect((ref.shape[2] % (7 - k)) + (ref.shape[3] % (7 - k))).toBeGreaterThan(0); // a ragged tile
            for (const [xv, b] of [[x, bias], [x, null], [strided(x), bias], [channelsLast(x), null]] as const) {
              const [y, runs] = counted(() => conv2dForward(xv, w, g, undefined, b));
              expect(runs).toBe(1);
              expect(y.dtype).toBe(dtype);
              expect(relErr(y, b === null ? refNoBias : ref)).toBeLessThan(tol);
            }
          }
        }
      }
    });

    it("F.conv2d with padding 'same' and a bias, several tile blocks (81 tiles of 4 × 4, a ragged last block) and many channels", () => {
      const x = tg.randn([2, 6, 35, 35], { dtype, generator: new tg.Generator(40) });
      const w = tg.randn([10, 6, 3, 3], { dtype, generator: new tg.Generator(41) });
      const b = tg.randn([10], { dtype, generator: new tg.Generator(42) });
      const [y, runs] = counted(() => F.conv2d(x, w, b, { padding: 'same' }));
      expect(runs).toBe(1);
      expect(relErr(y.value, without(() => F.conv2d(x, w, b, { padding: 'same' })).value)).toBeLessThan(tol);
      // 64 input and 68 output channels: blocks of 52 tiles (MBUF holds 36 · 68 per tile), 64 tiles of 2 × 2
      const x2 = rand([1, 64, 16, 16], 43, dtype), w2 = rand([68, 64, 5, 5], 44, dtype);
      const g2 = geo([2, 2, 2, 2], 1);
      const [y2, runs2] = counted(() => conv2dForward(x2, w2, g2));
      expect(runs2).toBe(1);
      expect(relErr(y2, without(() => conv2dForward(x2, w2, g2)))).toBeLessThan(tol);
    });
  });

  it('float32 agrees with float64 to float32 rounding (the transforms run in float64)', () => {
    const x = rand([2, 8, 12, 12], 50, 'float64'), w = rand([16, 8, 5, 5], 51, 'float64');
    const g = geo([0, 0, 0, 0], 1);
    const y64 = conv2dForward(x, w, g);
    const [y32, runs] = counted(() => conv2dForward(x.astype('float32'), w.astype('float32'), g));
    expect(runs).toBe(1);
    expect(relErr(y32, y64)).toBeLessThan(1e-6);
  });

  it("sends LeNet's second layer and the conv suite's layer to the Winograd kernels, and not one input channel per group, small outputs, strides, dilations or other kernels", () => {
    const cases: [number[], number[], ConvGeometry, number][] = [
      // [x, w, geometry, Winograd forwards]
      [[64, 8, 12, 12], [16, 8, 5, 5], geo([0, 0, 0, 0], 1), 1], // LeNet's second layer
      [[32, 16, 32, 32], [32, 16, 3, 3], geo([1, 1, 1, 1], 1), 1], // the conv suite's layer
      [[4, 1, 28, 28], [8, 1, 5, 5], geo([0, 0, 0, 0], 1), 0], // LeNet's first layer: one input channel
      [[2, 8, 9, 9], [16, 8, 3, 3], { ...geo([1, 1, 1, 1], 1), stride: [2, 2] }, 0],
      [[2, 8, 9, 9], [16, 8, 3, 3], { ...geo([2, 2, 2, 2], 1), dilation: [2, 2] }, 0],
      [[2, 8, 9, 9], [16, 8, 3, 2], geo([1, 1, 1, 1], 1), 0],
      [[2, 8, 9, 9], [16, 8, 7, 7], geo([3, 3, 3, 3], 1), 0],
      [[2, 8, 9, 9], [8, 1, 3, 3], geo([1, 1, 1, 1], 8), 0], // depthwise: one input channel per group
      [[2, 8, 9, 9], [1, 8, 3, 3], geo([1, 1, 1, 1], 1), 1], // one output channel
      [[2, 2, 9, 9], [3, 2, 5, 5], geo([2, 2, 2, 2], 1), 1], // two input channels
      [[2, 8, 3, 3], [16, 8, 3, 3], geo([0, 0, 0, 0], 1), 0], // one output: a 4 × 4 tile for 1 × 1
      [[2, 8, 5, 5], [16, 8, 3, 3], geo([1, 1, 1, 1], 1), 0], // 5 × 5 outputs: 8 × 8 in tiles, 2.56 times the area
    ];
    for (const [xs, ws, g, expected] of cases) {
      const x = rand(xs, 60, 'float32'), w = rand(ws, 61, 'float32');
      const [y, runs] = counted(() => conv2dForward(x, w, g));
      expect(runs).toBe(expected);
      expect(relErr(y, without(() => conv2dForward(x, w, g)))).toBeLessThan(1e-5);
    }
  });

  it('NaN and ±∞ reach the outputs whose window holds them, and no others (such images and weights leave the Winograd kernels)', () => {
    const g = geo([1, 1, 1, 1], 1);
    /** The same non-finite elements in the same places, and the finite ones within 1e-11. */
    const compare = (y: NDArray, ref: NDArray): void => {
      for (let i = 0; i < ref.size; i++) {
        if (Number.isFinite(ref.data[i])) expect(Math.abs(y.data[i] - ref.data[i])).toBeLessThan(1e-11);
        else expect(Object.is(y.data[i], ref.data[i]) || (Number.isNaN(y.data[i]) && Number.isNaN(ref.data[i]))).toBe(true);
      }
    };
    for (const v of [NaN, Infinity, -Infinity]) {
      // image 1 of 3 holds v at row 3, column 4 of channel 2: inside the overlap of two tiles' inputs
      const x = rand([3, 4, 8, 8], 110, 'float64'), w = rand([8, 4, 3, 3], 111, 'float64'), b = rand([8], 112, 'float64');
      x.data[((1 * 4 + 2) * 8 + 3) * 8 + 4] = v;
      const [y, runs] = counted(() => conv2dForward(x, w, g, undefined, b));
      expect(runs).toBe(1);
      const ref = without(() => conv2dForward(x, w, g, undefined, b));
      expect(Array.from(ref.data).filter((q) => !Number.isFinite(q)).length).toBe(8 * 9); // 8 channels × a 3 × 3 window
      compare(y, ref);
      // in the weights: the forward leaves the Winograd kernels
      const x2 = rand([2, 4, 8, 8], 113, 'float64'), w2 = w.clone();
      w2.data[5] = v;
      const [y2, runs2] = counted(() => conv2dForward(x2, w2, g));
      expect(runs2).toBe(0);
      compare(y2, without(() => conv2dForward(x2, w2, g)));
    }
  });

  it('switching the Winograd forward off leaves the gradients alone: x.grad and w.grad are bitwise the same', () => {
    const run = () => {
      const x = tg.randn([3, 8, 12, 12], { dtype: 'float64', generator: new tg.Generator(70) }).requiresGrad_();
      const w = tg.randn([16, 8, 5, 5], { dtype: 'float64', generator: new tg.Generator(71) }).requiresGrad_();
      const y = F.conv2d(x, w, null);
      y.backward(tg.randn(y.shape, { dtype: 'float64', generator: new tg.Generator(72) }));
      return [x.grad!, w.grad!];
    };
    const [on, runs] = counted(run);
    expect(runs).toBe(1);
    const off = without(run);
    on.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(off[i].dataSync())));
  });

  it('with threads on (runs of whole images shared out, the transformed weights in the shared buffer) gives bitwise the one-thread results', async () => {
    // each case has at least 2^21 multiply-adds, so it runs on the threads
    const cases = [
      // [x shape, weight shape, options, dtype, x as a strided view]
      [[32, 8, 12, 12], [16, 8, 5, 5], {}, 'float32', false],
      [[16, 8, 16, 15], [18, 8, 3, 3], { padding: 1 }, 'float32', true],
      [[16, 16, 14, 13], [36, 4, 3, 3], { padding: [2, 1], groups: 4 }, 'float64', true],
      [[9, 8, 16, 16], [16, 8, 5, 5], { padding: 2 }, 'float64', false],
    ] as const;
    const run = () => cases.map(([xs, ws, opts, dtype, view], i) => {
      let x = tg.randn([...xs], { dtype, generator: new tg.Generator(80 + i) });
      if (i === 3) x.value.data[5 * 8 * 16 * 16 + 100] = NaN; // image 5 goes to the direct kernel, on whichever thread
      if (view) x = x.transpose(2, 3).contiguous().transpose(2, 3);
      const k = tg.randn([...ws], { dtype, generator: new tg.Generator(90 + i) });
      const b = tg.randn([ws[0]], { dtype, generator: new tg.Generator(100 + i) });
      const [y, runs] = counted(() => F.conv2d(x, k, b, opts));
      expect(runs).toBe(1);
      return y;
    });
    const single = run();
    await tg.setNumThreads(2);
    try {
      const threaded = run();
      threaded.forEach((t, i) => {
        expect(t.shape).toEqual(single[i].shape);
        expect(Array.from(t.dataSync())).toEqual(Array.from(single[i].dataSync()));
      });
    } finally {
      await tg.setNumThreads(1);
    }
  });
});

/** Calls f and returns its result and how many weight gradients took the Winograd kernels meanwhile. */
const countedGrad = <T>(f: () => T): [T, number] => countRuns('winogradWeightGradRuns', f);

/** f with the Winograd weight gradient switched off (the direct weight gradient or the implicit GEMM instead). */
function withoutGrads<T>(f: () => T): T {
  convTuning.winogradGrads = false;
  try {
    return f();
  } finally {
    convTuning.winogradGrads = true;
  }
}

/** ȳ's shape for x and a kernel of size k, output channels o, geometry g. */
const gyShape = (x: NDArray, o: number, k: number, g: ConvGeometry): number[] =>
  [x.shape[0], o, x.shape[2] + g.padding[0] + g.padding[1] - k + 1, x.shape[3] + g.padding[2] + g.padding[3] - k + 1];

describe('Winograd stride-1 weight gradient', () => {
  afterAll(async () => {
    convTuning.winogradGrads = true;
    await tg.setNumThreads(1);
  });
  const worst32: number[] = [];
  afterAll(() => {
    // the float32 figure reported in docs/performance.md
    console.log(`Winograd weight gradient, float32: worst relative error ${Math.max(...worst32).toExponential(2)} over ${worst32.length} comparisons`);
  });

  describe.each(['float64', 'float32'] as const)('%s', (dtype) => {
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;
    const check = (err: number): void => {
      if (dtype === 'float32') worst32.push(err);
      expect(err).toBeLessThan(tol);
    };
    it.each(paddings)('%s × 3×3, 5×5 × groups 1, 2 × batch 1, 3 × dense, strided, channels-last: matches the path it replaces and the chunked path', (_, pad) => {
      let seed = 200;
      for (const k of [3, 5]) {
        for (const groups of [1, 2]) {
          for (const n of [1, 3]) {
            // 4 input and 9 output channels per group (9 % 4 ≠ 0: a partial channel tile); x 11 × 13: ragged tiles
            const g = geo(pad(k), groups);
            const x = rand([n, 4 * groups, 11, 13], seed++, dtype);
            const gy = rand(gyShape(x, 9 * groups, k, g), seed++, dtype);
            const ref = withoutGrads(() => conv2dWeightGrad(x, gy, g, [k, k]));
            check(relErr(conv2dWeightGrad(x, gy, g, [k, k], CHUNKED), ref));
            for (const [xv, gv] of [[x, gy], [strided(x), channelsLast(gy)], [channelsLast(x), strided(gy)]]) {
              const [dw, runs] = countedGrad(() => conv2dWeightGrad(xv, gv, g, [k, k]));
              expect(runs).toBe(1);
              expect(dw.dtype).toBe(dtype);
              check(relErr(dw, ref));
            }
          }
        }
      }
    });

    it("LeNet's second layer with 20 images (blocks of 8 images' tiles), and 81 tiles per image of a 'same' 3 × 3 with 32 output channels (3 input channels: padding channels)", () => {
      const g0 = geo([0, 0, 0, 0], 1);
      const x = rand([20, 8, 12, 12], 230, dtype), gy = rand([20, 16, 8, 8], 231, dtype);
      const [dw, runs] = countedGrad(() => conv2dWeightGrad(x, gy, g0, [5, 5]));
      expect(runs).toBe(1);
      check(relErr(dw, withoutGrads(() => conv2dWeightGrad(x, gy, g0, [5, 5]))));
      const g1 = geo([1, 1, 1, 1], 1);
      const x2 = rand([2, 3, 35, 35], 232, dtype), gy2 = rand([2, 32, 35, 35], 233, dtype);
      const [dw2, runs2] = countedGrad(() => conv2dWeightGrad(x2, gy2, g1, [3, 3]));
      expect(runs2).toBe(1);
      check(relErr(dw2, withoutGrads(() => conv2dWeightGrad(x2, gy2, g1, [3, 3]))));
    });
  });

  it('through autograd: F.conv2d with a bias and groups gives the same w.grad as with the Winograd gradients off', () => {
    const run = () => {
      const x = tg.randn([3, 8, 12, 12], { dtype: 'float64', generator: new tg.Generator(240) }).requiresGrad_();
      const w = tg.randn([24, 4, 3, 3], { dtype: 'float64', generator: new tg.Generator(241) }).requiresGrad_();
      const b = tg.randn([24], { dtype: 'float64', generator: new tg.Generator(242) }).requiresGrad_();
      const y = F.conv2d(x, w, b, { padding: 'same', groups: 2 });
      y.backward(tg.randn(y.shape, { dtype: 'float64', generator: new tg.Generator(243) }));
      return w.grad!.value;
    };
    const [on, runs] = countedGrad(run);
    expect(runs).toBe(1);
    expect(relErr(on, withoutGrads(run))).toBeLessThan(1e-12);
  });

  it("takes LeNet's second layer and the conv suite's layer, and not few channels, small outputs, strides, dilations or other kernels", () => {
    const cases: [number[], number, number, ConvGeometry, number][] = [
      // [x, output channels, kernel size, geometry, Winograd weight gradients]
      [[64, 8, 12, 12], 16, 5, geo([0, 0, 0, 0], 1), 1], // LeNet's second layer
      [[32, 16, 32, 32], 32, 3, geo([1, 1, 1, 1], 1), 1], // the conv suite's layer
      [[4, 1, 28, 28], 8, 5, geo([0, 0, 0, 0], 1), 0], // LeNet's first layer: one input channel
      [[2, 2, 12, 12], 16, 5, geo([0, 0, 0, 0], 1), 0], // two input channels
      [[2, 3, 12, 12], 16, 3, geo([1, 1, 1, 1], 1), 1], // three
      [[2, 8, 12, 12], 4, 3, geo([1, 1, 1, 1], 1), 0], // four output channels
      [[2, 8, 12, 12], 8, 3, geo([1, 1, 1, 1], 1), 1], // eight
      [[2, 8, 12, 12], 16, 3, { ...geo([1, 1, 1, 1], 1), stride: [2, 2] }, 0],
      [[2, 8, 12, 12], 16, 3, { ...geo([2, 2, 2, 2], 1), dilation: [2, 2] }, 0],
      [[2, 8, 12, 12], 16, 7, geo([3, 3, 3, 3], 1), 0],
      [[2, 8, 5, 5], 16, 3, geo([1, 1, 1, 1], 1), 0], // 5 × 5 outputs: 8 × 8 in tiles, 2.56 times the area
      [[2, 16, 8, 8], 32, 3, geo([1, 1, 1, 1], 4), 1], // groups: 4 input and 8 output channels per group
      [[2, 16, 8, 8], 16, 3, geo([1, 1, 1, 1], 4), 0], // 4 input and 4 output channels per group
    ];
    for (const [xs, o, k, g, expected] of cases) {
      const x = rand(xs, 250, 'float32');
      const gy = rand([xs[0], o, ...conv2dForward(x, rand([o, xs[1] / g.groups, k, k], 251, 'float32'), g).shape.slice(2)], 252, 'float32');
      const [dw, runs] = countedGrad(() => conv2dWeightGrad(x, gy, g, [k, k]));
      expect(runs).toBe(expected);
      expect(relErr(dw, withoutGrads(() => conv2dWeightGrad(x, gy, g, [k, k])))).toBeLessThan(1e-5);
    }
  });

  it('NaN and ±∞ in x or ȳ give the same non-finite entries as the path it replaces (such calls leave the Winograd kernels)', () => {
    const g = geo([1, 1, 1, 1], 1);
    for (const v of [NaN, Infinity, -Infinity]) {
      for (const where of ['x', 'gy'] as const) {
        const x = rand([3, 4, 8, 8], 260, 'float64'), gy = rand([3, 8, 8, 8], 261, 'float64');
        // image 1, channel 2, row 3, column 4
        if (where === 'x') x.data[((1 * 4 + 2) * 8 + 3) * 8 + 4] = v;
        else gy.data[((1 * 8 + 2) * 8 + 3) * 8 + 4] = v;
        const [dw, runs] = countedGrad(() => conv2dWeightGrad(x, gy, g, [3, 3]));
        expect(runs).toBe(0);
        const ref = withoutGrads(() => conv2dWeightGrad(x, gy, g, [3, 3]));
        const bad = Array.from(ref.data).filter((q) => !Number.isFinite(q)).length;
        // x's value reaches the 8 output channels × the 9 taps of its channel; ȳ's the 4 input channels × 9 taps of its channel
        expect(bad).toBe(where === 'x' ? 8 * 9 : 4 * 9);
        for (let i = 0; i < ref.size; i++) expect(Object.is(dw.data[i], ref.data[i])).toBe(true);
      }
    }
    // and finite values still take them
    const x = rand([3, 4, 8, 8], 262, 'float64'), gy = rand([3, 8, 8, 8], 263, 'float64');
    expect(countedGrad(() => conv2dWeightGrad(x, gy, g, [3, 3]))[1]).toBe(1);
  });

  it('with threads on (runs of whole images, float64 partials in the shared buffer) gives bitwise the one-thread results', async () => {
    // each case has at least 2^21 multiply-adds, so it runs on the threads
    const cases = [
      // [x shape, output channels, kernel size, geometry, dtype, views]
      [[64, 8, 12, 12], 16, 5, geo([0, 0, 0, 0], 1), 'float32', false], // LeNet's second layer
      [[16, 8, 16, 15], 18, 3, geo([1, 1, 1, 1], 1), 'float32', true],
      [[21, 16, 14, 13], 36, 3, geo([2, 1, 1, 0], 2), 'float64', true],
      [[9, 8, 16, 16], 16, 5, geo([2, 2, 2, 2], 1), 'float64', false],
      // 128 × 128 channels: partials of 36 · 128² elements, so 14 units of 2 images (WG_MAX_PARTIALS), not 16
      [[28, 128, 4, 4], 128, 3, geo([1, 1, 1, 1], 1), 'float32', false],
    ] as const;
    const run = () => cases.map(([xs, o, k, g, dtype, view], i) => {
      const x = rand([...xs], 270 + i, dtype);
      const gy = rand(gyShape(x, o, k, g), 280 + i, dtype);
      const [dw, runs] = countedGrad(() => view ? conv2dWeightGrad(strided(x), channelsLast(gy), g, [k, k]) : conv2dWeightGrad(x, gy, g, [k, k]));
      expect(runs).toBe(1);
      return dw;
    });
    const single = run();
    // the wide case against the path it replaces
    const [xs, o, k, g] = cases[4];
    const xw = rand([...xs], 274, 'float32'), gyw = rand(gyShape(xw, o, k, g), 284, 'float32');
    expect(relErr(single[4], withoutGrads(() => conv2dWeightGrad(xw, gyw, g, [k, k])))).toBeLessThan(1e-5);
    await tg.setNumThreads(2);
    try {
      const threaded = run();
      threaded.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(single[i].data)));
    } finally {
      await tg.setNumThreads(1);
    }
  });
});

/** Calls f and returns its result and how many input gradients took the Winograd kernels meanwhile. */
const countedInput = <T>(f: () => T): [T, number] => countRuns('winogradInputGradRuns', f);

describe('Winograd stride-1 input gradient (the forward in transposed form)', () => {
  afterAll(async () => {
    convTuning.winogradGrads = true;
    convTuning.winogradGradsForced = false;
    await tg.setNumThreads(1);
  });
  const worst32: number[] = [];
  afterAll(() => {
    console.log(`Winograd input gradient, float32: worst relative error ${Math.max(...worst32).toExponential(2)} over ${worst32.length} comparisons`);
  });

  describe.each(['float64', 'float32'] as const)('%s', (dtype) => {
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;
    const check = (err: number): void => {
      if (dtype === 'float32') worst32.push(err);
      expect(err).toBeLessThan(tol);
    };
    it.each(paddings)('%s × 3×3, 5×5 × groups 1, 2 × batch 1, 3 × dense, strided, channels-last ȳ: matches the path it replaces and the chunked path', (_, pad) => {
      // the rule's work limit lifted (winogradGradsForced), so every case here takes the kernels
      convTuning.winogradGradsForced = true;
      try {
        let seed = 300;
        for (const k of [3, 5]) {
          for (const groups of [1, 2]) {
            for (const n of [1, 3]) {
              // 9 input and 4 output channels per group: x̄ 11 × 13, ragged tiles and a partial channel tile
              const g = geo(pad(k), groups);
              const x = rand([n, 9 * groups, 11, 13], seed++, dtype);
              const gy = rand(gyShape(x, 4 * groups, k, g), seed++, dtype);
              const w = rand([4 * groups, 9, k, k], seed++, dtype);
              const hw = [11, 13];
              const ref = withoutGrads(() => conv2dInputGrad(gy, w, g, hw));
              check(relErr(conv2dInputGrad(gy, w, g, hw, CHUNKED), ref));
              for (const gv of [gy, strided(gy), channelsLast(gy)]) {
                const [dx, runs] = countedInput(() => conv2dInputGrad(gv, w, g, hw));
                expect(runs).toBe(1);
                expect(dx.dtype).toBe(dtype);
                check(relErr(dx, ref));
              }
            }
          }
        }
      } finally {
        convTuning.winogradGradsForced = false;
      }
    });
  });

  it("takes the conv suite's layer, and not LeNet's second layer (ȳ mostly padding), one ȳ channel, negative ȳ padding, strides, dilations or other kernels", () => {
    const cases: [number[], number, number, ConvGeometry, number][] = [
      // [x, output channels, kernel size, geometry, Winograd input gradients]
      [[32, 16, 32, 32], 32, 3, geo([1, 1, 1, 1], 1), 1], // the conv suite's layer
      [[64, 8, 12, 12], 16, 5, geo([0, 0, 0, 0], 1), 0], // LeNet's second layer: 8 × 8 ȳ padded by 4
      [[2, 16, 24, 24], 2, 3, geo([1, 1, 1, 1], 1), 1], // two ȳ channels
      [[2, 16, 24, 24], 1, 3, geo([1, 1, 1, 1], 1), 0], // one
      [[2, 8, 16, 16], 16, 3, geo([3, 3, 3, 3], 1), 0], // padding 3 > 2: ȳ's padding negative
      [[2, 8, 16, 16], 16, 3, { ...geo([1, 1, 1, 1], 1), stride: [2, 2] }, 0],
      [[2, 8, 16, 16], 16, 3, { ...geo([2, 2, 2, 2], 1), dilation: [2, 2] }, 0],
      [[2, 8, 16, 16], 16, 7, geo([3, 3, 3, 3], 1), 0],
      [[2, 16, 16, 16], 32, 5, geo([2, 2, 2, 2], 2), 1], // groups
    ];
    for (const [xs, o, k, g, expected] of cases) {
      const x = rand(xs, 310, 'float32'), w = rand([o, xs[1] / g.groups, k, k], 311, 'float32');
      const gy = rand([xs[0], o, ...conv2dForward(x, w, g).shape.slice(2)], 312, 'float32');
      const [dx, runs] = countedInput(() => conv2dInputGrad(gy, w, g, [xs[2], xs[3]]));
      expect(runs).toBe(expected);
      expect(relErr(dx, withoutGrads(() => conv2dInputGrad(gy, w, g, [xs[2], xs[3]])))).toBeLessThan(1e-5);
    }
  });

  it('NaN and ±∞ in ȳ reach the same x̄ entries as on the path it replaces; in the weights the call leaves the Winograd kernels', () => {
    const g = geo([1, 1, 1, 1], 1);
    for (const v of [NaN, Infinity, -Infinity]) {
      const gy = rand([3, 8, 8, 8], 320, 'float64'), w = rand([8, 4, 3, 3], 321, 'float64');
      gy.data[((1 * 8 + 2) * 8 + 3) * 8 + 4] = v; // image 1, channel 2, row 3, column 4
      const [dx, runs] = countedInput(() => conv2dInputGrad(gy, w, g, [8, 8]));
      expect(runs).toBe(1);
      const ref = withoutGrads(() => conv2dInputGrad(gy, w, g, [8, 8]));
      expect(Array.from(ref.data).filter((q) => !Number.isFinite(q)).length).toBe(4 * 9); // 4 channels × a 3 × 3 window
      for (let i = 0; i < ref.size; i++) {
        if (Number.isFinite(ref.data[i])) expect(Math.abs(dx.data[i] - ref.data[i])).toBeLessThan(1e-11);
        else expect(Object.is(dx.data[i], ref.data[i]) || (Number.isNaN(dx.data[i]) && Number.isNaN(ref.data[i]))).toBe(true);
      }
      const gy2 = rand([2, 8, 8, 8], 322, 'float64'), w2 = w.clone();
      w2.data[5] = v;
      const [dx2, runs2] = countedInput(() => conv2dInputGrad(gy2, w2, g, [8, 8]));
      expect(runs2).toBe(0);
      const ref2 = withoutGrads(() => conv2dInputGrad(gy2, w2, g, [8, 8]));
      for (let i = 0; i < ref2.size; i++) expect(Object.is(dx2.data[i], ref2.data[i])).toBe(true);
    }
  });

  it('x̄ is exactly 0 where no ȳ reaches, as on the other paths (a one-hot ȳ: the transforms alone would leave residues)', () => {
    for (const k of [3, 5]) {
      const g = geo([(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2], 1);
      const gy = tg.zeros([2, 8, 13, 11], { dtype: 'float64' }).value, w = rand([8, 6, k, k], 360, 'float64');
      gy.data[((1 * 8 + 3) * 13 + 6) * 11 + 5] = 1; // image 1, channel 3, row 6, column 5
      gy.data[(0 * 8 + 1) * 13 * 11] = -2; // image 0, channel 1, the top-left corner
      const [dx, runs] = countedInput(() => conv2dInputGrad(gy, w, g, [13, 11]));
      expect(runs).toBe(1);
      const ref = withoutGrads(() => conv2dInputGrad(gy, w, g, [13, 11]));
      const zeros = (a: NDArray) => Array.from(a.data).map((v) => v === 0);
      expect(zeros(ref).filter((z) => !z).length).toBe(6 * (k * k + ((k + 1) / 2) ** 2)); // the two windows, × 6 channels
      expect(zeros(dx)).toEqual(zeros(ref));
      expect(relErr(dx, ref)).toBeLessThan(1e-12);
    }
  });

  it('with threads on gives bitwise the one-thread results', async () => {
    const cases = [
      // [x shape, output channels, kernel size, geometry, dtype, ȳ as a view]; each at least 2^21 multiply-adds
      [[32, 16, 16, 16], 32, 3, geo([1, 1, 1, 1], 1), 'float32', false],
      [[16, 8, 16, 15], 18, 5, geo([2, 2, 2, 2], 1), 'float64', true],
      [[21, 16, 14, 13], 36, 3, geo([2, 1, 1, 0], 2), 'float32', true],
    ] as const;
    const run = () => cases.map(([xs, o, k, g, dtype, view], i) => {
      const x = rand([...xs], 330 + i, dtype), w = rand([o, xs[1] / g.groups, k, k], 340 + i, dtype);
      const gy = rand(gyShape(x, o, k, g), 350 + i, dtype);
      if (i === 1) gy.data[5 * 18 * 16 * 15 + 100] = NaN; // image 5 goes to the direct kernel, on whichever thread
      const [dx, runs] = countedInput(() => conv2dInputGrad(view ? channelsLast(gy) : gy, w, g, [xs[2], xs[3]]));
      expect(runs).toBe(1);
      return dx;
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
