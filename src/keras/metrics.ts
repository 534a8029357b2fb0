// Metrics for compile(): accuracy (binary, categorical or sparse, chosen from the loss as Keras does),
// precision, recall, mse, mae, and (metrics-extra.ts) f1Score, auc and the top-5 accuracies. Each accumulates plain numbers over an epoch, off the tape.

import type { Tensor } from '../autograd/tensor.js';
import type { LossKind } from './losses.js';
import { Auc, F1Score, TopKAccuracy } from './metrics-extra.js';
import { nameTable, type NameOf } from './names.js';

export interface Metric {
  /** The log key ('accuracy', 'precision', ...). */
  readonly name: string;
  reset(): void;
  /** Adds a batch: predictions [n, ..., k] and targets prepared for the loss (same shape, or [n] class indices). */
  update(pred: Tensor, y: Tensor): void;
  result(): number;
}

/** What a metric needs to know about the model and loss. */
export interface MetricContext {
  kind: LossKind;
  /** Units in the output's last axis. */
  units: number;
  fromLogits: boolean;
}

type Variant = 'binary' | 'categorical' | 'sparse';

const argmaxRow = (v: ArrayLike<number>, start: number, k: number): number => {
  let best = start;
  for (let j = start + 1; j < start + k; j++) if (v[j] > v[best]) best = j;
  return best - start;
};

/** Fraction of correct predictions; `variant` says how predictions and labels are compared. */
class Accuracy implements Metric {
  private correct = 0;
  private total = 0;
  constructor(readonly name: string, private readonly variant: Variant, private readonly threshold: number) {}
  reset(): void { this.correct = 0; this.total = 0; }
  update(pred: Tensor, y: Tensor): void {
    const p = pred.value.values();
    const t = y.value.values();
    const k = pred.shape[pred.ndim - 1] ?? 1;
    if (this.variant === 'binary') {
      for (let i = 0; i < p.length; i++) if ((p[i] > this.threshold) === (t[i] >= 0.5)) this.correct++;
      this.total += p.length;
      return;
    }
    const rows = p.length / k;
    for (let r = 0; r < rows; r++) {
      const guess = argmaxRow(p, r * k, k);
      const label = this.variant === 'sparse' ? t[r] : argmaxRow(t, r * k, k);
      if (guess === label) this.correct++;
    }
    this.total += rows;
  }
  result(): number { return this.total ? this.correct / this.total : NaN; }
}

/** Reads targets elementwise like the predictions, expanding class indices to one-hot rows. */
function targetAt(t: ArrayLike<number>, i: number, k: number, sparse: boolean): number {
  return sparse ? (t[Math.floor(i / k)] === i % k ? 1 : 0) : t[i];
}

/** Precision or recall of thresholded predictions, counted over every output element (as Keras). */
class PrecisionRecall implements Metric {
  private tp = 0;
  private fp = 0;
  private fn = 0;
  constructor(readonly name: string, private readonly which: 'precision' | 'recall', private readonly threshold: number, private readonly sparse: boolean) {}
  reset(): void { this.tp = 0; this.fp = 0; this.fn = 0; }
  update(pred: Tensor, y: Tensor): void {
    const p = pred.value.values();
    const t = y.value.values();
    const k = pred.shape[pred.ndim - 1] ?? 1;
    for (let i = 0; i < p.length; i++) {
      const yes = p[i] > this.threshold;
      const truth = targetAt(t, i, k, this.sparse) >= 0.5;
      if (yes && truth) this.tp++;
      else if (yes) this.fp++;
      else if (truth) this.fn++;
    }
  }
  result(): number {
    const d = this.which === 'precision' ? this.tp + this.fp : this.tp + this.fn;
    return d ? this.tp / d : 0;
  }
}

/** Mean squared or absolute error over every element. */
class MeanError implements Metric {
  private sum = 0;
  private count = 0;
  constructor(readonly name: string, private readonly power: 1 | 2, private readonly sparse: boolean) {}
  reset(): void { this.sum = 0; this.count = 0; }
  update(pred: Tensor, y: Tensor): void {
    const p = pred.value.values();
    const t = y.value.values();
    const k = pred.shape[pred.ndim - 1] ?? 1;
    for (let i = 0; i < p.length; i++) {
      const d = Math.abs(p[i] - targetAt(t, i, k, this.sparse));
      this.sum += this.power === 2 ? d * d : d;
    }
    this.count += p.length;
  }
  result(): number { return this.count ? this.sum / this.count : NaN; }
}

/** Keras' choice of accuracy: from the loss, else binary for one output unit and categorical otherwise. */
function accuracyVariant(ctx: MetricContext): Variant {
  if (ctx.kind === 'binary' || ctx.kind === 'categorical' || ctx.kind === 'sparse') return ctx.kind;
  return ctx.units === 1 ? 'binary' : 'categorical';
}

type MetricFactory = (name: string, ctx: MetricContext) => Metric;
const threshold = (ctx: MetricContext): number => (ctx.fromLogits ? 0 : 0.5);

/** A metric's name: 'accuracy', 'precision', 'recall', 'mse', 'mae', ... */
export type MetricName = NameOf<typeof METRICS>;
export const METRICS = nameTable<MetricFactory>()('metric', [
  ['accuracy', (n, c) => new Accuracy(n, accuracyVariant(c), threshold(c)), 'acc'],
  ['binaryAccuracy', (n, c) => new Accuracy(n, 'binary', threshold(c))],
  ['categoricalAccuracy', (n, c) => new Accuracy(n, c.kind === 'sparse' ? 'sparse' : 'categorical', 0)],
  ['sparseCategoricalAccuracy', (n) => new Accuracy(n, 'sparse', 0)],
  ['precision', (n, c) => new PrecisionRecall(n, 'precision', threshold(c), c.kind === 'sparse')],
  ['recall', (n, c) => new PrecisionRecall(n, 'recall', threshold(c), c.kind === 'sparse')],
  ['mse', (n, c) => new MeanError(n, 2, c.kind === 'sparse'), 'meanSquaredError'],
  ['mae', (n, c) => new MeanError(n, 1, c.kind === 'sparse'), 'meanAbsoluteError'],
  ['f1Score', (n, c) => new F1Score(n, c, threshold(c)), 'f1'],
  ['auc', (n, c) => new Auc(n, c.kind === 'sparse')],
  ['topKCategoricalAccuracy', (n, c) => new TopKAccuracy(n, 5, c.kind === 'sparse')],
  ['sparseTopKCategoricalAccuracy', (n) => new TopKAccuracy(n, 5, true)],
]);

/** Builds the metrics named in compile(); the log key is the canonical name. */
export function resolveMetrics(names: readonly string[], ctx: MetricContext, where = 'compile'): Metric[] {
  if (!Array.isArray(names)) throw new TypeError(`${where}: metrics must be an array of names`);
  const seen = new Set<string>();
  return names.map((raw) => {
    const { name, value } = METRICS.get(raw, where);
    if (seen.has(name)) throw new RangeError(`${where}: metric ${name} is listed twice`);
    seen.add(name);
    return value(name, ctx);
  });
}
