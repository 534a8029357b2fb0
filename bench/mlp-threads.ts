// The MLP 784-128-64-10 Adam step (batch 64) under different settings of the threaded matmul, interleaved
// a few steps at a time in one process so that load from other jobs falls on all of them alike: one
// thread (threadTuning.paused: the worker idles; its shared-products time is that of the products ≥ 2^21), and two threads with each sharing threshold
// (m·n·k ≥ 2^e) and each spin time (how long a thread polls for work before sleeping). For each setting:
// the median ms per step, its speedup over one thread, the median ms per step inside the shared products
// (threadTuning's timer), and the process's CPU time ÷ wall time (2 when both threads ran all along).
// Run: npx tsx bench/mlp-threads.ts [--ms 20000] [--min 21,19] [--spin 0,200]

import { parseArgs } from 'node:util';
import * as tg from '../src/index.js';
import { threadTuning } from '../src/tensor/threads.js';
import { MLP, mlpData, mlpInit, summarize } from './common.js';
import { makeTorchStyle } from './tapegrad.js';

const { values } = parseArgs({
  options: { ms: { type: 'string', default: '20000' }, min: { type: 'string', default: '21,19' }, spin: { type: 'string', default: '0,200' } },
});
const init = mlpInit(), data = mlpData();
const xs = data.x.map((a) => tg.tensor(a, { shape: [MLP.batch, MLP.sizes[0]] }));
const model = makeTorchStyle(init);
let i = 0;
const step = () => {
  const b = i++ % MLP.numBatches;
  model.step(xs[b], data.labels[b]);
};

interface Setting { name: string; minWork: number; spin: number; paused: boolean; step: number[]; shared: number[]; cpu: number; wall: number }
const setting = (name: string, minWork: number, spin: number, paused = false): Setting => ({ name, minWork, spin, paused, step: [], shared: [], cpu: 0, wall: 0 });
const settings: Setting[] = [setting('1 thread', 2 ** 21, 0, true)];
for (const e of values.min.split(',').map(Number)) {
  for (const spin of values.spin.split(',').map(Number)) settings.push(setting(`2 threads, ≥ 2^${e}, spin ${spin} µs`, 2 ** e, spin));
}
await tg.setNumThreads(2);
threadTuning.timing = true;
for (const end = performance.now() + 1500; performance.now() < end;) step();
const perBlock = 8;
for (const end = performance.now() + Number(values.ms); performance.now() < end;) {
  for (const s of settings) {
    threadTuning.minWork = s.minWork;
    threadTuning.spinMicros = s.spin;
    threadTuning.paused = s.paused;
    step(); // the first step after a switch is not counted
    const c0 = process.cpuUsage(), w0 = performance.now();
    for (let r = 0; r < perBlock; r++) {
      const sh0 = threadTuning.sharedMs, t0 = performance.now();
      step();
      s.step.push(performance.now() - t0);
      s.shared.push(threadTuning.sharedMs - sh0);
    }
    const c = process.cpuUsage(c0);
    s.cpu += (c.user + c.system) / 1000;
    s.wall += performance.now() - w0;
  }
}
threadTuning.timing = false;
threadTuning.paused = false;
await tg.setNumThreads(1);
const one = summarize(settings[0].step).median;
console.log(`${'setting'.padEnd(30)} ms/step  speedup  in shared products  cpu ÷ wall   (${settings[0].step.length} steps each)`);
for (const s of settings) {
  const med = summarize(s.step).median;
  console.log(`${s.name.padEnd(30)} ${med.toFixed(3).padStart(7)}  ${(one / med).toFixed(2).padStart(6)}×  ${summarize(s.shared).median.toFixed(3).padStart(12)} ms  ${(s.cpu / s.wall).toFixed(2).padStart(10)}`);
}
