// Keras-style sequence layers: embedding (maskZero), layerNormalization, globalAveragePooling1d, simpleRNN,
// lstm and gru (returnSequences, returnState, goBackwards). The maths lives in tg.nn; here: Keras names, configs, masks.
// A mask travels as Keras' does, attached to a layer's output tensor: embedding({ maskZero }) marks the
// padding steps, recurrent layers stop at each row's last real step and pooling averages the real ones.

import { flip } from '../autograd/functions.js';
import type { Tensor } from '../autograd/tensor.js';
import { Module, type Parameter } from '../nn/module.js';
import { GRU as NnGRU, LSTM as NnLSTM, RNN as NnRNN } from '../nn/rnn.js';
import { Embedding as NnEmbedding, LayerNorm } from '../nn/sequence-layers.js';
import type { DType } from '../tensor/dtype.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { type InitializerName, INITIALIZERS } from './initializers.js';
import { Layer, type LayerArgs, type LayerOptions, type SchemaFor, type WeightSpec } from './layer.js';
import { field, LAYER_FIELDS } from './schema.js';

// ---- masks -----------------------------------------------------------------------------------

/** Keras' `_keras_mask`: the [batch, steps] 0/1 mask (1 = real step) of a tensor a layer returned. */
const MASKS = new WeakMap<Tensor, Tensor>();

/** The mask attached to a layer's output (null when it has none). */
export function maskOf(x: Tensor): Tensor | null {
  return MASKS.get(x) ?? null;
}

/** Attaches a [batch, steps] mask to a layer's output (nothing when null); returns the output. */
export function withMask(x: Tensor, mask: Tensor | null): Tensor {
  if (mask) MASKS.set(x, mask);
  return x;
}

/** Each row's count of real steps, checking the mask is a prefix (right padding), as the recurrent layers need. */
export function lengthsOf(mask: Tensor, where: string): number[] {
  const [n, len] = mask.shape;
  const m = mask.value.values();
  const out: number[] = [];
  for (let b = 0; b < n; b++) {
    let l = 0;
    while (l < len && m[b * len + l] !== 0) l++;
    for (let t = l; t < len; t++) {
      if (m[b * len + t] !== 0) throw new RangeError(`${where}: row ${b} of the mask has padding before real steps; pad sequences at the end`);
    }
    if (l === 0) throw new RangeError(`${where}: row ${b} of the mask has no real step (a sequence of length 0)`);
    out.push(l);
  }
  return out;
}

// ---- embedding -------------------------------------------------------------------------------

/** Arguments of {@link embedding}. */
export interface EmbeddingArgs extends LayerArgs {
  /** Vocabulary size: ids are integers in [0, inputDim). */
  inputDim: number;
  /** Size of each vector. */
  outputDim: number;
  /** Id 0 is padding: the output carries a mask that later layers respect (default false). */
  maskZero?: boolean;
  /** Default 'randomUniform' (U(−0.05, 0.05), Keras'). */
  embeddingsInitializer?: InitializerName;
  /** Dtype of the table (default 'float32'). */
  dtype?: DType;
  /** Source of the initial table (default: the global defaultGenerator). */
  generator?: Generator;
}

const EMBEDDING_FIELDS = {
  ...LAYER_FIELDS,
  inputDim: field.units(),
  outputDim: field.units(),
  maskZero: field.bool(false),
  embeddingsInitializer: field.initializer('randomUniform'),
  dtype: field.dtype(),
  generator: field.generator(true),
} satisfies SchemaFor<EmbeddingArgs>;

/** Integer ids [batch, steps] → vectors [batch, steps, outputDim] (Keras' Embedding); weight [inputDim, outputDim]. */
export class Embedding extends Layer<typeof EMBEDDING_FIELDS> {
  readonly className = 'Embedding';
  #table: NnEmbedding | null = null;

  constructor(args: EmbeddingArgs, options: LayerOptions = {}) {
    super(EMBEDDING_FIELDS, args, 'embedding', '{ inputDim: 1000, outputDim: 16 }', options);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape, this.config.outputDim];
  }

  override weightSpecs(): WeightSpec[] {
    return [{ name: 'weight', shape: [this.config.inputDim, this.config.outputDim], dtype: this.config.dtype }];
  }

  protected override allocate(): void {
    const { inputDim, outputDim, dtype } = this.config;
    this.#table = new NnEmbedding(inputDim, outputDim, { dtype, generator: new Generator(0) });
    INITIALIZERS.get(this.config.embeddingsInitializer, 'embedding').value(this.#table.weight, inputDim, outputDim, this.config.generator ?? defaultGenerator);
  }

  override namedOwnParameters(): [string, Parameter][] {
    return this.#table ? [['weight', this.#table.weight]] : [];
  }

  override forward(ids: Tensor): Tensor {
    this.ensureBuilt(ids);
    const out = (this.#table as NnEmbedding).call(ids);
    return withMask(out, this.config.maskZero && ids.ndim === 2 ? ids.ne(0).detach() : null);
  }
}

// ---- layer normalization ---------------------------------------------------------------------

/** Arguments of {@link layerNormalization}. */
export interface LayerNormalizationArgs extends LayerArgs {
  /** Added to the variance (default 1e-3, Keras'). */
  epsilon?: number;
  /** Learn an offset, beta (default true). */
  center?: boolean;
  /** Learn a scale, gamma (default true). */
  scale?: boolean;
  /** Dtype of the weights (default 'float32'). */
  dtype?: DType;
}

const LAYER_NORM_FIELDS = {
  ...LAYER_FIELDS, epsilon: field.positive(1e-3), center: field.bool(true), scale: field.bool(true), dtype: field.dtype(),
} satisfies SchemaFor<LayerNormalizationArgs>;

/** Normalises each row over its last axis (Keras' LayerNormalization): weight (gamma) and bias (beta). */
export class LayerNormalization extends Layer<typeof LAYER_NORM_FIELDS> {
  readonly className = 'LayerNormalization';
  #norm: LayerNorm | null = null;

  constructor(args: LayerNormalizationArgs = {}, options: LayerOptions = {}) {
    super(LAYER_NORM_FIELDS, args, 'layerNormalization', '{ epsilon: 1e-3 }', options);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length === 0) throw new RangeError(`${this.describe()}: needs inputs with a feature axis`);
    return [...inputShape];
  }

  override weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const d = inputShape[inputShape.length - 1];
    const { dtype, scale, center } = this.config;
    return [...(scale ? [{ name: 'weight', shape: [d], dtype }] : []), ...(center ? [{ name: 'bias', shape: [d], dtype }] : [])];
  }

  protected override allocate(inputShape: readonly number[]): void {
    const norm = new LayerNorm(inputShape[inputShape.length - 1], { eps: this.config.epsilon, dtype: this.config.dtype });
    if (!this.config.scale) norm.weight = null;
    if (!this.config.center) norm.bias = null;
    this.#norm = norm;
  }

  override namedOwnParameters(): [string, Parameter][] {
    const n = this.#norm;
    if (!n) return [];
    return [...(n.weight ? [['weight', n.weight] as [string, Parameter]] : []), ...(n.bias ? [['bias', n.bias] as [string, Parameter]] : [])];
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    return withMask((this.#norm as LayerNorm).call(x), maskOf(x));
  }
}

// ---- pooling ---------------------------------------------------------------------------------

const POOL_FIELDS = { ...LAYER_FIELDS } satisfies SchemaFor<LayerArgs>;

/** The mean over the steps axis, [batch, steps, features] → [batch, features]; masked steps are left out. */
export class GlobalAveragePooling1D extends Layer<typeof POOL_FIELDS> {
  readonly className = 'GlobalAveragePooling1D';

  constructor(args: LayerArgs = {}, options: LayerOptions = {}) {
    super(POOL_FIELDS, args, 'globalAveragePooling1d', '{}', options);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 2) throw new RangeError(`${this.describe()}: expects inputs [batch, steps, features], got rows of shape ${fmtShape(inputShape)}`);
    return [inputShape[1]];
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    const mask = maskOf(x);
    if (!mask) return x.mean(1);
    const m = mask.to(x.dtype).unsqueeze(-1);
    return x.mul(m).sum(1).div(m.sum(1));
  }
}

// ---- recurrent layers ------------------------------------------------------------------------

/** Arguments of {@link simpleRNN}, {@link lstm} and {@link gru}. */
export interface RecurrentArgs extends LayerArgs {
  /** Size of the state and of each output step. */
  units: number;
  /** Return the output of every step, [batch, steps, units] (default false: the last one, [batch, units]). */
  returnSequences?: boolean;
  /** Read the sequence from the end; with returnSequences the outputs come in that reversed order (default false). */
  goBackwards?: boolean;
  /**
   * Also return the final states: {@link SimpleRNN.callWithState} gives [output, h] (LSTM: [output, h, c]), each
   * state [batch, units] (default false). `call(x)` returns the output alone either way.
   */
  returnState?: boolean;
  /** Dtype of the weights (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights (default: the global defaultGenerator). */
  generator?: Generator;
}

const RECURRENT_FIELDS = {
  ...LAYER_FIELDS,
  units: field.units(),
  returnSequences: field.bool(false),
  goBackwards: field.bool(false),
  returnState: field.bool(false),
  dtype: field.dtype(),
  generator: field.generator(true),
} satisfies SchemaFor<RecurrentArgs>;

/** The Keras class names of the recurrent layers. */
export type RecurrentKind = 'SimpleRNN' | 'LSTM' | 'GRU';
/** Gate blocks per recurrent kind: the weights are [gates·units, ...]. */
export const GATES: Record<RecurrentKind, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 };

/**
 * The shared body of the Keras recurrent layers, over tg.nn's RNN/LSTM/GRU (batch first). Weights keep
 * PyTorch's names and layout (weight_ih_l0 [gates·units, features], ...), gate orders and initialisation.
 */
export abstract class Recurrent<K extends RecurrentKind = RecurrentKind> extends Layer<typeof RECURRENT_FIELDS> {
  abstract override readonly className: K;
  #rnn: NnRNN | NnLSTM | NnGRU | null = null;

  protected constructor(args: RecurrentArgs, where: string, options: LayerOptions) {
    super(RECURRENT_FIELDS, args, where, '{ units: 32 }', options);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 2) throw new RangeError(`${this.describe()}: expects inputs [batch, steps, features], got rows of shape ${fmtShape(inputShape)}`);
    return this.config.returnSequences ? [inputShape[0], this.config.units] : [this.config.units];
  }

  override weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const g = GATES[this.className] * this.config.units;
    const { dtype, units } = this.config;
    return [
      { name: 'weight_ih_l0', shape: [g, inputShape[1]], dtype }, { name: 'weight_hh_l0', shape: [g, units], dtype },
      { name: 'bias_ih_l0', shape: [g], dtype }, { name: 'bias_hh_l0', shape: [g], dtype },
    ];
  }

  protected override allocate(inputShape: readonly number[]): void {
    const opts = { batchFirst: true, dtype: this.config.dtype, generator: this.config.generator ?? defaultGenerator };
    const f = inputShape[1];
    const u = this.config.units;
    this.#rnn = this.className === 'LSTM' ? new NnLSTM(f, u, opts) : this.className === 'GRU' ? new NnGRU(f, u, opts) : new NnRNN(f, u, opts);
  }

  override namedOwnParameters(): [string, Parameter][] {
    return this.#rnn ? this.#rnn.namedParameters() : [];
  }

  override forward(x: Tensor): Tensor {
    return this.callWithState(x)[0];
  }

  /**
   * Runs the layer and returns [output, ...final states] as Keras' `returnState` does: [output, h] for SimpleRNN
   * and GRU, [output, h, c] for LSTM, each state [batch, units] at each row's last real step. `initialState`
   * (optional) gives the starting states in that order, each [batch, units].
   * @example
   * ```ts
   * const enc = tg.layers.lstm({ units: 8, returnState: true });
   * const [out, h, c] = enc.callWithState(tg.randn([2, 5, 3])); // out [2, 8], h [2, 8], c [2, 8]
   * ```
   */
  callWithState(x: Tensor, initialState?: readonly Tensor[]): Tensor[] {
    this.ensureBuilt(x);
    const rnn = this.#rnn as Module<[Tensor, Tensor | [Tensor, Tensor] | null, { lengths?: number[] }], [Tensor, Tensor | [Tensor, Tensor]]>;
    const mask = maskOf(x);
    if (mask && this.config.goBackwards) throw new RangeError(`${this.describe()}: goBackwards with a mask is not supported`);
    const lengths = mask ? lengthsOf(mask, this.describe()) : undefined;
    const input = this.config.goBackwards ? flip(x, [1]) : x;
    const [out, state] = rnn.call(input, this.initialState(initialState, x), { lengths });
    const [h, c] = (Array.isArray(state) ? state : [state]).map((t) => t.squeeze(0)); // [1, batch, units] → [batch, units]
    const output = this.config.returnSequences ? withMask(out, mask) : h;
    return c ? [output, h, c] : [output, h];
  }

  /** Checks the initial states (Keras order, each [batch, units]) and shapes them as tg.nn takes them. */
  private initialState(states: readonly Tensor[] | undefined, x: Tensor): Tensor | [Tensor, Tensor] | null {
    if (states === undefined || states === null) return null;
    const want = this.className === 'LSTM' ? 2 : 1;
    const shape = [x.shape[0], this.config.units];
    if (!Array.isArray(states) || states.length !== want) {
      throw new RangeError(`${this.describe()}: initialState must be ${want === 2 ? '[h, c]' : '[h]'}, each of shape ${fmtShape(shape)}, got ${Array.isArray(states) ? `${states.length} tensors` : typeof states}`);
    }
    for (const t of states) {
      if (t.ndim !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
        throw new RangeError(`${this.describe()}: each initial state must be ${fmtShape(shape)} (batch, units), got ${fmtShape(t.shape)}`);
      }
    }
    const hs = states.map((t) => t.unsqueeze(0));
    return want === 2 ? [hs[0], hs[1]] : hs[0];
  }
}

/** A fully connected RNN (Keras' SimpleRNN): h_t = tanh(x_t·W_ihᵀ + b_ih + h_(t−1)·W_hhᵀ + b_hh). */
export class SimpleRNN extends Recurrent<'SimpleRNN'> {
  /** The Keras class name, as saved in model.json. */
  readonly className = 'SimpleRNN';
  constructor(args: RecurrentArgs, options: LayerOptions = {}) {
    super(args, 'simpleRNN', options);
  }
}

/** Long short-term memory (Keras' LSTM; PyTorch's equations, gate order i, f, g, o, and weights). */
export class LSTM extends Recurrent<'LSTM'> {
  /** The Keras class name, as saved in model.json. */
  readonly className = 'LSTM';
  constructor(args: RecurrentArgs, options: LayerOptions = {}) {
    super(args, 'lstm', options);
  }
}

/** A gated recurrent unit (Keras' GRU with resetAfter, which is PyTorch's GRU: gates r, z, n). */
export class GRU extends Recurrent<'GRU'> {
  /** The Keras class name, as saved in model.json. */
  readonly className = 'GRU';
  constructor(args: RecurrentArgs, options: LayerOptions = {}) {
    super(args, 'gru', options);
  }
}

// ---- factories (tg.layers.*) -----------------------------------------------------------------

/**
 * Integer ids → learned vectors (Keras' Embedding). With `maskZero`, id 0 is padding and later layers skip it.
 * @example
 * ```ts
 * const model = tg.sequential([
 *   tg.layers.embedding({ inputDim: 100, outputDim: 8, maskZero: true, inputShape: [5] }),
 *   tg.layers.globalAveragePooling1d(),
 *   tg.layers.dense({ units: 1, activation: 'sigmoid' }),
 * ]);
 * model.predict(tg.tensor([[4, 9, 0, 0, 0]])).shape; // [1, 1]
 * ```
 */
export const embedding = (args: EmbeddingArgs): Embedding => new Embedding(args);
/** Layer normalisation over the last axis (Keras' LayerNormalization). */
export const layerNormalization = (args: LayerNormalizationArgs = {}): LayerNormalization => new LayerNormalization(args);
/** The mean over steps, respecting a mask (Keras' GlobalAveragePooling1D). */
export const globalAveragePooling1d = (args: LayerArgs = {}): GlobalAveragePooling1D => new GlobalAveragePooling1D(args);
/** A simple RNN layer (Keras' SimpleRNN). */
export const simpleRNN = (args: RecurrentArgs): SimpleRNN => new SimpleRNN(args);
/**
 * An LSTM layer (Keras' LSTM): the last output [batch, units], or every step's with returnSequences.
 * @example
 * ```ts
 * const model = tg.sequential([
 *   tg.layers.embedding({ inputDim: 50, outputDim: 8, maskZero: true, inputShape: [6] }),
 *   tg.layers.lstm({ units: 16 }),
 *   tg.layers.dense({ units: 3, activation: 'softmax' }),
 * ]);
 * ```
 */
export const lstm = (args: RecurrentArgs): LSTM => new LSTM(args);
/** A GRU layer (Keras' GRU, resetAfter form). */
export const gru = (args: RecurrentArgs): GRU => new GRU(args);
