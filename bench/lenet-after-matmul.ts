// The LeNet step (conv-common.ts) timed after a priming workload in the same process, for one src/
// tree: `none`, or `matmul` (15 products [1024 × 144] · [144 × 32], the conv bench's matmul row cut
// down), or `layer` (15 forward + backward passes of the conv bench's layer). It shows whether code
// run before the step changes the step's speed through V8's type feedback, as the conv suite's
// matmul row once did (the conv kernels then deoptimized in a loop on geometry objects of new shapes).
// Run: npx tsx bench/lenet-after-matmul.ts SRC_DIR none|matmul|layer
// After each step it also times a fixed loop of plain JS (no tapegrad code): on this shared machine
// whole processes, or stretches of them, ran 1.3-1.6x slower (LeNet 34-37 ms instead of 26-27, the loop
// 5.3-5.6 ms instead of 3.3-3.4, in the same processes); a slow loop says the machine, not the step, was slow.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { opInput } from './common.js';
import { CONV_LAYER as L, LENET, tapegradLenet } from './conv-common.js';

const [dir, mode = 'none'] = process.argv.slice(2);
if (!dir || !['none', 'matmul', 'layer'].includes(mode)) throw new Error('usage: npx tsx bench/lenet-after-matmul.ts SRC_DIR none|matmul|layer');
const tg = (await import(pathToFileURL(resolve(dir, 'index.ts')).href)) as typeof import('../src/index.js');

if (mode === 'matmul') {
  const a = tg.tensor(opInput(1024 * 144, 24), { shape: [1024, 144] });
  const b = tg.tensor(opInput(144 * 32, 25), { shape: [144, 32] });
  for (let i = 0; i < 15; i++) a.matmul(b);
} else if (mode === 'layer') {
  const x = tg.tensor(opInput(L.n * L.c * L.h * L.w, 21), { shape: [L.n, L.c, L.h, L.w] }).requiresGrad_();
  const w = tg.tensor(opInput(L.o * L.c * L.k * L.k, 22), { shape: [L.o, L.c, L.k, L.k] }).requiresGrad_();
  const gy = tg.tensor(opInput(L.n * L.o * L.h * L.w, 23), { shape: [L.n, L.o, L.h, L.w] });
  for (let i = 0; i < 15; i++) tg.nn.functional.conv2d(x, w, null, { padding: L.pad }).backward(gy);
}

/** The machine's speed check: float multiply-adds over a 256 KB array, no tapegrad code, no allocation. */
const calibData = new Float32Array(1 << 16).map((_, i) => (i % 97) / 97);
function calibrate(): number {
  let s = 0;
  for (let r = 0; r < 60; r++) for (let i = 0; i < calibData.length; i++) s += calibData[i] * calibData[(i * 7) & 0xffff];
  return s;
}

const lenet = tapegradLenet(tg);
const wall: number[] = [], calib: number[] = [];
let sink = 0;
let user = 0, system = 0, faults = 0; // the steps' own, summed step by step (not the speed check's)
for (let i = 0; i < 100; i++) {
  const r0 = process.resourceUsage();
  const t0 = process.hrtime.bigint();
  lenet.step();
  const t1 = process.hrtime.bigint();
  const r1 = process.resourceUsage();
  if (i >= 3) {
    wall.push(Number(t1 - t0) / 1e6);
    user += r1.userCPUTime - r0.userCPUTime;
    system += r1.systemCPUTime - r0.systemCPUTime;
    faults += r1.minorPageFault - r0.minorPageFault;
  }
  const t2 = process.hrtime.bigint();
  sink += calibrate();
  if (i >= 3) calib.push(Number(process.hrtime.bigint() - t2) / 1e6);
}
calib.sort((p, q) => p - q);
wall.sort((p, q) => p - q);
const ms = wall[wall.length >> 1];
console.log(`${dir} after ${mode}: ${ms.toFixed(2)} ms/step (wall, median of ${wall.length}), ${((1000 * LENET.batch) / ms).toFixed(0)} samples/s; per step ${(user / 97000).toFixed(2)} ms user, ${(system / 97000).toFixed(2)} ms system, ${(faults / 97).toFixed(0)} page faults`);
console.log(`machine check: a fixed plain-JS loop ${calib[calib.length >> 1].toFixed(2)} ms (median of ${calib.length}; 3.3-3.4 ms in a normal process on the 2-core dev machine, 5.3-5.6 in a slow one)${sink > 0 ? '' : ' '}`);
