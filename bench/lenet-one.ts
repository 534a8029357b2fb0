// The conv suite's LeNet step from one src/ tree in a process of its own, timed by CPU time: run it
// for two trees one after the other (old, new, old, new, ...) to compare changes whose cost lands in
// the garbage collector, which bench/lenet-ab.ts's two copies in one process share between them.
// `dispose` frees the step's intermediate tensors after reading the loss (what tf.tidy does for the
// tfjs side of the suite), so the caching allocator hands their arrays to the next step; `keep`
// (the default) keeps them until the collector finds them, as the suite's tapegrad step does. Also prints the
// system CPU time and minor page faults per step (process.resourceUsage), where new arrays show up.
// Run: npx tsx bench/lenet-one.ts SRC_DIR [keep | dispose] [steps = 80]

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LENET, tapegradLenet } from './conv-common.js';

const [dir, mode = 'keep', stepsArg = '80'] = process.argv.slice(2);
if (!dir || (mode !== 'keep' && mode !== 'dispose')) throw new Error('usage: npx tsx bench/lenet-one.ts SRC_DIR [keep | dispose] [steps]');
const tg = (await import(pathToFileURL(resolve(dir, 'index.ts')).href)) as typeof import('../src/index.js');
const lenet = tapegradLenet(tg, { dispose: mode === 'dispose' }); // the conv suite's LeNet step (conv-common.ts)
const steps = Number(stepsArg);
const times: number[] = [];
let last = 0;
let r0 = process.resourceUsage();
for (let i = 0; i < steps; i++) {
  if (i === 5) r0 = process.resourceUsage();
  const c0 = process.cpuUsage();
  last = lenet.step();
  const c = process.cpuUsage(c0);
  if (i >= 5) times.push((c.user + c.system) / 1000);
}
const r1 = process.resourceUsage();
times.sort((a, b) => a - b);
const ms = times[times.length >> 1];
// the kernel's share (page faults, unmapping freed arrays) and how many fresh pages each step touched:
// less noisy than the step time when comparing keep and dispose
const n = times.length;
const sys = (r1.systemCPUTime - r0.systemCPUTime) / 1000 / n, faults = (r1.minorPageFault - r0.minorPageFault) / n;
console.log(`${dir} (${mode}): ${ms.toFixed(2)} ms/step (CPU, median of ${n}), ${((1000 * LENET.batch) / ms).toFixed(0)} samples/s, loss@${steps} ${last.toFixed(6)}; per step ${sys.toFixed(2)} ms system time, ${faults.toFixed(0)} minor page faults`);
