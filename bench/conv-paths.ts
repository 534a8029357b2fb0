// The conv kernels' two paths side by side in one process, timed by this process's CPU time (so a
// machine shared with other jobs skews the figures less than wall time would): the implicit GEMM
// (the default) against the chunked im2col + GEMM (asked for by an explicit chunk size), on the conv
// suite's layer (with tapegrad's matmul on the same FLOPs as the yardstick) and on LeNet's two layers;
// then the layer through autograd as the conv suite runs it (F.conv2d, and its forward + backward).
// Run: npx tsx bench/conv-paths.ts [rounds = 9]

import * as tg from '../src/index.js';
import { conv2dForward, conv2dInputGrad, conv2dWeightGrad, CHUNK_ELEMENTS } from '../src/tensor/conv.js';
import { opInput } from './common.js';
import { CONV_FWD_FLOPS, CONV_LAYER as L } from './conv-common.js';

const rounds = Number(process.argv[2] ?? 9);
const CHUNKED = CHUNK_ELEMENTS - 1; // any explicit size takes the chunked path
const ten = (n: number, seed: number, shape: number[]) => tg.tensor(opInput(n, seed), { shape });

const tx = ten(L.n * L.c * L.h * L.w, 21, [L.n, L.c, L.h, L.w]);
const tw = ten(L.o * L.c * L.k * L.k, 22, [L.o, L.c, L.k, L.k]);
const tgy = ten(L.n * L.o * L.h * L.w, 23, [L.n, L.o, L.h, L.w]);
const [x, w, gy] = [tx.value, tw.value, tgy.value];
const a = tg.tensor(opInput(L.n * L.h * L.w * L.c * L.k ** 2, 24), { shape: [L.n * L.h * L.w, L.c * L.k ** 2] });
const b = tg.tensor(opInput(L.c * L.k ** 2 * L.o, 25), { shape: [L.c * L.k ** 2, L.o] });
const same = { stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 };
const valid = { ...same, padding: [0, 0, 0, 0] };
const r = (shape: number[], seed: number) => tg.randn(shape, { generator: new tg.Generator(seed) }).value;
const x1 = r([64, 1, 28, 28], 1), w1 = r([8, 1, 5, 5], 2), g1 = r([64, 8, 24, 24], 3);
const x2 = r([64, 8, 12, 12], 4), w2 = r([16, 8, 5, 5], 5), g2 = r([64, 16, 8, 8], 6);

/** name → [work in FLOPs, implicit, chunked] */
const cases: Record<string, [number, () => unknown, () => unknown]> = {
  'layer forward': [CONV_FWD_FLOPS, () => conv2dForward(x, w, same), () => conv2dForward(x, w, same, CHUNKED)],
  'layer weight grad': [CONV_FWD_FLOPS, () => conv2dWeightGrad(x, gy, same, [3, 3]), () => conv2dWeightGrad(x, gy, same, [3, 3], CHUNKED)],
  'layer input grad': [CONV_FWD_FLOPS, () => conv2dInputGrad(gy, w, same, [32, 32]), () => conv2dInputGrad(gy, w, same, [32, 32], CHUNKED)],
  'lenet conv1 forward': [64 * 576 * 8 * 25 * 2, () => conv2dForward(x1, w1, valid), () => conv2dForward(x1, w1, valid, CHUNKED)],
  'lenet conv1 weight grad': [64 * 576 * 8 * 25 * 2, () => conv2dWeightGrad(x1, g1, valid, [5, 5]), () => conv2dWeightGrad(x1, g1, valid, [5, 5], CHUNKED)],
  'lenet conv2 forward': [64 * 64 * 16 * 200 * 2, () => conv2dForward(x2, w2, valid), () => conv2dForward(x2, w2, valid, CHUNKED)],
  'lenet conv2 weight grad': [64 * 64 * 16 * 200 * 2, () => conv2dWeightGrad(x2, g2, valid, [5, 5]), () => conv2dWeightGrad(x2, g2, valid, [5, 5], CHUNKED)],
  'lenet conv2 input grad': [64 * 64 * 16 * 200 * 2, () => conv2dInputGrad(g2, w2, valid, [12, 12]), () => conv2dInputGrad(g2, w2, valid, [12, 12], CHUNKED)],
};
const matmul = () => a.matmul(b);
const F = tg.nn.functional;
const [xg, wg] = [tx.clone().requiresGrad_(), tw.clone().requiresGrad_()];
const autograd: Record<string, () => unknown> = {
  'F.conv2d forward': () => F.conv2d(tx, tw, null, { padding: 1 }),
  'F.conv2d forward+backward': () => {
    xg.grad = null;
    wg.grad = null;
    F.conv2d(xg, wg, null, { padding: 1 }).backward(tgy);
  },
};

const cpuMs = (fn: () => unknown): number => {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const times = new Map<string, number[]>();
const push = (k: string, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
for (let round = -1; round < rounds; round++) {
  // round −1 warms up; then every kernel once per round, in turn
  const m = cpuMs(matmul);
  if (round >= 0) push('matmul', m);
  for (const [name, [, imp, chk]] of Object.entries(cases)) {
    const ti = cpuMs(imp), tc = cpuMs(chk);
    if (round >= 0) { push(`${name}|implicit`, ti); push(`${name}|chunked`, tc); }
  }
  for (const [name, fn] of Object.entries(autograd)) {
    const t = cpuMs(fn);
    if (round >= 0) push(name, t);
  }
}
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
const mm = med(times.get('matmul')!);
console.log(`CPU-time medians of ${rounds} rounds; tapegrad matmul [32768×144]·[144×32]: ${mm.toFixed(1)} ms, ${(CONV_FWD_FLOPS / 1e6 / mm).toFixed(2)} GFLOP/s`);
console.log('kernel'.padEnd(26) + 'implicit ms  GFLOP/s  chunked ms  GFLOP/s  speed-up  implicit ÷ matmul speed');
for (const [name, [flops]] of Object.entries(cases)) {
  const ti = med(times.get(`${name}|implicit`)!), tc = med(times.get(`${name}|chunked`)!);
  const vsMatmul = name.startsWith('layer') ? `${((100 * mm) / ti).toFixed(0)}%` : '';
  console.log(`${name.padEnd(26)}${ti.toFixed(2).padStart(11)}${(flops / 1e6 / ti).toFixed(2).padStart(9)}${tc.toFixed(2).padStart(12)}${(flops / 1e6 / tc).toFixed(2).padStart(9)}${(tc / ti).toFixed(2).padStart(9)}×  ${vsMatmul}`);
}
const fwd = med(times.get('F.conv2d forward')!), fb = med(times.get('F.conv2d forward+backward')!);
console.log(`through autograd: forward ${fwd.toFixed(1)} ms (${((100 * mm) / fwd).toFixed(0)}% of matmul's speed), ` +
  `forward+backward ${fb.toFixed(1)} ms (${((3 * CONV_FWD_FLOPS) / 1e6 / fb).toFixed(2)} GFLOP/s; the backward alone ${((100 * 2 * mm) / (fb - fwd)).toFixed(0)}% of matmul's speed)`);
