// Line charts as SVG: lineChartSvg (any named series against x), lossCurvesSvg (curves against epoch 1, 2, ...)
// and chartPanel, the axes-ticks-lines-legend block they and historySvg are drawn from.

import { colorAt, el, linearScale, logScale, num, type Scale, svgDocument, text } from './svg.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** One line: y values against x (default x: 1, 2, 3, ..., i.e. epochs). Non-finite points leave a gap. */
export interface Series {
  /** The legend label. */
  name: string;
  /** The values to plot. */
  y: ArrayLike<number>;
  /** The x positions (default 1, 2, 3, ...). */
  x?: ArrayLike<number>;
  /** A CSS colour (default: the next one from PALETTE). */
  color?: string;
  /** Draw the line dashed (used for validation curves). */
  dashed?: boolean;
}

/** Options of lineChartSvg. */
export interface ChartOptions {
  /** A title above the chart. */
  title?: string;
  /** The x-axis label. */
  xLabel?: string;
  /** The y-axis label. */
  yLabel?: string;
  /** Pixel size of the whole picture (defaults 560 × 340). */
  width?: number;
  /** Height of the picture in pixels. */
  height?: number;
  /** 'log' suits losses that fall by orders of magnitude; values ≤ 0 are then left out. */
  yScale?: 'linear' | 'log';
  /** A dot on every point (default: when no series has more than 40 points). */
  markers?: boolean;
}

const CHART_OPTIONS = optionKeys<ChartOptions>({ title: true, xLabel: true, yLabel: true, width: true, height: true, yScale: true, markers: true });

/** A rectangle in SVG pixel coordinates. */
export interface Box {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

const LEGEND_LINE = 22;
const CHAR_WIDTH = 6.6; // a rough average width of a 12px sans-serif character, to size the legend

/** The points of a series as runs of finite (x, y) pairs; a NaN, an infinity, or y ≤ 0 on a log axis ends a run. */
function runsOf(s: Series, log: boolean): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  for (let i = 0; i < s.y.length; i++) {
    const x = s.x ? s.x[i] : i + 1;
    const y = s.y[i];
    if (Number.isFinite(x) && Number.isFinite(y) && (!log || y > 0)) run.push([x, y]);
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function extent(values: number[], fallback: [number, number]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : fallback;
}

function axisTicks(scale: Scale, axis: 'x' | 'y', plot: Box): string[] {
  const out: string[] = [];
  const bottom = plot.y + plot.height;
  for (const t of scale.ticks) {
    const p = scale(t);
    if (axis === 'x') {
      out.push(el('line', { x1: p, y1: bottom, x2: p, y2: bottom + 5, stroke: '#333' }));
      out.push(text(p, bottom + 18, scale.format(t), { 'text-anchor': 'middle', fill: '#333' }));
    } else {
      out.push(el('line', { x1: plot.x, y1: p, x2: plot.x + plot.width, y2: p, stroke: '#e5e5e5' })); // grid line
      out.push(el('line', { x1: plot.x - 5, y1: p, x2: plot.x, y2: p, stroke: '#333' }));
      out.push(text(plot.x - 8, p + 4, scale.format(t), { 'text-anchor': 'end', fill: '#333' }));
    }
  }
  return out;
}

/** A chart inside `box` as a <g>: title, axes with ticks and labels, one polyline path per series, and a legend on the right. */
export function chartPanel(series: Series[], options: ChartOptions, box: Box): string {
  const log = options.yScale === 'log';
  const runs = series.map((s) => runsOf(s, log));
  const points = runs.flat(2);
  const legendWidth = series.length === 0 ? 0 : 34 + CHAR_WIDTH * Math.max(...series.map((s) => s.name.length));
  const plot: Box = {
    x: box.x + 62,
    y: box.y + (options.title ? 34 : 14),
    width: Math.max(40, box.width - 62 - 16 - legendWidth),
    height: Math.max(40, box.height - (options.title ? 34 : 14) - (options.xLabel ? 46 : 30)),
  };
  const [x0, x1] = extent(points.map((p) => p[0]), [0, 1]);
  const [y0, y1] = extent(points.map((p) => p[1]), log ? [0.1, 1] : [0, 1]);
  const integerX = points.every((p) => Number.isInteger(p[0]));
  const xs = linearScale(x0, x1, plot.x, plot.x + plot.width, { nice: false, count: 6, minStep: integerX ? 1 : 0 });
  const ys = log ? logScale(y0, y1, plot.y + plot.height, plot.y) : linearScale(y0, y1, plot.y + plot.height, plot.y);

  const parts: string[] = [];
  if (options.title) parts.push(text(box.x + box.width / 2, box.y + 20, options.title, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  parts.push(...axisTicks(ys, 'y', plot), ...axisTicks(xs, 'x', plot));
  const bottom = plot.y + plot.height;
  parts.push(el('path', { d: `M${num(plot.x)} ${num(plot.y)}V${num(bottom)}H${num(plot.x + plot.width)}`, fill: 'none', stroke: '#333', class: 'axis' }));
  if (options.xLabel) parts.push(text(plot.x + plot.width / 2, bottom + 38, options.xLabel, { 'text-anchor': 'middle' }));
  if (options.yLabel) {
    const cx = box.x + 16;
    const cy = plot.y + plot.height / 2;
    parts.push(text(cx, cy, options.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 ${num(cx)} ${num(cy)})` }));
  }
  if (points.length === 0) parts.push(text(plot.x + plot.width / 2, plot.y + plot.height / 2, 'no finite values', { 'text-anchor': 'middle', fill: '#999' }));

  const markers = options.markers ?? series.every((s) => s.y.length <= 40);
  series.forEach((s, i) => {
    const color = s.color ?? colorAt(i);
    const d = runs[i].map((run) => run.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${num(xs(x))} ${num(ys(y))}`).join('')).join('');
    if (d) {
      parts.push(el('path', {
        d, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round',
        'stroke-dasharray': s.dashed ? '6 4' : undefined, class: 'series', 'data-name': s.name,
      }));
    }
    // a run of one point draws no line, so it always gets a dot
    for (const run of runs[i]) {
      if (!markers && run.length > 1) continue;
      for (const [x, y] of run) parts.push(el('circle', { cx: xs(x), cy: ys(y), r: 2.5, fill: color, class: 'marker' }));
    }
    const ly = plot.y + 8 + i * LEGEND_LINE;
    const lx = plot.x + plot.width + 16;
    parts.push(el('line', { x1: lx, y1: ly, x2: lx + 22, y2: ly, stroke: color, 'stroke-width': 2, 'stroke-dasharray': s.dashed ? '6 4' : undefined }));
    parts.push(text(lx + 28, ly + 4, s.name, { class: 'legend' }));
  });
  return el('g', { class: 'chart' }, parts.join('\n'));
}

/**
 * A line chart of named series as an SVG document string.
 * @example tg.plot.lineChartSvg([{ name: 'sin', x: xs, y: xs.map(Math.sin) }], { title: 'sin(x)', xLabel: 'x' })
 */
export function lineChartSvg(series: Series[], options: ChartOptions = {}): string {
  checkOptions('lineChartSvg', options, CHART_OPTIONS);
  const width = options.width ?? 560;
  const height = options.height ?? 340;
  return svgDocument(width, height, [chartPanel(series, options, { x: 0, y: 0, width, height })], options.title);
}

/**
 * Loss curves against epoch 1, 2, ... (e.g. one per model), as an SVG document string.
 * @example tg.plot.lossCurvesSvg({ logistic: h1.history.loss, mlp: h2.history.loss }, { yScale: 'log' })
 */
export function lossCurvesSvg(curves: Record<string, ArrayLike<number>>, options: ChartOptions = {}): string {
  checkOptions('lossCurvesSvg', options, CHART_OPTIONS);
  const series = Object.entries(curves).map(([name, y]) => ({ name, y }));
  return lineChartSvg(series, { title: 'Loss', xLabel: 'epoch', yLabel: 'loss', ...options });
}
