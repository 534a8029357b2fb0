// The Keras-style Model: tg.sequential([...layers]) or tg.model(anyModule). It is an nn Module (parameters,
// stateDict, train/eval) with compile / fit / evaluate / predict / summary / save on top.

import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import type { DataInput } from '../data/arrays.js';
import { type AnyModule, Module, type Parameter } from '../nn/module.js';
import type { DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import type { History, Logs } from './callbacks.js';
import { Layer } from './layer.js';
import { type LossConfig, type LossSpec, resolveLoss, type ResolvedLoss } from './losses.js';
import { resolveMetrics } from './metrics.js';
import { optimizerConfig, type OptimizerConfig, type OptimizerLike, type OptimizerSpec, resolveOptimizer } from './optimizers.js';
import { loadWeightsInto, type ModelBytes, modelToBytes, saveModel } from './saving.js';
import { checkName, checkShapeArg } from './schema.js';
import { renderSummary } from './summary.js';
import { evaluateModel, type EvaluateArgs, fitModel, type FitArgs, modelFacts, predictModel } from './training.js';
import { checkLossOutput } from './validate.js';

/** What {@link Model.compile} takes: the optimizer, the loss and optional metrics (Keras names). */
export interface CompileArgs {
  /** 'adam', 'sgd', 'adamw', 'rmsprop', 'adagrad' (Keras default learning rates), a { name, learningRate } config, an optimizer or a factory. */
  optimizer: OptimizerSpec;
  /** A loss name ('binaryCrossentropy', 'mse', ...), a { name, fromLogits } config, or a function (yPred, yTrue) => Tensor. */
  loss: LossSpec;
  /** 'accuracy', 'precision', 'recall', 'mse', 'mae'. */
  metrics?: string[];
}

export interface Compiled {
  loss: ResolvedLoss;
  metricNames: string[];
  optimizerSpec: OptimizerSpec;
  /** Serializable names/configs (null for functions and optimizer objects). */
  optimizerConfig: OptimizerConfig | null;
  lossConfig: LossConfig | null;
  optimizer: OptimizerLike | null;
}

/** Options for {@link sequential} and {@link model}: a name and the input shape. */
export interface ModelArgs {
  /** The model's name (default 'sequential' or 'model'); letters, digits, '_', '-', '.'. */
  name?: string;
  /** The shape of one input row (without the batch dim). */
  inputShape?: number[];
}

/**
 * A Keras-style model: an nn Module with `compile`, `fit`, `evaluate`, `predict`, `summary` and saving on top.
 * Make one with {@link sequential} (a stack of `tg.layers`) or {@link model} (any nn Module); it is still a
 * Module, so `parameters()`, `stateDict()` and `train()`/`eval()` work as usual.
 * @example
 * ```ts
 * const net = tg.sequential([tg.layers.dense({ units: 8, activation: 'relu', inputShape: [2] }), tg.layers.dense({ units: 1 })]);
 * net.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
 * const x = tg.randn([64, 2]);
 * const history = await net.fit(x, x.sum(1, true), { epochs: 20, verbose: 0 });
 * ```
 */
export class Model extends Module {
  /** The model's name in summary() and saved files ('sequential' or 'model' unless given). */
  readonly name: string;
  /** The layers of a sequential model (empty when wrapping a Module). */
  readonly layers: readonly Layer[];
  /** The wrapped Module (null for a sequential model). */
  readonly module: Module | null;
  /** Set by a callback to end fit() after the current epoch. */
  stopTraining = false;
  /** The compile() state, null until compiled. */
  compiled: Compiled | null = null;
  #inputShape: number[] | null = null;
  #outputShape: number[] | null = null;

  /** Use tg.sequential(...) or tg.model(module, ...). */
  constructor(layers: readonly Layer[], module: Module | null, args: ModelArgs = {}) {
    super();
    this.name = args.name === undefined ? (module ? 'model' : 'sequential') : checkName(args.name, 'model');
    this.layers = layers;
    this.module = module;
    const first = layers[0]?.inputShapeArg ?? null;
    const shape = args.inputShape !== undefined ? checkShapeArg(args.inputShape, this.name) : first;
    if (shape) this.build(shape);
  }

  /** The input shape without the batch dim (null until built). */
  get inputShape(): number[] | null { return this.#inputShape ? [...this.#inputShape] : null; }
  /** The output shape without the batch dim (null until built). */
  get outputShape(): number[] | null { return this.#outputShape ? [...this.#outputShape] : null; }
  /** Whether the model knows its input shape and has created its weights. */
  get built(): boolean { return this.#outputShape !== null; }

  /** Builds every layer for this input shape (rows without the batch dim), inferring shapes layer by layer. */
  build(inputShape: readonly number[]): this {
    if (this.built) {
      if (inputShape.join() !== this.#inputShape!.join()) throw new RangeError(`${this.name}: already built for inputs [${this.#inputShape}], got [${inputShape}]`);
      return this;
    }
    let shape = [...inputShape];
    if (this.module) {
      const wasTraining = this.module.training;
      this.module.eval();
      try {
        const probe = new Tensor(NDArray.zeros([1, ...shape], this.dtype));
        shape = noGrad(() => this.module!.forward(probe)).shape.slice(1);
      } catch (e) {
        throw new RangeError(`${this.name}: the module rejected an input of shape [1,${inputShape.join(',')}]: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.module.train(wasTraining);
      }
    } else {
      this.layers.forEach((layer, i) => {
        try {
          shape = layer.build(shape);
        } catch (e) {
          throw new RangeError(`${this.name}: layer ${i} (${layer.name}) cannot take inputs of shape [null,${shape.join(',')}]: ${e instanceof Error ? e.message : String(e)}`);
        }
      });
    }
    this.#inputShape = [...inputShape];
    this.#outputShape = shape;
    return this;
  }

  /** The dtype of the parameters (float32 when there are none). */
  get dtype(): DType {
    return this.parameters()[0]?.dtype ?? 'float32';
  }

  override namedChildren(): [string, AnyModule][] {
    return this.module ? this.module.namedChildren() : this.layers.map((l, i) => [String(i), l]);
  }

  override namedOwnParameters(): [string, Parameter][] {
    return this.module ? this.module.namedOwnParameters() : [];
  }

  override train(mode = true): this {
    this.training = mode;
    if (this.module) this.module.train(mode);
    for (const l of this.layers) l.train(mode);
    return this;
  }

  override forward(x: Tensor): Tensor {
    if (this.module) return this.module.call(x);
    let h = x;
    for (const l of this.layers) h = l.call(h);
    return h;
  }

  /**
   * forward(), plus the final layer's pre-activation (for losses that prefer logits).
   * @property __type.out The model's output, as forward() returns it.
   * @property __type.logits The last layer's input to its sigmoid/softmax, when the compiled loss can use it; else null.
   */
  forwardWithLogits(x: Tensor): { out: Tensor; logits: Tensor | null } {
    const c = this.compiled;
    const last = this.layers[this.layers.length - 1];
    if (this.module || !last || !c?.loss.wantsLogitsOf) return { out: this.forward(x), logits: null };
    let h = x;
    for (let i = 0; i < this.layers.length - 1; i++) h = this.layers[i].forward(h);
    const r = last.forwardWithLogits(h);
    return { out: r.out, logits: r.activation === c.loss.wantsLogitsOf ? r.logits : null };
  }

  /**
   * Configures training. Names are checked here (the errors list the known ones); the optimizer is
   * created on model.parameters() once the model is built.
   * @example
   * ```ts
   * net.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
   * net.compile({ optimizer: { name: 'sgd', learningRate: 0.1 }, loss: 'meanSquaredError' });
   * ```
   */
  compile(args: CompileArgs): void {
    if (typeof args !== 'object' || args === null) throw new TypeError("compile: expected { optimizer, loss, metrics }, e.g. { optimizer: 'adam', loss: 'meanSquaredError' }");
    for (const k of Object.keys(args)) {
      if (k !== 'optimizer' && k !== 'loss' && k !== 'metrics') throw new RangeError(`compile: unknown option ${JSON.stringify(k)} (options: optimizer, loss, metrics)`);
    }
    if (args.optimizer === undefined) throw new TypeError("compile: optimizer is required, e.g. 'adam'");
    if (args.loss === undefined) throw new TypeError("compile: loss is required, e.g. 'meanSquaredError'");
    const loss = resolveLoss(args.loss, 'compile');
    const metricNames = args.metrics ?? [];
    resolveMetrics(metricNames, { kind: loss.kind, units: 1, fromLogits: loss.fromLogits }, 'compile'); // names only
    if (this.built) checkLossOutput(loss, modelFacts(this), 'compile');
    const spec = args.optimizer;
    let optimizer: OptimizerLike | null = null;
    let config: OptimizerConfig | null = null;
    if (this.built) ({ optimizer, config } = resolveOptimizer(spec, this.parameters(), 'compile'));
    else if (typeof spec === 'string' || (typeof spec === 'object' && spec !== null && !('step' in spec))) {
      config = optimizerConfig(spec as string | OptimizerConfig, 'compile').config; // checked now, created once built
    }
    this.compiled = { loss, metricNames: [...metricNames], optimizerSpec: spec, optimizerConfig: config, lossConfig: loss.config, optimizer };
  }

  /**
   * Trains for `epochs` passes; resolves to a History of plain numbers.
   * @example
   * ```ts
   * const history = await net.fit(x, y, { epochs: 50, batchSize: 16, validationSplit: 0.2 });
   * history.history.loss; // one value per epoch (and val_loss)
   * ```
   */
  fit(x: DataInput, y: DataInput, args: FitArgs = {}): Promise<History> {
    return fitModel(this, x, y, args);
  }

  /**
   * Loss and metrics over all rows (eval mode, no tape): { loss, accuracy, ... }.
   * @example
   * ```ts
   * const { loss } = net.evaluate(xTest, yTest);
   * ```
   */
  evaluate(x: DataInput, y: DataInput, args: EvaluateArgs = {}): Logs {
    return evaluateModel(this, x, y, args);
  }

  /**
   * The model's outputs for every row (eval mode: dropout off; no tape).
   * @example
   * ```ts
   * const yPred = net.predict(xTest); // shape [rows, ...outputShape]
   * ```
   */
  predict(x: DataInput, args: { batchSize?: number } = {}): Tensor {
    return predictModel(this, x, args);
  }

  /** Writes dir/model.json (architecture, compile names) and dir/model.safetensors (weights). Node only. */
  save(dir: string): Promise<void> {
    return saveModel(this, dir);
  }

  /** The saved form as bytes (works everywhere): { config: model.json text, weights: safetensors bytes }. */
  toBytes(): ModelBytes {
    return modelToBytes(this);
  }

  /** Loads safetensors weights (e.g. toBytes().weights) into this model; names, shapes and dtypes must match. */
  loadWeights(weights: Uint8Array): this {
    loadWeightsInto(this, weights);
    return this;
  }

  /** Prints a Keras-like table of layers, output shapes and parameter counts (and returns it). */
  summary(printFn: (line: string) => void = console.log): string {
    const text = renderSummary(this);
    for (const line of text.split('\n')) printFn(line);
    return text;
  }
}

/**
 * A sequential model: each layer feeds the next. Give the first layer an inputShape to build it at once.
 * @example tg.sequential([tg.layers.dense({ units: 8, activation: 'relu', inputShape: [2] }), tg.layers.dense({ units: 1 })])
 */
export function sequential(layers: Layer[] | ({ layers: Layer[] } & ModelArgs), args: ModelArgs = {}): Model {
  const list = Array.isArray(layers) ? layers : layers?.layers;
  const opts = Array.isArray(layers) ? args : { ...layers, ...args };
  if (!Array.isArray(list) || list.length === 0) throw new TypeError('sequential: expected a non-empty array of layers, e.g. [tg.layers.dense({ units: 1, inputShape: [4] })]');
  const used = new Map<string, number>();
  const names = new Set(list.map((l) => l?.name).filter((n): n is string => typeof n === 'string'));
  list.forEach((l, i) => {
    if (!(l instanceof Layer)) throw new TypeError(`sequential: item ${i} is not a layer (use tg.layers.dense(...), ..., or tg.model(module) for any nn Module)`);
    if (i > 0 && l.inputShapeArg) throw new RangeError(`sequential: layer ${i} (${l.className}) has an inputShape; only the first layer takes one`);
    if (list.indexOf(l) !== i) throw new RangeError(`sequential: layer ${i} is the same object as layer ${list.indexOf(l)}`);
    if (l.name === null) {
      const base = l.className.toLowerCase();
      let k = used.get(base) ?? 0;
      let name = k === 0 ? base : `${base}_${k}`;
      while (names.has(name)) name = `${base}_${++k}`;
      used.set(base, k + 1);
      names.add(name);
      l.name = name;
    }
  });
  if (names.size !== list.length) throw new RangeError('sequential: two layers have the same name');
  return new Model(list, null, { name: opts.name ?? 'sequential', ...(opts.inputShape ? { inputShape: opts.inputShape } : {}) });
}

/**
 * Wraps any nn Module as a Keras-style model (its stateDict keys stay the module's).
 * @example
 * ```ts
 * const mlp = new tg.nn.Sequential(new tg.nn.Linear(4, 8), new tg.nn.ReLU(), new tg.nn.Linear(8, 3));
 * const net = tg.model(mlp, { inputShape: [4] });
 * net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
 * ```
 */
export function model(module: Module, args: ModelArgs = {}): Model {
  if (!(module instanceof Module)) throw new TypeError('model: expected an nn Module (tg.model wraps any Module as a Keras-style model)');
  return new Model([], module, args);
}
