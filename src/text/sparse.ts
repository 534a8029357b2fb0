// Sparse document-term rows (CSR: compressed sparse rows) and the steps vectorizers apply to them:
// counting tokens per document, re-weighting values in place, and writing a dense float32 Tensor.

import { Tensor } from '../autograd/tensor.js';
import { NDArray } from '../tensor/ndarray.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * Rows of a document-term matrix that store only the non-zero entries. Row r's column indices are
 * `indices[indptr[r] .. indptr[r+1])` (ascending), with their values at the same positions of `values`.
 */
export interface SparseRows {
  /** The number of rows (documents). */
  nRows: number;
  /** The number of columns (vocabulary size). */
  nCols: number;
  /** Row r's entries sit at positions indptr[r] .. indptr[r+1] of `indices` and `values` (length nRows + 1). */
  indptr: Int32Array;
  /** The column index of each stored entry. */
  indices: Int32Array;
  /** The value of each stored entry. */
  values: Float64Array;
}

/** Most elements a dense result may have: 2^28 float32 values are 1 GiB. */
export const MAX_DENSE_ELEMENTS = 2 ** 28;

/** Token counts per document: one sparse row per document, one column per vocabulary index. */
export function countRows(docs: readonly (readonly string[])[], vocab: Vocabulary): SparseRows {
  const indptr = new Int32Array(docs.length + 1);
  const idx: number[] = [];
  const vals: number[] = [];
  const counts = new Map<number, number>();
  docs.forEach((doc, r) => {
    counts.clear();
    for (const t of doc) {
      const j = vocab.indexOf(t);
      if (j >= 0) counts.set(j, (counts.get(j) ?? 0) + 1);
    }
    const cols = [...counts.keys()].sort((a, b) => a - b);
    for (const j of cols) {
      idx.push(j);
      vals.push(counts.get(j)!);
    }
    indptr[r + 1] = idx.length;
  });
  return { nRows: docs.length, nCols: vocab.size, indptr, indices: Int32Array.from(idx), values: Float64Array.from(vals) };
}

/** Documents containing each column's token: the number of rows where the column is non-zero. */
export function documentFrequency(rows: SparseRows): Float64Array {
  const df = new Float64Array(rows.nCols);
  for (let k = 0; k < rows.indices.length; k++) if (rows.values[k] !== 0) df[rows.indices[k]]++;
  return df;
}

/** Applies f(value, column) to every stored value, in place. */
export function mapValues(rows: SparseRows, f: (v: number, col: number) => number): SparseRows {
  const { indices, values } = rows;
  for (let k = 0; k < values.length; k++) values[k] = f(values[k], indices[k]);
  return rows;
}

/** Scales each row to unit length: L2 (Euclidean) or L1 (sum of |v|); all-zero rows stay zero. */
export function normalizeRows(rows: SparseRows, norm: 'l1' | 'l2'): SparseRows {
  const { indptr, values } = rows;
  for (let r = 0; r < rows.nRows; r++) {
    let s = 0;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) s += norm === 'l2' ? values[k] * values[k] : Math.abs(values[k]);
    const len = norm === 'l2' ? Math.sqrt(s) : s;
    if (len > 0) for (let k = indptr[r]; k < indptr[r + 1]; k++) values[k] /= len;
  }
  return rows;
}

/**
 * The rows as a dense float32 Tensor [nRows, nCols]. It needs nRows × nCols × 4 bytes (6000 documents ×
 * 5000 features: 120 MB), so a size over MAX_DENSE_ELEMENTS is refused: transform fewer texts at a time.
 */
export function toDense(rows: SparseRows, where: string): Tensor {
  const size = rows.nRows * rows.nCols;
  if (size > MAX_DENSE_ELEMENTS) {
    throw new RangeError(
      `${where}: a dense [${rows.nRows}, ${rows.nCols}] float32 matrix needs ${Math.round((size * 4) / 2 ** 20)} MiB; ` +
      'lower maxFeatures, transform the texts in smaller batches, or use transformSparse',
    );
  }
  const data = new Float32Array(size);
  const { indptr, indices, values, nCols } = rows;
  for (let r = 0; r < rows.nRows; r++) {
    const base = r * nCols;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) data[base + indices[k]] = values[k];
  }
  return new Tensor(new NDArray(data, [rows.nRows, nCols]));
}
