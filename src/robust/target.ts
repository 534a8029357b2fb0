// What an attack needs from a model: a differentiable loss of (x, y), the predicted classes, and the
// checks on ε, the labels and the model's mode. Works for nn Modules and Keras-style Models alike.

import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import type { DataInput } from '../data/arrays.js';
import { toTensor } from '../data/arrays.js';
import { Model } from '../keras/model.js';
import { prepareData } from '../keras/training.js';
import { crossEntropy } from '../nn/functional.js';
import type { DType } from '../tensor/dtype.js';
import type { Module } from '../nn/module.js';

/** A loss for an attack: the model's output and the labels to a scalar Tensor (larger = more wrong). */
export type AttackLoss = (output: Tensor, y: Tensor) => Tensor;

/** The model and labels of an attack, checked and ready: the loss as a function of the input. */
export interface AttackTarget {
  /** The labels as a tensor, one row per input row. */
  y: Tensor;
  /** The inputs, detached. */
  x: Tensor;
  /** The loss of rows `x` (a slice of the inputs) against labels `y` (the same rows), on the tape. */
  loss(x: Tensor, y: Tensor): Tensor;
  /** Runs `fn` with the model in the mode the attack uses, then puts the model's mode back. */
  inMode<T>(fn: () => T): T;
}

/** Checks ε: a finite number ≥ 0. */
export function checkEpsilon(epsilon: unknown, where: string, name = 'epsilon'): number {
  if (typeof epsilon !== 'number' || !(epsilon >= 0) || !Number.isFinite(epsilon)) {
    throw new RangeError(`${where}: ${name} must be a finite number ≥ 0, got ${String(epsilon)}`);
  }
  return epsilon;
}

/** Checks the valid input range [clipMin, clipMax] (either bound may be left out). */
export function checkRange(clipMin: number | undefined, clipMax: number | undefined, where: string): void {
  for (const [k, v] of [['clipMin', clipMin], ['clipMax', clipMax]] as const) {
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) throw new RangeError(`${where}: ${k} must be a number, got ${String(v)}`);
  }
  if (clipMin !== undefined && clipMax !== undefined && !(clipMin < clipMax)) throw new RangeError(`${where}: clipMin ${clipMin} must be below clipMax ${clipMax}`);
}

/**
 * Prepares an attack on `model`. A Keras-style Model uses its compiled loss (from logits when the last layer
 * is a softmax or sigmoid, as fit does) and runs in inference mode during the attack, as predict does. An nn
 * Module must be in eval mode: in training mode dropout would drop different units at every gradient step
 * (the attack would chase noise) and batch norm would normalize with the batch's statistics and update its
 * running averages with adversarial data; so it is an error, and the message says to call model.eval().
 * Its default loss is crossEntropy on the outputs as logits with class-index labels.
 */
export function attackTarget(model: Module, xIn: DataInput, yIn: DataInput, loss: AttackLoss | undefined, where: string): AttackTarget {
  if (model === null || typeof model !== 'object' || typeof (model as Module).forward !== 'function') {
    throw new TypeError(`${where}: expected an nn Module or a Keras-style model (tg.sequential / tg.model), got ${model === null ? 'null' : typeof model}`);
  }
  if (loss !== undefined && typeof loss !== 'function') throw new TypeError(`${where}: loss must be a function (output, y) => scalar Tensor`);
  if (model instanceof Model) {
    if (!model.compiled && !loss) throw new Error(`${where}: the model is not compiled, so it has no loss to attack; compile it or pass { loss: (output, y) => tensor }`);
    let x: Tensor;
    let y: Tensor;
    if (model.compiled) {
      const p = prepareData(model, xIn, yIn, where);
      if (p.xs.length !== 1 || p.ys.length !== 1) throw new RangeError(`${where}: attacks take models with one input and one output; this one has ${p.xs.length} and ${p.ys.length}`);
      [x, y] = [p.xs[0], p.ys[0]];
    }
    else {
      x = toTensor(xIn, `${where}: x`);
      y = toTensor(yIn, `${where}: y`);
      if (!model.built) model.build(x.shape.slice(1));
    }
    const compiled = model.compiled;
    return {
      x, y,
      loss: (xb, yb) => {
        if (loss) return loss(model.forward(xb), yb);
        const { out, logits } = model.forwardWithLogits(xb);
        return compiled!.loss.compute(out, yb, logits);
      },
      inMode: (fn) => {
        const was = model.training;
        model.eval();
        try {
          return fn();
        } finally {
          model.train(was);
        }
      },
    };
  }
  if (model.training) {
    throw new Error(
      `${where}: the model is in training mode; call model.eval() first. In training mode dropout drops different units at every ` +
      'gradient step (the attack would follow random masks) and batch norm normalizes with the batch statistics and updates its running ' +
      'averages with the adversarial inputs',
    );
  }
  const x = toTensor(xIn, `${where}: x`);
  const y = toTensor(yIn, `${where}: y`);
  if (x.ndim < 1 || y.ndim < 1 || y.shape[0] !== x.shape[0]) {
    throw new RangeError(`${where}: x has ${x.shape[0] ?? 0} rows but y has ${y.shape[0] ?? 0}: one label per input row`);
  }
  if (!loss) {
    // default crossEntropy: check the labels against the number of outputs once, with a clear message
    const out = noGrad(() => model.forward(x.slice(0, 0, 1)));
    if (out.ndim !== 2) throw new RangeError(`${where}: the default loss (crossEntropy on logits) needs outputs [rows, classes], got [${out.shape.join(',')}]; pass { loss }`);
    const k = out.shape[1];
    if (y.ndim !== 1) throw new RangeError(`${where}: y must be class indices of shape [${x.shape[0]}] for the default crossEntropy loss, got [${y.shape.join(',')}]`);
    const v = y.value.values();
    for (let i = 0; i < v.length; i++) {
      if (!Number.isInteger(v[i]) || v[i] < 0 || v[i] >= k) throw new RangeError(`${where}: y[${i}] = ${v[i]} is not a class index of the model's ${k} outputs (integers in [0, ${k}))`);
    }
  }
  return {
    x, y,
    loss: (xb, yb) => (loss ? loss(model.forward(xb), yb) : crossEntropy(model.forward(xb), yb)),
    inMode: (fn) => fn(),
  };
}

/** Predicted classes (argmax of the outputs; for a single unit, above 0.5 for a Keras model, above 0 for a Module) for rows of x, in batches, no tape. */
export function predictClasses(model: Module, x: Tensor, batchSize = 500): Int32Array {
  const n = x.shape[0];
  const out = new Int32Array(n);
  const threshold = model instanceof Model ? 0.5 : 0; // a Keras model's single unit is a sigmoid probability, a Module's a logit
  const was = model.training;
  if (model instanceof Model) model.eval();
  try {
    noGrad(() => {
      for (let s = 0; s < n; s += batchSize) {
        const o = model.forward(x.slice(0, s, Math.min(n, s + batchSize)).contiguous());
        const v = o.value.values();
        const k = o.ndim === 1 ? 1 : o.shape[o.ndim - 1];
        const rows = v.length / k;
        for (let r = 0; r < rows; r++) {
          if (k === 1) out[s + r] = v[r] > threshold ? 1 : 0;
          else {
            let best = 0;
            for (let j = 1; j < k; j++) if (v[r * k + j] > v[r * k + best]) best = j;
            out[s + r] = best;
          }
        }
      }
    });
  } finally {
    if (model instanceof Model) model.train(was);
  }
  return out;
}

/** Wraps an array as a tensor of the given shape and dtype. */
export function tensorLike(data: Float32Array | Float64Array, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(toTensor(data, 'tensor', { shape: [...shape], dtype }).value);
}

/** Checks that the clean inputs lie in the valid range, so that the result can stay in both the ε-ball and the range. */
export function checkInRange(x: ArrayLike<number>, lo: number | undefined, hi: number | undefined, where: string): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) throw new RangeError(`${where}: x holds NaN at element ${i}`);
    if ((lo !== undefined && v < lo) || (hi !== undefined && v > hi)) {
      throw new RangeError(`${where}: x[${i}] = ${v} lies outside [clipMin, clipMax] = [${lo ?? '-∞'}, ${hi ?? '∞'}]; scale the inputs or widen the range`);
    }
  }
}
