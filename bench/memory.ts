// Memory over a long training run: 10,000 steps of a small MLP, through model.fit and through a
// PyTorch-style loop, printing heap and ArrayBuffer bytes after a full GC every 1,000 steps.
// Run: node --expose-gc --import tsx bench/memory.ts [--steps 10000] [--every 1000]

import { parseArgs } from 'node:util';
import * as tg from '../src/index.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '10000' }, every: { type: 'string', default: '1000' } } });
const STEPS = Number(values.steps);
const EVERY = Number(values.every);
const BATCH = 32;
const TARGET_BYTES = 2 * 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc --import tsx bench/memory.ts');
  process.exit(1);
}

interface Sample { step: number; heap: number; buffers: number }

function sample(step: number): Sample {
  gc!();
  gc!(); // a second pass collects what the first one's finalizers released
  const m = process.memoryUsage();
  return { step, heap: m.heapUsed, buffers: m.arrayBuffers };
}

const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(3)} MB`;
const kb = (b: number): string => `${b >= 0 ? '+' : ''}${(b / 1024).toFixed(1)} KB`;

function report(name: string, samples: Sample[]): boolean {
  console.log(`\n${name}`);
  console.log('   step        heap   arrayBuffers');
  for (const s of samples) console.log(`${String(s.step).padStart(7)} ${mb(s.heap).padStart(11)} ${mb(s.buffers).padStart(14)}`);
  // growth after warm-up: from the first sample after step 0 to the last one
  const warm = samples[1] ?? samples[0];
  const last = samples[samples.length - 1];
  const heap = last.heap - warm.heap;
  const buffers = last.buffers - warm.buffers;
  const ok = heap + buffers < TARGET_BYTES;
  console.log(`growth after warm-up (steps ${warm.step}..${last.step}): heap ${kb(heap)}, arrayBuffers ${kb(buffers)} → ${ok ? 'OK' : 'OVER'} (target < 2 MB)`);
  return ok;
}

function data(): { x: tg.Tensor; y: tg.Tensor } {
  const { x, y } = tg.data.makeMoons(1024, { noise: 0.2, seed: 0 });
  return { x, y };
}

async function viaFit(): Promise<Sample[]> {
  tg.manualSeed(0);
  const { x, y } = data();
  const model = tg.sequential([
    tg.layers.dense({ units: 64, activation: 'relu', inputShape: [2] }),
    tg.layers.dropout({ rate: 0.1 }),
    tg.layers.dense({ units: 64, activation: 'relu' }),
    tg.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const stepsPerEpoch = Math.ceil(x.shape[0] / BATCH);
  const samples: Sample[] = [sample(0)];
  let step = 0;
  await model.fit(x, y, {
    epochs: Math.ceil(STEPS / stepsPerEpoch), batchSize: BATCH, verbose: 0, seed: 0,
    callbacks: {
      onBatchEnd: () => {
        step++;
        if (step % EVERY === 0) samples.push(sample(step));
        if (step >= STEPS) model.stopTraining = true;
      },
    },
  });
  return samples;
}

function viaLoop(): Sample[] {
  tg.manualSeed(0);
  const { x, y } = data();
  const net = new tg.nn.Sequential(
    new tg.nn.Linear(2, 64), new tg.nn.ReLU(), new tg.nn.Linear(64, 64), new tg.nn.ReLU(), new tg.nn.Linear(64, 1),
  );
  const opt = new tg.optim.Adam(net.parameters(), { lr: 1e-3 });
  const loader = new tg.data.DataLoader({ x, y: y.reshape([-1, 1]) }, { batchSize: BATCH, shuffle: true, seed: 0 });
  const samples: Sample[] = [sample(0)];
  let step = 0;
  while (step < STEPS) {
    for (const batch of loader) {
      opt.zeroGrad();
      const loss = tg.nn.functional.binaryCrossEntropyWithLogits(net.call(batch.x), batch.y!);
      loss.backward();
      opt.step();
      step++;
      if (step % EVERY === 0) samples.push(sample(step));
      if (step >= STEPS) break;
    }
  }
  return samples;
}

const t0 = performance.now();
const fitOk = report(`model.fit, ${STEPS} steps (2-64-64-1 MLP with dropout, Adam, batch ${BATCH})`, await viaFit());
const t1 = performance.now();
const loopOk = report(`PyTorch-style loop, ${STEPS} steps (2-64-64-1 MLP, Adam, batch ${BATCH})`, viaLoop());
const t2 = performance.now();
console.log(`\ntime: fit ${((t1 - t0) / 1000).toFixed(1)} s (${((t1 - t0) / STEPS).toFixed(3)} ms/step), loop ${((t2 - t1) / 1000).toFixed(1)} s (${((t2 - t1) / STEPS).toFixed(3)} ms/step)`);
process.exitCode = fitOk && loopOk ? 0 : 1;
