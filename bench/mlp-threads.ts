// The MLP 784-128-64-10 Adam step (batch 64) with two threads under different settings of the threaded
// matmul, alternated in blocks in one process so that load from other jobs falls on all alike: one thread
// (the worker idle: every product below the threshold), and two threads with each sharing threshold
// (m·n·k) and each spin time (how long a thread polls before sleeping). Prints the median ms per step of
// each setting and its speedup over one thread.
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
const steps = (ms: number) => {
  const ts: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const b = i++ % MLP.numBatches;
    const t0 = performance.now();
    model.step(xs[b], data.labels[b]);
    ts.push(performance.now() - t0);
  }
  return ts;
};

interface Setting { name: string; minWork: number; spin: number }
const settings: Setting[] = [{ name: '1 thread', minWork: Infinity, spin: 0 }];
for (const e of values.min.split(',').map(Number)) {
  for (const spin of values.spin.split(',').map(Number)) settings.push({ name: `2 threads, m·n·k ≥ 2^${e}, spin ${spin} µs`, minWork: 2 ** e, spin });
}
await tg.setNumThreads(2);
steps(1500);
const rounds = 6;
const block = Number(values.ms) / rounds / settings.length;
const res = new Map<Setting, number[]>(settings.map((s) => [s, []]));
for (let r = 0; r < rounds; r++) {
  for (const s of r % 2 === 0 ? settings : [...settings].reverse()) {
    threadTuning.minWork = s.minWork;
    threadTuning.spinMicros = s.spin;
    steps(100);
    res.get(s)!.push(summarize(steps(block)).median);
  }
}
await tg.setNumThreads(1);
const one = summarize(res.get(settings[0])!).median;
for (const [s, v] of res) {
  const med = summarize(v).median;
  console.log(`${s.name.padEnd(36)} ${med.toFixed(3)} ms  ${(one / med).toFixed(2)}×   blocks: ${v.map((x) => x.toFixed(2)).join(' ')}`);
}
