// Pictures of evaluation results as SVG strings: a confusion-matrix heat map, a reliability diagram
// (calibration), and ROC / precision–recall curves. They take plain numbers (e.g. from tg.metrics).

import { lineChartSvg, type ChartOptions } from './chart.js';
import { el, escapeXml, linearScale, num, svgDocument, text } from './svg.js';

/** Options of {@link confusionMatrixSvg}. */
export interface ConfusionMatrixSvgOptions {
  /** A name per class (default 0, 1, 2, ...). */
  labels?: readonly (string | number)[];
  /** A title above the matrix. */
  title?: string;
  /** Side of one cell in pixels (default: fits 10 classes in about 400 px, at least 18). */
  cellSize?: number;
  /** Decimals shown in a cell (default 0 for whole counts, else 2). */
  digits?: number;
}

/** Blends white into a dark blue by t in [0, 1] (the heat map's colour scale). */
function blue(t: number): string {
  const c = (a: number, b: number) => Math.round(a + (b - a) * Math.min(1, Math.max(0, t)));
  return `rgb(${c(247, 8)},${c(251, 48)},${c(255, 107)})`;
}

/**
 * A confusion matrix as a heat map: rows are the true classes, columns the predicted ones, each cell
 * shaded by its share of its row (so rare classes show as clearly as common ones) and labelled with its value.
 * @example writeFileSync('confusion.svg', tg.plot.confusionMatrixSvg(tg.metrics.confusionMatrix(yTest, yPred)));
 */
export function confusionMatrixSvg(matrix: readonly (readonly number[])[], options: ConfusionMatrixSvgOptions = {}): string {
  const k = matrix.length;
  if (k === 0 || matrix.some((r) => !Array.isArray(r) || r.length !== k)) throw new RangeError(`confusionMatrixSvg: expected a square matrix (k rows of k values), got ${k} rows of lengths ${matrix.map((r) => r?.length).join(', ')}`);
  const labels = (options.labels ?? matrix.map((_, i) => i)).map(String);
  if (labels.length !== k) throw new RangeError(`confusionMatrixSvg: ${labels.length} labels for a ${k}×${k} matrix`);
  const cell = options.cellSize ?? Math.max(18, Math.min(60, Math.floor(400 / k)));
  const whole = matrix.every((r) => r.every((v) => Number.isInteger(v)));
  const digits = options.digits ?? (whole ? 0 : 2);
  const labelWidth = 14 + 7 * Math.max(...labels.map((l) => l.length));
  const left = labelWidth + 24;
  const top = (options.title ? 40 : 14) + 18;
  const width = left + k * cell + 20;
  const height = top + k * cell + 44;
  const parts: string[] = [];
  if (options.title) parts.push(text(width / 2, 22, options.title, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  parts.push(text(left + (k * cell) / 2, top - 6, 'predicted', { 'text-anchor': 'middle', fill: '#333' }));
  const cy = top + (k * cell) / 2;
  parts.push(text(12, cy, 'true', { 'text-anchor': 'middle', fill: '#333', transform: `rotate(-90 12 ${num(cy)})` }));
  const fontSize = Math.max(8, Math.min(13, cell / 3));
  matrix.forEach((row, i) => {
    const rowSum = row.reduce((a, b) => a + b, 0);
    row.forEach((v, j) => {
      const share = rowSum > 0 ? v / rowSum : 0;
      const x = left + j * cell;
      const y = top + i * cell;
      parts.push(el('rect', { x, y, width: cell, height: cell, fill: blue(share), stroke: 'white', class: 'cell', 'data-row': i, 'data-col': j }));
      parts.push(text(x + cell / 2, y + cell / 2 + fontSize / 3, v.toFixed(digits), { 'text-anchor': 'middle', 'font-size': fontSize, fill: share > 0.5 ? 'white' : '#222' }));
    });
    parts.push(text(left - 6, top + i * cell + cell / 2 + 4, labels[i], { 'text-anchor': 'end' }));
    parts.push(text(left + i * cell + cell / 2, top + k * cell + 16, labels[i], { 'text-anchor': 'middle' }));
  });
  return svgDocument(width, height, parts, options.title ?? 'Confusion matrix');
}

/** The per-bin numbers a reliability diagram draws (what tg.metrics.reliability returns). */
export interface ReliabilityLike {
  /** Bin edges from 0 to 1. */
  edges: readonly number[];
  /** Accuracy per bin (NaN when empty). */
  accuracy: readonly number[];
  /** Mean confidence per bin (NaN when empty). */
  confidence: readonly number[];
  /** Rows per bin. */
  count: readonly number[];
  /** The expected calibration error, printed in the corner. */
  ece?: number;
}

/**
 * A reliability diagram: per confidence bin, a bar up to the bin's accuracy, a red gap bar up to its mean
 * confidence, and the diagonal a perfectly calibrated model would follow. Empty bins are left blank.
 * @example writeFileSync('reliability.svg', tg.plot.reliabilityDiagramSvg(tg.metrics.reliability(yTest, probs)));
 */
export function reliabilityDiagramSvg(r: ReliabilityLike, options: { title?: string; width?: number; height?: number } = {}): string {
  const nBins = r.accuracy.length;
  if (r.edges.length !== nBins + 1 || r.confidence.length !== nBins || r.count.length !== nBins) {
    throw new RangeError(`reliabilityDiagramSvg: expected nBins + 1 edges and nBins accuracy, confidence and count values; got ${r.edges.length}, ${nBins}, ${r.confidence.length}, ${r.count.length}`);
  }
  const width = options.width ?? 420;
  const height = options.height ?? 420;
  const plot = { x: 60, y: options.title ? 40 : 16, width: width - 80, height: 0 };
  plot.height = height - plot.y - 50;
  const xs = linearScale(0, 1, plot.x, plot.x + plot.width);
  const ys = linearScale(0, 1, plot.y + plot.height, plot.y);
  const parts: string[] = [];
  if (options.title) parts.push(text(width / 2, 22, options.title, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  for (const t of ys.ticks) {
    parts.push(el('line', { x1: plot.x, y1: ys(t), x2: plot.x + plot.width, y2: ys(t), stroke: '#e5e5e5' }));
    parts.push(text(plot.x - 8, ys(t) + 4, ys.format(t), { 'text-anchor': 'end', fill: '#333' }));
  }
  for (const t of xs.ticks) parts.push(text(xs(t), plot.y + plot.height + 18, xs.format(t), { 'text-anchor': 'middle', fill: '#333' }));
  for (let b = 0; b < nBins; b++) {
    if (!(r.count[b] > 0)) continue;
    const x0 = xs(r.edges[b]);
    const w = xs(r.edges[b + 1]) - x0;
    const acc = r.accuracy[b];
    const conf = r.confidence[b];
    parts.push(el('rect', { x: x0, y: ys(acc), width: w, height: ys(0) - ys(acc), fill: '#0072B2', stroke: 'white', class: 'bar', 'data-count': r.count[b] }));
    const [lo, hi] = acc < conf ? [acc, conf] : [conf, acc];
    parts.push(el('rect', { x: x0, y: ys(hi), width: w, height: ys(lo) - ys(hi), fill: '#D55E00', 'fill-opacity': 0.35, stroke: '#D55E00', class: 'gap' }));
  }
  parts.push(el('line', { x1: xs(0), y1: ys(0), x2: xs(1), y2: ys(1), stroke: '#666', 'stroke-dasharray': '4 3' }));
  parts.push(el('path', { d: `M${num(plot.x)} ${num(plot.y)}V${num(plot.y + plot.height)}H${num(plot.x + plot.width)}`, fill: 'none', stroke: '#333', class: 'axis' }));
  parts.push(text(plot.x + plot.width / 2, plot.y + plot.height + 38, 'confidence', { 'text-anchor': 'middle' }));
  const cy = plot.y + plot.height / 2;
  parts.push(text(16, cy, 'accuracy', { 'text-anchor': 'middle', transform: `rotate(-90 16 ${num(cy)})` }));
  if (r.ece !== undefined) parts.push(text(plot.x + 10, plot.y + 16, `ECE ${escapeXml(r.ece.toFixed(4))}`, { fill: '#333' }));
  return svgDocument(width, height, parts, options.title ?? 'Reliability diagram');
}

/** One curve for {@link rocCurveSvg}: a name and the points (e.g. tg.metrics.rocCurve's fpr and tpr). */
export interface NamedCurve {
  /** The legend label (the area is appended when given). */
  name: string;
  /** x values (false positive rate, or recall). */
  x: ArrayLike<number>;
  /** y values (true positive rate, or precision). */
  y: ArrayLike<number>;
  /** The area under the curve, shown in the legend. */
  auc?: number;
}

/** ROC curves (true against false positive rate) with the chance diagonal, as an SVG document. */
export function rocCurveSvg(curves: NamedCurve[], options: ChartOptions = {}): string {
  const series = curves.map((c) => ({ name: c.auc === undefined ? c.name : `${c.name} (AUC ${c.auc.toFixed(3)})`, x: c.x, y: c.y }));
  series.push({ name: 'chance', x: [0, 1], y: [0, 1], dashed: true, color: '#999' } as (typeof series)[number]);
  return lineChartSvg(series, { title: 'ROC curve', xLabel: 'false positive rate', yLabel: 'true positive rate', markers: false, ...options });
}

/** Precision–recall curves (precision against recall), as an SVG document. */
export function precisionRecallSvg(curves: NamedCurve[], options: ChartOptions = {}): string {
  const series = curves.map((c) => ({ name: c.auc === undefined ? c.name : `${c.name} (AP ${c.auc.toFixed(3)})`, x: c.x, y: c.y }));
  return lineChartSvg(series, { title: 'Precision–recall curve', xLabel: 'recall', yLabel: 'precision', markers: false, ...options });
}

/** One robustness curve for {@link robustnessCurveSvg}: accuracy at each ε (what tg.robust.robustnessCurve returns), named. */
export interface RobustnessSeries {
  /** The legend label, e.g. 'FGSM, standard training'. */
  name: string;
  /** The radii. */
  epsilon: ArrayLike<number>;
  /** Accuracy at each radius. */
  accuracy: ArrayLike<number>;
  /** Draw the line dashed. */
  dashed?: boolean;
  /** A CSS colour. */
  color?: string;
}

/** Robustness curves: accuracy against the attack radius ε, one line per model and attack. */
export function robustnessCurveSvg(curves: RobustnessSeries[], options: ChartOptions = {}): string {
  const series = curves.map((c) => ({ name: c.name, x: c.epsilon, y: c.accuracy, dashed: c.dashed, color: c.color }));
  return lineChartSvg(series, { title: 'Accuracy under attack', xLabel: 'ε', yLabel: 'accuracy', markers: true, ...options });
}

/** Accuracy per corruption and severity (what tg.robust.corruptionAccuracy returns). */
export interface CorruptionResultLike {
  /** Accuracy on clean inputs, drawn at severity 0. */
  clean: number;
  /** The severities. */
  severities: readonly number[];
  /** Per corruption name, the accuracy at each severity. */
  accuracy: Partial<Record<string, readonly number[]>>;
}

/** Accuracy against corruption severity, one line per corruption, all starting from the clean accuracy at 0. */
export function corruptionSvg(result: CorruptionResultLike, options: ChartOptions = {}): string {
  const series = Object.entries(result.accuracy).map(([name, acc]) => ({
    name, x: [0, ...result.severities], y: [result.clean, ...(acc ?? [])],
  }));
  return lineChartSvg(series, { title: 'Accuracy under corruptions', xLabel: 'severity (0 = clean)', yLabel: 'accuracy', markers: true, ...options });
}
