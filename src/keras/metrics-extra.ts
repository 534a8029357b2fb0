// More metrics for compile(): f1Score (macro F1), auc (exact ROC AUC over the epoch) and the top-k
// categorical accuracies. Each accumulates plain numbers over an epoch, off the tape, as the others in metrics.ts.

import type { Tensor } from '../autograd/tensor.js';
import { rocAucScore } from '../metrics/curves.js';
import type { Metric, MetricContext } from './metrics.js';

const argmaxRow = (v: ArrayLike<number>, start: number, k: number): number => {
  let best = start;
  for (let j = start + 1; j < start + k; j++) if (v[j] > v[best]) best = j;
  return best - start;
};

/**
 * F1 score over the epoch, from per-class tp / fp / fn counts: for one output unit the positive class's F1
 * (prediction above the threshold), for several units the unweighted mean over classes of the argmax
 * predictions' F1 (Keras' F1Score with average 'macro').
 */
export class F1Score implements Metric {
  private tp: Float64Array;
  private fp: Float64Array;
  private fn: Float64Array;
  constructor(readonly name: string, private readonly ctx: MetricContext, private readonly threshold: number) {
    const k = Math.max(1, ctx.units);
    this.tp = new Float64Array(k);
    this.fp = new Float64Array(k);
    this.fn = new Float64Array(k);
  }
  reset(): void { this.tp.fill(0); this.fp.fill(0); this.fn.fill(0); }
  update(pred: Tensor, y: Tensor): void {
    const p = pred.value.values();
    const t = y.value.values();
    const k = pred.shape[pred.ndim - 1] ?? 1;
    if (k === 1) {
      for (let i = 0; i < p.length; i++) {
        const yes = p[i] > this.threshold;
        const truth = t[i] >= 0.5;
        if (yes && truth) this.tp[0]++;
        else if (yes) this.fp[0]++;
        else if (truth) this.fn[0]++;
      }
      return;
    }
    const rows = p.length / k;
    for (let r = 0; r < rows; r++) {
      const guess = argmaxRow(p, r * k, k);
      const label = this.ctx.kind === 'sparse' ? t[r] : argmaxRow(t, r * k, k);
      if (guess === label) this.tp[guess]++;
      else {
        this.fp[guess]++;
        if (label >= 0 && label < k) this.fn[label]++;
      }
    }
  }
  result(): number {
    let sum = 0;
    for (let c = 0; c < this.tp.length; c++) {
      const d = 2 * this.tp[c] + this.fp[c] + this.fn[c];
      sum += d === 0 ? 0 : (2 * this.tp[c]) / d;
    }
    return sum / this.tp.length;
  }
}

/**
 * Area under the ROC curve over the epoch, computed exactly from all scores at the end (Keras' AUC
 * approximates it with 200 thresholds). Every output element is one binary decision against its target
 * (class indices are expanded to one-hot rows), as Keras' AUC with multiLabel false. NaN if one class is missing.
 */
export class Auc implements Metric {
  private scores: number[] = [];
  private labels: number[] = [];
  constructor(readonly name: string, private readonly sparse: boolean) {}
  reset(): void { this.scores = []; this.labels = []; }
  update(pred: Tensor, y: Tensor): void {
    const p = pred.value.values();
    const t = y.value.values();
    const k = pred.shape[pred.ndim - 1] ?? 1;
    for (let i = 0; i < p.length; i++) {
      this.scores.push(p[i]);
      this.labels.push(this.sparse ? (t[Math.floor(i / k)] === i % k ? 1 : 0) : t[i] >= 0.5 ? 1 : 0);
    }
  }
  result(): number {
    if (!this.labels.includes(0) || !this.labels.includes(1) || this.scores.some((s) => !Number.isFinite(s))) return NaN;
    return rocAucScore(this.labels, this.scores);
  }
}

/** The fraction of rows whose true class is among the k highest outputs (ties at the k-th count as hits). */
export class TopKAccuracy implements Metric {
  private hits = 0;
  private total = 0;
  constructor(readonly name: string, private readonly k: number, private readonly sparse: boolean) {}
  reset(): void { this.hits = 0; this.total = 0; }
  update(pred: Tensor, y: Tensor): void {
    const p = pred.value.values();
    const t = y.value.values();
    const units = pred.shape[pred.ndim - 1] ?? 1;
    const rows = p.length / units;
    for (let r = 0; r < rows; r++) {
      const label = this.sparse ? t[r] : argmaxRow(t, r * units, units);
      const mine = p[r * units + label];
      let higher = 0;
      for (let j = 0; j < units; j++) if (p[r * units + j] > mine) higher++;
      if (higher < this.k) this.hits++;
    }
    this.total += rows;
  }
  result(): number { return this.total ? this.hits / this.total : NaN; }
}
