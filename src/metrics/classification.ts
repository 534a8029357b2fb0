// Classification metrics on predictions, with scikit-learn's semantics: accuracy, the confusion matrix,
// precision / recall / F-beta per class or averaged (binary, micro, macro, weighted), the text report, top-k.

import { checkSameLength, type MetricInput, readLabels, readMatrix, uniqueLabels } from './labels.js';

/** How per-class scores are combined: 'binary' (the posLabel class only), 'micro', 'macro', 'weighted', or 'none' (one per class). */
export type Average = 'binary' | 'micro' | 'macro' | 'weighted' | 'none';

/** Options shared by the precision / recall / F-score functions (scikit-learn's keywords in camelCase). */
export interface ScoreOptions {
  /** Default 'binary', as scikit-learn; multi-class labels then need 'micro', 'macro', 'weighted' or 'none'. */
  average?: Average;
  /** The positive class for average 'binary' (default 1). */
  posLabel?: number;
  /** The classes to score, in this order (default: every label in yTrue or yPred, sorted). */
  labels?: readonly number[];
  /** The score given when a denominator is 0, e.g. precision of a class never predicted (default 0). */
  zeroDivision?: number;
}

/** Per-class counts and scores, each array in the order of `labels`. */
export interface ClassScores {
  /** The classes, in the order of the other arrays. */
  labels: number[];
  /** tp / (tp + fp) per class. */
  precision: number[];
  /** tp / (tp + fn) per class. */
  recall: number[];
  /** (1 + β²)·P·R / (β²·P + R) per class. */
  fScore: number[];
  /** Rows whose true label is the class. */
  support: number[];
}

/**
 * The fraction of rows whose predicted label equals the true one. 2-D yPred (scores) counts each row's argmax.
 * @example tg.metrics.accuracyScore([0, 1, 2, 2], [0, 2, 2, 2]) // 0.75
 */
export function accuracyScore(yTrue: MetricInput, yPred: MetricInput): number {
  const t = readLabels(yTrue, 'accuracyScore: yTrue');
  const p = readLabels(yPred, 'accuracyScore: yPred');
  checkSameLength(t, p, 'accuracyScore');
  let hits = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) hits++;
  return hits / t.length;
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** The classes, as rows and columns in this order (default: every label seen, sorted). */
  labels?: readonly number[];
  /** Divide by row sums ('true'), column sums ('pred') or the total ('all'); default: counts. */
  normalize?: 'true' | 'pred' | 'all';
}

/**
 * C[i][j] = the number of rows of true class labels[i] predicted as labels[j] (rows: truth, columns: prediction).
 * Rows whose labels are not in `labels` are left out, as scikit-learn does.
 * @example tg.metrics.confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]) // [[2,0,0],[0,0,1],[1,0,2]]
 */
export function confusionMatrix(yTrue: MetricInput, yPred: MetricInput, options: ConfusionMatrixOptions = {}): number[][] {
  const t = readLabels(yTrue, 'confusionMatrix: yTrue');
  const p = readLabels(yPred, 'confusionMatrix: yPred');
  checkSameLength(t, p, 'confusionMatrix');
  const labels = checkLabelList(options.labels, 'confusionMatrix') ?? uniqueLabels(t, p);
  const index = new Map(labels.map((l, i) => [l, i]));
  const c = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < t.length; i++) {
    const a = index.get(t[i]);
    const b = index.get(p[i]);
    if (a !== undefined && b !== undefined) c[a][b]++;
  }
  const norm = options.normalize;
  if (norm === undefined) return c;
  if (norm !== 'true' && norm !== 'pred' && norm !== 'all') throw new RangeError(`confusionMatrix: normalize must be 'true', 'pred' or 'all', got ${JSON.stringify(norm)}`);
  const total = c.flat().reduce((a, b) => a + b, 0);
  return c.map((row) => row.map((v, j) => {
    const d = norm === 'all' ? total : norm === 'true' ? row.reduce((a, b) => a + b, 0) : c.reduce((s, r) => s + r[j], 0);
    return d === 0 ? 0 : v / d; // scikit-learn leaves empty rows / columns at 0
  }));
}

function checkLabelList(labels: readonly number[] | undefined, where: string): number[] | undefined {
  if (labels === undefined) return undefined;
  if (!Array.isArray(labels) || labels.length === 0) throw new RangeError(`${where}: labels must be a non-empty array of class labels`);
  if (new Set(labels).size !== labels.length) throw new RangeError(`${where}: labels [${labels.join(', ')}] has a repeated class`);
  return [...labels];
}

/** tp, fp, fn and support per class (the counts every score is made of). */
function perClassCounts(t: Float64Array, p: Float64Array, labels: readonly number[]) {
  const index = new Map(labels.map((l, i) => [l, i]));
  const tp = new Float64Array(labels.length);
  const fp = new Float64Array(labels.length);
  const fn = new Float64Array(labels.length);
  for (let i = 0; i < t.length; i++) {
    const a = index.get(t[i]);
    const b = index.get(p[i]);
    if (a !== undefined && a === b) tp[a]++;
    else {
      if (b !== undefined) fp[b]++;
      if (a !== undefined) fn[a]++;
    }
  }
  return { tp, fp, fn };
}

const ratio = (num: number, den: number, zero: number): number => (den === 0 ? zero : num / den);
const fOf = (p: number, r: number, beta2: number, zero: number): number =>
  p + r === 0 ? zero : ((1 + beta2) * p * r) / (beta2 * p + r);

/**
 * Precision, recall, F-beta and support per class, or averaged (scikit-learn's precision_recall_fscore_support).
 * 'micro' pools tp, fp and fn over the classes (for single-label multi-class data it equals accuracy);
 * 'macro' is the unweighted mean of the per-class scores; 'weighted' weights them by support.
 * @returns per-class arrays for average 'none', else single numbers (support: the total number of true rows scored).
 */
export function precisionRecallFscoreSupport(
  yTrue: MetricInput, yPred: MetricInput, options: ScoreOptions & { beta?: number } = {},
): ClassScores | { precision: number; recall: number; fScore: number; support: number } {
  const where = 'precisionRecallFscoreSupport';
  const t = readLabels(yTrue, `${where}: yTrue`);
  const p = readLabels(yPred, `${where}: yPred`);
  checkSameLength(t, p, where);
  const beta = options.beta ?? 1;
  if (!(beta >= 0 && Number.isFinite(beta))) throw new RangeError(`${where}: beta must be a finite number ≥ 0, got ${beta}`);
  const zero = options.zeroDivision ?? 0;
  if (!Number.isFinite(zero)) throw new RangeError(`${where}: zeroDivision must be a number, got ${zero}`);
  const average = options.average ?? 'binary';
  const seen = uniqueLabels(t, p);
  let labels = checkLabelList(options.labels, where) ?? seen;
  if (average === 'binary') {
    const pos = options.posLabel ?? 1;
    if (seen.length > 2) {
      throw new RangeError(`${where}: the labels are multi-class (${seen.join(', ')}); choose average 'micro', 'macro', 'weighted' or 'none' (average 'binary' scores one positive class)`);
    }
    if (!seen.includes(pos) && seen.length === 2) throw new RangeError(`${where}: posLabel ${pos} is not one of the labels (${seen.join(', ')})`);
    labels = [pos];
  } else if (average !== 'micro' && average !== 'macro' && average !== 'weighted' && average !== 'none') {
    throw new RangeError(`${where}: average must be 'binary', 'micro', 'macro', 'weighted' or 'none', got ${JSON.stringify(average)}`);
  }
  const { tp, fp, fn } = perClassCounts(t, p, labels);
  const beta2 = beta * beta;
  const support = Array.from(tp, (v, i) => v + fn[i]);
  if (average === 'micro') {
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    const P = ratio(sum(tp), sum(tp) + sum(fp), zero);
    const R = ratio(sum(tp), sum(tp) + sum(fn), zero);
    return { precision: P, recall: R, fScore: fOf(P, R, beta2, zero), support: support.reduce((a, b) => a + b, 0) };
  }
  const precision = Array.from(tp, (v, i) => ratio(v, v + fp[i], zero));
  const recall = Array.from(tp, (v, i) => ratio(v, v + fn[i], zero));
  const fScore = precision.map((P, i) => fOf(P, recall[i], beta2, zero));
  if (average === 'none') return { labels, precision, recall, fScore, support };
  const total = support.reduce((a, b) => a + b, 0);
  const w = average === 'weighted' ? support.map((s) => (total === 0 ? 0 : s / total)) : labels.map(() => 1 / labels.length);
  const avg = (a: number[]) => a.reduce((s, v, i) => s + v * w[i], 0);
  return { precision: avg(precision), recall: avg(recall), fScore: avg(fScore), support: total };
}

function pick(which: 'precision' | 'recall' | 'fScore', yTrue: MetricInput, yPred: MetricInput, options: ScoreOptions & { beta?: number }): number | number[] {
  const r = precisionRecallFscoreSupport(yTrue, yPred, options);
  return r[which];
}

/**
 * tp / (tp + fp): of the rows predicted as a class, the fraction that are. Per class for average 'none'.
 * @example tg.metrics.precisionScore([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { average: 'macro' }) // 0.2222…
 */
export function precisionScore(yTrue: MetricInput, yPred: MetricInput, options: ScoreOptions = {}): number | number[] {
  return pick('precision', yTrue, yPred, options);
}

/** tp / (tp + fn): of the rows of a class, the fraction predicted as it. Per class for average 'none'. */
export function recallScore(yTrue: MetricInput, yPred: MetricInput, options: ScoreOptions = {}): number | number[] {
  return pick('recall', yTrue, yPred, options);
}

/** The harmonic mean of precision and recall, 2PR / (P + R). Per class for average 'none'. */
export function f1Score(yTrue: MetricInput, yPred: MetricInput, options: ScoreOptions = {}): number | number[] {
  return pick('fScore', yTrue, yPred, { ...options, beta: 1 });
}

/** (1 + β²)PR / (β²P + R): recall counts β times as much as precision. Per class for average 'none'. */
export function fbetaScore(yTrue: MetricInput, yPred: MetricInput, beta: number, options: ScoreOptions = {}): number | number[] {
  return pick('fScore', yTrue, yPred, { ...options, beta });
}

/** Options of {@link classificationReport}. */
export interface ReportOptions {
  /** The classes to report, in this order (default: every label seen, sorted). */
  labels?: readonly number[];
  /** A display name per class (default: the label as text). */
  targetNames?: readonly string[];
  /** Decimals (default 2). */
  digits?: number;
  /** The score for a zero denominator (default 0). */
  zeroDivision?: number;
}

/**
 * A text table of precision, recall, F1 and support per class, then accuracy (or micro avg when some
 * classes are left out), macro avg and weighted avg, laid out as scikit-learn's classification_report.
 * @example console.log(tg.metrics.classificationReport(yTest, model.predict(xTest), { targetNames: ['setosa', 'versicolor', 'virginica'] }));
 */
export function classificationReport(yTrue: MetricInput, yPred: MetricInput, options: ReportOptions = {}): string {
  const where = 'classificationReport';
  const t = readLabels(yTrue, `${where}: yTrue`);
  const p = readLabels(yPred, `${where}: yPred`);
  checkSameLength(t, p, where);
  const seen = uniqueLabels(t, p);
  const labels = checkLabelList(options.labels, where) ?? seen;
  const digits = options.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new RangeError(`${where}: digits must be an integer in [0, 15], got ${digits}`);
  const names = options.targetNames ? [...options.targetNames] : labels.map(String);
  if (names.length !== labels.length) throw new RangeError(`${where}: ${names.length} targetNames for ${labels.length} classes (${labels.join(', ')})`);
  const common = { labels, zeroDivision: options.zeroDivision ?? 0 };
  const per = precisionRecallFscoreSupport(t, p, { ...common, average: 'none' }) as ClassScores;
  const width = Math.max(...names.map((n) => n.length), 'weighted avg'.length, digits);
  // scikit-learn's layout: the name right-aligned in `width`, then each cell as a space and 9 right-aligned characters
  const row = (name: string, cells: string[]) => `${name.padStart(width)} ${cells.map((c) => ` ${c.padStart(9)}`).join('')}`;
  const f = (v: number) => v.toFixed(digits);
  const lines = [row('', ['precision', 'recall', 'f1-score', 'support']), ''];
  names.forEach((n, i) => lines.push(row(n, [f(per.precision[i]), f(per.recall[i]), f(per.fScore[i]), String(per.support[i])])));
  lines.push('');
  const microIsAccuracy = seen.every((l) => labels.includes(l));
  for (const average of ['micro', 'macro', 'weighted'] as const) {
    const a = precisionRecallFscoreSupport(t, p, { ...common, average }) as { precision: number; recall: number; fScore: number; support: number };
    if (average === 'micro' && microIsAccuracy) lines.push(row('accuracy', ['', '', f(a.fScore), String(a.support)]));
    else lines.push(row(`${average} avg`, [f(a.precision), f(a.recall), f(a.fScore), String(a.support)]));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The fraction of rows whose true class is among the k highest scores (scikit-learn's top_k_accuracy_score).
 * A tie at the k-th score counts as a hit: the row is a hit when fewer than k classes score strictly higher.
 * @param yScore scores [rows, classes] (probabilities or logits); yTrue: class indices 0..classes-1.
 */
export function topKAccuracy(yTrue: MetricInput, yScore: MetricInput, k = 5): number {
  const where = 'topKAccuracy';
  const t = readLabels(yTrue, `${where}: yTrue`);
  const s = readMatrix(yScore, `${where}: yScore`);
  if (s.cols < 2) throw new RangeError(`${where}: yScore must be scores of shape [rows, classes] with at least 2 classes`);
  checkSameLength(t, { length: s.rows }, where, ['yTrue', 'yScore']);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${where}: k must be a positive integer, got ${k}`);
  let hits = 0;
  for (let r = 0; r < s.rows; r++) {
    const label = t[r];
    if (!Number.isInteger(label) || label < 0 || label >= s.cols) throw new RangeError(`${where}: yTrue[${r}] = ${label} is not a class index in [0, ${s.cols})`);
    const mine = s.data[r * s.cols + label];
    let higher = 0;
    for (let j = 0; j < s.cols; j++) if (s.data[r * s.cols + j] > mine) higher++;
    if (higher < k) hits++;
  }
  return hits / s.rows;
}
