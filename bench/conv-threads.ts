// One thread against two on the convolution, in one process by wall clock (CPU time would add the
// worker's time): the conv suite's layer (forward, weight and input gradients, and F.conv2d forward +
// backward as the suite times it), the LeNet training step, and a 512³ matmul as the control (what
// two threads give the threaded matmul at that moment). The thread count alternates in blocks (1, 2,
// 1, 2, ...: `setNumThreads` starts and stops the worker), each block timing every workload a few
// times, so both counts see the same machine. Two threads need a free core: run it when `uptime`'s
// load is low, and report the load with the figures. Also prints the process's CPU time per run
// (every thread's): two threads cost more CPU in all than one (the workers' kernel runs slower), and
// a wall time near the CPU time means the worker got no core of its own.
// Run: npx tsx bench/conv-threads.ts [blocks = 6] [reps per block = 5]

import * as tg from '../src/index.js';
import { conv2dForward, conv2dInputGrad, conv2dWeightGrad } from '../src/tensor/conv.js';
import { opInput } from './common.js';
import { CONV_LAYER as L, LENET, tapegradLenet } from './conv-common.js';

const blocks = Number(process.argv[2] ?? 6);
const reps = Number(process.argv[3] ?? 5);
const F = tg.nn.functional;
const ten = (n: number, seed: number, shape: number[]) => tg.tensor(opInput(n, seed), { shape });
const tx = ten(L.n * L.c * L.h * L.w, 21, [L.n, L.c, L.h, L.w]);
const tw = ten(L.o * L.c * L.k * L.k, 22, [L.o, L.c, L.k, L.k]);
const tgy = ten(L.n * L.o * L.h * L.w, 23, [L.n, L.o, L.h, L.w]);
const same = { stride: [1, 1], padding: [L.pad, L.pad, L.pad, L.pad], dilation: [1, 1], groups: 1 };
const [xg, wg] = [tx.clone().requiresGrad_(), tw.clone().requiresGrad_()];

const lenet = tapegradLenet(tg).step; // the conv suite's LeNet step (conv-common.ts)
const ma = ten(512 * 512, 26, [512, 512]), mb = ten(512 * 512, 27, [512, 512]);

const work: Record<string, [number, () => unknown]> = {
  // name → [steps per rep, one step]
  'layer forward': [1, () => conv2dForward(tx.value, tw.value, same)],
  'layer weight grad': [1, () => conv2dWeightGrad(tx.value, tgy.value, same, [L.k, L.k])],
  'layer input grad': [1, () => conv2dInputGrad(tgy.value, tw.value, same, [L.h, L.w])],
  'layer F.conv2d fwd+bwd': [1, () => {
    xg.grad = null;
    wg.grad = null;
    F.conv2d(xg, wg, null, { padding: L.pad }).backward(tgy);
  }],
  'LeNet step': [5, lenet],
  // the control: the threaded matmul's speed-up at the same moment (≈ 1.9× when a core is free)
  'matmul 512³ (control)': [1, () => ma.matmul(mb)],
};
const times = new Map<string, number[]>();
const cpus = new Map<string, number[]>();
for (let b = -2; b < blocks; b++) {
  // blocks −2 and −1 warm both thread counts up
  const threads = 1 + (((b % 2) + 2) % 2);
  await tg.setNumThreads(threads);
  for (const [name, [steps, fn]] of Object.entries(work)) {
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now(), c0 = process.cpuUsage();
      for (let s = 0; s < steps; s++) fn();
      const ms = (performance.now() - t0) / steps, c = process.cpuUsage(c0);
      const key = `${name}|${threads}`;
      if (b >= 0) {
        times.set(key, [...(times.get(key) ?? []), ms]);
        cpus.set(key, [...(cpus.get(key) ?? []), (c.user + c.system) / 1000 / steps]);
      }
    }
  }
}
await tg.setNumThreads(1);
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(`wall-clock medians over ${blocks / 2} blocks of each thread count × ${reps} reps`);
console.log('workload'.padEnd(26) + '1 thread ms  2 threads ms  speed-up   CPU ms, 1 thread  2 threads');
for (const name of Object.keys(work)) {
  const t1 = med(times.get(`${name}|1`)!), t2 = med(times.get(`${name}|2`)!);
  const c1 = med(cpus.get(`${name}|1`)!), c2 = med(cpus.get(`${name}|2`)!);
  const extra = name === 'LeNet step' ? `   (${((1000 * LENET.batch) / t1).toFixed(0)} → ${((1000 * LENET.batch) / t2).toFixed(0)} samples/s)` : '';
  console.log(`${name.padEnd(26)}${t1.toFixed(2).padStart(10)}${t2.toFixed(2).padStart(13)}${(t1 / t2).toFixed(2).padStart(9)}×${c1.toFixed(1).padStart(15)}${c2.toFixed(1).padStart(11)}${extra}`);
}
