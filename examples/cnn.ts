// A convolutional network on the 10,000 real MNIST digits, with the demo's seeded 8,000 / 2,000 split:
// the PyTorch-style way (an nn.Module initialised as Keras does, a training loop over randomly turned, scaled and moved
// digits, Adam with a cosine schedule) and the Keras-style way (the same network and recipe from tg.layers: random rotation, zoom
// and translation layers, Adam with Keras' cosineDecay schedule; compile, fit, evaluate).
// Writes the learned filters and the feature maps of one test digit as SVG. Run: npm run example:cnn

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';
import { loadDigits } from './mnist.js';

const nn = tg.nn;
const F = tg.nn.functional;

export interface CnnOptions {
  /** A small run for the tests: 1,000 training digits, 2 epochs, no Keras-style run. */
  quick?: boolean;
  /** Epochs of the PyTorch-style run (default 15). */
  epochs?: number;
  /** Also train the same network Keras-style with fit() (default true unless quick). */
  keras?: boolean;
  /** Epochs of the Keras-style run (default 15; 1 when quick). */
  kerasEpochs?: number;
  log?: (line: string) => void;
  /** Where the SVG pictures go (default: output/ at the repository root). */
  outDir?: string;
}

export interface CnnResult {
  /** Test accuracy of the PyTorch-style run. */
  accuracy: number;
  /** Test accuracy of the Keras-style run (NaN when skipped). */
  kerasAccuracy: number;
  parameters: number;
  files: string[];
  seconds: number;
}

/**
 * conv 5×5 → 8, ReLU, max-pool 2 → conv 5×5 → 16, ReLU, max-pool 2 → dense 128, dropout → dense 10 (LeNet's shape).
 * 28×28 → 24×24 → 12×12 → 8×8 → 4×4: each unit of the last conv layer sees a 16×16 patch of the digit.
 */
export class DigitCNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 8, 5);
  conv2 = new nn.Conv2d(8, 16, 5);
  fc1 = new nn.Linear(16 * 4 * 4, 128);
  drop = new nn.Dropout(0.3);
  fc2 = new nn.Linear(128, 10);

  /** The feature maps after each conv layer's ReLU (for the pictures). */
  features(x: tg.Tensor): [tg.Tensor, tg.Tensor] {
    const a = this.conv1.call(x).relu();
    const b = this.conv2.call(F.maxPool2d(a, 2)).relu();
    return [a, b];
  }

  override forward(x: tg.Tensor): tg.Tensor {
    const [, b] = this.features(x);
    const h = this.fc1.call(F.maxPool2d(b, 2).flatten(1)).relu();
    return this.fc2.call(this.drop.call(h));
  }
}

/**
 * A batch of digits, each moved by up to `max` pixels in x and y (zeros shifted in); the playground's
 * training script (scripts/train-playground-digits.ts) augments with it.
 */
export function shiftedBatch(src: Float32Array, rows: readonly number[], max: number, gen: tg.Generator): tg.Tensor {
  const out = new Float32Array(rows.length * 784);
  rows.forEach((r, i) => {
    const dy = gen.randint(-max, max + 1), dx = gen.randint(-max, max + 1);
    for (let y = 0; y < 28; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= 28) continue;
      for (let x = 0; x < 28; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < 28) out[i * 784 + y * 28 + x] = src[r * 784 + sy * 28 + sx];
      }
    }
  });
  return tg.tensor(out, { shape: [rows.length, 1, 28, 28] });
}

/**
 * The same network Keras-style: conv 5×5 → 8, max-pool, conv 5×5 → 16, max-pool, dense 128, dropout, dense 10
 * (softmax), on channels-last digits [N, 28, 28, 1]. In front, Keras' augmentation layers turn each digit by up
 * to 10°, zoom it by up to 10% and move it by up to two pixels during fit() (torchvision's RandomAffine in the
 * PyTorch-style run); they do nothing in evaluate/predict.
 */
export function kerasDigitCnn(): tg.Model {
  return tg.sequential([
    tg.layers.randomRotation({ factor: 10 / 360, fillMode: 'constant', seed: 4, inputShape: [28, 28, 1] }),
    tg.layers.randomZoom({ heightFactor: 0.1, fillMode: 'constant', seed: 5 }),
    tg.layers.randomTranslation({ heightFactor: 2 / 28, widthFactor: 2 / 28, fillMode: 'constant', seed: 3 }),
    tg.layers.conv2d({ filters: 8, kernelSize: 5, activation: 'relu' }),
    tg.layers.maxPooling2d({ poolSize: 2 }),
    tg.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
    tg.layers.maxPooling2d({ poolSize: 2 }),
    tg.layers.flatten(),
    tg.layers.dense({ units: 128, activation: 'relu' }),
    tg.layers.dropout({ rate: 0.3 }),
    tg.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
}

/**
 * Each training digit is turned by up to 10°, scaled by 0.9–1.1 and moved by up to two pixels, drawn anew in
 * every epoch (torchvision's RandomAffine): the network never sees the same 8,000 images twice, which keeps
 * it from memorising them.
 */
const augment = new tg.data.transforms.RandomAffine({ degrees: 10, scale: [0.9, 1.1], translate: [2 / 28, 2 / 28], dataFormat: 'channelsFirst' });

/** Accuracy of a module in eval mode over a test set, in batches. */
function accuracyOf(net: tg.nn.Module, x: tg.Tensor, y: tg.Tensor): number {
  net.eval();
  let correct = 0;
  tg.noGrad(() => {
    for (let i = 0; i < x.shape[0]; i += 500) {
      const pred = net.call(x.slice(0, i, i + 500)).argmax(1);
      correct += pred.eq(y.slice(0, i, i + 500)).sum().item();
    }
  });
  net.train();
  return correct / x.shape[0];
}

/** A grid of small grey-scale images (filters or feature maps) as one SVG, each scaled to its own range. */
function imageGridSvg(images: { w: number; h: number; data: ArrayLike<number> }[], cols: number, cell: number, title: string): string {
  const rows = Math.ceil(images.length / cols);
  const pad = 4;
  const width = cols * (cell + pad) + pad, height = rows * (cell + pad) + pad + 20;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/><text x="${pad}" y="14" font-family="sans-serif" font-size="12">${tg.plot.escapeXml(title)}</text>`];
  images.forEach((img, k) => {
    const ox = pad + (k % cols) * (cell + pad), oy = 20 + pad + Math.floor(k / cols) * (cell + pad);
    const vals = Array.from(img.data);
    const lo = Math.min(...vals), hi = Math.max(...vals);
    const px = cell / Math.max(img.w, img.h);
    for (let y = 0; y < img.h; y++) {
      for (let x = 0; x < img.w; x++) {
        const g = hi > lo ? Math.round((255 * (vals[y * img.w + x] - lo)) / (hi - lo)) : 128;
        parts.push(`<rect x="${(ox + x * px).toFixed(2)}" y="${(oy + y * px).toFixed(2)}" width="${px.toFixed(2)}" height="${px.toFixed(2)}" fill="rgb(${g},${g},${g})"/>`);
      }
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export async function runCnn({ quick = false, epochs, keras, kerasEpochs, log = console.log, outDir }: CnnOptions = {}): Promise<CnnResult> {
  const start = performance.now();
  const dir = outDir ?? fileURLToPath(new URL('../output/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  tg.manualSeed(0);

  const { x, y } = loadDigits();
  let { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 2000, stratify: y, seed: 0 });
  if (quick) {
    [xTrain, yTrain] = [xTrain.slice(0, 0, 1000), yTrain.slice(0, 0, 1000)];
    [xTest, yTest] = [xTest.slice(0, 0, 500), yTest.slice(0, 0, 500)];
  }
  const nTrain = xTrain.shape[0];
  const images = xTest.reshape([-1, 1, 28, 28]);
  log(`MNIST: ${x.shape[0]} digits; ${nTrain} for training, ${xTest.shape[0]} for testing`);

  // ---- PyTorch style: a Module, a DataLoader-like loop, an optimizer and a schedule ----
  const net = new DigitCNN();
  // The Keras-style run's initialisation here too, so both runs share the whole recipe: Glorot-uniform weights
  // (nn.init.xavierUniform_) and zero biases instead of PyTorch's default U(±1/√fanIn). With PyTorch's default the
  // run ended at 0.9795-0.9805, on the 98% line; with this one at 0.9845 (docs/examples.md, cnn).
  for (const m of net.modules()) {
    if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
      nn.init.xavierUniform_(m.weight);
      if (m.bias) nn.init.zeros_(m.bias);
    }
  }
  log(`\nPyTorch style:\n${net.toString()}`);
  const parameters = net.parameters().reduce((n, p) => n + p.size, 0);
  log(`${parameters} parameters`);
  const nEpochs = epochs ?? (quick ? 2 : 15);
  const batchSize = 64;
  const steps = nEpochs * Math.ceil(nTrain / batchSize);
  const opt = new tg.optim.Adam(net.parameters(), { lr: 2e-3 });
  const sched = new tg.optim.CosineAnnealingLR(opt, steps);
  const trainImages = xTrain.reshape([-1, 1, 28, 28]).contiguous();
  const gen = new tg.Generator(1);
  for (let epoch = 1; epoch <= nEpochs; epoch++) {
    const order = gen.permutation(nTrain);
    let lossSum = 0;
    const t0 = performance.now();
    for (let i = 0; i < nTrain; i += batchSize) {
      const rows = Array.from(order.subarray(i, Math.min(nTrain, i + batchSize)));
      const xb = augment.apply(trainImages.indexSelect(0, rows), gen);
      const yb = yTrain.indexSelect(0, rows);
      const loss = F.crossEntropy(net.call(xb), yb);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sched.step();
      lossSum += loss.item() * rows.length;
    }
    const acc = accuracyOf(net, images, yTest);
    log(`epoch ${epoch}/${nEpochs}: loss ${(lossSum / nTrain).toFixed(4)}, test accuracy ${acc.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const accuracy = accuracyOf(net, images, yTest);

  // ---- Keras style: the same network and recipe from tg.layers, channels last; compile, fit, evaluate ----
  let kerasAccuracy = NaN;
  if (keras ?? !quick) {
    log('\nKeras style: tg.sequential of tg.layers (channels last, [N, 28, 28, 1]); the random layers turn, zoom and move the digits in fit only');
    tg.manualSeed(0);
    const model = kerasDigitCnn();
    model.summary(log);
    const kEpochs = kerasEpochs ?? (quick ? 1 : 15);
    // as the PyTorch-style run: Adam from 2e-3 down a cosine to 0 over every batch of every epoch (Keras' CosineDecay)
    const decaySteps = kEpochs * Math.ceil(nTrain / batchSize);
    model.compile({
      optimizer: { name: 'adam', learningRate: { name: 'cosineDecay', initialLearningRate: 2e-3, decaySteps } },
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy'],
    });
    const t0 = performance.now();
    const history = await model.fit(xTrain.reshape([-1, 28, 28, 1]), yTrain, { epochs: kEpochs, batchSize, seed: 2, verbose: 0 });
    const losses = history.history.loss as number[];
    kerasAccuracy = model.evaluate(xTest.reshape([-1, 28, 28, 1]), yTest, { batchSize: 500 }).accuracy;
    log(`Keras-style training loss ${losses[0].toFixed(4)} (epoch 1) → ${losses[losses.length - 1].toFixed(4)} (epoch ${kEpochs}); ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    log(`Keras-style test accuracy after ${kEpochs} epochs: ${kerasAccuracy.toFixed(4)}`);
  }

  // ---- pictures: the 8 learned 5×5 filters, and what each layer makes of one test digit ----
  const files = [join(dir, 'cnn-filters.svg'), join(dir, 'cnn-feature-maps.svg')];
  const w1 = net.conv1.weight.dataSync();
  writeFileSync(files[0], imageGridSvg(Array.from({ length: 8 }, (_, k) => ({ w: 5, h: 5, data: w1.subarray(k * 25, k * 25 + 25) })), 8, 40, 'conv1: the 8 learned 5×5 filters'));
  net.eval();
  const digit = images.slice(0, 0, 1);
  const [a, b] = tg.noGrad(() => net.features(digit));
  const ad = a.dataSync(), bd = b.dataSync();
  writeFileSync(files[1], imageGridSvg([
    { w: 28, h: 28, data: digit.dataSync() },
    ...Array.from({ length: 8 }, (_, k) => ({ w: 24, h: 24, data: ad.subarray(k * 576, k * 576 + 576) })),
    ...Array.from({ length: 16 }, (_, k) => ({ w: 8, h: 8, data: bd.subarray(k * 64, k * 64 + 64) })),
  ], 25, 40, `a test digit (label ${yTest.slice(0, 0, 1).item()}), its 8 conv1 maps (24×24) and 16 conv2 maps (8×8)`));
  log(`\nwrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);

  const seconds = (performance.now() - start) / 1000;
  log(`\nCNN test accuracy: ${accuracy.toFixed(4)} PyTorch style${Number.isNaN(kerasAccuracy) ? '' : `, ${kerasAccuracy.toFixed(4)} Keras style`}`);
  log(`wall time: ${seconds.toFixed(1)} s`);
  log(`test accuracy: ${accuracy.toFixed(4)}`);
  return { accuracy, kerasAccuracy, parameters, files, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // npm run example:cnn -- --epochs 8 --keras-epochs 8 --no-keras
  const arg = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? Number(process.argv[at + 1]) : undefined;
  };
  await runCnn({ epochs: arg('--epochs'), kerasEpochs: arg('--keras-epochs'), keras: !process.argv.includes('--no-keras') });
}
