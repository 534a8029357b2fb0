// The op table: every differentiable primitive, its forward kernel and its VJP side by side.
// VJPs are written with Tensor ops, so the same rules give second derivatives under createGraph.

import type { DType } from '../tensor/dtype.js';
import { BINARY, mapBinary, mapUnary, UNARY, whereKernel } from '../tensor/elementwise.js';
import {
  concatKernel, gatherKernel, indexAddKernel, indexSelectKernel, scatterAddKernel,
} from '../tensor/indexing.js';
import { conv2dForward, conv2dInputGrad, conv2dWeightGrad, type ConvGeometry } from '../tensor/conv.js';
import { linearKernel, linearReluGradKernel } from '../tensor/linear.js';
import { maxPoolKernel, type PoolGeometry } from '../tensor/pool.js';
import { crossEntropyGradKernel, crossEntropyKernel } from '../tensor/loss.js';
import { isGradEnabled } from './mode.js';
import { flipKernel } from '../tensor/movement.js';
import { hasZero, scanKernel } from '../tensor/scan.js';
import { matmul as matmulKernel } from '../tensor/threads.js';
import { NDArray } from '../tensor/ndarray.js';
import { reduce } from '../tensor/reduce.js';
import { assignInto } from '../tensor/elementwise.js';
import { promote } from '../tensor/dtype.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Node, Tensor } from './tensor.js';

/** Reduction attributes: which axes (sorted, distinct) and whether they stay as size-1 dims. */
export interface Axes {
  /** The reduced axes, sorted and distinct. */
  axes: number[];
  /** Keep each reduced axis as a dimension of size 1. */
  keepdims: boolean;
}
/** A basic slice per axis: start (inclusive), end (exclusive), step > 0. */
export interface SliceSpec {
  /** First index per axis. */
  starts: number[];
  /** One past the last index per axis. */
  ends: number[];
  /** Step per axis. */
  steps: number[];
}
/** The adjoint of a slice: where to place the slice inside zeros of `shape`. */
export interface UnsliceSpec extends SliceSpec {
  /** The shape of the tensor that was sliced. */
  shape: number[];
}

/**
 * The attributes each primitive takes (null: none). Adding a key here without a rule below is a compile error.
 * These are the low-level ops the tape records (a tensor's `gradFn` is one of these names); user code calls
 * the Tensor methods, which fill the attributes in.
 * @property neg −x.
 * @property exp eˣ.
 * @property log Natural logarithm.
 * @property log1p log(1 + x).
 * @property expm1 eˣ − 1.
 * @property sqrt Square root.
 * @property abs |x|.
 * @property relu max(x, 0).
 * @property sigmoid Logistic sigmoid.
 * @property tanh Hyperbolic tangent.
 * @property sin Sine.
 * @property cos Cosine.
 * @property erf The error function.
 * @property erfc 1 − erf(x).
 * @property sign sign(x) in {−1, 0, 1} (gradient 0).
 * @property floor Round down (gradient 0).
 * @property ceil Round up (gradient 0).
 * @property round Round to nearest, halves to even (gradient 0).
 * @property trunc Round toward zero (gradient 0).
 * @property clamp Clamp into [min, max].
 * @property clamp.__type.min Lower bound (-Infinity for none).
 * @property clamp.__type.max Upper bound (Infinity for none).
 * @property powScalar x raised to a constant power.
 * @property powScalar.__type.p The constant exponent.
 * @property add Elementwise a + b (inputs already broadcast to one shape).
 * @property sub Elementwise a − b.
 * @property mul Elementwise a · b.
 * @property div Elementwise a / b.
 * @property pow Elementwise a ** b with a tensor exponent.
 * @property maximum Elementwise maximum.
 * @property minimum Elementwise minimum.
 * @property where Select from a or b by a condition.
 * @property sum Sum over axes.
 * @property max Maximum over axes.
 * @property min Minimum over axes.
 * @property cumsum Running sum along an axis.
 * @property cumsum.__type.axis The axis to accumulate along.
 * @property cumprod Running product along an axis.
 * @property cumprod.__type.axis The axis to accumulate along.
 * @property matmul Matrix product (torch.matmul rules).
 * @property linear x·Wᵀ (+ b) over the last dim in one op (nn.Linear's product).
 * @property linearRelu relu(x·Wᵀ (+ b)) in one op: nn.Sequential's Linear → ReLU, Keras' dense with activation 'relu'.
 * @property crossEntropy Softmax cross-entropy of logits [N, C] against class indices, summed or averaged over rows, in one op.
 * @property crossEntropy.__type.target The class index of each row (checked against C by the caller).
 * @property crossEntropy.__type.mean Divide the sum by N (reduction 'mean') rather than keep it ('sum').
 * @property reshape New shape, same elements.
 * @property reshape.__type.shape The target shape.
 * @property permute Reordered dims.
 * @property permute.__type.dims Output dim i is input dim dims[i].
 * @property expand Broadcast view.
 * @property expand.__type.shape The broadcast shape.
 * @property slice Strided slice (start, end, step per dim).
 * @property unslice The adjoint of slice: places x into zeros of the original `shape`.
 * @property flip Reverse the order of elements along dims.
 * @property flip.__type.dims The dims to reverse (normalised, distinct).
 * @property custom A user-defined function (tg.autograd.Function, tg.customGrad): its forward already ran; its backward is the VJP.
 * @property custom.__type.name The function's name (shown as the tensor's gradFn).
 * @property custom.__type.value The forward's result.
 * @property custom.__type.backward The user's backward: one gradient (or null) per tensor input.
 * @property contiguous Dense copy of a strided view.
 * @property cast Dtype conversion.
 * @property cast.__type.dtype The target dtype.
 * @property concat Join along an existing axis.
 * @property concat.__type.axis The axis to join along.
 * @property gather Pick elements along an axis with an index array (torch.gather).
 * @property gather.__type.axis The axis to gather along.
 * @property gather.__type.index The index array (same rank as the input).
 * @property scatterAdd The adjoint of gather: add values into zeros at indexed positions.
 * @property scatterAdd.__type.axis The axis to scatter along.
 * @property scatterAdd.__type.index The index array.
 * @property scatterAdd.__type.shape The output shape.
 * @property maxPool Max pooling of [N, C, H, W] over 2-D windows (F.maxPool1d / F.maxPool2d run it).
 * @property maxPool.__type.index Receives each window's argmax (int32 [N, C, Ho·Wo], positions in its H·W plane).
 * @property indexSelect Select whole slices along an axis (torch.index_select).
 * @property indexSelect.__type.axis The axis to select along.
 * @property indexSelect.__type.indices The slice indices.
 * @property indexAdd The adjoint of indexSelect: add slices into zeros at the given indices.
 * @property indexAdd.__type.axis The axis to add along.
 * @property indexAdd.__type.indices The slice indices.
 * @property indexAdd.__type.shape The output shape.
 * @property conv2d 2-D cross-correlation of x [N,C,H,W] with w [O,C/groups,kh,kw], plus an optional bias [O] as a third input (F.conv2d).
 * @property convTranspose2d The adjoint of conv2d in x: g [N,O,Ho,Wo] and w [O,C/groups,kh,kw] → [N,C,H,W].
 * @property convTranspose2d.__type.inputSize [H, W] of the result (the conv2d input it is the adjoint for).
 * @property conv2dWeight The adjoint of conv2d in w: x [N,C,H,W] and g [N,O,Ho,Wo] → [O,C/groups,kh,kw].
 * @property conv2dWeight.__type.kernelSize [kh, kw] of the result.
 */
export interface OpAttrs {
  neg: null; exp: null; log: null; log1p: null; expm1: null; sqrt: null; abs: null;
  relu: null; sigmoid: null; tanh: null; sin: null; cos: null; erf: null; erfc: null;
  sign: null; floor: null; ceil: null; round: null; trunc: null;
  clamp: { min: number; max: number };
  powScalar: { p: number };
  add: null; sub: null; mul: null; div: null; pow: null; maximum: null; minimum: null;
  where: null;
  sum: Axes; max: Axes; min: Axes;
  cumsum: { axis: number }; cumprod: { axis: number };
  matmul: null;
  linear: null;
  linearRelu: null;
  crossEntropy: { target: ArrayLike<number>; mean: boolean };
  reshape: { shape: number[] };
  permute: { dims: number[] };
  expand: { shape: number[] };
  slice: SliceSpec;
  unslice: UnsliceSpec;
  flip: { dims: number[] };
  custom: { name: string; value: NDArray; backward: (g: Tensor) => (Tensor | null)[] };
  contiguous: null;
  cast: { dtype: DType };
  concat: { axis: number };
  gather: { axis: number; index: NDArray };
  scatterAdd: { axis: number; index: NDArray; shape: number[] };
  maxPool: PoolGeometry & { index: NDArray };
  indexSelect: { axis: number; indices: Int32Array };
  indexAdd: { axis: number; indices: Int32Array; shape: number[] };
  conv2d: ConvGeometry;
  convTranspose2d: ConvGeometry & { inputSize: number[] };
  conv2dWeight: ConvGeometry & { kernelSize: number[] };
}
/** The name of a primitive op: a key of {@link OpAttrs} such as 'add', 'matmul' or 'sum'. */
export type OpName = keyof OpAttrs;

/** The primitives whose int32 inputs are first converted to float32 (their results are not integers), as in PyTorch. */
export const FLOAT_ONLY: ReadonlySet<OpName> = new Set<OpName>([
  'exp', 'log', 'log1p', 'expm1', 'sqrt', 'sigmoid', 'tanh', 'sin', 'cos', 'erf', 'erfc', 'div', 'linear', 'linearRelu', 'crossEntropy',
]);

/** Runs a primitive and records it on the tape (tensor.ts's `apply`). */
export type ApplyFn = <K extends OpName>(op: K, inputs: Tensor[], attrs: OpAttrs[K]) => Tensor;

/** What a VJP sees: the node's inputs, output and attributes, which inputs need a gradient, and `apply`. */
export interface VjpContext<A> {
  inputs: readonly Tensor[];
  output: Tensor;
  attrs: A;
  /** needs[i]: whether input i wants a gradient (skip the work when it does not). */
  needs: readonly boolean[];
  /**
   * Records a primitive that has no Tensor method (unslice, scatterAdd, indexAdd, ...). It is handed in by
   * the tape so that this file imports only types from tensor.ts: the op table sits below the Tensor class.
   */
  apply: ApplyFn;
}

export interface OpDef<A> {
  forward(inputs: readonly NDArray[], attrs: A): NDArray;
  /** Maps the output's gradient to one gradient per input (null where none is needed). */
  vjp(g: Tensor, ctx: VjpContext<A>): (Tensor | null)[];
}

const dt2 = (a: NDArray, b: NDArray): DType => promote(a.dtype, b.dtype);

/** A plain (untracked) tensor holding `value`, made from `like` (this file imports no values from tensor.ts). */
function resultLike(like: Tensor, value: NDArray): Tensor {
  return like._untracked(value);
}

const NO_ARRAYS: readonly ArrayBufferView[] = Object.freeze([]);

/** The ops whose attributes keep arrays (labels, indices) the node reads in its VJP. */
const ARRAY_ATTRS: ReadonlySet<OpName> = new Set<OpName>(['crossEntropy', 'gather', 'scatterAdd', 'maxPool', 'indexSelect', 'indexAdd']);

/**
 * The typed arrays a recorded node keeps outside its input tensors (crossEntropy's labels, gather's index...):
 * the tape pins them while the node lives, so disposing the tensor they came from does not recycle them.
 */
export function savedArrays(node: Node): readonly ArrayBufferView[] {
  if (!ARRAY_ATTRS.has(node.op)) return NO_ARRAYS;
  const out: ArrayBufferView[] = [];
  for (const v of Object.values(node.attrs as object)) {
    if (v instanceof NDArray) out.push(v.data);
    else if (ArrayBuffer.isView(v)) out.push(v);
  }
  return out;
}

/** Sums a broadcast gradient back to `shape` (the VJP of expand). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? g.sum(axes, true) : g;
  return s.reshape([...shape]);
}

/** Re-inserts reduced axes as size-1 dims, then broadcasts back to the input shape. */
function unreduce(g: Tensor, { axes, keepdims }: Axes, shape: readonly number[]): Tensor {
  const kept = keepdims ? g : g.reshape(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
  return kept.expand([...shape]);
}

/** A 2-D view stored column by column (a transpose of a dense matrix). */
const columnMajor = (t: Tensor): boolean => t.ndim === 2 && t.value.strides[0] === 1 && t.value.strides[1] === t.shape[0] && t.shape[0] > 1;

/** The geometry part of a convolution's attributes (drops inputSize / kernelSize). */
const geoOf = ({ stride, padding, dilation, groups }: ConvGeometry): ConvGeometry => ({ stride, padding, dilation, groups });

const unaryOp = (k: keyof typeof UNARY) => (inp: readonly NDArray[]) => mapUnary(inp[0], UNARY[k]);
const binaryOp = (name: string, k: keyof typeof BINARY) => (inp: readonly NDArray[]) =>
  mapBinary(name, inp[0], inp[1], BINARY[k], dt2(inp[0], inp[1]));

/** max/min over axes: the gradient is shared equally among tied maxima, so it sums to g. */
const extremumVjp = (g: Tensor, { inputs: [x], output, attrs }: VjpContext<Axes>): (Tensor | null)[] => {
  const out = unreduce(output.detach(), attrs, x.shape);
  const mask = x.detach().eq(out).to(x.dtype); // in x's dtype, so mask / count is exact to x's precision
  const count = mask.sum(attrs.axes, true);
  return [unreduce(g, attrs, x.shape).mul(mask.div(count))];
};

/** Σ_{j≥i} g_j along `axis`: the adjoint of cumsum. */
const reverseCumsum = (g: Tensor, axis: number): Tensor => g.flip(axis).cumsum(axis).flip(axis);

/**
 * cumprod's gradient without dividing by x (some x_k are 0): gx_i = Σ_{j≥i} g_j · cumprod(x with x_i set to 1)_j.
 * Builds one copy of x per position i along a new leading axis: O(n²) per lane, used only when zeros occur.
 */
function cumprodGradWithZeros(g: Tensor, x: Tensor, axis: number): Tensor {
  const n = x.shape[axis];
  const at = (m: Tensor) => m.reshape([n, ...x.shape.map((d, k) => (k === axis ? n : 1))]); // [i, ..., j at axis, ...]
  const eye = at(x.newOnes([n, n]).triu().tril());
  const upper = at(x.newOnes([n, n]).triu()); // j ≥ i
  const copies = x.unsqueeze(0).expand([n, ...x.shape]).maskedFill(eye, 1); // copy i has x_i = 1
  const terms = copies.cumprod(axis + 1).mul(g.unsqueeze(0)).maskedFill(upper.eq(0), 0);
  const s = terms.sum(axis + 1); // [i, ...other dims]
  const dims = [...Array(x.ndim).keys()].map((k) => (k < axis ? k + 1 : k === axis ? 0 : k));
  return s.permute(dims);
}

/**
 * linear's VJP for the output gradient G [..., out]: gx = G·W, gW = Gᵀ·x, gb = Σ G over the flattened
 * leading dims (or `gb` when the caller already summed it). One entry per input, null where not needed.
 */
function linearGrads(g: Tensor, x: Tensor, w: Tensor, needs: readonly boolean[], gb: Tensor | null): (Tensor | null)[] {
  const g2 = g.reshape([-1, w.shape[0]]);
  return [
    needs[0] ? g.matmul(w) : null,
    needs[1] ? g2.mT.matmul(x.reshape([-1, w.shape[1]])) : null,
    ...(needs.length > 2 ? [needs[2] ? gb ?? g2.sum(0) : null] : []),
  ];
}

/**
 * The op table: for every primitive, its forward kernel and its gradient rule (VJP), side by side.
 * The tape looks ops up here during `backward()`; it is public so you can read the rules (`tg.OPS.exp.vjp`),
 * but user code normally calls the Tensor methods instead.
 */
export const OPS: { [K in OpName]: OpDef<OpAttrs[K]> } = {
  // d(-x) = -dx
  neg: { forward: unaryOp('neg'), vjp: (g) => [g.neg()] },
  // d(e^x) = e^x dx
  exp: { forward: unaryOp('exp'), vjp: (g, { output }) => [g.mul(output)] },
  // d(log x) = dx / x
  log: { forward: unaryOp('log'), vjp: (g, { inputs: [x] }) => [g.div(x)] },
  // d(log(1+x)) = dx / (1+x)
  log1p: { forward: unaryOp('log1p'), vjp: (g, { inputs: [x] }) => [g.div(x.add(1))] },
  // d(e^x - 1) = e^x dx
  expm1: { forward: unaryOp('expm1'), vjp: (g, { output }) => [g.mul(output.add(1))] },
  // d(sqrt x) = dx / (2 sqrt x)
  sqrt: { forward: unaryOp('sqrt'), vjp: (g, { output }) => [g.div(output.mul(2))] },
  // d|x| = sign(x) dx  (0 at x = 0, as in PyTorch)
  abs: { forward: unaryOp('abs'), vjp: (g, { inputs: [x] }) => [g.mul(x.sign())] },
  // d relu(x) = [x > 0] dx  (so relu'(0) = 0)
  // (a first-order backward fuses the mask and the product into one pass: BINARY.reluBackward)
  relu: {
    forward: unaryOp('relu'),
    vjp: (g, { inputs: [x] }) => [
      isGradEnabled() || !shapesEqual(g.shape, x.shape) ? g.mul(x.gt(0)) : resultLike(g, mapBinary('relu', g.value, x.value, BINARY.reluBackward, g.dtype)),
    ],
  },
  // d sigmoid(x) = s (1 - s) dx, from the output: finite even at x = ±1000
  sigmoid: { forward: unaryOp('sigmoid'), vjp: (g, { output: s }) => [g.mul(s.mul(s.neg().add(1)))] },
  // d tanh(x) = (1 - tanh²x) dx
  tanh: { forward: unaryOp('tanh'), vjp: (g, { output: t }) => [g.mul(t.mul(t).neg().add(1))] },
  // d erf(x) = 2/√π · e^(−x²) dx
  erf: { forward: unaryOp('erf'), vjp: (g, { inputs: [x] }) => [g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI)))] },
  // d erfc(x) = −2/√π · e^(−x²) dx
  erfc: { forward: unaryOp('erfc'), vjp: (g, { inputs: [x] }) => [g.mul(x.mul(x).neg().exp().mul(-2 / Math.sqrt(Math.PI)))] },
  // d sin x = cos x dx
  sin: { forward: unaryOp('sin'), vjp: (g, { inputs: [x] }) => [g.mul(x.cos())] },
  // d cos x = -sin x dx
  cos: { forward: unaryOp('cos'), vjp: (g, { inputs: [x] }) => [g.mul(x.sin()).neg()] },
  // step functions: d floor(x) = 0 almost everywhere (PyTorch's rule too), and likewise for the others
  sign: { forward: unaryOp('sign'), vjp: (g) => [g.zerosLike()] },
  floor: { forward: unaryOp('floor'), vjp: (g) => [g.zerosLike()] },
  ceil: { forward: unaryOp('ceil'), vjp: (g) => [g.zerosLike()] },
  round: { forward: unaryOp('round'), vjp: (g) => [g.zerosLike()] },
  trunc: { forward: unaryOp('trunc'), vjp: (g) => [g.zerosLike()] },
  // d clamp(x, lo, hi) = [lo <= x <= hi] dx
  clamp: {
    forward: ([x], { min, max }) => mapUnary(x, UNARY.clamp, min, max),
    vjp: (g, { inputs: [x], attrs }) => [g.mul(x.ge(attrs.min).mul(x.le(attrs.max)))],
  },
  // d x^p = p x^(p-1) dx  (p a constant); as PyTorch, p = 0 gives 0 everywhere, x = 0 included (not 0·0⁻¹ = NaN)
  powScalar: {
    forward: ([x], { p }) => mapUnary(x, UNARY.powScalar, p),
    vjp: (g, { inputs: [x], attrs: { p } }) => [p === 0 ? g.mul(0) : p === 2 ? g.mul(x).mul(2) : g.mul(x.pow(p - 1)).mul(p)],
  },

  // d(a + b) = da + db
  add: { forward: binaryOp('add', 'add'), vjp: (g) => [g, g] },
  // d(a - b) = da - db
  sub: { forward: binaryOp('sub', 'sub'), vjp: (g, { needs }) => [g, needs[1] ? g.neg() : null] },
  // d(a b) = b da + a db
  mul: {
    forward: binaryOp('mul', 'mul'),
    vjp: (g, { inputs: [a, b], needs }) => [needs[0] ? g.mul(b) : null, needs[1] ? g.mul(a) : null],
  },
  // d(a / b) = da / b - (a / b²) db = (da - out db) / b
  div: {
    forward: binaryOp('div', 'div'),
    vjp: (g, { inputs: [a, b], needs }) => [needs[0] ? g.div(b) : null, needs[1] ? g.mul(a).div(b.mul(b)).neg() : null],
  },
  // d(a^b) = b a^(b-1) da + a^b log(a) db, with PyTorch's conventions where a term is 0·∞:
  // the a-term is 0 where b = 0 (so 0^0 gives 0, not NaN), the b-term is 0 where a = 0 and b ≥ 0 (0^0, 0^2: not -∞, NaN)
  pow: {
    forward: binaryOp('pow', 'pow'),
    vjp: (g, { inputs: [a, b], output, needs }) => {
      // the 0·∞ points are steered to finite ones whose term is already 0: where b = 0 the a-term reads a^0 = 1
      // (times b = 0); where a = 0 ≤ b the b-term reads log 1 = 0. No NaN, also in a second derivative.
      const bZero = b.eq(0);
      const aZero = a.eq(0).mul(b.ge(0));
      return [
        needs[0] ? g.mul(b).mul(a.pow(b.add(bZero).sub(1))) : null,
        needs[1] ? g.mul(output).mul(a.add(aZero).log()) : null,
      ];
    },
  },
  // d max(a, b): the larger input gets dx; ties split it half and half (as PyTorch does)
  maximum: {
    forward: binaryOp('maximum', 'maximum'),
    vjp: (g, { inputs: [a, b], needs }) => {
      const m = a.gt(b).add(a.eq(b).mul(0.5));
      return [needs[0] ? g.mul(m) : null, needs[1] ? g.mul(m.neg().add(1)) : null];
    },
  },
  minimum: {
    forward: binaryOp('minimum', 'minimum'),
    vjp: (g, { inputs: [a, b], needs }) => {
      const m = a.lt(b).add(a.eq(b).mul(0.5));
      return [needs[0] ? g.mul(m) : null, needs[1] ? g.mul(m.neg().add(1)) : null];
    },
  },
  // d where(c, a, b) = where(c, da, 0) + where(c, 0, db); the condition gets no gradient
  where: {
    forward: ([c, a, b]) => whereKernel(c, a, b, dt2(a, b)),
    vjp: (g, { inputs: [c], needs, apply }) => {
      const zero = g.zerosLike();
      return [null, needs[1] ? apply('where', [c, g, zero], null) : null, needs[2] ? apply('where', [c, zero, g], null) : null];
    },
  },

  // d sum(x) = broadcast of the output gradient
  sum: {
    forward: ([x], { axes, keepdims }) => reduce(x, axes, keepdims, 'sum'),
    vjp: (g, { inputs: [x], attrs }) => [unreduce(g, attrs, x.shape)],
  },
  max: { forward: ([x], { axes, keepdims }) => reduce(x, axes, keepdims, 'max'), vjp: extremumVjp },
  min: { forward: ([x], { axes, keepdims }) => reduce(x, axes, keepdims, 'min'), vjp: extremumVjp },

  // d cumsum(x)_j = Σ_{i≤j} dx_i  →  gx_i = Σ_{j≥i} g_j, a cumsum run backwards
  cumsum: {
    forward: ([x], { axis }) => scanKernel(x, axis, 'sum'),
    vjp: (g, { attrs: { axis } }) => [reverseCumsum(g, axis)],
  },
  // d cumprod(x)_j = Σ_{i≤j} (∏_{k≤j, k≠i} x_k) dx_i  →  gx_i = Σ_{j≥i} g_j y_j / x_i when no x_k is 0
  cumprod: {
    forward: ([x], { axis }) => scanKernel(x, axis, 'prod'),
    vjp: (g, { inputs: [x], output, attrs: { axis } }) => [
      hasZero(x.value) ? cumprodGradWithZeros(g, x, axis) : reverseCumsum(g.mul(output), axis).div(x),
    ],
  },

  // d(A B) = dA B + A dB  →  gA = G Bᵀ, gB = Aᵀ G (1-D operands promoted, batch dims summed back)
  matmul: {
    forward: ([a, b]) => matmulKernel(a, b),
    vjp: (g, { inputs: [a, b], needs }) => {
      const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
      const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
      let g2 = g;
      if (a.ndim === 1) g2 = g2.unsqueeze(b.ndim === 1 ? -1 : -2);
      if (b.ndim === 1) g2 = g2.unsqueeze(-1);
      if (a.ndim === 1 && b.ndim === 1) g2 = g.reshape([1, 1]);
      // For an input stored column by column (typically a transposed weight, W.mT) the gradient is
      // computed as the transpose of the transposed product (gBᵀ = Gᵀ·A: the same sums), so it has
      // the input's layout: back through the permute it is dense, and the optimizer needs no copy.
      const gA = () => (columnMajor(a) ? b2.matmul(g2.mT).mT : g2.matmul(b2.mT));
      const gB = () => (columnMajor(b) ? g2.mT.matmul(a2).mT : a2.mT.matmul(g2));
      return [
        needs[0] ? sumToShape(gA(), a2.shape).reshape(a.shape) : null,
        needs[1] ? sumToShape(gB(), b2.shape).reshape(b.shape) : null,
      ];
    },
  },

  // y = x·Wᵀ (+ b, when a third input is given) over the last dim (nn.Linear): gx = G·W, gW = Gᵀ·x,
  // gb = Σ G, leading dims flattened. gW is always this one product, whatever the layouts of x and W.
  linear: {
    forward: ([x, w, b]) => linearKernel(x, w, b),
    vjp: (g, { inputs: [x, w], needs }) => linearGrads(g, x, w, needs, null),
  },
  // y = relu(x·Wᵀ (+ b))  →  Gz = G·[y > 0], then linear's rule on Gz: gx = Gz·W, gW = Gzᵀ·x, gb = Σ Gz.
  // A first-order backward makes Gz and gb in one sweep over G (bitwise the relu VJP and the sum it replaces).
  linearRelu: {
    forward: ([x, w, b]) => linearKernel(x, w, b, 'relu'),
    vjp: (g, { inputs: [x, w], output, needs }) => {
      if (isGradEnabled() || !shapesEqual(g.shape, output.shape)) return linearGrads(g.mul(output.detach().gt(0)), x, w, needs, null);
      const { gz, gb } = linearReluGradKernel(g.value, output.value, needs.length > 2 && needs[2]);
      return linearGrads(resultLike(g, gz), x, w, needs, gb === null ? null : resultLike(g, gb));
    },
  },

  // L = Σᵢ (logsumexp(xᵢ) − xᵢ[tᵢ]) (/ N)  →  gx = (softmax(x) − onehot(t)) · g (/ N): F.crossEntropy with class
  // indices as one pass per row. A first-order backward runs the fused gradient kernel; under createGraph the
  // same gradient is built from tensor ops, so it can be differentiated again.
  crossEntropy: {
    forward: ([x], { target, mean }) => crossEntropyKernel(x, target, mean),
    vjp: (g, { inputs: [x], attrs: { target, mean } }) => {
      if (!isGradEnabled()) {
        const gx = x.zerosLike(); // a dense [N, C] array the kernel fills (zerosLike is untracked)
        crossEntropyGradKernel(x.value, target, mean, g.item(), gx.value);
        return [gx];
      }
      const onehot = x.zerosLike();
      const c = x.shape[1], od = onehot.value.data;
      for (let i = 0; i < x.shape[0]; i++) od[i * c + target[i]] = 1;
      return [x.softmax(1).sub(onehot).mul(mean ? g.div(x.shape[0]) : g)];
    },
  },

  // movement ops are linear: each VJP is the inverse movement (or its adjoint)
  reshape: { forward: ([x], { shape }) => x.reshape(shape), vjp: (g, { inputs: [x] }) => [g.reshape(x.shape)] },
  permute: {
    forward: ([x], { dims }) => x.permute(dims),
    vjp: (g, { attrs: { dims } }) => {
      const inv = new Array<number>(dims.length);
      dims.forEach((d, i) => { inv[d] = i; });
      return [g.permute(inv)];
    },
  },
  expand: { forward: ([x], { shape }) => x.expand(shape), vjp: (g, { inputs: [x] }) => [sumToShape(g, x.shape)] },
  slice: {
    forward: ([x], { starts, ends, steps }) => x.slice(starts, ends, steps),
    vjp: (g, { inputs: [x], attrs, apply }) => [apply('unslice', [g], { ...attrs, shape: [...x.shape] })],
  },
  // the adjoint of slice: place x into zeros of the original shape
  unslice: {
    forward: ([x], { shape, starts, ends, steps }) => {
      const out = NDArray.zeros(shape, x.dtype);
      assignInto(out.slice(starts, ends, steps), x);
      return out;
    },
    vjp: (g, { attrs: { starts, ends, steps }, apply }) => [apply('slice', [g], { starts, ends, steps })],
  },
  // flip is a permutation of the elements, and its own inverse: d flip(x) = flip(dx)
  flip: { forward: ([x], { dims }) => flipKernel(x, dims), vjp: (g, { attrs: { dims }, apply }) => [apply('flip', [g], { dims })] },
  // a custom function's forward ran before recording (src/autograd/custom.ts); its gradient is the user's backward
  custom: { forward: (_, { value }) => value, vjp: (g, { attrs }) => attrs.backward(g) },
  contiguous: { forward: ([x]) => x.contiguous(), vjp: (g) => [g] },
  cast: { forward: ([x], { dtype }) => x.astype(dtype), vjp: (g, { inputs: [x] }) => [g.to(x.dtype)] },

  // d concat(xs) = the matching slices of g
  concat: {
    forward: (xs, { axis }) => concatKernel(xs, axis, xs.reduce<DType>((d, x) => promote(d, x.dtype), xs[0].dtype)),
    vjp: (g, { inputs, attrs: { axis }, needs }) => {
      let at = 0;
      return inputs.map((x, i) => {
        const len = x.shape[axis];
        at += len;
        return needs[i] ? g.slice(axis, at - len, at) : null;
      });
    },
  },
  // gather and scatterAdd are adjoint linear maps (in their data argument)
  gather: {
    forward: ([x], { axis, index }) => gatherKernel(x, axis, index),
    vjp: (g, { inputs: [x], attrs: { axis, index }, apply }) => [apply('scatterAdd', [g], { axis, index, shape: [...x.shape] })],
  },
  scatterAdd: {
    forward: ([src], { axis, index, shape }) => scatterAddKernel(shape, axis, index, src),
    vjp: (g, { attrs: { axis, index }, apply }) => [apply('gather', [g], { axis, index })],
  },
  // y = the maximum of each window of x, found by one pass that also writes where it was into `index`;
  // the gradient goes to those positions: gx = scatterAdd(g) at index (PyTorch's max_pool2d_with_indices rule)
  maxPool: {
    forward: ([x], attrs) => maxPoolKernel(x, attrs, attrs.index),
    vjp: (g, { inputs: [x], attrs: { index }, apply }) => {
      const [n, c, h, w] = x.shape;
      return [apply('scatterAdd', [g.reshape([n, c, -1])], { axis: 2, index, shape: [n, c, h * w] }).reshape([n, c, h, w])];
    },
  },
  indexSelect: {
    forward: ([x], { axis, indices }) => indexSelectKernel(x, axis, indices),
    vjp: (g, { inputs: [x], attrs: { axis, indices }, apply }) => [apply('indexAdd', [g], { axis, indices, shape: [...x.shape] })],
  },
  indexAdd: {
    forward: ([src], { axis, indices, shape }) => indexAddKernel(shape, axis, indices, src),
    vjp: (g, { attrs: { axis, indices }, apply }) => [apply('indexSelect', [g], { axis, indices })],
  },

  // Convolution: y = conv(x, w) is bilinear, and its three maps are each other's adjoints (one kernel family):
  // d conv(x, w) = conv(dx, w) + conv(x, dw)  →  gx = convT(g, w), gw = convWeight(x, g); with a bias b
  // (a third input, y[n, o] += b[o], added in place by the kernel): gb = Σ_{n, h, w} g
  conv2d: {
    forward: ([x, w, b], geo) => conv2dForward(x, w, geo, undefined, b ?? null),
    vjp: (g, { inputs: [x, w], attrs, needs, apply }) => [
      needs[0] ? apply('convTranspose2d', [g, w], { ...geoOf(attrs), inputSize: x.shape.slice(2) }) : null,
      needs[1] ? apply('conv2dWeight', [x, g], { ...geoOf(attrs), kernelSize: w.shape.slice(2) }) : null,
      ...(needs.length > 2 ? [needs[2] ? g.sum([0, 2, 3]) : null] : []),
    ],
  },
  // ⟨convT(y, w), G⟩ = ⟨y, conv(G, w)⟩  →  gy = conv(G, w), gw = convWeight(G, y)
  convTranspose2d: {
    forward: ([y, w], attrs) => conv2dInputGrad(y, w, attrs, attrs.inputSize),
    vjp: (g, { inputs: [y, w], attrs, needs, apply }) => [
      needs[0] ? apply('conv2d', [g, w], geoOf(attrs)) : null,
      needs[1] ? apply('conv2dWeight', [g, y], { ...geoOf(attrs), kernelSize: w.shape.slice(2) }) : null,
    ],
  },
  // ⟨convWeight(x, y), V⟩ = ⟨conv(x, V), y⟩ = ⟨x, convT(y, V)⟩  →  gx = convT(y, V), gy = conv(x, V)
  conv2dWeight: {
    forward: ([x, y], attrs) => conv2dWeightGrad(x, y, attrs, attrs.kernelSize),
    vjp: (g, { inputs: [x, y], attrs, needs, apply }) => [
      needs[0] ? apply('convTranspose2d', [y, g], { ...geoOf(attrs), inputSize: x.shape.slice(2) }) : null,
      needs[1] ? apply('conv2d', [x, g], geoOf(attrs)) : null,
    ],
  },
};
