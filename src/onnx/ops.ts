// The ONNX mapping: for each traced op (a tape primitive, or an untracked op such as a comparison), the ONNX
// nodes that compute it. A primitive missing here cannot be exported; the exporter names it and its place.

import type { Axes, OpAttrs, OpName, SliceSpec } from '../autograd/ops.js';
import type { Tensor } from '../autograd/tensor.js';
import type { UntrackedOpName } from '../autograd/trace.js';
import type { ConvGeometry } from '../tensor/conv.js';
import type { DType } from '../tensor/dtype.js';
import { ONNX_DTYPE, type AttrValue } from './proto.js';

/** A dim of a traced tensor: c0 + Σ coeffs[j]·(dynamic dim j). Static when every coefficient is 0. */
export interface DimExpr {
  /** The constant part. */
  c0: number;
  /** One coefficient per dynamic input dim. */
  coeffs: number[];
}

export const isStaticDim = (d: DimExpr): boolean => d.coeffs.every((c) => c === 0);

/** What an emitter sees of the op being exported and how it adds nodes. */
export interface EmitContext {
  /** The default-domain opset being written. */
  readonly opset: number;
  /** The ONNX value name of the op's input i. */
  input(i: number): string;
  /** The number of inputs. */
  readonly inputCount: number;
  /** The dims of input i (each static or dynamic) and its dtype. */
  inputDims(i: number): DimExpr[];
  /** The shape of input i in the traced pass (dynamic dims at their traced size). */
  inputShape(i: number): readonly number[];
  /** The dims of the op's output. */
  readonly outputDims: DimExpr[];
  /** The output's dtype. */
  readonly dtype: DType;
  /** Adds a node writing the op's output. */
  final(opType: string, inputs: readonly string[], attrs?: Record<string, AttrValue>): void;
  /** Adds a node writing a fresh intermediate value; returns its name. */
  tmp(opType: string, inputs: readonly string[], attrs?: Record<string, AttrValue>): string;
  /** An int64 1-D constant. */
  ints(values: readonly number[]): string;
  /** A 0-d constant of the output's dtype. */
  scalar(v: number): string;
  /** An int64 1-D tensor holding these dims (dynamic ones computed from the inputs' shapes). */
  shapeTensor(dims: readonly DimExpr[]): string;
  /**
   * The name of output k of a module or composite exported whole (its tensors flattened in order: an LSTM's
   * [output, [h, c]] are 0, 1, 2); output(0) of a primitive is the name `final` writes.
   */
  output(k: number): string;
  /** Adds a node with these outputs (names from `output(k)` or `tmp`-like fresh ones). */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue>, outputs: readonly string[]): void;
  /** A fresh value name starting with `hint` (for nodes with several outputs). */
  fresh(hint: string): string;
  /** A new initializer holding t's values (weights rearranged for an ONNX operator); `hint` starts its name. */
  constant(t: Tensor, hint: string): string;
  /** The initializer name of a parameter or buffer (for modules exported whole). */
  param(t: Tensor): string;
  /** Throws an export error about this op. */
  fail(reason: string): never;
}

type Emit<A> = (e: EmitContext, attrs: A) => void;

/** Erf of x into the op's output (final) or a fresh value, through float32 for float64 inputs. */
function erf(e: EmitContext, x: string, final: boolean): string {
  if (e.dtype === 'float32') return final ? (e.final('Erf', [x]), '') : e.tmp('Erf', [x]);
  const y = e.tmp('Erf', [e.tmp('Cast', [x], { to: { int: ONNX_DTYPE.float32 } })]);
  return final ? (e.final('Cast', [y], { to: { int: ONNX_DTYPE.float64 } }), '') : e.tmp('Cast', [y], { to: { int: ONNX_DTYPE.float64 } });
}

const unary = (opType: string): Emit<null> => (e) => e.final(opType, [e.input(0)]);
const binary = (opType: string): Emit<null> => (e) => e.final(opType, [e.input(0), e.input(1)]);
/** Comparisons give int32 0/1 masks in tapegrad; ONNX's give bool, hence the Cast. */
const compare = (opType: string, negate = false): Emit<null> => (e) => {
  const b = e.tmp(opType, [e.input(0), e.input(1)]);
  e.final('Cast', [negate ? e.tmp('Not', [b]) : b], { to: { int: ONNX_DTYPE[e.dtype] } });
};

function reduceOp(opType: 'ReduceSum' | 'ReduceMax' | 'ReduceMin'): Emit<Axes> {
  return (e, { axes, keepdims }) => {
    if (axes.length === 0) return e.final('Identity', [e.input(0)]);
    const k = { keepdims: { int: keepdims ? 1 : 0 } };
    // ReduceSum takes its axes as an input from opset 13, ReduceMax/Min from opset 18
    if (opType === 'ReduceSum' || e.opset >= 18) e.final(opType, [e.input(0), e.ints(axes)], k);
    else e.final(opType, [e.input(0)], { ...k, axes: { ints: axes } });
  };
}

const slice: Emit<SliceSpec> = (e, { starts, ends, steps }) => {
  const shape = e.inputShape(0);
  const outDims = e.outputDims;
  const axes: number[] = [];
  const s: number[] = [];
  const en: number[] = [];
  const st: number[] = [];
  starts.forEach((start, a) => {
    if (start === 0 && steps[a] === 1 && ends[a] === shape[a]) return; // the whole axis
    if (!isStaticDim(outDims[a])) e.fail(`only whole dynamic axes can be sliced (axis ${a}: ${start}:${ends[a]}:${steps[a]})`);
    axes.push(a);
    s.push(start);
    en.push(ends[a]);
    st.push(steps[a]);
  });
  if (axes.length === 0) return e.final('Identity', [e.input(0)]);
  e.final('Slice', [e.input(0), e.ints(s), e.ints(en), e.ints(axes), e.ints(st)]);
};

/** ONNX's Conv/ConvTranspose attributes from tapegrad's geometry (pads: ONNX lists all begins, then all ends). */
const convAttrs = ({ stride, padding, dilation, groups }: ConvGeometry, kernel: readonly number[]): Record<string, AttrValue> => ({
  kernel_shape: { ints: [...kernel] }, strides: { ints: stride }, dilations: { ints: dilation }, group: { int: groups },
  pads: { ints: [padding[0], padding[2], padding[1], padding[3]] },
});

/**
 * The adjoint of conv2d as ONNX ConvTranspose: the full transposed result is cropped by the conv's leading
 * padding, and at the end either cropped (pads) or grown by zeros (output_padding) to inputSize.
 */
const convTranspose: Emit<ConvGeometry & { inputSize: number[] }> = (e, attrs) => {
  const [, , ho, wo] = e.inputShape(0);
  const [, , kh, kw] = e.inputShape(1);
  const full = [ho, wo].map((n, i) => (n - 1) * attrs.stride[i] + attrs.dilation[i] * ([kh, kw][i] - 1) + 1);
  const begin = [attrs.padding[0], attrs.padding[2]];
  const endCrop = full.map((f, i) => f - begin[i] - attrs.inputSize[i]);
  e.final('ConvTranspose', [e.input(0), e.input(1)], {
    kernel_shape: { ints: [kh, kw] }, strides: { ints: attrs.stride }, dilations: { ints: attrs.dilation }, group: { int: attrs.groups },
    pads: { ints: [...begin, ...endCrop.map((c) => Math.max(0, c))] },
    output_padding: { ints: endCrop.map((c) => Math.max(0, -c)) },
  });
};

/** linear's nodes (Gemm for a 2-D input, else MatMul with Wᵀ and Add), writing the op's output, or through Relu when `relu`. */
function linearNodes(e: EmitContext, relu: boolean): void {
  const out = (opType: string, inputs: readonly string[], attrs?: Record<string, AttrValue>): void => {
    if (relu) e.final('Relu', [e.tmp(opType, inputs, attrs)]);
    else e.final(opType, inputs, attrs);
  };
  const bias = e.inputCount > 2 ? [e.input(2)] : [];
  if (e.inputDims(0).length === 2) return out('Gemm', [e.input(0), e.input(1), ...bias], { transB: { int: 1 } });
  const wT = e.tmp('Transpose', [e.input(1)], { perm: { ints: [1, 0] } });
  if (bias.length === 0) return out('MatMul', [e.input(0), wT]);
  out('Add', [e.tmp('MatMul', [e.input(0), wT]), bias[0]]);
}

/** ONNX nodes for each primitive of the op table that can be exported. */
export const PRIMITIVE_EMITTERS: { [K in OpName]?: Emit<OpAttrs[K]> } = {
  neg: unary('Neg'), exp: unary('Exp'), log: unary('Log'), sqrt: unary('Sqrt'), abs: unary('Abs'),
  relu: unary('Relu'), sigmoid: unary('Sigmoid'), tanh: unary('Tanh'), sin: unary('Sin'), cos: unary('Cos'),
  // ONNX Round also sends halves to the even neighbour
  sign: unary('Sign'), floor: unary('Floor'), ceil: unary('Ceil'), round: unary('Round'),
  // trunc(x) = sign(x)·floor(|x|) (ONNX has no Trunc)
  trunc: (e) => e.final('Mul', [e.tmp('Sign', [e.input(0)]), e.tmp('Floor', [e.tmp('Abs', [e.input(0)])])]),
  // CumSum takes its axis as a 0-d int64 input
  cumsum: (e, { axis }) => e.final('CumSum', [e.input(0), e.tmp('Squeeze', [e.ints([axis])])]),
  // ONNX Runtime has Erf for float32 only: a float64 model computes it in float32 (about 1e-7 relative)
  erf: (e) => erf(e, e.input(0), true),
  // log1p(x) = log(1 + x) and expm1(x) = eˣ − 1: ONNX has no fused forms (tiny |x| loses relative precision)
  log1p: (e) => e.final('Log', [e.tmp('Add', [e.input(0), e.scalar(1)])]),
  expm1: (e) => e.final('Sub', [e.tmp('Exp', [e.input(0)]), e.scalar(1)]),
  // erfc(x) = 1 − erf(x)
  erfc: (e) => e.final('Sub', [e.scalar(1), erf(e, e.input(0), false)]),
  clamp: (e, { min, max }) => e.final('Clip', [
    e.input(0), Number.isFinite(min) ? e.scalar(min) : '', ...(Number.isFinite(max) ? [e.scalar(max)] : []),
  ]),
  // x² as x·x (exact), other constant powers through Pow
  powScalar: (e, { p }) => (p === 2 ? e.final('Mul', [e.input(0), e.input(0)]) : e.final('Pow', [e.input(0), e.scalar(p)])),
  add: binary('Add'), sub: binary('Sub'), mul: binary('Mul'), div: binary('Div'), pow: binary('Pow'),
  maximum: binary('Max'), minimum: binary('Min'),
  // tapegrad's condition is 0/1 numbers; ONNX's Where wants bool
  where: (e) => e.final('Where', [e.tmp('Cast', [e.input(0)], { to: { int: ONNX_DTYPE.bool } }), e.input(1), e.input(2)]),
  sum: reduceOp('ReduceSum'), max: reduceOp('ReduceMax'), min: reduceOp('ReduceMin'),
  matmul: binary('MatMul'),
  // y = x·Wᵀ + b: Gemm for 2-D inputs (as torch.onnx writes nn.Linear), else MatMul with Wᵀ then Add
  linear: (e) => linearNodes(e, false),
  // relu(x·Wᵀ + b): the same nodes, then Relu (what torch.onnx writes for nn.Linear followed by nn.ReLU)
  linearRelu: (e) => linearNodes(e, true),
  // one dynamic dim becomes -1 (Reshape infers it); several are computed from the input's shape
  reshape: (e) => {
    const dims = e.outputDims;
    const dynamic = dims.filter((d) => !isStaticDim(d)).length;
    const zero = dims.some((d) => isStaticDim(d) && d.c0 === 0);
    const attrs: Record<string, AttrValue> = zero ? { allowzero: { int: 1 } } : {};
    if (dynamic <= 1) e.final('Reshape', [e.input(0), e.ints(dims.map((d) => (isStaticDim(d) ? d.c0 : -1)))], attrs);
    else e.final('Reshape', [e.input(0), e.shapeTensor(dims)], attrs);
  },
  permute: (e, { dims }) => e.final('Transpose', [e.input(0)], { perm: { ints: dims } }),
  // Expand broadcasts both ways, so a 1 leaves an axis alone; only axes that grow need their size
  expand: (e) => {
    const inDims = e.inputDims(0);
    const lead = e.outputDims.length - inDims.length;
    const target = e.outputDims.map((d, i) => {
      const src = i >= lead ? inDims[i - lead] : null;
      const same = src !== null && src.c0 === d.c0 && src.coeffs.every((c, j) => c === d.coeffs[j]);
      return same ? { c0: 1, coeffs: d.coeffs.map(() => 0) } : d;
    });
    e.final('Expand', [e.input(0), e.shapeTensor(target)]);
  },
  slice,
  // reversal: a Slice from the last element backwards with step −1 on each flipped dim
  flip: (e, { dims }) => e.final('Slice', [
    e.input(0), e.ints(dims.map(() => -1)), e.ints(dims.map(() => -Number.MAX_SAFE_INTEGER)), e.ints(dims), e.ints(dims.map(() => -1)),
  ]),
  contiguous: (e) => e.final('Identity', [e.input(0)]),
  cast: (e, { dtype }) => e.final('Cast', [e.input(0)], { to: { int: ONNX_DTYPE[dtype] } }),
  concat: (e, { axis }) => e.final('Concat', Array.from({ length: e.inputCount }, (_, i) => e.input(i)), { axis: { int: axis } }),
  gather: (e, { axis, index }) => {
    const idx = index.values();
    e.final('GatherElements', [e.input(0), e.tmp('Reshape', [e.ints(Array.from(idx)), e.ints(index.shape)])], { axis: { int: axis } });
  },
  // cross-correlation as ONNX Conv (1-D convolutions reach here as 2-D with a height of 1)
  conv2d: (e, geo) => e.final('Conv', [e.input(0), e.input(1), ...(e.inputCount > 2 ? [e.input(2)] : [])], convAttrs(geo, e.inputShape(1).slice(2))),
  convTranspose2d: convTranspose,
  indexSelect: (e, { axis, indices }) => e.final('Gather', [e.input(0), e.ints(Array.from(indices))], { axis: { int: axis } }),
};

/** Attributes of the untracked ops (argmax/argmin: axis null means over the flattened tensor). */
export interface UntrackedAttrs {
  detach: null; eq: null; ne: null; lt: null; le: null; gt: null; ge: null; sign: null; isFinite: null;
  argmax: { axis: number | null; keepdims: boolean }; argmin: { axis: number | null; keepdims: boolean };
}

const argReduce = (opType: 'ArgMax' | 'ArgMin'): Emit<{ axis: number | null; keepdims: boolean }> => (e, { axis, keepdims }) => {
  const x = axis === null ? e.tmp('Reshape', [e.input(0), e.ints([-1])]) : e.input(0);
  const i = e.tmp(opType, [x], { axis: { int: axis ?? 0 }, keepdims: { int: keepdims && axis !== null ? 1 : 0 } });
  e.final('Cast', [i], { to: { int: ONNX_DTYPE[e.dtype] } }); // ONNX gives int64, tapegrad int32
};

/** ONNX nodes for the untracked ops: each one is exported, so masks and shifts follow the input. */
export const UNTRACKED_EMITTERS: { [K in UntrackedOpName]: Emit<UntrackedAttrs[K]> } = {
  detach: (e) => e.final('Identity', [e.input(0)]),
  eq: compare('Equal'), ne: compare('Equal', true), lt: compare('Less'), le: compare('LessOrEqual'),
  gt: compare('Greater'), ge: compare('GreaterOrEqual'),
  sign: unary('Sign'),
  // isFinite = not (isInf or isNaN)
  isFinite: (e) => {
    const bad = e.tmp('Or', [e.tmp('IsInf', [e.input(0)]), e.tmp('IsNaN', [e.input(0)])]);
    e.final('Cast', [e.tmp('Not', [bad])], { to: { int: ONNX_DTYPE[e.dtype] } });
  },
  argmax: argReduce('ArgMax'),
  argmin: argReduce('ArgMin'),
};
