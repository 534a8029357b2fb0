// Recurrent layers: nn.RNN, nn.LSTM, nn.GRU and their cells, with PyTorch's gate order (LSTM i, f, g, o;
// GRU r, z, n), parameter names (weight_ih_l0, bias_hh_l1_reverse, ...), layouts and initial/final states.
// Variable-length batches: pass `lengths`; each sequence stops at its own length, as a packed sequence.

import { concat, stack } from '../autograd/functions.js';
import { Tensor, where } from '../autograd/tensor.js';
import { traceComposite } from '../autograd/trace.js';
import { assertDType, type DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { dropout, linear } from './functional.js';
import { uniform_ } from './init.js';
import { checkPositiveInt } from './layers.js';
import { Module, Parameter } from './module.js';

/** The recurrence: tanh or ReLU Elman RNN, LSTM, or GRU. */
type Mode = 'tanh' | 'relu' | 'LSTM' | 'GRU';
const GATES: Record<Mode, number> = { tanh: 1, relu: 1, LSTM: 4, GRU: 3 };

/**
 * One layer-direction's weights in PyTorch's layout: W_ih [G·H, F], W_hh [G·H, H], b_ih and b_hh [G·H] (either
 * bias may be null). The nn modules pass their Parameters; the Keras layers pass views of their own weights.
 */
export interface RecurrentWeights {
  wih: Tensor;
  whh: Tensor;
  bih: Tensor | null;
  bhh: Tensor | null;
}
type Weights = RecurrentWeights;

/**
 * One time step: from the input's projection x·W_ihᵀ + b_ih [N, G·H] and the state, the next state.
 *   RNN:  h' = act(xp + h·W_hhᵀ + b_hh)
 *   LSTM: [i, f, g, o] = xp + h·W_hhᵀ + b_hh; c' = σ(f)·c + σ(i)·tanh(g); h' = σ(o)·tanh(c')
 *   GRU:  r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r·hn); h' = n + z·(h − n)
 */
function step(mode: Mode, xp: Tensor, h: Tensor, c: Tensor | null, w: Weights, hs: number): [Tensor, Tensor | null] {
  const hp = linear(h, w.whh, w.bhh);
  if (mode === 'tanh') return [xp.add(hp).tanh(), null];
  if (mode === 'relu') return [xp.add(hp).relu(), null];
  if (mode === 'LSTM') {
    const g = xp.add(hp);
    const i = g.slice(1, 0, hs).sigmoid();
    const f = g.slice(1, hs, 2 * hs).sigmoid();
    const cand = g.slice(1, 2 * hs, 3 * hs).tanh();
    const o = g.slice(1, 3 * hs, 4 * hs).sigmoid();
    const cNext = f.mul(c as Tensor).add(i.mul(cand));
    return [o.mul(cNext.tanh()), cNext];
  }
  const rz = xp.slice(1, 0, 2 * hs).add(hp.slice(1, 0, 2 * hs)).sigmoid();
  const r = rz.slice(1, 0, hs);
  const z = rz.slice(1, hs, 2 * hs);
  const n = xp.slice(1, 2 * hs, 3 * hs).add(r.mul(hp.slice(1, 2 * hs, 3 * hs))).tanh();
  return [n.add(z.mul(h.sub(n))), null];
}

/**
 * The L steps of a time-major tensor [L, ...] as L tensors [...]. Slicing each step off the whole tensor would
 * cost O(L²) in backward: each slice's gradient is placed into zeros of the whole [L, ...] shape. Halving
 * recursively places each gradient only into its parent half, so backward costs O(L log L) (measured in
 * docs/performance.md, "Recurrent layers in long sequences").
 */
function timeSteps(x: Tensor): Tensor[] {
  const len = x.shape[0];
  const rest = x.shape.slice(1);
  if (len === 1) return [x.reshape(rest)];
  if (len <= 4) return Array.from({ length: len }, (_, t) => x.slice(0, t, t + 1).reshape(rest));
  const mid = len >> 1;
  return [...timeSteps(x.slice(0, 0, mid)), ...timeSteps(x.slice(0, mid, len))];
}

/** Per step t, a [N, 1] 0/1 tensor: 1 where step t is inside that sequence (null when all are full length). */
function stepMasks(lengths: RNNForwardOptions['lengths'], len: number, n: number, input: Tensor, label: string): Tensor[] | null {
  if (lengths == null) return null;
  if (lengths.length !== n) throw new RangeError(`${label}: got ${lengths.length} lengths for a batch of ${n} (input ${fmtShape(input.shape)})`);
  for (let b = 0; b < n; b++) {
    const l = lengths[b];
    if (!Number.isInteger(l) || l < 1 || l > len) throw new RangeError(`${label}: lengths[${b}] = ${l} must be an integer in [1, ${len}]`);
  }
  if (Array.from(lengths).every((l) => l === len)) return null;
  return Array.from({ length: len }, (_, t) => new Tensor(new NDArray(Float32Array.from(lengths, (l) => (t < l ? 1 : 0)), [n, 1])));
}

/** One direction of one layer over time-major input [L, N, F]: [output [L, N, H], h_last, c_last]. */
function runDirection(mode: Mode, hs: number, x: Tensor, h0: Tensor, c0: Tensor | null, w: Weights, reverse: boolean, masks: Tensor[] | null): [Tensor, Tensor, Tensor | null] {
  const len = x.shape[0];
  const xps = timeSteps(linear(x, w.wih, w.bih)); // every step's input projection in one product, [N, G·H] each
  const outs = new Array<Tensor>(len);
  let h = h0;
  let c = c0;
  for (let s = 0; s < len; s++) {
    const t = reverse ? len - 1 - s : s;
    const xt = xps[t];
    let [hNext, cNext] = step(mode, xt, h, c, w, hs);
    if (masks) {
      const m = masks[t];
      hNext = where(m, hNext, h);
      if (cNext && c) cNext = where(m, cNext, c);
      outs[t] = where(m, hNext, 0);
    } else outs[t] = hNext;
    h = hNext;
    c = cNext;
  }
  return [stack(outs, 0), h, c];
}

/** Draws U(-1/√H, 1/√H), PyTorch's initialisation of every recurrent weight and bias. */
function initParam(shape: number[], hs: number, dtype: DType, generator: Generator): Parameter {
  const k = 1 / Math.sqrt(hs);
  return uniform_(new Parameter(NDArray.zeros(shape, dtype)), -k, k, { generator });
}

/** Options shared by {@link RNN}, {@link LSTM} and {@link GRU}. */
export interface RNNOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** [batch, seq, feature] inputs and outputs (default false: [seq, batch, feature]). */
  batchFirst?: boolean;
  /** Dropout on each layer's output except the last, in training mode (default 0). */
  dropout?: number;
  /** Also run each layer backwards in time and join both directions' features (default false). */
  bidirectional?: boolean;
  /** Dtype of the parameters (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights and of dropout masks (default: the global defaultGenerator). */
  generator?: Generator;
}

/** Options for {@link RNN}: the nonlinearity too. */
export interface ElmanRNNOptions extends RNNOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** Options of the recurrent layers' forward. */
export interface RNNForwardOptions {
  /**
   * The true length of each sequence of a padded batch (each in 1..L). Steps past a sequence's length leave its
   * state unchanged and give zero outputs, and the final state is the one at its last real step (the reverse
   * direction starts there), the same results as PyTorch's packed sequences.
   */
  lengths?: readonly number[] | Int32Array | null;
}

/** The base of RNN, LSTM and GRU: parameters named as PyTorch names them, the layer/direction loop. */
abstract class RecurrentBase<H> extends Module<[Tensor, (H | null)?, RNNForwardOptions?], [Tensor, H]> {
  /** Features per input step. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether b_ih and b_hh exist. */
  readonly bias: boolean;
  /** [batch, seq, feature] layout. */
  readonly batchFirst: boolean;
  /** Dropout between layers. */
  readonly dropout: number;
  /** Two directions. */
  readonly bidirectional: boolean;
  /** Draws dropout masks. */
  generator: Generator;
  /** The recurrence. */
  protected readonly mode: Mode;
  /** The weights by [layer][direction] (the same Parameters as the named fields). */
  protected readonly weights: Weights[][] = [];

  constructor(mode: Mode, inputSize: number, hiddenSize: number, options: RNNOptions) {
    super();
    const name = mode === 'tanh' || mode === 'relu' ? 'RNN' : mode;
    this.mode = mode;
    this.inputSize = checkPositiveInt(inputSize, `${name}: inputSize`);
    this.hiddenSize = checkPositiveInt(hiddenSize, `${name}: hiddenSize`);
    this.numLayers = checkPositiveInt(options.numLayers ?? 1, `${name}: numLayers`);
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`${name}: dropout must be in [0, 1), got ${this.dropout}`);
    this.bidirectional = options.bidirectional ?? false;
    this.generator = options.generator ?? defaultGenerator;
    const dtype = assertDType(options.dtype ?? 'float32', name);
    const g = GATES[mode] * hiddenSize;
    const self = this as unknown as Record<string, Parameter | null>;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const dirs: Weights[] = [];
      for (let d = 0; d < this.directions; d++) {
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        const inF = layer === 0 ? inputSize : hiddenSize * this.directions;
        const w: Weights = {
          wih: initParam([g, inF], hiddenSize, dtype, this.generator),
          whh: initParam([g, hiddenSize], hiddenSize, dtype, this.generator),
          bih: this.bias ? initParam([g], hiddenSize, dtype, this.generator) : null,
          bhh: this.bias ? initParam([g], hiddenSize, dtype, this.generator) : null,
        };
        self[`weight_ih${sfx}`] = w.wih;
        self[`weight_hh${sfx}`] = w.whh;
        if (w.bih && w.bhh) {
          self[`bias_ih${sfx}`] = w.bih;
          self[`bias_hh${sfx}`] = w.bhh;
        }
        dirs.push(w);
      }
      this.weights.push(dirs);
    }
  }

  /** 2 when bidirectional, else 1. */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The layer's name with its sizes, for error messages. */
  protected get label(): string {
    const name = this.mode === 'tanh' || this.mode === 'relu' ? 'RNN' : this.mode;
    return `${name}(inputSize=${this.inputSize}, hiddenSize=${this.hiddenSize})`;
  }

  /** Splits the user's initial state into [h0, c0] of shape [layers·dirs, N, H] (zeros when missing). */
  protected abstract initialState(hx: H | null | undefined, n: number, unbatched: boolean, dtype: DType): [Tensor, Tensor | null];
  /** Packs the final states the way the user receives them. */
  protected abstract finalState(h: Tensor, c: Tensor | null): H;

  /** Checks a state tensor's shape [layers·dirs, N, H] (or [layers·dirs, H] unbatched). */
  protected checkState(t: Tensor, n: number, unbatched: boolean, what: string): Tensor {
    const want = unbatched ? [this.numLayers * this.directions, this.hiddenSize] : [this.numLayers * this.directions, n, this.hiddenSize];
    if (!(t instanceof Tensor) || t.ndim !== want.length || t.shape.some((d, i) => d !== want[i])) {
      throw new RangeError(`${this.label}: expected ${what} of shape ${fmtShape(want)} (layers·directions, batch, hidden), got ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
    }
    return unbatched ? t.unsqueeze(1) : t;
  }

  /**
   * Runs the sequence: input [L, batch, inputSize] ([batch, L, inputSize] with batchFirst, [L, inputSize]
   * unbatched). Returns [output [L, batch, directions·hiddenSize], final state]; the state is
   * h [layers·directions, batch, hiddenSize] (LSTM: [h, c]).
   */
  override forward(input: Tensor, hx?: H | null, options: RNNForwardOptions = {}): [Tensor, H] {
    // for ONNX export: a batched layer without lengths is one ONNX LSTM / GRU / RNN node per layer
    // (inputs: the input, then h0 and c0 when given; outputs flattened: output, h, c)
    if (input instanceof Tensor && input.ndim === 3 && options.lengths == null) {
      const states = (hx == null ? [] : hx instanceof Tensor ? [hx] : (hx as unknown as Tensor[])).filter((t) => t instanceof Tensor);
      const elman = this.mode === 'tanh' || this.mode === 'relu';
      const attrs = { module: this, hasH0: states.length > 0, hasC0: states.length > 1, ...(elman ? { nonlinearity: this.mode } : {}) };
      return traceComposite(elman ? 'rnn' : this.mode.toLowerCase(), attrs, [input, ...states], () => this.run(input, hx, options));
    }
    return this.run(input, hx, options);
  }

  /** The forward pass proper (see forward). */
  private run(input: Tensor, hx: H | null | undefined, options: RNNForwardOptions): [Tensor, H] {
    if (!(input instanceof Tensor) || (input.ndim !== 2 && input.ndim !== 3) || input.shape[input.ndim - 1] !== this.inputSize) {
      const layout = this.batchFirst ? '[batch, L, inputSize]' : '[L, batch, inputSize]';
      throw new RangeError(`${this.label}: expected input ${layout} or [L, inputSize] with inputSize ${this.inputSize}, got ${input instanceof Tensor ? fmtShape(input.shape) : typeof input}`);
    }
    const unbatched = input.ndim === 2;
    const x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    const [len, n] = x.shape;
    if (len === 0) throw new RangeError(`${this.label}: sequences of length 0 cannot be run, got input ${fmtShape(input.shape)}`);
    const masks = stepMasks(options.lengths, len, n, input, this.label);
    const [h0, c0] = this.initialState(hx, n, unbatched, x.dtype);
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let layerInput = x;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < this.directions; d++) {
        const k = layer * this.directions + d;
        const [out, h, c] = runDirection(this.mode, this.hiddenSize, layerInput, h0.slice(0, k, k + 1).squeeze(0), c0 ? c0.slice(0, k, k + 1).squeeze(0) : null, this.weights[layer][d], d === 1, masks);
        outs.push(out);
        hs.push(h);
        if (c) cs.push(c);
      }
      layerInput = outs.length === 1 ? outs[0] : concat(outs, -1);
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) layerInput = dropout(layerInput, this.dropout, { generator: this.generator });
    }
    let output = layerInput;
    let h = stack(hs, 0);
    let c = cs.length ? stack(cs, 0) : null;
    if (unbatched) {
      output = output.squeeze(1);
      h = h.squeeze(1);
      c = c ? c.squeeze(1) : null;
    } else if (this.batchFirst) output = output.transpose(0, 1);
    return [output, this.finalState(h, c)];
  }

  override extraRepr(): string {
    const extras = [
      this.numLayers !== 1 ? `numLayers=${this.numLayers}` : '', !this.bias ? 'bias=false' : '', this.batchFirst ? 'batchFirst=true' : '',
      this.dropout ? `dropout=${this.dropout}` : '', this.bidirectional ? 'bidirectional=true' : '',
    ].filter(Boolean);
    return [`${this.inputSize}, ${this.hiddenSize}`, ...extras].join(', ');
  }
}

/** What {@link recurrentLayer} runs: the recurrence, the state size and the weights of each direction. */
export interface RecurrentLayerSpec {
  /** 'RNN' (tanh), 'LSTM' or 'GRU' (PyTorch's equations and gate orders). */
  kind: 'RNN' | 'LSTM' | 'GRU';
  /** Features of the state. */
  hiddenSize: number;
  /** One entry per direction: the forward one, then (bidirectional) the backward one. */
  weights: readonly RecurrentWeights[];
  /** Names the layer in errors. */
  label: string;
}

/**
 * One batch-first recurrent layer over weights the caller owns (the Keras layers, whose weights have Keras's
 * layout and one bias, pass views of them). input [N, L, F]; h0 and c0 [directions, N, H] or null (zeros);
 * returns [output [N, L, directions·H], h [directions, N, H], c (LSTM) or null]. With `lengths` each row
 * stops at its own length as in {@link RNN}; without, the call is traced as one ONNX LSTM / GRU / RNN node.
 */
export function recurrentLayer(spec: RecurrentLayerSpec, input: Tensor, h0: Tensor | null, c0: Tensor | null, lengths?: readonly number[] | null): [Tensor, Tensor, Tensor | null] {
  const mode: Mode = spec.kind === 'RNN' ? 'tanh' : spec.kind;
  const hs = spec.hiddenSize;
  const dirs = spec.weights.length;
  const run = (): Tensor[] => {
    const x = input.transpose(0, 1);
    const [len, n] = x.shape;
    if (len === 0) throw new RangeError(`${spec.label}: sequences of length 0 cannot be run, got input ${fmtShape(input.shape)}`);
    const masks = stepMasks(lengths, len, n, input, spec.label);
    const zeros = () => new Tensor(NDArray.zeros([dirs, n, hs], x.dtype));
    const h0s = h0 ?? zeros();
    const c0s = mode === 'LSTM' ? (c0 ?? zeros()) : null;
    const outs: Tensor[] = [];
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    spec.weights.forEach((w, d) => {
      const [out, h, c] = runDirection(mode, hs, x, h0s.slice(0, d, d + 1).squeeze(0), c0s ? c0s.slice(0, d, d + 1).squeeze(0) : null, w, d === 1, masks);
      outs.push(out);
      hN.push(h);
      if (c) cN.push(c);
    });
    const output = (outs.length === 1 ? outs[0] : concat(outs, -1)).transpose(0, 1);
    return cN.length ? [output, stack(hN, 0), stack(cN, 0)] : [output, stack(hN, 0)];
  };
  if (lengths != null) {
    const [o, h, c] = run();
    return [o, h, c ?? null];
  }
  // for ONNX export: the module the emitter reads (src/onnx/modules.ts), with PyTorch's names; a missing
  // recurrent bias is zeros there (ONNX's B input is [Wb, Rb])
  const anyBias = spec.weights.some((w) => w.bih !== null || w.bhh !== null);
  const module: Record<string, unknown> = { hiddenSize: hs, numLayers: 1, bidirectional: dirs === 2, batchFirst: true, bias: anyBias };
  spec.weights.forEach((w, d) => {
    const sfx = d === 1 ? '_l0_reverse' : '_l0';
    const zero = () => new Tensor(NDArray.zeros([w.wih.shape[0]], w.wih.dtype));
    module[`weight_ih${sfx}`] = w.wih;
    module[`weight_hh${sfx}`] = w.whh;
    module[`bias_ih${sfx}`] = w.bih ?? zero();
    module[`bias_hh${sfx}`] = w.bhh ?? zero();
  });
  const states = [h0, c0].filter((t): t is Tensor => t !== null);
  const attrs = { module, hasH0: h0 !== null, hasC0: c0 !== null, ...(mode === 'tanh' ? { nonlinearity: 'tanh' } : {}) };
  const [o, h, c] = traceComposite(spec.kind === 'RNN' ? 'rnn' : spec.kind.toLowerCase(), attrs, [input, ...states], run);
  return [o, h, c ?? null];
}

/** h [layers·directions, batch, hidden]: the state of {@link RNN} and {@link GRU}. */
abstract class HiddenOnly extends RecurrentBase<Tensor> {
  protected initialState(hx: Tensor | null | undefined, n: number, unbatched: boolean, dtype: DType): [Tensor, null] {
    if (hx == null) return [new Tensor(NDArray.zeros([this.numLayers * this.directions, n, this.hiddenSize], dtype)), null];
    return [this.checkState(hx, n, unbatched, 'h0'), null];
  }
  protected finalState(h: Tensor): Tensor {
    return h;
  }
}

/**
 * An Elman RNN (nn.RNN): h_t = tanh(x_t·W_ihᵀ + b_ih + h_(t−1)·W_hhᵀ + b_hh) per layer (or ReLU).
 * `forward(input, h0?, { lengths? })` returns [output, hN].
 * @example
 * ```ts
 * const rnn = new tg.nn.RNN(3, 5, { numLayers: 2, batchFirst: true });
 * const [out, hN] = rnn.call(tg.randn([4, 7, 3])); // out [4, 7, 5], hN [2, 4, 5]
 * ```
 */
export class RNN extends HiddenOnly {
  constructor(inputSize: number, hiddenSize: number, options: ElmanRNNOptions = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RangeError(`RNN: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    super(nl, inputSize, hiddenSize, options);
  }
}

/**
 * A gated recurrent unit (nn.GRU), PyTorch's gate order r, z, n:
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 − z)·n + z·h.
 * `forward(input, h0?, { lengths? })` returns [output, hN].
 * @example
 * ```ts
 * const gru = new tg.nn.GRU(3, 5, { bidirectional: true });
 * const [out, hN] = gru.call(tg.randn([7, 4, 3])); // out [7, 4, 10], hN [2, 4, 5]
 * ```
 */
export class GRU extends HiddenOnly {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('GRU', inputSize, hiddenSize, options);
  }
}

/** The LSTM state: [h, c], each [layers·directions, batch, hidden]. */
export type LSTMState = [h: Tensor, c: Tensor];

/**
 * Long short-term memory (nn.LSTM), PyTorch's gate order i, f, g, o:
 * c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'), with [i, f, g, o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh.
 * `forward(input, [h0, c0]?, { lengths? })` returns [output, [hN, cN]].
 * @example
 * ```ts
 * const lstm = new tg.nn.LSTM(3, 5, { batchFirst: true });
 * const [out, [hN, cN]] = lstm.call(tg.randn([4, 7, 3])); // out [4, 7, 5], hN and cN [1, 4, 5]
 * ```
 */
export class LSTM extends RecurrentBase<LSTMState> {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options);
  }
  protected initialState(hx: LSTMState | null | undefined, n: number, unbatched: boolean, dtype: DType): [Tensor, Tensor] {
    if (hx == null) {
      const z = () => new Tensor(NDArray.zeros([this.numLayers * this.directions, n, this.hiddenSize], dtype));
      return [z(), z()];
    }
    if (!Array.isArray(hx) || hx.length !== 2) throw new TypeError(`${this.label}: the initial state must be [h0, c0]`);
    return [this.checkState(hx[0], n, unbatched, 'h0'), this.checkState(hx[1], n, unbatched, 'c0')];
  }
  protected finalState(h: Tensor, c: Tensor | null): LSTMState {
    return [h, c as Tensor];
  }
}

// ---- cells -----------------------------------------------------------------------------------

/** Options for the cells. */
export interface CellOptions {
  /** Learn b_ih and b_hh (default true). */
  bias?: boolean;
  /** Dtype of the parameters (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights (default: the global defaultGenerator). */
  generator?: Generator;
}

/** The base of the cells: weight_ih, weight_hh, bias_ih, bias_hh, and one step. */
abstract class CellBase<H> extends Module<[Tensor, (H | null)?], H> {
  /** Input weights [G·hidden, inputSize]. */
  weight_ih: Parameter;
  /** Recurrent weights [G·hidden, hidden]. */
  weight_hh: Parameter;
  /** Input bias [G·hidden], or null. */
  bias_ih: Parameter | null = null;
  /** Recurrent bias [G·hidden], or null. */
  bias_hh: Parameter | null = null;
  /** Features per input. */
  readonly inputSize: number;
  /** Features of the state. */
  readonly hiddenSize: number;
  /** The recurrence. */
  protected readonly mode: Mode;

  constructor(mode: Mode, inputSize: number, hiddenSize: number, options: CellOptions, name: string) {
    super();
    this.mode = mode;
    this.inputSize = checkPositiveInt(inputSize, `${name}: inputSize`);
    this.hiddenSize = checkPositiveInt(hiddenSize, `${name}: hiddenSize`);
    const dtype = assertDType(options.dtype ?? 'float32', name);
    const gen = options.generator ?? defaultGenerator;
    const g = GATES[mode] * hiddenSize;
    this.weight_ih = initParam([g, inputSize], hiddenSize, dtype, gen);
    this.weight_hh = initParam([g, hiddenSize], hiddenSize, dtype, gen);
    if (options.bias ?? true) {
      this.bias_ih = initParam([g], hiddenSize, dtype, gen);
      this.bias_hh = initParam([g], hiddenSize, dtype, gen);
    }
  }

  /** Checks the input [N, inputSize] (or [inputSize]) and returns it batched, plus whether it was unbatched. */
  protected batched(input: Tensor): [Tensor, boolean] {
    if (!(input instanceof Tensor) || (input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RangeError(`${this.constructor.name}(${this.inputSize}, ${this.hiddenSize}): expected input [batch, ${this.inputSize}] or [${this.inputSize}], got ${input instanceof Tensor ? fmtShape(input.shape) : typeof input}`);
    }
    return input.ndim === 1 ? [input.unsqueeze(0), true] : [input, false];
  }

  /** A state given by the user, batched, or zeros. */
  protected state(t: Tensor | undefined, n: number, unbatched: boolean, dtype: DType, what: string): Tensor {
    if (t == null) return new Tensor(NDArray.zeros([n, this.hiddenSize], dtype));
    const want = unbatched ? [this.hiddenSize] : [n, this.hiddenSize];
    if (t.ndim !== want.length || t.shape.some((d, i) => d !== want[i])) {
      throw new RangeError(`${this.constructor.name}(${this.inputSize}, ${this.hiddenSize}): expected ${what} of shape ${fmtShape(want)}, got ${fmtShape(t.shape)}`);
    }
    return unbatched ? t.unsqueeze(0) : t;
  }

  /** One step on batched tensors. */
  protected run(x: Tensor, h: Tensor, c: Tensor | null): [Tensor, Tensor | null] {
    const w: Weights = { wih: this.weight_ih, whh: this.weight_hh, bih: this.bias_ih, bhh: this.bias_hh };
    return step(this.mode, linear(x, w.wih, w.bih), h, c, w, this.hiddenSize);
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? '' : ', bias=false'}`;
  }
}

/**
 * One step of an Elman RNN (nn.RNNCell): h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU).
 * @example
 * ```ts
 * const cell = new tg.nn.RNNCell(3, 4);
 * let h = cell.call(tg.randn([2, 3]));   // [2, 4]
 * h = cell.call(tg.randn([2, 3]), h);
 * ```
 */
export class RNNCell extends CellBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new RangeError(`RNNCell: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    super(nl, inputSize, hiddenSize, options, 'RNNCell');
  }
  /** h' from input [N, inputSize] and h [N, hidden] (zeros when omitted). */
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, unbatched] = this.batched(input);
    const [h] = this.run(x, this.state(hx ?? undefined, x.shape[0], unbatched, x.dtype, 'hx'), null);
    return unbatched ? h.squeeze(0) : h;
  }
}

/**
 * One GRU step (nn.GRUCell), gate order r, z, n as {@link GRU}.
 * @example
 * ```ts
 * const h = new tg.nn.GRUCell(3, 4).call(tg.randn([2, 3])); // [2, 4]
 * ```
 */
export class GRUCell extends CellBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('GRU', inputSize, hiddenSize, options, 'GRUCell');
  }
  /** h' from input [N, inputSize] and h [N, hidden] (zeros when omitted). */
  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, unbatched] = this.batched(input);
    const [h] = this.run(x, this.state(hx ?? undefined, x.shape[0], unbatched, x.dtype, 'hx'), null);
    return unbatched ? h.squeeze(0) : h;
  }
}

/**
 * One LSTM step (nn.LSTMCell), gate order i, f, g, o as {@link LSTM}; returns [h', c'].
 * @example
 * ```ts
 * const cell = new tg.nn.LSTMCell(3, 4);
 * const [h, c] = cell.call(tg.randn([2, 3])); // each [2, 4]
 * ```
 */
export class LSTMCell extends CellBase<LSTMState> {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options, 'LSTMCell');
  }
  /** [h', c'] from input [N, inputSize] and [h, c] (zeros when omitted). */
  override forward(input: Tensor, hx?: LSTMState | null): LSTMState {
    const [x, unbatched] = this.batched(input);
    const n = x.shape[0];
    const h0 = this.state(hx?.[0], n, unbatched, x.dtype, 'h');
    const c0 = this.state(hx?.[1], n, unbatched, x.dtype, 'c');
    const [h, c] = this.run(x, h0, c0) as [Tensor, Tensor];
    return unbatched ? [h.squeeze(0), c.squeeze(0)] : [h, c];
  }
}

/**
 * Pads a list of sequences [len_i, ...] to one tensor [maxLen, count, ...] ([count, maxLen, ...] with batchFirst),
 * as torch.nn.utils.rnn.pad_sequence; pair it with the recurrent layers' `lengths` option.
 * @example
 * ```ts
 * const batch = tg.nn.padSequence([tg.ones([3, 2]), tg.ones([1, 2])], { batchFirst: true }); // [2, 3, 2]
 * ```
 */
export function padSequence(sequences: readonly Tensor[], options: { batchFirst?: boolean; paddingValue?: number } = {}): Tensor {
  if (sequences.length === 0) throw new RangeError('padSequence: expected at least one sequence');
  const rest = sequences[0].shape.slice(1);
  const maxLen = Math.max(...sequences.map((s) => s.shape[0]));
  const padded = sequences.map((s, i) => {
    if (s.ndim < 1 || s.shape.slice(1).some((d, j) => d !== rest[j]) || s.ndim - 1 !== rest.length) {
      throw new RangeError(`padSequence: sequence ${i} has shape ${fmtShape(s.shape)}, expected [len, ${rest.join(', ')}]`);
    }
    if (s.shape[0] === maxLen) return s;
    const fill = new Tensor(NDArray.zeros([maxLen - s.shape[0], ...rest], s.dtype)).add(options.paddingValue ?? 0);
    return concat([s, fill], 0);
  });
  return stack(padded, options.batchFirst ? 0 : 1);
}
