// Adversarial examples: FGSM (one step along the sign of the input gradient) and PGD (many projected steps
// inside an L∞ or L2 ball of radius ε, from a random start), for nn Modules and Keras-style models.

import { Tensor } from '../autograd/tensor.js';
import { grad } from '../autograd/grad.js';
import type { DataInput } from '../data/arrays.js';
import type { Module } from '../nn/module.js';
import type { DType } from '../tensor/dtype.js';
import { Generator } from '../tensor/random.js';
import { clipInPlace, projectInPlace as project, randomStartInPlace as randomStart } from '../keras/adversarial.js';
import { type AttackLoss, attackTarget, checkEpsilon, checkInRange, checkRange, tensorLike } from './target.js';

/** Options of {@link fgsm}. */
export interface FgsmOptions {
  /** The size of the perturbation in the L∞ norm (each input value moves by exactly ε before clipping). */
  epsilon: number;
  /** The loss to increase: (output, y) => scalar Tensor. Default: a Keras model's compiled loss, else crossEntropy on logits. */
  loss?: AttackLoss;
  /** The smallest valid input value (e.g. 0 for pixels in [0, 1]); default: no lower bound. */
  clipMin?: number;
  /** The largest valid input value (e.g. 1); default: no upper bound. */
  clipMax?: number;
  /** Rows per gradient computation (default 256). */
  batchSize?: number;
}

/** Options of {@link pgd}. */
export interface PgdOptions extends FgsmOptions {
  /** The step size (default 2.5·ε/steps, as Madry et al.). */
  alpha?: number;
  /** Gradient steps (default 10). */
  steps?: number;
  /** The threat model: 'linf' (default; max |δᵢ| ≤ ε, steps along sign(∇)) or 'l2' (‖δ‖₂ ≤ ε per row, steps along ∇/‖∇‖₂). */
  norm?: 'linf' | 'l2';
  /** Start from a uniformly random point of the ε-ball (default true). */
  randomStart?: boolean;
  /** Seed of the random start (default 0); the same seed gives the same adversarial examples. */
  seed?: number;
}

const KNOWN_FGSM = ['epsilon', 'loss', 'clipMin', 'clipMax', 'batchSize'];
const KNOWN_PGD = [...KNOWN_FGSM, 'alpha', 'steps', 'norm', 'randomStart', 'seed'];

function checkKnown(options: object, known: string[], where: string): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: expected options { epsilon, ... }`);
  for (const k of Object.keys(options)) if (!known.includes(k)) throw new RangeError(`${where}: unknown option ${JSON.stringify(k)} (options: ${known.join(', ')})`);
}

function positiveInt(v: number, name: string, where: string): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${where}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/** The gradient of the attack loss with respect to rows of x (a fresh leaf, so parameters' .grad is untouched). */
function inputGradient(lossOf: (x: Tensor, y: Tensor) => Tensor, x: Float32Array, shape: number[], dtype: DType, y: Tensor, where: string): Float32Array {
  const leaf = new Tensor(tensorLike(x, shape, dtype).value, true);
  const loss = lossOf(leaf, y);
  if (loss.size !== 1) throw new RangeError(`${where}: the loss must be a scalar, got shape [${loss.shape.join(',')}]`);
  if (!loss.requiresGrad) throw new Error(`${where}: the loss does not depend on the input (is the model's forward cut off from the tape?)`);
  const [g] = grad(loss, [leaf], { allowUnused: true });
  return Float32Array.from(g.value.values());
}

/** Rows of a float32 copy of x, start..end, with their shape. */
function rowsOf(x: Float32Array, shape: readonly number[], start: number, end: number): { data: Float32Array; shape: number[] } {
  const per = x.length / shape[0];
  return { data: x.slice(start * per, end * per), shape: [end - start, ...shape.slice(1)] };
}

/**
 * The fast gradient sign method (Goodfellow et al., 2015): x' = clip(x + ε·sign(∇ₓL(f(x), y)), clipMin, clipMax).
 * One gradient per row; where the gradient is exactly 0 the value stays put (sign 0).
 * @returns the adversarial inputs, a new tensor of x's shape.
 * @example
 * ```ts
 * const net = tg.sequential([tg.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })]);
 * net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
 * const x = tg.rand([8, 4]);
 * const y = tg.tensor([0, 1, 2, 0, 1, 2, 0, 1]);
 * const xAdv = tg.robust.fgsm(net, x, y, { epsilon: 0.1, clipMin: 0, clipMax: 1 });
 * ```
 */
export function fgsm(model: Module, x: DataInput, y: DataInput, options: FgsmOptions): Tensor {
  const where = 'fgsm';
  checkKnown(options, KNOWN_FGSM, where);
  const eps = checkEpsilon(options.epsilon, where);
  checkRange(options.clipMin, options.clipMax, where);
  const batchSize = positiveInt(options.batchSize ?? 256, 'batchSize', where);
  const target = attackTarget(model, x, y, options.loss, where);
  const shape = target.x.shape;
  const x0 = Float32Array.from(target.x.contiguous().value.values());
  checkInRange(x0, options.clipMin, options.clipMax, where);
  const out = new Float32Array(x0.length);
  target.inMode(() => {
    for (let s = 0; s < shape[0]; s += batchSize) {
      const e = Math.min(shape[0], s + batchSize);
      const rows = rowsOf(x0, shape, s, e);
      const g = inputGradient(target.loss, rows.data, rows.shape, target.x.dtype, target.y.slice(0, s, e).contiguous(), where);
      for (let i = 0; i < g.length; i++) rows.data[i] += eps * Math.sign(g[i]);
      clipInPlace(rows.data, options.clipMin, options.clipMax);
      out.set(rows.data, s * (x0.length / shape[0]));
    }
  });
  return tensorLike(out, shape, target.x.dtype);
}

/**
 * Projected gradient descent (Madry et al., 2018): from a random point of the ε-ball around x (randomStart),
 * `steps` times x ← Π(x + α·sign(∇ₓL)) for 'linf', or x ← Π(x + α·∇ₓL/‖∇ₓL‖₂) for 'l2', where Π projects back
 * onto the ε-ball around the original x and then clips into [clipMin, clipMax]. The result never leaves either.
 * @returns the adversarial inputs, a new tensor of x's shape.
 */
export function pgd(model: Module, x: DataInput, y: DataInput, options: PgdOptions): Tensor {
  const where = 'pgd';
  checkKnown(options, KNOWN_PGD, where);
  const eps = checkEpsilon(options.epsilon, where);
  checkRange(options.clipMin, options.clipMax, where);
  const steps = positiveInt(options.steps ?? 10, 'steps', where);
  const alpha = checkEpsilon(options.alpha ?? (2.5 * eps) / steps, where, 'alpha');
  const norm = options.norm ?? 'linf';
  if (norm !== 'linf' && norm !== 'l2') throw new RangeError(`${where}: norm must be 'linf' or 'l2', got ${JSON.stringify(norm)}`);
  const batchSize = positiveInt(options.batchSize ?? 256, 'batchSize', where);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`${where}: seed must be a number, got ${seed}`);
  const gen = new Generator(seed);
  const target = attackTarget(model, x, y, options.loss, where);
  const shape = target.x.shape;
  const all = Float32Array.from(target.x.contiguous().value.values());
  checkInRange(all, options.clipMin, options.clipMax, where);
  const per = all.length / Math.max(1, shape[0]);
  const out = new Float32Array(all.length);
  target.inMode(() => {
    for (let s = 0; s < shape[0]; s += batchSize) {
      const e = Math.min(shape[0], s + batchSize);
      const x0 = rowsOf(all, shape, s, e);
      const yb = target.y.slice(0, s, e).contiguous();
      const xa = x0.data.slice();
      if (options.randomStart ?? true) {
        randomStart(xa, per, eps, norm, gen);
        project(xa, x0.data, per, eps, norm, options.clipMin, options.clipMax);
      }
      for (let t = 0; t < steps; t++) {
        const g = inputGradient(target.loss, xa, x0.shape, target.x.dtype, yb, where);
        if (norm === 'linf') {
          for (let i = 0; i < g.length; i++) xa[i] += alpha * Math.sign(g[i]);
        } else {
          for (let r = 0; r < e - s; r++) {
            let sq = 0;
            for (let j = r * per; j < (r + 1) * per; j++) sq += g[j] * g[j];
            const n = Math.sqrt(sq);
            if (n > 0) for (let j = r * per; j < (r + 1) * per; j++) xa[j] += (alpha * g[j]) / n;
          }
        }
        project(xa, x0.data, per, eps, norm, options.clipMin, options.clipMax);
      }
      out.set(xa, s * per);
    }
  });
  return tensorLike(out, shape, target.x.dtype);
}
