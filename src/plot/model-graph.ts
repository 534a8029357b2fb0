// tg.plot.modelGraph: a model's layer graph drawn as Keras' plot_model draws it: one box per input and
// layer (name, class, output shape), arrows from each layer's inputs, top to bottom. SVG, or DOT for Graphviz.

import { el, svgDocument, text } from './svg.js';

/** A layer graph as plain data: what `model.layerGraph()` returns (any object of this shape will do). */
export interface ModelGraphData {
  nodes: {
    name: string; className: string; outputShape: readonly number[]; inbound: readonly string[]; isInput: boolean;
    /** Every output's shape when the layer makes several (an LSTM with returnState), shown as a list. */
    outputShapes?: readonly (readonly number[])[];
  }[];
  /** The nodes whose outputs are the model's outputs (drawn with a bold border). */
  outputs: readonly string[];
}

/** Options of {@link modelGraph}. */
export interface ModelGraphOptions {
  /** 'svg' (default) or 'dot' (Graphviz text: `dot -Tsvg model.dot -o model.svg`). */
  format?: 'svg' | 'dot';
  /** Show each node's output shape (default true), as plot_model's show_shapes. */
  showShapes?: boolean;
  /** A title above the picture (SVG) or the graph's label (DOT). */
  title?: string;
}

const shapeText = (s: readonly number[]): string => `(None, ${s.join(', ')})`;
/** One shape, or Keras' list of shapes for a layer with several outputs. */
const shapesText = (n: ModelGraphData['nodes'][number]): string =>
  (n.outputShapes && n.outputShapes.length > 1 ? `[${n.outputShapes.map(shapeText).join(', ')}]` : shapeText(n.outputShape));
/** A node's inbound names once each (a layer taking two outputs of another, say its h and c, has one arrow from it). */
const sources = (n: ModelGraphData['nodes'][number]): string[] => [...new Set(n.inbound)];

/**
 * Draws a model's layer graph, as Keras' `plot_model` does: pass a model (anything with `layerGraph()`)
 * or its graph data. Returns SVG text, or DOT text with `{ format: 'dot' }`.
 * @example
 * ```ts
 * fs.writeFileSync('model.svg', tg.plot.modelGraph(net));
 * fs.writeFileSync('model.dot', tg.plot.modelGraph(net, { format: 'dot' }));
 * ```
 */
export function modelGraph(model: { layerGraph(): ModelGraphData } | ModelGraphData, options: ModelGraphOptions = {}): string {
  for (const k of Object.keys(options)) {
    if (k !== 'format' && k !== 'showShapes' && k !== 'title') throw new RangeError(`modelGraph: unknown option ${JSON.stringify(k)} (options: format, showShapes, title)`);
  }
  const g = 'layerGraph' in model ? model.layerGraph() : model;
  const format = options.format ?? 'svg';
  if (format !== 'svg' && format !== 'dot') throw new RangeError(`modelGraph: format must be 'svg' or 'dot', got ${String(format)}`);
  const showShapes = options.showShapes ?? true;
  const label = (n: ModelGraphData['nodes'][number]) => [`${n.name} (${n.className})`, ...(showShapes ? [shapesText(n)] : [])];
  if (format === 'dot') {
    const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
    const lines = ['digraph model {', '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor="#eef4fb", fontname="Helvetica"];'];
    if (options.title) lines.push(`  label=${q(options.title)}; labelloc=t;`);
    for (const n of g.nodes) {
      const extra = n.isInput ? ', fillcolor="#fff2cc"' : g.outputs.includes(n.name) ? ', penwidth=2' : '';
      lines.push(`  ${q(n.name)} [label=${q(label(n).join('\n'))}${extra}];`);
    }
    for (const n of g.nodes) for (const from of sources(n)) lines.push(`  ${q(from)} -> ${q(n.name)};`);
    lines.push('}');
    return lines.join('\n') + '\n';
  }
  // layers by depth: the longest path from an input, so every arrow points down
  const depth = new Map<string, number>();
  for (const n of g.nodes) depth.set(n.name, n.inbound.length ? 1 + Math.max(...n.inbound.map((m) => depth.get(m) ?? 0)) : 0);
  const rows: string[][] = [];
  for (const n of g.nodes) (rows[depth.get(n.name)!] ??= []).push(n.name);
  const boxW = Math.max(220, ...g.nodes.flatMap((n) => label(n).map((l) => 12 + 6.6 * l.length))); const boxH = showShapes ? 44 : 28; const gapX = 30; const gapY = 36;
  const top = options.title ? 34 : 10;
  const widest = Math.max(...rows.map((r) => r.length));
  const width = widest * (boxW + gapX) + gapX;
  const height = top + rows.length * (boxH + gapY);
  const pos = new Map<string, [number, number]>();
  rows.forEach((row, d) => row.forEach((name, i) => {
    const x0 = (width - row.length * (boxW + gapX) + gapX) / 2;
    pos.set(name, [x0 + i * (boxW + gapX), top + d * (boxH + gapY)]);
  }));
  const body: string[] = [
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>',
  ];
  if (options.title) body.push(text(width / 2, 22, options.title, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold' }));
  for (const n of g.nodes) {
    const [x, y] = pos.get(n.name)!;
    for (const from of sources(n)) {
      const [fx, fy] = pos.get(from)!;
      body.push(el('line', { x1: fx + boxW / 2, y1: fy + boxH, x2: x + boxW / 2, y2: y, stroke: '#555', 'marker-end': 'url(#arrow)' }));
    }
  }
  for (const n of g.nodes) {
    const [x, y] = pos.get(n.name)!;
    const fill = n.isInput ? '#fff2cc' : '#eef4fb';
    body.push(el('rect', { x, y, width: boxW, height: boxH, rx: 6, fill, stroke: '#333', 'stroke-width': g.outputs.includes(n.name) ? 2.5 : 1 }));
    label(n).forEach((line, i) => body.push(text(x + boxW / 2, y + 18 + i * 16, line, { 'text-anchor': 'middle', 'font-size': i === 0 ? 12 : 11 })));
  }
  return svgDocument(width, height, body, options.title ?? 'model graph');
}
