// Calls exported whole, as ONNX operators of their own, instead of op by op:
// - MODULE_EMITTERS, by module class name: a layer whose ops cannot be read one by one.
// - COMPOSITE_EMITTERS, by composite kind (see traceComposite in src/autograd/trace.ts): the nn functions
//   that announce themselves, e.g. max pooling (its window maxima are found by a kernel, an index a trace
//   would freeze), batch norm in eval form, layer norm, embedding lookups, and whole LSTM / GRU layers.
// Each entry writes the nodes from the call's inputs to its outputs (e.output(k)).

import { ones } from '../autograd/factory.js';
import { concat, stack } from '../autograd/functions.js';
import { noGrad } from '../autograd/mode.js';
import type { Tensor } from '../autograd/tensor.js';
import type { EmitContext } from './ops.js';
import { type AttrValue, ONNX_DTYPE } from './proto.js';

/** ONNX nodes for whole modules, by class name (the exporter does not look inside these). */
export const MODULE_EMITTERS: Record<string, (e: EmitContext, module: object) => void> = {};

/** Settings of a pooling composite as the nn functions report them (1-D or 2-D). */
export interface PoolAttrs {
  /** Kernel, stride, padding (one side) and dilation per spatial axis. */
  k: number[]; s: number[]; p: number[]; d: number[];
  /** Whether the output size rounds up. */
  ceilMode: boolean;
  /** Average pooling: count the padding zeros in the divisor. */
  countIncludePad?: boolean;
  /** The input had no batch axis. */
  unbatched: boolean;
}

/** Settings of a convolution composite, in ONNX's terms (pads: all begins, then all ends). */
export interface ConvAttrs {
  kernel: number[]; stride: number[]; dilation: number[]; groups: number; pads: number[];
  /** Set for a transposed convolution (ConvTranspose), one per spatial axis. */
  outputPadding?: number[];
  /** The input had no batch axis. */
  unbatched: boolean;
}

/** Settings of a recurrent-layer composite. */
export interface RecurrentAttrs {
  /** The nn.LSTM / nn.GRU (its parameters and sizes are read from it). */
  module: {
    hiddenSize: number; numLayers: number; bidirectional: boolean; batchFirst: boolean; bias: boolean;
  } & Record<string, unknown>;
  /** The Elman RNN's nonlinearity. */
  nonlinearity?: 'tanh' | 'relu';
  /** Whether h0 (input 1) and, for LSTM, c0 (input 2) were given; otherwise ONNX starts from zeros. */
  hasH0: boolean;
  hasC0: boolean;
}

/** Runs an N-D ONNX op on a [C, ...] input by adding and removing the batch axis. */
function batched(e: EmitContext, unbatched: boolean, run: (x: string, out: string | null) => string | void): void {
  if (!unbatched) {
    run(e.input(0), e.output(0));
    return;
  }
  const y = run(e.tmp('Unsqueeze', [e.input(0), e.ints([0])]), null) as string;
  e.final('Squeeze', [y, e.ints([0])]);
}

const poolNode = (e: EmitContext, opType: string, attrs: Record<string, AttrValue>, unbatched: boolean) =>
  batched(e, unbatched, (x, out) => {
    if (out !== null) return e.final(opType, [x], attrs);
    return e.tmp(opType, [x], attrs);
  });

/** PyTorch's LSTM gates are i, f, g, o; ONNX's i, o, f, c. GRU: r, z, n against ONNX's z, r, h. RNN: one. */
const GATE_ORDER = { lstm: [0, 3, 1, 2], gru: [1, 0, 2], rnn: [0] } as const;

/** The rows of a [G·H, ...] weight (or [G·H] bias) with its H-row gate blocks in ONNX's order. */
const reorder = (w: Tensor, order: readonly number[], hs: number): Tensor => concat(order.map((g) => w.slice(0, g * hs, (g + 1) * hs)), 0);

/**
 * A whole nn.LSTM / nn.GRU / nn.RNN: one ONNX LSTM / GRU / RNN node per layer (both directions in one), weights
 * regrouped into ONNX's [directions, gates·H, in] layout and gate order; GRU with linear_before_reset = 1,
 * which is PyTorch's n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn)); RNN with its Tanh or Relu.
 */
function recurrent(kind: 'lstm' | 'gru' | 'rnn'): (e: EmitContext, attrs: unknown) => void {
  return (e, raw) => {
    const { module: m, hasH0, hasC0, nonlinearity } = raw as RecurrentAttrs;
    const hs = m.hiddenSize;
    const dirs = m.bidirectional ? 2 : 1;
    const order = GATE_ORDER[kind];
    const param = (name: string) => m[name] as Tensor;
    let x = m.batchFirst ? e.tmp('Transpose', [e.input(0)], { perm: { ints: [1, 0, 2] } }) : e.input(0);
    const hN: string[] = [];
    const cN: string[] = [];
    for (let layer = 0; layer < m.numLayers; layer++) {
      const sfx = (d: number) => `_l${layer}${d === 1 ? '_reverse' : ''}`;
      const per = (make: (d: number) => Tensor): Tensor => noGrad(() => stack(Array.from({ length: dirs }, (_, d) => make(d)), 0));
      const W = e.constant(per((d) => reorder(param(`weight_ih${sfx(d)}`), order, hs)), `${kind}_W_l${layer}`);
      const R = e.constant(per((d) => reorder(param(`weight_hh${sfx(d)}`), order, hs)), `${kind}_R_l${layer}`);
      const B = m.bias
        ? e.constant(per((d) => concat([reorder(param(`bias_ih${sfx(d)}`), order, hs), reorder(param(`bias_hh${sfx(d)}`), order, hs)], 0)), `${kind}_B_l${layer}`)
        : '';
      // this layer's rows of the initial states [layers·dirs, N, H]
      const rows = (i: number) => e.tmp('Slice', [e.input(i), e.ints([layer * dirs]), e.ints([(layer + 1) * dirs]), e.ints([0])]);
      const inputs = [x, W, R, B, '', hasH0 ? rows(1) : ''];
      if (kind === 'lstm') inputs.push(hasC0 ? rows(2) : '');
      while (inputs[inputs.length - 1] === '') inputs.pop();
      const y = e.fresh(`/${kind}_Y_l${layer}`);
      const yh = e.fresh(`/${kind}_Y_h_l${layer}`);
      const yc = kind === 'lstm' ? e.fresh(`/${kind}_Y_c_l${layer}`) : null;
      const act = nonlinearity === 'relu' ? 'Relu' : 'Tanh';
      e.node(kind.toUpperCase(), inputs, {
        hidden_size: { int: hs }, direction: { string: dirs === 2 ? 'bidirectional' : 'forward' },
        ...(kind === 'gru' ? { linear_before_reset: { int: 1 } } : {}),
        ...(kind === 'rnn' ? { activations: { strings: new Array<string>(dirs).fill(act) } } : {}),
      }, yc ? [y, yh, yc] : [y, yh]);
      hN.push(yh);
      if (yc) cN.push(yc);
      // Y is [L, dirs, N, H]: the next layer (and the output) wants [L, N, dirs·H]
      x = e.tmp('Reshape', [e.tmp('Transpose', [y], { perm: { ints: [0, 2, 1, 3] } }), e.ints([0, 0, -1])]);
    }
    if (m.batchFirst) e.node('Transpose', [x], { perm: { ints: [1, 0, 2] } }, [e.output(0)]);
    else e.node('Identity', [x], {}, [e.output(0)]);
    e.node('Concat', hN, { axis: { int: 0 } }, [e.output(1)]);
    if (kind === 'lstm') e.node('Concat', cN, { axis: { int: 0 } }, [e.output(2)]);
  };
}

/** ONNX nodes for composites by kind (traceComposite's first argument); the attrs are the composite's. */
export const COMPOSITE_EMITTERS: Record<string, (e: EmitContext, attrs: unknown) => void> = {
  // window maxima (ONNX pads with −∞, as PyTorch does)
  maxPool: (e, raw) => {
    const a = raw as PoolAttrs;
    poolNode(e, 'MaxPool', {
      kernel_shape: { ints: a.k }, strides: { ints: a.s }, pads: { ints: [...a.p, ...a.p] }, dilations: { ints: a.d },
      ceil_mode: { int: a.ceilMode ? 1 : 0 },
    }, a.unbatched);
  },
  avgPool: (e, raw) => {
    const a = raw as PoolAttrs;
    poolNode(e, 'AveragePool', {
      kernel_shape: { ints: a.k }, strides: { ints: a.s }, pads: { ints: [...a.p, ...a.p] },
      count_include_pad: { int: a.countIncludePad ? 1 : 0 },
    }, a.unbatched);
  },
  // adaptive average pooling to 1×1
  globalAvgPool: (e, raw) => poolNode(e, 'GlobalAveragePool', {}, (raw as { unbatched: boolean }).unbatched),
  // eval form: (x − mean) / √(var + eps) · weight + bias with the stored statistics; inputs x, mean, var, weight, bias
  batchNorm: (e, raw) => {
    const { eps } = raw as { eps: number };
    e.final('BatchNormalization', [e.input(0), e.input(3), e.input(4), e.input(1), e.input(2)], { epsilon: { float: eps } });
  },
  // LayerNormalization from opset 17; before that the same arithmetic in basic ops. Inputs x, weight?, bias?
  layerNorm: (e, raw) => {
    const { k, eps, hasWeight, hasBias, shape } = raw as { k: number; eps: number; hasWeight: boolean; hasBias: boolean; shape: number[] };
    const w = hasWeight ? e.input(1) : '';
    const b = hasBias ? e.input(hasWeight ? 2 : 1) : '';
    if (e.opset >= 17) {
      const scale = w || e.constant(ones(shape, { dtype: e.dtype }), 'layernorm_ones');
      e.final('LayerNormalization', b ? [e.input(0), scale, b] : [e.input(0), scale], { axis: { int: -k }, epsilon: { float: eps } });
      return;
    }
    const axes = Array.from({ length: k }, (_, i) => -k + i);
    const mean = (v: string) => e.tmp('Div', [e.tmp('ReduceSum', [v, e.ints(axes)], { keepdims: { int: 1 } }), e.scalar(shape.reduce((p, q) => p * q, 1))]);
    const centred = e.tmp('Sub', [e.input(0), mean(e.input(0))]);
    const variance = mean(e.tmp('Mul', [centred, centred]));
    let y = e.tmp('Div', [centred, e.tmp('Sqrt', [e.tmp('Add', [variance, e.scalar(eps)])])]);
    if (w) y = e.tmp('Mul', [y, w]);
    if (b) y = e.tmp('Add', [y, b]);
    e.final('Identity', [y]);
  },
  // rows of the table (input 1) at the indices (input 0), which ONNX wants as integers
  embedding: (e) => {
    e.final('Gather', [e.input(1), e.tmp('Cast', [e.input(0)], { to: { int: ONNX_DTYPE.int64 } })], { axis: { int: 0 } });
  },
  // over one axis, as ONNX's Softmax / LogSoftmax from opset 13 (a row of −∞ gives NaN in both)
  softmax: (e, raw) => e.final('Softmax', [e.input(0)], { axis: { int: (raw as { axis: number }).axis } }),
  logSoftmax: (e, raw) => e.final('LogSoftmax', [e.input(0)], { axis: { int: (raw as { axis: number }).axis } }),
  // Conv / ConvTranspose with the bias in the node, 1-D as 1-D; inputs x, w, bias?
  conv: (e, raw) => {
    const a = raw as ConvAttrs;
    const inputs = (x: string) => [x, e.input(1), ...(e.inputCount > 2 ? [e.input(2)] : [])];
    const attrs: Record<string, AttrValue> = {
      kernel_shape: { ints: a.kernel }, strides: { ints: a.stride }, dilations: { ints: a.dilation }, group: { int: a.groups },
      pads: { ints: a.pads },
      ...(a.outputPadding ? { output_padding: { ints: a.outputPadding } } : {}),
    };
    const opType = a.outputPadding ? 'ConvTranspose' : 'Conv';
    batched(e, a.unbatched, (x, out) => (out !== null ? e.final(opType, inputs(x), attrs) : e.tmp(opType, inputs(x), attrs)));
  },
  lstm: recurrent('lstm'),
  gru: recurrent('gru'),
  rnn: recurrent('rnn'),
};
