// The core Keras-style layers (tg.layers.dense, dropout, flatten, activation). Each declares its config
// fields (schema), output shape, weights and forward once; the registry (registry.ts) lists them for loading.

import type { Tensor } from '../autograd/tensor.js';
import { Dropout as NnDropout, Linear } from '../nn/layers.js';
import { recycleIntermediate } from '../nn/container.js';
import type { Parameter } from '../nn/module.js';
import type { DType } from '../tensor/dtype.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { type ActivationFn, type ActivationName, getActivation } from './activations.js';
import { type InitializerName, INITIALIZERS } from './initializers.js';
import { Layer, type LayerArgs, type LayerOptions, type SchemaFor, type WeightSpec } from './layer.js';
import { field, LAYER_FIELDS } from './schema.js';

export { Layer, type LayerArgs } from './layer.js';

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Arguments of {@link dense}: the number of units plus optional activation, bias and initializers (Keras names). */
export interface DenseArgs extends LayerArgs {
  /** Output features. */
  units: number;
  /** By name (default 'linear'): relu, sigmoid, tanh, softmax, leakyRelu, gelu, elu, selu, softplus, swish, ... */
  activation?: ActivationName;
  /** Learn an additive bias (default true). */
  useBias?: boolean;
  /** Default 'glorotUniform' (Keras'); also glorotNormal, heNormal, heUniform, lecunNormal, lecunUniform, orthogonal, zeros, ... */
  kernelInitializer?: InitializerName;
  /** Default 'zeros'. */
  biasInitializer?: InitializerName;
  /** Shorthand for inputShape: [inputDim]. */
  inputDim?: number;
  /** Dtype of the weights (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights (default: the global defaultGenerator, seeded by tg.manualSeed). */
  generator?: Generator;
}

const DENSE_FIELDS = {
  ...LAYER_FIELDS,
  units: field.units(),
  activation: field.activation('linear'),
  useBias: field.bool(true),
  kernelInitializer: field.initializer('glorotUniform'),
  biasInitializer: field.initializer('zeros'),
  dtype: field.dtype(),
  inputDim: field.argInt(),
  generator: field.generator(true),
} satisfies SchemaFor<DenseArgs>;

/** A fully connected layer: activation(x·Wᵀ + b), with W [units, inFeatures] as nn.Linear's weight. */
export class Dense extends Layer<typeof DENSE_FIELDS> {
  readonly className = 'Dense';
  /** Keeps no reference to its input or output: a sequential model recycles the results around it (nn/container.ts). */
  static readonly pureForward = true;
  #act: ActivationFn;
  /** 'relu' runs through nn.Linear's fused linear + ReLU op (bitwise the same as applying it after). */
  #fused: 'relu' | null;
  #linear: Linear | null = null;

  constructor(args: DenseArgs, options: LayerOptions = {}) {
    const withDim = typeof args === 'object' && args !== null && args.inputDim !== undefined && args.inputShape === undefined ? { ...args, inputShape: [args.inputDim] } : args;
    super(DENSE_FIELDS, withDim, 'dense', '{ units: 32 }', options);
    const act = getActivation(this.config.activation, 'dense');
    this.#act = act.fn;
    this.#fused = act.name === 'relu' ? 'relu' : null;
  }

  /** The number of output features. */
  get units(): number { return this.config.units; }
  /** The activation's name ('linear' when none). */
  get activation(): string { return this.config.activation; }
  /** Whether the layer has a bias. */
  get useBias(): boolean { return this.config.useBias; }
  /** The initializer of the kernel (weight), e.g. 'glorotUniform'. */
  get kernelInitializer(): string { return this.config.kernelInitializer; }
  /** The initializer of the bias, e.g. 'zeros'. */
  get biasInitializer(): string { return this.config.biasInitializer; }
  /** Dtype of the weights. */
  get dtype(): DType { return this.config.dtype; }

  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length === 0) throw new RangeError(`${this.describe()}: needs inputs with at least one feature axis`);
    return [...inputShape.slice(0, -1), this.units];
  }

  override weightSpecs(inputShape: readonly number[]): WeightSpec[] {
    const inFeatures = inputShape[inputShape.length - 1];
    const { units, dtype } = this;
    return this.useBias
      ? [{ name: 'weight', shape: [units, inFeatures], dtype }, { name: 'bias', shape: [units], dtype }]
      : [{ name: 'weight', shape: [units, inFeatures], dtype }];
  }

  protected override allocate(inputShape: readonly number[]): void {
    const inFeatures = inputShape[inputShape.length - 1];
    const gen = this.config.generator ?? defaultGenerator;
    const { units } = this;
    // nn.Linear lays out the parameters; the Keras initializers fill them (kernel first, then bias)
    this.#linear = new Linear(inFeatures, units, {
      bias: this.useBias, dtype: this.dtype,
      init: (w, b) => {
        INITIALIZERS.get(this.kernelInitializer, 'dense').value(w, inFeatures, units, gen);
        if (b) INITIALIZERS.get(this.biasInitializer, 'dense').value(b, inFeatures, units, gen);
      },
    });
  }

  private get linear(): Linear {
    if (!this.#linear) throw new RangeError(`${this.describe()}: is not built yet: give the first layer an inputShape, or call the model once`);
    return this.#linear;
  }

  /** The kernel [units, inFeatures] (null until built). */
  get weight(): Parameter | null { return this.#linear?.weight ?? null; }
  /** The bias [units] (null until built, or when useBias is false). */
  get bias(): Parameter | null { return this.#linear?.bias ?? null; }

  override namedOwnParameters(): [string, Parameter][] {
    const lin = this.#linear;
    if (!lin) return [];
    return lin.bias ? [['weight', lin.weight], ['bias', lin.bias]] : [['weight', lin.weight]];
  }

  override forwardWithLogits(x: Tensor): { out: Tensor; logits: Tensor | null; activation: string | null } {
    this.ensureBuilt(x);
    const z = this.linear.forward(x);
    return { out: this.#act(z), logits: z, activation: this.activation };
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    if (this.#fused !== null) return this.linear.forwardWith(x, this.#fused);
    const z = this.linear.forward(x);
    const y = this.#act(z);
    if (y !== z) recycleIntermediate(z, y); // x·Wᵀ + b is seen only by the activation
    return y;
  }

  override extraRepr(): string {
    return `units=${this.units}, activation=${this.activation}`;
  }
}

/** Arguments of {@link dropout}. */
export interface DropoutArgs extends LayerArgs {
  /** Fraction of inputs zeroed in training, in [0, 1). */
  rate: number;
  /** Source of the dropout masks (default: the global defaultGenerator). */
  generator?: Generator;
}

const DROPOUT_FIELDS = { ...LAYER_FIELDS, rate: field.fraction(), generator: field.generator(false) } satisfies SchemaFor<DropoutArgs>;

/** Inverted dropout in training mode, the identity in eval mode (nn.Dropout inside). */
export class Dropout extends Layer<typeof DROPOUT_FIELDS> {
  readonly className = 'Dropout';
  #drop: NnDropout;

  constructor(args: DropoutArgs, options: LayerOptions = {}) {
    super(DROPOUT_FIELDS, args, 'dropout', '{ rate: 0.5 }', options);
    this.#drop = new NnDropout(this.rate, { generator: this.config.generator ?? defaultGenerator });
  }

  /** The fraction of inputs zeroed in training. */
  get rate(): number { return this.config.rate; }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    this.#drop.training = this.training;
    return this.#drop.forward(x);
  }

  override extraRepr(): string {
    return `rate=${this.rate}`;
  }
}

const FLATTEN_FIELDS = { ...LAYER_FIELDS } satisfies SchemaFor<LayerArgs>;

/** Flattens each row to one axis: [N, ...] → [N, product]. */
export class Flatten extends Layer<typeof FLATTEN_FIELDS> {
  readonly className = 'Flatten';

  constructor(args: LayerArgs = {}, options: LayerOptions = {}) {
    super(FLATTEN_FIELDS, args, 'flatten', '{}', options);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [prod(inputShape)];
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    return x.reshape([x.shape[0], -1]);
  }
}

/** Arguments of {@link activation}. */
export interface ActivationArgs extends LayerArgs {
  /** The activation's name: 'relu', 'sigmoid', 'tanh', 'softmax', 'gelu', ... */
  activation: ActivationName;
}

const ACTIVATION_FIELDS = { ...LAYER_FIELDS, activation: field.activation(null) } satisfies SchemaFor<ActivationArgs>;

/** Applies an activation by name. */
export class Activation extends Layer<typeof ACTIVATION_FIELDS> {
  readonly className = 'Activation';
  /** Keeps no reference to its input or output (see Dense). */
  static readonly pureForward = true;
  #act: ActivationFn;

  constructor(args: ActivationArgs, options: LayerOptions = {}) {
    super(ACTIVATION_FIELDS, args, 'activation', "{ activation: 'relu' }", options);
    this.#act = getActivation(this.activation, 'activation').fn;
  }

  /** The activation's name. */
  get activation(): string { return this.config.activation; }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    return this.#act(x);
  }

  override forwardWithLogits(x: Tensor): { out: Tensor; logits: Tensor | null; activation: string | null } {
    return { out: this.forward(x), logits: x, activation: this.activation };
  }

  override extraRepr(): string {
    return `activation=${this.activation}`;
  }
}

/**
 * A fully connected {@link Dense} layer (Keras' Dense): activation(x·Wᵀ + b) with `units` outputs.
 * Throws a RangeError for a bad config (units not a positive integer, unknown activation or initializer).
 * @example
 * ```ts
 * tg.layers.dense({ units: 32, activation: 'relu', inputShape: [320] })
 * ```
 */
export const dense = (args: DenseArgs): Dense => new Dense(args);
/**
 * A {@link Dropout} layer: zeroes a fraction `rate` of its inputs during fit() (scaling the rest up), and does nothing in evaluate/predict.
 * @example
 * ```ts
 * tg.layers.dropout({ rate: 0.5 })
 * ```
 */
export const dropout = (args: DropoutArgs): Dropout => new Dropout(args);
/**
 * A {@link Flatten} layer: reshapes each row to one axis, [N, ...] → [N, product], e.g. before a dense layer.
 * @example
 * ```ts
 * tg.layers.flatten({ inputShape: [28, 28] }) // output shape [784]
 * ```
 */
export const flatten = (args: LayerArgs = {}): Flatten => new Flatten(args);
/**
 * An {@link Activation} layer: applies an activation by name, with no weights.
 * @example
 * ```ts
 * tg.layers.activation({ activation: 'softmax' })
 * ```
 */
export const activation = (args: ActivationArgs): Activation => new Activation(args);
