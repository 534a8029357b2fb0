// The conv suite's layer (CONV_LAYER: x [32, 16, 32, 32], 32 output channels, 3 × 3, padding 1) forward
// and backward (F.conv2d, then its input and weight gradients from a fixed ȳ) with two copies of tapegrad
// in one process, alternating call by call, timed by CPU time (one thread) or wall time (threads > 1): the
// working tree's src/ against an older src/ unpacked inside the worktree, as bench/lenet-ab.ts does (e.g.
// `mkdir -p scratch/old && git archive main src | tar -x -C scratch/old`, then
// `npx tsx bench/conv-layer-ab.ts scratch/old/src [calls = 30] [threads = 1]`; scratch/ is git-ignored).
// For an A/A, archive the same tree's src/ and bench/ elsewhere and run that copy's bench against it.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tgNew from '../src/index.js';
import { tapegradConvLayer } from './conv-common.js';

type TG = typeof tgNew;
const [oldDir, callsArg = '30', threadsArg = '1'] = process.argv.slice(2);
if (!oldDir) throw new Error('usage: npx tsx bench/conv-layer-ab.ts OLD_SRC_DIR [calls] [threads]');
const tgOld = (await import(pathToFileURL(resolve(oldDir, 'index.ts')).href)) as TG;
const calls = Number(callsArg);
const threads = Number(threadsArg);
if (threads > 1) await Promise.all([tgOld.setNumThreads(threads), tgNew.setNumThreads(threads)]);

const sides = { old: tapegradConvLayer(tgOld).fwdBwd, new: tapegradConvLayer(tgNew).fwdBwd };
const times = { old: [] as number[], new: [] as number[] };
for (let s = 0; s < calls + 3; s++) {
  for (const k of s % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    sides[k]();
    const c = process.cpuUsage(c0), wall = performance.now() - t0;
    if (s >= 3) times[k].push(threads > 1 ? wall : (c.user + c.system) / 1000);
  }
}
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
for (const k of ['old', 'new'] as const) {
  console.log(`${k}: ${med(times[k]).toFixed(2)} ms per forward + backward (${threads > 1 ? `wall, ${threads} threads` : 'CPU'})`);
}
console.log(`new ÷ old speed: ${(med(times.old) / med(times.new)).toFixed(2)}×`);
if (threads > 1) await Promise.all([tgOld.setNumThreads(1), tgNew.setNumThreads(1)]);
