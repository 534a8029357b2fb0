// Training callbacks (Keras names): hooks called by fit(), the History it returns, and earlyStopping.
// Logs are plain objects of numbers with Keras keys (loss, accuracy, val_loss, val_accuracy).

import { Tensor } from '../autograd/tensor.js';
import type { StateDict } from '../nn/module.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** The numbers fit() reports, by Keras key: `loss`, `accuracy`, `val_loss`, `val_accuracy`, ... */
export type Logs = Record<string, number>;
/**
 * What {@link Model.evaluate} returns (Keras' `return_dict=True` form): `loss`, the weighted total, always;
 * for several outputs each output's loss (`digit_loss`, ...); and each compiled metric by its Keras key
 * (`accuracy`, `digit_accuracy`, ...). Name the metric keys to have them typed:
 * `net.evaluate<'accuracy'>(x, y).accuracy` is a `number`.
 */
export type EvaluateLogs<K extends string = string> = { loss: number } & { [P in K]: number } & Logs;

/** The part of a model that callbacks may use. */
export interface CallbackModel {
  /** Set to true to stop fit() after the current epoch. */
  stopTraining: boolean;
  stateDict(): StateDict;
  loadStateDict(state: StateDict): unknown;
}

/** Hooks fit() calls; each may be async (fit awaits it). `epoch` and `batch` count from 0. */
export interface CallbackHooks {
  /** Called once before the first epoch. */
  onTrainBegin?(logs: Logs): void | Promise<void>;
  /** Called once after training ends (normally or stopped early), with the last epoch's logs. */
  onTrainEnd?(logs: Logs): void | Promise<void>;
  /** Called at the start of each epoch. */
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  /** Called after each epoch with its logs (training loss and metrics, and `val_*` entries when validating). */
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  /** Called before each mini-batch step; logs hold `batch` and `size` (rows in the batch). */
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  /** Called after each mini-batch step; logs hold `batch`, `size` and the epoch's running mean `loss` and metrics. */
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /**
   * Called with each training batch before its step (not a Keras hook): may return replacement rows, e.g.
   * augmented or adversarial inputs (tg.robust.adversarialTraining). Synchronous; callbacks chain in order.
   */
  onTrainBatchData?(batch: number, data: BatchData): BatchData | void;
  /**
   * Like onTrainBatchData, for models with any number of inputs and outputs (not a Keras hook): one tensor per
   * input (`xs`) and per output (`ys`), in the model's order; may return replacements with the same rows.
   * Called after the onTrainBatchData hooks. Synchronous; callbacks chain in order.
   */
  onTrainBatchTensors?(batch: number, data: BatchTensors): BatchTensors | void;
  /** Called by fit() before training with the model being trained. */
  setModel?(model: CallbackModel): void;
}

/** One training batch as fit() steps on it: inputs and prepared targets. */
export interface BatchData {
  /** The batch's inputs. */
  x: Tensor;
  /** The batch's targets, as the loss takes them. */
  y: Tensor;
}

/** One training batch of a model with any number of inputs and outputs: one tensor per input and per output. */
export interface BatchTensors {
  /** The batch's inputs, one tensor per model input. */
  xs: Tensor[];
  /** The batch's targets, one tensor per model output, as the losses take them. */
  ys: Tensor[];
}

/** A base class for callbacks that need the model (this.model is set before training starts). */
export class Callback implements CallbackHooks {
  /** The model being trained (set by fit() before training starts; null before that). */
  model: CallbackModel | null = null;
  setModel(model: CallbackModel): void {
    this.model = model;
  }
}

/** Why and where fit() stopped early. */
export interface StopInfo {
  /** 'nanLoss' when a loss was NaN or infinite, 'stopTraining' when a callback asked to stop. */
  reason: 'nanLoss' | 'stopTraining';
  /** The epoch (0-based) training stopped in. */
  epoch: number;
  /** The batch it stopped at, for a NaN loss. */
  batch?: number;
  /** A sentence saying what happened. */
  message: string;
}

/** What fit() returns: one entry per finished epoch, numbers only. */
export class History {
  /** The epoch indices that ran (0-based). */
  epoch: number[] = [];
  /** Per log key, one value per epoch: history.loss[e], history.val_accuracy[e], ... */
  history: Record<string, number[]> = {};
  /** Why training ended early, if it did (null when all epochs ran). */
  stopped: StopInfo | null = null;

  /** Appends one finished epoch's logs (fit() calls this). */
  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}

/** Runs a list of callbacks in order, awaiting each. */
export class CallbackList {
  constructor(private readonly list: CallbackHooks[]) {}

  static from(spec: CallbackHooks | CallbackHooks[] | undefined): CallbackList {
    if (spec === undefined) return new CallbackList([]);
    const list = Array.isArray(spec) ? spec : [spec];
    for (const c of list) {
      if (typeof c !== 'object' || c === null) throw new TypeError('fit: callbacks must be objects with onEpochEnd, onBatchEnd, ... hooks');
    }
    return new CallbackList(list);
  }

  /** True when some callback has onTrainBatchData or onTrainBatchTensors: it sees fit's batch tensors. */
  get seesBatches(): boolean {
    return this.list.some((c) => typeof c.onTrainBatchData === 'function' || typeof c.onTrainBatchTensors === 'function');
  }

  setModel(model: CallbackModel): void {
    for (const c of this.list) c.setModel?.(model);
  }

  async trainBegin(logs: Logs): Promise<void> { for (const c of this.list) await c.onTrainBegin?.({ ...logs }); }
  async trainEnd(logs: Logs): Promise<void> { for (const c of this.list) await c.onTrainEnd?.({ ...logs }); }
  async epochBegin(e: number, logs: Logs): Promise<void> { for (const c of this.list) await c.onEpochBegin?.(e, { ...logs }); }
  async epochEnd(e: number, logs: Logs): Promise<void> { for (const c of this.list) await c.onEpochEnd?.(e, { ...logs }); }
  async batchBegin(b: number, logs: Logs): Promise<void> { for (const c of this.list) await c.onBatchBegin?.(b, { ...logs }); }
  async batchEnd(b: number, logs: Logs): Promise<void> { for (const c of this.list) await c.onBatchEnd?.(b, { ...logs }); }
  /** Passes the batch through every onTrainBatchData hook in order. */
  batchData(b: number, data: BatchData): BatchData {
    let d = data;
    for (const c of this.list) {
      const r = c.onTrainBatchData?.(b, d);
      if (r) {
        if (!(r.x instanceof Tensor) || !(r.y instanceof Tensor) || r.x.shape[0] !== r.y.shape[0]) {
          throw new TypeError(`fit: onTrainBatchData must return { x, y } tensors with the same number of rows (batch ${b})`);
        }
        d = r;
      }
    }
    return d;
  }

  /** Passes the batch through every onTrainBatchTensors hook in order. */
  batchTensors(b: number, data: BatchTensors): BatchTensors {
    let d = data;
    for (const c of this.list) {
      const r = c.onTrainBatchTensors?.(b, d);
      if (r) {
        const rows = d.xs[0].shape[0];
        const ok = Array.isArray(r.xs) && Array.isArray(r.ys) && r.xs.length === d.xs.length && r.ys.length === d.ys.length
          && [...r.xs, ...r.ys].every((t) => t instanceof Tensor && t.shape[0] === rows);
        if (!ok) throw new TypeError(`fit: onTrainBatchTensors must return { xs, ys } with one tensor per input (${d.xs.length}) and per output (${d.ys.length}), each with the batch's ${rows} rows (batch ${b})`);
        d = r;
      }
    }
    return d;
  }
}

const EARLY_STOPPING_OPTIONS = optionKeys<EarlyStoppingOptions>({
  monitor: true, minDelta: true, patience: true, mode: true, baseline: true, restoreBestWeights: true, verbose: true,
});

/** Options for {@link earlyStopping} (Keras' names and defaults). */
export interface EarlyStoppingOptions {
  /** The log key to watch (default 'val_loss'). */
  monitor?: string;
  /** A change smaller than this is not an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** 'min' (lower is better), 'max', or 'auto' (max for accuracy, precision and recall, else min). */
  mode?: 'auto' | 'min' | 'max';
  /** Stop unless the monitored value beats this within `patience` epochs. */
  baseline?: number;
  /** At the end of training, put back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
  /** Print a line when stopping or restoring (default false). */
  verbose?: boolean;
}

const copyState = (s: StateDict): Map<string, Tensor> => {
  const out = new Map<string, Tensor>();
  for (const [k, t] of s) out.set(k, t.clone().detach());
  return out;
};

/** Stops training when the monitored value stops improving (Keras' EarlyStopping). */
export class EarlyStopping extends Callback {
  /** The log key being watched. */
  readonly monitor: string;
  /** The smallest change that counts as an improvement. */
  readonly minDelta: number;
  /** Epochs without improvement tolerated before stopping. */
  readonly patience: number;
  /** Whether lower ('min') or higher ('max') values are better ('auto' resolved from the key). */
  readonly mode: 'min' | 'max';
  /** A value the monitored log must beat, or undefined. */
  readonly baseline: number | undefined;
  /** Whether to put back the best epoch's weights when training ends. */
  readonly restoreBestWeights: boolean;
  /** Whether to print a line when stopping or restoring. */
  readonly verbose: boolean;
  /** The epoch training was stopped at (-1: not stopped). */
  stoppedEpoch = -1;
  /** The best monitored value so far. */
  best = Infinity;
  /** The epoch of the best value (-1 before any). */
  bestEpoch = -1;
  private wait = 0;
  private bestWeights: Map<string, Tensor> | null = null;
  private warned = false;

  constructor(options: EarlyStoppingOptions = {}) {
    checkOptions('earlyStopping', options, EARLY_STOPPING_OPTIONS);
    super();
    this.monitor = options.monitor ?? 'val_loss';
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) {
      throw new RangeError(`earlyStopping: patience must be a non-negative integer, got ${options.patience}`);
    }
    if (!Number.isFinite(this.minDelta)) throw new RangeError(`earlyStopping: minDelta must be finite, got ${options.minDelta}`);
    const mode = options.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') {
      throw new RangeError(`earlyStopping: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
    }
    this.mode = mode !== 'auto' ? mode : /acc|precision|recall|auc/.test(this.monitor) ? 'max' : 'min';
    this.baseline = options.baseline;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.verbose = options.verbose ?? false;
  }

  private improves(value: number, reference: number): boolean {
    return this.mode === 'min' ? value + this.minDelta < reference : value - this.minDelta > reference;
  }

  /** Resets the counters at the start of fit(). */
  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestEpoch = -1;
    this.bestWeights = null;
  }

  /** Checks the monitored value and sets `model.stopTraining` once patience runs out. */
  onEpochEnd(epoch: number, logs: Logs): void {
    const value = logs[this.monitor];
    if (value === undefined) {
      if (!this.warned) console.warn(`earlyStopping: '${this.monitor}' is not in the logs (available: ${Object.keys(logs).join(', ')}); not stopping early`);
      this.warned = true;
      return;
    }
    if (this.restoreBestWeights && this.bestWeights === null && this.model) this.bestWeights = copyState(this.model.stateDict());
    this.wait++;
    if (this.improves(value, this.best)) {
      this.best = value;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights && this.model) this.bestWeights = copyState(this.model.stateDict());
      if (this.baseline === undefined || this.improves(value, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0 && this.model) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.verbose) console.log(`Epoch ${epoch + 1}: early stopping (best ${this.monitor} ${this.best} at epoch ${this.bestEpoch + 1})`);
    }
  }

  /** Restores the best weights if `restoreBestWeights` is set. */
  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights && this.model) {
      if (this.verbose) console.log(`Restoring model weights from the end of epoch ${this.bestEpoch + 1}`);
      this.model.loadStateDict(this.bestWeights);
    }
  }
}

/**
 * An {@link EarlyStopping} callback for `model.fit`: stops training when the monitored log (default 'val_loss')
 * has not improved for `patience` epochs, optionally restoring the best weights.
 * @example
 * ```ts
 * const stop = tg.callbacks.earlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
 * await net.fit(x, y, { epochs: 100, validationSplit: 0.2, callbacks: [stop] });
 * ```
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(options);
}
