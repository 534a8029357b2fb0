// The direct stride-1 kernels (src/tensor/conv-direct.ts): the forward and the input gradient against
// the chunked im2col path (an explicit chunk size) and the implicit GEMM (convTuning.direct off), over
// padding × dilation × groups with ragged output rows (Wo % 4 ≠ 0) and channel blocks (O % 4 ≠ 0),
// float32 and float64, strided views, with and without bias; the fallbacks; threads 1 vs 2 bitwise.
// The Winograd forward and input gradient (test/conv-winograd.test.ts) are switched off here, so the
// forwards and input gradients meant for the direct kernels reach them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { conv2dForward, conv2dInputGrad, convTuning, type ConvGeometry } from '../src/tensor/conv.js';
import { countRuns, rand, relErr, strided } from './conv-helpers.js';

const F = tg.nn.functional;
const CHUNKED = 1 << 19; // an explicit chunk size: the chunked im2col + matmul path


/** Calls f and returns its result and how many convolutions took the direct kernels meanwhile. */
const counted = <T>(f: () => T): [T, number] => countRuns('directRuns', f);

const geo = (padding: number[], dilation: number[], groups: number): ConvGeometry => ({ stride: [1, 1], padding, dilation, groups });

// [name, padding [top, bottom, left, right], kernel [kh, kw]]: 'same' with an even kernel is PyTorch's
// split of dilation·(k − 1), the extra row / column after
const paddings: [string, (d: number) => number[], number[]][] = [
  ['padding 0', () => [0, 0, 0, 0], [3, 3]],
  ['padding 1', () => [1, 1, 1, 1], [3, 3]],
  ['padding 2', () => [2, 2, 2, 2], [3, 3]],
  ['asymmetric padding', () => [2, 0, 1, 3], [3, 2]],
  ["'same', even kernel", (d) => [Math.floor((3 * d) / 2), 3 * d - Math.floor((3 * d) / 2), Math.floor(d / 2), d - Math.floor(d / 2)], [4, 2]],
];

describe('direct stride-1 convolution', () => {
  beforeAll(() => {
    convTuning.winograd = false;
    convTuning.winogradGrads = false;
  });
  afterAll(async () => {
    convTuning.direct = true;
    convTuning.winograd = true;
    convTuning.winogradGrads = true;
    await tg.setNumThreads(1);
  });

  describe.each(['float64', 'float32'] as const)('%s', (dtype) => {
    const tol = dtype === 'float64' ? 1e-13 : 2e-6;
    it.each(paddings)('%s × dilation 1, 2 × groups 1, 2 × bias or none: forward and input gradient match the chunked path and the implicit GEMM', (_, pad, [kh, kw]) => {
      let seed = 100;
      for (const dil of [1, 2]) {
        for (const groups of [1, 2]) {
          // 4 input and 6 output channels (3 per group with two groups: O % 4 ≠ 0); 35 columns, so Wo % 4 ≠ 0
          // (and the tiles' wasted columns few enough for the direct kernels to be chosen)
          const g = geo(pad(dil), [dil, dil], groups);
          const x = rand([2, 4, 6, 35], seed++, dtype);
          const w = rand([6, 4 / groups, kh, kw], seed++, dtype);
          const bias = rand([6, 1, 1, 1], seed++, dtype).reshape([6]);
          const ref = conv2dForward(x, w, g, CHUNKED, bias);
          expect(ref.shape[3] % 4).not.toBe(0);
          for (const [xv, b] of [[x, bias], [strided(x), null]] as const) {
            const [y, runs] = counted(() => conv2dForward(xv, w, g, undefined, b));
            expect(runs).toBe(1);
            expect(relErr(y, b === null ? conv2dForward(x, w, g, CHUNKED) : ref)).toBeLessThan(tol);
          }
          const gy = rand(ref.shape as number[], seed++, dtype);
          const dxRef = conv2dInputGrad(gy, w, g, [6, 35], CHUNKED);
          for (const gyv of [gy, strided(gy)]) {
            const [dx, runs] = counted(() => conv2dInputGrad(gyv, w, g, [6, 35]));
            expect(runs).toBe(1);
            expect(relErr(dx, dxRef)).toBeLessThan(tol);
          }
          // the implicit GEMM, which the direct kernels replace for stride 1, agrees as well
          convTuning.direct = false;
          try {
            const [y, runs] = counted(() => conv2dForward(x, w, g, undefined, bias));
            expect(runs).toBe(0);
            expect(relErr(y, ref)).toBeLessThan(tol);
            expect(relErr(conv2dInputGrad(gy, w, g, [6, 35]), dxRef)).toBeLessThan(tol);
          } finally {
            convTuning.direct = true;
          }
        }
      }
    });
  });

  it('several blocks of packed weights (120 output channels of K = 576), several channel tiles and rows, and a channels-last view', () => {
    const g = geo([1, 0, 2, 1], [1, 1], 1);
    const x = rand([2, 64, 5, 7], 1, 'float64'), w = rand([120, 64, 3, 3], 2, 'float64'), bias = rand([120, 1, 1, 1], 3, 'float64').reshape([120]);
    const ref = conv2dForward(x, w, g, CHUNKED, bias);
    const nhwc = x.permute([0, 2, 3, 1]).contiguous().permute([0, 3, 1, 2]);
    const [y, runs] = counted(() => conv2dForward(nhwc, w, g, undefined, bias));
    expect(runs).toBe(1);
    expect(relErr(y, ref)).toBeLessThan(1e-13);
    // the input gradient: 120 channels of ȳ reduced, 64 made
    const gy = rand(ref.shape as number[], 4, 'float64');
    const [dx, runsDx] = counted(() => conv2dInputGrad(gy, w, g, [5, 7]));
    expect(runsDx).toBe(1);
    expect(relErr(dx, conv2dInputGrad(gy, w, g, [5, 7], CHUNKED))).toBeLessThan(1e-13);
  });

  it('falls back to the implicit GEMM for strides, images too large for the scratch and padding beyond the kernel, with the same results', () => {
    const cases: [number[], number[], ConvGeometry, number, number][] = [
      // [x, w, geometry, direct forwards, direct input gradients]
      [[2, 3, 9, 8], [4, 3, 3, 3], { ...geo([1, 1, 1, 1], [1, 1], 1), stride: [2, 1] }, 0, 0],
      [[1, 2, 725, 725], [2, 2, 1, 1], geo([0, 0, 0, 0], [1, 1], 1), 0, 0], // 2·725² > 2^20 scratch elements
      [[2, 3, 6, 29], [4, 3, 3, 3], geo([3, 1, 0, 0], [1, 1], 1), 1, 0], // ȳ would need a negative padding on top
      [[2, 3, 6, 7], [4, 3, 3, 3], geo([0, 0, 0, 0], [1, 1], 1), 0, 0], // 5 columns in 8 of tiles: more work than the GEMM
      [[2, 3, 8, 8], [4, 3, 5, 5], geo([0, 0, 0, 0], [1, 1], 1), 1, 0], // 4 × 4 ȳ padded by 4 (LeNet's second layer's case)
    ];
    for (const [xs, ws, g, fwd, bwd] of cases) {
      const x = rand(xs, 5, 'float64'), w = rand(ws, 6, 'float64');
      const [y, runs] = counted(() => conv2dForward(x, w, g));
      expect(runs).toBe(fwd);
      expect(relErr(y, conv2dForward(x, w, g, CHUNKED))).toBeLessThan(1e-13);
      const gy = rand(y.shape as number[], 7, 'float64');
      const [dx, runsDx] = counted(() => conv2dInputGrad(gy, w, g, [xs[2], xs[3]]));
      expect(runsDx).toBe(bwd);
      expect(relErr(dx, conv2dInputGrad(gy, w, g, [xs[2], xs[3]], CHUNKED))).toBeLessThan(1e-13);
    }
  });

  it('a transposed convolution with stride 1 (its forward is the input gradient) matches the chunked path', () => {
    // convTranspose2d's output size with an outputPadding (allowed by the dilation): ȳ is cropped and zero-filled
    const x = tg.randn([2, 4, 6, 29], { dtype: 'float64', generator: new tg.Generator(8) });
    const w = tg.randn([4, 3, 3, 2], { dtype: 'float64', generator: new tg.Generator(9) });
    const before = convTuning.directRuns;
    const y = F.convTranspose2d(x, w, null, { padding: [1, 0], dilation: 2, outputPadding: 1 });
    expect(convTuning.directRuns - before).toBe(1);
    const g = geo([1, 1, 0, 0], [2, 2], 1);
    expect(relErr(y.value, conv2dInputGrad(x.value, w.value, g, y.shape.slice(2), CHUNKED))).toBeLessThan(1e-13);
  });

  it('with threads on (runs of whole images shared out) gives bitwise the one-thread results, float32 and float64', async () => {
    // each case has at least 2^21 multiply-adds in the forward and in the input gradient, so both run on the threads
    const cases = [
      // [x shape, weight shape, options, dtype, x and ȳ as strided views]
      [[32, 8, 16, 16], [16, 8, 3, 3], { padding: 1 }, 'float32', false],
      [[16, 8, 12, 30], [12, 8, 5, 5], { padding: 2 }, 'float32', true],
      [[16, 8, 20, 20], [12, 4, 3, 3], { padding: [2, 1], dilation: 2, groups: 2 }, 'float64', true],
    ] as const;
    const run = () => cases.flatMap(([xs, ws, opts, dtype, view], i) => {
      let x = tg.randn([...xs], { dtype, generator: new tg.Generator(50 + i) });
      if (view) x = x.transpose(2, 3).contiguous().transpose(2, 3);
      x.requiresGrad_();
      const k = tg.randn([...ws], { dtype, generator: new tg.Generator(60 + i) }).requiresGrad_();
      const b = tg.randn([ws[0]], { dtype, generator: new tg.Generator(70 + i) });
      const before = convTuning.directRuns;
      const y = F.conv2d(x, k, b, opts);
      let gy = tg.randn(y.shape, { dtype, generator: new tg.Generator(80 + i) });
      if (view) gy = gy.transpose(2, 3).contiguous().transpose(2, 3);
      y.backward(gy);
      expect(convTuning.directRuns - before).toBe(2);
      return [y, x.grad!];
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
