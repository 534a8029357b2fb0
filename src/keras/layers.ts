// Keras-style layers (tg.layers.dense, dropout, flatten, activation): nn Modules that are built once the
// input shape is known, so a model infers shapes layer by layer. Dense builds on nn.Linear.

import type { Tensor } from '../autograd/tensor.js';
import { Linear } from '../nn/layers.js';
import { Dropout as NnDropout } from '../nn/layers.js';
import { Module, type Parameter } from '../nn/module.js';
import type { DType } from '../tensor/dtype.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { getActivation, type ActivationFn } from './activations.js';
import { INITIALIZERS } from './initializers.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** Limits every layer config obeys (the model loader may pass tighter ones). */
export interface ConfigLimits {
  maxUnits: number;
  maxDim: number;
}
export const DEFAULT_LIMITS: ConfigLimits = { maxUnits: 1 << 20, maxDim: 1 << 24 };

/** Arguments every Keras-style layer takes: an optional name and, on a model's first layer, the input shape. */
export interface LayerArgs {
  /** The layer's name in summary() (default: its type, numbered within the model: dense, dense_1, ...). */
  name?: string;
  /** The shape of one input row, without the batch dim; only on a model's first layer. */
  inputShape?: number[];
}

function fail(where: string, message: string): never {
  throw new RangeError(`${where}: ${message}`);
}

const describe = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);

/** Checks a layer or model name: 1 to 128 letters, digits, '_', '-', '.'. */
export function checkName(v: unknown, where: string): string {
  if (typeof v !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(v)) {
    fail(where, `name must be 1 to 128 letters, digits, '_', '-' or '.', got ${describe(v)}`);
  }
  return v;
}

/** Checks a shape without its batch dim: 1 to 8 positive integers, each at most limits.maxDim. */
export function checkShapeArg(v: unknown, where: string, limits: ConfigLimits = DEFAULT_LIMITS): number[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > 8) fail(where, `inputShape must be an array of 1 to 8 positive integers, got ${describe(v)}`);
  for (const d of v) {
    if (!Number.isSafeInteger(d) || d < 1 || d > limits.maxDim) {
      fail(where, `inputShape ${Array.isArray(v) && v.length <= 8 ? `[${v.map(describe).join(',')}]` : ''} has dimension ${describe(d)}, not an integer in [1, ${limits.maxDim}]`);
    }
  }
  return [...(v as number[])];
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A Keras-style layer: an nn Module with a config, built for an input shape before first use. */
export abstract class Layer extends Module {
  /** The layer's Keras class name ('Dense', 'Dropout', ...), as saved in model.json. */
  abstract readonly className: string;
  /** The layer's name (null until a model names it: dense, dense_1, ...). */
  name: string | null;
  /** The inputShape argument (first layer only), without the batch dim. */
  readonly inputShapeArg: number[] | null;
  /** Input and output shapes without the batch dim, once built. */
  inputShape: number[] | null = null;
  /** The output shape without the batch dim, once built. */
  outputShape: number[] | null = null;

  constructor(args: LayerArgs, where: string) {
    super();
    this.name = args.name === undefined ? null : checkName(args.name, where);
    this.inputShapeArg = args.inputShape === undefined ? null : checkShapeArg(args.inputShape, where);
  }

  /** Whether `build()` has run (the weights exist). */
  get built(): boolean {
    return this.outputShape !== null;
  }

  /** The output shape for an input shape (both without the batch dim); throws naming the layer if it cannot take it. */
  abstract computeOutputShape(inputShape: readonly number[]): number[];

  /** Creates the weights for this input shape (once) and returns the output shape. */
  build(inputShape: readonly number[]): number[] {
    const out = this.computeOutputShape(inputShape);
    if (this.built) {
      if (fmtShape(inputShape) !== fmtShape(this.inputShape!)) {
        fail(this.describe(), `was built for inputs of shape ${fmtShape(this.inputShape!)}, cannot take ${fmtShape(inputShape)}`);
      }
      return out;
    }
    this.allocate(inputShape);
    this.inputShape = [...inputShape];
    this.outputShape = out;
    return out;
  }

  /** Creates the layer's weights for this input shape; layers with weights override it (the default creates none). */
  protected allocate(_inputShape: readonly number[]): void {}

  /** The serializable config (JSON values only), as saved in model.json. */
  abstract getConfig(): Record<string, unknown>;

  /** 'dense' or 'dense_1 (Dense)' style label used in errors. */
  describe(): string {
    return `${this.name ?? this.className.toLowerCase()} (${this.className})`;
  }

  /**
   * The output and, for a final sigmoid/softmax, the logits before it (losses use them for stability).
   * @property __type.out The layer's output, as forward() returns it.
   * @property __type.logits The input to the layer's activation, or null for layers without one.
   * @property __type.activation The activation's name, or null.
   */
  forwardWithLogits(x: Tensor): { out: Tensor; logits: Tensor | null; activation: string | null } {
    return { out: this.forward(x), logits: null, activation: null };
  }

  /** The config entries every layer has (name, inputShape), for subclasses' getConfig(). */
  protected baseConfig(): Record<string, unknown> {
    const cfg: Record<string, unknown> = {};
    if (this.name !== null) cfg.name = this.name;
    if (this.inputShapeArg) cfg.inputShape = [...this.inputShapeArg];
    return cfg;
  }
}

/** Arguments of {@link dense}: the number of units plus optional activation, bias and initializers (Keras names). */
export interface DenseArgs extends LayerArgs {
  /** Output features. */
  units: number;
  /** By name (default 'linear'): relu, sigmoid, tanh, softmax, leakyRelu, gelu, elu, selu, softplus, swish, ... */
  activation?: string;
  /** Learn an additive bias (default true). */
  useBias?: boolean;
  /** Default 'glorotUniform' (Keras'); also glorotNormal, heNormal, heUniform, lecunNormal, lecunUniform, zeros, ... */
  kernelInitializer?: string;
  /** Default 'zeros'. */
  biasInitializer?: string;
  /** Shorthand for inputShape: [inputDim]. */
  inputDim?: number;
  /** Dtype of the weights (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights (default: the global defaultGenerator, seeded by tg.manualSeed). */
  generator?: Generator;
}

/** A fully connected layer: activation(x·Wᵀ + b), with W [units, inFeatures] as nn.Linear's weight. */
export class Dense extends Layer {
  readonly className = 'Dense';
  /** The number of output features. */
  readonly units: number;
  /** The activation's name ('linear' when none). */
  readonly activation: string;
  /** Whether the layer has a bias. */
  readonly useBias: boolean;
  /** The initializer of the kernel (weight), e.g. 'glorotUniform'. */
  readonly kernelInitializer: string;
  /** The initializer of the bias, e.g. 'zeros'. */
  readonly biasInitializer: string;
  /** Dtype of the weights. */
  readonly dtype: DType;
  #act: ActivationFn;
  #linear: Linear | null = null;
  #generator: Generator;

  constructor(args: DenseArgs, limits: ConfigLimits = DEFAULT_LIMITS) {
    const where = 'dense';
    if (typeof args !== 'object' || args === null) fail(where, 'expected a config object such as { units: 32 }');
    const inputShape = args.inputDim !== undefined && args.inputShape === undefined ? [args.inputDim] : args.inputShape;
    super({ name: args.name, inputShape }, where);
    const u = args.units;
    if (!Number.isSafeInteger(u) || u < 1 || u > limits.maxUnits) fail(where, `units must be an integer in [1, ${limits.maxUnits}], got ${describe(u)}`);
    this.units = u;
    const act = getActivation(args.activation ?? 'linear', where);
    this.activation = act.name;
    this.#act = act.fn;
    if (args.useBias !== undefined && typeof args.useBias !== 'boolean') fail(where, `useBias must be true or false, got ${describe(args.useBias)}`);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = INITIALIZERS.get(args.kernelInitializer ?? 'glorotUniform', `${where}: kernelInitializer`).name;
    this.biasInitializer = INITIALIZERS.get(args.biasInitializer ?? 'zeros', `${where}: biasInitializer`).name;
    const dtype = args.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') fail(where, `dtype must be 'float32' or 'float64', got ${describe(dtype)}`);
    this.dtype = dtype;
    if (args.generator !== undefined && !(args.generator instanceof Generator)) fail(where, 'generator must be a tg.Generator');
    this.#generator = args.generator ?? defaultGenerator;
    if (this.inputShapeArg) this.build(this.inputShapeArg);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length === 0) fail(this.describe(), 'needs inputs with at least one feature axis');
    return [...inputShape.slice(0, -1), this.units];
  }

  protected override allocate(inputShape: readonly number[]): void {
    const inFeatures = inputShape[inputShape.length - 1];
    // nn.Linear lays out the parameters; its PyTorch init draws from a throwaway generator and is replaced
    // by the Keras initializers, so the model's random stream is the initializers' alone.
    const lin = new Linear(inFeatures, this.units, { bias: this.useBias, dtype: this.dtype, generator: new Generator(0) });
    INITIALIZERS.get(this.kernelInitializer, 'dense').value(lin.weight.value.data, inFeatures, this.units, this.#generator);
    if (lin.bias) INITIALIZERS.get(this.biasInitializer, 'dense').value(lin.bias.value.data, inFeatures, this.units, this.#generator);
    this.#linear = lin;
  }

  private get linear(): Linear {
    if (!this.#linear) fail(this.describe(), 'is not built yet: give the first layer an inputShape, or call the model once');
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
    const z = this.linear.forward(x);
    return { out: this.#act(z), logits: z, activation: this.activation };
  }

  override forward(x: Tensor): Tensor {
    return this.#act(this.linear.forward(x));
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(), units: this.units, activation: this.activation, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer, dtype: this.dtype,
    };
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

/** Inverted dropout in training mode, the identity in eval mode (nn.Dropout inside). */
export class Dropout extends Layer {
  readonly className = 'Dropout';
  /** The fraction of inputs zeroed in training. */
  readonly rate: number;
  #drop: NnDropout;

  constructor(args: DropoutArgs) {
    if (typeof args !== 'object' || args === null) fail('dropout', 'expected a config object such as { rate: 0.5 }');
    super(args, 'dropout');
    const r = args.rate;
    if (typeof r !== 'number' || !(r >= 0 && r < 1)) fail('dropout', `rate must be a number in [0, 1), got ${describe(r)}`);
    this.rate = r;
    this.#drop = new NnDropout(r, { generator: args.generator ?? defaultGenerator });
    if (this.inputShapeArg) this.build(this.inputShapeArg);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  override forward(x: Tensor): Tensor {
    this.#drop.training = this.training;
    return this.#drop.forward(x);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), rate: this.rate };
  }

  override extraRepr(): string {
    return `rate=${this.rate}`;
  }
}

/** Flattens each row to one axis: [N, ...] → [N, product]. */
export class Flatten extends Layer {
  readonly className = 'Flatten';

  constructor(args: LayerArgs = {}) {
    if (typeof args !== 'object' || args === null) fail('flatten', 'expected a config object');
    super(args, 'flatten');
    if (this.inputShapeArg) this.build(this.inputShapeArg);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [prod(inputShape)];
  }

  override forward(x: Tensor): Tensor {
    return x.reshape([x.shape[0], -1]);
  }

  getConfig(): Record<string, unknown> {
    return this.baseConfig();
  }
}

/** Arguments of {@link activation}. */
export interface ActivationArgs extends LayerArgs {
  /** The activation's name: 'relu', 'sigmoid', 'tanh', 'softmax', 'gelu', ... */
  activation: string;
}

/** Applies an activation by name. */
export class Activation extends Layer {
  readonly className = 'Activation';
  /** The activation's name. */
  readonly activation: string;
  #act: ActivationFn;

  constructor(args: ActivationArgs) {
    if (typeof args !== 'object' || args === null) fail('activation', "expected a config object such as { activation: 'relu' }");
    super(args, 'activation');
    const act = getActivation(args.activation, 'activation');
    this.activation = act.name;
    this.#act = act.fn;
    if (this.inputShapeArg) this.build(this.inputShapeArg);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  override forward(x: Tensor): Tensor {
    return this.#act(x);
  }

  override forwardWithLogits(x: Tensor): { out: Tensor; logits: Tensor | null; activation: string | null } {
    return { out: this.#act(x), logits: x, activation: this.activation };
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), activation: this.activation };
  }

  override extraRepr(): string {
    return `activation=${this.activation}`;
  }
}

// The factories' argument names, kept in step with the Args types by the compiler (an unknown one is a typo).
const LAYER_ARGS = optionKeys<LayerArgs>({ name: true, inputShape: true });
const DENSE_ARGS = optionKeys<DenseArgs>({
  name: true, inputShape: true, units: true, activation: true, useBias: true, kernelInitializer: true, biasInitializer: true,
  inputDim: true, dtype: true, generator: true,
});
const DROPOUT_ARGS = optionKeys<DropoutArgs>({ name: true, inputShape: true, rate: true, generator: true });
const ACTIVATION_ARGS = optionKeys<ActivationArgs>({ name: true, inputShape: true, activation: true });
const checked = <A>(where: string, args: A, known: readonly string[]): A => {
  checkOptions(where, args, known);
  return args;
};

/**
 * A fully connected {@link Dense} layer (Keras' Dense): activation(x·Wᵀ + b) with `units` outputs.
 * Throws a RangeError for a bad config (units not a positive integer, unknown activation or initializer).
 * @example
 * ```ts
 * tg.layers.dense({ units: 32, activation: 'relu', inputShape: [320] })
 * ```
 */
export const dense = (args: DenseArgs): Dense => new Dense(checked('dense', args, DENSE_ARGS));
/**
 * A {@link Dropout} layer: zeroes a fraction `rate` of its inputs during fit() (scaling the rest up), and does nothing in evaluate/predict.
 * @example
 * ```ts
 * tg.layers.dropout({ rate: 0.5 })
 * ```
 */
export const dropout = (args: DropoutArgs): Dropout => new Dropout(checked('dropout', args, DROPOUT_ARGS));
/**
 * A {@link Flatten} layer: reshapes each row to one axis, [N, ...] → [N, product], e.g. before a dense layer.
 * @example
 * ```ts
 * tg.layers.flatten({ inputShape: [28, 28] }) // output shape [784]
 * ```
 */
export const flatten = (args: LayerArgs = {}): Flatten => new Flatten(checked('flatten', args, LAYER_ARGS));
/**
 * An {@link Activation} layer: applies an activation by name, with no weights.
 * @example
 * ```ts
 * tg.layers.activation({ activation: 'softmax' })
 * ```
 */
export const activation = (args: ActivationArgs): Activation => new Activation(checked('activation', args, ACTIVATION_ARGS));
