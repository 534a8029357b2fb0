// k-fold cross-validation splits (scikit-learn's KFold and StratifiedKFold): each row is in exactly one
// test fold; stratified folds keep every class's share. Returns row indices, to pick rows with indexSelect.

import { Tensor } from '../autograd/tensor.js';
import { type DataInput, isNumericArray, pickGenerator, type RandomSource, rowCount } from './arrays.js';

/** Options of {@link kFold}. */
export interface KFoldOptions extends RandomSource {
  /** The number of folds (default 5, at least 2). */
  nSplits?: number;
  /** Shuffle the rows (within each class when stratifying) before cutting folds (default false, as scikit-learn). */
  shuffle?: boolean;
  /** Class labels, one per row: every fold then holds each class in about the same share (StratifiedKFold). */
  stratify?: DataInput;
}

/** One split of a cross-validation: the rows to train on and the rows to test on (sorted row indices). */
export interface Fold {
  /** Training row indices, increasing. */
  train: Int32Array;
  /** Test row indices, increasing. */
  test: Int32Array;
}

function labelKeys(labels: DataInput, n: number): (string | number)[] {
  if (rowCount(labels, 'kFold: stratify') !== n) throw new RangeError(`kFold: stratify has ${rowCount(labels, 'kFold: stratify')} labels for ${n} rows`);
  if (labels instanceof Tensor) {
    if (labels.ndim !== 1) throw new RangeError(`kFold: stratify must be 1-D class labels, got shape [${labels.shape.join(',')}]`);
    return Array.from(labels.value.values());
  }
  if (isNumericArray(labels)) return Array.from(labels);
  return (labels as readonly unknown[]).map((l, i) => {
    if (typeof l === 'number' || typeof l === 'string') return l;
    throw new TypeError(`kFold: stratify label at row ${i} is not a number or string`);
  });
}

/**
 * Splits rows 0..n-1 into nSplits folds and returns, per fold, the training and test row indices.
 * Plain folds are consecutive blocks (the first n % nSplits folds one row larger). Stratified folds
 * deal each class's rows out as scikit-learn's StratifiedKFold does: rows sorted by class are dealt
 * round-robin to decide how many of each class every fold gets, then each class fills its fold slots in order.
 * @param x the rows (anything with a row count) or the number of rows.
 * @example
 * ```ts
 * const y = tg.tensor([0, 0, 0, 1, 1, 1]);
 * for (const { train, test } of tg.data.kFold(y, { nSplits: 3, stratify: y, shuffle: true, seed: 0 })) {
 *   const yTrain = y.indexSelect(0, train); // 4 rows, two of each class
 *   const yTest = y.indexSelect(0, test);
 * }
 * ```
 */
export function kFold(x: DataInput | number, options: KFoldOptions = {}): Fold[] {
  const n = typeof x === 'number' ? x : rowCount(x, 'kFold: x');
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`kFold: the number of rows must be a positive integer, got ${n}`);
  const k = options.nSplits ?? 5;
  if (!Number.isSafeInteger(k) || k < 2) throw new RangeError(`kFold: nSplits must be an integer ≥ 2, got ${k}`);
  if (k > n) throw new RangeError(`kFold: nSplits ${k} is more than the ${n} rows`);
  const shuffle = options.shuffle ?? false;
  if (!shuffle && (options.seed !== undefined || options.generator !== undefined)) {
    throw new RangeError('kFold: seed and generator only matter with shuffle: true');
  }
  const gen = pickGenerator(options);
  const testFold = new Int32Array(n);
  if (options.stratify === undefined) {
    const order = shuffle ? gen.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    let at = 0;
    for (let f = 0; f < k; f++) {
      const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
      for (let i = 0; i < size; i++) testFold[order[at++]] = f;
    }
  } else {
    const keys = labelKeys(options.stratify, n);
    const classes = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const members = classes.map((c) => keys.flatMap((kk, i) => (kk === c ? [i] : [])));
    if (members.every((m) => m.length < k)) {
      throw new RangeError(`kFold: nSplits ${k} is more than the rows of every class (largest class: ${Math.max(...members.map((m) => m.length))})`);
    }
    // how many rows of each class each fold gets: deal the class-sorted rows round-robin over the folds
    const sortedClass = members.flatMap((m, c) => m.map(() => c));
    const alloc = Array.from({ length: k }, () => new Array<number>(classes.length).fill(0));
    sortedClass.forEach((c, i) => { alloc[i % k][c]++; });
    members.forEach((rows, c) => {
      const order = shuffle ? Array.from(gen.permutation(rows.length), (i) => rows[i]) : rows;
      let at = 0;
      for (let f = 0; f < k; f++) for (let j = 0; j < alloc[f][c]; j++) testFold[order[at++]] = f;
    });
  }
  return Array.from({ length: k }, (_, f) => {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < n; i++) (testFold[i] === f ? test : train).push(i);
    return { train: Int32Array.from(train), test: Int32Array.from(test) };
  });
}
