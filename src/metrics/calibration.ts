// Calibration: does a predicted probability of 0.8 come true 80% of the time? Reliability bins of the
// top-label confidence, expected calibration error (ECE), and scikit-learn's binary calibration_curve.

import { checkSameLength, type MetricInput, readLabels, readMatrix } from './labels.js';

/** The reliability table: per confidence bin, the mean confidence, the accuracy and the row count. */
export interface Reliability {
  /** Bin edges, nBins + 1 values from 0 to 1. */
  edges: number[];
  /** Mean confidence of the rows in each bin (NaN for an empty bin). */
  confidence: number[];
  /** Fraction of the bin's rows predicted correctly (NaN for an empty bin). */
  accuracy: number[];
  /** Rows per bin. */
  count: number[];
  /** Σ (count/n)·|accuracy − confidence| over the non-empty bins. */
  ece: number;
  /** The largest |accuracy − confidence| over the non-empty bins. */
  mce: number;
}

/**
 * Top-label confidences and hits: probabilities [rows, classes] give each row's largest probability and
 * whether its argmax is the label; one probability per row (binary, the positive class's) gives max(p, 1 − p).
 */
function confidences(yTrue: MetricInput, yProb: MetricInput, where: string): { conf: Float64Array; hit: Uint8Array } {
  const t = readLabels(yTrue, `${where}: yTrue`);
  const s = readMatrix(yProb, `${where}: yProb`);
  checkSameLength(t, { length: s.rows }, where, ['yTrue', 'yProb']);
  const k = Math.max(1, s.cols);
  const conf = new Float64Array(s.rows);
  const hit = new Uint8Array(s.rows);
  for (let r = 0; r < s.rows; r++) {
    for (let j = 0; j < k; j++) {
      const v = s.data[r * k + j];
      if (v < 0 || v > 1) throw new RangeError(`${where}: yProb must be probabilities in [0, 1]; row ${r} has ${v} (apply softmax or sigmoid to logits first)`);
    }
    if (s.cols <= 1) {
      const p = s.data[r];
      conf[r] = Math.max(p, 1 - p);
      hit[r] = (p >= 0.5 ? 1 : 0) === t[r] ? 1 : 0;
    } else {
      let best = 0;
      for (let j = 1; j < k; j++) if (s.data[r * k + j] > s.data[r * k + best]) best = j;
      conf[r] = s.data[r * k + best];
      hit[r] = best === t[r] ? 1 : 0;
    }
  }
  return { conf, hit };
}

/** Bin edges as numpy.linspace(0, 1, nBins + 1) computes them: i·(1/nBins), the last exactly 1. */
const binEdges = (nBins: number): number[] => Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * (1 / nBins)));

/** The bin (lo, hi] holding v, the first one closed at 0: the number of inner edges below v (numpy.searchsorted). */
function binOf(v: number, edges: readonly number[]): number {
  let b = 0;
  while (b < edges.length - 2 && edges[b + 1] < v) b++;
  return b;
}

function checkBins(nBins: number, where: string): void {
  if (!Number.isInteger(nBins) || nBins < 1) throw new RangeError(`${where}: nBins must be a positive integer, got ${nBins}`);
}

/**
 * Bins rows by top-label confidence into nBins equal-width bins ((m−1)/M, m/M] and compares, per bin,
 * mean confidence with accuracy (Guo et al., 2017). The reliability diagram draws these bins.
 * @param yProb probabilities [rows, classes], or one probability of class 1 per row for binary labels.
 */
export function reliability(yTrue: MetricInput, yProb: MetricInput, options: { nBins?: number } = {}): Reliability {
  const where = 'reliability';
  const nBins = options.nBins ?? 15;
  checkBins(nBins, where);
  const { conf, hit } = confidences(yTrue, yProb, where);
  const edges = binEdges(nBins);
  const sumConf = new Float64Array(nBins);
  const sumHit = new Float64Array(nBins);
  const count = new Array<number>(nBins).fill(0);
  for (let i = 0; i < conf.length; i++) {
    const b = binOf(conf[i], edges);
    sumConf[b] += conf[i];
    sumHit[b] += hit[i];
    count[b]++;
  }
  const confidence = count.map((c, b) => (c ? sumConf[b] / c : NaN));
  const accuracy = count.map((c, b) => (c ? sumHit[b] / c : NaN));
  let ece = 0;
  let mce = 0;
  count.forEach((c, b) => {
    if (!c) return;
    const gap = Math.abs(accuracy[b] - confidence[b]);
    ece += (c / conf.length) * gap;
    mce = Math.max(mce, gap);
  });
  return { edges, confidence, accuracy, count, ece, mce };
}

/**
 * Expected calibration error: Σ (nₘ/n)·|acc(Bₘ) − conf(Bₘ)| over nBins (default 15) equal-width confidence bins.
 * 0 for a perfectly calibrated model.
 */
export function expectedCalibrationError(yTrue: MetricInput, yProb: MetricInput, options: { nBins?: number } = {}): number {
  return reliability(yTrue, yProb, options).ece;
}

/**
 * scikit-learn's calibration_curve for binary labels (strategy 'uniform'): per non-empty bin of the
 * positive-class probability, the fraction of positives (probTrue) and the mean probability (probPred).
 */
export function calibrationCurve(yTrue: MetricInput, yProb: MetricInput, options: { nBins?: number; posLabel?: number } = {}): { probTrue: number[]; probPred: number[] } {
  const where = 'calibrationCurve';
  const nBins = options.nBins ?? 5;
  checkBins(nBins, where);
  const t = readLabels(yTrue, `${where}: yTrue`);
  const s = readMatrix(yProb, `${where}: yProb`);
  if (s.cols > 1) throw new RangeError(`${where}: yProb must be one probability per row (of the positive class), got [${s.rows}, ${s.cols}]`);
  checkSameLength(t, s.data, where, ['yTrue', 'yProb']);
  const pos = options.posLabel ?? 1;
  const edges = binEdges(nBins);
  const sumP = new Float64Array(nBins);
  const sumT = new Float64Array(nBins);
  const n = new Float64Array(nBins);
  s.data.forEach((p, i) => {
    if (p < 0 || p > 1) throw new RangeError(`${where}: yProb[${i}] = ${p} is not a probability in [0, 1]`);
    const b = binOf(p, edges);
    sumP[b] += p;
    sumT[b] += t[i] === pos ? 1 : 0;
    n[b]++;
  });
  const probTrue: number[] = [];
  const probPred: number[] = [];
  for (let b = 0; b < nBins; b++) {
    if (n[b] === 0) continue;
    probTrue.push(sumT[b] / n[b]);
    probPred.push(sumP[b] / n[b]);
  }
  return { probTrue, probPred };
}
