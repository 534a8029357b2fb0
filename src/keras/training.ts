// The loops behind Model.fit, evaluate and predict: seeded shuffling, mini-batch steps, metrics,
// validation, callbacks, NaN termination, progress output, and a cheap yield to the event loop per batch.

import { concat } from '../autograd/functions.js';
import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import { type DataInput, pickGenerator } from '../data/arrays.js';
import { batchOf } from '../data/loader.js';
import { type AdversarialOptions, type AdversarialSettings, adversarialInputs, adversarialSettings, checkInRange } from './adversarial.js';
import type { Generator } from '../tensor/random.js';
import { type CallbackHooks, CallbackList, type EvaluateLogs, History, type Logs } from './callbacks.js';
import type { Layer } from './layer.js';
import { type Metric, resolveMetrics } from './metrics.js';
import type { Compiled, Model, PredictResult } from './model.js';
import type { ResolvedLoss } from './losses.js';
import type { OptimizerLike } from './optimizers.js';
import { resolveOptimizer } from './optimizers.js';
import { Progress } from './progress.js';
import { checkLossOutput, type ModelFacts, prepareX, prepareY } from './validate.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';
import { beginCapture, endCapture } from '../tensor/storage.js';
import type { TypedArray } from '../tensor/dtype.js';

/** Held-out data for fit() to evaluate after each epoch (the object form of `validationData`). */
export interface ValidationData {
  /** Validation inputs (one array per input for several inputs). */
  x: ModelData;
  /** Validation targets (one array per output for several outputs). */
  y: ModelData;
}

/** Options for {@link Model.fit} (Keras names and defaults). */
export interface FitArgs {
  /** Passes over the training rows (default 1). */
  epochs?: number;
  /** Rows per gradient step (default 32). */
  batchSize?: number;
  /** Reshuffle the training rows every epoch (default true), from `seed` or `generator` (else the default generator). */
  shuffle?: boolean;
  /** Seed for the shuffles (a fresh generator per fit call). */
  seed?: number;
  /** Generator for the shuffles (ignored when `seed` is given). */
  generator?: Generator;
  /** Hold out this fraction of the rows, taken from the end before shuffling as Keras does, for validation. */
  validationSplit?: number;
  /** Validation rows as [x, y] or { x, y } (takes precedence over validationSplit). */
  validationData?: [ModelData, ModelData] | ValidationData;
  /** Hooks ({ onEpochEnd(epoch, logs), ... }), callback objects such as tg.callbacks.earlyStopping(), or a list. */
  callbacks?: CallbackHooks | CallbackHooks[];
  /** 0 silent, 1 progress bar on a terminal (else one line per epoch), 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** Stop as soon as a batch loss is NaN or infinite, before that step is applied (default true). */
  terminateOnNaN?: boolean;
  /**
   * Adversarial training: before each step, replace the batch (or a `ratio` of its rows) by PGD or
   * FGSM-from-a-random-start examples against the current weights, made in inference mode from every float
   * input at once against the compiled (weighted) loss. E.g. `{ attack: 'pgd', epsilon: 0.1, steps: 7, clipMin: 0, clipMax: 1 }`.
   */
  adversarial?: AdversarialOptions;
}

const FIT_OPTIONS = optionKeys<FitArgs>({
  epochs: true, batchSize: true, shuffle: true, seed: true, generator: true, validationSplit: true, validationData: true,
  callbacks: true, verbose: true, terminateOnNaN: true, adversarial: true,
});

/** Options for {@link Model.evaluate}. */
export interface EvaluateArgs {
  /** Rows per evaluation batch (default 32). */
  batchSize?: number;
}

type Immediate = (cb: () => void) => unknown;

/** The fastest macrotask available: setImmediate (Node), else a MessageChannel (browsers), else setTimeout. */
const yieldNow: () => Promise<void> = (() => {
  const si = (globalThis as { setImmediate?: Immediate }).setImmediate;
  if (typeof si === 'function') return () => new Promise<void>((r) => { si(r); });
  if (typeof MessageChannel === 'function') {
    let channel: MessageChannel | null = null;
    const queue: (() => void)[] = [];
    return () => new Promise<void>((r) => {
      if (!channel) {
        channel = new MessageChannel();
        channel.port1.onmessage = () => queue.shift()?.();
      }
      queue.push(r);
      channel.port2.postMessage(null);
    });
  }
  return () => new Promise<void>((r) => { setTimeout(r, 0); });
})();

function positiveInt(v: unknown, name: string, where: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw new RangeError(`${where}: ${name} must be a positive integer, got ${String(v)}`);
  return v as number;
}

/** Data for a model: one array per input (x) and per output (y); single-input models take x itself. */
export type ModelData = DataInput | DataInput[] | Record<string, DataInput>;

/** Prepared, checked data: one tensor per model input and one per output, all with the same rows. */
interface Prepared {
  xs: Tensor[];
  ys: Tensor[];
}

/** One output's training state: its compile settings with the facts its checks need. */
interface Head {
  /** The log prefix ('' for a single-output model, else 'digit_'). */
  prefix: string;
  loss: ResolvedLoss;
  weight: number;
  metricNames: string[];
  facts: ModelFacts;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && Object.getPrototypeOf(v) === Object.prototype;

/**
 * One array per name from data given as a single array (one name), an array in order, or a record by name.
 * `kind` is 'input' or 'output'; errors list the names.
 */
function splitData(data: ModelData, names: readonly string[], kind: 'input' | 'output', what: string): DataInput[] {
  if (isRecord(data)) {
    for (const k of Object.keys(data)) {
      if (!names.includes(k)) throw new RangeError(`${what} names ${JSON.stringify(k)}, which is not an ${kind}; the ${kind}s are ${names.join(', ')}`);
    }
    return names.map((n) => {
      if (!Object.hasOwn(data, n)) throw new RangeError(`${what} has no array for ${kind} ${JSON.stringify(n)}; the ${kind}s are ${names.join(', ')}`);
      return data[n] as DataInput;
    });
  }
  if (names.length === 1) return [data as DataInput];
  if (!Array.isArray(data) || data.length !== names.length) {
    throw new RangeError(`${what}: the model has ${names.length} ${kind}s (${names.join(', ')}); pass an array of ${names.length} arrays in that order, or a record by name`);
  }
  return data as DataInput[];
}

/** The heads of a compiled model: one per output, with its loss, weight, metrics and facts. */
function headsOf(model: Model<PredictResult>, where: string): Head[] {
  const c = requireCompiled(model, where);
  const multi = c.outputs.length > 1;
  return c.outputs.map((o, i) => ({
    prefix: multi ? `${o.name}_` : '', loss: o.loss, weight: o.weight, metricNames: o.metricNames, facts: outputFacts(model, i),
  }));
}

/** Runs the model over rows in batches (eval mode, no tape) and returns loss and metrics as numbers. */
export function evaluateTensors(model: Model<PredictResult>, data: Prepared, batchSize: number, metrics: Metric[][], prefix = ''): Logs {
  const heads = headsOf(model, 'evaluate');
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      for (const ms of metrics) for (const m of ms) m.reset();
      const n = data.xs[0].shape[0];
      let lossSum = 0;
      const partSums = heads.map(() => 0);
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const outer = beginCapture();
        let made: TypedArray[];
        let b: Prepared, r: ReturnType<typeof headLosses>;
        try {
          b = sliceRows(data, null, start, end);
          r = headLosses(model, heads, b);
        } finally {
          made = endCapture(outer);
        }
        const { total, parts, outs, temps } = r;
        lossSum += total.item() * (end - start);
        parts.forEach((p, i) => { partSums[i] += p * (end - start); });
        heads.forEach((_, i) => { for (const m of metrics[i]) m.update(outs[i], b.ys[i]); });
        // metrics keep numbers, not tensors: this batch's tensors can serve the next one
        disposeMade([...temps, ...b.xs, ...b.ys], made);
      }
      const logs: Logs = { [`${prefix}loss`]: lossSum / n };
      if (heads.length > 1) heads.forEach((h, i) => { logs[`${prefix}${h.prefix}loss`] = partSums[i] / n; });
      heads.forEach((h, i) => { for (const m of metrics[i]) logs[`${prefix}${h.prefix}${m.name}`] = m.result(); });
      return logs;
    });
  } finally {
    model.train(wasTraining);
  }
}

/** Rows [start, end) of every tensor, in `order` when given (a shuffle), else in place. */
function sliceRows(data: Prepared, order: Int32Array | null, start: number, end: number): Prepared {
  return {
    xs: data.xs.map((x) => batchOf(x, undefined, order, start, end).x),
    ys: data.ys.map((y) => batchOf(y, undefined, order, start, end).x),
  };
}

/**
 * The model's outputs for a batch, each head's loss, and their weighted sum; `temps` lists every tensor made here
 * that the caller may dispose once it has read them (outputs, logits, the losses and their partial sums).
 */
function headLosses(model: Model<PredictResult>, heads: readonly Head[], b: Prepared): { total: Tensor; parts: number[]; outs: Tensor[]; temps: Tensor[] } {
  const results = model.forwardHeads(b.xs, heads.map((h) => h.loss.wantsLogitsOf !== null));
  let total: Tensor | null = null;
  const parts: number[] = [];
  const temps: Tensor[] = [];
  heads.forEach((h, i) => {
    const r = results[i];
    const logits = r.activation === h.loss.wantsLogitsOf ? r.logits : null;
    const li = h.loss.compute(r.out, b.ys[i], logits);
    parts.push(heads.length > 1 ? li.item() : NaN);
    const weighted = heads.length > 1 || h.weight !== 1 ? li.mul(h.weight) : li;
    total = total ? total.add(weighted) : weighted;
    temps.push(r.out, li, weighted, total);
    if (r.logits) temps.push(r.logits);
  });
  return { total: total!, parts, outs: results.map((r) => r.out), temps };
}

/**
 * Disposes the tensors a training or evaluation loop made for one batch and has finished reading (its slices of
 * the data, the outputs, the losses): only those whose array was made while `made` was captured (so never the
 * caller's data, a parameter, or a tensor a layer returned from elsewhere), and each only as Tensor.dispose allows
 * (a tensor another one shares, or that a live graph keeps, is only marked). Their arrays serve the next batch.
 */
function disposeMade(tensors: readonly Tensor[], made: readonly TypedArray[]): void {
  if (tensors.length === 0) return;
  const fresh = new Set<TypedArray>(made);
  for (const t of tensors) if (fresh.has(t.value.data) && !t.isParameter) t.dispose();
}

/** Outputs for every row, in batches, in eval mode without the tape. */
function predictTensors(model: Model<PredictResult>, xs: Tensor[], batchSize: number): Tensor[] {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const n = xs[0].shape[0];
      const run = (b: Tensor[]) => model.forwardHeads(b, []).map((r) => r.out);
      if (n <= batchSize) return run(xs);
      const parts: Tensor[][] = [];
      const made: TypedArray[] = [];
      for (let start = 0; start < n; start += batchSize) {
        const outer = beginCapture();
        let slices: Tensor[];
        let got: TypedArray[];
        try {
          slices = xs.map((x) => batchOf(x, undefined, null, start, Math.min(n, start + batchSize)).x);
          parts.push(run(slices));
        } finally {
          got = endCapture(outer);
        }
        for (const a of got) made.push(a);
        disposeMade(slices.filter((t) => !parts[parts.length - 1].includes(t)), got);
      }
      const outs = parts[0].map((_, k) => concat(parts.map((p) => p[k]), 0));
      // the per-batch outputs were copied into the results the caller receives
      disposeMade(parts.flat().filter((t) => !outs.includes(t)), made);
      return outs;
    });
  } finally {
    model.train(wasTraining);
  }
}

/** What the input checks need to know about a model (its first input and first output). */
export function modelFacts(model: Model<PredictResult>): ModelFacts {
  return outputFacts(model, 0);
}

/** The facts of output i (and of the model's first input): shapes, the output's activation, the dtype. */
function outputFacts(model: Model<PredictResult>, i: number): ModelFacts {
  const graph = model.graph;
  const last = graph ? (graph.outputs[i].source.layer as (Layer & { activation?: string }) | null)
    : (model.layers[model.layers.length - 1] as (Layer & { activation?: string }) | undefined);
  return {
    inputLayer: graph ? `input "${graph.inputs[0].name}"` : model.module ? `the model's input (${model.module.constructor.name})` : `layer 0 (${model.layers[0]?.name ?? 'input'})`,
    inputShape: model.inputShape,
    outputShape: graph ? [...graph.outputs[i].rowShape] : model.outputShape ?? [],
    outputActivation: last && typeof last.activation === 'string' ? last.activation : null,
    dtype: model.dtype,
  };
}

/** The compile() state; throws an Error naming `where` if the model is not compiled yet. */
function requireCompiled(model: Model<PredictResult>, where: string): Compiled {
  if (!model.compiled) throw new Error(`${where}: the model is not compiled; call model.compile({ optimizer: 'adam', loss: 'meanSquaredError' }) first`);
  return model.compiled;
}

/** The optimizer, created on first use for a model built lazily. */
function ensureOptimizer(model: Model<PredictResult>): OptimizerLike {
  const c = requireCompiled(model, 'fit');
  if (!c.optimizer) {
    const r = resolveOptimizer(c.optimizerSpec, model.parameters(), 'compile');
    c.optimizer = r.optimizer;
    c.optimizerConfig = r.config;
  }
  return c.optimizer;
}

/** Fresh metric accumulators for the compiled metric names of each output (fit and evaluate). */
function makeMetrics(model: Model<PredictResult>, where: string): Metric[][] {
  return headsOf(model, where).map((h) => {
    const out = h.facts.outputShape.length ? h.facts.outputShape : [1];
    return resolveMetrics(h.metricNames, { kind: h.loss.kind, units: out[out.length - 1] ?? 1, fromLogits: h.loss.fromLogits }, where);
  });
}

/** Converts and checks the inputs (building a sequential model for x's shape if needed). */
function prepareInputs(model: Model<PredictResult>, xIn: ModelData, where: string): Tensor[] {
  const graph = model.graph;
  if (!graph) {
    const x = prepareX(isRecord(xIn) ? splitData(xIn, ['input'], 'input', `${where}: x`)[0] : xIn as DataInput, `${where}: x`, modelFacts(model));
    if (!model.built) model.build(x.shape.slice(1));
    return [x];
  }
  const parts = splitData(xIn, graph.inputNames, 'input', `${where}: x`);
  const xs = parts.map((p, i) => prepareX(p, graph.inputs.length > 1 ? `${where}: x (input ${graph.inputNames[i]})` : `${where}: x`, {
    inputLayer: `input "${graph.inputNames[i]}"`, inputShape: graph.inputs[i].rowShape, dtype: model.dtype,
  }));
  xs.forEach((x, i) => {
    if (x.shape[0] !== xs[0].shape[0]) throw new RangeError(`${where}: input ${graph.inputNames[i]} has ${x.shape[0]} rows but input ${graph.inputNames[0]} has ${xs[0].shape[0]}`);
  });
  return xs;
}

/** Converts and checks x and y once; all errors come before any training step. */
export function prepareData(model: Model<PredictResult>, xIn: ModelData, yIn: ModelData, where: string): Prepared {
  const xs = prepareInputs(model, xIn, where);
  const heads = headsOf(model, where);
  const names = model.outputNames;
  const parts = splitData(yIn, names, 'output', `${where}: y`);
  const ys = heads.map((h, i) => {
    checkLossOutput(h.loss, h.facts, heads.length > 1 ? `${where} (output ${names[i]})` : where);
    return prepareY(parts[i], heads.length > 1 ? `${where}: y (output ${names[i]})` : `${where}: y`, xs[0].shape[0], h.loss, h.facts);
  });
  return { xs, ys };
}

/** Model.predict: outputs for every row, in batches, eval mode, no tape (one tensor per output when several). */
export function predictModel<P extends PredictResult>(model: Model<P>, xIn: ModelData, args: { batchSize?: number }): P {
  const batchSize = positiveInt(args.batchSize ?? 32, 'batchSize', 'predict');
  const outs = predictTensors(model, prepareInputs(model, xIn, 'predict'), batchSize);
  return model.arrangeOutputs(outs);
}

/** fit()'s options, checked, with defaults filled in. */
interface FitSettings {
  epochs: number;
  batchSize: number;
  verbose: 0 | 1 | 2;
  split: number;
}

function fitSettings(args: FitArgs, where: string): FitSettings {
  const epochs = args.epochs ?? 1;
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new RangeError(`${where}: epochs must be a non-negative integer, got ${String(epochs)}`);
  const batchSize = positiveInt(args.batchSize ?? 32, 'batchSize', where);
  const verbose = args.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new RangeError(`${where}: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  const split = args.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new RangeError(`${where}: validationSplit must be in [0, 1), got ${String(split)}`);
  return { epochs, batchSize, verbose, split };
}

/** The training rows and the validation rows (validationData, else the last validationSplit of the rows, as Keras). */
function trainAndValidation(
  model: Model<PredictResult>, data: Prepared, args: FitArgs, split: number, where: string,
): { train: Prepared; val: Prepared | null } {
  if (args.validationData !== undefined) {
    const vd = args.validationData;
    const [vx, vy] = Array.isArray(vd) ? vd : [vd.x, vd.y];
    return { train: data, val: prepareData(model, vx, vy, `${where}: validationData`) };
  }
  if (split === 0) return { train: data, val: null };
  const n = data.xs[0].shape[0];
  const nTrain = Math.floor(n * (1 - split));
  if (nTrain < 1 || nTrain >= n) throw new RangeError(`${where}: validationSplit ${split} of ${n} rows leaves ${nTrain} for training and ${n - nTrain} for validation; both need at least one`);
  const head = (t: Tensor) => t.slice(0, 0, nTrain).contiguous();
  const tail = (t: Tensor) => t.slice(0, nTrain).contiguous();
  return {
    train: { xs: data.xs.map(head), ys: data.ys.map(head) },
    val: { xs: data.xs.map(tail), ys: data.ys.map(tail) },
  };
}

/** Everything one epoch of training needs, fixed for the whole fit() call. */
interface EpochContext {
  model: Model<PredictResult>;
  data: Prepared;
  heads: Head[];
  batchSize: number;
  optimizer: OptimizerLike;
  metrics: Metric[][];
  callbacks: CallbackList;
  progress: Progress;
  terminateOnNaN: boolean;
  /** True when a callback has onTrainBatchData or onTrainBatchTensors (it sees the batch tensors and may keep them). */
  batchHooks: boolean;
  /** fit's adversarial option, checked, and the generator of its random starts (null without the option). */
  adversarial: { settings: AdversarialSettings; gen: Generator } | null;
}

/** The epoch's logs so far: the mean total loss, each output's mean loss (several outputs), and the metrics. */
function epochLogs(ctx: EpochContext, lossSum: number, partSums: number[], seen: number): Logs {
  const logs: Logs = { loss: lossSum / Math.max(1, seen) };
  if (ctx.heads.length > 1) ctx.heads.forEach((h, i) => { logs[`${h.prefix}loss`] = partSums[i] / Math.max(1, seen); });
  ctx.heads.forEach((h, i) => { for (const m of ctx.metrics[i]) logs[`${h.prefix}${m.name}`] = m.result(); });
  return logs;
}

/**
 * One pass over the rows in the given order: a gradient step per batch. Returns the epoch's logs and,
 * when a batch loss was not finite (and terminateOnNaN), that batch's index (its step not applied).
 */
async function trainEpoch(ctx: EpochContext, order: Int32Array | null): Promise<{ logs: Logs; nanAt: number }> {
  const { model, data, heads, batchSize, optimizer, metrics, callbacks, progress } = ctx;
  const n = data.xs[0].shape[0];
  const steps = Math.ceil(n / batchSize);
  for (const ms of metrics) for (const m of ms) m.reset();
  let lossSum = 0;
  const partSums = heads.map(() => 0);
  let seen = 0;
  for (let b = 0; b < steps; b++) {
    const start = b * batchSize;
    const end = Math.min(n, start + batchSize);
    await callbacks.batchBegin(b, { batch: b, size: end - start });
    // everything made from here to the losses is this batch's own (captured, so disposeMade can tell)
    const outer = beginCapture();
    let made: TypedArray[];
    let sliced: Prepared, batch: Prepared, r: ReturnType<typeof headLosses>;
    try {
      batch = sliced = sliceRows(data, order, start, end);
      if (batch.xs.length === 1 && batch.ys.length === 1) {
        // augmentation / adversarial hooks (onTrainBatchData) see one-input, one-output models' batches
        const d = callbacks.batchData(b, { x: batch.xs[0], y: batch.ys[0] });
        batch = { xs: [d.x], ys: [d.y] };
      }
      batch = callbacks.batchTensors(b, batch);
      if (ctx.adversarial) batch = adversarialBatch(model, batch, ctx.adversarial.settings, ctx.adversarial.gen);
      optimizer.zeroGrad();
      r = headLosses(model, heads, batch);
    } finally {
      made = endCapture(outer);
    }
    const { total, parts, outs, temps } = r;
    const lv = total.item();
    lossSum += lv * (end - start);
    parts.forEach((p, i) => { partSums[i] += p * (end - start); });
    seen += end - start;
    if (!Number.isFinite(lv) && ctx.terminateOnNaN) return { logs: epochLogs(ctx, lossSum, partSums, seen), nanAt: b };
    total.backward();
    optimizer.step();
    heads.forEach((_, i) => { for (const m of metrics[i]) m.update(outs[i], batch.ys[i]); });
    // the metrics keep numbers and the callbacks get numbers: the batch's outputs and losses (and its slices of the
    // data, unless a batch hook saw them and may keep them) serve the next batch, as TF.js's fit disposes them
    disposeMade(ctx.batchHooks ? temps : [...temps, ...sliced.xs, ...sliced.ys, ...batch.xs, ...batch.ys], made);
    const batchLogs: Logs = { batch: b, size: end - start, ...epochLogs(ctx, lossSum, partSums, seen) };
    progress.batchEnd(b, batchLogs);
    await callbacks.batchEnd(b, batchLogs);
    await yieldNow();
  }
  return { logs: epochLogs(ctx, lossSum, partSums, seen), nanAt: -1 };
}

/**
 * Checks adversarial training options against the model's inputs and the training data (which must lie in
 * [clipMin, clipMax]); used by fit({ adversarial }) and tg.robust.adversarialTraining.
 */
export function checkedAdversarial(model: Model<PredictResult>, data: { xs: Tensor[] }, options: AdversarialOptions, where: string): AdversarialSettings {
  const settings = adversarialSettings(options, model.inputNames, data.xs.map((x) => x.dtype), where);
  data.xs.forEach((x, i) => {
    if (settings.perturb[i]) checkInRange(x.contiguous().value.values(), settings.clipMin, settings.clipMax, data.xs.length > 1 ? `${where} (input ${model.inputNames[i]})` : where);
  });
  return settings;
}

/**
 * A training batch with adversarial inputs (see {@link adversarialInputs}): the attack runs in inference mode
 * (dropout off, batch norm on its running statistics) against the compiled total loss, then the model's mode
 * is put back for the step. One tensor per input and per output, as fit prepares them.
 */
export function adversarialBatch(model: Model<PredictResult>, batch: { xs: Tensor[]; ys: Tensor[] }, settings: AdversarialSettings, gen: Generator): { xs: Tensor[]; ys: Tensor[] } {
  const heads = headsOf(model, 'fit');
  const was = model.training;
  model.eval();
  try {
    const xs = adversarialInputs((xb, yb) => headLosses(model, heads, { xs: xb, ys: yb }).total, batch.xs, batch.ys, settings, gen);
    return { xs, ys: batch.ys };
  } finally {
    model.train(was);
  }
}

/** Model.fit: validates everything first, then trains epoch by epoch; returns a History of plain numbers. */
export async function fitModel(model: Model<PredictResult>, xIn: ModelData, yIn: ModelData, args: FitArgs = {}): Promise<History> {
  checkOptions('fit', args, FIT_OPTIONS);
  // two fits on one model would interleave their steps and share the optimizer's state (TF.js refuses too)
  if (fitting.has(model)) throw new Error('fit: cannot start training because another fit() call is ongoing on this model; await it first');
  fitting.add(model);
  try {
    return await runFit(model, xIn, yIn, args);
  } finally {
    fitting.delete(model);
  }
}

/** The models whose fit() is running. */
const fitting = new WeakSet<Model<PredictResult>>();

async function runFit(model: Model<PredictResult>, xIn: ModelData, yIn: ModelData, args: FitArgs): Promise<History> {
  const where = 'fit';
  const { epochs, batchSize, verbose, split } = fitSettings(args, where);
  const data = prepareData(model, xIn, yIn, where);
  const { train, val } = trainAndValidation(model, data, args, split, where);
  if (train.xs[0].shape[0] === 0) throw new RangeError(`${where}: x has no rows`);

  const nTrain = train.xs[0].shape[0];
  const ctx: EpochContext = {
    model, data: train, heads: headsOf(model, where), batchSize,
    optimizer: ensureOptimizer(model),
    metrics: makeMetrics(model, where),
    callbacks: CallbackList.from(args.callbacks),
    batchHooks: CallbackList.from(args.callbacks).seesBatches,
    progress: new Progress(verbose, epochs, Math.ceil(nTrain / batchSize)),
    terminateOnNaN: args.terminateOnNaN ?? true,
    adversarial: args.adversarial === undefined ? null : {
      settings: checkedAdversarial(model, train, args.adversarial, `${where}: adversarial`),
      gen: pickGenerator(args.adversarial),
    },
  };
  const valMetrics = val ? makeMetrics(model, where) : [];
  const gen = pickGenerator(args);
  const shuffle = args.shuffle ?? true;
  const history = new History();
  const wasTraining = model.training;
  const { callbacks, progress } = ctx;

  model.stopTraining = false;
  callbacks.setModel(model);
  let lastLogs: Logs = {};
  try {
    await callbacks.trainBegin({});
    for (let epoch = 0; epoch < epochs; epoch++) {
      model.train();
      progress.epochBegin(epoch);
      await callbacks.epochBegin(epoch, {});
      const { logs, nanAt } = await trainEpoch(ctx, shuffle ? gen.permutation(nTrain) : null);
      if (val) Object.assign(logs, evaluateTensors(model, val, batchSize, valMetrics, 'val_'));
      history.record(epoch, logs);
      lastLogs = logs;
      progress.epochEnd(epoch, logs);
      if (nanAt >= 0) {
        const message = `fit: the loss is ${logs.loss} at epoch ${epoch + 1}, batch ${nanAt + 1}; training stopped before applying that step`;
        history.stopped = { reason: 'nanLoss', epoch, batch: nanAt, message };
        console.warn(message);
        await callbacks.epochEnd(epoch, logs);
        break;
      }
      await callbacks.epochEnd(epoch, logs);
      if (model.stopTraining) {
        history.stopped = { reason: 'stopTraining', epoch, message: `fit: stopped after epoch ${epoch + 1} by a callback` };
        break;
      }
    }
    await callbacks.trainEnd(lastLogs);
  } finally {
    model.train(wasTraining);
  }
  return history;
}

/** Model.evaluate: loss and metrics over all rows, as plain numbers (per output too, for several outputs). */
export function evaluateModel(model: Model<PredictResult>, xIn: ModelData, yIn: ModelData, args: EvaluateArgs = {}): EvaluateLogs {
  checkOptions('evaluate', args, ['batchSize']);
  const batchSize = positiveInt(args.batchSize ?? 32, 'batchSize', 'evaluate');
  const data = prepareData(model, xIn, yIn, 'evaluate');
  return evaluateTensors(model, data, batchSize, makeMetrics(model, 'evaluate')) as EvaluateLogs; // no prefix: it has `loss`
}
