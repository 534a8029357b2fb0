// Threshold curves for binary scores, with scikit-learn's semantics: the ROC curve and its area, the
// precision–recall curve and average precision; rocAucScore also does one-vs-rest for multi-class scores.

import { checkSameLength, type MetricInput, readLabels, readMatrix, uniqueLabels } from './labels.js';

/** Points of a ROC curve: false and true positive rates at decreasing thresholds. */
export interface RocCurve {
  /** False positive rate fp / negatives at each threshold (starts at 0). */
  fpr: number[];
  /** True positive rate tp / positives at each threshold (starts at 0). */
  tpr: number[];
  /** The score thresholds, decreasing; the first is Infinity (nothing predicted positive). */
  thresholds: number[];
}

/** Options of {@link rocCurve} and {@link precisionRecallCurve}. */
export interface CurveOptions {
  /** The positive class (default 1). */
  posLabel?: number;
}

/**
 * Cumulative false and true positive counts at each distinct score, highest first (scikit-learn's _binary_clf_curve).
 */
function binaryCurve(yTrue: MetricInput, yScore: MetricInput, posLabel: number, where: string) {
  const t = readLabels(yTrue, `${where}: yTrue`);
  const s = readMatrix(yScore, `${where}: yScore`);
  if (s.cols > 1) throw new RangeError(`${where}: yScore must hold one score per row (the positive class's), got [${s.rows}, ${s.cols}]`);
  checkSameLength(t, s.data, where, ['yTrue', 'yScore']);
  const classes = uniqueLabels(t);
  if (classes.length > 2) throw new RangeError(`${where}: yTrue has ${classes.length} classes (${classes.join(', ')}); a curve needs binary labels`);
  const order = Array.from(t, (_, i) => i).sort((a, b) => s.data[b] - s.data[a]);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  order.forEach((i, k) => {
    if (t[i] === posLabel) tp++;
    else fp++;
    // one point per distinct score: after the last row with that score
    if (k === order.length - 1 || s.data[order[k + 1]] !== s.data[i]) {
      fps.push(fp);
      tps.push(tp);
      thresholds.push(s.data[i]);
    }
  });
  return { fps, tps, thresholds };
}

/**
 * The ROC curve: true against false positive rate as the threshold falls through every distinct score.
 * As scikit-learn (dropIntermediate true), points on a straight segment between two others are dropped,
 * and a first point (0, 0) at threshold Infinity is added.
 * @example const { fpr, tpr } = tg.metrics.rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
 */
export function rocCurve(yTrue: MetricInput, yScore: MetricInput, options: CurveOptions & { dropIntermediate?: boolean } = {}): RocCurve {
  const where = 'rocCurve';
  let { fps, tps, thresholds } = binaryCurve(yTrue, yScore, options.posLabel ?? 1, where);
  if ((options.dropIntermediate ?? true) && fps.length > 2) {
    // keep a point only where the curve bends: its neighbours' second differences are not both 0
    const keep = fps.map((_, i) => i === 0 || i === fps.length - 1
      || fps[i - 1] - 2 * fps[i] + fps[i + 1] !== 0 || tps[i - 1] - 2 * tps[i] + tps[i + 1] !== 0);
    fps = fps.filter((_, i) => keep[i]);
    tps = tps.filter((_, i) => keep[i]);
    thresholds = thresholds.filter((_, i) => keep[i]);
  }
  fps.unshift(0);
  tps.unshift(0);
  thresholds.unshift(Infinity);
  const negatives = fps[fps.length - 1];
  const positives = tps[tps.length - 1];
  if (negatives === 0 || positives === 0) {
    throw new RangeError(`${where}: yTrue has no ${positives === 0 ? 'positive' : 'negative'} rows, so the ${positives === 0 ? 'true' : 'false'} positive rate is undefined`);
  }
  return { fpr: fps.map((v) => v / negatives), tpr: tps.map((v) => v / positives), thresholds };
}

/** The area under a curve given by points (x, y), by the trapezoidal rule; x must be monotonic. */
export function auc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length || x.length < 2) throw new RangeError(`auc: needs x and y of the same length ≥ 2, got ${x.length} and ${y.length}`);
  let area = 0;
  let dir = 0;
  for (let i = 1; i < x.length; i++) {
    const dx = x[i] - x[i - 1];
    if (dx !== 0) {
      const d = Math.sign(dx);
      if (dir !== 0 && d !== dir) throw new RangeError('auc: x is neither increasing nor decreasing');
      dir = d;
    }
    area += (dx * (y[i] + y[i - 1])) / 2;
  }
  return dir < 0 ? -area : area;
}

/** Options of {@link rocAucScore}. */
export interface RocAucOptions {
  /** For scores [rows, classes]: average the one-vs-rest AUCs unweighted ('macro', default) or by support ('weighted'). */
  average?: 'macro' | 'weighted';
}

/**
 * The area under the ROC curve: the probability that a random positive row scores above a random negative one.
 * Binary: yScore is one score per row. Multi-class: yScore is [rows, classes] and the one-vs-rest AUCs are averaged.
 * @example tg.metrics.rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.75
 */
export function rocAucScore(yTrue: MetricInput, yScore: MetricInput, options: RocAucOptions = {}): number {
  const where = 'rocAucScore';
  const s = readMatrix(yScore, `${where}: yScore`);
  if (s.cols <= 1) {
    const r = rocCurve(yTrue, s.data, { dropIntermediate: false });
    return auc(r.fpr, r.tpr);
  }
  const t = readLabels(yTrue, `${where}: yTrue`);
  checkSameLength(t, { length: s.rows }, where, ['yTrue', 'yScore']);
  const average = options.average ?? 'macro';
  if (average !== 'macro' && average !== 'weighted') throw new RangeError(`${where}: average must be 'macro' or 'weighted', got ${JSON.stringify(average)}`);
  const classes = uniqueLabels(t);
  if (classes.length !== s.cols || classes.some((c, i) => c !== i)) {
    throw new RangeError(`${where}: one-vs-rest needs every class 0..${s.cols - 1} in yTrue; it has ${classes.join(', ')}`);
  }
  let total = 0;
  let weights = 0;
  for (let c = 0; c < s.cols; c++) {
    const col = Float64Array.from({ length: s.rows }, (_, r) => s.data[r * s.cols + c]);
    const isC = Float64Array.from(t, (v) => (v === c ? 1 : 0));
    const r = rocCurve(isC, col, { dropIntermediate: false });
    const w = average === 'weighted' ? isC.reduce((a, b) => a + b, 0) : 1;
    total += w * auc(r.fpr, r.tpr);
    weights += w;
  }
  return total / weights;
}

/** Points of a precision–recall curve. */
export interface PrecisionRecallCurve {
  /** Precision at each threshold, then a final 1. */
  precision: number[];
  /** Recall at each threshold (decreasing), then a final 0. */
  recall: number[];
  /** The distinct scores, increasing (one fewer than the points). */
  thresholds: number[];
}

/**
 * Precision and recall as the threshold rises through every distinct score, ending at (recall 0, precision 1),
 * as scikit-learn's precision_recall_curve.
 */
export function precisionRecallCurve(yTrue: MetricInput, yScore: MetricInput, options: CurveOptions = {}): PrecisionRecallCurve {
  const where = 'precisionRecallCurve';
  const { fps, tps, thresholds } = binaryCurve(yTrue, yScore, options.posLabel ?? 1, where);
  const positives = tps[tps.length - 1];
  if (positives === 0) throw new RangeError(`${where}: yTrue has no positive rows (posLabel ${options.posLabel ?? 1}), so recall is undefined`);
  const precision = tps.map((tp, i) => (tp + fps[i] === 0 ? 0 : tp / (tp + fps[i])));
  const recall = tps.map((tp) => tp / positives);
  return { precision: [...precision.reverse(), 1], recall: [...recall.reverse(), 0], thresholds: [...thresholds].reverse() };
}

/**
 * Average precision: Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the precision–recall curve (no interpolation), as scikit-learn.
 */
export function averagePrecisionScore(yTrue: MetricInput, yScore: MetricInput, options: CurveOptions = {}): number {
  const { precision, recall } = precisionRecallCurve(yTrue, yScore, options);
  let ap = 0;
  for (let i = 0; i < precision.length - 1; i++) ap += (recall[i] - recall[i + 1]) * precision[i];
  return ap;
}
