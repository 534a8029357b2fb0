// Keras' Bidirectional wrapper: one recurrent layer (simpleRNN, lstm or gru) run forwards and backwards over
// the sequence, the two outputs merged (concat, sum, mul or ave). Each direction has the wrapped layer's
// weights (kernel, recurrent_kernel, bias; the backward ones end in _reverse), run by tg.nn's
// recurrence, and a mask stops both directions at each row's last real step, as a packed sequence in PyTorch.

import { concat, stack } from '../autograd/functions.js';
import { Tensor } from '../autograd/tensor.js';
import type { Parameter } from '../nn/module.js';
import { recurrentLayer } from '../nn/rnn.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { Layer, type LayerArgs, type LayerOptions, type SchemaFor, type WeightSpec } from './layer.js';
import { ConfigError, type Field, field, LAYER_FIELDS, show } from './schema.js';
import { GRU, lengthsOf, LSTM, makeRecurrentWeights, maskOf, Recurrent, type RecurrentArgs, type RecurrentCallArgs, type RecurrentKind, recurrentWeightSpecs, type ReturnsState, recurrentWeightsOf, SimpleRNN, STATES, withMask } from './sequence-layers.js';
import { SymbolicTensor } from './symbolic.js';

/** How the forward and backward outputs are joined: concatenated on the feature axis (default), or elementwise. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

/** Arguments of {@link bidirectional}. */
export interface BidirectionalArgs extends LayerArgs {
  /**
   * The recurrent layer to run both ways: tg.layers.simpleRNN / lstm / gru (not built, goBackwards false). A saved
   * config holds it as { className, config }. Its returnSequences and returnState apply to both directions.
   */
  layer: Recurrent | { className: RecurrentKind; config: RecurrentArgs };
  /** 'concat' (default: 2·units features), 'sum', 'mul' or 'ave' (units features). */
  mergeMode?: MergeMode;
  /** Source of the initial weights (default: the wrapped layer's generator, else the global defaultGenerator). */
  generator?: Generator;
}

/** The wrapped layer as saved: its class name and checked config (construction-only fields left out). */
interface WrappedConfig {
  className: RecurrentKind;
  config: Record<string, unknown>;
}

const RECURRENT_CLASSES = { SimpleRNN, LSTM, GRU } as const;

/** The `layer` field: a recurrent layer instance (in code) or { className, config } (in code or a file). */
const wrappedField = (): Field<{ saved: WrappedConfig; layer: Recurrent }> => ({
  saved: true,
  parse: (v, ctx) => {
    const bad = (msg: string): never => { throw new ConfigError('BAD_VALUE', `${ctx.where}: layer ${msg}`); };
    let layer: Recurrent;
    if (v === undefined) throw new ConfigError('MISSING_FIELD', `${ctx.where}: layer is required, e.g. { layer: tg.layers.lstm({ units: 16 }) }`);
    if (v instanceof Recurrent) {
      layer = v;
    } else if (v instanceof Layer) {
      return bad(`must be tg.layers.simpleRNN / lstm / gru or { className, config }, got ${v.describe()}`);
    } else {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`must be tg.layers.simpleRNN / lstm / gru or { className, config }, got ${show(v)}`);
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) if (k !== 'className' && k !== 'config') bad(`has an unknown field ${show(k)} (fields: className, config)`);
      const name = o.className;
      if (typeof name !== 'string' || !Object.hasOwn(RECURRENT_CLASSES, name)) bad(`className must be 'SimpleRNN', 'LSTM' or 'GRU', got ${show(name)}`);
      const cls = RECURRENT_CLASSES[name as RecurrentKind];
      layer = new cls(o.config as RecurrentArgs, { limits: ctx.limits, source: 'file', where: `${ctx.where}: layer (${(name as string).toLowerCase()})` });
    }
    if (layer.built) bad(`${layer.describe()} is already built; wrap a new layer`);
    if (layer.config.goBackwards) bad(`${layer.describe()} has goBackwards: true; bidirectional runs it both ways itself`);
    return { saved: { className: layer.className, config: layer.getConfig() }, layer };
  },
});

const BIDIRECTIONAL_FIELDS = {
  ...LAYER_FIELDS,
  layer: wrappedField(),
  mergeMode: field.choice(['concat', 'sum', 'mul', 'ave'] as const, 'concat'),
  generator: field.generator(true),
} satisfies SchemaFor<BidirectionalArgs>;

/**
 * A recurrent layer run over the sequence in both directions, the outputs merged (Keras' Bidirectional). With
 * returnSequences the backward outputs are put back in time order before merging, as Keras does. Its weights
 * are the wrapped layer's twice (Keras' count): kernel, recurrent_kernel, bias for the forward direction and
 * kernel_reverse, ... for the backward one.
 * With returnState, `apply` returns [output, ...forward states, ...backward states], as Keras does.
 */
export class Bidirectional extends Layer<typeof BIDIRECTIONAL_FIELDS> {
  /** The Keras class name, as saved in model.json. */
  readonly className = 'Bidirectional';
  #weights: Parameter[][] = [];

  constructor(args: BidirectionalArgs, options: LayerOptions = {}) {
    super(BIDIRECTIONAL_FIELDS, args, 'bidirectional', '{ layer: tg.layers.lstm({ units: 16 }) }', options);
  }

  /** The wrapped layer's config (units, returnSequences, returnState, dtype). */
  private get inner(): Recurrent['config'] {
    return this.config.layer.layer.config;
  }

  /** The wrapped layer's class name. */
  private get kind(): RecurrentKind {
    return this.config.layer.layer.className;
  }

  override getConfig(): Record<string, unknown> {
    const out = super.getConfig();
    out.layer = this.config.layer.saved;
    return out;
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 2) throw new RangeError(`${this.describe()}: expects inputs [batch, steps, features], got rows of shape ${fmtShape(inputShape)}`);
    const f = this.config.mergeMode === 'concat' ? 2 * this.inner.units : this.inner.units;
    return this.inner.returnSequences ? [inputShape[0], f] : [f];
  }

  override weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const { units, dtype, useBias } = this.inner;
    return ['', '_reverse'].flatMap((sfx) => recurrentWeightSpecs(this.kind, inputShape[1], units, useBias, dtype, sfx));
  }

  protected override allocate(inputShape: readonly number[]): void {
    const generator = this.config.generator ?? this.inner.generator ?? defaultGenerator;
    this.#weights = [0, 1].map(() => makeRecurrentWeights(this.kind, inputShape[1], this.inner, generator, this.describe()));
  }

  override namedOwnParameters(): [string, Parameter][] {
    if (this.#weights.length === 0) return [];
    const specs = this.weightSpecs([0, this.#weights[0][0].shape[0]]);
    return this.#weights.flat().map((p, i) => [specs[i].name, p]);
  }

  /** Two states per direction for an LSTM, else one. */
  private get stateCount(): number {
    return STATES[this.kind];
  }

  override get returnsList(): boolean {
    return this.inner.returnState;
  }

  /** The output and, with returnState, the forward then the backward states ([units] each). */
  override outputShapesFor(inputShapes: readonly (readonly number[])[]): number[][] {
    this.checkStateShapes(inputShapes);
    const out = this.computeOutputShape(inputShapes[0]);
    return this.inner.returnState ? [out, ...Array.from({ length: 2 * this.stateCount }, () => [this.inner.units])] : [out];
  }

  override forward(x: Tensor): Tensor {
    return this.callWithState(x)[0];
  }

  override callOn(inputs: readonly Tensor[]): Tensor | Tensor[] {
    const out = this.callWithState(inputs[0], inputs.length > 1 ? inputs.slice(1) : undefined);
    return this.inner.returnState ? out : out[0];
  }

  /** Takes the sequence and, optionally, the initial states: the forward ones, then the backward ones. */
  override get maxInputs(): number {
    return 1 + 2 * this.stateCount;
  }

  override buildFor(inputShapes: readonly (readonly number[])[]): number[] {
    this.checkStateShapes(inputShapes);
    return super.buildFor(inputShapes.slice(0, 1));
  }

  /** Refuses a wrong number of initial states, or states not [units] per row. */
  private checkStateShapes(inputShapes: readonly (readonly number[])[]): void {
    const states = inputShapes.slice(1);
    if (states.length === 0) return;
    const want = 2 * this.stateCount;
    const u = this.inner.units;
    if (states.length !== want) throw new RangeError(`${this.describe()}: initialState must be ${this.stateNames} (${want} tensors of shape [null,${u}]), got ${states.length}`);
    states.forEach((s, i) => {
      if (s.length !== 1 || s[0] !== u) throw new RangeError(`${this.describe()}: initialState[${i}] must have shape [null,${u}] (batch, units), got [null,${s.join(',')}]`);
    });
  }

  /** The initial states' order, for errors. */
  private get stateNames(): string {
    return this.stateCount === 2 ? '[hForward, cForward, hBackward, cBackward]' : '[hForward, hBackward]';
  }

  /**
   * Keras' call: on a tensor, the merged output ([output, ...forward states, ...backward states] when the wrapped
   * layer has returnState); on a symbolic tensor, the same as symbolic tensors for the functional API.
   * `initialState` gives the forward states, then the backward ones (tensors, or symbolic tensors).
   */
  override apply(x: Tensor, kwargs?: RecurrentCallArgs): Tensor;
  override apply(x: SymbolicTensor | SymbolicTensor[], kwargs?: RecurrentCallArgs): SymbolicTensor;
  override apply(x: Tensor | SymbolicTensor | SymbolicTensor[], kwargs: RecurrentCallArgs = {}): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    if (typeof kwargs !== 'object' || kwargs === null) throw new TypeError(`${this.describe()}: apply's second argument is { initialState }, got ${typeof kwargs}`);
    for (const k of Object.keys(kwargs)) if (k !== 'initialState') throw new RangeError(`${this.describe()}: apply takes { initialState }, got an unknown option ${JSON.stringify(k)}`);
    const init = kwargs.initialState;
    if (init !== undefined && !Array.isArray(init)) throw new TypeError(`${this.describe()}: initialState must be a list ${this.stateNames}, got ${typeof init}`);
    if (x instanceof Tensor) {
      if (init && !init.every((t) => t instanceof Tensor)) throw new TypeError(`${this.describe()}: on a tensor, initialState must be tensors too`);
      const out = this.callWithState(x, init as Tensor[] | undefined);
      return this.inner.returnState ? out : out[0];
    }
    if (init && !init.every((t) => t instanceof SymbolicTensor)) throw new TypeError(`${this.describe()}: on a symbolic tensor, initialState must be symbolic tensors too`);
    if (init && Array.isArray(x)) throw new TypeError(`${this.describe()}: give the initial states either in the list [x, ...states] or as { initialState }, not both`);
    return super.apply(init && init.length ? [x as SymbolicTensor, ...(init as SymbolicTensor[])] : x);
  }

  /**
   * Runs both directions and returns [output, ...forward states, ...backward states] as Keras' returnState does:
   * [output, hFwd, hBwd] (LSTM: [output, hFwd, cFwd, hBwd, cBwd]), each state [batch, units]. `initialState`
   * (optional) gives the starting states in that same order.
   */
  callWithState(x: Tensor, initialState?: readonly Tensor[]): Tensor[] {
    this.ensureBuilt(x);
    const mask = maskOf(x);
    const lengths = mask ? lengthsOf(mask, this.describe()) : undefined;
    const kind = this.kind;
    const spec = {
      kind: kind === 'SimpleRNN' ? 'RNN' as const : kind, hiddenSize: this.inner.units, label: this.describe(),
      weights: this.#weights.map((w) => recurrentWeightsOf(kind, w, this.inner.useBias)),
    };
    const [h0, c0] = this.initialStates(initialState, x);
    const [out, h, c] = recurrentLayer(spec, x, h0, c0, lengths); // out [batch, steps, 2·units]: forward then backward features
    const u = this.inner.units;
    // states [2, batch, units]: direction 0 forward, 1 backward
    const parts = c ? [h, c] : [h];
    const fwdStates = parts.map((s) => s.slice(0, 0, 1).squeeze(0));
    const bwdStates = parts.map((s) => s.slice(0, 1, 2).squeeze(0));
    let output: Tensor;
    if (this.inner.returnSequences) {
      output = withMask(this.merge(out.slice(2, 0, u), out.slice(2, u, 2 * u)), mask);
    } else {
      // Keras' last output of each direction: the forward state at the last real step, the backward one at step 0
      output = this.merge(fwdStates[0], bwdStates[0]);
    }
    return [output, ...fwdStates, ...bwdStates];
  }

  /** Checks the initial states (forward then backward, each [batch, units]) and stacks them as [2, batch, units]. */
  private initialStates(states: readonly Tensor[] | undefined, x: Tensor): [Tensor | null, Tensor | null] {
    if (states === undefined || states === null) return [null, null];
    const k = this.stateCount;
    const shape = [x.shape[0], this.inner.units];
    if (!Array.isArray(states) || states.length !== 2 * k) throw new RangeError(`${this.describe()}: initialState must be ${this.stateNames}, each of shape ${fmtShape(shape)}, got ${Array.isArray(states) ? states.length : typeof states}`);
    states.forEach((t, i) => {
      if (!(t instanceof Tensor) || t.ndim !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) {
        throw new RangeError(`${this.describe()}: initialState[${i}] must be ${fmtShape(shape)} (batch, units), got ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
      }
    });
    // [hF, cF, hB, cB]: h0 = [hF, hB], c0 = [cF, cB]
    const h0 = stack([states[0], states[k]], 0);
    return [h0, k === 2 ? stack([states[1], states[3]], 0) : null];
  }

  private merge(a: Tensor, b: Tensor): Tensor {
    switch (this.config.mergeMode) {
      case 'concat': return concat([a, b], -1);
      case 'sum': return a.add(b);
      case 'mul': return a.mul(b);
      case 'ave': return a.add(b).mul(0.5);
    }
  }
}

/**
 * Runs a recurrent layer forwards and backwards and merges the outputs (Keras' Bidirectional).
 * @example
 * ```ts
 * const model = tg.sequential([
 *   tg.layers.embedding({ inputDim: 50, outputDim: 8, maskZero: true, inputShape: [6] }),
 *   tg.layers.bidirectional({ layer: tg.layers.lstm({ units: 16 }), mergeMode: 'concat' }),
 *   tg.layers.dense({ units: 1, activation: 'sigmoid' }),
 * ]);
 * model.predict(tg.tensor([[3, 7, 9, 0, 0, 0]])).shape; // [1, 1]
 * // with returnState: [output, forward h, forward c, backward h, backward c], as Keras returns them
 * const [out, hF, cF, hB, cB] = tg.layers.bidirectional({ layer: tg.layers.lstm({ units: 4, returnState: true }) }).apply(tg.randn([2, 5, 3]));
 * ```
 */
export const bidirectional = <A extends BidirectionalArgs>(args: A): A['layer'] extends ReturnsState ? ReturnsState & Bidirectional : Bidirectional =>
  new Bidirectional(args) as A['layer'] extends ReturnsState ? ReturnsState & Bidirectional : Bidirectional;
