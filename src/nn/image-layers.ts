// Image layers with PyTorch's constructor arguments, defaults, initialisation and state-dict keys:
// convolutions, pooling, batch/group normalisation, channel dropout and upsampling.

import { Tensor } from '../autograd/tensor.js';
import { assertDType, type DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { conv1d, conv2d, convTranspose1d, convTranspose2d, type SizeArg, sizes } from './conv.js';
import { kaimingUniform_, uniform_ } from './init.js';
import { checkPositiveInt } from './layers.js';
import { Module, Parameter } from './module.js';
import { batchNorm, dropout2d, groupNorm } from './normalization.js';
import { pad, type PadMode } from './pad.js';
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool1d, avgPool2d, type AvgPoolOptions,
  interpolate, maxPool1d, maxPool2d, type MaxPoolOptions,
} from './pooling.js';

/** Options of the convolution layers (PyTorch's keyword arguments). */
export interface ConvLayerOptions {
  /** Step between output positions (default 1). */
  stride?: SizeArg;
  /** Padding on both sides of each spatial axis, or 'same' / 'valid' (default 0). */
  padding?: SizeArg | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Channel groups (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** How the padding is filled: 'zeros' (default), 'reflect', 'replicate' or 'circular'. */
  paddingMode?: 'zeros' | PadMode;
  /** Dtype of the weight and bias (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights (default: the global defaultGenerator). */
  generator?: Generator;
}

/** Options of the transposed convolution layers. */
export interface ConvTransposeLayerOptions {
  /** Step of the convolution this transposes (default 1). */
  stride?: SizeArg;
  /** Padding of the convolution this transposes (default 0). */
  padding?: SizeArg;
  /** Extra size on one side of the output (default 0). */
  outputPadding?: SizeArg;
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Channel groups (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Dtype of the weight and bias (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights (default: the global defaultGenerator). */
  generator?: Generator;
}

const fmt = (v: unknown): string => (Array.isArray(v) ? `(${v.join(', ')})` : String(v));

/** Shared by the conv layers: weight [a, b, ...k] as kaiming-uniform(a = √5), bias U(±1/√fanIn), as PyTorch's reset_parameters. */
abstract class ConvBase extends Module {
  /** The filters. */
  weight: Parameter;
  /** One bias per output channel, or null. */
  bias: Parameter | null;
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly outChannels: number;
  /** Kernel size per spatial axis. */
  readonly kernelSize: number[];
  /** Channel groups. */
  readonly groups: number;

  constructor(name: string, nd: number, transposed: boolean, inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvLayerOptions | ConvTransposeLayerOptions) {
    super();
    this.inChannels = checkPositiveInt(inChannels, `${name}: inChannels`);
    this.outChannels = checkPositiveInt(outChannels, `${name}: outChannels`);
    this.kernelSize = sizes(name, 'kernelSize', kernelSize, nd, 1, 1);
    this.groups = checkPositiveInt(options.groups ?? 1, `${name}: groups`);
    if (inChannels % this.groups !== 0) throw new RangeError(`${name}: inChannels ${inChannels} must be divisible by groups ${this.groups}`);
    if (outChannels % this.groups !== 0) throw new RangeError(`${name}: outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    const dtype = assertDType(options.dtype ?? 'float32', name);
    const generator = options.generator ?? defaultGenerator;
    const shape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = kaimingUniform_(new Parameter(NDArray.zeros(shape, dtype)), { a: Math.sqrt(5), generator });
    this.bias = null;
    if (options.bias ?? true) {
      const fanIn = shape[1] * this.kernelSize.reduce((a, b) => a * b, 1);
      const bound = 1 / Math.sqrt(fanIn);
      this.bias = uniform_(new Parameter(NDArray.zeros([outChannels], dtype)), -bound, bound, { generator });
    }
  }
}

/** A functional convolution as the layers call it (F.conv1d or F.conv2d). */
type ConvFn = (x: Tensor, weight: Tensor, bias: Tensor | null, options: ConvLayerOptions) => Tensor;
/** A functional transposed convolution (F.convTranspose1d or F.convTranspose2d). */
type ConvTransposeFn = (x: Tensor, weight: Tensor, bias: Tensor | null, options: ConvTransposeLayerOptions) => Tensor;

/**
 * The convolution layers proper (not transposed): options kept for forward and the printout. Conv1d and
 * Conv2d differ only in their name, rank and functional.
 */
abstract class ConvNd extends ConvBase {
  /** The functional options this layer passes on (padding resolved by paddingMode). */
  readonly options: ConvLayerOptions;
  constructor(name: string, private readonly nd: number, private readonly conv: ConvFn, inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvLayerOptions) {
    super(name, nd, false, inChannels, outChannels, kernelSize, options);
    const mode = options.paddingMode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(mode)) {
      throw new RangeError(`${name}: unknown paddingMode ${JSON.stringify(mode)} (known: 'zeros', 'reflect', 'replicate', 'circular')`);
    }
    this.options = { ...options };
  }

  /** The input padded by paddingMode (when not 'zeros'), and the padding left for the conv itself. */
  protected padded(x: Tensor): [Tensor, ConvLayerOptions['padding']] {
    const mode = this.options.paddingMode ?? 'zeros';
    const p = this.options.padding;
    if (mode === 'zeros' || p === undefined || p === 'valid' || p === 0) return [x, p];
    if (p === 'same') throw new RangeError(`${this.constructor.name}: padding='same' is only supported with paddingMode 'zeros' here`);
    const per = sizes(this.constructor.name, 'padding', p, this.nd, 0, 0);
    const amounts = per.slice().reverse().flatMap((v) => [v, v]);
    return [pad(x, amounts, mode), 0];
  }

  override forward(x: Tensor): Tensor {
    const [xp, padding] = this.padded(x);
    return this.conv(xp, this.weight, this.bias, { ...this.options, padding });
  }

  override extraRepr(): string {
    const o = this.options;
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}`];
    if (o.stride !== undefined) parts.push(`stride=${fmt(o.stride)}`);
    if (o.padding !== undefined) parts.push(`padding=${fmt(o.padding)}`);
    if (o.dilation !== undefined) parts.push(`dilation=${fmt(o.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    if (o.paddingMode && o.paddingMode !== 'zeros') parts.push(`paddingMode=${o.paddingMode}`);
    return parts.join(', ');
  }
}

/**
 * 1-D convolution layer (nn.Conv1d): [N, inChannels, L] → [N, outChannels, Lout]; weight
 * [outChannels, inChannels/groups, k], bias [outChannels].
 * @example
 * ```ts
 * const conv = new tg.nn.Conv1d(2, 4, 3, { dilation: 2, padding: 2 });
 * conv.call(tg.randn([8, 2, 16])).shape; // [8, 4, 16]
 * ```
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvLayerOptions = {}) {
    super('Conv1d', 1, conv1d, inChannels, outChannels, kernelSize, options);
  }
}

/**
 * 2-D convolution layer (nn.Conv2d): [N, inChannels, H, W] → [N, outChannels, Ho, Wo]; weight
 * [outChannels, inChannels/groups, kh, kw], bias [outChannels]; both initialised as PyTorch does.
 * @example
 * ```ts
 * const conv = new tg.nn.Conv2d(1, 8, 5);
 * conv.call(tg.randn([4, 1, 28, 28])).shape; // [4, 8, 24, 24]
 * ```
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvLayerOptions = {}) {
    super('Conv2d', 2, conv2d, inChannels, outChannels, kernelSize, options);
  }
}

/** The transposed convolution layers: weight [inChannels, outChannels/groups, ...k]. */
abstract class ConvTransposeNd extends ConvBase {
  /** The functional options this layer passes on. */
  readonly options: ConvTransposeLayerOptions;
  constructor(name: string, nd: number, private readonly conv: ConvTransposeFn, inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvTransposeLayerOptions) {
    super(name, nd, true, inChannels, outChannels, kernelSize, options);
    this.options = { ...options };
  }

  override forward(x: Tensor): Tensor {
    return this.conv(x, this.weight, this.bias, this.options);
  }

  override extraRepr(): string {
    const o = this.options;
    const parts = [`${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}`];
    if (o.stride !== undefined) parts.push(`stride=${fmt(o.stride)}`);
    if (o.padding !== undefined) parts.push(`padding=${fmt(o.padding)}`);
    if (o.outputPadding !== undefined) parts.push(`outputPadding=${fmt(o.outputPadding)}`);
    return parts.join(', ');
  }
}

/**
 * 1-D transposed convolution layer (nn.ConvTranspose1d).
 * @example
 * ```ts
 * new tg.nn.ConvTranspose1d(4, 2, 2, { stride: 2 }).call(tg.randn([1, 4, 5])).shape; // [1, 2, 10]
 * ```
 */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose1d', 1, convTranspose1d, inChannels, outChannels, kernelSize, options);
  }
}

/**
 * 2-D transposed convolution layer (nn.ConvTranspose2d), e.g. to upsample by its stride.
 * @example
 * ```ts
 * new tg.nn.ConvTranspose2d(8, 4, 2, { stride: 2 }).call(tg.randn([1, 8, 7, 7])).shape; // [1, 4, 14, 14]
 * ```
 */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose2d', 2, convTranspose2d, inChannels, outChannels, kernelSize, options);
  }
}

/** Pooling layers hold their options and call the functional form. */
abstract class PoolBase<O> extends Module {
  constructor(readonly kernelSize: SizeArg, readonly options: O) {
    super();
  }

  override extraRepr(): string {
    const parts = [`kernelSize=${fmt(this.kernelSize)}`];
    for (const [k, v] of Object.entries(this.options as object)) if (v !== undefined) parts.push(`${k}=${fmt(v)}`);
    return parts.join(', ');
  }
}

/**
 * nn.MaxPool1d: max over windows of the last axis.
 * @example
 * ```ts
 * new tg.nn.MaxPool1d(2).call(tg.randn([1, 3, 8])).shape; // [1, 3, 4]
 * ```
 */
export class MaxPool1d extends PoolBase<MaxPoolOptions> {
  constructor(kernelSize: SizeArg, options: MaxPoolOptions = {}) { super(kernelSize, options); }
  override forward(x: Tensor): Tensor { return maxPool1d(x, this.kernelSize, this.options); }
}

/**
 * nn.MaxPool2d: max over kh × kw windows (stride defaults to the kernel size).
 * @example
 * ```ts
 * new tg.nn.MaxPool2d(2).call(tg.randn([1, 8, 24, 24])).shape; // [1, 8, 12, 12]
 * ```
 */
export class MaxPool2d extends PoolBase<MaxPoolOptions> {
  constructor(kernelSize: SizeArg, options: MaxPoolOptions = {}) { super(kernelSize, options); }
  override forward(x: Tensor): Tensor { return maxPool2d(x, this.kernelSize, this.options); }
}

/**
 * nn.AvgPool1d: mean over windows of the last axis.
 * @example
 * ```ts
 * new tg.nn.AvgPool1d(2).call(tg.randn([1, 3, 8])).shape; // [1, 3, 4]
 * ```
 */
export class AvgPool1d extends PoolBase<AvgPoolOptions> {
  constructor(kernelSize: SizeArg, options: AvgPoolOptions = {}) { super(kernelSize, options); }
  override forward(x: Tensor): Tensor { return avgPool1d(x, this.kernelSize, this.options); }
}

/**
 * nn.AvgPool2d: mean over kh × kw windows.
 * @example
 * ```ts
 * new tg.nn.AvgPool2d(2).call(tg.randn([1, 8, 24, 24])).shape; // [1, 8, 12, 12]
 * ```
 */
export class AvgPool2d extends PoolBase<AvgPoolOptions> {
  constructor(kernelSize: SizeArg, options: AvgPoolOptions = {}) { super(kernelSize, options); }
  override forward(x: Tensor): Tensor { return avgPool2d(x, this.kernelSize, this.options); }
}

/**
 * nn.AdaptiveAvgPool1d: average pooling to a fixed length.
 * @example
 * ```ts
 * new tg.nn.AdaptiveAvgPool1d(1).call(tg.randn([2, 4, 9])).shape; // [2, 4, 1]
 * ```
 */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) { super(); }
  override forward(x: Tensor): Tensor { return adaptiveAvgPool1d(x, this.outputSize); }
  override extraRepr(): string { return `outputSize=${this.outputSize}`; }
}

/**
 * nn.AdaptiveAvgPool2d: average pooling to a fixed size (1 for global average pooling).
 * @example
 * ```ts
 * new tg.nn.AdaptiveAvgPool2d(1).call(tg.randn([2, 16, 7, 7])).shape; // [2, 16, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: SizeArg | readonly (number | null)[]) { super(); }
  override forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize); }
  override extraRepr(): string { return `outputSize=${fmt(this.outputSize)}`; }
}

/**
 * nn.AdaptiveMaxPool2d: max pooling to a fixed size.
 * @example
 * ```ts
 * new tg.nn.AdaptiveMaxPool2d([2, 2]).call(tg.randn([2, 16, 7, 7])).shape; // [2, 16, 2, 2]
 * ```
 */
export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: SizeArg | readonly (number | null)[]) { super(); }
  override forward(x: Tensor): Tensor { return adaptiveMaxPool2d(x, this.outputSize); }
  override extraRepr(): string { return `outputSize=${fmt(this.outputSize)}`; }
}

/** Options of the batch-norm layers (PyTorch's keyword arguments). */
export interface BatchNormLayerOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running averages (default 0.1; null: a cumulative average). */
  momentum?: number | null;
  /** Learn a per-channel scale `weight` (ones) and shift `bias` (zeros) (default true). */
  affine?: boolean;
  /** Keep running_mean / running_var / num_batches_tracked and use them in eval mode (default true). */
  trackRunningStats?: boolean;
  /** Dtype of the parameters and statistics (default 'float32'). */
  dtype?: DType;
}

/** Batch normalisation over the channel axis 1; the rank check is the subclass's. */
abstract class BatchNormBase extends Module {
  /** Per-channel scale (ones), or null without affine. */
  weight: Parameter | null = null;
  /** Per-channel shift (zeros), or null without affine. */
  bias: Parameter | null = null;
  /** Channels. */
  readonly numFeatures: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Weight of each new batch in the running averages (null: cumulative average). */
  readonly momentum: number | null;
  /** Whether running statistics are kept. */
  readonly trackRunningStats: boolean;

  constructor(private readonly label: string, numFeatures: number, options: BatchNormLayerOptions) {
    super();
    this.numFeatures = checkPositiveInt(numFeatures, `${label}: numFeatures`);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const dtype = assertDType(options.dtype ?? 'float32', label);
    if (options.affine ?? true) {
      this.weight = new Parameter(new Tensor(NDArray.zeros([numFeatures], dtype)).add(1).value);
      this.bias = new Parameter(NDArray.zeros([numFeatures], dtype));
    }
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', new Tensor(NDArray.zeros([numFeatures], dtype)));
      this.registerBuffer('running_var', new Tensor(new Tensor(NDArray.zeros([numFeatures], dtype)).add(1).value));
      this.registerBuffer('num_batches_tracked', new Tensor(NDArray.zeros([], 'float64')));
    }
  }

  /** The running mean (a buffer, state-dict key `running_mean`), or null without trackRunningStats. */
  get runningMean(): Tensor | null { return this.trackRunningStats ? this.buffer('running_mean') : null; }
  /** The running unbiased variance (state-dict key `running_var`), or null. */
  get runningVar(): Tensor | null { return this.trackRunningStats ? this.buffer('running_var') : null; }
  /** Training batches seen (state-dict key `num_batches_tracked`), or null. */
  get numBatchesTracked(): Tensor | null { return this.trackRunningStats ? this.buffer('num_batches_tracked') : null; }

  /** Throws unless x has the ranks this layer takes. */
  protected abstract checkInput(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      const hint = x.ndim >= 3 && x.shape[x.ndim - 1] === this.numFeatures ? ' (the input looks channels-last; this layer wants [N, C, ...])' : '';
      throw new RangeError(`${this.label}: expected ${this.numFeatures} channels in dim 1 of the input, got shape ${fmtShape(x.shape)}${hint}`);
    }
    let momentum = this.momentum ?? 0;
    if (this.training && this.trackRunningStats) {
      const n = this.buffer('num_batches_tracked');
      n.value = new NDArray(new Float64Array([n.value.data[n.value.offset] + 1]), []);
      if (this.momentum === null) momentum = 1 / n.value.data[0];
    }
    const useBatch = this.training || !this.trackRunningStats;
    const stats = useBatch && !this.training ? [null, null] : [this.runningMean, this.runningVar];
    try {
      return batchNorm(x, stats[0], stats[1], this.weight, this.bias, { training: useBatch, momentum, eps: this.eps });
    } catch (e) {
      throw e instanceof RangeError ? new RangeError(e.message.replace(/^batchNorm/, this.label)) : e;
    }
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * nn.BatchNorm1d: batch normalisation of [N, C] or [N, C, L] over the batch (and length).
 * @example
 * ```ts
 * const bn = new tg.nn.BatchNorm1d(4);
 * bn.call(tg.randn([8, 4])); // normalised per feature; bn.runningMean moves towards the batch mean
 * ```
 */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) { super('BatchNorm1d', numFeatures, options); }
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`BatchNorm1d: expected 2D or 3D input (got ${x.ndim}D input of shape ${fmtShape(x.shape)})`);
  }
}

/**
 * nn.BatchNorm2d: batch normalisation of [N, C, H, W] per channel; `train()` uses batch statistics
 * and updates the running ones, `eval()` uses the running ones.
 * @example
 * ```ts
 * const bn = new tg.nn.BatchNorm2d(8);
 * bn.call(tg.randn([4, 8, 6, 6])).shape; // [4, 8, 6, 6]
 * [...bn.stateDict().keys()]; // weight, bias, running_mean, running_var, num_batches_tracked
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) { super('BatchNorm2d', numFeatures, options); }
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw new RangeError(`BatchNorm2d: expected 4D input (got ${x.ndim}D input of shape ${fmtShape(x.shape)})`);
  }
}

/**
 * nn.GroupNorm: per-sample normalisation over groups of channels; weight ones and bias zeros per channel.
 * @example
 * ```ts
 * new tg.nn.GroupNorm(2, 6).call(tg.randn([3, 6, 4, 4])).shape; // [3, 6, 4, 4]
 * ```
 */
export class GroupNorm extends Module {
  /** Per-channel scale (ones), or null without affine. */
  weight: Parameter | null = null;
  /** Per-channel shift (zeros), or null without affine. */
  bias: Parameter | null = null;

  constructor(readonly numGroups: number, readonly numChannels: number, readonly options: { eps?: number; affine?: boolean; dtype?: DType } = {}) {
    super();
    checkPositiveInt(numGroups, 'GroupNorm: numGroups');
    checkPositiveInt(numChannels, 'GroupNorm: numChannels');
    if (numChannels % numGroups !== 0) throw new RangeError(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    const dtype = assertDType(options.dtype ?? 'float32', 'GroupNorm');
    if (options.affine ?? true) {
      this.weight = new Parameter(new Tensor(NDArray.zeros([numChannels], dtype)).add(1).value);
      this.bias = new Parameter(NDArray.zeros([numChannels], dtype));
    }
  }

  override forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.options.eps ?? 1e-5);
  }

  override extraRepr(): string { return `${this.numGroups}, ${this.numChannels}, eps=${this.options.eps ?? 1e-5}, affine=${this.weight !== null}`; }
}

/**
 * nn.Dropout2d: zeroes whole channels with probability p in training mode; identity in eval mode.
 * @example
 * ```ts
 * new tg.nn.Dropout2d(0.25).call(tg.ones([2, 8, 4, 4])); // some channels 0, the others 4/3
 * ```
 */
export class Dropout2d extends Module {
  /** The generator that draws the masks. */
  generator: Generator;
  constructor(readonly p = 0.5, options: { generator?: Generator } = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`Dropout2d: p must be in [0, 1], got ${String(p)}`);
    this.generator = options.generator ?? defaultGenerator;
  }
  override forward(x: Tensor): Tensor { return dropout2d(x, this.p, { training: this.training, generator: this.generator }); }
  override extraRepr(): string { return `p=${this.p}`; }
}

/**
 * nn.Upsample: F.interpolate as a layer ('nearest' by default, or 'bilinear').
 * @example
 * ```ts
 * new tg.nn.Upsample({ scaleFactor: 2 }).call(tg.randn([1, 3, 4, 4])).shape; // [1, 3, 8, 8]
 * ```
 */
export class Upsample extends Module {
  constructor(readonly options: { size?: SizeArg; scaleFactor?: number | readonly number[]; mode?: 'nearest' | 'bilinear'; alignCorners?: boolean }) { super(); }
  override forward(x: Tensor): Tensor { return interpolate(x, this.options); }
  override extraRepr(): string {
    return Object.entries(this.options).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${fmt(v)}`).join(', ');
  }
}
