// Keras-style sequence layers: embedding (maskZero), layerNormalization, globalAveragePooling1d, simpleRNN,
// lstm and gru (returnSequences, returnState, goBackwards). The maths lives in tg.nn; here: Keras names, configs, masks.
// A mask travels as Keras' does, attached to a layer's output tensor: embedding({ maskZero }) marks the
// padding steps, recurrent layers stop at each row's last real step and pooling averages the real ones.

import { concat, flip, stack } from '../autograd/functions.js';
import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import { Parameter } from '../nn/module.js';
import { type RecurrentWeights, recurrentLayer } from '../nn/rnn.js';
import { Embedding as NnEmbedding, LayerNorm } from '../nn/sequence-layers.js';
import type { DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { type InitializerName, INITIALIZERS } from './initializers.js';
import { Layer, type LayerArgs, type LayerOptions, type SchemaFor, type WeightSpec } from './layer.js';
import { field, LAYER_FIELDS } from './schema.js';
import { SymbolicTensor } from './symbolic.js';

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
   * Also return the final states, as Keras does: `apply(x)` gives [output, h] (LSTM: [output, h, c]), each state
   * [batch, units], on tensors and on symbolic tensors alike (default false). `call(x)` returns the output alone.
   */
  returnState?: boolean;
  /** Learn a bias (default true): LSTM and SimpleRNN have one, GRU two (input and recurrent), as Keras' layers. */
  useBias?: boolean;
  /** How the kernel (inputs to gates) starts (default 'glorotUniform', as Keras). */
  kernelInitializer?: InitializerName;
  /** How the recurrent kernel (state to gates) starts (default 'orthogonal', as Keras). */
  recurrentInitializer?: InitializerName;
  /** How the bias starts (default 'zeros', as Keras). */
  biasInitializer?: InitializerName;
  /** LSTM only: start the forget gate's bias at 1 (default true, as Keras; Jozefowicz et al. 2015). */
  unitForgetBias?: boolean;
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
  useBias: field.bool(true),
  kernelInitializer: field.initializer('glorotUniform'),
  recurrentInitializer: field.initializer('orthogonal'),
  biasInitializer: field.initializer('zeros'),
  unitForgetBias: field.bool(true),
  dtype: field.dtype(),
  generator: field.generator(true),
} satisfies SchemaFor<RecurrentArgs>;

/** The Keras class names of the recurrent layers. */
export type RecurrentKind = 'SimpleRNN' | 'LSTM' | 'GRU';
/** Gate blocks per recurrent kind: the weights are [gates·units, ...]. */
export const GATES: Record<RecurrentKind, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 };
/** The number of states per recurrent kind: [h] or, for LSTM, [h, c]. */
export const STATES: Record<RecurrentKind, number> = { SimpleRNN: 1, LSTM: 2, GRU: 1 };

/** Options of a recurrent layer's apply: Keras' call arguments. */
export interface RecurrentCallArgs {
  /** The starting states, [h] (LSTM: [h, c]), each [batch, units]: tensors, or symbolic tensors in the functional API. */
  initialState?: Tensor[] | SymbolicTensor[];
}

/**
 * The weights of one recurrent layer (one direction) as Keras lays them out: kernel [features, gates·units],
 * recurrent_kernel [units, gates·units] and a bias. LSTM (gates i, f, c, o, PyTorch's i, f, g, o) and
 * SimpleRNN have one bias [gates·units]; GRU (Keras' resetAfter, its default) has two, [2, 3·units]: the input
 * bias and the recurrent one, with gates in Keras' order z, r, h (PyTorch's is r, z, n).
 */
export function recurrentWeightSpecs(kind: RecurrentKind, features: number, units: number, useBias: boolean, dtype: DType, suffix = ''): WeightSpec[] {
  const g = GATES[kind] * units;
  return [
    { name: `kernel${suffix}`, shape: [features, g], dtype }, { name: `recurrent_kernel${suffix}`, shape: [units, g], dtype },
    ...(useBias ? [{ name: `bias${suffix}`, shape: kind === 'GRU' ? [2, g] : [g], dtype }] : []),
  ];
}

/**
 * Swaps the first two gate blocks of a GRU weight along `axis`: Keras' z, r, h ⇄ PyTorch's r, z, n (the
 * candidate block stays last). The swap is its own inverse, so it converts either way.
 */
export function swapGruGates(w: Tensor, axis: number): Tensor {
  const u = w.shape[axis] / 3;
  return concat([w.slice(axis, u, 2 * u), w.slice(axis, 0, u), w.slice(axis, 2 * u, 3 * u)], axis);
}

/**
 * Keras' weights (kernel, recurrent_kernel, bias, as {@link recurrentWeightSpecs} lays them out) from PyTorch's
 * W_ih [gates·units, features], W_hh, b_ih and b_hh (either bias null when there is none). LSTM and SimpleRNN
 * keep b_ih + b_hh as their one bias: the same function, since the two are only ever added.
 */
export function kerasFromTorch(kind: RecurrentKind, wih: Tensor, whh: Tensor, bih: Tensor | null, bhh: Tensor | null): Tensor[] {
  return noGrad(() => {
    const gru = kind === 'GRU';
    const t = (w: Tensor) => new Tensor((gru ? swapGruGates(w, 0) : w).t().contiguous().value.clone());
    const out = [t(wih), t(whh)];
    if (bih && bhh) out.push(gru ? stack([swapGruGates(bih, 0), swapGruGates(bhh, 0)], 0) : bih.add(bhh));
    return out;
  });
}

/** What {@link makeRecurrentWeights} reads of a recurrent layer's config. */
export interface RecurrentInit {
  units: number;
  useBias: boolean;
  dtype: DType;
  kernelInitializer: string;
  recurrentInitializer: string;
  biasInitializer: string;
  unitForgetBias: boolean;
}

/**
 * Makes one direction's weights (named and shaped as {@link recurrentWeightSpecs} lays them out) as Keras does:
 * the kernel, then the recurrent kernel, then the bias, each filled by its initializer (by default Glorot
 * uniform, orthogonal and zeros), and for an LSTM with `unitForgetBias` the forget gate's bias block set to 1.
 */
export function makeRecurrentWeights(kind: RecurrentKind, features: number, init: RecurrentInit, generator: Generator, where: string): Parameter[] {
  const { units, useBias, dtype } = init;
  const g = GATES[kind] * units;
  const fill = (name: string, shape: number[], fanIn: number, fanOut: number): Parameter => {
    const p = new Parameter(NDArray.zeros(shape, dtype));
    INITIALIZERS.get(name, where).value(p, fanIn, fanOut, generator);
    return p;
  };
  const out = [fill(init.kernelInitializer, [features, g], features, g), fill(init.recurrentInitializer, [units, g], units, g)];
  if (useBias) {
    const bias = kind === 'GRU' ? fill(init.biasInitializer, [2, g], 2, g) : fill(init.biasInitializer, [g], g, g);
    // Keras' gate order i, f, c, o: the forget gate is the second block of units
    if (kind === 'LSTM' && init.unitForgetBias) bias.value.data.fill(1, units, 2 * units);
    out.push(bias);
  }
  return out;
}

/**
 * One direction's weights as tg.nn's recurrence takes them (W_ih, W_hh, b_ih, b_hh in PyTorch's layout and gate
 * order), copied contiguous once per call: the per-step products then run as fast as nn.LSTM's.
 */
export function recurrentWeightsOf(kind: RecurrentKind, params: readonly Tensor[], useBias: boolean): RecurrentWeights {
  if (kind === 'GRU') {
    const [k, rk, b] = params;
    return {
      wih: swapGruGates(k, 1).t().contiguous(), whh: swapGruGates(rk, 1).t().contiguous(),
      bih: useBias ? swapGruGates(b.slice(0, 0, 1).squeeze(0), 0) : null, bhh: useBias ? swapGruGates(b.slice(0, 1, 2).squeeze(0), 0) : null,
    };
  }
  return { wih: params[0].t().contiguous(), whh: params[1].t().contiguous(), bih: useBias ? params[2] : null, bhh: null };
}

/**
 * The shared body of the Keras recurrent layers: Keras' weights (see {@link recurrentWeightSpecs}) run by
 * tg.nn's recurrence (batch first, PyTorch's equations), so the parameter counts are Keras': LSTM(32) on 16
 * features has 4·(32·(16+32) + 32) = 6,272.
 */
export abstract class Recurrent<K extends RecurrentKind = RecurrentKind> extends Layer<typeof RECURRENT_FIELDS> {
  abstract override readonly className: K;
  #weights: Parameter[] = [];

  protected constructor(args: RecurrentArgs, where: string, options: LayerOptions) {
    super(RECURRENT_FIELDS, args, where, '{ units: 32 }', options);
  }

  /** How many states the layer has: 1 ([h]) or, for LSTM, 2 ([h, c]). */
  get stateCount(): number {
    return STATES[this.className];
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 2) throw new RangeError(`${this.describe()}: expects inputs [batch, steps, features], got rows of shape ${fmtShape(inputShape)}`);
    return this.config.returnSequences ? [inputShape[0], this.config.units] : [this.config.units];
  }

  /** Takes the sequence and, optionally, the initial states (the functional API passes them as extra inputs). */
  override get maxInputs(): number {
    return 1 + this.stateCount;
  }

  /** The output and, with returnState, each state ([units]). */
  override outputShapesFor(inputShapes: readonly (readonly number[])[]): number[][] {
    this.checkStateShapes(inputShapes);
    const out = this.computeOutputShape(inputShapes[0]);
    return this.config.returnState ? [out, ...Array.from({ length: this.stateCount }, () => [this.config.units])] : [out];
  }

  override buildFor(inputShapes: readonly (readonly number[])[]): number[] {
    this.checkStateShapes(inputShapes);
    return super.buildFor(inputShapes.slice(0, 1));
  }

  override get returnsList(): boolean {
    return this.config.returnState;
  }

  /** Refuses a wrong number of initial states, or states not [units] per row. */
  private checkStateShapes(inputShapes: readonly (readonly number[])[]): void {
    const states = inputShapes.slice(1);
    if (states.length === 0) return;
    const want = this.stateCount;
    const names = want === 2 ? '[h, c]' : '[h]';
    if (states.length !== want) throw new RangeError(`${this.describe()}: initialState must be ${names} (${want} tensor${want > 1 ? 's' : ''} of shape [null,${this.config.units}]), got ${states.length}`);
    states.forEach((s, i) => {
      if (s.length !== 1 || s[0] !== this.config.units) throw new RangeError(`${this.describe()}: initialState[${i}] must have shape [null,${this.config.units}] (batch, units), got [null,${s.join(',')}]`);
    });
  }

  override weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const { dtype, units, useBias } = this.config;
    return recurrentWeightSpecs(this.className, inputShape[1], units, useBias, dtype);
  }

  protected override allocate(inputShape: readonly number[]): void {
    this.#weights = makeRecurrentWeights(this.className, inputShape[1], this.config, this.config.generator ?? defaultGenerator, this.describe());
  }

  override namedOwnParameters(): [string, Parameter][] {
    if (this.#weights.length === 0) return [];
    const specs = recurrentWeightSpecs(this.className, this.#weights[0].shape[0], this.config.units, this.config.useBias, this.config.dtype);
    return specs.map((s, i) => [s.name, this.#weights[i]]);
  }

  override forward(x: Tensor): Tensor {
    return this.callWithState(x)[0];
  }

  /** The functional model's executor: [x] or [x, ...initial states]; [output, ...states] with returnState. */
  override callOn(inputs: readonly Tensor[]): Tensor | Tensor[] {
    const out = this.callWithState(inputs[0], inputs.length > 1 ? inputs.slice(1) : undefined);
    return this.config.returnState ? out : out[0];
  }

  /**
   * Keras' call: on a tensor, the output ([output, ...states] with returnState); on a symbolic tensor, the same
   * as symbolic tensors for the functional API. `initialState` gives the starting states (tensors, or symbolic
   * tensors from other layers in the functional API, as Keras' `layer(x, initial_state=[h, c])`); Keras' other
   * form, `apply([x, h, c])`, works too on symbolic tensors.
   * @example
   * ```ts
   * const x = tg.input({ shape: [5, 3] });
   * const [seq, h, c] = tg.layers.lstm({ units: 8, returnSequences: true, returnState: true }).apply(x);
   * const y = tg.layers.lstm({ units: 8 }).apply(seq, { initialState: [h, c] });
   * ```
   */
  override apply(x: Tensor, kwargs?: RecurrentCallArgs): Tensor;
  override apply(x: SymbolicTensor | SymbolicTensor[], kwargs?: RecurrentCallArgs): SymbolicTensor;
  override apply(x: Tensor | SymbolicTensor | SymbolicTensor[], kwargs?: RecurrentCallArgs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  override apply(x: Tensor | SymbolicTensor | SymbolicTensor[], kwargs: RecurrentCallArgs = {}): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    if (typeof kwargs !== 'object' || kwargs === null) throw new TypeError(`${this.describe()}: apply's second argument is { initialState }, got ${typeof kwargs}`);
    for (const k of Object.keys(kwargs)) if (k !== 'initialState') throw new RangeError(`${this.describe()}: apply takes { initialState }, got an unknown option ${JSON.stringify(k)}`);
    const init = kwargs.initialState;
    if (init !== undefined && !Array.isArray(init)) throw new TypeError(`${this.describe()}: initialState must be a list of ${this.stateCount === 2 ? '[h, c]' : '[h]'}, got ${typeof init}`);
    if (x instanceof Tensor) {
      if (init && !init.every((t) => t instanceof Tensor)) throw new TypeError(`${this.describe()}: on a tensor, initialState must be tensors too`);
      const out = this.callWithState(x, init as Tensor[] | undefined);
      return this.config.returnState ? out : out[0];
    }
    if (Array.isArray(x)) {
      // Keras' other form, layer([x, h, c]): the sequence, then the initial states
      if (init) throw new TypeError(`${this.describe()}: give the initial states either in the list [x, ...states] or as { initialState }, not both`);
      return super.apply(x.length === 1 ? x[0] : x);
    }
    if (init && !init.every((t) => t instanceof SymbolicTensor)) throw new TypeError(`${this.describe()}: on a symbolic tensor, initialState must be symbolic tensors too (outputs of other layers or tg.input())`);
    return super.apply(init && init.length ? [x, ...(init as SymbolicTensor[])] : x);
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
    const mask = maskOf(x);
    if (mask && this.config.goBackwards) throw new RangeError(`${this.describe()}: goBackwards with a mask is not supported`);
    const lengths = mask ? lengthsOf(mask, this.describe()) : undefined;
    const input = this.config.goBackwards ? flip(x, [1]) : x;
    const [h0, c0] = this.initialState(initialState, x);
    const kind: RecurrentKind = this.className;
    const spec = {
      kind: kind === 'SimpleRNN' ? 'RNN' as const : kind, hiddenSize: this.config.units, label: this.describe(),
      weights: [recurrentWeightsOf(this.className, this.#weights, this.config.useBias)],
    };
    const [out, hN, cN] = recurrentLayer(spec, input, h0, c0, lengths);
    const h = hN.squeeze(0); // [1, batch, units] → [batch, units]
    const output = this.config.returnSequences ? withMask(out, mask) : h;
    return cN ? [output, h, cN.squeeze(0)] : [output, h];
  }

  /** Checks the initial states (Keras order, each [batch, units]) and shapes them as tg.nn takes them, [1, batch, units]. */
  private initialState(states: readonly Tensor[] | undefined, x: Tensor): [Tensor | null, Tensor | null] {
    if (states === undefined || states === null) return [null, null];
    const want = this.stateCount;
    const shape = [x.shape[0], this.config.units];
    if (!Array.isArray(states) || states.length !== want) {
      throw new RangeError(`${this.describe()}: initialState must be ${want === 2 ? '[h, c]' : '[h]'}, each of shape ${fmtShape(shape)}, got ${Array.isArray(states) ? `${states.length} tensor${states.length === 1 ? '' : 's'}` : typeof states}`);
    }
    states.forEach((t, i) => {
      if (!(t instanceof Tensor) || t.ndim !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
        throw new RangeError(`${this.describe()}: initialState[${i}] must be ${fmtShape(shape)} (batch, units), got ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
      }
    });
    const hs = states.map((t) => t.unsqueeze(0));
    return [hs[0], hs[1] ?? null];
  }
}

/** A fully connected RNN (Keras' SimpleRNN): h_t = tanh(x_t·kernel + h_(t−1)·recurrent_kernel + bias). */
export class SimpleRNN extends Recurrent<'SimpleRNN'> {
  /** The Keras class name, as saved in model.json. */
  readonly className = 'SimpleRNN';
  constructor(args: RecurrentArgs, options: LayerOptions = {}) {
    super(args, 'simpleRNN', options);
  }
}

/** Long short-term memory (Keras' LSTM: kernel, recurrent_kernel, bias; gate order i, f, c, o, the same equations as PyTorch's). */
export class LSTM extends Recurrent<'LSTM'> {
  /** The Keras class name, as saved in model.json. */
  readonly className = 'LSTM';
  constructor(args: RecurrentArgs, options: LayerOptions = {}) {
    super(args, 'lstm', options);
  }
}

/** A gated recurrent unit (Keras' GRU with resetAfter, its default: kernel, recurrent_kernel, bias [2, 3·units]; the same equations as PyTorch's GRU). */
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
/**
 * The type of a recurrent layer made with `returnState: true`: `apply` returns [output, ...states] (tensors on
 * tensors, symbolic tensors in the functional API), so `const [seq, h, c] = lstm.apply(x)` type-checks.
 */
export interface ReturnsState {
  /** [output, ...states] on a tensor. */
  apply(x: Tensor, kwargs?: RecurrentCallArgs): Tensor[];
  /** [output, ...states] as symbolic tensors. */
  apply(x: SymbolicTensor, kwargs?: RecurrentCallArgs): SymbolicTensor[];
}
/** `L`, with {@link ReturnsState}'s apply when the args say `returnState: true`. */
export type WithState<L, A> = A extends { returnState: true } ? ReturnsState & L : L;

/**
 * A simple RNN layer (Keras' SimpleRNN): kernel, recurrent_kernel and bias, units·(features + units) + units
 * parameters.
 */
export const simpleRNN = <A extends RecurrentArgs>(args: A): WithState<SimpleRNN, A> => new SimpleRNN(args) as WithState<SimpleRNN, A>;
/**
 * An LSTM layer (Keras' LSTM): the last output [batch, units], or every step's with returnSequences; with
 * returnState also its final [h, c]. 4·(units·(features + units) + units) parameters, as in Keras.
 * @example
 * ```ts
 * const model = tg.sequential([
 *   tg.layers.embedding({ inputDim: 50, outputDim: 8, maskZero: true, inputShape: [6] }),
 *   tg.layers.lstm({ units: 16 }),
 *   tg.layers.dense({ units: 3, activation: 'softmax' }),
 * ]);
 * ```
 */
export const lstm = <A extends RecurrentArgs>(args: A): WithState<LSTM, A> => new LSTM(args) as WithState<LSTM, A>;
/** A GRU layer (Keras' GRU, resetAfter form): 3·(units·(features + units) + 2·units) parameters. */
export const gru = <A extends RecurrentArgs>(args: A): WithState<GRU, A> => new GRU(args) as WithState<GRU, A>;
