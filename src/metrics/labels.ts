// Reading labels and scores for tg.metrics: class labels from a Tensor, an array or a typed array (2-D
// scores become their row argmax), scores as rows, and the sorted set of labels seen, as scikit-learn.

import { Tensor } from '../autograd/tensor.js';

/** Labels or scores as tg.metrics accepts them: a Tensor, a (nested) number array or a typed array. */
export type MetricInput = Tensor | ArrayLike<number> | readonly (readonly number[])[];

/** Reads 1-D class labels; a 2-D input of scores (e.g. model.predict output) gives each row's argmax. */
export function readLabels(v: MetricInput, what: string): Float64Array {
  const { data, rows, cols } = readMatrix(v, what);
  if (cols === 0) return data;
  if (cols === 1) return data; // a column of labels
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < cols; j++) if (data[r * cols + j] > data[r * cols + best]) best = j;
    out[r] = best;
  }
  return out;
}

/**
 * Reads a 1-D vector (cols 0) or a 2-D matrix (rows × cols), as float64 values, checking that every
 * value is a finite number.
 */
export function readMatrix(v: MetricInput, what: string): { data: Float64Array; rows: number; cols: number } {
  let data: Float64Array;
  let shape: number[];
  if (v instanceof Tensor) {
    if (v.ndim < 1 || v.ndim > 2) throw new RangeError(`${what}: expected a 1-D or 2-D tensor, got shape [${v.shape.join(',')}]`);
    data = Float64Array.from(v.detach().contiguous().value.values());
    shape = [...v.shape];
  } else if (Array.isArray(v) && v.length > 0 && Array.isArray(v[0])) {
    const rows = v as readonly (readonly number[])[];
    const cols = rows[0].length;
    data = new Float64Array(rows.length * cols);
    rows.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== cols) throw new RangeError(`${what}: row ${r} has ${Array.isArray(row) ? row.length : 'no'} values, row 0 has ${cols}`);
      for (let j = 0; j < cols; j++) data[r * cols + j] = row[j];
    });
    shape = [rows.length, cols];
  } else if (v !== null && typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number') {
    data = Float64Array.from(v as ArrayLike<number>);
    shape = [data.length];
  } else {
    throw new TypeError(`${what}: expected a Tensor, an array or a typed array, got ${v === null ? 'null' : typeof v}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new RangeError(`${what}: value ${i} is ${data[i]}; metrics need finite numbers`);
  }
  return { data, rows: shape[0], cols: shape.length === 2 ? shape[1] : 0 };
}

/** Checks that two label vectors have the same length. */
export function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, where: string, names = ['yTrue', 'yPred']): void {
  if (a.length !== b.length) throw new RangeError(`${where}: ${names[0]} has ${a.length} rows but ${names[1]} has ${b.length}`);
  if (a.length === 0) throw new RangeError(`${where}: no rows`);
}

/** The sorted distinct values of the given label vectors (scikit-learn's unique_labels). */
export function uniqueLabels(...vectors: ArrayLike<number>[]): number[] {
  const set = new Set<number>();
  for (const v of vectors) for (let i = 0; i < v.length; i++) set.add(v[i]);
  return [...set].sort((a, b) => a - b);
}
