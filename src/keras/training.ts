// The loops behind Model.fit, evaluate and predict: seeded shuffling, mini-batch steps, metrics,
// validation, callbacks, NaN termination, progress output, and a cheap yield to the event loop per batch.

import { concat } from '../autograd/functions.js';
import { noGrad } from '../autograd/mode.js';
import type { Tensor } from '../autograd/tensor.js';
import { type DataInput, pickGenerator } from '../data/arrays.js';
import { batchOf } from '../data/loader.js';
import type { Generator } from '../tensor/random.js';
import { type CallbackHooks, CallbackList, History, type Logs } from './callbacks.js';
import type { Metric } from './metrics.js';
import type { Model } from './model.js';
import { Progress } from './progress.js';

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
export function predictTensor(model: Model, x: Tensor, batchSize: number): Tensor {
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

/** Model.fit: validates everything first, then trains; returns a History of plain numbers. */
export async function fitModel(model: Model, xIn: DataInput, yIn: DataInput, args: FitArgs = {}): Promise<History> {
  const where = 'fit';
  const epochs = args.epochs ?? 1;
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new RangeError(`${where}: epochs must be a non-negative integer, got ${String(epochs)}`);
  const batchSize = positiveInt(args.batchSize ?? 32, 'batchSize', where);
  const verbose = args.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new RangeError(`${where}: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  const split = args.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new RangeError(`${where}: validationSplit must be in [0, 1), got ${String(split)}`);

  const { x, y } = model.prepareData(xIn, yIn, where);
  const n = x.shape[0];
  let xTrain = x;
  let yTrain = y;
  let val: { x: Tensor; y: Tensor } | null = null;
  if (args.validationData !== undefined) {
    const vd = args.validationData;
    const [vx, vy] = Array.isArray(vd) ? vd : [vd.x, vd.y];
    val = model.prepareData(vx, vy, `${where}: validationData`);
  } else if (split > 0) {
    const nTrain = Math.floor(n * (1 - split));
    if (nTrain < 1 || nTrain >= n) throw new RangeError(`${where}: validationSplit ${split} of ${n} rows leaves ${nTrain} for training and ${n - nTrain} for validation; both need at least one`);
    xTrain = x.slice(0, 0, nTrain).contiguous();
    yTrain = y.slice(0, 0, nTrain).contiguous();
    val = { x: x.slice(0, nTrain).contiguous(), y: y.slice(0, nTrain).contiguous() };
  }
  if (xTrain.shape[0] === 0) throw new RangeError(`${where}: x has no rows`);

  const optimizer = model.ensureOptimizer();
  const metrics = model.makeMetrics(where);
  const valMetrics = val ? model.makeMetrics(where) : [];
  const callbacks = CallbackList.from(args.callbacks);
  const gen = pickGenerator(args);
  const shuffle = args.shuffle ?? true;
  const nTrain = xTrain.shape[0];
  const steps = Math.ceil(nTrain / batchSize);
  const progress = new Progress(verbose, epochs, steps);
  const history = new History();
  const loss = model.compiled!.loss;
  const wasTraining = model.training;

  model.stopTraining = false;
  callbacks.setModel(model);
  let lastLogs: Logs = {};
  try {
    await callbacks.trainBegin({});
    for (let epoch = 0; epoch < epochs; epoch++) {
      model.train();
      progress.epochBegin(epoch);
      await callbacks.epochBegin(epoch, {});
      const order = shuffle ? gen.permutation(nTrain) : null;
      for (const m of metrics) m.reset();
      let lossSum = 0;
      let seen = 0;
      let nanAt = -1;
      for (let b = 0; b < steps; b++) {
        const start = b * batchSize;
        const end = Math.min(nTrain, start + batchSize);
        await callbacks.batchBegin(b, { batch: b, size: end - start });
        const rows = batchOf(xTrain, yTrain, order, start, end);
        const batch = callbacks.batchData(b, { x: rows.x, y: rows.y! });
        optimizer.zeroGrad();
        const { out, logits } = model.forwardWithLogits(batch.x);
        const lossT = loss.compute(out, batch.y, logits);
        const lv = lossT.item();
        if (!Number.isFinite(lv) && (args.terminateOnNaN ?? true)) {
          lossSum += lv * (end - start);
          seen += end - start;
          nanAt = b;
          break;
        }
        lossT.backward();
        optimizer.step();
        lossSum += lv * (end - start);
        seen += end - start;
        for (const m of metrics) m.update(out.detach(), batch.y);
        const batchLogs: Logs = { batch: b, size: end - start, loss: lossSum / seen };
        for (const m of metrics) batchLogs[m.name] = m.result();
        progress.batchEnd(b, batchLogs);
        await callbacks.batchEnd(b, batchLogs);
        await yieldNow();
      }
      const logs: Logs = { loss: lossSum / Math.max(1, seen) };
      for (const m of metrics) logs[m.name] = m.result();
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
  const { x, y } = model.prepareData(xIn, yIn, 'evaluate');
  return evaluateTensors(model, x, y, batchSize, model.makeMetrics('evaluate'));
}
