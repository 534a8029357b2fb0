// Keras-style image layers: convolutions (conv1d, conv2d, conv1dTranspose, conv2dTranspose, depthwiseConv2d,
// separableConv2d), pooling, batch normalisation, reshape, zero padding, cropping, upsampling and spatial
// dropout, in 1-D (steps) and 2-D (images) where Keras has both. Channels last by
// default ([batch, height, width, channels]); dataFormat: 'channelsFirst' takes [batch, channels, height, width].
// The maths is tg.nn's (F.conv2d, F.maxPool2d, F.pad, F.interpolate, ...), run channels-first; here live the
// Keras names and defaults, Keras' 'same' padding (the odd extra pixel at the end, for any stride) and
// Keras' output sizes. Weights keep PyTorch's layout and names: weight [filters, channels/groups, kh, kw].

import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import type { DataFormat } from '../data/image.js';
import { conv1d as convolve1d, conv2d as convolve2d, convTranspose1d, convTranspose2d } from '../nn/conv.js';
import { Parameter } from '../nn/module.js';
import { dropout2d } from '../nn/normalization.js';
import { pad } from '../nn/pad.js';
import { avgPool1d, avgPool2d, interpolate, maxPool1d, maxPool2d } from '../nn/pooling.js';
import type { DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { type ActivationFn, type ActivationName, getActivation } from './activations.js';
import { type InitializerName, INITIALIZERS } from './initializers.js';
import { Layer, type LayerArgs, type LayerOptions, type SchemaFor, type WeightSpec } from './layer.js';
import { ConfigError, type Field, type FieldContext, field, LAYER_FIELDS, type Schema, show } from './schema.js';

export type { DataFormat } from '../data/image.js';

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const FORMAT_FIELD = (): Field<DataFormat> => field.choice(['channelsLast', 'channelsFirst'] as const, 'channelsLast');
/** A positive integer setting with a default (groups, depthMultiplier). */
const POSITIVE_INT = (defaultValue: number): Field<number> => field.number(defaultValue, (v) => Number.isSafeInteger(v) && v >= 1, 'a positive integer');
/** Keras' default kernel initializer. */
const GLOROT = (): Field<string> => field.initializer('glorotUniform');
/** `[a, b, c]` as Keras prints a batch shape: `[null,a,b,c]`. */
const batchShape = (row: readonly number[]): string => `[null,${row.join(',')}]`;

// ---- layout: where the channels are, and Keras' padding arithmetic ---------------------------------------

/** The axes of one row in words, for errors: '[batch, height, width, channels]'. */
function layoutWords(nd: number, format: DataFormat): string {
  const spatial = nd === 1 ? ['steps'] : ['height', 'width'];
  return `[${['batch', ...(format === 'channelsLast' ? [...spatial, 'channels'] : ['channels', ...spatial])].join(', ')}]`;
}

/** A hint for rows that look like the other data format (a small axis where the channels should not be). */
function swapHint(row: readonly number[], format: DataFormat): string {
  if (row.length < 2) return '';
  const first = row[0], last = row[row.length - 1];
  if (format === 'channelsLast' && first <= 4 && last > 4) {
    return ` (the rows ${fmtShape(row)} look channels-first; pass dataFormat: 'channelsFirst', or permute the data to channels-last)`;
  }
  if (format === 'channelsFirst' && last <= 4 && first > 4) {
    return ` (the rows ${fmtShape(row)} look channels-last; use dataFormat: 'channelsLast' (the default), or permute the data to channels-first)`;
  }
  return '';
}

/** Output size and padding (before, after) along one axis, as Keras computes them. */
interface Axis { out: number; before: number; after: number }

/**
 * Keras' conv/pool geometry along one axis of `size`: 'valid' (no padding), 'same' (output ⌈size / stride⌉,
 * the padding split with the odd one at the end, as TensorFlow) or 'causal' (all padding before).
 */
function kerasAxis(size: number, kernel: number, stride: number, dilation: number, padding: string): Axis {
  const span = dilation * (kernel - 1) + 1;
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + span - size, 0);
    return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
  }
  if (padding === 'causal') return { out: Math.floor((size - 1) / stride) + 1, before: span - 1, after: 0 };
  return { out: Math.floor((size - span) / stride) + 1, before: 0, after: 0 };
}

/** F.pad's amounts (last axis first) for channels-first [N, C, ...spatial] from per-axis (before, after). */
const padAmounts = (axes: readonly Axis[]): number[] => axes.slice().reverse().flatMap((a) => [a.before, a.after]);

/**
 * The shared part of every spatial layer: `nd` spatial axes, the data format, splitting a row shape into
 * spatial sizes and channels, and moving a batch to channels-first (where tg.nn works) and back.
 */
abstract class SpatialLayer<S extends Schema> extends Layer<S> {
  protected constructor(schema: S, args: unknown, where: string, example: string, options: LayerOptions, readonly nd: 1 | 2) {
    super(schema, args, where, example, options);
  }

  /** 'channelsLast' ([batch, ..., channels], Keras' default) or 'channelsFirst' ([batch, channels, ...]). */
  get dataFormat(): DataFormat {
    return (this.config as unknown as { dataFormat: DataFormat }).dataFormat;
  }

  /** The row's spatial sizes and channel count; throws naming the layer when the rank is wrong. */
  protected split(row: readonly number[]): { spatial: number[]; channels: number } {
    const { nd } = this;
    if (row.length !== nd + 1) {
      const fix = row.length === nd
        ? `; add a channels axis of 1, e.g. x.reshape([-1, ${this.dataFormat === 'channelsLast' ? `${row.join(', ')}, 1` : `1, ${row.join(', ')}`}])`
        : '';
      throw new RangeError(
        `${this.describe()}: expected input with ndim=${nd + 2} ${layoutWords(nd, this.dataFormat)}, found ndim=${row.length + 1}: full shape received ${batchShape(row)}${fix}`,
      );
    }
    return this.dataFormat === 'channelsLast'
      ? { spatial: row.slice(0, nd), channels: row[nd] }
      : { spatial: row.slice(1), channels: row[0] };
  }

  /** A row shape from spatial sizes and channels, in the layer's format. */
  protected join(spatial: readonly number[], channels: number): number[] {
    return this.dataFormat === 'channelsLast' ? [...spatial, channels] : [channels, ...spatial];
  }

  /** The channel axis of a batch (1 or the last). */
  protected get channelAxis(): number {
    return this.dataFormat === 'channelsLast' ? this.nd + 1 : 1;
  }

  /** The spatial axes of a batch: [1] or [1, 2] channels-last, [2] or [2, 3] channels-first. */
  protected get spatialAxes(): number[] {
    const first = this.dataFormat === 'channelsLast' ? 1 : 2;
    return Array.from({ length: this.nd }, (_, i) => first + i);
  }

  /** Checks a batch's rank and, once built, its channel count (spatial sizes may differ, as in Keras). */
  protected checkBatch(x: Tensor): void {
    this.split(x.shape.slice(1));
    const built = this.inputShape;
    if (built) {
      const want = this.split(built).channels;
      const got = x.shape[this.channelAxis];
      if (got !== want) {
        throw new RangeError(
          `${this.describe()}: expected axis ${this.dataFormat === 'channelsLast' ? -1 : 1} of the input (channels) to have value ${want}, but received input with shape ${fmtShape(x.shape)}${swapHint(x.shape.slice(1), this.dataFormat)}`,
        );
      }
    }
  }

  /** The batch as channels-first [N, C, ...spatial]. */
  protected toFirst(x: Tensor): Tensor {
    return this.dataFormat === 'channelsLast' ? x.permute(this.nd === 2 ? [0, 3, 1, 2] : [0, 2, 1]) : x;
  }

  /** A channels-first result back in the layer's format. */
  protected fromFirst(y: Tensor): Tensor {
    return this.dataFormat === 'channelsLast' ? y.permute(this.nd === 2 ? [0, 2, 3, 1] : [0, 2, 1]) : y;
  }
}

// ---- convolutions -----------------------------------------------------------------------------------------

/** Arguments every Keras convolution layer takes. */
export interface ConvGeometryArgs extends LayerArgs {
  /** Kernel size: one integer for every spatial axis, or one per axis ([3, 3]). */
  kernelSize: number | number[];
  /** Step between output positions (default 1). */
  strides?: number | number[];
  /** 'channelsLast' (default) [batch, ..., channels] or 'channelsFirst' [batch, channels, ...]. */
  dataFormat?: DataFormat;
  /** Spacing between kernel taps (default 1): a dilated kernel sees a wider window with the same weights. */
  dilationRate?: number | number[];
  /** Applied to the output, by name (default 'linear'). */
  activation?: ActivationName;
  /** Learn an additive bias per output channel (default true). */
  useBias?: boolean;
  /** Default 'zeros'. */
  biasInitializer?: InitializerName;
  /** Dtype of the weights (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights (default: the global defaultGenerator, seeded by tg.manualSeed). */
  generator?: Generator;
}

/** Arguments of {@link conv2d}. */
export interface Conv2DArgs extends ConvGeometryArgs {
  /** Output channels. */
  filters: number;
  /** 'valid' (default: no padding) or 'same' (output size ⌈input / stride⌉, zeros around the image). */
  padding?: 'valid' | 'same';
  /** Split the channels into this many independent convolutions (default 1; divides channels and filters). */
  groups?: number;
  /** Default 'glorotUniform' (Keras'). */
  kernelInitializer?: InitializerName;
}

/** Arguments of {@link conv1d}: as conv2d's, with 'causal' padding (all of it before the first step). */
export interface Conv1DArgs extends Omit<Conv2DArgs, 'padding'> {
  /** 'valid' (default), 'same', or 'causal' (output t sees steps ≤ t only). */
  padding?: 'valid' | 'same' | 'causal';
}

/** Arguments of {@link conv2dTranspose} (and {@link conv1dTranspose}, with one size per argument). */
export interface Conv2DTransposeArgs extends ConvGeometryArgs {
  /** Output channels. */
  filters: number;
  /** 'valid' (default; output (size − 1)·stride + kernel) or 'same' (output size · stride). */
  padding?: 'valid' | 'same';
  /** Extra rows/columns on the output's end (default: Keras' choice by padding); each below the stride. */
  outputPadding?: number | number[];
  /** Default 'glorotUniform'. */
  kernelInitializer?: InitializerName;
}

/** Arguments of {@link conv1dTranspose}: as conv2dTranspose's, one number (or a list of one) per size. */
export type Conv1DTransposeArgs = Conv2DTransposeArgs;

/** Arguments of {@link depthwiseConv2d}. */
export interface DepthwiseConv2DArgs extends ConvGeometryArgs {
  /** 'valid' (default) or 'same'. */
  padding?: 'valid' | 'same';
  /** Output channels per input channel (default 1). */
  depthMultiplier?: number;
  /** Default 'glorotUniform'. */
  depthwiseInitializer?: InitializerName;
}

/** Arguments of {@link separableConv2d}. */
export interface SeparableConv2DArgs extends ConvGeometryArgs {
  /** Output channels (of the pointwise 1×1 convolution). */
  filters: number;
  /** 'valid' (default) or 'same'. */
  padding?: 'valid' | 'same';
  /** Depthwise output channels per input channel (default 1). */
  depthMultiplier?: number;
  /** Default 'glorotUniform'. */
  depthwiseInitializer?: InitializerName;
  /** Default 'glorotUniform'. */
  pointwiseInitializer?: InitializerName;
}

const geometryFields = (nd: number) => ({
  ...LAYER_FIELDS,
  kernelSize: field.sizes(nd, null),
  strides: field.sizes(nd, 1),
  dataFormat: FORMAT_FIELD(),
  dilationRate: field.sizes(nd, 1),
  activation: field.activation('linear'),
  useBias: field.bool(true),
  biasInitializer: field.initializer('zeros'),
  dtype: field.dtype(),
  generator: field.generator(true),
});
const PADDING = field.choice(['valid', 'same'] as const, 'valid');

// One field table per convolution: the shared geometry, then what each adds.
const CONV2D_FIELDS = {
  ...geometryFields(2), filters: field.units(), padding: PADDING, groups: POSITIVE_INT(1), kernelInitializer: GLOROT(),
} satisfies SchemaFor<Conv2DArgs>;
const CONV1D_FIELDS = {
  ...geometryFields(1), filters: field.units(), padding: field.choice(['valid', 'same', 'causal'] as const, 'valid'), groups: POSITIVE_INT(1), kernelInitializer: GLOROT(),
} satisfies SchemaFor<Conv1DArgs>;
const transposeFields = (nd: 1 | 2) => ({
  ...geometryFields(nd), filters: field.units(), padding: PADDING, outputPadding: field.optionalSizes(nd, 0), kernelInitializer: GLOROT(),
}) satisfies SchemaFor<Conv2DTransposeArgs>;
const CONV1D_TRANSPOSE_FIELDS = transposeFields(1);
const CONV2D_TRANSPOSE_FIELDS = transposeFields(2);
const DEPTHWISE_FIELDS = {
  ...geometryFields(2), padding: PADDING, depthMultiplier: POSITIVE_INT(1), depthwiseInitializer: GLOROT(),
} satisfies SchemaFor<DepthwiseConv2DArgs>;
const SEPARABLE_FIELDS = {
  ...geometryFields(2), filters: field.units(), padding: PADDING, depthMultiplier: POSITIVE_INT(1), depthwiseInitializer: GLOROT(), pointwiseInitializer: GLOROT(),
} satisfies SchemaFor<SeparableConv2DArgs>;

/** A layer's weights as [name, shape, fanIn, fanOut, initializer], fans as Keras computes them for its kernel layout. */
type WeightPlan = [name: string, shape: number[], fanIn: number, fanOut: number, initializer: string][];

/** The config fields every convolution shares, as the base class reads them. */
interface ConvConfig {
  kernelSize: number[];
  strides: number[];
  dilationRate: number[];
  padding: 'valid' | 'same' | 'causal';
  activation: string;
  useBias: boolean;
  biasInitializer: string;
  dtype: DType;
  generator: Generator | undefined;
}

/**
 * The shared body of the convolution layers: Keras' output sizes and padding, the activation, and weights
 * kept in PyTorch's layout (each subclass declares its weights' names and shapes and how it convolves).
 */
abstract class ConvLayer<S extends Schema> extends SpatialLayer<S> {
  readonly #act: ActivationFn;
  #weights: [string, Parameter][] = [];

  protected constructor(schema: S, args: unknown, where: string, example: string, options: LayerOptions, nd: 1 | 2) {
    super(schema, args, where, example, options, nd);
    this.#act = getActivation(this.conv.activation, where).fn;
  }

  /** The shared fields of the config. */
  protected get conv(): ConvConfig {
    return this.config as unknown as ConvConfig;
  }

  /** The activation's name ('linear' when none). */
  get activation(): string { return this.conv.activation; }
  /** The kernel size per spatial axis. */
  get kernelSize(): number[] { return [...this.conv.kernelSize]; }

  /** Output channels for an input with this many channels (checking channel-dependent settings). */
  protected abstract outChannels(channels: number): number;
  /** The weights this layer makes for an input with this many channels. */
  protected abstract weightPlan(channels: number): WeightPlan;
  /** Convolves a channels-first batch (its spatial padding already applied) with the built weights. */
  protected abstract convolve(x: Tensor, weights: Map<string, Parameter>): Tensor;

  /** Output size and padding per spatial axis for these spatial sizes. */
  protected axes(spatial: readonly number[]): Axis[] {
    const c = this.conv;
    return spatial.map((s, i) => kerasAxis(s, c.kernelSize[i], c.strides[i], c.dilationRate[i], c.padding));
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    const { spatial, channels } = this.split(inputShape);
    const out = this.outChannels(channels);
    const axes = this.axes(spatial);
    if (axes.some((a) => a.out < 1)) {
      const span = this.conv.kernelSize.map((k, i) => this.conv.dilationRate[i] * (k - 1) + 1);
      throw new RangeError(
        `${this.describe()}: the (dilated) kernel ${fmtShape(span)} is larger than the input's spatial size ${fmtShape(spatial)} with padding '${this.conv.padding}' (input rows ${fmtShape(inputShape)})${swapHint(inputShape, this.dataFormat)}`,
      );
    }
    return this.join(axes.map((a) => a.out), out);
  }

  override weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const { channels } = this.split(inputShape);
    this.outChannels(channels);
    return this.weightPlan(channels).map(([name, shape]) => ({ name, shape, dtype: this.conv.dtype }));
  }

  protected override allocate(inputShape: readonly number[]): void {
    const { channels } = this.split(inputShape);
    const gen = this.conv.generator ?? defaultGenerator;
    this.#weights = this.weightPlan(channels).map(([name, shape, fanIn, fanOut, init]) => {
      const p = new Parameter(NDArray.zeros(shape, this.conv.dtype));
      INITIALIZERS.get(init, this.describe()).value(p, fanIn, fanOut, gen);
      return [name, p];
    });
  }

  override namedOwnParameters(): [string, Parameter][] {
    return [...this.#weights];
  }

  /** A weight by name (null until built, or when the layer has no such weight). */
  protected weightNamed(name: string): Parameter | null {
    return this.#weights.find(([n]) => n === name)?.[1] ?? null;
  }

  /** The kernel in PyTorch's layout (null until built). */
  get weight(): Parameter | null { return this.weightNamed('weight'); }
  /** The bias (null until built, or without useBias). */
  get bias(): Parameter | null { return this.weightNamed('bias'); }

  /** Pads a channels-first batch for the convolution: symmetric padding goes to the conv, the rest through F.pad. */
  protected padded(x: Tensor): { x: Tensor; padding: number[] } {
    const axes = this.axes(x.shape.slice(2));
    if (axes.every((a) => a.before === a.after)) return { x, padding: axes.map((a) => a.before) };
    return { x: pad(x, padAmounts(axes)), padding: axes.map(() => 0) };
  }

  override forwardWithLogits(x: Tensor): { out: Tensor; logits: Tensor | null; activation: string | null } {
    this.ensureBuilt(x);
    this.checkBatch(x);
    const first = this.toFirst(x);
    const spatial = first.shape.slice(2);
    if (this.axes(spatial).some((a) => a.out < 1)) this.computeOutputShape(x.shape.slice(1));
    const z = this.fromFirst(this.convolve(first, new Map(this.#weights)));
    return { out: this.#act(z), logits: z, activation: this.activation };
  }

  override forward(x: Tensor): Tensor {
    return this.forwardWithLogits(x).out;
  }

  override extraRepr(): string {
    const c = this.conv;
    return `kernelSize=${fmtShape(c.kernelSize)}, strides=${fmtShape(c.strides)}, padding=${c.padding}, activation=${c.activation}`;
  }
}

/** Conv1D and Conv2D: weight [filters, channels/groups, ...kernel], bias [filters]. */
abstract class PlainConv extends ConvLayer<typeof CONV2D_FIELDS | typeof CONV1D_FIELDS> {
  /** Output channels. */
  get filters(): number { return this.config.filters; }
  /** Channel groups. */
  get groups(): number { return this.config.groups; }

  protected outChannels(channels: number): number {
    const { groups, filters } = this.config;
    if (channels % groups !== 0 || filters % groups !== 0) {
      throw new RangeError(`${this.describe()}: groups=${groups} must divide the input channels (${channels}) and filters (${filters})`);
    }
    return filters;
  }

  protected weightPlan(channels: number): WeightPlan {
    const { filters, groups, kernelSize, useBias, kernelInitializer, biasInitializer } = this.config;
    const area = prod(kernelSize);
    // Keras' kernel [...kernel, channels/groups, filters]: fanIn = area·channels/groups, fanOut = area·filters
    const plan: WeightPlan = [['weight', [filters, channels / groups, ...kernelSize], area * (channels / groups), area * filters, kernelInitializer]];
    if (useBias) plan.push(['bias', [filters], area * (channels / groups), area * filters, biasInitializer]);
    return plan;
  }

  protected convolve(x: Tensor, w: Map<string, Parameter>): Tensor {
    const { x: xp, padding } = this.padded(x);
    const options = { stride: this.config.strides, padding, dilation: this.config.dilationRate, groups: this.config.groups };
    return (this.nd === 1 ? convolve1d : convolve2d)(xp, w.get('weight')!, w.get('bias') ?? null, options);
  }
}

/** A 2-D convolution over images (Keras' Conv2D): [batch, h, w, c] → [batch, h', w', filters]. */
export class Conv2D extends PlainConv {
  readonly className = 'Conv2D';
  constructor(args: Conv2DArgs, options: LayerOptions = {}) {
    super(CONV2D_FIELDS, args, 'conv2d', "{ filters: 32, kernelSize: 3, activation: 'relu' }", options, 2);
  }
}

/** A 1-D convolution over sequences (Keras' Conv1D): [batch, steps, c] → [batch, steps', filters]. */
export class Conv1D extends PlainConv {
  readonly className = 'Conv1D';
  constructor(args: Conv1DArgs, options: LayerOptions = {}) {
    super(CONV1D_FIELDS, args, 'conv1d', '{ filters: 16, kernelSize: 3 }', options, 1);
  }
}

/**
 * The transposed convolutions (Keras' Conv1DTranspose and Conv2DTranspose; "deconvolution"), e.g. to upsample
 * by their strides: weight [channels, filters, ...kernel] (nn.ConvTranspose's layout), bias [filters].
 */
abstract class ConvTranspose extends ConvLayer<typeof CONV2D_TRANSPOSE_FIELDS> {
  protected constructor(schema: typeof CONV2D_TRANSPOSE_FIELDS, args: unknown, where: string, example: string, options: LayerOptions, nd: 1 | 2) {
    super(schema, args, where, example, options, nd);
    const { outputPadding, strides } = this.config;
    outputPadding?.forEach((p, i) => {
      if (p >= strides[i]) {
        throw new ConfigError('BAD_VALUE', `${options.where ?? where}: outputPadding ${fmtShape(outputPadding)} must be smaller than strides ${fmtShape(strides)}`);
      }
    });
  }

  /** Output channels. */
  get filters(): number { return this.config.filters; }

  /**
   * Keras' output size (its deconv_output_length) and TensorFlow's padding for it: the transposed
   * convolution is the adjoint of a conv from `out` to `size` padded (before, after); `after` may be
   * negative (the last output positions no kernel tap reaches).
   */
  protected override axes(spatial: readonly number[]): Axis[] {
    const { kernelSize, strides, dilationRate, padding, outputPadding } = this.config;
    return spatial.map((size, i) => {
      const s = strides[i];
      const span = dilationRate[i] * (kernelSize[i] - 1) + 1;
      const out = outputPadding === undefined
        ? (padding === 'valid' ? size * s + Math.max(span - s, 0) : size * s)
        : (size - 1) * s + span - 2 * (padding === 'same' ? Math.floor(span / 2) : 0) + outputPadding[i];
      const total = (size - 1) * s + span - out;
      const before = padding === 'same' ? Math.floor(Math.max(total, 0) / 2) : 0;
      return { out, before, after: total - before };
    });
  }

  protected outChannels(): number {
    return this.config.filters;
  }

  protected weightPlan(channels: number): WeightPlan {
    const { filters, kernelSize, useBias, kernelInitializer, biasInitializer } = this.config;
    const area = prod(kernelSize);
    // Keras' kernel [...kernel, filters, channels]: fanIn = area·filters, fanOut = area·channels
    const plan: WeightPlan = [['weight', [channels, filters, ...kernelSize], area * filters, area * channels, kernelInitializer]];
    if (useBias) plan.push(['bias', [filters], area * filters, area * channels, biasInitializer]);
    return plan;
  }

  protected convolve(x: Tensor, w: Map<string, Parameter>): Tensor {
    const axes = this.axes(x.shape.slice(2));
    // F.convTranspose2d pads (p, p − outputPadding); a larger `after` than `before` is cropped off the end
    const extra = axes.map((a) => a.before - a.after);
    let y = (this.nd === 1 ? convTranspose1d : convTranspose2d)(x, w.get('weight')!, w.get('bias') ?? null, {
      stride: this.config.strides, padding: axes.map((a) => a.before), outputPadding: extra.map((e) => Math.max(e, 0)), dilation: this.config.dilationRate,
    });
    axes.forEach((a, i) => {
      if (y.shape[2 + i] !== a.out) y = y.slice(2 + i, 0, a.out);
    });
    return y;
  }
}

/** A 2-D transposed convolution (Keras' Conv2DTranspose): weight [channels, filters, kh, kw], bias [filters]. */
export class Conv2DTranspose extends ConvTranspose {
  readonly className = 'Conv2DTranspose';
  constructor(args: Conv2DTransposeArgs, options: LayerOptions = {}) {
    super(CONV2D_TRANSPOSE_FIELDS, args, 'conv2dTranspose', '{ filters: 16, kernelSize: 3, strides: 2 }', options, 2);
  }
}

/** A 1-D transposed convolution over steps (Keras' Conv1DTranspose): weight [channels, filters, k], bias [filters]. */
export class Conv1DTranspose extends ConvTranspose {
  readonly className = 'Conv1DTranspose';
  constructor(args: Conv1DTransposeArgs, options: LayerOptions = {}) {
    super(CONV1D_TRANSPOSE_FIELDS, args, 'conv1dTranspose', '{ filters: 16, kernelSize: 3, strides: 2 }', options, 1);
  }
}

/** A depthwise convolution (Keras' DepthwiseConv2D): each channel convolved with its own depthMultiplier filters. */
export class DepthwiseConv2D extends ConvLayer<typeof DEPTHWISE_FIELDS> {
  readonly className = 'DepthwiseConv2D';
  constructor(args: DepthwiseConv2DArgs, options: LayerOptions = {}) {
    super(DEPTHWISE_FIELDS, args, 'depthwiseConv2d', '{ kernelSize: 3 }', options, 2);
  }

  protected outChannels(channels: number): number {
    return channels * this.config.depthMultiplier;
  }

  protected weightPlan(channels: number): WeightPlan {
    const { depthMultiplier: m, kernelSize, useBias, depthwiseInitializer, biasInitializer } = this.config;
    const area = prod(kernelSize);
    // Keras' kernel [kh, kw, channels, m]: fanIn = area·channels, fanOut = area·m
    const plan: WeightPlan = [['weight', [channels * m, 1, ...kernelSize], area * channels, area * m, depthwiseInitializer]];
    if (useBias) plan.push(['bias', [channels * m], area * channels, area * m, biasInitializer]);
    return plan;
  }

  protected convolve(x: Tensor, w: Map<string, Parameter>): Tensor {
    const { x: xp, padding } = this.padded(x);
    return convolve2d(xp, w.get('weight')!, w.get('bias') ?? null, { stride: this.config.strides, padding, dilation: this.config.dilationRate, groups: x.shape[1] });
  }
}

/**
 * A depthwise-separable convolution (Keras' SeparableConv2D): a depthwise convolution, then a pointwise
 * 1×1 convolution to `filters` channels. Weights depthwise_weight [c·m, 1, kh, kw], pointwise_weight
 * [filters, c·m, 1, 1], bias [filters].
 */
export class SeparableConv2D extends ConvLayer<typeof SEPARABLE_FIELDS> {
  readonly className = 'SeparableConv2D';
  constructor(args: SeparableConv2DArgs, options: LayerOptions = {}) {
    super(SEPARABLE_FIELDS, args, 'separableConv2d', '{ filters: 32, kernelSize: 3 }', options, 2);
  }

  /** Output channels. */
  get filters(): number { return this.config.filters; }

  protected outChannels(): number {
    return this.config.filters;
  }

  protected weightPlan(channels: number): WeightPlan {
    const { depthMultiplier: m, filters, kernelSize, useBias, depthwiseInitializer, pointwiseInitializer, biasInitializer } = this.config;
    const area = prod(kernelSize);
    const plan: WeightPlan = [
      ['depthwise_weight', [channels * m, 1, ...kernelSize], area * channels, area * m, depthwiseInitializer],
      ['pointwise_weight', [filters, channels * m, 1, 1], channels * m, filters, pointwiseInitializer],
    ];
    if (useBias) plan.push(['bias', [filters], channels * m, filters, biasInitializer]);
    return plan;
  }

  protected convolve(x: Tensor, w: Map<string, Parameter>): Tensor {
    const { x: xp, padding } = this.padded(x);
    const depth = convolve2d(xp, w.get('depthwise_weight')!, null, { stride: this.config.strides, padding, dilation: this.config.dilationRate, groups: x.shape[1] });
    return convolve2d(depth, w.get('pointwise_weight')!, w.get('bias') ?? null);
  }
}

// ---- pooling ----------------------------------------------------------------------------------------------

/** Arguments of the pooling layers ({@link maxPooling2d}, {@link averagePooling2d}, and their 1-D forms). */
export interface PoolingArgs extends LayerArgs {
  /** Window size per spatial axis (default 2). */
  poolSize?: number | number[];
  /** Step between windows (default: the pool size). */
  strides?: number | number[];
  /** 'valid' (default: only whole windows) or 'same' (output ⌈size / stride⌉; padding left out of max and mean). */
  padding?: 'valid' | 'same';
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

const poolFields = (nd: number) => ({
  ...LAYER_FIELDS, poolSize: field.sizes(nd, 2), strides: field.optionalSizes(nd), padding: PADDING, dataFormat: FORMAT_FIELD(),
}) satisfies SchemaFor<PoolingArgs>;
const POOL1D_FIELDS = poolFields(1);
const POOL2D_FIELDS = poolFields(2);

/** Max or average pooling over windows, with Keras' 'same' padding (padding never counted in a window). */
abstract class Pooling extends SpatialLayer<typeof POOL1D_FIELDS> {
  protected abstract readonly kind: 'max' | 'avg';

  /** The window size per spatial axis. */
  get poolSize(): number[] { return [...this.config.poolSize]; }
  /** The step between windows per spatial axis (the pool size unless given). */
  get strides(): number[] { return [...(this.config.strides ?? this.config.poolSize)]; }

  private axes(spatial: readonly number[]): Axis[] {
    const s = this.strides;
    return spatial.map((n, i) => kerasAxis(n, this.config.poolSize[i], s[i], 1, this.config.padding));
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    const { spatial, channels } = this.split(inputShape);
    const axes = this.axes(spatial);
    if (axes.some((a) => a.out < 1)) {
      throw new RangeError(`${this.describe()}: the pool ${fmtShape(this.config.poolSize)} is larger than the input's spatial size ${fmtShape(spatial)} (input rows ${fmtShape(inputShape)})${swapHint(inputShape, this.dataFormat)}`);
    }
    return this.join(axes.map((a) => a.out), channels);
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    this.checkBatch(x);
    let first = this.toFirst(x);
    const spatial = first.shape.slice(2);
    const axes = this.axes(spatial);
    if (axes.some((a) => a.out < 1)) this.computeOutputShape(x.shape.slice(1));
    const padded = axes.some((a) => a.before > 0 || a.after > 0);
    const k = this.config.poolSize;
    const stride = this.strides;
    let y: Tensor;
    if (this.kind === 'max') {
      if (padded) first = pad(first, padAmounts(axes), 'constant', -Infinity);
      y = (this.nd === 1 ? maxPool1d : maxPool2d)(first, k, { stride });
    } else {
      const avg = this.nd === 1 ? avgPool1d : avgPool2d;
      y = avg(padded ? pad(first, padAmounts(axes)) : first, k, { stride });
      if (padded) {
        // the mean over the window's real elements: divide by the fraction of each window inside the image
        const ones = new Tensor(NDArray.zeros([1, 1, ...spatial], first.dtype)).add(1);
        y = y.div(avg(pad(ones, padAmounts(axes)), k, { stride }));
      }
    }
    return this.fromFirst(y);
  }

  override extraRepr(): string {
    return `poolSize=${fmtShape(this.poolSize)}, strides=${fmtShape(this.strides)}, padding=${this.config.padding}`;
  }
}

/** Max pooling over 2-D windows (Keras' MaxPooling2D). */
export class MaxPooling2D extends Pooling {
  readonly className = 'MaxPooling2D';
  protected readonly kind = 'max';
  constructor(args: PoolingArgs = {}, options: LayerOptions = {}) {
    super(POOL2D_FIELDS, args, 'maxPooling2d', '{ poolSize: 2 }', options, 2);
  }
}

/** Max pooling over windows of steps (Keras' MaxPooling1D). */
export class MaxPooling1D extends Pooling {
  readonly className = 'MaxPooling1D';
  protected readonly kind = 'max';
  constructor(args: PoolingArgs = {}, options: LayerOptions = {}) {
    super(POOL1D_FIELDS, args, 'maxPooling1d', '{ poolSize: 2 }', options, 1);
  }
}

/** Average pooling over 2-D windows (Keras' AveragePooling2D). */
export class AveragePooling2D extends Pooling {
  readonly className = 'AveragePooling2D';
  protected readonly kind = 'avg';
  constructor(args: PoolingArgs = {}, options: LayerOptions = {}) {
    super(POOL2D_FIELDS, args, 'averagePooling2d', '{ poolSize: 2 }', options, 2);
  }
}

/** Average pooling over windows of steps (Keras' AveragePooling1D). */
export class AveragePooling1D extends Pooling {
  readonly className = 'AveragePooling1D';
  protected readonly kind = 'avg';
  constructor(args: PoolingArgs = {}, options: LayerOptions = {}) {
    super(POOL1D_FIELDS, args, 'averagePooling1d', '{ poolSize: 2 }', options, 1);
  }
}

/** Arguments of {@link globalAveragePooling2d}, {@link globalMaxPooling2d} and {@link globalMaxPooling1d}. */
export interface GlobalPoolingArgs extends LayerArgs {
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  /** Keep the spatial axes with size 1 (default false: [batch, channels]). */
  keepdims?: boolean;
}

const GLOBAL_POOL_FIELDS = { ...LAYER_FIELDS, dataFormat: FORMAT_FIELD(), keepdims: field.bool(false) } satisfies SchemaFor<GlobalPoolingArgs>;

/** The mean or max over all spatial positions (steps, or pixels), per channel. */
abstract class GlobalPooling extends SpatialLayer<typeof GLOBAL_POOL_FIELDS> {
  protected abstract readonly kind: 'max' | 'avg';

  computeOutputShape(inputShape: readonly number[]): number[] {
    const { channels } = this.split(inputShape);
    return this.config.keepdims ? this.join(new Array<number>(this.nd).fill(1), channels) : [channels];
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    this.checkBatch(x);
    const axes = this.spatialAxes;
    return this.kind === 'max' ? x.max(axes, this.config.keepdims) : x.mean(axes, this.config.keepdims);
  }
}

/** The mean of each channel over the image (Keras' GlobalAveragePooling2D): [batch, h, w, c] → [batch, c]. */
export class GlobalAveragePooling2D extends GlobalPooling {
  readonly className = 'GlobalAveragePooling2D';
  protected readonly kind = 'avg';
  constructor(args: GlobalPoolingArgs = {}, options: LayerOptions = {}) {
    super(GLOBAL_POOL_FIELDS, args, 'globalAveragePooling2d', '{}', options, 2);
  }
}

/** The maximum of each channel over the image (Keras' GlobalMaxPooling2D): [batch, h, w, c] → [batch, c]. */
export class GlobalMaxPooling2D extends GlobalPooling {
  readonly className = 'GlobalMaxPooling2D';
  protected readonly kind = 'max';
  constructor(args: GlobalPoolingArgs = {}, options: LayerOptions = {}) {
    super(GLOBAL_POOL_FIELDS, args, 'globalMaxPooling2d', '{}', options, 2);
  }
}

/**
 * The maximum of each feature over the steps (Keras' GlobalMaxPooling1D): [batch, steps, features] → [batch, features].
 * (Unlike globalAveragePooling1d it does not read a mask, as in Keras.)
 */
export class GlobalMaxPooling1D extends GlobalPooling {
  readonly className = 'GlobalMaxPooling1D';
  protected readonly kind = 'max';
  constructor(args: GlobalPoolingArgs = {}, options: LayerOptions = {}) {
    super(GLOBAL_POOL_FIELDS, args, 'globalMaxPooling1d', '{}', options, 1);
  }
}

// ---- batch normalisation ----------------------------------------------------------------------------------

/** Arguments of {@link batchNormalization}. */
export interface BatchNormalizationArgs extends LayerArgs {
  /** The features axis, counted with the batch axis (default -1: the channels of channels-last images; 1 for channels-first). */
  axis?: number;
  /** Weight of the old value in the moving averages (default 0.99, Keras'): moving = moving·momentum + batch·(1 − momentum). */
  momentum?: number;
  /** Added to the variance (default 1e-3, Keras'). */
  epsilon?: number;
  /** Learn an offset, beta (default true). */
  center?: boolean;
  /** Learn a scale, gamma (default true). */
  scale?: boolean;
  /** Default 'zeros'. */
  betaInitializer?: InitializerName;
  /** Default 'ones'. */
  gammaInitializer?: InitializerName;
  /** Default 'zeros'. */
  movingMeanInitializer?: InitializerName;
  /** Default 'ones'. */
  movingVarianceInitializer?: InitializerName;
  /** Dtype of the weights (default 'float32'). */
  dtype?: DType;
}

const BATCH_NORM_FIELDS = {
  ...LAYER_FIELDS,
  axis: field.int(-1),
  momentum: field.number(0.99, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'),
  epsilon: field.positive(1e-3),
  center: field.bool(true),
  scale: field.bool(true),
  betaInitializer: field.initializer('zeros'),
  gammaInitializer: field.initializer('ones'),
  movingMeanInitializer: field.initializer('zeros'),
  movingVarianceInitializer: field.initializer('ones'),
  dtype: field.dtype(),
} satisfies SchemaFor<BatchNormalizationArgs>;

/**
 * Batch normalisation (Keras' BatchNormalization) over every axis but `axis`. In fit (training mode) each
 * feature is normalised with the batch's mean and (biased) variance, and the moving averages move towards
 * them; in evaluate/predict the moving averages are used. Weights: weight (gamma) and bias (beta), trained;
 * running_mean and running_var, not trained (Keras' non-trainable params), all [features].
 */
export class BatchNormalization extends Layer<typeof BATCH_NORM_FIELDS> {
  readonly className = 'BatchNormalization';
  #weights: [string, Parameter][] = [];

  constructor(args: BatchNormalizationArgs = {}, options: LayerOptions = {}) {
    super(BATCH_NORM_FIELDS, args, 'batchNormalization', '{ momentum: 0.99 }', options);
  }

  /** The features axis resolved for rows of this rank (without the batch axis), counted with the batch axis. */
  private axisFor(rowRank: number): number {
    const rank = rowRank + 1;
    const a = this.config.axis < 0 ? this.config.axis + rank : this.config.axis;
    if (a < 1 || a >= rank) {
      throw new RangeError(`${this.describe()}: axis ${this.config.axis} is out of range for input of shape [null,${rowRankShape(rowRank)}] (ndim=${rank}); the batch axis 0 cannot be normalised over alone`);
    }
    return a;
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length === 0) throw new RangeError(`${this.describe()}: needs inputs with a features axis`);
    this.axisFor(inputShape.length);
    return [...inputShape];
  }

  override weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const c = inputShape[this.axisFor(inputShape.length) - 1];
    const { dtype } = this.config;
    return this.plan().map(([name]) => ({ name, shape: [c], dtype }));
  }

  private plan(): [string, string, boolean][] {
    const c = this.config;
    return [
      ...(c.scale ? [['weight', c.gammaInitializer, true] as [string, string, boolean]] : []),
      ...(c.center ? [['bias', c.betaInitializer, true] as [string, string, boolean]] : []),
      ['running_mean', c.movingMeanInitializer, false],
      ['running_var', c.movingVarianceInitializer, false],
    ];
  }

  protected override allocate(inputShape: readonly number[]): void {
    const c = inputShape[this.axisFor(inputShape.length) - 1];
    this.#weights = this.plan().map(([name, init, trainable]) => {
      const p = new Parameter(NDArray.zeros([c], this.config.dtype), trainable);
      INITIALIZERS.get(init, this.describe()).value(p, c, c, defaultGenerator);
      return [name, p];
    });
  }

  override namedOwnParameters(): [string, Parameter][] {
    return [...this.#weights];
  }

  private get(name: string): Parameter | null {
    return this.#weights.find(([n]) => n === name)?.[1] ?? null;
  }

  /** The moving mean (null until built). */
  get movingMean(): Parameter | null { return this.get('running_mean'); }
  /** The moving (biased) variance (null until built). */
  get movingVariance(): Parameter | null { return this.get('running_var'); }
  /** The learned scale, gamma (null until built or without scale). */
  get gamma(): Parameter | null { return this.get('weight'); }
  /** The learned offset, beta (null until built or without center). */
  get beta(): Parameter | null { return this.get('bias'); }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    const a = this.axisFor(x.ndim - 1);
    const c = this.inputShape![a - 1];
    if (x.ndim - 1 !== this.inputShape!.length || x.shape[a] !== c) {
      throw new RangeError(`${this.describe()}: expected axis ${this.config.axis} of the input to have value ${c}, but received input with shape ${fmtShape(x.shape)}`);
    }
    const bshape = x.shape.map((d, i) => (i === a ? d : 1));
    const reduce = x.shape.map((_, i) => i).filter((i) => i !== a);
    const eps = this.config.epsilon;
    const mean = this.movingMean!, variance = this.movingVariance!;
    let y: Tensor;
    if (this.training) {
      const count = x.size / c;
      if (count <= 1) {
        throw new RangeError(`${this.describe()}: expected more than 1 value per feature when training, got input of shape ${fmtShape(x.shape)} (a batch of one: use a larger batch; evaluate and predict use the moving statistics)`);
      }
      const m = x.mean(reduce, true);
      const centred = x.sub(m);
      const v = centred.square().mean(reduce, true);
      y = centred.mul(v.add(eps).rsqrt());
      const k = this.config.momentum;
      noGrad(() => {
        mean.value = mean.mul(k).add(m.reshape([c]).mul(1 - k)).value.astype(mean.dtype);
        variance.value = variance.mul(k).add(v.reshape([c]).mul(1 - k)).value.astype(variance.dtype);
      });
    } else {
      y = x.sub(mean.reshape(bshape)).mul(variance.reshape(bshape).add(eps).rsqrt());
    }
    const gamma = this.gamma, beta = this.beta;
    if (gamma) y = y.mul(gamma.reshape(bshape));
    if (beta) y = y.add(beta.reshape(bshape));
    return y;
  }

  override extraRepr(): string {
    return `axis=${this.config.axis}, momentum=${this.config.momentum}, epsilon=${this.config.epsilon}`;
  }
}

const rowRankShape = (rank: number): string => new Array<string>(rank).fill('?').join(',');

// ---- reshaping, padding, upsampling, spatial dropout ------------------------------------------------------

/** Arguments of {@link reshape}. */
export interface ReshapeArgs extends LayerArgs {
  /** The new row shape, without the batch axis; one entry may be -1 (worked out from the size). */
  targetShape: number[];
}

const targetShapeField = (): Field<number[]> => ({
  saved: true,
  parse: (v, ctx) => {
    if (v === undefined) throw new ConfigError('MISSING_FIELD', `${ctx.where}: ${ctx.key} is required, e.g. [7, 7, 4]`);
    const ok = Array.isArray(v) && v.length >= 1 && v.length <= 8
      && v.every((d) => Number.isSafeInteger(d) && (d === -1 || (d >= 1 && d <= ctx.limits.maxDim)))
      && v.filter((d) => d === -1).length <= 1;
    if (!ok) throw new ConfigError('BAD_VALUE', `${ctx.where}: ${ctx.key} must be 1 to 8 positive integers (one may be -1), got ${Array.isArray(v) ? JSON.stringify(v).slice(0, 60) : show(v)}`);
    return [...(v as number[])];
  },
});

const RESHAPE_FIELDS = { ...LAYER_FIELDS, targetShape: targetShapeField() } satisfies SchemaFor<ReshapeArgs>;

/** Reshapes each row (Keras' Reshape): [batch, ...] → [batch, ...targetShape]. */
export class Reshape extends Layer<typeof RESHAPE_FIELDS> {
  readonly className = 'Reshape';
  constructor(args: ReshapeArgs, options: LayerOptions = {}) {
    super(RESHAPE_FIELDS, args, 'reshape', '{ targetShape: [7, 7, 4] }', options);
  }

  /** The target row shape as given (may hold -1). */
  get targetShape(): number[] { return [...this.config.targetShape]; }

  computeOutputShape(inputShape: readonly number[]): number[] {
    const size = prod(inputShape);
    const t = this.config.targetShape;
    const known = prod(t.filter((d) => d !== -1));
    const out = t.map((d) => (d === -1 ? size / known : d));
    if (out.some((d) => !Number.isInteger(d) || d < 1) || prod(out) !== size) {
      throw new RangeError(`${this.describe()}: the total size of the new array must be unchanged, input rows ${fmtShape(inputShape)} (${size} values), targetShape ${fmtShape(t)}`);
    }
    return out;
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    return x.reshape([x.shape[0], ...this.computeOutputShape(x.shape.slice(1))]);
  }
}

/** Arguments of {@link zeroPadding2d}. */
export interface ZeroPadding2DArgs extends LayerArgs {
  /** Zeros on each side: p (all four), [h, w] (top and bottom h, left and right w) or [[top, bottom], [left, right]] (default 1). */
  padding?: number | [number, number] | [[number, number], [number, number]];
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

/** Arguments of {@link zeroPadding1d}. */
export interface ZeroPadding1DArgs extends LayerArgs {
  /** Zeros at both ends of the steps: p (each end) or [before, after] (default 1). */
  padding?: number | [number, number];
  /** 'channelsLast' (default) [batch, steps, features] or 'channelsFirst' [batch, features, steps]. */
  dataFormat?: DataFormat;
}

/** Arguments of {@link cropping2d}. */
export interface Cropping2DArgs extends LayerArgs {
  /** Rows and columns cut off: c (all four sides), [h, w] (top and bottom h, left and right w) or [[top, bottom], [left, right]] (default 0). */
  cropping?: number | [number, number] | [[number, number], [number, number]];
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

/** Arguments of {@link cropping1d}. */
export interface Cropping1DArgs extends LayerArgs {
  /** Steps cut off: c (each end) or [before, after] (default [1, 1], Keras'). */
  cropping?: number | [number, number];
  /** 'channelsLast' (default) [batch, steps, features] or 'channelsFirst' [batch, features, steps]. */
  dataFormat?: DataFormat;
}

/** [before, after] at each end of each spatial axis. */
type Edges = [number, number][];

/**
 * The amounts at both ends of each spatial axis (zero padding, cropping) from Keras' forms: one number for
 * every end; for 1-D [before, after]; for 2-D [h, w] (each at both ends) or [[top, bottom], [left, right]].
 */
function parseEdges(raw: unknown, nd: 1 | 2, ctx: FieldContext): Edges {
  const int = (d: unknown): d is number => Number.isSafeInteger(d) && (d as number) >= 0 && (d as number) <= ctx.limits.maxDim;
  const pair = (p: unknown): p is [number, number] => Array.isArray(p) && p.length === 2 && p.every(int);
  if (int(raw)) return Array.from({ length: nd }, (): [number, number] => [raw, raw]);
  if (nd === 1 && pair(raw)) return [[raw[0], raw[1]]];
  if (nd === 2 && Array.isArray(raw) && raw.length === 2) {
    if (raw.every(int)) return raw.map((v): [number, number] => [v, v]);
    if (raw.every(pair)) return raw.map(([a, b]): [number, number] => [a, b]);
  }
  const forms = nd === 1 ? 'a non-negative integer or [before, after]' : 'a non-negative integer, [h, w] or [[top, bottom], [left, right]]';
  throw new ConfigError('BAD_VALUE', `${ctx.where}: ${ctx.key} must be ${forms}, got ${Array.isArray(raw) ? JSON.stringify(raw).slice(0, 60) : show(raw)}`);
}

/** The 1-D amounts, kept as Keras saves them: [before, after]. */
const edges1dField = (defaultValue: number): Field<[number, number]> => ({ saved: true, parse: (v, ctx) => parseEdges(v ?? defaultValue, 1, ctx)[0] });
/** The 2-D amounts, kept as [[top, bottom], [left, right]]. */
const edges2dField = (defaultValue: number): Field<[[number, number], [number, number]]> => ({
  saved: true,
  parse: (v, ctx) => {
    const [h, w] = parseEdges(v ?? defaultValue, 2, ctx);
    return [h, w];
  },
});

const ZERO_PADDING1D_FIELDS = { ...LAYER_FIELDS, padding: edges1dField(1), dataFormat: FORMAT_FIELD() } satisfies SchemaFor<ZeroPadding1DArgs>;
const ZERO_PADDING_FIELDS = { ...LAYER_FIELDS, padding: edges2dField(1), dataFormat: FORMAT_FIELD() } satisfies SchemaFor<ZeroPadding2DArgs>;
const CROPPING1D_FIELDS = { ...LAYER_FIELDS, cropping: edges1dField(1), dataFormat: FORMAT_FIELD() } satisfies SchemaFor<Cropping1DArgs>;
const CROPPING2D_FIELDS = { ...LAYER_FIELDS, cropping: edges2dField(0), dataFormat: FORMAT_FIELD() } satisfies SchemaFor<Cropping2DArgs>;

/** Zero padding and cropping: rows (steps, columns) added at or cut from both ends of each spatial axis. */
abstract class EdgeLayer<S extends Schema> extends SpatialLayer<S> {
  /** 'pad' adds zeros, 'crop' cuts. */
  protected abstract readonly mode: 'pad' | 'crop';

  /** [before, after] per spatial axis. */
  get edges(): Edges {
    const c = this.config as unknown as { padding?: [number, number] | Edges; cropping?: [number, number] | Edges };
    const v = (this.mode === 'pad' ? c.padding : c.cropping)!;
    return this.nd === 1 ? [v as [number, number]] : (v as Edges).map(([a, b]): [number, number] => [a, b]);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    const { spatial, channels } = this.split(inputShape);
    const edges = this.edges;
    const sign = this.mode === 'pad' ? 1 : -1;
    const out = spatial.map((n, i) => n + sign * (edges[i][0] + edges[i][1]));
    if (out.some((n) => n < 1)) {
      throw new RangeError(`${this.describe()}: cropping ${JSON.stringify(this.nd === 1 ? edges[0] : edges)} must leave part of the input's spatial size ${fmtShape(spatial)} (input rows ${fmtShape(inputShape)})${swapHint(inputShape, this.dataFormat)}`);
    }
    return this.join(out, channels);
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    this.checkBatch(x);
    const edges = this.edges;
    const axes = this.spatialAxes;
    if (this.mode === 'crop') {
      this.computeOutputShape(x.shape.slice(1));
      return axes.reduce((y, axis, i) => y.slice(axis, edges[i][0], y.shape[axis] - edges[i][1]), x);
    }
    // F.pad lists the last axis first: the spatial pairs, after zeros for a trailing channels axis
    const amounts = edges.slice().reverse().flat();
    return pad(x, this.dataFormat === 'channelsLast' ? [0, 0, ...amounts] : amounts);
  }

  override extraRepr(): string {
    return `${this.mode === 'pad' ? 'padding' : 'cropping'}=${JSON.stringify(this.edges)}`;
  }
}

/** Adds rows and columns of zeros around each image (Keras' ZeroPadding2D). */
export class ZeroPadding2D extends EdgeLayer<typeof ZERO_PADDING_FIELDS> {
  readonly className = 'ZeroPadding2D';
  protected readonly mode = 'pad';
  constructor(args: ZeroPadding2DArgs = {}, options: LayerOptions = {}) {
    super(ZERO_PADDING_FIELDS, args, 'zeroPadding2d', '{ padding: 1 }', options, 2);
  }
}

/** Adds zero steps at both ends of each sequence (Keras' ZeroPadding1D). */
export class ZeroPadding1D extends EdgeLayer<typeof ZERO_PADDING1D_FIELDS> {
  readonly className = 'ZeroPadding1D';
  protected readonly mode = 'pad';
  constructor(args: ZeroPadding1DArgs = {}, options: LayerOptions = {}) {
    super(ZERO_PADDING1D_FIELDS, args, 'zeroPadding1d', '{ padding: 1 }', options, 1);
  }
}

/** Cuts rows and columns off the edges of each image (Keras' Cropping2D). */
export class Cropping2D extends EdgeLayer<typeof CROPPING2D_FIELDS> {
  readonly className = 'Cropping2D';
  protected readonly mode = 'crop';
  constructor(args: Cropping2DArgs = {}, options: LayerOptions = {}) {
    super(CROPPING2D_FIELDS, args, 'cropping2d', '{ cropping: [[2, 2], [4, 4]] }', options, 2);
  }
}

/** Cuts steps off both ends of each sequence (Keras' Cropping1D). */
export class Cropping1D extends EdgeLayer<typeof CROPPING1D_FIELDS> {
  readonly className = 'Cropping1D';
  protected readonly mode = 'crop';
  constructor(args: Cropping1DArgs = {}, options: LayerOptions = {}) {
    super(CROPPING1D_FIELDS, args, 'cropping1d', '{ cropping: [1, 1] }', options, 1);
  }
}

/** Arguments of {@link upSampling1d}. */
export interface UpSampling1DArgs extends LayerArgs {
  /** How many times each step is repeated (default 2). */
  size?: number | number[];
  /** 'channelsLast' (default) [batch, steps, features] or 'channelsFirst' [batch, features, steps]. */
  dataFormat?: DataFormat;
}

/** Arguments of {@link upSampling2d}. */
export interface UpSampling2DArgs extends LayerArgs {
  /** Upsampling factor per axis (default 2). */
  size?: number | number[];
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  /** 'nearest' (default: each pixel repeated) or 'bilinear' (half-pixel centres, as Keras and PyTorch). */
  interpolation?: 'nearest' | 'bilinear';
}

const UPSAMPLING1D_FIELDS = { ...LAYER_FIELDS, size: field.sizes(1, 2), dataFormat: FORMAT_FIELD() } satisfies SchemaFor<UpSampling1DArgs>;
const UPSAMPLING_FIELDS = {
  ...LAYER_FIELDS, size: field.sizes(2, 2), dataFormat: FORMAT_FIELD(), interpolation: field.choice(['nearest', 'bilinear'] as const, 'nearest'),
} satisfies SchemaFor<UpSampling2DArgs>;

/** Repeats (or, in 2-D, interpolates) each step or pixel by integer factors per spatial axis. */
abstract class UpSampling<S extends Schema> extends SpatialLayer<S> {
  /** The factor per spatial axis. */
  get size(): number[] { return [...(this.config as unknown as { size: number[] }).size]; }

  computeOutputShape(inputShape: readonly number[]): number[] {
    const { spatial, channels } = this.split(inputShape);
    const size = this.size;
    return this.join(spatial.map((s, i) => s * size[i]), channels);
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    this.checkBatch(x);
    const mode = (this.config as { interpolation?: 'nearest' | 'bilinear' }).interpolation ?? 'nearest';
    return this.fromFirst(interpolate(this.toFirst(x), { scaleFactor: this.size, mode }));
  }
}

/** Repeats (or interpolates) each image's rows and columns by integer factors (Keras' UpSampling2D). */
export class UpSampling2D extends UpSampling<typeof UPSAMPLING_FIELDS> {
  readonly className = 'UpSampling2D';
  constructor(args: UpSampling2DArgs = {}, options: LayerOptions = {}) {
    super(UPSAMPLING_FIELDS, args, 'upSampling2d', '{ size: 2 }', options, 2);
  }
}

/** Repeats each step of a sequence `size` times (Keras' UpSampling1D). */
export class UpSampling1D extends UpSampling<typeof UPSAMPLING1D_FIELDS> {
  readonly className = 'UpSampling1D';
  constructor(args: UpSampling1DArgs = {}, options: LayerOptions = {}) {
    super(UPSAMPLING1D_FIELDS, args, 'upSampling1d', '{ size: 2 }', options, 1);
  }
}

/** Arguments of {@link spatialDropout2d}. */
export interface SpatialDropout2DArgs extends LayerArgs {
  /** Fraction of channels zeroed in training, in [0, 1). */
  rate: number;
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  /** Source of the dropout masks (default: the global defaultGenerator). */
  generator?: Generator;
}

const SPATIAL_DROPOUT_FIELDS = { ...LAYER_FIELDS, rate: field.fraction(), dataFormat: FORMAT_FIELD(), generator: field.generator(false) } satisfies SchemaFor<SpatialDropout2DArgs>;

/** Drops whole channels of each image in fit (Keras' SpatialDropout2D); the identity in evaluate/predict. */
export class SpatialDropout2D extends SpatialLayer<typeof SPATIAL_DROPOUT_FIELDS> {
  readonly className = 'SpatialDropout2D';
  constructor(args: SpatialDropout2DArgs, options: LayerOptions = {}) {
    super(SPATIAL_DROPOUT_FIELDS, args, 'spatialDropout2d', '{ rate: 0.2 }', options, 2);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    this.split(inputShape);
    return [...inputShape];
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    this.checkBatch(x);
    if (!this.training || this.config.rate === 0) return x;
    const [n, c] = [x.shape[0], x.shape[this.channelAxis]];
    // F.dropout2d on ones [n, c, 1, 1] is the channel mask (0 or 1/(1 − rate)), drawn in (image, channel) order
    const ones = new Tensor(NDArray.zeros([n, c, 1, 1], x.dtype)).add(1);
    const mask = dropout2d(ones, this.config.rate, { training: true, generator: this.config.generator ?? defaultGenerator });
    return x.mul(this.dataFormat === 'channelsLast' ? mask.reshape([n, 1, 1, c]) : mask);
  }

  override extraRepr(): string {
    return `rate=${this.config.rate}`;
  }
}

// ---- factories (tg.layers.*) ------------------------------------------------------------------------------

/**
 * A 2-D convolution layer (Keras' Conv2D), channels-last by default: [batch, h, w, c] → [batch, h', w', filters].
 * Parameters: kh·kw·c·filters (+ filters); weight kept as [filters, c, kh, kw] (PyTorch's layout).
 * @example
 * ```ts
 * const model = tg.sequential([
 *   tg.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
 *   tg.layers.maxPooling2d({ poolSize: 2 }),
 *   tg.layers.flatten(),
 *   tg.layers.dense({ units: 10, activation: 'softmax' }),
 * ]);
 * model.outputShape; // [10]
 * ```
 */
export const conv2d = (args: Conv2DArgs): Conv2D => new Conv2D(args);
/**
 * A 1-D convolution over steps (Keras' Conv1D): [batch, steps, c] → [batch, steps', filters]; padding 'causal' looks back only.
 * @example
 * ```ts
 * tg.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'causal', dilationRate: 2, inputShape: [20, 1] })
 * ```
 */
export const conv1d = (args: Conv1DArgs): Conv1D => new Conv1D(args);
/**
 * A transposed convolution (Keras' Conv2DTranspose): with strides 2 and padding 'same' it doubles height and width.
 * @example
 * ```ts
 * tg.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', inputShape: [7, 7, 8] }) // → [14, 14, 4]
 * ```
 */
export const conv2dTranspose = (args: Conv2DTransposeArgs): Conv2DTranspose => new Conv2DTranspose(args);
/**
 * A 1-D transposed convolution (Keras' Conv1DTranspose): with strides 2 and padding 'same' it doubles the steps.
 * @example
 * ```ts
 * tg.layers.conv1dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', inputShape: [10, 8] }) // → [20, 4]
 * ```
 */
export const conv1dTranspose = (args: Conv1DTransposeArgs): Conv1DTranspose => new Conv1DTranspose(args);
/**
 * A depthwise convolution (Keras' DepthwiseConv2D): each channel filtered on its own, kh·kw·c·depthMultiplier weights.
 * @example
 * ```ts
 * tg.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, inputShape: [8, 8, 3] }) // → [6, 6, 6]
 * ```
 */
export const depthwiseConv2d = (args: DepthwiseConv2DArgs): DepthwiseConv2D => new DepthwiseConv2D(args);
/**
 * A depthwise-separable convolution (Keras' SeparableConv2D): depthwise, then a 1×1 convolution to `filters`.
 * @example
 * ```ts
 * tg.layers.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same', inputShape: [8, 8, 3] }) // 27 + 48 + 16 parameters
 * ```
 */
export const separableConv2d = (args: SeparableConv2DArgs): SeparableConv2D => new SeparableConv2D(args);
/**
 * Max pooling over 2-D windows (Keras' MaxPooling2D; poolSize 2 halves height and width).
 * @example
 * ```ts
 * tg.layers.maxPooling2d({ poolSize: 2 })
 * ```
 */
export const maxPooling2d = (args: PoolingArgs = {}): MaxPooling2D => new MaxPooling2D(args);
/** Max pooling over windows of steps (Keras' MaxPooling1D). */
export const maxPooling1d = (args: PoolingArgs = {}): MaxPooling1D => new MaxPooling1D(args);
/** Average pooling over 2-D windows (Keras' AveragePooling2D). */
export const averagePooling2d = (args: PoolingArgs = {}): AveragePooling2D => new AveragePooling2D(args);
/** Average pooling over windows of steps (Keras' AveragePooling1D). */
export const averagePooling1d = (args: PoolingArgs = {}): AveragePooling1D => new AveragePooling1D(args);
/**
 * The mean of each channel over the whole image (Keras' GlobalAveragePooling2D), often instead of flatten.
 * @example
 * ```ts
 * tg.layers.globalAveragePooling2d() // [batch, h, w, c] → [batch, c]
 * ```
 */
export const globalAveragePooling2d = (args: GlobalPoolingArgs = {}): GlobalAveragePooling2D => new GlobalAveragePooling2D(args);
/** The maximum of each channel over the whole image (Keras' GlobalMaxPooling2D). */
export const globalMaxPooling2d = (args: GlobalPoolingArgs = {}): GlobalMaxPooling2D => new GlobalMaxPooling2D(args);
/**
 * The maximum of each feature over the steps (Keras' GlobalMaxPooling1D), e.g. after a conv1d over text.
 * @example
 * ```ts
 * tg.layers.globalMaxPooling1d() // [batch, steps, features] → [batch, features]
 * ```
 */
export const globalMaxPooling1d = (args: GlobalPoolingArgs = {}): GlobalMaxPooling1D => new GlobalMaxPooling1D(args);
/**
 * Batch normalisation (Keras' BatchNormalization) over the channels (axis -1) by default: 4·c parameters,
 * 2·c of them trained (gamma, beta) and 2·c moving statistics.
 * @example
 * ```ts
 * tg.layers.batchNormalization() // after a conv2d, before its activation
 * ```
 */
export const batchNormalization = (args: BatchNormalizationArgs = {}): BatchNormalization => new BatchNormalization(args);
/**
 * Reshapes each row (Keras' Reshape).
 * @example
 * ```ts
 * tg.layers.reshape({ targetShape: [28, 28, 1], inputShape: [784] })
 * ```
 */
export const reshape = (args: ReshapeArgs): Reshape => new Reshape(args);
/** Zeros around each image (Keras' ZeroPadding2D). */
export const zeroPadding2d = (args: ZeroPadding2DArgs = {}): ZeroPadding2D => new ZeroPadding2D(args);
/** Zero steps at both ends of each sequence (Keras' ZeroPadding1D). */
export const zeroPadding1d = (args: ZeroPadding1DArgs = {}): ZeroPadding1D => new ZeroPadding1D(args);
/**
 * Cuts rows and columns off each image's edges (Keras' Cropping2D).
 * @example
 * ```ts
 * tg.layers.cropping2d({ cropping: [[2, 2], [4, 4]], inputShape: [28, 28, 3] }) // → [24, 20, 3]
 * ```
 */
export const cropping2d = (args: Cropping2DArgs = {}): Cropping2D => new Cropping2D(args);
/**
 * Cuts steps off both ends of each sequence (Keras' Cropping1D; default one at each end).
 * @example
 * ```ts
 * tg.layers.cropping1d({ cropping: [1, 2], inputShape: [10, 4] }) // → [7, 4]
 * ```
 */
export const cropping1d = (args: Cropping1DArgs = {}): Cropping1D => new Cropping1D(args);
/** Upsamples each image by integer factors (Keras' UpSampling2D), nearest or bilinear. */
export const upSampling2d = (args: UpSampling2DArgs = {}): UpSampling2D => new UpSampling2D(args);
/** Repeats each step `size` times (Keras' UpSampling1D). */
export const upSampling1d = (args: UpSampling1DArgs = {}): UpSampling1D => new UpSampling1D(args);
/** Drops whole channels in fit (Keras' SpatialDropout2D). */
export const spatialDropout2d = (args: SpatialDropout2DArgs): SpatialDropout2D => new SpatialDropout2D(args);
