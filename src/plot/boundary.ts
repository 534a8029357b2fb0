// decisionBoundarySvg: for 2-D inputs, the class a model predicts at every cell of a grid (shaded regions)
// with the data points on top, coloured by their true class, as an SVG document string.

import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import { type DataInput, toTensor } from '../data/arrays.js';
import { NDArray } from '../tensor/ndarray.js';
import { colorAt, el, linearScale, type Scale, svgDocument, text } from './svg.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** A function from points [m, 2] to outputs, or anything with a predict method (a tg Model). */
export type Predictor = ((x: Tensor) => Tensor | ArrayLike<number>) | PredictorModel;

/** Anything with a Keras-style predict(), such as a model from tg.sequential. */
export interface PredictorModel {
  /** Class probabilities or scores for each row of x. */
  predict(x: Tensor, args?: { batchSize?: number }): Tensor;
}

/** Options of decisionBoundarySvg. */
export interface DecisionBoundaryOptions {
  /** Grid cells per side (default 100): resolution² points are predicted. */
  resolution?: number;
  /** A title above the picture. */
  title?: string;
  /** Margin around the data, as a fraction of its range (default 0.1). */
  padding?: number;
  /** For a single output: the class is 1 where the output exceeds this (default 0.5, for a sigmoid). */
  threshold?: number;
  /** Names for the legend (default "class 0", "class 1", ...). */
  classNames?: string[];
  /** Size of the square plot area in pixels (default 420). */
  size?: number;
}

const BOUNDARY_OPTIONS = optionKeys<DecisionBoundaryOptions>({
  resolution: true, title: true, padding: true, threshold: true, classNames: true, size: true,
});

/** True classes: integer labels [n] (or [n, 1]), or one-hot / probability rows [n, k] (argmax). */
function labelsOf(y: Tensor, rows: number): Int32Array {
  if (y.size === rows) {
    const v = y.value.values();
    return Int32Array.from(v, (c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= MAX_CLASSES) {
        throw new RangeError(`decisionBoundarySvg: y has label ${c} at row ${i}; expected class indices 0, 1, ... (below ${MAX_CLASSES}) or one-hot rows`);
      }
      return c;
    });
  }
  return classesOf(y, rows, 0.5, 'y');
}

const MAX_CLASSES = 100;

/** Class per row: argmax over columns, or output > threshold for one column. */
function classesOf(out: Tensor | ArrayLike<number>, rows: number, threshold: number, what: string): Int32Array {
  const values = out instanceof Tensor ? out.value.values() : Float64Array.from(out);
  if (values.length === 0 || values.length % rows !== 0) {
    throw new RangeError(`decisionBoundarySvg: ${what} gave ${values.length} values for ${rows} rows; expected one row of outputs per point`);
  }
  const k = values.length / rows;
  const cls = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    if (k === 1) {
      cls[i] = values[i] > threshold ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let j = 1; j < k; j++) if (values[i * k + j] > values[i * k + best]) best = j;
    cls[i] = best;
  }
  return cls;
}

function predictGrid(predictor: Predictor, grid: Tensor): Tensor | ArrayLike<number> {
  return noGrad(() => (typeof predictor === 'function' ? predictor(grid) : predictor.predict(grid, { batchSize: 4096 })));
}

/** Evenly spaced ticks inside [lo, hi] for the axes of the point cloud. */
const axisScale = (lo: number, hi: number, p0: number, p1: number): Scale => linearScale(lo, hi, p0, p1, { nice: false, count: 5 });

/**
 * The predicted class regions of a model on 2-D data, with the points coloured by class.
 * @example tg.plot.decisionBoundarySvg(model, xTest, yTest, { resolution: 120, title: 'MLP on two moons' })
 */
export function decisionBoundarySvg(predictor: Predictor, x: DataInput, y: DataInput, options: DecisionBoundaryOptions = {}): string {
  checkOptions('decisionBoundarySvg', options, BOUNDARY_OPTIONS);
  const res = options.resolution ?? 100;
  if (!Number.isSafeInteger(res) || res < 2 || res > 1000) throw new RangeError(`decisionBoundarySvg: resolution must be an integer in [2, 1000], got ${res}`);
  const xt = toTensor(x, 'decisionBoundarySvg: x', { dtype: 'float32' });
  if (xt.ndim !== 2 || xt.shape[1] !== 2) throw new RangeError(`decisionBoundarySvg: x must have shape [n, 2] (2-D points), got [${xt.shape.join(',')}]`);
  const n = xt.shape[0];
  const pts = xt.value.values();
  const labels = labelsOf(toTensor(y, 'decisionBoundarySvg: y'), n);
  const threshold = options.threshold ?? 0.5;

  // the grid covers the finite points plus a margin
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    const a = pts[2 * i];
    const b = pts[2 * i + 1];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    [x0, x1, y0, y1] = [Math.min(x0, a), Math.max(x1, a), Math.min(y0, b), Math.max(y1, b)];
  }
  if (!(x0 <= x1)) [x0, x1, y0, y1] = [-1, 1, -1, 1];
  const pad = options.padding ?? 0.1;
  const px = x1 > x0 ? (x1 - x0) * pad : 0.5; // a single point (or a vertical line) still gets an area around it
  const py = y1 > y0 ? (y1 - y0) * pad : 0.5;
  [x0, x1, y0, y1] = [x0 - px, x1 + px, y0 - py, y1 + py];

  const grid = new Float32Array(res * res * 2);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const k = r * res + c; // row r counts from the top, so y falls as r grows
      grid[2 * k] = x0 + ((c + 0.5) / res) * (x1 - x0);
      grid[2 * k + 1] = y1 - ((r + 0.5) / res) * (y1 - y0);
    }
  }
  const predicted = classesOf(predictGrid(predictor, new Tensor(new NDArray(grid, [res * res, 2]))), res * res, threshold, 'the predictor');

  const size = options.size ?? 420;
  let nClasses = 2;
  for (const c of [...labels, ...predicted]) nClasses = Math.max(nClasses, c + 1);
  const names = Array.from({ length: nClasses }, (_, i) => options.classNames?.[i] ?? `class ${i}`);
  const legendWidth = 40 + 6.6 * Math.max(...names.map((s) => s.length));
  const plot = { x: 56, y: options.title ? 36 : 14, w: size, h: size };
  const xs = axisScale(x0, x1, plot.x, plot.x + plot.w);
  const ys = axisScale(y0, y1, plot.y + plot.h, plot.y);
  const cw = plot.w / res;
  const ch = plot.h / res;

  // one rect per horizontal run of equal predictions keeps the file small
  const cells: string[] = [];
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res;) {
      const cls = predicted[r * res + c];
      let end = c + 1;
      while (end < res && predicted[r * res + end] === cls) end++;
      cells.push(el('rect', { x: plot.x + c * cw, y: plot.y + r * ch, width: (end - c) * cw, height: ch, fill: colorAt(cls) }));
      c = end;
    }
  }
  const dots: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = pts[2 * i];
    const b = pts[2 * i + 1];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    dots.push(el('circle', { cx: xs(a), cy: ys(b), r: 3, fill: colorAt(labels[i]), stroke: 'white', 'stroke-width': 0.8 }));
  }

  const parts: string[] = [];
  if (options.title) parts.push(text(plot.x + plot.w / 2, 22, options.title, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  parts.push(el('g', { class: 'regions', 'fill-opacity': 0.28, 'shape-rendering': 'crispEdges' }, cells.join('')));
  parts.push(el('g', { class: 'points' }, dots.join('\n')));
  parts.push(el('rect', { x: plot.x, y: plot.y, width: plot.w, height: plot.h, fill: 'none', stroke: '#333' }));
  const bottom = plot.y + plot.h;
  for (const t of xs.ticks) {
    parts.push(el('line', { x1: xs(t), y1: bottom, x2: xs(t), y2: bottom + 5, stroke: '#333' }));
    parts.push(text(xs(t), bottom + 18, xs.format(t), { 'text-anchor': 'middle', fill: '#333' }));
  }
  for (const t of ys.ticks) {
    parts.push(el('line', { x1: plot.x - 5, y1: ys(t), x2: plot.x, y2: ys(t), stroke: '#333' }));
    parts.push(text(plot.x - 8, ys(t) + 4, ys.format(t), { 'text-anchor': 'end', fill: '#333' }));
  }
  names.forEach((name, i) => {
    const ly = plot.y + 10 + i * 22;
    const lx = plot.x + plot.w + 16;
    parts.push(el('rect', { x: lx, y: ly - 7, width: 14, height: 14, fill: colorAt(i), 'fill-opacity': 0.28, stroke: colorAt(i) }));
    parts.push(el('circle', { cx: lx + 7, cy: ly, r: 3, fill: colorAt(i) }));
    parts.push(text(lx + 22, ly + 4, name, { class: 'legend' }));
  });
  const width = plot.x + plot.w + 16 + legendWidth;
  return svgDocument(width, bottom + 30, parts, options.title ?? 'Decision boundary');
}
