// historySvg: the curves of a model.fit() History as SVG, one panel per metric (loss, accuracy, ...),
// training solid and validation (val_ keys) dashed, against the epoch number.

import { type ChartOptions, chartPanel, type Series } from './chart.js';
import { colorAt, svgDocument, text } from './svg.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** What historySvg reads: a History from fit(), or its `history` record of per-epoch numbers. */
export type HistoryLike = HistoryRecord | Record<string, ArrayLike<number>>;

/** The shape of a History from model.fit(): metric name → one value per epoch. */
export interface HistoryRecord {
  /** Per-epoch values by log key (loss, accuracy, val_loss, ...). */
  history: Record<string, ArrayLike<number>>;
  /** The epoch numbers (default 1, 2, 3, ...). */
  epoch?: ArrayLike<number>;
}

/** Options of historySvg. */
export interface HistorySvgOptions {
  /** The metrics to draw, one panel each (default: every non-val_ key, loss first). Their val_ curves come along. */
  metrics?: string[];
  /** A title above the panels. */
  title?: string;
  /** Size of one panel (defaults 460 × 320); panels sit side by side. */
  panelWidth?: number;
  /** Height of one panel in pixels. */
  panelHeight?: number;
  /** Log scale for the loss panel (default linear). */
  logLoss?: boolean;
}

const HISTORY_OPTIONS = optionKeys<HistorySvgOptions>({ metrics: true, title: true, panelWidth: true, panelHeight: true, logLoss: true });

function recordOf(h: HistoryLike): { record: Record<string, ArrayLike<number>>; epochs: ArrayLike<number> | undefined } {
  if (typeof h !== 'object' || h === null) throw new TypeError('historySvg: expected a History (from model.fit) or its history record');
  const maybe = (h as { history?: unknown }).history;
  if (typeof maybe === 'object' && maybe !== null && !ArrayBuffer.isView(maybe) && !Array.isArray(maybe)) {
    const epoch = (h as { epoch?: ArrayLike<number> }).epoch;
    return { record: maybe as Record<string, ArrayLike<number>>, epochs: epoch };
  }
  return { record: h as Record<string, ArrayLike<number>>, epochs: undefined };
}

const pretty = (key: string): string => key.charAt(0).toUpperCase() + key.slice(1).replace(/_/g, ' ');

/**
 * Training curves of a History as an SVG document string.
 * @example writeFileSync('history.svg', tg.plot.historySvg(await model.fit(x, y, { epochs: 10, validationSplit: 0.2 })))
 */
export function historySvg(history: HistoryLike, options: HistorySvgOptions = {}): string {
  checkOptions('historySvg', options, HISTORY_OPTIONS);
  const { record, epochs } = recordOf(history);
  const keys = Object.keys(record);
  const metrics = options.metrics ?? keys.filter((k) => !k.startsWith('val_')).sort((a, b) => Number(b === 'loss') - Number(a === 'loss'));
  for (const m of metrics) {
    if (!(m in record) && !(`val_${m}` in record)) {
      throw new RangeError(`historySvg: no ${JSON.stringify(m)} in the history (keys: ${keys.join(', ') || 'none'})`);
    }
  }
  // fit() counts epochs from 0; the axis shows them from 1, as the progress output does
  const x = epochs ? Array.from(epochs, (e) => e + 1) : undefined;
  const w = options.panelWidth ?? 460;
  const h = options.panelHeight ?? 320;
  const top = options.title ? 30 : 0;
  const panels = metrics.map((m, i) => {
    const series: Series[] = [];
    if (record[m]) series.push({ name: `train ${m}`, y: record[m], x, color: colorAt(0) });
    if (record[`val_${m}`]) series.push({ name: `val ${m}`, y: record[`val_${m}`], x, color: colorAt(1), dashed: true });
    const opts: ChartOptions = { title: pretty(m), xLabel: 'epoch', yLabel: m, yScale: m === 'loss' && options.logLoss ? 'log' : 'linear' };
    return chartPanel(series, opts, { x: i * w, y: top, width: w, height: h });
  });
  const width = Math.max(1, metrics.length) * w;
  const head: string[] = [];
  if (options.title) {
    head.push(text(width / 2, 20, options.title, { 'text-anchor': 'middle', 'font-size': 15, 'font-weight': 'bold' }));
  }
  return svgDocument(width, h + top, [...head, ...panels], options.title ?? 'Training history');
}
