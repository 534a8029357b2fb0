// The seed's 320×320 images with a convolutional network on the raw pixels (no hand-made features):
// average pooling, a strided convolution, then dilated convolutions and global pooling (Keras style,
// channels last). First today's task (squares vs discs, examples/seed.ts), then a harder variant where
// the sorted-row-means features fail: squares and discs of EQUAL AREA, squares rotated, both placed
// anywhere. Last, a table of receptive field, parameters and accuracy for dilation rates 1-1-1, 1-2-4
// and 2-4-8 (the same parameter count), the receptive fields computed from the layers' configs.
// Run: npm run example:seed-cnn (or npx tsx examples/seed-cnn.ts)

import { pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';
import { makeShapeImages, paintShapes, rowProfiles } from './seed.js';

const SIZE = 320;

export interface SeedCnnOptions {
  /** A small run for the tests: 48 images per task, 1 epoch, one row of the dilation table. */
  quick?: boolean;
  log?: (line: string) => void;
  /** Unused: this example writes no pictures (kept so every example takes the same options). */
  outDir?: string;
  /** Epochs of each CNN (default 8). */
  epochs?: number;
}

/** One row of the dilation table. */
export interface DilationRow {
  dilations: number[];
  /** Receptive field of one output of the last conv layer, in pixels of the 320×320 image. */
  receptiveField: number;
  parameters: number;
  accuracy: number;
}

export interface SeedCnnResult {
  /** The CNN's test accuracy on today's task (squares vs discs, as in examples/seed.ts). */
  easyAccuracy: number;
  /** On the harder variant: the MLP on sorted row means, and the CNN (dilations 1-2-4). */
  hardFeatureAccuracy: number;
  hardCnnAccuracy: number;
  table: DilationRow[];
  seconds: number;
}

/**
 * The harder variant: n images of SIZE × SIZE, a bright square (label 0) or disc (label 1), alternating, each
 * of an area drawn from the same range (side 60–150 px for a square, the disc of the same area), the square
 * rotated by a random angle, both centred anywhere the shape fits; uniform noise in [−0.2, 0.2] as in seed.ts.
 */
export function makeHardShapeImages(n: number, seed: number): { pixels: Float32Array; labels: Float32Array } {
  return paintShapes(n, seed, (gen, disc) => {
    const side = 60 + 90 * gen.random();
    const radius = side / Math.sqrt(Math.PI); // the disc with the square's area
    const angle = (Math.PI / 2) * gen.random();
    const reach = disc ? radius : (side / 2) * Math.SQRT2; // the farthest a shape's pixel can be from its centre
    const cx = reach + (SIZE - 2 * reach) * gen.random();
    const cy = reach + (SIZE - 2 * reach) * gen.random();
    const cos = Math.cos(angle), sin = Math.sin(angle);
    const inside = disc
      ? (dx: number, dy: number) => dx * dx + dy * dy <= radius * radius
      : (dx: number, dy: number) => Math.abs(cos * dx + sin * dy) <= side / 2 && Math.abs(-sin * dx + cos * dy) <= side / 2;
    return { cx, cy, reach, inside };
  });
}

/**
 * The CNN: average pooling by 5 (320 → 64), a 5×5 convolution with stride 2 (→ 32×32), three 3×3
 * convolutions with the given dilation rates ('same' padding keeps 32×32), global max pooling, and one
 * sigmoid unit. Every variant has the same weights; only where the kernels' taps sit differs.
 */
export function shapeCnn(dilations: readonly number[], filters = 8): tg.Model {
  return tg.sequential([
    tg.layers.averagePooling2d({ poolSize: 5, inputShape: [SIZE, SIZE, 1] }),
    tg.layers.conv2d({ filters, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' }),
    ...dilations.map((d) => tg.layers.conv2d({ filters, kernelSize: 3, dilationRate: d, padding: 'same', activation: 'relu' })),
    tg.layers.globalMaxPooling2d(),
    tg.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
}

/**
 * The receptive field of one output of the last spatial layer, in input pixels, from the layers' configs:
 * each layer widens it by (kernel − 1)·dilation steps of the current jump, and multiplies the jump by its stride.
 */
export function receptiveField(model: tg.Model): number {
  let field = 1, jump = 1;
  for (const layer of model.layers) {
    const c = layer.getConfig() as { kernelSize?: number[]; poolSize?: number[]; strides?: number[]; dilationRate?: number[] };
    const k = c.kernelSize?.[0] ?? c.poolSize?.[0];
    if (k === undefined) continue;
    const d = c.dilationRate?.[0] ?? 1;
    const s = c.strides?.[0] ?? (c.poolSize ? k : 1);
    field += (k - 1) * d * jump;
    jump *= s;
  }
  return field;
}

/** Pixels [n, 320·320] as channels-last images, split 75/25 (seeded, stratified, the same split as seed.ts). */
function imageSplit(pixels: Float32Array, labels: Float32Array) {
  const y = tg.tensor(labels);
  const x = tg.tensor(pixels, { shape: [labels.length, SIZE, SIZE, 1] });
  return tg.data.trainTestSplit(x, y, { testSize: 0.25, stratify: y, seed: 0 });
}

async function trainCnn(model: tg.Model, split: ReturnType<typeof imageSplit>, epochs: number): Promise<number> {
  model.compile({ optimizer: { name: 'adam', learningRate: 3e-3 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.fit(split.xTrain, split.yTrain, { epochs, batchSize: 16, seed: 1, verbose: 0 });
  return model.evaluate(split.xTest, split.yTest, { batchSize: 50 }).accuracy;
}

/** The seed example's MLP on the 320 sorted row means, for comparison. */
async function featureAccuracy(pixels: Float32Array, labels: Float32Array): Promise<number> {
  const n = labels.length;
  const y = tg.tensor(labels);
  const x = tg.tensor(rowProfiles(pixels, n, true), { shape: [n, SIZE] });
  const split = tg.data.trainTestSplit(x, y, { testSize: 0.25, stratify: y, seed: 0 });
  const scaler = tg.data.StandardScaler.fit(split.xTrain);
  const model = tg.sequential([
    tg.layers.dense({ units: 32, activation: 'relu', inputShape: [SIZE] }),
    tg.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.fit(scaler.transform(split.xTrain), split.yTrain, { epochs: 50, batchSize: 32, seed: 1, verbose: 0 });
  return model.evaluate(scaler.transform(split.xTest), split.yTest).accuracy;
}

export async function runSeedCnn({ quick = false, log = console.log, epochs }: SeedCnnOptions = {}): Promise<SeedCnnResult> {
  const start = performance.now();
  const n = quick ? 48 : 800;
  const nEpochs = epochs ?? (quick ? 1 : 8);
  const secs = () => `${((performance.now() - start) / 1000).toFixed(0)} s`;

  log(`1. Today's task: ${n} images of ${SIZE}×${SIZE} (squares 0, discs 1; examples/seed.ts), a CNN on the pixels`);
  tg.manualSeed(0);
  const easy = makeShapeImages(n, 42);
  const cnn = shapeCnn([1, 2, 4]);
  cnn.summary(log);
  const easyAccuracy = await trainCnn(cnn, imageSplit(easy.pixels, easy.labels), nEpochs);
  log(`CNN test accuracy: ${easyAccuracy.toFixed(4)} (${secs()})`);

  log(`\n2. The harder variant: equal-area squares and discs, squares rotated, both anywhere (${n} images)`);
  const hard = makeHardShapeImages(n, 43);
  const hardFeatureAccuracy = await featureAccuracy(hard.pixels, hard.labels);
  log(`MLP on the 320 sorted row means: ${hardFeatureAccuracy.toFixed(4)}`);
  const hardSplit = imageSplit(hard.pixels, hard.labels);

  log('\n3. Dilation widens the receptive field at the same parameter count (harder variant)');
  const table: DilationRow[] = [];
  for (const dilations of quick ? [[1, 2, 4]] : [[1, 1, 1], [1, 2, 4], [2, 4, 8]]) {
    tg.manualSeed(0);
    const model = shapeCnn(dilations);
    const parameters = model.parameters().reduce((s, p) => s + p.size, 0);
    const accuracy = await trainCnn(model, hardSplit, nEpochs);
    table.push({ dilations, receptiveField: receptiveField(model), parameters, accuracy });
    log(`  dilations ${dilations.join('-')}: accuracy ${accuracy.toFixed(4)} (${secs()})`);
  }
  const hardCnnAccuracy = table.find((r) => r.dilations.join() === '1,2,4')!.accuracy;

  log('\n| dilation rates | receptive field (px of 320) | parameters | test accuracy |');
  log('| --- | --- | --- | --- |');
  for (const r of table) log(`| ${r.dilations.join(', ')} | ${r.receptiveField} | ${r.parameters} | ${r.accuracy.toFixed(4)} |`);
  log('\ntask                                       model                     test accuracy');
  log(`squares vs discs (seed.ts)                 CNN on pixels             ${easyAccuracy.toFixed(4)}`);
  log(`equal-area, rotated, anywhere              MLP on sorted row means   ${hardFeatureAccuracy.toFixed(4)}`);
  log(`equal-area, rotated, anywhere              CNN on pixels (1-2-4)     ${hardCnnAccuracy.toFixed(4)}`);
  const seconds = (performance.now() - start) / 1000;
  log(`wall time: ${seconds.toFixed(1)} s`);
  log(`test accuracy: ${Math.min(easyAccuracy, hardCnnAccuracy).toFixed(4)}`);
  return { easyAccuracy, hardFeatureAccuracy, hardCnnAccuracy, table, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--epochs');
  await runSeedCnn({ epochs: at > 0 ? Number(process.argv[at + 1]) : undefined });
}
