// The Winograd forward (src/tensor/conv-winograd.ts) against the path it replaces (convTuning.winograd
// off: the direct kernels or the implicit GEMM), in one process, alternating A and B call by call, the
// order swapped every other round: LeNet's second layer, the conv suite's layer, and a few other shapes
// near useWinograd's channel limits (the rule's evidence). Rows the rule does not send to Winograd
// ("taken false") run the same path both ways: they show the noise of the A/B. One thread: CPU-time medians (less skewed by
// a shared machine than wall time); threads > 1: wall time with setNumThreads(threads) (needs free cores).
// Run: npx tsx --expose-gc bench/conv-winograd-ab.ts [rounds = 15] [threads = 1] (--expose-gc: a collection
// before each timed call, so that no call pays for another's garbage; without it LeNet's first layer, which
// takes the same path both ways, measured 0.56× and 0.77× "A/A").

import * as tg from '../src/index.js';
import { conv2dForward, convTuning } from '../src/tensor/conv.js';
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
const cases = Object.entries(shapes).map(([name, [xs, ws, pad]], i) => {
  const x = r(xs, 10 + i), w = r(ws, 20 + i), b = r([ws[0]], 30 + i);
  const g = geo(pad);
  const flops = 2 * xs[0] * ws[0] * ws[1] * ws[2] * ws[3] * (xs[2] + 2 * pad - ws[2] + 1) * (xs[3] + 2 * pad - ws[3] + 1);
  return { name, flops, fn: () => conv2dForward(x, w, g, undefined, b) };
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
  for (const { name, fn } of cases) {
    for (const on of round % 2 === 0 ? [false, true] : [true, false]) {
      convTuning.winograd = on;
      const before = convTuning.winogradRuns;
      const t = await timeMs(fn);
      if (on) taken.set(name, convTuning.winogradRuns > before);
      if (round >= 0) times.set(`${name}|${on}`, [...(times.get(`${name}|${on}`) ?? []), t]);
    }
  }
}
convTuning.winograd = true;
if (threads > 1) await tg.setNumThreads(1);
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(`${gc ? 'gc before each call; ' : ''}${threads > 1 ? `wall-time medians, ${threads} threads` : 'CPU-time medians, one thread'}, ${rounds} rounds`);
console.log('case'.padEnd(24) + 'taken  without ms  GFLOP/s  winograd ms  GFLOP/s*  speed-up');
for (const { name, flops } of cases) {
  const ta = med(times.get(`${name}|false`)!), tb = med(times.get(`${name}|true`)!);
  console.log(`${name.padEnd(24)}${String(taken.get(name)).padEnd(7)}${ta.toFixed(2).padStart(10)}${(flops / 1e6 / ta).toFixed(2).padStart(9)}${tb.toFixed(2).padStart(13)}${(flops / 1e6 / tb).toFixed(2).padStart(10)}${(ta / tb).toFixed(2).padStart(9)}×`);
}
console.log('* GFLOP/s of the direct convolution\'s multiply-adds, i.e. the same work count for both columns');
