// Splitting and shuffling rows: trainTestSplit (optionally stratified) and shuffle, seeded.
// Inputs keep their kind: a Tensor gives Tensors, an array gives arrays, a typed array the same typed array.

import { Tensor } from '../autograd/tensor.js';
import type { Generator } from '../tensor/random.js';
import { type DataInput, isNumericArray, pickGenerator, type RandomSource, rowCount, takeRows } from './arrays.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** Options for {@link trainTestSplit}: test size, shuffling, stratification and the random source. */
export interface TrainTestSplitOptions extends RandomSource {
  /** A fraction in (0, 1) of the rows (rounded up, as scikit-learn), or a row count ≥ 1. Default 0.25. */
  testSize?: number;
  /** Shuffle before splitting (default true); without it the test set is the last rows. */
  shuffle?: boolean;
  /** Class labels (one per row) whose proportions both parts keep. Needs shuffle. */
  stratify?: DataInput;
}

/** The four parts {@link trainTestSplit} returns, each of the same kind as the input (Tensor, array or typed array). */
export interface TrainTestSplit<X, Y> {
  /** The training rows of x. */
  xTrain: X;
  /** The test rows of x. */
  xTest: X;
  /** The training rows of y. */
  yTrain: Y;
  /** The test rows of y. */
  yTest: Y;
}

function testCount(n: number, testSize: number): number {
  let nTest: number;
  if (Number.isInteger(testSize) && testSize >= 1) nTest = testSize;
  else if (testSize > 0 && testSize < 1) nTest = Math.ceil(testSize * n);
  else throw new RangeError(`trainTestSplit: testSize must be a fraction in (0, 1) or a row count ≥ 1, got ${testSize}`);
  if (nTest >= n) {
    throw new RangeError(`trainTestSplit: testSize ${testSize} leaves no training rows out of ${n}`);
  }
  return nTest;
}

/** A hashable key per row of the stratify labels (rows of a 2-D input, e.g. one-hot, are joined). */
function classKeys(labels: DataInput, n: number): (string | number)[] {
  if (rowCount(labels, 'trainTestSplit: stratify') !== n) {
    throw new RangeError(`trainTestSplit: stratify has ${rowCount(labels, 'stratify')} labels for ${n} rows`);
  }
  if (labels instanceof Tensor) {
    const v = labels.value.values();
    const per = labels.ndim <= 1 ? 1 : v.length / n;
    if (per === 1) return Array.from(v);
    return Array.from({ length: n }, (_, i) => Array.from(v.subarray(i * per, (i + 1) * per)).join(','));
  }
  if (isNumericArray(labels)) return Array.from(labels);
  return (labels as readonly unknown[]).map((l, i) => {
    if (typeof l === 'number' || typeof l === 'string') return l;
    if (typeof l === 'boolean') return l ? 1 : 0;
    if (Array.isArray(l)) return l.join(',');
    throw new TypeError(`trainTestSplit: stratify label at row ${i} is not a number or string`);
  });
}

/**
 * Picks test rows class by class: each class gets its share of nTest (largest remainders first), so
 * both parts keep the class proportions to within one row per class.
 */
function stratifiedIndices(keys: (string | number)[], nTest: number, gen: Generator): { train: number[]; test: number[] } {
  const n = keys.length;
  const groups = new Map<string | number, number[]>();
  keys.forEach((k, i) => {
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  const classes = [...groups.entries()];
  for (const [k, rows] of classes) {
    if (rows.length < 2) throw new RangeError(`trainTestSplit: class ${JSON.stringify(k)} has only 1 row; stratify needs at least 2 per class`);
  }
  if (nTest < classes.length || n - nTest < classes.length) {
    throw new RangeError(`trainTestSplit: with ${classes.length} classes both parts need at least ${classes.length} rows (test ${nTest}, train ${n - nTest})`);
  }
  const alloc = classes.map(([, rows]) => Math.floor((nTest * rows.length) / n));
  let left = nTest - alloc.reduce((a, b) => a + b, 0);
  const order = classes
    .map(([, rows], c) => ({ c, frac: (nTest * rows.length) / n - alloc[c], size: rows.length }))
    .sort((a, b) => b.frac - a.frac || b.size - a.size || a.c - b.c);
  for (const { c } of order) {
    if (left === 0) break;
    alloc[c]++;
    left--;
  }
  const train: number[] = [];
  const test: number[] = [];
  classes.forEach(([, rows], c) => {
    const perm = gen.permutation(rows.length);
    for (let i = 0; i < rows.length; i++) (i < alloc[c] ? test : train).push(rows[perm[i]]);
  });
  // mix the classes so neither part comes out sorted by class
  const mix = (rows: number[]) => Array.from(gen.permutation(rows.length), (i) => rows[i]);
  return { train: mix(train), test: mix(test) };
}

/**
 * Splits rows into train and test parts (scikit-learn's train_test_split).
 * @example const { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 0.2, seed: 0 });
 */
const SPLIT_OPTIONS = optionKeys<TrainTestSplitOptions>({ testSize: true, shuffle: true, stratify: true, seed: true, generator: true });

export function trainTestSplit<X extends DataInput, Y extends DataInput>(
  x: X, y: Y, options: TrainTestSplitOptions = {},
): TrainTestSplit<X, Y> {
  checkOptions('trainTestSplit', options, SPLIT_OPTIONS);
  const n = rowCount(x, 'trainTestSplit: x');
  const ny = rowCount(y, 'trainTestSplit: y');
  if (n !== ny) throw new RangeError(`trainTestSplit: x has ${n} rows but y has ${ny}`);
  const nTest = testCount(n, options.testSize ?? 0.25);
  const doShuffle = options.shuffle ?? true;
  let train: ArrayLike<number>;
  let test: ArrayLike<number>;
  if (options.stratify !== undefined) {
    if (!doShuffle) throw new RangeError('trainTestSplit: stratify needs shuffle: true');
    ({ train, test } = stratifiedIndices(classKeys(options.stratify, n), nTest, pickGenerator(options)));
  } else {
    const perm = doShuffle ? pickGenerator(options).permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    train = perm.subarray(0, n - nTest);
    test = perm.subarray(n - nTest);
  }
  return { xTrain: takeRows(x, train), xTest: takeRows(x, test), yTrain: takeRows(y, train), yTest: takeRows(y, test) };
}

/**
 * Shuffles the rows of x (and of y with the same permutation); the results keep the inputs' kind.
 * Throws a RangeError when x and y have different row counts.
 * @property __type.x The rows of x in the new order.
 * @property __type.y The rows of y in the same order (undefined when no y was given).
 * @example
 * ```ts
 * const { x: xs, y: ys } = tg.data.shuffle(x, y, { seed: 0 });
 * ```
 */
export function shuffle<X extends DataInput, Y extends DataInput = X>(
  x: X, y?: Y, options: RandomSource = {},
): { x: X; y: Y | undefined } {
  const n = rowCount(x, 'shuffle: x');
  if (y !== undefined && rowCount(y, 'shuffle: y') !== n) {
    throw new RangeError(`shuffle: x has ${n} rows but y has ${rowCount(y, 'shuffle: y')}`);
  }
  const perm = pickGenerator(options).permutation(n);
  return { x: takeRows(x, perm), y: y === undefined ? undefined : takeRows(y, perm) };
}
