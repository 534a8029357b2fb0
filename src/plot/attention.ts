// An attention matrix as an SVG heatmap: one row per query, one column per key, each cell shaded by its
// weight (and labelled with it), so "who looked at whom" can be read at a glance.

import type { Tensor } from '../autograd/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { el, svgDocument, text } from './svg.js';

/** Options for {@link attentionSvg}. */
export interface AttentionSvgOptions {
  /** A label per query row (default 0, 1, ...). */
  rowLabels?: readonly string[];
  /** A label per key column (default the row labels when the matrix is square, else 0, 1, ...). */
  colLabels?: readonly string[];
  /** A title above the matrix. */
  title?: string;
  /** Cell size in pixels (default 44). */
  cell?: number;
  /** Print each weight in its cell (default true). */
  showValues?: boolean;
}

/**
 * Draws attention weights [L, S] (rows: queries, columns: keys; each row usually sums to 1) as a heatmap.
 * Returns an SVG string. Throws a RangeError for a tensor that is not 2-D or labels of the wrong length.
 * @example
 * ```ts
 * const w = tg.tensor([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]);
 * const svg = tg.plot.attentionSvg(w, { rowLabels: ['the', 'cat', 'sat'] });
 * ```
 */
export function attentionSvg(weights: Tensor, options: AttentionSvgOptions = {}): string {
  if (weights.ndim !== 2) throw new RangeError(`attentionSvg: expected weights [queries, keys], got ${fmtShape(weights.shape)}`);
  const [l, s] = weights.shape;
  const rows = options.rowLabels ?? Array.from({ length: l }, (_, i) => String(i));
  const cols = options.colLabels ?? (l === s ? rows : Array.from({ length: s }, (_, j) => String(j)));
  if (rows.length !== l || cols.length !== s) {
    throw new RangeError(`attentionSvg: ${rows.length} row labels and ${cols.length} column labels for weights ${fmtShape(weights.shape)}`);
  }
  const cell = options.cell ?? 44;
  const left = 12 + 7 * Math.max(...rows.map((r) => r.length));
  const top = (options.title ? 30 : 8) + 16;
  const w = weights.value.values();
  const body: string[] = [];
  if (options.title) body.push(text(8, 18, options.title, { 'font-size': 13 }));
  cols.forEach((c, j) => body.push(text(left + j * cell + cell / 2, top - 6, c, { 'text-anchor': 'middle' })));
  for (let i = 0; i < l; i++) {
    body.push(text(left - 6, top + i * cell + cell / 2 + 4, rows[i], { 'text-anchor': 'end' }));
    for (let j = 0; j < s; j++) {
      const v = w[i * s + j];
      const a = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
      body.push(el('rect', { x: left + j * cell, y: top + i * cell, width: cell - 2, height: cell - 2, fill: '#0072B2', 'fill-opacity': a.toFixed(3), stroke: '#bbb' }));
      if (options.showValues ?? true) {
        body.push(text(left + j * cell + cell / 2 - 1, top + i * cell + cell / 2 + 3, v.toFixed(2), { 'text-anchor': 'middle', fill: a > 0.55 ? 'white' : 'black', 'font-size': 11 }));
      }
    }
  }
  return svgDocument(left + s * cell + 8, top + l * cell + 8, body, options.title ?? 'attention weights');
}
