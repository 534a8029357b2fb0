// The loops behind Model.fit, evaluate and predict: seeded shuffling, mini-batch steps, metrics,
// validation, callbacks, NaN termination, progress output, and a cheap yield to the event loop per batch.

import { concat } from '../autograd/functions.js';
import { noGrad } from '../autograd/mode.js';
import type { Tensor } from '../autograd/tensor.js';
import { type DataInput, pickGenerator } from '../data/arrays.js';
import { batchOf } from '../data/loader.js';
import type { Generator } from '../tensor/random.js';
import { type CallbackHooks, CallbackList, History, type Logs } from './callbacks.js';
import type { Layer } from './layer.js';
import { type Metric, resolveMetrics } from './metrics.js';
import type { Compiled, Model } from './model.js';
import type { OptimizerLike } from './optimizers.js';
import { resolveOptimizer } from './optimizers.js';
import { Progress } from './progress.js';
import { checkLossOutput, type ModelFacts, prepareX, prepareY } from './validate.js';

/** Held-out data for fit() to evaluate after each epoch (the object form of `validationData`). */
export interface ValidationData {
  /** Validation inputs. */
  x: DataInput;
  /** Validation targets. */
  y: DataInput;
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
  validationData?: [DataInput, DataInput] | ValidationData;
  /** Hooks ({ onEpochEnd(epoch, logs), ... }), callback objects such as tg.callbacks.earlyStopping(), or a list. */
  callbacks?: CallbackHooks | CallbackHooks[];
  /** 0 silent, 1 progress bar on a terminal (else one line per epoch), 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** Stop as soon as a batch loss is NaN or infinite, before that step is applied (default true). */
  terminateOnNaN?: boolean;
}

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

/** Runs the model over rows in batches (eval mode, no tape) and returns loss and metrics as numbers. */
export function evaluateTensors(model: Model, x: Tensor, y: Tensor, batchSize: number, metrics: Metric[], prefix = ''): Logs {
  const compiled = model.compiled!;
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      for (const m of metrics) m.reset();
      const n = x.shape[0];
      let lossSum = 0;
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const b = batchOf(x, y, null, start, end);
        const { out, logits } = model.forwardWithLogits(b.x);
        lossSum += compiled.loss.compute(out, b.y!, logits).item() * (end - start);
        for (const m of metrics) m.update(out, b.y!);
      }
      const logs: Logs = { [`${prefix}loss`]: lossSum / n };
      for (const m of metrics) logs[`${prefix}${m.name}`] = m.result();
      return logs;
    });
  } finally {
    model.train(wasTraining);
  }
}

/** Outputs for every row, in batches, in eval mode without the tape. */
function predictTensor(model: Model, x: Tensor, batchSize: number): Tensor {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const n = x.shape[0];
      if (n <= batchSize) return model.forward(x);
      const parts: Tensor[] = [];
      for (let start = 0; start < n; start += batchSize) parts.push(model.forward(batchOf(x, undefined, null, start, Math.min(n, start + batchSize)).x));
      return concat(parts, 0);
    });
  } finally {
    model.train(wasTraining);
  }
}

/** What the input checks need to know about a model. */
export function modelFacts(model: Model): ModelFacts {
  const last = model.layers[model.layers.length - 1] as (Layer & { activation?: string }) | undefined;
  return {
    inputLayer: model.module ? `the model's input (${model.module.constructor.name})` : `layer 0 (${model.layers[0]?.name ?? 'input'})`,
    inputShape: model.inputShape,
    outputShape: model.outputShape ?? [],
    outputActivation: last && typeof last.activation === 'string' ? last.activation : null,
    dtype: model.dtype,
  };
}

/** The compile() state; throws an Error naming `where` if the model is not compiled yet. */
function requireCompiled(model: Model, where: string): Compiled {
  if (!model.compiled) throw new Error(`${where}: the model is not compiled; call model.compile({ optimizer: 'adam', loss: 'meanSquaredError' }) first`);
  return model.compiled;
}

/** The optimizer, created on first use for a model built lazily. */
function ensureOptimizer(model: Model): OptimizerLike {
  const c = requireCompiled(model, 'fit');
  if (!c.optimizer) {
    const r = resolveOptimizer(c.optimizerSpec, model.parameters(), 'compile');
    c.optimizer = r.optimizer;
    c.optimizerConfig = r.config;
  }
  return c.optimizer;
}

/** Fresh metric accumulators for the compiled metric names (fit and evaluate). */
function makeMetrics(model: Model, where: string): Metric[] {
  const c = requireCompiled(model, where);
  const out = model.outputShape ?? [1];
  return resolveMetrics(c.metricNames, { kind: c.loss.kind, units: out[out.length - 1] ?? 1, fromLogits: c.loss.fromLogits }, where);
}

/** Converts and checks x and y once (building the model for x's shape if needed); all errors come before training. */
function prepareData(model: Model, xIn: DataInput, yIn: DataInput, where: string): { x: Tensor; y: Tensor } {
  const c = requireCompiled(model, where);
  const x = prepareX(xIn, `${where}: x`, modelFacts(model));
  if (!model.built) model.build(x.shape.slice(1));
  const facts = modelFacts(model);
  checkLossOutput(c.loss, facts, where);
  const y = prepareY(yIn, `${where}: y`, x.shape[0], c.loss, facts);
  return { x, y };
}

/** Model.predict: outputs for every row, in batches, eval mode, no tape. */
export function predictModel(model: Model, xIn: DataInput, args: { batchSize?: number }): Tensor {
  const batchSize = positiveInt(args.batchSize ?? 32, 'batchSize', 'predict');
  const x = prepareX(xIn, 'predict: x', modelFacts(model));
  if (!model.built) model.build(x.shape.slice(1));
  return predictTensor(model, x, batchSize);
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
  model: Model, x: Tensor, y: Tensor, args: FitArgs, split: number, where: string,
): { train: { x: Tensor; y: Tensor }; val: { x: Tensor; y: Tensor } | null } {
  if (args.validationData !== undefined) {
    const vd = args.validationData;
    const [vx, vy] = Array.isArray(vd) ? vd : [vd.x, vd.y];
    return { train: { x, y }, val: prepareData(model, vx, vy, `${where}: validationData`) };
  }
  if (split === 0) return { train: { x, y }, val: null };
  const n = x.shape[0];
  const nTrain = Math.floor(n * (1 - split));
  if (nTrain < 1 || nTrain >= n) throw new RangeError(`${where}: validationSplit ${split} of ${n} rows leaves ${nTrain} for training and ${n - nTrain} for validation; both need at least one`);
  return {
    train: { x: x.slice(0, 0, nTrain).contiguous(), y: y.slice(0, 0, nTrain).contiguous() },
    val: { x: x.slice(0, nTrain).contiguous(), y: y.slice(0, nTrain).contiguous() },
  };
}

/** Everything one epoch of training needs, fixed for the whole fit() call. */
interface EpochContext {
  model: Model;
  x: Tensor;
  y: Tensor;
  batchSize: number;
  optimizer: OptimizerLike;
  metrics: Metric[];
  callbacks: CallbackList;
  progress: Progress;
  terminateOnNaN: boolean;
}

/**
 * One pass over the rows in the given order: a gradient step per batch. Returns the mean loss over the rows
 * seen and, when a batch loss was not finite (and terminateOnNaN), that batch's index (its step not applied).
 */
async function trainEpoch(ctx: EpochContext, order: Int32Array | null): Promise<{ loss: number; nanAt: number }> {
  const { model, x, y, batchSize, optimizer, metrics, callbacks, progress } = ctx;
  const loss = model.compiled!.loss;
  const n = x.shape[0];
  const steps = Math.ceil(n / batchSize);
  for (const m of metrics) m.reset();
  let lossSum = 0;
  let seen = 0;
  for (let b = 0; b < steps; b++) {
    const start = b * batchSize;
    const end = Math.min(n, start + batchSize);
    await callbacks.batchBegin(b, { batch: b, size: end - start });
    const batch = batchOf(x, y, order, start, end);
    optimizer.zeroGrad();
    const { out, logits } = model.forwardWithLogits(batch.x);
    const lossT = loss.compute(out, batch.y!, logits);
    const lv = lossT.item();
    lossSum += lv * (end - start);
    seen += end - start;
    if (!Number.isFinite(lv) && ctx.terminateOnNaN) return { loss: lossSum / seen, nanAt: b };
    lossT.backward();
    optimizer.step();
    for (const m of metrics) m.update(out.detach(), batch.y!);
    const batchLogs: Logs = { batch: b, size: end - start, loss: lossSum / seen };
    for (const m of metrics) batchLogs[m.name] = m.result();
    progress.batchEnd(b, batchLogs);
    await callbacks.batchEnd(b, batchLogs);
    await yieldNow();
  }
  return { loss: lossSum / Math.max(1, seen), nanAt: -1 };
}

/** Model.fit: validates everything first, then trains epoch by epoch; returns a History of plain numbers. */
export async function fitModel(model: Model, xIn: DataInput, yIn: DataInput, args: FitArgs = {}): Promise<History> {
  const where = 'fit';
  const { epochs, batchSize, verbose, split } = fitSettings(args, where);
  const data = prepareData(model, xIn, yIn, where);
  const { train, val } = trainAndValidation(model, data.x, data.y, args, split, where);
  if (train.x.shape[0] === 0) throw new RangeError(`${where}: x has no rows`);

  const nTrain = train.x.shape[0];
  const ctx: EpochContext = {
    model, x: train.x, y: train.y, batchSize,
    optimizer: ensureOptimizer(model),
    metrics: makeMetrics(model, where),
    callbacks: CallbackList.from(args.callbacks),
    progress: new Progress(verbose, epochs, Math.ceil(nTrain / batchSize)),
    terminateOnNaN: args.terminateOnNaN ?? true,
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
      const { loss, nanAt } = await trainEpoch(ctx, shuffle ? gen.permutation(nTrain) : null);
      const logs: Logs = { loss };
      for (const m of ctx.metrics) logs[m.name] = m.result();
      if (val) Object.assign(logs, evaluateTensors(model, val.x, val.y, batchSize, valMetrics, 'val_'));
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

/** Model.evaluate: loss and metrics over all rows, as plain numbers. */
export function evaluateModel(model: Model, xIn: DataInput, yIn: DataInput, args: EvaluateArgs = {}): Logs {
  const batchSize = positiveInt(args.batchSize ?? 32, 'batchSize', 'evaluate');
  const { x, y } = prepareData(model, xIn, yIn, 'evaluate');
  return evaluateTensors(model, x, y, batchSize, makeMetrics(model, 'evaluate'));
}
