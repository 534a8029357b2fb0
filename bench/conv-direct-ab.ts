// The direct stride-1 kernels (src/tensor/conv-direct.ts) against the implicit GEMM they replace, in
// one process, alternating A and B call by call (convTuning.direct off, on): LeNet's two layers
// (forward, weight gradient, and the second's input gradient: the first's is never needed) and the conv
// suite's layer (forward, input gradient, weight gradient, and F.conv2d forward and forward + backward as the suite times them;
// convTuning.direct switches the direct weight gradient too, so the backward compares all three
// kernels). One thread: CPU time (less skewed by a shared machine than wall time); threads > 1: wall
// time, with setNumThreads(threads) (needs free cores).
// Run: npx tsx bench/conv-direct-ab.ts [rounds = 15] [threads = 1]

import * as tg from '../src/index.js';
import { conv2dForward, conv2dInputGrad, conv2dWeightGrad, convTuning } from '../src/tensor/conv.js';
import { opInput } from './common.js';
import { CONV_FWD_FLOPS, CONV_LAYER as L } from './conv-common.js';

const rounds = Number(process.argv[2] ?? 15);
const threads = Number(process.argv[3] ?? 1);
if (threads > 1) await tg.setNumThreads(threads);
const F = tg.nn.functional;
const ten = (n: number, seed: number, shape: number[]) => tg.tensor(opInput(n, seed), { shape });
const tx = ten(L.n * L.c * L.h * L.w, 21, [L.n, L.c, L.h, L.w]);
const tw = ten(L.o * L.c * L.k * L.k, 22, [L.o, L.c, L.k, L.k]);
const tb = ten(L.o, 20, [L.o]);
const tgy = ten(L.n * L.o * L.h * L.w, 23, [L.n, L.o, L.h, L.w]);
const [x, w, gy] = [tx.value, tw.value, tgy.value];
const same = { stride: [1, 1], padding: [L.pad, L.pad, L.pad, L.pad], dilation: [1, 1], groups: 1 };
const valid = { ...same, padding: [0, 0, 0, 0] };
const r = (shape: number[], seed: number) => tg.randn(shape, { generator: new tg.Generator(seed) }).value;
const x1 = r([64, 1, 28, 28], 1), w1 = r([8, 1, 5, 5], 2), b1 = r([8], 7), g1 = r([64, 8, 24, 24], 3);
const x2 = r([64, 8, 12, 12], 4), w2 = r([16, 8, 5, 5], 5), b2 = r([16], 8), g2 = r([64, 16, 8, 8], 6);
const [xg, wg, bg] = [tx.clone().requiresGrad_(), tw.clone().requiresGrad_(), tb.clone().requiresGrad_()];

/** name → [multiply-adds × 2, the work] */
const cases: Record<string, [number, () => unknown]> = {
  'lenet conv1 forward+bias': [64 * 576 * 8 * 25 * 2, () => conv2dForward(x1, w1, valid, undefined, b1)],
  'lenet conv2 forward+bias': [64 * 64 * 16 * 200 * 2, () => conv2dForward(x2, w2, valid, undefined, b2)],
  'lenet conv1 weight grad': [64 * 576 * 8 * 25 * 2, () => conv2dWeightGrad(x1, g1, valid, [5, 5])],
  'lenet conv2 input grad': [64 * 64 * 16 * 200 * 2, () => conv2dInputGrad(g2, w2, valid, [12, 12])],
  'lenet conv2 weight grad': [64 * 64 * 16 * 200 * 2, () => conv2dWeightGrad(x2, g2, valid, [5, 5])],
  'layer forward': [CONV_FWD_FLOPS, () => conv2dForward(x, w, same)],
  'layer input grad': [CONV_FWD_FLOPS, () => conv2dInputGrad(gy, w, same, [L.h, L.w])],
  'layer weight grad': [CONV_FWD_FLOPS, () => conv2dWeightGrad(x, gy, same, [L.k, L.k])],
  'F.conv2d forward+bias': [CONV_FWD_FLOPS, () => F.conv2d(tx, tw, tb, { padding: L.pad })],
  'F.conv2d forward+backward': [3 * CONV_FWD_FLOPS, () => {
    xg.grad = null;
    wg.grad = null;
    bg.grad = null;
    F.conv2d(xg, wg, bg, { padding: L.pad }).backward(tgy);
  }],
};

const timeMs = (fn: () => unknown): number => {
  const c0 = process.cpuUsage(), t0 = performance.now();
  fn();
  if (threads > 1) return performance.now() - t0;
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const times = new Map<string, number[]>();
const push = (k: string, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
for (let round = -2; round < rounds; round++) {
  // rounds −2 and −1 warm up; then each case implicit, direct (the order swapped every other round)
  for (const [name, [, fn]] of Object.entries(cases)) {
    for (const direct of round % 2 === 0 ? [false, true] : [true, false]) {
      convTuning.direct = direct;
      const t = timeMs(fn);
      if (round >= 0) push(`${name}|${direct}`, t);
    }
  }
}
convTuning.direct = true;
if (threads > 1) await tg.setNumThreads(1);
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(`${threads > 1 ? `wall-time medians, ${threads} threads` : 'CPU-time medians, one thread'}, ${rounds} rounds`);
console.log('case'.padEnd(28) + 'implicit ms  GFLOP/s  direct ms  GFLOP/s  direct speed-up');
for (const [name, [flops]] of Object.entries(cases)) {
  const ti = med(times.get(`${name}|false`)!), td = med(times.get(`${name}|true`)!);
  console.log(`${name.padEnd(28)}${ti.toFixed(2).padStart(11)}${(flops / 1e6 / ti).toFixed(2).padStart(9)}${td.toFixed(2).padStart(11)}${(flops / 1e6 / td).toFixed(2).padStart(9)}${(ti / td).toFixed(2).padStart(10)}×`);
}
