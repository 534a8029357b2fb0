// The conv suite's LeNet step from one src/ tree in a process of its own, timed by CPU time: run it
// for two trees one after the other (old, new, old, new, ...) to compare changes whose cost lands in
// the garbage collector, which bench/lenet-ab.ts's two copies in one process share between them.
// `dispose` frees the step's intermediate tensors after reading the loss (what tf.tidy does for the
// tfjs side of the suite), so the caching allocator hands their arrays to the next step; `keep`
// (the default) keeps them until the collector finds them, as the suite's tapegrad step does.
// Run: npx tsx bench/lenet-one.ts SRC_DIR [keep | dispose] [steps = 80]

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LENET, lenetData, lenetInit } from './conv-common.js';

const [dir, mode = 'keep', stepsArg = '80'] = process.argv.slice(2);
if (!dir || (mode !== 'keep' && mode !== 'dispose')) throw new Error('usage: npx tsx bench/lenet-one.ts SRC_DIR [keep | dispose] [steps]');
const tg = (await import(pathToFileURL(resolve(dir, 'index.ts')).href)) as typeof import('../src/index.js');
const F = tg.nn.functional;
const init = lenetInit();
const p = (d: Float32Array, shape: number[]) => new tg.nn.Parameter(tg.tensor(d.slice(), { shape }));
const [w1, b1, w2, b2, w3, b3] = [p(init.w1, [8, 1, 5, 5]), p(init.b1, [8]), p(init.w2, [16, 8, 5, 5]), p(init.b2, [16]), p(init.w3, [10, 256]), p(init.b3, [10])];
const opt = new tg.optim.Adam([w1, b1, w2, b2, w3, b3], { lr: 1e-3 });
const data = lenetData();
const xs = data.x.map((a) => tg.tensor(a, { shape: [LENET.batch, 1, 28, 28] }));
const ys = data.labels.map((l) => tg.tensor(l));
const steps = Number(stepsArg);
const times: number[] = [];
let last = 0;
for (let i = 0; i < steps; i++) {
  const c0 = process.cpuUsage();
  const c1 = F.conv2d(xs[i % xs.length], w1, b1), r1 = c1.relu(), h1 = F.maxPool2d(r1, 2);
  const c2 = F.conv2d(h1, w2, b2), r2 = c2.relu(), h2 = F.maxPool2d(r2, 2);
  const logits = F.linear(h2.flatten(1), w3, b3);
  const loss = F.crossEntropy(logits, ys[i % ys.length]);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  last = loss.item();
  if (mode === 'dispose') for (const t of [c1, r1, h1, c2, r2, h2, logits, loss]) t.dispose();
  const c = process.cpuUsage(c0);
  if (i >= 5) times.push((c.user + c.system) / 1000);
}
times.sort((a, b) => a - b);
const ms = times[times.length >> 1];
console.log(`${dir} (${mode}): ${ms.toFixed(2)} ms/step (CPU, median of ${times.length}), ${((1000 * LENET.batch) / ms).toFixed(0)} samples/s, loss@${steps} ${last.toFixed(6)}`);
