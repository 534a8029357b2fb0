// Input checks for fit / evaluate / predict, run once before any training step: shapes against the
// model, finite values, row counts, and labels against the loss (the errors name the row and the fix).

import type { Tensor } from '../autograd/tensor.js';
import { assertFinite, type DataInput, describePosition, rowCount, toTensor } from '../data/arrays.js';
import type { DType } from '../tensor/dtype.js';
import type { ResolvedLoss } from './losses.js';

export const fmtBatchShape = (s: readonly number[]): string => `[null,${s.join(',')}]`;

export interface ModelFacts {
  /** The first layer's description ("layer 0 (dense)"), for shape errors. */
  inputLayer: string;
  inputShape: readonly number[] | null;
  outputShape: readonly number[];
  /** The final activation's name when known ('sigmoid', 'softmax', ...). */
  outputActivation: string | null;
  dtype: DType;
}

/** Converts x once, checking its shape against the model's input shape and that every value is finite. */
export function prepareX(x: DataInput, what: string, facts: Pick<ModelFacts, 'inputLayer' | 'inputShape' | 'dtype'>): Tensor {
  const t = toTensor(x, what, { rowShape: facts.inputShape ?? undefined, dtype: facts.dtype });
  const want = facts.inputShape;
  if (want && (t.ndim !== want.length + 1 || want.some((d, i) => t.shape[i + 1] !== d))) {
    throw new RangeError(
      `${what} has shape [${t.shape.join(',')}] but ${facts.inputLayer} expects inputs of shape ${fmtBatchShape(want)} (inputShape [${want.join(',')}])`,
    );
  }
  if (t.ndim === 0) throw new RangeError(`${what} must have a batch dimension, got a scalar`);
  assertFinite(t, what);
  return t;
}

const units = (facts: ModelFacts): number => facts.outputShape[facts.outputShape.length - 1] ?? 1;

/** Errors for a loss that cannot work with the model's output (run at compile when the shape is known, and at fit). */
export function checkLossOutput(loss: ResolvedLoss, facts: ModelFacts, where: string): void {
  const k = units(facts);
  const act = facts.outputActivation;
  const actNote = act && act !== 'linear' ? ` (a ${act})` : '';
  if (act === 'softmax' && k === 1) {
    throw new RangeError(`${where}: the output layer is a softmax over 1 unit, which always outputs 1: use a sigmoid unit for two classes, or one softmax unit per class`);
  }
  if (loss.kind === 'sparse' && k === 1) {
    throw new RangeError(
      `${where}: sparseCategoricalCrossentropy expects one output unit per class, but the model has 1 output unit${actNote}: use binaryCrossentropy for two classes with one sigmoid unit`,
    );
  }
  if (loss.kind === 'categorical' && k === 1) {
    throw new RangeError(
      `${where}: categoricalCrossentropy expects one output unit per class, but the model has 1 output unit${actNote}: use binaryCrossentropy for two classes with one sigmoid unit`,
    );
  }
}

function labelError(what: string, v: number, k: number, shape: readonly number[], need: string): never {
  throw new RangeError(`${what} has label ${v} at ${describePosition(shape, k)}, but ${need}`);
}

/**
 * Converts y once and shapes it for the loss: class indices [n] for sparse losses, else [n, ...outputShape].
 * Checks the row count against x, finiteness, and that labels suit the loss.
 */
export function prepareY(y: DataInput, what: string, n: number, loss: ResolvedLoss, facts: ModelFacts): Tensor {
  let t = toTensor(y, what, { dtype: facts.dtype });
  const rows = rowCount(t, what);
  if (rows !== n) throw new RangeError(`${what} has ${rows} rows but x has ${n}: x and y must have one row per sample`);
  assertFinite(t, what);
  const out = facts.outputShape;
  const k = units(facts);
  const perRow = out.reduce((a, b) => a * b, 1);
  const v = t.value.values();
  const name = loss.name ?? 'the loss';
  if (loss.kind === 'sparse') {
    if (t.size !== n) {
      throw new RangeError(
        `${what} has shape [${t.shape.join(',')}], but ${name} expects one class index per row (shape [${n}]); for one-hot labels use categoricalCrossentropy`,
      );
    }
    for (let i = 0; i < v.length; i++) {
      if (!Number.isInteger(v[i]) || v[i] < 0 || v[i] >= k) {
        labelError(what, v[i], i, [n], `${name} needs integer class indices in [0, ${k}) (one per output unit)`);
      }
    }
    return t.reshape([n]);
  }
  if (t.size !== n * perRow) {
    const hint = loss.kind === 'categorical' && t.size === n
      ? `; these look like class indices: use sparseCategoricalCrossentropy, or one-hot them with tg.data.oneHot(y, ${k})`
      : loss.kind === 'binary' && t.size === n && k > 1 ? '; for class indices use sparseCategoricalCrossentropy' : '';
    if (loss.kind === 'custom') return t;
    throw new RangeError(
      `${what} has shape [${t.shape.join(',')}] but the model outputs ${fmtBatchShape(out)}: ${name} needs targets with ${perRow} value${perRow === 1 ? '' : 's'} per row${hint}`,
    );
  }
  t = t.reshape([n, ...out]);
  if (loss.kind === 'binary' || loss.kind === 'categorical') {
    for (let i = 0; i < v.length; i++) {
      if (!(v[i] >= 0 && v[i] <= 1)) {
        const hint = loss.kind === 'binary' && k > 1 ? '; for class indices use sparseCategoricalCrossentropy' : '';
        labelError(what, v[i], i, t.shape, `${name} needs targets in [0, 1]${hint}`);
      }
    }
  }
  return t;
}
