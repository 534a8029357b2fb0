// Pooling and resizing on top of the primitives: max pooling as the `maxPool` primitive (one kernel pass
// finds each window's maximum and where it was; the gradient goes there), average pooling as a convolution
// with a kernel of ones, adaptive average pooling and bilinear resizing as products with small
// averaging/interpolation matrices, nearest resizing as index selection. No VJPs of their own.

import { stack } from '../autograd/functions.js';
import { apply, Tensor } from '../autograd/tensor.js';
import { isTracing, traceComposite } from '../autograd/trace.js';
import { NDArray } from '../tensor/ndarray.js';
import { acquire, giveBack } from '../tensor/storage.js';
import { fmtShape } from '../tensor/shape.js';
import { type SizeArg, sizes } from './conv.js';

/** Options of F.maxPool1d / F.maxPool2d (PyTorch's keyword arguments). */
export interface MaxPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: SizeArg;
  /** Implicit −∞ padding on both sides (default 0; at most half the kernel). */
  padding?: SizeArg;
  /** Spacing between window taps (default 1). */
  dilation?: SizeArg;
  /** Round the output size up instead of down, so a last partial window is kept (default false). */
  ceilMode?: boolean;
}

/** Options of F.avgPool1d / F.avgPool2d. */
export interface AvgPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: SizeArg;
  /** Implicit zero padding on both sides (default 0; at most half the kernel). */
  padding?: SizeArg;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count the padding zeros in each window's divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
}

interface Window { k: number[]; s: number[]; p: number[]; d: number[]; out: number[]; extra: number[] }

/** Checks the input rank and works out kernel, stride, padding, output sizes and the ceil-mode extra padding. */
function windowGeometry(op: string, nd: number, x: Tensor, kernelSize: SizeArg, o: MaxPoolOptions): Window {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor input`);
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) {
    throw new RangeError(`${op}: expected a ${nd + 1}-D (unbatched) or ${nd + 2}-D (batched) input, got shape ${fmtShape(x.shape)}`);
  }
  const k = sizes(op, 'kernelSize', kernelSize, nd, 1, 1);
  const s = o.stride === undefined || (Array.isArray(o.stride) && o.stride.length === 0) ? k : sizes(op, 'stride', o.stride, nd, 1, 1);
  const p = sizes(op, 'padding', o.padding, nd, 0, 0);
  const d = sizes(op, 'dilation', o.dilation, nd, 1, 1);
  const spatial = x.shape.slice(x.ndim - nd);
  const out: number[] = [];
  const extra: number[] = [];
  for (let i = 0; i < nd; i++) {
    const span = d[i] * (k[i] - 1) + 1;
    if (2 * p[i] > span) {
      throw new RangeError(`${op}: pad should be at most half of effective kernel size, but got pad=${p[i]}, kernel size=${k[i]} and dilation=${d[i]}`);
    }
    const room = spatial[i] + 2 * p[i] - span;
    let n = (o.ceilMode ? Math.ceil(room / s[i]) : Math.floor(room / s[i])) + 1;
    // PyTorch's rule: the last window must start inside the input or its left padding
    if (o.ceilMode && (n - 1) * s[i] >= spatial[i] + p[i]) n--;
    if (room < 0 || n < 1) {
      throw new RangeError(`${op}: input ${fmtShape(x.shape)} is too small for kernel ${fmtShape(k)} with padding ${fmtShape(p)} and dilation ${fmtShape(d)}: output size would be ${n}`);
    }
    out.push(n);
    extra.push(Math.max(0, (n - 1) * s[i] + span - (spatial[i] + 2 * p[i])));
  }
  return { k, s, p, d, out, extra };
}

function maxPoolNd(op: string, nd: number, x: Tensor, kernelSize: SizeArg, o: MaxPoolOptions): Tensor {
  const g = windowGeometry(op, nd, x, kernelSize, o);
  // for ONNX export: one MaxPool node (the window maxima are found by a kernel, which a trace cannot follow)
  const attrs = { k: g.k, s: g.s, p: g.p, d: g.d, ceilMode: o.ceilMode ?? false, unbatched: x.ndim === nd + 1 };
  return traceComposite('maxPool', attrs, [x], () => maxPoolRun(nd, x, g));
}

function maxPoolRun(nd: number, x: Tensor, g: Window): Tensor {
  // as 2-D [N, C, H, W]: 1-D gets a height of 1, unbatched input a batch of 1
  const lead = x.shape.slice(0, x.ndim - nd);
  const spatial = x.shape.slice(x.ndim - nd);
  const [H, W] = nd === 1 ? [1, spatial[0]] : spatial;
  const x4 = x.reshape([lead.length === 2 ? lead[0] : 1, lead[lead.length - 1], H, W]);
  const two = (v: number[], one: number) => (nd === 1 ? [one, v[0]] : v);
  const [Ho, Wo] = two(g.out, 1);
  // where each window's maximum was: the op's kernel writes it, its node keeps it for the gradient
  const index = new NDArray(acquire('int32', x4.shape[0] * x4.shape[1] * Ho * Wo, false), [x4.shape[0], x4.shape[1], Ho * Wo]);
  const y = apply('maxPool', [x4], {
    kernel: two(g.k, 1), stride: two(g.s, 1), padding: two(g.p, 0), dilation: two(g.d, 1), out: [Ho, Wo], index,
  });
  if (y.node === null && !isTracing()) giveBack(index); // nothing will read the positions: back to the cache
  return y.reshape([...lead, ...g.out]);
}

function avgPoolNd(op: string, nd: number, x: Tensor, kernelSize: SizeArg, o: AvgPoolOptions): Tensor {
  const g = windowGeometry(op, nd, x, kernelSize, { ...o, dilation: undefined });
  // for ONNX export: one AveragePool node, except in ceil mode, whose divisors ONNX counts differently
  // (there the convolution and division below are exported as they are)
  if (o.ceilMode) return avgPoolConv(nd, x, g, o);
  const attrs = { k: g.k, s: g.s, p: g.p, d: g.d, ceilMode: false, countIncludePad: o.countIncludePad ?? true, unbatched: x.ndim === nd + 1 };
  return traceComposite('avgPool', attrs, [x], () => avgPoolConv(nd, x, g, o));
}

function avgPoolConv(nd: number, x: Tensor, g: Window, o: AvgPoolOptions): Tensor {
  // window sums: every channel convolved with a kernel of ones (one conv over N·C single-channel images)
  const lead = x.shape.slice(0, x.ndim - nd);
  const spatial = x.shape.slice(x.ndim - nd);
  const [H, W] = nd === 1 ? [1, spatial[0]] : spatial;
  const two = (v: number[], one: number) => (nd === 1 ? [one, v[0]] : v);
  const [kh, kw] = two(g.k, 1), [ph, pw] = two(g.p, 0), [eh, ew] = two(g.extra, 0);
  const ones = Tensor.from(new Array<number>(kh * kw).fill(1), x.dtype).reshape([1, 1, kh, kw]);
  const sums = apply('conv2d', [x.reshape([-1, 1, H, W]), ones], {
    stride: two(g.s, 1), padding: [ph, ph + eh, pw, pw + ew], dilation: [1, 1], groups: 1,
  });
  const sum = sums.reshape([...lead, ...g.out]);
  // each window's divisor, a product of per-axis counts (PyTorch: padding counted unless countIncludePad is false, never the ceil-mode overhang)
  const counts = g.out.map((n, i) => Array.from({ length: n }, (_, j) => {
    const start = j * g.s[i] - g.p[i];
    const end = Math.min(start + g.k[i], spatial[i] + g.p[i]);
    return (o.countIncludePad ?? true) ? end - start : Math.min(end, spatial[i]) - Math.max(start, 0);
  }));
  const div = nd === 1 ? counts[0] : counts[0].flatMap((a) => counts[1].map((b) => a * b));
  return sum.div(Tensor.from(div, x.dtype).reshape(g.out));
}

/**
 * Max pooling over windows of the last axis (F.max_pool1d): input [N, C, L] or [C, L].
 * @example
 * ```ts
 * tg.nn.functional.maxPool1d(tg.tensor([[[1, 3, 2, 5]]]), 2); // [[[3, 5]]]
 * ```
 */
export function maxPool1d(input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions = {}): Tensor {
  return maxPoolNd('maxPool1d', 1, input, kernelSize, options);
}

/**
 * Max pooling over kh × kw windows (F.max_pool2d): input [N, C, H, W] or [C, H, W]. Ties share the
 * gradient equally (PyTorch gives it to one of them; the sums agree).
 * @example
 * ```ts
 * const y = tg.nn.functional.maxPool2d(tg.randn([1, 8, 24, 24]), 2); // [1, 8, 12, 12]
 * ```
 */
export function maxPool2d(input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions = {}): Tensor {
  return maxPoolNd('maxPool2d', 2, input, kernelSize, options);
}

/**
 * Average pooling over windows of the last axis (F.avg_pool1d).
 * @example
 * ```ts
 * tg.nn.functional.avgPool1d(tg.tensor([[[1, 3, 2, 6]]]), 2); // [[[2, 4]]]
 * ```
 */
export function avgPool1d(input: Tensor, kernelSize: SizeArg, options: AvgPoolOptions = {}): Tensor {
  return avgPoolNd('avgPool1d', 1, input, kernelSize, options);
}

/**
 * Average pooling over kh × kw windows (F.avg_pool2d).
 * @example
 * ```ts
 * const y = tg.nn.functional.avgPool2d(tg.ones([1, 2, 4, 4]), 2); // [1, 2, 2, 2], all 1
 * ```
 */
export function avgPool2d(input: Tensor, kernelSize: SizeArg, options: AvgPoolOptions = {}): Tensor {
  return avgPoolNd('avgPool2d', 2, input, kernelSize, options);
}

/** PyTorch's adaptive windows along one axis: window i covers [⌊i·n/out⌋, ⌈(i+1)·n/out⌉). */
function adaptiveWindows(n: number, out: number): [number, number][] {
  return Array.from({ length: out }, (_, i) => [Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)]);
}

/** [out × n] matrix averaging each adaptive window. */
function averagingMatrix(n: number, out: number, like: Tensor): Tensor {
  const m = new Array<number>(out * n).fill(0);
  adaptiveWindows(n, out).forEach(([a, b], i) => { for (let j = a; j < b; j++) m[i * n + j] = 1 / (b - a); });
  return Tensor.from(m, like.dtype).reshape([out, n]);
}

function outputSizes(op: string, x: Tensor, nd: number, outputSize: SizeArg | null | readonly (number | null)[]): number[] {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor input`);
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2) {
    throw new RangeError(`${op}: expected a ${nd + 1}-D (unbatched) or ${nd + 2}-D (batched) input, got shape ${fmtShape(x.shape)}`);
  }
  const spatial = x.shape.slice(x.ndim - nd);
  // null keeps that axis's input size, as PyTorch's None
  const given = typeof outputSize === 'number' || outputSize === null ? new Array(nd).fill(outputSize) : [...outputSize];
  const filled = given.map((v, i) => (v === null ? spatial[i] : v));
  return sizes(op, 'outputSize', filled as number[], nd, 1, 1);
}

/**
 * Average pooling to a fixed output length (F.adaptive_avg_pool1d): input [N, C, L] → [N, C, outputSize].
 * @example
 * ```ts
 * tg.nn.functional.adaptiveAvgPool1d(tg.tensor([[[1, 2, 3, 4, 5, 6]]]), 2); // [[[2, 5]]]
 * ```
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number): Tensor {
  const [L] = outputSizes('adaptiveAvgPool1d', input, 1, outputSize);
  return input.matmul(averagingMatrix(input.shape[input.ndim - 1], L, input).mT);
}

/**
 * Average pooling to a fixed output size (F.adaptive_avg_pool2d): input [N, C, H, W] → [N, C, oh, ow];
 * `outputSize` 1 gives global average pooling. Computed as P_h · x · P_wᵀ with averaging matrices.
 * @example
 * ```ts
 * const y = tg.nn.functional.adaptiveAvgPool2d(tg.randn([2, 8, 7, 7]), 1); // [2, 8, 1, 1]
 * ```
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: SizeArg | readonly (number | null)[]): Tensor {
  const [oh, ow] = outputSizes('adaptiveAvgPool2d', input, 2, outputSize);
  const [H, W] = input.shape.slice(input.ndim - 2);
  const pool = () => averagingMatrix(H, oh, input).matmul(input).matmul(averagingMatrix(W, ow, input).mT);
  // to 1×1 it is global average pooling: one ONNX GlobalAveragePool node (other sizes export as the products)
  return oh === 1 && ow === 1 ? traceComposite('globalAvgPool', { unbatched: input.ndim === 3 }, [input], pool) : pool();
}

/**
 * Max pooling to a fixed output size (F.adaptive_max_pool2d) with PyTorch's windows.
 * @example
 * ```ts
 * const y = tg.nn.functional.adaptiveMaxPool2d(tg.randn([2, 8, 7, 7]), [2, 3]); // [2, 8, 2, 3]
 * ```
 */
export function adaptiveMaxPool2d(input: Tensor, outputSize: SizeArg | readonly (number | null)[]): Tensor {
  const [oh, ow] = outputSizes('adaptiveMaxPool2d', input, 2, outputSize);
  const h = input.ndim - 2, w = input.ndim - 1;
  const rows = adaptiveWindows(input.shape[h], oh).map(([a, b]) => {
    const band = input.slice(h, a, b);
    const cells = adaptiveWindows(input.shape[w], ow).map(([c, d]) => band.slice(w, c, d).max([h, w]));
    return stack(cells, -1);
  });
  return stack(rows, -2);
}

/** Options of F.interpolate. */
export interface InterpolateOptions {
  /** The output size of the spatial axes (give this or scaleFactor). */
  size?: SizeArg;
  /** Multiplier of each spatial size (the output size is ⌊input · scaleFactor⌋). */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (default) or 'bilinear' (4-D input only). */
  mode?: 'nearest' | 'bilinear';
  /** Bilinear only: map the corner pixels' centres onto each other (default false, as PyTorch). */
  alignCorners?: boolean;
}

/** Bilinear weights [out × n] along one axis, PyTorch's source-coordinate rule. */
function bilinearMatrix(n: number, out: number, scale: number, alignCorners: boolean, like: Tensor): Tensor {
  const m = new Array<number>(out * n).fill(0);
  for (let i = 0; i < out; i++) {
    let src = alignCorners ? (out > 1 ? (i * (n - 1)) / (out - 1) : 0) : Math.max(0, (i + 0.5) * scale - 0.5);
    src = Math.min(src, n - 1);
    const i0 = Math.floor(src);
    const i1 = Math.min(i0 + 1, n - 1);
    const t = src - i0;
    m[i * n + i0] += 1 - t;
    m[i * n + i1] += t;
  }
  return Tensor.from(m, like.dtype).reshape([out, n]);
}

/**
 * Resizes the spatial axes (F.interpolate): 'nearest' on [N, C, L] or [N, C, H, W], 'bilinear' on
 * [N, C, H, W]; give `size` or `scaleFactor`.
 * @example
 * ```ts
 * const y = tg.nn.functional.interpolate(tg.randn([1, 3, 4, 4]), { scaleFactor: 2, mode: 'bilinear' }); // [1, 3, 8, 8]
 * ```
 */
export function interpolate(input: Tensor, options: InterpolateOptions): Tensor {
  const op = 'interpolate';
  if (!(input instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor input`);
  const mode = options.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') throw new RangeError(`${op}: unknown mode ${JSON.stringify(mode)} (known: 'nearest', 'bilinear')`);
  const nd = input.ndim - 2;
  if (nd < 1 || nd > 2 || (mode === 'bilinear' && nd !== 2)) {
    throw new RangeError(`${op}: mode '${mode}' expects a ${mode === 'bilinear' ? '4-D' : '3-D or 4-D'} input [N, C, ...], got shape ${fmtShape(input.shape)}`);
  }
  if ((options.size === undefined) === (options.scaleFactor === undefined)) {
    throw new RangeError(`${op}: give exactly one of size and scaleFactor`);
  }
  const spatial = input.shape.slice(2);
  let out: number[];
  let scales: number[];
  if (options.size !== undefined) {
    out = sizes(op, 'size', options.size, nd, 1, 1);
    scales = spatial.map((n, i) => n / out[i]);
  } else {
    const sf = typeof options.scaleFactor === 'number' ? new Array<number>(nd).fill(options.scaleFactor) : [...options.scaleFactor!];
    if (sf.length !== nd || !sf.every((v) => v > 0 && Number.isFinite(v))) throw new RangeError(`${op}: scaleFactor must be positive, got ${String(options.scaleFactor)}`);
    out = spatial.map((n, i) => Math.floor(n * sf[i]));
    scales = sf.map((v) => 1 / v);
  }
  if (mode === 'nearest') {
    if (options.alignCorners !== undefined) throw new RangeError(`${op}: alignCorners only applies to mode 'bilinear'`);
    let y = input;
    spatial.forEach((n, i) => {
      const idx = Array.from({ length: out[i] }, (_, j) => Math.min(Math.floor(j * scales[i]), n - 1));
      y = y.indexSelect(2 + i, idx);
    });
    return y;
  }
  const ac = options.alignCorners ?? false;
  const ah = bilinearMatrix(spatial[0], out[0], scales[0], ac, input);
  const aw = bilinearMatrix(spatial[1], out[1], scales[1], ac, input);
  return ah.matmul(input).matmul(aw.mT);
}

