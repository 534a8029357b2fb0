// Keras' Bidirectional wrapper: one recurrent layer (simpleRNN, lstm or gru) run forwards and backwards over
// the sequence, the two outputs merged (concat, sum, mul or ave). Each direction has the wrapped layer's
// weights (lstm / simpleRNN: kernel, recurrent_kernel, bias; the backward ones end in _reverse), run by tg.nn's
// recurrence, and a mask stops both directions at each row's last real step, as a packed sequence in PyTorch.

import { concat } from '../autograd/functions.js';
import { Tensor } from '../autograd/tensor.js';
import type { Parameter } from '../nn/module.js';
import { recurrentLayer } from '../nn/rnn.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { Layer, type LayerArgs, type LayerOptions, type SchemaFor, type WeightSpec } from './layer.js';
import { ConfigError, type Field, field, LAYER_FIELDS, show } from './schema.js';
import { GRU, lengthsOf, LSTM, makeRecurrentWeights, maskOf, Recurrent, type RecurrentArgs, type RecurrentKind, recurrentWeightSpecs, type ReturnsState, recurrentWeightsOf, SimpleRNN, STATES, withMask } from './sequence-layers.js';
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
 * kernel_reverse, ... for the backward one (a GRU's keep PyTorch's names: weight_ih_l0, weight_ih_l0_reverse, ...).
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
    const { units, dtype, useBias } = this.inner;
    this.#weights = [0, 1].map(() => makeRecurrentWeights(this.kind, inputShape[1], units, useBias, dtype, generator));
  }

  override namedOwnParameters(): [string, Parameter][] {
    if (this.#weights.length === 0) return [];
    const specs = this.weightSpecs([0, this.#weights[0][0].shape[this.kind === 'GRU' ? 1 : 0]]);
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
    const out = this.computeOutputShape(inputShapes[0]);
    return this.inner.returnState ? [out, ...Array.from({ length: 2 * this.stateCount }, () => [this.inner.units])] : [out];
  }

  override forward(x: Tensor): Tensor {
    return this.callWithState(x)[0];
  }

  override callOn(inputs: readonly Tensor[]): Tensor | Tensor[] {
    const out = this.callWithState(inputs[0]);
    return this.inner.returnState ? out : out[0];
  }

  /**
   * Keras' call: on a tensor, the merged output ([output, ...forward states, ...backward states] when the wrapped
   * layer has returnState); on a symbolic tensor, the same as symbolic tensors for the functional API.
   */
  override apply(x: Tensor): Tensor;
  override apply(x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor;
  override apply(x: Tensor | SymbolicTensor | SymbolicTensor[]): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    if (x instanceof Tensor) {
      const out = this.callWithState(x);
      return this.inner.returnState ? out : out[0];
    }
    return super.apply(x);
  }

  /**
   * Runs both directions and returns [output, ...forward states, ...backward states] as Keras' returnState does:
   * [output, hFwd, hBwd] (LSTM: [output, hFwd, cFwd, hBwd, cBwd]), each state [batch, units].
   */
  callWithState(x: Tensor): Tensor[] {
    this.ensureBuilt(x);
    const mask = maskOf(x);
    const lengths = mask ? lengthsOf(mask, this.describe()) : undefined;
    const kind = this.kind;
    const spec = {
      kind: kind === 'SimpleRNN' ? 'RNN' as const : kind, hiddenSize: this.inner.units, label: this.describe(),
      weights: this.#weights.map((w) => recurrentWeightsOf(kind, w, this.inner.useBias)),
    };
    const [out, h, c] = recurrentLayer(spec, x, null, null, lengths); // out [batch, steps, 2·units]: forward then backward features
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
