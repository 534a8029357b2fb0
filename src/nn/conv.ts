// F.conv1d / F.conv2d / F.convTranspose1d / F.convTranspose2d: PyTorch's argument handling and error
// messages over the conv2d / convTranspose2d primitives (1-D runs as 2-D with a height of 1).

import { apply, Tensor } from '../autograd/tensor.js';
import { traceComposite } from '../autograd/trace.js';
import type { ConvGeometry } from '../tensor/conv.js';
import { promote } from '../tensor/dtype.js';
import { fmtShape } from '../tensor/shape.js';

/** A size given once for every spatial axis, or once per axis. */
export type SizeArg = number | readonly number[];

/** Options of F.conv1d / F.conv2d (PyTorch's keyword arguments). */
export interface ConvOptions {
  /** Step between output positions (default 1). */
  stride?: SizeArg;
  /** Zeros added on both sides of each spatial axis, or 'valid' (none, the default 0) or 'same' (output size = input size; stride 1 only). */
  padding?: SizeArg | 'same' | 'valid';
  /** Spacing between kernel taps (default 1): a dilated kernel sees a wider window with the same weights. */
  dilation?: SizeArg;
  /** Split channels into this many independent convolutions (default 1; in and out channels must be divisible by it). */
  groups?: number;
}

/** Options of F.convTranspose1d / F.convTranspose2d. */
export interface ConvTransposeOptions {
  /** Step of the convolution this is the transpose of (default 1). */
  stride?: SizeArg;
  /** Padding of the convolution this is the transpose of (default 0): the output is cropped by it on each side. */
  padding?: SizeArg;
  /** Extra size added on one side of the output (default 0; smaller than stride or dilation), to pick among the sizes a strided conv maps to the same size. */
  outputPadding?: SizeArg;
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Channel groups (default 1). */
  groups?: number;
}

/** One value per spatial axis from a number or an array of `nd` numbers; each a non-negative (or positive) integer. */
export function sizes(op: string, name: string, v: SizeArg | undefined, nd: number, dflt: number, min: number): number[] {
  const arr = v === undefined ? new Array<number>(nd).fill(dflt) : typeof v === 'number' ? new Array<number>(nd).fill(v) : [...v];
  const what = min > 0 ? 'positive' : 'non-negative';
  if (arr.length !== nd || !arr.every((s) => Number.isInteger(s) && s >= min)) {
    const got = typeof v === 'number' ? String(v) : `[${(v as number[]).join(', ')}]`;
    throw new RangeError(`${op}: ${name} must be a ${what} integer or ${nd === 1 ? 'a list of one' : `a list of ${nd}`}, got ${got}`);
  }
  return arr;
}

/** An error for a channels-last input given to a channels-first op, when the shapes suggest it. */
function channelsLastHint(x: Tensor, channels: number): string {
  const nd = x.ndim;
  if (nd >= 3 && x.shape[nd - 1] === channels && x.shape[1] !== channels) {
    const perm = nd === 4 ? '[0, 3, 1, 2]' : '[0, 2, 1]';
    return ` (the input looks channels-last; this op wants channels first: x.permute(${perm}))`;
  }
  return '';
}

interface Prepared {
  x: Tensor;
  w: Tensor;
  bias: Tensor | null;
  unbatched: boolean;
}

/** Checks ranks and dtypes, adds the batch axis to unbatched input and the height axis for 1-D. */
function prepare(op: string, nd: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined): Prepared {
  if (!(input instanceof Tensor) || !(weight instanceof Tensor) || !(bias == null || bias instanceof Tensor)) {
    throw new TypeError(`${op}: expected tensors for input, weight and bias (bias may be null)`);
  }
  if (input.ndim !== nd + 1 && input.ndim !== nd + 2) {
    throw new RangeError(`${op}: expected a ${nd + 1}-D (unbatched) or ${nd + 2}-D (batched) input, got shape ${fmtShape(input.shape)}`);
  }
  if (weight.ndim !== nd + 2) {
    throw new RangeError(`${op}: expected a ${nd + 2}-D weight, got shape ${fmtShape(weight.shape)}`);
  }
  const dtype = promote(promote(input.dtype, weight.dtype), bias?.dtype ?? weight.dtype);
  const unbatched = input.ndim === nd + 1;
  let x = (unbatched ? input.unsqueeze(0) : input).to(dtype);
  let w = weight.to(dtype);
  if (nd === 1) {
    x = x.unsqueeze(2);
    w = w.unsqueeze(2);
  }
  return { x, w, bias: bias == null ? null : bias.to(dtype), unbatched };
}

/** Adds the bias over channels and undoes prepare's extra axes. */
function finish(op: string, nd: number, y: Tensor, { bias, unbatched }: Prepared, channels: number): Tensor {
  if (bias) {
    if (bias.ndim !== 1 || bias.shape[0] !== channels) {
      throw new RangeError(`${op}: expected a bias of shape [${channels}], got ${fmtShape(bias.shape)}`);
    }
    y = y.add(bias.reshape([1, channels, 1, 1]));
  }
  if (nd === 1) y = y.squeeze(2);
  return unbatched ? y.squeeze(0) : y;
}

/** Both sides of each spatial axis from the padding option (PyTorch: 'same' puts the odd extra on the end). */
function convPadding(op: string, padding: ConvOptions['padding'], nd: number, k: number[], dilation: number[], stride: number[]): number[] {
  if (padding === 'valid') return new Array<number>(2 * nd).fill(0);
  if (padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new RangeError(`${op}: padding='same' is not supported for strided convolutions (stride ${fmtShape(stride)})`);
    return k.flatMap((kk, i) => {
      const total = dilation[i] * (kk - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  }
  if (typeof padding === 'string') throw new RangeError(`${op}: padding must be a number, a list, 'same' or 'valid', got '${padding}'`);
  return sizes(op, 'padding', padding, nd, 0, 0).flatMap((p) => [p, p]);
}

/** Geometry of a 1-D or 2-D op as the 2-D primitives take it (1-D: height 1, no padding on it). */
function geometry2d(nd: number, stride: number[], pads: number[], dilation: number[], groups: number): ConvGeometry {
  return nd === 1
    ? { stride: [1, stride[0]], padding: [0, 0, pads[0], pads[1]], dilation: [1, dilation[0]], groups }
    : { stride, padding: pads, dilation, groups };
}

function checkGroups(op: string, groups: number | undefined): number {
  const g = groups ?? 1;
  if (!Number.isInteger(g) || g < 1) throw new RangeError(`${op}: groups must be a positive integer, got ${g}`);
  return g;
}

/** ONNX export sees a convolution whole (bias inside the node, 1-D as 1-D) when input, weight and bias share a dtype. */
function asComposite(input: Tensor, weight: Tensor, bias: Tensor | null | undefined, attrs: object, fn: () => Tensor): Tensor {
  const same = input.dtype === weight.dtype && (bias == null || bias.dtype === weight.dtype) && (input.dtype === 'float32' || input.dtype === 'float64');
  if (!same) return fn();
  return traceComposite('conv', attrs, bias == null ? [input, weight] : [input, weight, bias], fn);
}

/** A convolution's stride, dilation and padding (both sides of each axis) from its options, checked. */
interface ConvSizes {
  stride: number[];
  dilation: number[];
  pads: number[];
}

function convSizes(op: string, nd: number, weight: Tensor, options: ConvOptions): ConvSizes {
  const stride = sizes(op, 'stride', options.stride, nd, 1, 1);
  const dilation = sizes(op, 'dilation', options.dilation, nd, 1, 1);
  return { stride, dilation, pads: convPadding(op, options.padding, nd, weight.shape.slice(2), dilation, stride) };
}

function convNd(op: string, nd: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvOptions): Tensor {
  // bad tensors: convNdRun's checks name them
  if (!(input instanceof Tensor) || !(weight instanceof Tensor) || weight.ndim !== nd + 2) return convNdRun(op, nd, input, weight, bias, options);
  const geo = convSizes(op, nd, weight, options);
  const { stride, dilation, pads } = geo;
  const attrs = {
    kernel: weight.shape.slice(2), stride, dilation, groups: options.groups ?? 1,
    pads: [...pads.filter((_, i) => i % 2 === 0), ...pads.filter((_, i) => i % 2 === 1)], unbatched: input.ndim === nd + 1,
  };
  return asComposite(input, weight, bias, attrs, () => convNdRun(op, nd, input, weight, bias, options, geo));
}

function convNdRun(op: string, nd: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvOptions, checked?: ConvSizes): Tensor {
  const prep = prepare(op, nd, input, weight, bias);
  const { x, w } = prep;
  const { stride, dilation, pads } = checked ?? convSizes(op, nd, weight, options);
  const groups = checkGroups(op, options.groups);
  const k = weight.shape.slice(2);
  const [O, Cg] = weight.shape;
  const C = x.shape[1];
  if (O % groups !== 0) {
    throw new RangeError(`${op}: given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${fmtShape(weight.shape)}`);
  }
  if (Cg * groups !== C) {
    throw new RangeError(
      `${op}: given groups=${groups}, weight of size ${fmtShape(weight.shape)}, expected input ${fmtShape(input.shape)} to have ${Cg * groups} channels, but got ${C} channels${channelsLastHint(input, Cg * groups)}`,
    );
  }
  const spatial = input.shape.slice(input.ndim - nd);
  spatial.forEach((s, i) => {
    const padded = s + pads[2 * i] + pads[2 * i + 1];
    const span = dilation[i] * (k[i] - 1) + 1;
    if (padded < span) {
      throw new RangeError(
        `${op}: padded input size per channel ${fmtShape(spatial.map((v, j) => v + pads[2 * j] + pads[2 * j + 1]))} is smaller than the (dilated) kernel size ${fmtShape(k.map((kk, j) => dilation[j] * (kk - 1) + 1))} of weight ${fmtShape(weight.shape)}`,
      );
    }
  });
  // the bias goes into the conv2d op, which adds it in place (no broadcast sum the size of y)
  const { bias: b } = prep;
  if (b && (b.ndim !== 1 || b.shape[0] !== O)) throw new RangeError(`${op}: expected a bias of shape [${O}], got ${fmtShape(b.shape)}`);
  const y = apply('conv2d', b ? [x, w, b] : [x, w], geometry2d(nd, stride, pads, dilation, groups));
  return finish(op, nd, y, { ...prep, bias: null }, O);
}

/** A transposed convolution's sizes from its options, checked. */
interface ConvTransposeSizes {
  stride: number[];
  dilation: number[];
  padding: number[];
  outPad: number[];
}

function convTransposeSizes(op: string, nd: number, options: ConvTransposeOptions): ConvTransposeSizes {
  const stride = sizes(op, 'stride', options.stride, nd, 1, 1);
  const dilation = sizes(op, 'dilation', options.dilation, nd, 1, 1);
  return { stride, dilation, padding: sizes(op, 'padding', options.padding, nd, 0, 0), outPad: sizes(op, 'outputPadding', options.outputPadding, nd, 0, 0) };
}

function convTransposeNd(op: string, nd: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvTransposeOptions): Tensor {
  if (!(input instanceof Tensor) || !(weight instanceof Tensor) || weight.ndim !== nd + 2) return convTransposeNdRun(op, nd, input, weight, bias, options);
  // ONNX ConvTranspose takes PyTorch's padding and output padding as they are
  const geo = convTransposeSizes(op, nd, options);
  const { padding, stride, dilation, outPad } = geo;
  const attrs = {
    kernel: weight.shape.slice(2), stride, dilation, groups: options.groups ?? 1, pads: [...padding, ...padding], outputPadding: outPad,
    unbatched: input.ndim === nd + 1,
  };
  return asComposite(input, weight, bias, attrs, () => convTransposeNdRun(op, nd, input, weight, bias, options, geo));
}

function convTransposeNdRun(op: string, nd: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvTransposeOptions, checked?: ConvTransposeSizes): Tensor {
  const prep = prepare(op, nd, input, weight, bias);
  const { x, w } = prep;
  const { stride, dilation, padding, outPad } = checked ?? convTransposeSizes(op, nd, options);
  const groups = checkGroups(op, options.groups);
  const [Cin, Cg] = weight.shape;
  const k = weight.shape.slice(2);
  if (Cin % groups !== 0) {
    throw new RangeError(`${op}: given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${fmtShape(weight.shape)}`);
  }
  if (x.shape[1] !== Cin) {
    throw new RangeError(
      `${op}: given transposed=1, weight of size ${fmtShape(weight.shape)}, expected input ${fmtShape(input.shape)} to have ${Cin} channels, but got ${x.shape[1]} channels${channelsLastHint(input, Cin)}`,
    );
  }
  outPad.forEach((p, i) => {
    if (p >= stride[i] && p >= dilation[i]) {
      throw new RangeError(`${op}: outputPadding ${fmtShape(outPad)} must be smaller than either stride ${fmtShape(stride)} or dilation ${fmtShape(dilation)}`);
    }
  });
  const spatial = input.shape.slice(input.ndim - nd);
  const outSize = spatial.map((s, i) => (s - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k[i] - 1) + outPad[i] + 1);
  if (outSize.some((s) => s < 1)) {
    throw new RangeError(`${op}: input ${fmtShape(input.shape)} with weight ${fmtShape(weight.shape)} and padding ${fmtShape(padding)} gives a non-positive output size ${fmtShape(outSize)}`);
  }
  // the convolution this is the adjoint of: padding p before, p − outputPadding after, so it maps outSize back to the input size
  const pads = padding.flatMap((p, i) => [p, p - outPad[i]]);
  const geo = geometry2d(nd, stride, pads, dilation, groups);
  const y = apply('convTranspose2d', [x, w], { ...geo, inputSize: nd === 1 ? [1, outSize[0]] : outSize });
  return finish(op, nd, y, prep, Cg * groups);
}

/**
 * 1-D convolution (cross-correlation, as PyTorch): input [N, C, L] (or [C, L]), weight [O, C/groups, k],
 * bias [O] or none → [N, O, Lout] with Lout = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1.
 * @example
 * ```ts
 * const x = tg.arange(6).reshape([1, 1, 6]);
 * const y = tg.nn.functional.conv1d(x, tg.tensor([[[1, 0, -1]]])); // [[[-2, -2, -2, -2]]]
 * ```
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  return convNd('conv1d', 1, input, weight, bias, options);
}

/**
 * 2-D convolution (cross-correlation, as PyTorch): input [N, C, H, W] (or [C, H, W]), weight
 * [O, C/groups, kh, kw], bias [O] or none → [N, O, Ho, Wo]. Runs as im2col + the packed GEMM, a
 * bounded chunk of output rows at a time.
 * @example
 * ```ts
 * const x = tg.randn([8, 3, 32, 32]);
 * const w = tg.randn([16, 3, 3, 3]);
 * const y = tg.nn.functional.conv2d(x, w, null, { padding: 1 }); // [8, 16, 32, 32]
 * ```
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  return convNd('conv2d', 2, input, weight, bias, options);
}

/**
 * 1-D transposed convolution (the gradient of conv1d with respect to its input): input [N, Cin, L],
 * weight [Cin, Cout/groups, k] → [N, Cout, (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1].
 * @example
 * ```ts
 * const y = tg.nn.functional.convTranspose1d(tg.ones([1, 1, 3]), tg.ones([1, 1, 2]), null, { stride: 2 }); // [[[1, 1, 1, 1, 1, 1]]]
 * ```
 */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd('convTranspose1d', 1, input, weight, bias, options);
}

/**
 * 2-D transposed convolution (the gradient of conv2d with respect to its input; "deconvolution"):
 * input [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw] → [N, Cout, Hout, Wout] with
 * Hout = (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1.
 * @example
 * ```ts
 * const up = tg.nn.functional.convTranspose2d(tg.randn([1, 4, 8, 8]), tg.randn([4, 2, 2, 2]), null, { stride: 2 }); // [1, 2, 16, 16]
 * ```
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd('convTranspose2d', 2, input, weight, bias, options);
}
