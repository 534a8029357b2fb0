// The conv suite's LeNet step with two copies of tapegrad in one process, alternating step by step,
// timed by CPU time (one thread; less skewed by a shared machine than wall time): the working tree's
// src/ against an older src/ unpacked inside the worktree (e.g. `mkdir -p scratch/old && git archive 1550866
// src | tar -x -C scratch/old`, then `npx tsx bench/lenet-ab.ts scratch/old/src [steps = 40] [threads = 1]`;
// scratch/ is git-ignored). Identical trees have given 0.90–1.00× here on a loaded machine (docs/performance.md,
// "A/A runs"): run an A/A first, and see bench/profile-summary.ts --by-tree for per-kernel figures.
// Prints each copy's median ms per step, samples/s and its losses at step 1 and the last step. With
// threads > 1 both copies call setNumThreads(threads) and the steps are timed by wall clock (CPU
// time would add the workers' time): such figures need free cores.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tgNew from '../src/index.js';
import { LENET, tapegradLenet } from './conv-common.js';

type TG = typeof tgNew;
const [oldDir, stepsArg = '40', threadsArg = '1'] = process.argv.slice(2);
if (!oldDir) throw new Error('usage: npx tsx bench/lenet-ab.ts OLD_SRC_DIR [steps] [threads]');
const tgOld = (await import(pathToFileURL(resolve(oldDir, 'index.ts')).href)) as TG;
const steps = Number(stepsArg);
const threads = Number(threadsArg);
if (threads > 1) await Promise.all([tgOld.setNumThreads(threads), tgNew.setNumThreads(threads)]);

const sides = { old: tapegradLenet(tgOld).step, new: tapegradLenet(tgNew).step }; // the conv suite's LeNet step (conv-common.ts)
const times = { old: [] as number[], new: [] as number[] };
const losses = { old: [] as number[], new: [] as number[] };
for (let s = 0; s < steps; s++) {
  for (const k of ['old', 'new'] as const) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    losses[k].push(sides[k]());
    const c = process.cpuUsage(c0), wall = performance.now() - t0;
    if (s >= 3) times[k].push(threads > 1 ? wall : (c.user + c.system) / 1000);
  }
}
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
for (const k of ['old', 'new'] as const) {
  const ms = med(times[k]);
  console.log(`${k}: ${ms.toFixed(2)} ms/step (${threads > 1 ? `wall, ${threads} threads` : 'CPU'}), ${((1000 * LENET.batch) / ms).toFixed(0)} samples/s, loss@1 ${losses[k][0].toFixed(6)}, loss@${steps} ${losses[k][steps - 1].toFixed(6)}`);
}
console.log(`new ÷ old speed: ${(med(times.old) / med(times.new)).toFixed(2)}×`);
if (threads > 1) await Promise.all([tgOld.setNumThreads(1), tgNew.setNumThreads(1)]);
