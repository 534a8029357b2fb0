// The LeNet step (conv-common.ts) timed after a priming workload in the same process, for one src/
// tree: `none`, or `matmul` (15 products [1024 × 144] · [144 × 32], the conv bench's matmul row cut
// down), or `layer` (15 forward + backward passes of the conv bench's layer). It shows whether code
// run before the step changes the step's speed through V8's type feedback, as the conv suite's
// matmul row once did (the conv kernels then deoptimized in a loop on geometry objects of new shapes).
// Run: npx tsx bench/lenet-after-matmul.ts SRC_DIR none|matmul|layer

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

const lenet = tapegradLenet(tg);
const wall: number[] = [];
let r0 = process.resourceUsage();
for (let i = 0; i < 100; i++) {
  if (i === 3) r0 = process.resourceUsage();
  const t0 = process.hrtime.bigint();
  lenet.step();
  if (i >= 3) wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const r1 = process.resourceUsage();
wall.sort((p, q) => p - q);
const ms = wall[wall.length >> 1];
console.log(`${dir} after ${mode}: ${ms.toFixed(2)} ms/step (wall, median of ${wall.length}), ${((1000 * LENET.batch) / ms).toFixed(0)} samples/s; per step ${((r1.userCPUTime - r0.userCPUTime) / 97000).toFixed(2)} ms user, ${((r1.systemCPUTime - r0.systemCPUTime) / 97000).toFixed(2)} ms system, ${((r1.minorPageFault - r0.minorPageFault) / 97).toFixed(0)} page faults`);
