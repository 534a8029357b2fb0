// The MLP 784-128-64-10 Adam step (batch 64) under different settings of the threaded matmul, interleaved
// a few steps at a time in one process so that load from other jobs falls on all of them alike: one
// thread (threadTuning.paused: the worker idles; its shared-products time is that of the products the default threshold shares), and two threads with each sharing threshold
// (m·n·k ≥ 2^e) and each spin time (how long a thread polls for work before sleeping). For each setting:
// the median ms per step, its speedup over one thread, the median ms per step inside the shared products
// (threadTuning's timer), the process's CPU time ÷ wall time (2 when both threads ran all along), and the
// median and speedup over only the blocks in which the process got more than 1.3 cores (on a machine shared with
// other jobs: Linux's autogroup scheduling gives each session's jobs an equal share, so while anyone else's job
// runs, a two-thread process gets one core and no speedup can show).
// Before that, one thread's step split into layer 1's and layer 2's products and Adam, with the Amdahl bound of each.
// Run: npx tsx bench/mlp-threads.ts [--ms 20000] [--min 21,19] [--spin 0,200] [--no-split]

import { parseArgs } from 'node:util';
import * as tg from '../src/index.js';
import { PARALLEL_MIN_WORK, threadTuning } from '../src/tensor/threads.js';
import { MLP, mlpData, mlpInit, summarize } from './common.js';
import { makeTorchStyle } from './tapegrad.js';

const { values } = parseArgs({
  options: { 'no-split': { type: 'boolean', default: false }, ms: { type: 'string', default: '20000' }, min: { type: 'string', default: '21,19' }, spin: { type: 'string', default: '0,200' } },
});
const init = mlpInit(), data = mlpData();
const xs = data.x.map((a) => tg.tensor(a, { shape: [MLP.batch, MLP.sizes[0]] }));
const model = makeTorchStyle(init);
let i = 0;
const step = () => {
  const b = i++ % MLP.numBatches;
  model.step(xs[b], data.labels[b]);
};

interface Setting { name: string; minWork: number; spin: number; paused: boolean; step: number[]; shared: number[]; cpu: number; wall: number; free: number[] }
const setting = (name: string, minWork: number, spin: number, paused = false): Setting => ({ name, minWork, spin, paused, step: [], shared: [], cpu: 0, wall: 0, free: [] });
const settings: Setting[] = [setting('1 thread', PARALLEL_MIN_WORK, 0, true)];
for (const e of values.min.split(',').map(Number)) {
  for (const spin of values.spin.split(',').map(Number)) settings.push(setting(`2 threads, ≥ 2^${e}, spin ${spin} µs`, 2 ** e, spin));
}
/*
 * First, where the one-thread step's time goes, for the Amdahl bound: the same network built here (nn.Sequential
 * of Linear/ReLU, crossEntropy, Adam) with each phase timed, and the products timed by threadTuning's timer at
 * two thresholds in alternate steps: layer 1's two products (m·n·k ≥ 2^21) and with them layer 2's three
 * (≥ 2^19, the default threshold since layer 2's products were measured to pay). Skipped with --no-split.
 */
if (!values['no-split']) {
  const g = new tg.Generator(0);
  const [d0, d1, d2, d3] = MLP.sizes;
  const net = new tg.nn.Sequential(
    new tg.nn.Linear(d0, d1, { generator: g }), new tg.nn.ReLU(), new tg.nn.Linear(d1, d2, { generator: g }), new tg.nn.ReLU(),
    new tg.nn.Linear(d2, d3, { generator: g }),
  );
  const opt = new tg.optim.Adam(net.parameters(), { lr: 1e-3 });
  const phase = { total: [] as number[], adam: [] as number[], p21: [] as number[], p19: [] as number[] };
  threadTuning.timing = true;
  for (let r = 0; r < 1200; r++) {
    threadTuning.minWork = r % 2 === 0 ? 2 ** 21 : 2 ** 19;
    const b = r % MLP.numBatches, sh0 = threadTuning.sharedMs, t0 = performance.now();
    opt.zeroGrad();
    const out = net.call(xs[b]);
    const loss = tg.nn.functional.crossEntropy(out, data.labels[b]);
    loss.backward();
    const t1 = performance.now();
    opt.step();
    const t2 = performance.now();
    loss.item();
    out.dispose();
    loss.dispose();
    if (r < 200) continue;
    phase.total.push(performance.now() - t0);
    phase.adam.push(t2 - t1);
    (r % 2 === 0 ? phase.p21 : phase.p19).push(threadTuning.sharedMs - sh0);
  }
  threadTuning.timing = false;
  threadTuning.minWork = PARALLEL_MIN_WORK;
  const [tot, adam, p21, p19] = [phase.total, phase.adam, phase.p21, phase.p19].map((v) => summarize(v).median);
  const pct = (x: number) => `${((100 * x) / tot).toFixed(1)}%`;
  const cap = (p: number) => (1 / (1 - p / tot + p / tot / 2)).toFixed(2);
  console.log(`one-thread step ${tot.toFixed(3)} ms (median): layer 1's products ${p21.toFixed(3)} ms (${pct(p21)}), layer 2's ${(p19 - p21).toFixed(3)} ms (${pct(p19 - p21)}), Adam ${adam.toFixed(3)} ms (${pct(adam)})`);
  console.log(`Amdahl bound for 2 threads sharing layer 1's products: ${cap(p21)}×; with layer 2's: ${cap(p19)}×; with layer 2's and Adam: ${cap(p19 + adam)}×`);
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
    const c = process.cpuUsage(c0), cpu = (c.user + c.system) / 1000, wall = performance.now() - w0;
    s.cpu += cpu;
    s.wall += wall;
    // a two-thread block in which the process got more than 1.3 cores: the second core was free for the worker
    if (cpu / wall > 1.3) s.free.push(...s.step.slice(-perBlock));
  }
}
threadTuning.timing = false;
threadTuning.paused = false;
await tg.setNumThreads(1);
const one = summarize(settings[0].step).median;
console.log(`${'setting'.padEnd(30)} ms/step  speedup  in shared products  cpu ÷ wall   (${settings[0].step.length} steps each)  in blocks with the 2nd core free`);
for (const s of settings) {
  const med = summarize(s.step).median;
  const free = s.free.length > 0 ? `${summarize(s.free).median.toFixed(3)} ms, ${(one / summarize(s.free).median).toFixed(2)}× (${s.free.length} steps)` : '';
  console.log(`${s.name.padEnd(30)} ${med.toFixed(3).padStart(7)}  ${(one / med).toFixed(2).padStart(6)}×  ${summarize(s.shared).median.toFixed(3).padStart(12)} ms  ${(s.cpu / s.wall).toFixed(2).padStart(10)}   ${free}`);
}
