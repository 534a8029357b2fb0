// The Keras-style Model: tg.sequential([...layers]) or tg.model(anyModule). It is an nn Module (parameters,
// stateDict, train/eval) with compile / fit / evaluate / predict / summary / save on top.

import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import { runChain } from '../nn/container.js';
import { type AnyModule, Module, type Parameter } from '../nn/module.js';
import type { DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import type { EvaluateLogs, History } from './callbacks.js';
import { Layer } from './layer.js';
import { type LossConfig, type LossSpec, resolveLoss, type ResolvedLoss } from './losses.js';
import { resolveMetrics } from './metrics.js';
import { optimizerConfig, type OptimizerConfig, type OptimizerLike, type OptimizerSpec, resolveOptimizer } from './optimizers.js';
import { loadWeightsInto, type ModelBytes, modelToBytes, saveModel } from './saving.js';
import { checkName, checkShapeArg } from './schema.js';
import { renderSummary } from './summary.js';
import { Graph, type LayerGraph, type LayerGraphNode } from './functional.js';
import { compileOutputs, type OutputCompile, type PerOutput } from './outputs.js';
import { applySymbolic, applySymbolicAll, SymbolicTensor } from './symbolic.js';

const isSymbolicTensor = (v: unknown): v is SymbolicTensor => v instanceof SymbolicTensor;
import { evaluateModel, type EvaluateArgs, fitModel, type FitArgs, type ModelData, modelFacts, predictModel } from './training.js';
import { checkLossOutput } from './validate.js';
import { checkOptions } from '../tensor/validate.js';
import { snakeCase } from './names.js';

/** What {@link Model.compile} takes: the optimizer, the loss and optional metrics (Keras names). */
export interface CompileArgs {
  /** 'adam', 'sgd', 'adamw', 'rmsprop', 'adagrad' (Keras default learning rates), a { name, learningRate } config, an optimizer or a factory. */
  optimizer: OptimizerSpec;
  /**
   * A loss name ('binaryCrossentropy', 'mse', ...), a { name, fromLogits } config, or a function (yPred, yTrue) => Tensor.
   * For a model with several outputs: one for all, an array in output order, or a record by output name.
   */
  loss: PerOutput<LossSpec>;
  /** 'accuracy', 'precision', 'recall', 'f1Score', 'auc', 'topKCategoricalAccuracy', 'sparseTopKCategoricalAccuracy', 'mse', 'mae'; for several outputs also an array of lists or a record by output name. */
  metrics?: PerOutput<string[]> | string[];
  /** Several outputs: each output's weight in the total loss (default 1), in output order or by name. */
  lossWeights?: number[] | Record<string, number>;
}

export interface Compiled {
  /** Every output's loss, weight and metrics (one entry for a single-output model). */
  outputs: OutputCompile[];
  /** The first output's loss (the only one of a sequential model). */
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

/** What predict() returns: one tensor, or one per output (an array, or a record when outputs were given by name). */
export type PredictResult = Tensor | Tensor[] | Record<string, Tensor>;

/** A model of any output form (what saving, summary and callbacks take). */
export type AnyModel = Model<PredictResult>;

/** How a functional model's outputs were given to tg.model: one, an array, or a record by name. */
interface OutputForm {
  graph: Graph;
  /** The record's keys when outputs were given as a record, else null. */
  keys: string[] | null;
  /** Whether outputs was a single symbolic tensor. */
  single: boolean;
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
export class Model<P extends PredictResult = Tensor> extends Module {
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
  /** The layer graph of a functional model (tg.model({ inputs, outputs })), else null. */
  readonly graph: Graph | null;
  #outputs: OutputForm | null;
  #inputShape: number[] | null = null;
  #outputShape: number[] | null = null;

  /** Use tg.sequential(...), tg.model(module, ...) or tg.model({ inputs, outputs }). */
  constructor(layers: readonly Layer[], module: Module | null, args: ModelArgs = {}, outputs: OutputForm | null = null) {
    super();
    this.name = args.name === undefined ? (module ? 'model' : outputs ? 'functional' : 'sequential') : checkName(args.name, 'model');
    this.layers = layers;
    this.module = module;
    this.graph = outputs?.graph ?? null;
    this.#outputs = outputs;
    if (this.graph) {
      // a functional model's layers were built when applied to the symbolic inputs
      this.#inputShape = [...this.graph.inputs[0].rowShape];
      this.#outputShape = [...this.graph.outputs[0].rowShape];
      return;
    }
    const first = layers[0]?.inputShapeArg ?? null;
    const shape = args.inputShape !== undefined ? checkShapeArg(args.inputShape, this.name) : first;
    if (shape) this.build(shape);
  }

  /** 'Functional', 'Sequential', or 'Model' (a wrapped Module), as Keras names model classes. */
  get className(): string {
    return this.graph ? 'Functional' : this.module ? 'Model' : 'Sequential';
  }

  /** The names of the outputs: a functional model's output layers (or record keys); ['output'] otherwise. */
  get outputNames(): string[] {
    if (!this.#outputs) return ['output'];
    return this.#outputs.keys ?? this.#outputs.graph.outputNames;
  }

  /** The names of the inputs (tg.input names); ['input'] for sequential and wrapped models. */
  get inputNames(): string[] {
    return this.graph ? this.graph.inputNames : ['input'];
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

  /**
   * A layer by name, or by its position (as Keras' `get_layer` and TF.js's `getLayer`): a functional model's
   * layers (and models used as layers) in the order they were first applied, inputs not counted, or a
   * sequential model's layers.
   * @example
   * ```ts
   * const net = tg.sequential([tg.layers.dense({ units: 2, inputShape: [3], name: 'first' })]);
   * net.getLayer('first') === net.getLayer(0);   // true
   * ```
   */
  getLayer(nameOrIndex: string | number): Layer | AnyModel {
    const all = (this.graph ? this.graph.callables : this.layers) as readonly (Layer | AnyModel)[];
    if (typeof nameOrIndex === 'number') {
      if (!Number.isInteger(nameOrIndex) || nameOrIndex < 0 || nameOrIndex >= all.length) throw new RangeError(`${this.name}.getLayer: index ${nameOrIndex} is out of range; the model has ${all.length} layer(s)`);
      return all[nameOrIndex];
    }
    const found = all.find((l) => l.name === nameOrIndex);
    if (!found) throw new RangeError(`${this.name}.getLayer: no layer named ${JSON.stringify(nameOrIndex)}; the layers are ${all.map((l) => l.name).join(', ') || '(none)'}`);
    return found;
  }

  /** The dtype of the parameters (float32 when there are none). */
  get dtype(): DType {
    return this.parameters()[0]?.dtype ?? 'float32';
  }

  override namedChildren(): [string, AnyModule][] {
    if (this.graph) return this.graph.callables.map((c) => [c.name as string, c]);
    return this.module ? this.module.namedChildren() : this.layers.map((l, i) => [String(i), l]);
  }

  override namedOwnParameters(): [string, Parameter][] {
    return this.module ? this.module.namedOwnParameters() : [];
  }

  override train(mode = true): this {
    this.training = mode;
    if (this.module) this.module.train(mode);
    for (const l of this.layers) l.train(mode);
    if (this.graph) for (const c of this.graph.callables) c.train(mode);
    return this;
  }

  override forward(...xs: Tensor[]): Tensor {
    const x = xs[0];
    if (this.graph) {
      if (xs.length !== this.graph.inputs.length || this.graph.outputs.length !== 1) {
        throw new RangeError(`${this.name}: forward takes ${this.graph.inputs.length} input(s) and returns one output; this model has ${this.graph.outputs.length} outputs: use forwardAll(inputs)`);
      }
      return this.graph.run(xs)[0].out;
    }
    if (this.module) return this.module.call(x);
    // as nn.Sequential: the results passed between library layers go back to the caching allocator when dead
    return runChain(this.layers, x)[0];
  }

  /** Every output of the model for one tensor per input, in output order. */
  forwardAll(xs: readonly Tensor[]): Tensor[] {
    return this.forwardHeads(xs, []).map((r) => r.out);
  }

  /**
   * Every output, and for each output i with wantLogits[i] the output layer's pre-activation and its name
   * (losses that prefer logits use them). One entry for sequential and wrapped models.
   * @property __type.out The output.
   * @property __type.logits The output layer's input to its activation, or null.
   * @property __type.activation The output layer's activation name, or null.
   */
  forwardHeads(xs: readonly Tensor[], wantLogits: readonly boolean[]): { out: Tensor; logits: Tensor | null; activation: string | null }[] {
    if (this.graph) {
      if (xs.length !== this.graph.inputs.length) throw new RangeError(`${this.name}: expected ${this.graph.inputs.length} inputs (${this.inputNames.join(', ')}), got ${xs.length}`);
      return this.graph.run(xs, wantLogits);
    }
    if (!wantLogits[0]) return [{ out: this.forward(xs[0]), logits: null, activation: null }];
    const last = this.layers[this.layers.length - 1];
    if (this.module || !last) return [{ out: this.forward(xs[0]), logits: null, activation: null }];
    const r = this.chainWithLogits(xs[0]);
    return [{ out: r.out, logits: r.logits, activation: r.activation }];
  }

  /** How outputs were given to tg.model: 'single' (one tensor), 'array', or 'record' (then outputNames are its keys). */
  get outputForm(): 'single' | 'array' | 'record' {
    const form = this.#outputs;
    return !form || form.single ? 'single' : form.keys ? 'record' : 'array';
  }

  /** predict()'s result from the output tensors: one tensor, an array, or a record, as outputs were given. */
  arrangeOutputs(outs: Tensor[]): P {
    const form = this.#outputs;
    if (!form || form.single) return outs[0] as P;
    if (form.keys) return Object.fromEntries(form.keys.map((k, i) => [k, outs[i]])) as P;
    return outs as P;
  }

  /**
   * Applies this model as a layer inside another functional model, sharing its weights, as Keras' `model(x)`:
   * a functional model with several inputs takes a list of symbolic tensors, and one with several outputs
   * returns a list of them (in output order). On a tensor it runs forward.
   * @example
   * ```ts
   * const a = tg.input({ shape: [4] }), b = tg.input({ shape: [4] });
   * const sum = tg.layers.add().apply([a, b]);
   * const twoHeads = tg.model({ inputs: [a, b], outputs: [tg.layers.dense({ units: 3 }).apply(sum), tg.layers.dense({ units: 1 }).apply(sum)] });
   * const x = tg.input({ shape: [4] }), y = tg.input({ shape: [4] });
   * const [h3, h1] = twoHeads.apply([x, y]) as tg.SymbolicTensor[];   // symbolic [null, 3] and [null, 1]
   * ```
   */
  apply(x: Tensor): Tensor;
  apply(x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor;
  apply(x: Tensor | SymbolicTensor | SymbolicTensor[]): Tensor | SymbolicTensor {
    if (x instanceof Tensor) return this.call(x);
    if (this.returnsList) return applySymbolicAll(this, Array.isArray(x) ? x : [x]) as unknown as SymbolicTensor;
    return applySymbolic(this, x);
  }

  /** Whether, used as a layer, it makes several outputs (a functional model with several outputs). */
  get returnsList(): boolean {
    return this.graph !== null && this.graph.outputs.length > 1;
  }

  /**
   * The functional API's build when this model is used as a layer: one input per model input, each of the
   * shape it was built for; returns the first output's shape.
   */
  buildFor(inputShapes: readonly (readonly number[])[]): number[] {
    return this.outputShapesFor(inputShapes)[0];
  }

  /** Every output's shape (without the batch dim) for these input shapes, checking them as buildFor does. */
  outputShapesFor(inputShapes: readonly (readonly number[])[]): number[][] {
    const where = `${this.name} (${this.className})`;
    if (this.graph) {
      const want = this.graph.inputs.map((t) => t.rowShape);
      if (inputShapes.length !== want.length) throw new RangeError(`${where}: used as a layer it takes ${want.length} input(s) (${this.inputNames.join(', ')}), got ${inputShapes.length}`);
      inputShapes.forEach((s, i) => {
        if (s.join() !== want[i].join()) throw new RangeError(`${where}: input ${i} (${this.inputNames[i]}) must have shape [null,${want[i].join(',')}], received [null,${s.join(',')}]`);
      });
      return this.graph.outputs.map((t) => [...t.rowShape]);
    }
    if (inputShapes.length !== 1) throw new RangeError(`${where}: used as a layer it takes one input, got ${inputShapes.length}`);
    if (!this.built) this.build(inputShapes[0]);
    if (inputShapes[0].join() !== this.#inputShape!.join()) {
      throw new RangeError(`${where}: expected an input of shape [null,${this.#inputShape!.join(',')}], received [null,${inputShapes[0].join(',')}]`);
    }
    return [[...this.#outputShape!]];
  }

  /** Runs the model on concrete inputs when used as a layer: one tensor, or every output when it makes several. */
  callOn(inputs: readonly Tensor[]): Tensor | Tensor[] {
    return this.returnsList ? this.forwardAll(inputs) : this.forward(...inputs);
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
    const r = this.chainWithLogits(x);
    return { out: r.out, logits: r.activation === c.loss.wantsLogitsOf ? r.logits : null };
  }

  /** The layers in order, the last through forwardWithLogits (the results between layers recycled as in forward). */
  private chainWithLogits(x: Tensor): { out: Tensor; logits: Tensor | null; activation: string | null } {
    let r: { out: Tensor; logits: Tensor | null; activation: string | null } | null = null;
    runChain(this.layers, x, (m, h) => {
      r = (m as Layer).forwardWithLogits(h);
      return r.logits ? [r.out, r.logits] : [r.out];
    });
    return r!;
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
      if (k !== 'optimizer' && k !== 'loss' && k !== 'metrics' && k !== 'lossWeights') throw new RangeError(`compile: unknown option ${JSON.stringify(k)} (options: optimizer, loss, metrics, lossWeights)`);
    }
    if (args.optimizer === undefined) throw new TypeError("compile: optimizer is required, e.g. 'adam'");
    if (args.loss === undefined) throw new TypeError("compile: loss is required, e.g. 'meanSquaredError'");
    let outputs: OutputCompile[];
    if (this.graph) {
      outputs = compileOutputs(this.outputNames, args.loss, args.lossWeights, args.metrics);
    } else {
      if (args.lossWeights !== undefined) throw new RangeError('compile: lossWeights is for models with several outputs (tg.model({ inputs, outputs }))');
      const loss = resolveLoss(args.loss as LossSpec, 'compile');
      const metricNames = (args.metrics ?? []) as string[];
      resolveMetrics(metricNames, { kind: loss.kind, units: 1, fromLogits: loss.fromLogits }, 'compile'); // names only
      outputs = [{ name: 'output', loss, lossConfig: loss.config, weight: 1, metricNames: [...metricNames] }];
    }
    const { loss, metricNames } = outputs[0];
    if (this.built && !this.graph) checkLossOutput(loss, modelFacts(this), 'compile');
    const spec = args.optimizer;
    let optimizer: OptimizerLike | null = null;
    let config: OptimizerConfig | null = null;
    if (this.built) ({ optimizer, config } = resolveOptimizer(spec, this.parameters(), 'compile'));
    else if (typeof spec === 'string' || (typeof spec === 'object' && spec !== null && !('step' in spec))) {
      config = optimizerConfig(spec as string | OptimizerConfig, 'compile').config; // checked now, created once built
    }
    this.compiled = { outputs, loss, metricNames: [...metricNames], optimizerSpec: spec, optimizerConfig: config, lossConfig: loss.config, optimizer };
  }

  /**
   * Trains for `epochs` passes; resolves to a History of plain numbers.
   * @example
   * ```ts
   * const history = await net.fit(x, y, { epochs: 50, batchSize: 16, validationSplit: 0.2 });
   * history.history.loss; // one value per epoch (and val_loss)
   * ```
   */
  fit(x: ModelData, y: ModelData, args: FitArgs = {}): Promise<History> {
    return fitModel(this, x, y, args);
  }

  /**
   * Loss and metrics over all rows (eval mode, no tape), by Keras key: `{ loss, accuracy, ... }` (see
   * {@link EvaluateLogs}). With `{ returnDict: false }` (Keras' default form) the same numbers as an array
   * in Keras' order: the loss, each output's loss (several outputs only), then the metrics.
   * @example
   * ```ts
   * const { loss } = net.evaluate(xTest, yTest);
   * const acc: number = net.evaluate<'accuracy'>(xTest, yTest).accuracy; // typed key
   * const [total] = net.evaluate(xTest, yTest, { returnDict: false });
   * ```
   */
  evaluate<K extends string = string>(x: ModelData, y: ModelData, args?: EvaluateArgs & { returnDict?: true }): EvaluateLogs<K>;
  evaluate(x: ModelData, y: ModelData, args: EvaluateArgs & { returnDict: false }): number[];
  evaluate(x: ModelData, y: ModelData, args: EvaluateArgs & { returnDict?: boolean } = {}): EvaluateLogs | number[] {
    checkOptions('evaluate', args, ['batchSize', 'returnDict']);
    const { returnDict = true, ...rest } = args;
    if (typeof returnDict !== 'boolean') throw new TypeError(`evaluate: returnDict must be true or false, got ${String(returnDict)}`);
    const logs = evaluateModel(this, x, y, rest);
    return returnDict ? logs : Object.values(logs);
  }

  /**
   * The model's outputs for every row (eval mode: dropout off; no tape).
   * @example
   * ```ts
   * const yPred = net.predict(xTest); // shape [rows, ...outputShape]
   * ```
   */
  predict(x: ModelData, args: { batchSize?: number } = {}): P {
    checkOptions('predict', args, ['batchSize']);
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

  /**
   * The model's layers as a graph of plain data (inputs, layers, the edges between them), for drawing with
   * tg.plot.modelGraph. A sequential model is a chain.
   */
  layerGraph(): LayerGraph {
    if (this.graph) return this.graph.describe();
    const nodes: LayerGraphNode[] = [{ name: 'input', className: 'InputLayer', outputShape: this.inputShape ?? [], inbound: [], isInput: true }];
    const children: [string, string, number[] | null][] = this.module
      ? this.module.namedChildren().map(([n, c]) => [n, c.constructor.name, null])
      : this.layers.map((l) => [l.name ?? snakeCase(l.className), l.className, l.outputShape]);
    children.forEach(([name, className, shape], i) => {
      nodes.push({ name, className, outputShape: shape ?? (i === children.length - 1 ? this.outputShape ?? [] : []), inbound: [nodes[nodes.length - 1].name], isInput: false });
    });
    return { nodes, outputs: [nodes[nodes.length - 1].name] };
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
  checkOptions('sequential', args, ['name', 'inputShape']);
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
      const base = snakeCase(l.className);
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

/** Arguments of the functional form of {@link model}: the symbolic inputs and outputs, and a name. */
export interface FunctionalArgs {
  /** The tg.input() tensors the model takes (one, or an array in the order fit and predict take them). */
  inputs: SymbolicTensor | SymbolicTensor[];
  /** The symbolic tensors it returns: one, an array, or a record by output name. */
  outputs: SymbolicTensor | SymbolicTensor[] | Record<string, SymbolicTensor>;
  /** The model's name (default 'functional'). */
  name?: string;
}

/** predict()'s result type for the given outputs. */
type OutputsResult<O> = O extends SymbolicTensor ? Tensor : O extends SymbolicTensor[] ? Tensor[] : Record<string, Tensor>;

/**
 * A Keras-style model. Two forms:
 * - `tg.model({ inputs, outputs, name })`: the functional API (Keras' `Model(inputs, outputs)`): layers
 *   applied to `tg.input()` tensors, with any number of inputs and outputs; a layer applied twice shares its weights.
 * - `tg.model(module, { inputShape })`: wraps any nn Module (its stateDict keys stay the module's).
 * @example
 * ```ts
 * const x = tg.input({ shape: [784] });
 * const h = tg.layers.dense({ units: 64, activation: 'relu' }).apply(x);
 * const digit = tg.layers.dense({ units: 10, activation: 'softmax', name: 'digit' }).apply(h);
 * const parity = tg.layers.dense({ units: 1, activation: 'sigmoid', name: 'parity' }).apply(h);
 * const net = tg.model({ inputs: x, outputs: [digit, parity] });
 * net.compile({ optimizer: 'adam', loss: { digit: 'sparseCategoricalCrossentropy', parity: 'binaryCrossentropy' }, lossWeights: { parity: 0.3 }, metrics: { digit: ['accuracy'] } });
 * ```
 */
export function model<O extends FunctionalArgs['outputs']>(args: FunctionalArgs & { outputs: O }): Model<OutputsResult<O>>;
export function model(module: Module, args?: ModelArgs): Model;
export function model(moduleOrArgs: Module | FunctionalArgs, args: ModelArgs = {}): AnyModel {
  if (moduleOrArgs instanceof Module) {
    checkOptions('model', args, ['name', 'inputShape']);
    return new Model([], moduleOrArgs, args);
  }
  if (typeof moduleOrArgs !== 'object' || moduleOrArgs === null || !('outputs' in moduleOrArgs) || !('inputs' in moduleOrArgs)) {
    throw new TypeError('model: expected { inputs, outputs } (the functional API) or an nn Module to wrap');
  }
  const fa = moduleOrArgs as FunctionalArgs;
  for (const k of Object.keys(fa)) {
    if (k !== 'inputs' && k !== 'outputs' && k !== 'name') throw new RangeError(`model: unknown option ${JSON.stringify(k)} (options: inputs, outputs, name)`);
  }
  const name = fa.name === undefined ? 'functional' : checkName(fa.name, 'model');
  const inputs = Array.isArray(fa.inputs) ? fa.inputs : [fa.inputs];
  const single = !Array.isArray(fa.outputs) && isSymbolicTensor(fa.outputs);
  const keys = !single && !Array.isArray(fa.outputs) ? Object.keys(fa.outputs) : null;
  const outputs = single ? [fa.outputs as SymbolicTensor] : Array.isArray(fa.outputs) ? fa.outputs : Object.values(fa.outputs as Record<string, SymbolicTensor>);
  if (keys) keys.forEach((k) => checkName(k, `model: output name ${JSON.stringify(k)}`));
  const graph = new Graph(inputs, outputs, `model "${name}"`);
  const outNames = keys ?? graph.outputNames;
  if (new Set(outNames).size !== outNames.length) throw new RangeError(`model "${name}": two outputs have the same name (${outNames.join(', ')}); name the output layers, or pass outputs as a record`);
  const layers = graph.callables.filter((c): c is Layer => c instanceof Layer);
  return new Model(layers, null, { name }, { graph, keys, single });
}
