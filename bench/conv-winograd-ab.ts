// The Winograd forward (src/tensor/conv-winograd.ts) against the path it replaces (convTuning.winograd
// off: the direct kernels or the implicit GEMM), in one process, alternating A and B call by call, the
// order swapped every other round: LeNet's second layer, the conv suite's layer, and a few other shapes
// near useWinograd's channel limits (the rule's evidence). Rows the rule does not send to Winograd
// ("taken false") run the same path both ways: they show the noise of the A/B. One thread: CPU-time medians (less skewed by
// a shared machine than wall time); threads > 1: wall time with setNumThreads(threads) (needs free cores).
// Run: npx tsx --expose-gc bench/conv-winograd-ab.ts [rounds = 15] [threads = 1] (--expose-gc: a collection
// before each timed call, so that no call pays for another's garbage; without it LeNet's first layer, which
// takes the same path both ways, measured 0.56× and 0.77× "A/A").
// The gradient rows ("wgrad") switch convTuning.winogradGrads instead (the Winograd weight gradient): LeNet's
// second layer, the conv suite's layer, and shapes at the rule's limits measured with the rule opened up
// ("forced": convTuning.winogradGradsForced, below the rule's channel limits, against the path the rule keeps). The "A/A" rows run the same
// path both ways: the noise of the A/B. The "igrad" rows are input gradients (the Winograd forward in
// transposed form, also switched by convTuning.winogradGrads).

import { loadavg } from 'node:os';
import * as tg from '../src/index.js';
import { conv2dForward, conv2dInputGrad, conv2dWeightGrad, convTuning } from '../src/tensor/conv.js';
import { CONV_LAYER as L } from './conv-common.js';

const rounds = Number(process.argv[2] ?? 15);
const threads = Number(process.argv[3] ?? 1);
if (threads > 1) await tg.setNumThreads(threads);
const r = (shape: number[], seed: number) => tg.randn(shape, { generator: new tg.Generator(seed) }).value;
const geo = (pad: number) => ({ stride: [1, 1], padding: [pad, pad, pad, pad], dilation: [1, 1], groups: 1 });

/** name → [x shape, w shape, padding] */
const shapes: Record<string, [number[], number[], number]> = {
  'lenet conv2 fwd+bias': [[64, 8, 12, 12], [16, 8, 5, 5], 0],
  'layer fwd+bias': [[L.n, L.c, L.h, L.w], [L.o, L.c, L.k, L.k], L.pad],
  'lenet conv1 (Cg 1)': [[64, 1, 28, 28], [8, 1, 5, 5], 0],
  '3x3 Cg 2 Og 16 24x24': [[32, 2, 24, 24], [16, 2, 3, 3], 1],
  '5x5 Cg 2 Og 16 12x12': [[64, 2, 12, 12], [16, 2, 5, 5], 0],
  '3x3 Cg 4 Og 8 24x24': [[32, 4, 24, 24], [8, 4, 3, 3], 1],
  '5x5 Cg 4 Og 8 16x16': [[32, 4, 16, 16], [8, 4, 5, 5], 2],
  '3x3 Cg 16 Og 1 24x24': [[32, 16, 24, 24], [1, 16, 3, 3], 1],
  '3x3 Cg 64 Og 64 16x16': [[8, 64, 16, 16], [64, 64, 3, 3], 1],
  '3x3 Cg 8 Og 16 9x9': [[64, 8, 9, 9], [16, 8, 3, 3], 1], // 3 × 3 tiles of 4 × 4 for 9 × 9: 1.78× the output
  '3x3 Cg 8 Og 16 5x5': [[64, 8, 5, 5], [16, 8, 3, 3], 1], // 2 × 2 tiles for 5 × 5: 2.56×
};
/** A timed case: fn runs with set(false) (A, the path replaced) and set(true) (B); runs counts B's Winograd calls. */
interface Case { name: string; flops: number; fn: () => unknown; set: (on: boolean) => void; runs: () => number }
const fwdSet = (on: boolean) => { convTuning.winograd = on; };
const cases: Case[] = Object.entries(shapes).map(([name, [xs, ws, pad]], i) => {
  const x = r(xs, 10 + i), w = r(ws, 20 + i), b = r([ws[0]], 30 + i);
  const g = geo(pad);
  const flops = 2 * xs[0] * ws[0] * ws[1] * ws[2] * ws[3] * (xs[2] + 2 * pad - ws[2] + 1) * (xs[3] + 2 * pad - ws[3] + 1);
  return { name, flops, fn: () => conv2dForward(x, w, g, undefined, b), set: fwdSet, runs: () => convTuning.winogradRuns };
});

/** name → [x shape, output channels, kernel size, padding, forced (the rule opened up), A/A (both sides the path replaced)] */
const wgrads: Record<string, [number[], number, number, number, boolean, boolean]> = {
  'lenet conv2 wgrad': [[64, 8, 12, 12], 16, 5, 0, false, false],
  'lenet conv2 wgrad A/A': [[64, 8, 12, 12], 16, 5, 0, false, true],
  'layer wgrad': [[L.n, L.c, L.h, L.w], L.o, L.k, L.pad, false, false],
  'lenet conv1 wgrad forced': [[64, 1, 28, 28], 8, 5, 0, true, false],
  '3x3 Cg 8 Og 8 wgrad': [[32, 8, 24, 24], 8, 3, 1, false, false],
  '5x5 Cg 8 Og 8 wgrad': [[64, 8, 12, 12], 8, 5, 0, false, false],
  '5x5 Cg 2 Og 16 wgrad forced': [[64, 2, 12, 12], 16, 5, 0, true, false],
  '5x5 Cg 4 Og 16 wgrad': [[64, 4, 12, 12], 16, 5, 0, false, false],
  '3x3 Cg 3 Og 32 32x32 wgrad': [[32, 3, 32, 32], 32, 3, 1, false, false],
  '3x3 Cg 16 Og 1 wgrad forced': [[32, 16, 24, 24], 1, 3, 1, true, false],
  '5x5 Cg 4 Og 4 wgrad forced': [[32, 4, 16, 16], 4, 5, 2, true, false],
  '3x3 Cg 4 Og 8 wgrad': [[32, 4, 24, 24], 8, 3, 1, false, false],
  '5x5 Cg 16 Og 32 wgrad': [[64, 16, 12, 12], 32, 5, 2, false, false],
  '3x3 Cg 2 Og 16 wgrad forced': [[32, 2, 24, 24], 16, 3, 1, true, false],
  '3x3 Cg 8 Og 16 9x9 wgrad': [[64, 8, 9, 9], 16, 3, 1, false, false],
  '3x3 Cg 64 Og 64 16x16 wgrad': [[8, 64, 16, 16], 64, 3, 1, false, false],
};
Object.entries(wgrads).forEach(([name, [xs, O, k, pad, forced, aa]], i) => {
  const Ho = xs[2] + 2 * pad - k + 1, Wo = xs[3] + 2 * pad - k + 1;
  const x = r(xs, 40 + i), gy = r([xs[0], O, Ho, Wo], 50 + i);
  const g = geo(pad);
  // forced: B is the Winograd weight gradient with the rule's channel limits lifted, A the path the rule keeps
  const set = (on: boolean) => {
    convTuning.winogradGrads = on && !aa;
    convTuning.winogradGradsForced = on && forced;
  };
  cases.push({ name, flops: 2 * xs[0] * O * xs[1] * k * k * Ho * Wo, fn: () => conv2dWeightGrad(x, gy, g, [k, k]), set, runs: () => convTuning.winogradWeightGradRuns });
});

/** name → [ȳ's image shape [N, O, Ho, Wo], input channels, kernel size, padding, forced, A/A]: input gradients */
const igrads: Record<string, [number[], number, number, number, boolean, boolean]> = {
  'layer igrad': [[L.n, L.o, L.h, L.w], L.c, L.k, L.pad, false, false],
  'layer igrad A/A': [[L.n, L.o, L.h, L.w], L.c, L.k, L.pad, false, true],
  'lenet conv2 igrad forced': [[64, 16, 8, 8], 8, 5, 0, true, false],
  '5x5 Og 32 Cg 16 16x16 igrad': [[32, 32, 16, 16], 16, 5, 2, false, false],
  '3x3 Og 2 Cg 16 24x24 igrad': [[32, 2, 24, 24], 16, 3, 1, false, false],
  '3x3 Og 64 Cg 64 16x16 igrad': [[8, 64, 16, 16], 64, 3, 1, false, false],
  '3x3 Og 16 Cg 8 9x9 igrad': [[64, 16, 9, 9], 8, 3, 1, false, false],
};
Object.entries(igrads).forEach(([name, [gs, C, k, pad, forced, aa]], i) => {
  const H = gs[2] - 2 * pad + k - 1, W = gs[3] - 2 * pad + k - 1;
  const gy = r(gs, 60 + i), w = r([gs[1], C, k, k], 70 + i);
  const g = geo(pad);
  const set = (on: boolean) => {
    convTuning.winogradGrads = on && !aa;
    convTuning.winogradGradsForced = on && forced;
  };
  cases.push({ name, flops: 2 * gs[0] * gs[1] * C * k * k * gs[2] * gs[3], fn: () => conv2dInputGrad(gy, w, g, [H, W]), set, runs: () => convTuning.winogradInputGradRuns });
});

/** With node's --expose-gc, a collection before each timed call, so no call pays for another's garbage. */
const gc = (globalThis as { gc?: () => void }).gc;
const timeMs = async (fn: () => unknown): Promise<number> => {
  if (gc) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 3)); // the collector's background threads finish (CPU time counts them)
  }
  const c0 = process.cpuUsage(), t0 = performance.now();
  fn();
  if (threads > 1) return performance.now() - t0;
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const times = new Map<string, number[]>();
const taken = new Map<string, boolean>();
for (let round = -2; round < rounds; round++) {
  for (const { name, fn, set, runs } of cases) {
    for (const on of round % 2 === 0 ? [false, true] : [true, false]) {
      set(on);
      const before = runs();
      const t = await timeMs(fn);
      if (on) taken.set(name, runs() > before);
      if (round >= 0) times.set(`${name}|${on}`, [...(times.get(`${name}|${on}`) ?? []), t]);
    }
  }
}
convTuning.winograd = true;
convTuning.winogradGrads = true;
convTuning.winogradGradsForced = false;
if (threads > 1) await tg.setNumThreads(1);
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(`${gc ? 'gc before each call; ' : ''}${threads > 1 ? `wall-time medians, ${threads} threads` : 'CPU-time medians, one thread'}, ${rounds} rounds`);
console.log(`load: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log('case'.padEnd(30) + 'taken  without ms  GFLOP/s  winograd ms  GFLOP/s*  speed-up');
for (const { name, flops } of cases) {
  const ta = med(times.get(`${name}|false`)!), tb = med(times.get(`${name}|true`)!);
  console.log(`${name.padEnd(30)}${String(taken.get(name)).padEnd(7)}${ta.toFixed(2).padStart(10)}${(flops / 1e6 / ta).toFixed(2).padStart(9)}${tb.toFixed(2).padStart(13)}${(flops / 1e6 / tb).toFixed(2).padStart(10)}${(ta / tb).toFixed(2).padStart(9)}×`);
}
console.log('* GFLOP/s of the direct convolution\'s multiply-adds, i.e. the same work count for both columns');
