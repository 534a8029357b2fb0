// tg.plot: the SVG strings are well-formed (a small tag-matching check), hold the expected paths,
// points and regions, escape text, and turn NaN values into gaps instead of broken coordinates.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import * as plot from '../src/plot/index.js';

const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<>]*")*)\s*(\/?)>/y;
const ENTITY = /&(?:amp|lt|gt|quot|#39|#\d+|#x[0-9a-fA-F]+);/y;

/** Checks the markup is well-formed (every tag closed in order, attributes quoted, & only in entities) and counts elements. */
function parseSvg(svg: string): Record<string, number> {
  const counts: Record<string, number> = {};
  const stack: string[] = [];
  for (let i = 0; i < svg.length;) {
    const ch = svg[i];
    if (ch === '<') {
      TAG.lastIndex = i;
      const m = TAG.exec(svg);
      if (!m) throw new Error(`bad tag at ${i}: ${svg.slice(i, i + 60)}`);
      const [all, closing, name, , selfClosing] = m;
      if (closing) {
        const open = stack.pop();
        if (open !== name) throw new Error(`</${name}> closes <${open}> at ${i}`);
      } else {
        counts[name] = (counts[name] ?? 0) + 1;
        if (!selfClosing) stack.push(name);
      }
      i += all.length;
    } else if (ch === '&') {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(svg);
      if (!m) throw new Error(`bare & at ${i}: ${svg.slice(i, i + 20)}`);
      i += m[0].length;
    } else if (ch === '>') {
      throw new Error(`bare > at ${i}`);
    } else i++;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (counts.svg !== 1) throw new Error(`expected one <svg>, got ${counts.svg ?? 0}`);
  return counts;
}

const count = (svg: string, needle: string): number => svg.split(needle).length - 1;
/** The text inside <g class="name">...</g> (no nested groups in these). */
const group = (svg: string, name: string): string => svg.match(new RegExp(`<g class="${name}"[^>]*>([\\s\\S]*?)</g>`))?.[1] ?? '';

const HISTORY = {
  epoch: [0, 1, 2, 3, 4],
  history: {
    loss: [1.2, 0.8, 0.5, 0.4, 0.35],
    accuracy: [0.6, 0.75, 0.85, 0.9, 0.92],
    val_loss: [1.1, 0.85, 0.6, 0.55, 0.56],
    val_accuracy: [0.62, 0.74, 0.82, 0.86, 0.87],
  },
};

describe('the tag check used below', () => {
  it('rejects broken markup', () => {
    expect(() => parseSvg('<svg><g></svg>')).toThrow();
    expect(() => parseSvg('<svg><text>a & b</text></svg>')).toThrow(/bare &/);
    expect(() => parseSvg('<svg><text>a < b</text></svg>')).toThrow(/bad tag/);
    expect(parseSvg('<svg><text x="1">a &amp; b</text><rect/></svg>')).toEqual({ svg: 1, text: 1, rect: 1 });
  });
});

describe('historySvg', () => {
  it('draws a panel per metric with train and dashed val curves, axes, ticks and a legend', () => {
    const svg = plot.historySvg(HISTORY);
    const tags = parseSvg(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(count(svg, '<g class="chart"')).toBe(2);
    expect(count(svg, 'class="series"')).toBe(4);
    for (const name of ['train loss', 'val loss', 'train accuracy', 'val accuracy']) expect(svg).toContain(`data-name="${name}"`);
    expect(count(svg, 'stroke-dasharray="6 4"')).toBe(4); // two val paths and their two legend lines
    expect(count(svg, 'class="axis"')).toBe(2);
    expect(count(svg, 'class="marker"')).toBe(4 * 5);
    expect(tags.text).toBeGreaterThan(10); // titles, axis labels, tick labels, legend
    // each curve has one point per epoch, x from epoch 1 to 5
    const d = svg.match(/d="([^"]*)"[^>]*data-name="train loss"/)![1];
    expect(d.match(/[ML]/g)!.length).toBe(5);
    expect(svg).toContain('>epoch<');
  });

  it('accepts the History from model.fit and draws only the metrics asked for', async () => {
    tg.manualSeed(0);
    const m = tg.sequential([tg.layers.dense({ units: 4, activation: 'relu', inputShape: [2] }), tg.layers.dense({ units: 1, activation: 'sigmoid' })]);
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const { x, y } = tg.data.makeMoons(40, { seed: 1 });
    const history = await m.fit(x, y, { epochs: 3, verbose: 0, validationSplit: 0.25 });
    const svg = plot.historySvg(history, { metrics: ['loss'], title: 'moons' });
    parseSvg(svg);
    expect(count(svg, '<g class="chart"')).toBe(1);
    expect(count(svg, 'class="series"')).toBe(2);
    expect(() => plot.historySvg(history, { metrics: ['precision'] })).toThrow(/no "precision" in the history \(keys: loss, accuracy, val_loss, val_accuracy\)/);
  });

  it('leaves a gap at NaN and never writes NaN or Infinity into the markup', () => {
    const svg = plot.historySvg({ loss: [1, 0.5, NaN, 0.3, Infinity, 0.2], accuracy: [NaN, NaN, NaN] });
    parseSvg(svg);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const d = svg.match(/d="([^"]*)"[^>]*data-name="train loss"/)![1];
    expect(d.match(/M/g)!.length).toBe(3); // runs [1, 0.5], [0.3], [0.2]
    expect(svg).toContain('no finite values'); // the all-NaN accuracy panel
    expect(svg).not.toContain('data-name="train accuracy"');
  });
});

describe('lineChartSvg and lossCurvesSvg', () => {
  it('escapes every piece of text it is given', () => {
    const evil = `<script>alert("x")</script> & 'q'`;
    const svg = plot.lineChartSvg([{ name: evil, y: [1, 2, 3] }], { title: evil, xLabel: evil, yLabel: evil });
    parseSvg(svg);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
    expect(plot.escapeXml('a\u0000b\u0007c')).toBe('abc'); // characters XML cannot hold are dropped
  });

  it('uses the x values given, and a log axis skips values ≤ 0', () => {
    const xs = [0, 0.5, 1, 1.5, 2];
    const svg = plot.lineChartSvg([{ name: 'x²', x: xs, y: xs.map((v) => v * v) }], { yScale: 'log', markers: true });
    parseSvg(svg);
    expect(count(svg, 'class="marker"')).toBe(4); // x = 0 gives y = 0, which a log axis cannot show
    expect(svg).not.toMatch(/NaN|Infinity/);
    const curves = plot.lossCurvesSvg({ logistic: [0.7, 0.5, 0.45], mlp: [0.7, 0.2, 0.05] });
    parseSvg(curves);
    expect(count(curves, 'class="series"')).toBe(2);
    expect(curves).toContain('>Loss<');
  });

  it('picks ticks at 1, 2 or 5 times a power of ten, and powers of ten on a log axis', () => {
    expect(plot.niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(plot.niceTicks(1, 20, 6, 1)).toEqual([5, 10, 15, 20]);
    expect(plot.niceTicks(1, 3, 6, 1)).toEqual([1, 2, 3]); // epochs never get fractional ticks
    const log = plot.logScale(2e-4, 0.7, 100, 0);
    expect(log.ticks).toEqual([1e-4, 1e-3, 1e-2, 0.1, 1]);
    expect(log.ticks.map(log.format)).toEqual(['0.0001', '0.001', '0.01', '0.1', '1']);
    expect(plot.logScale(1e-30, 1, 100, 0).ticks.length).toBeLessThanOrEqual(9);
    const s = plot.linearScale(0.13, 0.87, 0, 100);
    expect(s.domain).toEqual([0, 1]);
    expect(s(0.5)).toBeCloseTo(50);
  });
});

describe('decisionBoundarySvg', () => {
  const x = tg.tensor([[-1, -1], [-0.5, 1], [0.5, -1], [1, 1]]);
  const y = [0, 0, 1, 1];

  it('shades one rect per run of equal predictions and draws every point in its class colour', () => {
    const svg = plot.decisionBoundarySvg((g) => g.slice(1, 0, 1).gt(0).float(), x, y, { resolution: 10, title: 'x > 0' });
    parseSvg(svg);
    // 10 grid rows, each split into class 0 (left half) and class 1 (right half)
    expect(count(group(svg, 'regions'), '<rect')).toBe(20);
    expect(count(group(svg, 'points'), '<circle')).toBe(4);
    expect(count(group(svg, 'points'), `fill="${plot.PALETTE[1]}"`)).toBe(2);
    expect(svg).toContain('>class 1<');
  });

  it('takes a model, argmaxes several outputs, and skips non-finite points', () => {
    tg.manualSeed(0);
    const m = tg.sequential([tg.layers.dense({ units: 3, activation: 'softmax', inputShape: [2] })]);
    const pts = tg.tensor([[0, 0], [1, 1], [NaN, 2], [2, 0]]);
    const svg = plot.decisionBoundarySvg(m, pts, tg.data.oneHot([0, 1, 2, 2], 3), { resolution: 20, classNames: ['a', 'b', '<c>'] });
    parseSvg(svg);
    expect(count(group(svg, 'points'), '<circle')).toBe(3);
    expect(svg).toContain('>&lt;c&gt;<');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('says what is wrong with its inputs', () => {
    const f = (g: tg.Tensor) => g.sum(1);
    expect(() => plot.decisionBoundarySvg(f, tg.zeros([3, 3]), [0, 1, 0])).toThrow(/x must have shape \[n, 2\]/);
    expect(() => plot.decisionBoundarySvg(f, x, [0, 1.5, 0, 1])).toThrow(/label 1.5 at row 1/);
    expect(() => plot.decisionBoundarySvg(() => [1, 2, 3], x, y, { resolution: 4 })).toThrow(/gave 3 values for 16 rows/);
  });
});

describe('src/plot', () => {
  it('imports nothing from Node, so it runs in browsers', () => {
    const dir = new URL('../src/plot/', import.meta.url);
    for (const f of readdirSync(dir)) {
      const src = readFileSync(new URL(f, dir), 'utf8');
      expect(src, f).not.toMatch(/from 'node:|require\(/);
    }
  });
});
