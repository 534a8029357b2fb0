// Keras' MultiHeadAttention layer: numHeads heads with their own key size (keyDim) and value size (valueDim),
// called as Keras calls it, with query, value and an optional key. Masks: an explicit attentionMask, a causal
// mask, and the padding masks that embedding({ maskZero }) attaches to the query and value. The maths is
// tg.nn's scaled dot-product attention; with keyDim = valueDim = E / numHeads it equals nn.MultiheadAttention.

import { Tensor } from '../autograd/tensor.js';
import { attentionWithWeights, causalMask } from '../nn/functional-sequence.js';
import { Linear } from '../nn/layers.js';
import type { DType } from '../tensor/dtype.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { type InitializerName, INITIALIZERS } from './initializers.js';
import { Layer, type LayerArgs, type LayerOptions, type SchemaFor, type WeightSpec } from './layer.js';
import { type Field, field, LAYER_FIELDS } from './schema.js';
import { maskOf, withMask } from './sequence-layers.js';

/** Arguments of {@link multiHeadAttention}. */
export interface MultiHeadAttentionArgs extends LayerArgs {
  /** Number of attention heads. */
  numHeads: number;
  /** Size of each head's queries and keys. */
  keyDim: number;
  /** Size of each head's values (default keyDim). */
  valueDim?: number;
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Learn biases for the four projections (default true). */
  useBias?: boolean;
  /** Features of the output (default: the query's feature size). */
  outputShape?: number;
  /**
   * Hide later keys from each query, as Keras' call argument use_causal_mask (default false). A config field here
   * so a saved model keeps it; {@link MultiHeadAttention.attend} also takes it per call.
   */
  useCausalMask?: boolean;
  /** Initializer of the projection kernels (default 'glorotUniform', Keras'). */
  kernelInitializer?: InitializerName;
  /** Dtype of the weights (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights and the dropout masks (default: the global defaultGenerator). */
  generator?: Generator;
}

/** An optional positive integer (outputShape, valueDim). */
const optionalUnits = (): Field<number | undefined> => {
  const units = field.units();
  return { saved: true, parse: (v, ctx) => (v === undefined || v === null ? undefined : units.parse(v, ctx)) };
};

const MHA_FIELDS = {
  ...LAYER_FIELDS,
  numHeads: field.units(),
  keyDim: field.units(),
  valueDim: optionalUnits(),
  dropout: field.number(0, (v) => v >= 0 && v < 1, 'a number in [0, 1)'),
  useBias: field.bool(true),
  outputShape: optionalUnits(),
  useCausalMask: field.bool(false),
  kernelInitializer: field.initializer('glorotUniform'),
  dtype: field.dtype(),
  generator: field.generator(true),
} satisfies SchemaFor<MultiHeadAttentionArgs>;

/** Options of {@link MultiHeadAttention.attend} (Keras' call arguments). */
export interface AttendOptions {
  /** The keys [batch, S, keyFeatures] (default: value). */
  key?: Tensor;
  /** [batch, L, S] (or [L, S]): 1/true where query i may attend to key j, 0 where not (Keras' attention_mask). */
  attentionMask?: Tensor | null;
  /** Hide later keys (combined with the other masks; default: the layer's useCausalMask). */
  useCausalMask?: boolean;
}

/**
 * Multi-head attention (Keras' MultiHeadAttention). Each head projects the query to keyDim features, the key to
 * keyDim and the value to valueDim; softmax(q·kᵀ/√keyDim) weights the values; the heads' outputs are joined and
 * projected to outputShape features. Weights: query.weight [numHeads·keyDim, E], key.weight, value.weight and
 * output.weight [outputShape, numHeads·valueDim], each with a bias (nn.Linear's layout); the parameter count
 * is Keras'. Inputs: apply([query, value]) or apply([query, value, key]) in the functional API, or
 * `call(query, value, key?)` / `attend(...)` on tensors. Masked positions get a score of −10⁹ before the
 * softmax, as Keras does, so a query row with every key masked attends uniformly rather than giving NaN.
 */
export class MultiHeadAttention extends Layer<typeof MHA_FIELDS> {
  /** The Keras class name, as saved in model.json. */
  readonly className = 'MultiHeadAttention';
  /** The query projection (null until built). */
  query: Linear | null = null;
  /** The key projection. */
  key: Linear | null = null;
  /** The value projection. */
  value: Linear | null = null;
  /** The output projection. */
  output: Linear | null = null;
  /** Each input's shape without the batch dim once built: [query, value, key]. */
  inputShapes: number[][] | null = null;

  constructor(args: MultiHeadAttentionArgs, options: LayerOptions = {}) {
    super(MHA_FIELDS, args, 'multiHeadAttention', '{ numHeads: 2, keyDim: 16 }', options);
  }

  override get minInputs(): number {
    return 2;
  }

  override get maxInputs(): number {
    return 3;
  }

  /** Size of each head's values. */
  get valueDim(): number {
    return this.config.valueDim ?? this.config.keyDim;
  }

  /** Checks [query, value, key?] row shapes ([steps, features] each) and returns them as [query, value, key]. */
  private checkShapes(shapes: readonly (readonly number[])[]): [number[], number[], number[]] {
    const all = shapes.map((s) => fmtShape(s)).join(', ');
    if (shapes.length < 2 || shapes.length > 3) {
      throw new RangeError(`${this.describe()}: takes [query, value] or [query, value, key], got ${shapes.length} input(s) ${all}`);
    }
    const [q, v, k = v] = shapes;
    for (const [name, s] of [['query', q], ['value', v], ['key', k]] as const) {
      if (s.length !== 2) throw new RangeError(`${this.describe()}: ${name} must be [batch, steps, features], got rows of shape ${fmtShape(s)} (inputs ${all})`);
    }
    if (k[0] !== v[0]) throw new RangeError(`${this.describe()}: key and value must have the same number of steps, got key ${fmtShape(k)} and value ${fmtShape(v)}`);
    return [[...q], [...v], [...k]];
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return this.outputShapeFor([inputShape, inputShape]);
  }

  /** The output row shape for [query, value, key?] row shapes: [L, outputShape]. */
  override outputShapeFor(shapes: readonly (readonly number[])[]): number[] {
    const [q] = this.checkShapes(shapes);
    return [q[0], this.config.outputShape ?? q[1]];
  }

  override weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    return this.weightSpecsFor([inputShape, inputShape]);
  }

  /** The weights for [query, value, key?] row shapes (the functional API's planning reads these). */
  override weightSpecsFor(shapes: readonly (readonly number[])[]): WeightSpec[] {
    const [q, v, k] = this.checkShapes(shapes);
    const { numHeads: h, keyDim, useBias, dtype } = this.config;
    const out = this.config.outputShape ?? q[1];
    const proj = (name: string, o: number, i: number): WeightSpec[] => [
      { name: `${name}.weight`, shape: [o, i], dtype }, ...(useBias ? [{ name: `${name}.bias`, shape: [o], dtype }] : []),
    ];
    return [...proj('query', h * keyDim, q[1]), ...proj('key', h * keyDim, k[1]), ...proj('value', h * this.valueDim, v[1]), ...proj('output', out, h * this.valueDim)];
  }

  protected override allocate(inputShape: readonly number[]): void {
    this.allocateFor([inputShape, inputShape]);
  }

  private allocateFor(shapes: readonly (readonly number[])[]): void {
    const [q, v, k] = this.checkShapes(shapes);
    const { numHeads: h, keyDim, useBias: bias, dtype } = this.config;
    const gen = this.config.generator ?? defaultGenerator;
    const kernel = INITIALIZERS.get(this.config.kernelInitializer, 'multiHeadAttention');
    // Keras' kernels are [in, heads, dim] (query/key/value) and [heads, dim, out] (output); fans as Keras counts them
    const make = (i: number, heads: number, dim: number, o: number, output: boolean): Linear => new Linear(i, o, {
      bias, dtype,
      init: (w) => { kernel.value(w, output ? heads * o : i * heads, output ? dim * o : i * dim, gen); },
    });
    this.query = make(q[1], h, keyDim, h * keyDim, false);
    this.key = make(k[1], h, keyDim, h * keyDim, false);
    this.value = make(v[1], h, this.valueDim, h * this.valueDim, false);
    this.output = make(h * this.valueDim, h, this.valueDim, this.config.outputShape ?? q[1], true);
  }

  /** The functional API's build for [query, value] or [query, value, key]. */
  override buildFor(inputShapes: readonly (readonly number[])[]): number[] {
    const out = this.outputShapeFor(inputShapes);
    const [q, v, k] = this.checkShapes(inputShapes);
    if (this.inputShapes) {
      // the weights fix the feature sizes only; sequence lengths may change from call to call
      if (!this.inputShapes.every((s, i) => s[1] === [q, v, k][i][1])) {
        const feats = (l: number[][]) => l.map((s) => s[1]).join(', ');
        throw new RangeError(`${this.describe()}: was built for query, value, key features ${feats(this.inputShapes)}, received ${feats([q, v, k])} (inputs ${[q, v, k].map(fmtShape).join(', ')})`);
      }
      return out;
    }
    this.allocateFor(inputShapes);
    this.inputShapes = [q, v, k];
    this.inputShape = q;
    this.outputShape = out;
    return out;
  }

  override build(inputShape: readonly number[]): number[] {
    return this.buildFor([inputShape, inputShape]);
  }

  override callOn(inputs: readonly Tensor[]): Tensor {
    return this.forward(inputs[0], inputs[1], inputs[2]);
  }

  /** Attends from query [batch, L, E] to value [batch, S, Ev] (keys: key, default value); returns [batch, L, outputShape]. */
  override forward(query: Tensor, value?: Tensor, key?: Tensor): Tensor {
    if (!(value instanceof Tensor)) throw new TypeError(`${this.describe()}: call(query, value, key?) needs a value tensor (for self-attention pass the query twice)`);
    return this.attend(query, value, { key })[0];
  }

  /**
   * Keras' call with its options: returns [output [batch, L, outputShape], scores [batch, numHeads, L, S]] (the
   * attention weights after the softmax, Keras' return_attention_scores).
   * @example
   * ```ts
   * const mha = tg.layers.multiHeadAttention({ numHeads: 2, keyDim: 4 });
   * const x = tg.randn([3, 5, 8]);
   * const [out, scores] = mha.attend(x, x, { useCausalMask: true }); // [3, 5, 8] and [3, 2, 5, 5]
   * ```
   */
  attend(query: Tensor, value: Tensor, options: AttendOptions = {}): [Tensor, Tensor] {
    const key = options.key ?? value;
    for (const [name, t] of [['query', query], ['value', value], ['key', key]] as const) {
      if (!(t instanceof Tensor) || t.ndim !== 3) {
        throw new RangeError(`${this.describe()}: ${name} must be a 3-D tensor [batch, steps, features], got ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
      }
    }
    const shapes = `query ${fmtShape(query.shape)}, value ${fmtShape(value.shape)}, key ${fmtShape(key.shape)}`;
    if (value.shape[0] !== query.shape[0] || key.shape[0] !== query.shape[0]) throw new RangeError(`${this.describe()}: query, value and key must have the same batch size, got ${shapes}`);
    if (query.shape[1] === 0 || value.shape[1] === 0) throw new RangeError(`${this.describe()}: sequences of length 0 cannot be attended, got ${shapes}`);
    this.buildFor([query.shape.slice(1), value.shape.slice(1), key.shape.slice(1)]);
    const [n, l] = query.shape;
    const s = value.shape[1];
    const { numHeads: h, keyDim } = this.config;
    const vd = this.valueDim;
    const heads = (t: Tensor, len: number, dim: number) => t.reshape([n, len, h, dim]).permute([0, 2, 1, 3]);
    const q = heads((this.query as Linear).call(query), l, keyDim);
    const k = heads((this.key as Linear).call(key), s, keyDim);
    const v = heads((this.value as Linear).call(value), s, vd);
    const mask = this.additiveMask(query, value, key, options, n, l, s);
    const p = this.training ? this.config.dropout : 0;
    const [att, scores] = attentionWithWeights(q, k, v, { attnMask: mask, dropoutP: p, generator: this.config.generator ?? defaultGenerator }, this.describe());
    const out = (this.output as Linear).call(att.permute([0, 2, 1, 3]).reshape([n, l, h * vd]));
    return [withMask(out, maskOf(query)), scores];
  }

  /**
   * Keras' mask: query padding × value (and key) padding × attentionMask × causal, as 0/1 [batch, 1, L, S]; the scores get
   * −10⁹ where it is 0 (Keras' large negative number for float32). Null when nothing is masked.
   */
  private additiveMask(query: Tensor, value: Tensor, key: Tensor, options: AttendOptions, n: number, l: number, s: number): Tensor | null {
    const parts: Tensor[] = [];
    const qm = maskOf(query);
    const vm = maskOf(value);
    const km = key !== value ? maskOf(key) : null;
    if (qm) parts.push(qm.to('float32').reshape([n, 1, l, 1]));
    if (vm) parts.push(vm.to('float32').reshape([n, 1, 1, s]));
    if (km) parts.push(km.to('float32').reshape([n, 1, 1, s]));
    const am = options.attentionMask;
    if (am != null) {
      if (!(am instanceof Tensor)) throw new TypeError(`${this.describe()}: attentionMask must be a Tensor [batch, L, S] of 0/1 or booleans`);
      const ok = (am.ndim === 3 && am.shape[0] === n && am.shape[1] === l && am.shape[2] === s) || (am.ndim === 2 && am.shape[0] === l && am.shape[1] === s);
      if (!ok) throw new RangeError(`${this.describe()}: attentionMask must be [batch, L, S] = [${n},${l},${s}] (or [L, S]), got ${fmtShape(am.shape)}`);
      parts.push(am.detach().ne(0).to('float32').reshape(am.ndim === 3 ? [n, 1, l, s] : [1, 1, l, s]));
    }
    if (options.useCausalMask ?? this.config.useCausalMask) parts.push(causalMask(l, s).reshape([1, 1, l, s]));
    if (parts.length === 0) return null;
    const allowed = parts.reduce((a, b) => a.mul(b));
    return allowed.neg().add(1).mul(-1e9).to(query.dtype);
  }
}

/**
 * Multi-head attention (Keras' MultiHeadAttention).
 * @example
 * ```ts
 * const tokens = tg.input({ shape: [10, 16] });
 * const mha = tg.layers.multiHeadAttention({ numHeads: 4, keyDim: 4 });
 * const attended = mha.apply([tokens, tokens]);              // self-attention: [null, 10, 16]
 * const pooled = tg.layers.globalAveragePooling1d().apply(attended);
 * const net = tg.model({ inputs: tokens, outputs: tg.layers.dense({ units: 2 }).apply(pooled) });
 * ```
 */
export const multiHeadAttention = (args: MultiHeadAttentionArgs): MultiHeadAttention => new MultiHeadAttention(args);
