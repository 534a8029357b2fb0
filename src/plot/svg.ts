// The SVG building blocks behind tg.plot: escaping, number formatting, elements, a document wrapper,
// linear and log scales with "nice" ticks, and the colour palette. Everything returns plain strings.
//
// Why hand-written SVG and no plotting library: a few hundred lines of plain SVG are easy to read and to
// test (the output is a string you can inspect), and the result opens in any browser, editor or docs page,
// from Node or a browser alike. Plotting libraries pull in DOM or canvas dependencies (jsdom,
// node-canvas with native builds) that a small library with no native add-ons should not carry.

import { checkInt, checkOptions } from '../tensor/validate.js';

/** Escapes text and attribute values: & < > " ' become entities, and characters XML forbids are dropped. */
export function escapeXml(text: string): string {
  return String(text)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A coordinate for an attribute: at most 2 decimals, no trailing zeros, never "NaN" (callers skip non-finite points). */
export function num(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

export type Attrs = Record<string, string | number | undefined>;

/** One element: `el('circle', { cx: 1, cy: 2, r: 3 })`; children are already-built SVG strings. */
export function el(tag: string, attrs: Attrs = {}, children: string | string[] = ''): string {
  const parts = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v as string)}"`);
  const inner = Array.isArray(children) ? children.join('') : children;
  return inner === '' ? `<${tag}${parts.join('')}/>` : `<${tag}${parts.join('')}>${inner}</${tag}>`;
}

/** A <text> element; the text is escaped. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, escapeXml(content));
}

/** The outer <svg> element with a white background and a default font; `title` becomes the tooltip / accessible name. */
export function svgDocument(width: number, height: number, body: string[], title?: string): string {
  const head = title ? [el('title', {}, escapeXml(title))] : [];
  return `${el('svg', {
    xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${num(width)} ${num(height)}`,
    'font-family': 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif', 'font-size': 12,
  }, [...head, el('rect', { width, height, fill: 'white' }), ...body].join('\n'))}\n`;
}

/** Colours for series and classes (a colour-blind-friendly set); index wraps around. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#F0E442', '#000000', '#999999', '#882255'];
export const colorAt = (i: number): string => PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];

/** A map from data values to pixels, with the tick values to label. */
export interface Scale {
  (v: number): number;
  ticks: number[];
  /** The data range the axis covers (after widening to nice ticks). */
  domain: [number, number];
  format(v: number): string;
}

/**
 * Steps of 1, 2 or 5 times a power of ten (at least minStep), about `count` of them across [lo, hi].
 * The step is never finer than the spacing of doubles near lo and hi (a range of 16 at 1e17 gets one tick, not a
 * loop that cannot advance), and at most count + 1 ticks are made, whatever the numbers.
 */
export function niceTicks(lo: number, hi: number, count = 5, minStep = 0): number[] {
  checkInt('niceTicks', 'count', count, { min: 1, max: MAX_TICKS });
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [lo];
  const resolution = Math.max(Math.abs(lo), Math.abs(hi)) * Number.EPSILON * 4; // distinct doubles, not rounding noise
  const raw = Math.max(hi / count - lo / count, minStep, resolution, Number.MIN_VALUE); // hi/count - lo/count cannot overflow
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * p;
  // k counts whole steps; step ≥ 4 ulp keeps |k| below 2^51, so k + 1 is always exact and the loop ends
  const first = Math.ceil(lo / step - 1e-9);
  const n = Math.min(Math.floor(hi / step + 1e-9) - first, count); // n steps make n + 1 ticks: at most count + 1, even when rounding (subnormal ranges) adds a step
  const out: number[] = [];
  for (let i = 0; i <= n; i++) {
    const v = Number(((first + i) * step).toPrecision(12));
    if (Number.isFinite(v) && (out.length === 0 || v > out[out.length - 1])) out.push(v);
  }
  return out.length > 0 ? out : [lo];
}

/** The most ticks niceTicks will make on one axis. */
const MAX_TICKS = 100;

/** Enough decimals to tell neighbouring ticks apart (0.25 → "0.25", 1000 → "1000", 1e-5 → "1e-5"). */
function tickFormat(ticks: number[]): (v: number) => string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(ticks[0]) || 1;
  const big = Math.max(...ticks.map(Math.abs));
  if (big >= 1e6 || (step < 1e-3 && big < 1e-2)) return (v) => (v === 0 ? '0' : v.toExponential(0).replace('e+', 'e'));
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return (v) => v.toFixed(decimals);
}

export interface LinearScaleOptions {
  /** About this many ticks (default 5). */
  count?: number;
  /** Widen [lo, hi] to the nearest ticks outside it (default true); otherwise ticks stay inside [lo, hi]. */
  nice?: boolean;
  /** The smallest tick step (1 for epoch numbers). */
  minStep?: number;
}

/** A linear scale from [lo, hi] (by default widened to whole ticks) onto pixels [p0, p1]. */
export function linearScale(lo: number, hi: number, p0: number, p1: number, options: LinearScaleOptions = {}): Scale {
  checkOptions('linearScale', options, ['count', 'nice', 'minStep']);
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1; // a flat series still gets an axis around its value
    lo -= pad;
    hi += pad;
  }
  const nice = options.nice ?? true;
  const ticks = niceTicks(lo, hi, options.count ?? 5, options.minStep ?? 0);
  if (nice) {
    const step = ticks.length > 1 ? ticks[1] - ticks[0] : hi - lo;
    if (ticks[0] > lo) ticks.unshift(ticks[0] - step);
    if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + step);
  }
  const a = nice ? Math.min(lo, ticks[0]) : lo;
  const b = nice ? Math.max(hi, ticks[ticks.length - 1]) : hi;
  const s = ((v: number) => p0 + ((v - a) / (b - a)) * (p1 - p0)) as Scale;
  s.ticks = ticks;
  s.domain = [a, b];
  s.format = tickFormat(ticks);
  return s;
}

/** A log10 scale (for positive data) with ticks at powers of ten, plus 2 and 5 times them over at most 3 decades. */
export function logScale(lo: number, hi: number, p0: number, p1: number): Scale {
  const a = Math.floor(Math.log10(lo));
  let b = Math.ceil(Math.log10(hi));
  if (b === a) b = a + 1;
  const ticks: number[] = [];
  const every = Math.ceil((b - a) / 8); // at most about 8 labelled powers of ten
  for (let k = a; k <= b; k += every) {
    for (const m of b - a <= 3 ? [1, 2, 5] : [1]) if (k < b || m === 1) ticks.push(Number((m * 10 ** k).toPrecision(12)));
  }
  const s = ((v: number) => p0 + ((Math.log10(v) - a) / (b - a)) * (p1 - p0)) as Scale;
  s.ticks = ticks;
  s.domain = [10 ** a, 10 ** b];
  s.format = (v) => (v >= 1e-4 && v < 1e5 ? String(Number(v.toPrecision(6))) : v.toExponential(0).replace('e+', 'e'));
  return s;
}
