// tg.nn.functional: activations and losses as compositions of tape primitives.
// Each uses the numerically stable formulation (log-sum-exp, softplus, clamped logs).

import { apply, Tensor, where } from '../autograd/tensor.js';
import { isFloating, promote } from '../tensor/dtype.js';
import { oneHotKernel } from '../tensor/scan.js';
import { fmtShape } from '../tensor/shape.js';
import { checkOptions } from '../tensor/validate.js';

export { pad, type PadMode } from './pad.js';

/**
 * One-hot encoding (torch.nn.functional.one_hot): for int32 (or integral) labels of any shape, an int32 tensor with a
 * last dim of `numClasses` holding a 1 at each label. `numClasses` -1 (the default) means the largest label + 1.
 * For float32 rows ready to train on, use `tg.data.oneHot`.
 * @example
 * ```ts
 * tg.nn.functional.oneHot(tg.tensor([0, 2], { dtype: 'int32' }), 3); // [[1, 0, 0], [0, 0, 1]] (int32)
 * ```
 */
export function oneHot(labels: Tensor, numClasses = -1): Tensor {
  if (!(labels instanceof Tensor)) throw new TypeError('oneHot: labels must be a Tensor');
  if (!Number.isInteger(numClasses) || numClasses < -1) throw new RangeError(`oneHot: numClasses must be -1 or a non-negative integer, got ${numClasses}`);
  let c = numClasses;
  if (c === -1) {
    if (labels.size === 0) throw new RangeError('oneHot: cannot infer numClasses from empty labels; pass it');
    c = labels.max().item() + 1;
  }
  return new Tensor(oneHotKernel(labels.value, c, 'oneHot'));
}

/** How a loss combines its per-element values: 'mean' (the default), 'sum', or 'none' to return them all. */
export type Reduction = 'mean' | 'sum' | 'none';
/** Integer class indices, one per row: a 1-D tensor, a number array or a typed array. */
export type Labels = Tensor | readonly number[] | Int32Array | Float32Array | Float64Array;
/** Labels for crossEntropy: class indices (a number for 1-D logits), or probabilities shaped like the logits. */
export type Targets = Labels | number;

function reduce(loss: Tensor, reduction: Reduction | undefined, op: string): Tensor {
  switch (reduction ?? 'mean') {
    case 'mean': return loss.mean();
    case 'sum': return loss.sum();
    case 'none': return loss;
    default: throw new RangeError(`${op}: unknown reduction ${JSON.stringify(reduction)} (known: 'mean', 'sum', 'none')`);
  }
}

function sameShape(op: string, input: Tensor, target: Tensor): void {
  if (input.shape.length !== target.shape.length || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new RangeError(`${op}: input shape ${fmtShape(input.shape)} and target shape ${fmtShape(target.shape)} differ`);
  }
}

const asTensor = (t: Tensor | number[] | Float32Array, like: Tensor): Tensor =>
  t instanceof Tensor ? t.to(like.dtype) : Tensor.from(t, like.dtype);

// ---- activations -------------------------------------------------------------------------------

/** max(x, 0) elementwise (F.relu). */
export const relu = (x: Tensor): Tensor => x.relu();
/** The logistic sigmoid 1 / (1 + e⁻ˣ) elementwise (F.sigmoid). */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
/** The hyperbolic tangent elementwise (F.tanh). */
export const tanh = (x: Tensor): Tensor => x.tanh();
/**
 * Softmax along `axis` (default the last), stable for large inputs (F.softmax).
 * @example
 * ```ts
 * const probs = tg.nn.functional.softmax(tg.randn([4, 3])); // each row sums to 1
 * ```
 */
export const softmax = (x: Tensor, axis = -1): Tensor => x.softmax(axis);
/** Log-softmax along `axis` (default the last), x − logsumexp(x); feed it to {@link nllLoss} (F.log_softmax). */
export const logSoftmax = (x: Tensor, axis = -1): Tensor => x.logSoftmax(axis);
/** leakyRelu(x) = x for x > 0, slope·x otherwise (slope is also the gradient at 0, as in PyTorch). */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => where(x.gt(0), x, x.mul(negativeSlope));
/**
 * softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^(-|x|)): never overflows. `maximum` shares its
 * gradient at the tie x = 0, which gives the exact softplus'(0) = ½.
 */
export const softplus = (x: Tensor): Tensor => x.maximum(0).add(x.abs().neg().exp().log1p());
/** log σ(x) = -softplus(-x). */
export const logSigmoid = (x: Tensor): Tensor => softplus(x.neg()).neg();

/** SiLU (swish): x·σ(x) (PyTorch's F.silu, Keras' swish). */
export const silu = (x: Tensor): Tensor => x.mul(x.sigmoid());
/** ReLU6: min(max(x, 0), 6) (PyTorch's F.relu6); the gradient passes for 0 ≤ x ≤ 6. */
export const relu6 = (x: Tensor): Tensor => x.clamp(0, 6);
/**
 * ELU: x for x > 0, α·(eˣ − 1) otherwise (PyTorch's F.elu, default α = 1). expm1 sees min(x, 0), so a large
 * positive x cannot overflow into the gradient of the unused branch.
 */
export const elu = (x: Tensor, alpha = 1): Tensor => x.relu().add(x.minimum(0).expm1().mul(alpha));
/** SELU's constants α and λ (Klambauer et al. 2017), as in PyTorch. */
export const SELU_ALPHA = 1.6732632423543772;
/** The scale λ of {@link selu}. */
export const SELU_SCALE = 1.0507009873554805;
/** SELU: λ·elu(x, α) with the self-normalising constants {@link SELU_ALPHA} and {@link SELU_SCALE} (PyTorch's F.selu). */
export const selu = (x: Tensor): Tensor => elu(x, SELU_ALPHA).mul(SELU_SCALE);

// ---- layers ------------------------------------------------------------------------------------

/** Options for {@link linear} (tapegrad's addition; PyTorch's F.linear has none). */
export interface LinearFnOptions {
  /**
   * 'relu' gives relu(x·Wᵀ + b) as one op (the `linearRelu` primitive): the ReLU is applied in the same
   * pass as the bias, and backward masks the gradient and sums the bias gradient in one sweep. The values
   * and gradients are bitwise those of `F.relu(F.linear(x, w, b))`. Default: none.
   */
  activation?: 'relu' | null;
}

/**
 * x·Wᵀ + b over the last dim of x (F.linear): input [..., in], weight [out, in], bias [out] or none.
 * One op on the tape, the `linear` primitive: the bias is added into the product's fresh array,
 * and the weight's gradient is always the one product Gᵀ·x, whatever the layouts involved.
 * With `{ activation: 'relu' }` (not in PyTorch) the ReLU is fused in too (see {@link LinearFnOptions}).
 * @example
 * ```ts
 * const y = tg.nn.functional.linear(tg.ones([2, 3]), tg.ones([4, 3]), tg.zeros([4])); // [2, 4], all 3
 * const h = tg.nn.functional.linear(tg.ones([2, 3]), tg.ones([4, 3]).neg(), null, { activation: 'relu' }); // all 0
 * ```
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null, options: LinearFnOptions = {}): Tensor {
  if (!(input instanceof Tensor) || !(weight instanceof Tensor) || !(bias == null || bias instanceof Tensor)) {
    throw new TypeError('linear: expected tensors for input, weight and bias (bias may be null)');
  }
  checkOptions('linear', options, ['activation']);
  const activation = options.activation ?? null;
  if (activation !== null && activation !== 'relu') {
    throw new RangeError(`linear: activation must be 'relu' or null, got ${String(activation)}`);
  }
  const inF = input.shape[input.ndim - 1];
  if (input.ndim < 1 || weight.ndim !== 2 || weight.shape[1] !== inF || (bias != null && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]))) {
    const b = bias == null ? 'no bias' : `bias ${fmtShape(bias.shape)}`;
    throw new RangeError(
      `linear: expected input [..., in], weight [out, in] and bias [out]; got input ${fmtShape(input.shape)}, weight ${fmtShape(weight.shape)} and ${b}`,
    );
  }
  const dtype = promote(promote(input.dtype, weight.dtype), bias?.dtype ?? weight.dtype);
  const inputs = [input.to(dtype), weight.to(dtype)];
  if (bias != null) inputs.push(bias.to(dtype));
  return activation === 'relu' ? apply('linearRelu', inputs, null) : apply('linear', inputs, null);
}

// ---- losses ------------------------------------------------------------------------------------

/** Options shared by the losses. */
export interface LossOptions {
  /** How to combine the per-element losses (default 'mean'). */
  reduction?: Reduction;
}

/**
 * Mean squared error: mean((input - target)²). Shapes must match (a RangeError otherwise).
 * @example
 * ```ts
 * tg.nn.functional.mseLoss(tg.tensor([1, 2]), tg.tensor([1, 4])).item(); // 2
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor | number[] | Float32Array, options: LossOptions = {}): Tensor {
  checkOptions('mseLoss', options, ['reduction']);
  const t = asTensor(target, input);
  sameShape('mseLoss', input, t);
  const d = input.sub(t);
  return reduce(d.mul(d), options.reduction, 'mseLoss');
}

/** Mean absolute error: mean(|input - target|). */
export function l1Loss(input: Tensor, target: Tensor | number[] | Float32Array, options: LossOptions = {}): Tensor {
  checkOptions('l1Loss', options, ['reduction']);
  const t = asTensor(target, input);
  sameShape('l1Loss', input, t);
  return reduce(input.sub(t).abs(), options.reduction, 'l1Loss');
}

/**
 * Binary cross-entropy on probabilities: -(t·log p + (1-t)·log(1-p)). Like PyTorch, each log is
 * floored at -100 (p is floored at e⁻¹⁰⁰), so p = 0 or 1 gives a finite loss and gradient.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor | number[] | Float32Array, options: LossOptions & { weight?: Tensor } = {}): Tensor {
  checkOptions('binaryCrossEntropy', options, ['reduction', 'weight']);
  const t = asTensor(target, input);
  sameShape('binaryCrossEntropy', input, t);
  const p = input.value.values();
  for (let i = 0; i < p.length; i++) {
    if (p[i] < 0 || p[i] > 1) {
      throw new RangeError(`binaryCrossEntropy: input must hold probabilities in [0, 1], got ${p[i]} at index ${i} (use binaryCrossEntropyWithLogits for logits)`);
    }
  }
  const logP = flooredLog(input);
  const log1mP = flooredLog(input.neg().add(1));
  let loss = t.mul(logP).add(t.neg().add(1).mul(log1mP)).neg();
  if (options.weight) loss = loss.mul(options.weight);
  return reduce(loss, options.reduction, 'binaryCrossEntropy');
}

/**
 * Binary cross-entropy on logits, fused for stability: (1-t)·x + (1 + (w-1)·t)·softplus(-x),
 * with w the optional posWeight. Finite for any logit magnitude.
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor, target: Tensor | number[] | Float32Array, options: LossOptions & { posWeight?: Tensor | number; weight?: Tensor } = {},
): Tensor {
  checkOptions('binaryCrossEntropyWithLogits', options, ['reduction', 'posWeight', 'weight']);
  const t = asTensor(target, input);
  sameShape('binaryCrossEntropyWithLogits', input, t);
  const sp = softplus(input.neg());
  const coef = options.posWeight === undefined ? null : t.mul(typeof options.posWeight === 'number' ? options.posWeight - 1 : options.posWeight.sub(1)).add(1);
  let loss = t.neg().add(1).mul(input).add(coef ? coef.mul(sp) : sp);
  if (options.weight) loss = loss.mul(options.weight);
  return reduce(loss, options.reduction, 'binaryCrossEntropyWithLogits');
}

/**
 * log(p) floored at -100, as PyTorch's BCE does. Below the floor the value is -100 with zero gradient;
 * `where` keeps the unused branch finite (log 1), so no 0·∞ = NaN reaches the input's gradient. In
 * float32 the floor is the smallest normal number (1.2e-38) rather than e⁻¹⁰⁰, whose reciprocal would
 * overflow: there, p below 1.2e-38 reads as log p = -100 instead of down to -100.
 */
function flooredLog(p: Tensor): Tensor {
  const floor = p.dtype === 'float64' ? Math.exp(-100) : 1.1754943508222875e-38;
  // "at or below the floor" is false for NaN, so a NaN probability gives a NaN loss (not the floor's 100)
  const low = p.le(floor);
  return where(low, -100, where(low, 1, p).log());
}

/**
 * Checks integer class labels against the number of classes, naming the first bad row, and returns them as
 * numbers (the labels' own storage when they are a typed array or a tensor, so nothing is copied).
 */
function classIndices(labels: Exclude<Targets, number>, n: number, classes: number, op: string): ArrayLike<number> {
  const values: ArrayLike<number> = labels instanceof Tensor ? labels.value.values() : labels;
  if (labels instanceof Tensor && labels.ndim !== 1) {
    throw new RangeError(`${op}: class-index labels must be 1-D, got shape ${fmtShape(labels.shape)}`);
  }
  if (values.length !== n) throw new RangeError(`${op}: got ${values.length} labels for ${n} rows of input`);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new RangeError(`${op}: label ${v} at row ${i} is not a class index in [0, ${classes})`);
    }
  }
  return Array.isArray(values) ? values.slice() : values;
}

/** Checks integer class labels against the number of classes (naming the first bad row): an [n, 1] index tensor for gather. */
export function labelIndices(labels: Exclude<Targets, number>, n: number, classes: number, op: string): Tensor {
  const values = classIndices(labels, n, classes, op);
  const idx = new Float32Array(n);
  for (let i = 0; i < n; i++) idx[i] = values[i];
  return Tensor.from(idx).reshape([n, 1]);
}

/** Negative log-likelihood of class indices, given log-probabilities [N, C]. */
export function nllLoss(logProbs: Tensor, labels: Labels, options: LossOptions = {}): Tensor {
  checkOptions('nllLoss', options, ['reduction']);
  if (logProbs.ndim !== 2) throw new RangeError(`nllLoss: expected log-probabilities of shape [N, C], got ${fmtShape(logProbs.shape)}`);
  const [n, c] = logProbs.shape;
  const idx = labelIndices(labels, n, c, 'nllLoss');
  return reduce(logProbs.gather(1, idx).reshape([n]).neg(), options.reduction, 'nllLoss');
}

/**
 * Cross-entropy of logits [N, C] (or [C]) against class indices, or against class probabilities of
 * the same shape as the logits. log-softmax goes through logsumexp, so logits of ±1000 are fine.
 * @example
 * ```ts
 * const logits = tg.randn([4, 3], { requiresGrad: true });
 * const loss = tg.nn.functional.crossEntropy(logits, [0, 2, 1, 2]);
 * loss.backward();
 * ```
 */
export function crossEntropy(logits: Tensor, labels: Targets, options: LossOptions & { labelSmoothing?: number } = {}): Tensor {
  checkOptions('crossEntropy', options, ['reduction', 'labelSmoothing']);
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const x = logits.ndim === 1 ? logits.unsqueeze(0) : logits;
  if (x.ndim !== 2) throw new RangeError(`crossEntropy: expected logits of shape [N, C] or [C], got ${fmtShape(logits.shape)}`);
  const [n, c] = x.shape;
  let loss: Tensor;
  const probTargets = labels instanceof Tensor && isFloating(labels.dtype) && labels.ndim === logits.ndim && labels.shape.every((d, i) => d === logits.shape[i]);
  if (labels instanceof Tensor && isFloating(labels.dtype) && !probTargets && labels.ndim === logits.ndim && logits.ndim >= 2) {
    throw new RangeError(
      `crossEntropy: probability targets must have the logits' shape ${fmtShape(logits.shape)}, got ${fmtShape(labels.shape)} (class-index labels are 1-D)`,
    );
  }
  if (probTargets) {
    // probability targets (optionally smoothed toward uniform)
    const target = (labels as Tensor).to(x.dtype).reshape(x.shape);
    const p = eps > 0 ? target.mul(1 - eps).add(eps / c) : target;
    loss = p.mul(x.logSoftmax(1)).sum(1).neg();
  } else if (eps === 0 && (options.reduction === undefined || options.reduction === 'mean' || options.reduction === 'sum')) {
    // the usual case, one primitive: log-softmax, the pick and the reduction fused (see OPS.crossEntropy)
    const target = classIndices(typeof labels === 'number' ? [labels] : labels, n, c, 'crossEntropy');
    return apply('crossEntropy', [x], { target, mean: options.reduction !== 'sum' });
  } else {
    const idx = labelIndices(typeof labels === 'number' ? [labels] : labels, n, c, 'crossEntropy');
    const logP = x.logSoftmax(1);
    const nll = logP.gather(1, idx).reshape([n]).neg();
    loss = eps > 0 ? nll.mul(1 - eps).add(logP.mean(1).neg().mul(eps)) : nll;
  }
  if (logits.ndim === 1 && (options.reduction ?? 'mean') === 'none') loss = loss.reshape([]);
  return reduce(loss, options.reduction, 'crossEntropy');
}

// ---- sequences (layer norm, embedding, dropout, attention) ---------------------------------------

export {
  attentionWithWeights, causalMask, dropout, embedding, layerNorm, scaledDotProductAttention,
  type AttentionOptions, type BoolArray, type DropoutFnOptions, type EmbeddingOptions, type Indices, type Mask,
} from './functional-sequence.js';

// ---- images ------------------------------------------------------------------------------------

export {
  conv1d, conv2d, convTranspose1d, convTranspose2d, type ConvOptions, type ConvTransposeOptions, type SizeArg,
} from './conv.js';
export {
  adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool1d, avgPool2d, interpolate, maxPool1d, maxPool2d,
  type AvgPoolOptions, type InterpolateOptions, type MaxPoolOptions,
} from './pooling.js';
export { batchNorm, dropout2d, groupNorm, type BatchNormOptions, type Dropout2dOptions } from './normalization.js';
