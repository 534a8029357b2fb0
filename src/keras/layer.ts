// The Keras-style Layer base class: an nn Module described by a checked config (its schema), built for an
// input shape before first use. Subclasses declare their fields, output shape, weights and forward once.

import { Tensor } from '../autograd/tensor.js';
import { Module } from '../nn/module.js';
import type { DType } from '../tensor/dtype.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { applySymbolic, applySymbolicAll, isSymbolic, type SymbolicTensor } from './symbolic.js';
import { type ConfigLimits, type ConfigOf, type ConfigSource, DEFAULT_LIMITS, type LAYER_FIELDS, parseConfig, savedConfig, type Schema } from './schema.js';
import { snakeCase } from './names.js';

/** Arguments every Keras-style layer takes: an optional name and, on a model's first layer, the input shape. */
export interface LayerArgs {
  /** The layer's name in summary() (default: Keras' snake_case of its class, numbered within the model: dense, dense_1, max_pooling2d, ...). */
  name?: string;
  /** The shape of one input row, without the batch dim; only on a model's first layer. */
  inputShape?: number[];
}

/** How a layer is being constructed: limits on its config, and whether the config comes from a file. */
export interface LayerOptions {
  /** Size limits (the model loader passes its own). */
  limits?: ConfigLimits;
  /** 'file' refuses construction-only fields such as a generator (default 'code'). */
  source?: ConfigSource;
  /** How errors name the layer (default its type, 'dense'; the loader says 'layer 0 (dense)'). */
  where?: string;
}

/** One weight a layer creates: its stateDict name inside the layer, shape and dtype. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: DType;
}

/** The fields a schema must declare for an args interface: one per argument, base fields included. */
export type SchemaFor<A> = { readonly [K in keyof Required<A>]: unknown } & Schema;

type BaseConfig = ConfigOf<typeof LAYER_FIELDS>;

/** A Keras-style layer: an nn Module with a checked config, built for an input shape before first use. */
export abstract class Layer<S extends Schema = Schema> extends Module {
  /** The layer's Keras class name ('Dense', 'Dropout', ...), as saved in model.json: its key in the layer registry. */
  abstract readonly className: string;
  /** The checked config (every field of the layer's schema, defaults filled in). */
  readonly config: ConfigOf<S>;
  /** The layer's name (null until a model names it: dense, dense_1, ...). */
  name: string | null;
  /** The inputShape argument (first layer only), without the batch dim. */
  readonly inputShapeArg: number[] | null;
  /** Input and output shapes without the batch dim, once built. */
  inputShape: number[] | null = null;
  /** The output shape without the batch dim, once built. */
  outputShape: number[] | null = null;
  readonly #schema: S;

  /**
   * Checks `args` against the schema (every field, once). `where` names the layer in errors ('dense'),
   * `example` shows a valid config in the error for a non-object.
   */
  protected constructor(schema: S, args: unknown, where: string, example: string, options: LayerOptions = {}) {
    super();
    this.#schema = schema;
    this.config = parseConfig(schema, args, options.where ?? where, options.limits ?? DEFAULT_LIMITS, options.source ?? 'code', example);
    const base = this.config as unknown as BaseConfig;
    this.name = base.name ?? null;
    this.inputShapeArg = base.inputShape ?? null;
  }

  /** Whether `build()` has run (the weights exist). */
  get built(): boolean {
    return this.outputShape !== null;
  }

  /** The output shape for an input shape (both without the batch dim); throws naming the layer if it cannot take it. */
  abstract computeOutputShape(inputShape: readonly number[]): number[];

  /** The weights this layer creates for an input shape (none by default); planning a saved model reads these. */
  weightSpecs(_inputShape: readonly number[]): WeightSpec[] {
    return [];
  }

  /**
   * The weights for the shapes of all its inputs (the functional API's planning reads these): weightSpecs of the
   * first by default; layers taking several inputs (multiHeadAttention) override it.
   */
  weightSpecsFor(inputShapes: readonly (readonly number[])[]): WeightSpec[] {
    return this.weightSpecs(inputShapes[0]);
  }

  /** The output shape for the shapes of all its inputs: computeOutputShape of the first by default. */
  outputShapeFor(inputShapes: readonly (readonly number[])[]): number[] {
    return this.computeOutputShape(inputShapes[0]);
  }

  /**
   * The shapes of all its outputs: [outputShapeFor(...)] by default; a recurrent layer with returnState makes
   * several (its output, then each state).
   */
  outputShapesFor(inputShapes: readonly (readonly number[])[]): number[][] {
    return [this.outputShapeFor(inputShapes)];
  }

  /** Whether apply() returns a list (Keras' returnState: [output, ...states]) rather than one tensor. */
  get returnsList(): boolean {
    return false;
  }

  /** Creates the weights for this input shape (once) and returns the output shape. */
  build(inputShape: readonly number[]): number[] {
    const out = this.computeOutputShape(inputShape);
    if (this.built) {
      if (!shapesEqual(inputShape, this.inputShape!)) {
        throw new RangeError(`${this.describe()}: was built for inputs of shape ${fmtShape(this.inputShape!)}, cannot take ${fmtShape(inputShape)}`);
      }
      return out;
    }
    this.allocate(inputShape);
    this.checkWeights(inputShape);
    this.inputShape = [...inputShape];
    this.outputShape = out;
    return out;
  }

  /** Builds for x's row shape on first use, as Keras does when a layer is called directly. */
  protected ensureBuilt(x: Tensor): void {
    if (!this.built) this.build(x.shape.slice(1));
  }

  /** Creates the layer's weights for this input shape; layers with weights override it (the default creates none). */
  protected allocate(_inputShape: readonly number[]): void {}

  /** The weights allocate() made must be the ones weightSpecs() declares (what a saved model is checked against). */
  private checkWeights(inputShape: readonly number[]): void {
    const specs = this.weightSpecs(inputShape);
    const made = this.namedOwnParameters().concat(this.namedChildren().flatMap(([n, m]) => m.namedParameters().map(([k, p]): [string, typeof p] => [`${n}.${k}`, p])));
    const ok = specs.length === made.length && specs.every((s, i) => s.name === made[i][0] && shapesEqual(s.shape, made[i][1].shape) && s.dtype === made[i][1].dtype);
    if (!ok) {
      const fmt = (l: [string, readonly number[], string][]) => l.map(([n, s, d]) => `${n} ${fmtShape(s)} ${d}`).join(', ') || 'none';
      throw new Error(`${this.describe()}: created weights (${fmt(made.map(([n, p]) => [n, p.shape, p.dtype]))}) that differ from its weightSpecs (${fmt(specs.map((s) => [s.name, s.shape, s.dtype]))})`);
    }
  }

  /** The serializable config (JSON values only), as saved in model.json. */
  getConfig(): Record<string, unknown> {
    const { name: _given, ...rest } = savedConfig(this.#schema, this.config);
    return this.name !== null ? { name: this.name, ...rest } : rest;
  }

  /** 'dense (Dense)' or 'max_pooling2d_1 (MaxPooling2D)' style label used in errors (Keras' default name until a model names it). */
  describe(): string {
    return `${this.name ?? snakeCase(this.className)} (${this.className})`;
  }

  /**
   * Applies the layer. On a tensor it runs forward (as `call`); on a symbolic tensor from `tg.input()` (or a
   * list of them, for merge layers) it records the call for the functional API and returns the symbolic
   * output, building the weights for that shape. A layer applied twice uses the same weights.
   * @example
   * ```ts
   * const x = tg.input({ shape: [784] });
   * const h = tg.layers.dense({ units: 64, activation: 'relu' }).apply(x);   // symbolic [null, 64]
   * ```
   */
  apply(x: Tensor): Tensor;
  apply(x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor;
  apply(x: Tensor | SymbolicTensor | SymbolicTensor[]): Tensor | SymbolicTensor {
    if (x instanceof Tensor) return this.call(x);
    if (!isSymbolic(x)) throw new TypeError(`${this.describe()}: apply() takes a Tensor or symbolic tensors from tg.input(), got ${Array.isArray(x) ? 'an empty array or a mixed array' : typeof x}`);
    // a layer making several outputs returns them all (its type says so: see the recurrent layers' factories)
    if (this.returnsList) return applySymbolicAll(this, Array.isArray(x) ? x : [x]) as unknown as SymbolicTensor;
    return applySymbolic(this, x);
  }

  /** How many inputs the layer takes at least: 1, except merge layers and multiHeadAttention (2). */
  get minInputs(): number {
    return 1;
  }

  /** How many inputs the layer takes at most: 1, except merge layers (any number) and multiHeadAttention (3). */
  get maxInputs(): number {
    return 1;
  }

  /** The functional API's build: checks the number of inputs and builds for their shapes; returns the output shape. */
  buildFor(inputShapes: readonly (readonly number[])[]): number[] {
    if (inputShapes.length !== 1) {
      throw new RangeError(`${this.describe()}: takes one input, got ${inputShapes.length} (merge layers such as tg.layers.concatenate take several)`);
    }
    if (this.built && !shapesEqual(inputShapes[0], this.inputShape!)) {
      throw new RangeError(`${this.describe()}: expected an input of shape [null,${this.inputShape!.join(',')}] (it was built for that), received [null,${inputShapes[0].join(',')}]`);
    }
    try {
      return this.build(inputShapes[0]);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new RangeError(msg.includes(this.describe()) ? msg : `${this.describe()}: cannot take an input of shape [null,${inputShapes[0].join(',')}]: ${msg}`);
    }
  }

  /**
   * Runs the layer on concrete inputs, one per symbolic input it was applied to (the functional model's
   * executor); a layer with several outputs returns them all, in the order of its symbolic outputs.
   */
  callOn(inputs: readonly Tensor[]): Tensor | Tensor[] {
    return this.forward(...inputs);
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
}
