// Batch and group normalisation and channel dropout, as compositions of primitives (PyTorch's
// F.batch_norm, F.group_norm, F.dropout2d). Running statistics are updated in place, outside the tape.

import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import { traceComposite } from '../autograd/trace.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';

/** Options of F.batchNorm. */
export interface BatchNormOptions {
  /** Normalise with the batch's statistics and update the running ones (default false, as PyTorch's functional form). */
  training?: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** [1, C, 1, ...] so a per-channel vector broadcasts over [N, C, ...]. */
const perChannel = (v: Tensor, ndim: number): Tensor => v.reshape([1, v.shape[0], ...new Array<number>(Math.max(0, ndim - 2)).fill(1)]);

function checkChannelVector(op: string, name: string, v: Tensor | null | undefined, C: number): void {
  if (v != null && (!(v instanceof Tensor) || v.ndim !== 1 || v.shape[0] !== C)) {
    throw new RangeError(`${op}: expected ${name} of shape [${C}], got ${v instanceof Tensor ? fmtShape(v.shape) : String(v)}`);
  }
}

/**
 * Batch normalisation over [N, C, ...] (F.batch_norm): in training, each channel is normalised with the
 * batch's mean and biased variance, and the running mean / unbiased variance (when given) move
 * towards them by `momentum`; in eval, the running statistics are used: an affine map per channel.
 * @example
 * ```ts
 * const x = tg.randn([8, 3, 4, 4]);
 * const mean = tg.zeros([3]), v = tg.ones([3]);
 * const y = tg.nn.functional.batchNorm(x, mean, v, null, null, { training: true }); // mean and v updated
 * ```
 */
export function batchNorm(
  input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
  weight?: Tensor | null, bias?: Tensor | null, options: BatchNormOptions = {},
): Tensor {
  const op = 'batchNorm';
  if (!(input instanceof Tensor) || input.ndim < 2) {
    throw new RangeError(`${op}: expected an input [N, C, ...] of at least 2 dims, got ${input instanceof Tensor ? fmtShape(input.shape) : String(input)}`);
  }
  const C = input.shape[1];
  checkChannelVector(op, 'runningMean', runningMean, C);
  checkChannelVector(op, 'runningVar', runningVar, C);
  checkChannelVector(op, 'weight', weight, C);
  checkChannelVector(op, 'bias', bias, C);
  const eps = options.eps ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  const axes = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2)];
  let y: Tensor;
  if (options.training) {
    const count = input.size / C;
    if (count <= 1) {
      throw new RangeError(`${op}: expected more than 1 value per channel when training, got input size ${fmtShape(input.shape)}`);
    }
    const mean = input.mean(axes, true);
    const centred = input.sub(mean);
    const variance = centred.square().mean(axes, true);
    y = centred.mul(variance.add(eps).rsqrt());
    noGrad(() => {
      if (runningMean) runningMean.value = runningMean.mul(1 - momentum).add(mean.reshape([C]).mul(momentum)).value.astype(runningMean.dtype);
      if (runningVar) {
        const unbiased = variance.reshape([C]).mul(count / (count - 1));
        runningVar.value = runningVar.mul(1 - momentum).add(unbiased.mul(momentum)).value.astype(runningVar.dtype);
      }
    });
  } else {
    if (!runningMean || !runningVar) throw new RangeError(`${op}: running_mean and running_var must be given when not training`);
    const affine = (t: Tensor) => {
      let out = t.sub(perChannel(runningMean, t.ndim)).mul(perChannel(runningVar, t.ndim).add(eps).rsqrt());
      if (weight) out = out.mul(perChannel(weight, t.ndim));
      if (bias) out = out.add(perChannel(bias, t.ndim));
      return out;
    };
    // with weight and bias, ONNX export writes one BatchNormalization node (inputs x, mean, var, weight, bias)
    if (weight && bias) return traceComposite('batchNorm', { eps }, [input, runningMean, runningVar, weight, bias], () => affine(input));
    return affine(input);
  }
  if (weight) y = y.mul(perChannel(weight, input.ndim));
  if (bias) y = y.add(perChannel(bias, input.ndim));
  return y;
}

/**
 * Group normalisation (F.group_norm): channels split into `numGroups` groups, each normalised per
 * sample over its channels and spatial positions, then scaled and shifted per channel.
 * @example
 * ```ts
 * const y = tg.nn.functional.groupNorm(tg.randn([2, 6, 4, 4]), 3); // [2, 6, 4, 4]
 * ```
 */
export function groupNorm(input: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const op = 'groupNorm';
  if (!(input instanceof Tensor) || input.ndim < 2) {
    throw new RangeError(`${op}: expected an input [N, C, ...] of at least 2 dims, got ${input instanceof Tensor ? fmtShape(input.shape) : String(input)}`);
  }
  const [N, C] = input.shape;
  if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new RangeError(`${op}: expected the number of channels ${C} of input ${fmtShape(input.shape)} to be divisible by numGroups, got numGroups=${numGroups}`);
  }
  checkChannelVector(op, 'weight', weight, C);
  checkChannelVector(op, 'bias', bias, C);
  const g = input.reshape([N, numGroups, -1]);
  const mean = g.mean(-1, true);
  const centred = g.sub(mean);
  let y = centred.mul(centred.square().mean(-1, true).add(eps).rsqrt()).reshape(input.shape);
  if (weight) y = y.mul(perChannel(weight, input.ndim));
  if (bias) y = y.add(perChannel(bias, input.ndim));
  return y;
}

/** Options of F.dropout2d. */
export interface Dropout2dOptions {
  /** Drop channels only when true (default true, as PyTorch's functional form). */
  training?: boolean;
  /** Source of the masks (default: the global defaultGenerator). */
  generator?: Generator;
}

/**
 * Channel dropout (F.dropout2d): in training each whole channel of [N, C, H, W] (or [C, H, W]) is zeroed
 * with probability p and the rest scaled by 1/(1 − p).
 * @example
 * ```ts
 * const y = tg.nn.functional.dropout2d(tg.ones([2, 4, 3, 3]), 0.5); // some channels all 0, the rest all 2
 * ```
 */
export function dropout2d(input: Tensor, p = 0.5, options: Dropout2dOptions = {}): Tensor {
  const op = 'dropout2d';
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: p must be in [0, 1], got ${String(p)}`);
  if (!(input instanceof Tensor) || (input.ndim !== 3 && input.ndim !== 4)) {
    throw new RangeError(`${op}: expected a 3-D (unbatched) or 4-D (batched) input, got ${input instanceof Tensor ? fmtShape(input.shape) : String(input)}`);
  }
  if (!(options.training ?? true) || p === 0) return input;
  const lead = input.ndim === 4 ? input.shape.slice(0, 2) : input.shape.slice(0, 1);
  const mask = NDArray.zeros([...lead, 1, 1].slice(0, input.ndim), input.dtype);
  const gen = options.generator ?? defaultGenerator;
  const scale = p === 1 ? 0 : 1 / (1 - p);
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = gen.random() < p ? 0 : scale;
  return input.mul(new Tensor(mask));
}
