// model.summary(): a Keras-like table of layers with their output shapes and parameter counts, and totals.
// Wrapped Modules list their direct children; a child's output shape is shown when it is known.

import type { AnyModule } from '../nn/module.js';
import type { AnyModel } from './model.js';

const fmtCount = (n: number): string => n.toLocaleString('en-US');
const fmtShape = (s: readonly number[] | null): string => (s ? `(None, ${s.join(', ')})` : '?');

function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(2)} KB`;
  return `${(n / 1024 ** 2).toFixed(2)} MB`;
}

function paramCounts(m: AnyModule): { total: number; trainable: number; bytes: number } {
  let total = 0;
  let trainable = 0;
  let bytes = 0;
  for (const p of m.parameters()) {
    total += p.size;
    if (p.requiresGrad) trainable += p.size;
    bytes += p.size * (p.dtype === 'float64' ? 8 : 4);
  }
  return { total, trainable, bytes };
}

export function renderSummary(model: AnyModel): string {
  const rows: string[][] = [];
  const functional = model.graph !== null;
  if (model.graph) {
    // Keras' functional summary: inputs and layers, each with what it is connected to
    const byName = new Map(model.namedChildren());
    for (const node of model.graph.describe().nodes) {
      const child = byName.get(node.name);
      // several outputs (an LSTM with returnState) show as Keras shows them: a list of shapes
      const shapes = node.outputShapes ?? [node.outputShape];
      const shape = shapes.length === 1 ? fmtShape(shapes[0]) : `[${shapes.map(fmtShape).join(', ')}]`;
      const refs = node.inboundRefs ?? node.inbound.map((name) => ({ name, nodeIndex: 0, tensorIndex: 0 }));
      rows.push([`${node.name} (${node.className})`, shape, fmtCount(child ? paramCounts(child).total : 0), refs.length ? refs.map((r) => `${r.name}[${r.nodeIndex}][${r.tensorIndex}]`).join(', ') : '-']);
    }
  } else if (model.module) {
    const children = model.module.namedChildren();
    children.forEach(([name, child], i) => {
      const shape = i === children.length - 1 ? model.outputShape : null;
      rows.push([`${name} (${child.constructor.name})`, fmtShape(shape), fmtCount(paramCounts(child).total)]);
    });
    if (children.length === 0) rows.push([`${model.module.constructor.name}`, fmtShape(model.outputShape), fmtCount(paramCounts(model).total)]);
  } else {
    for (const layer of model.layers) {
      rows.push([`${layer.name} (${layer.className})`, fmtShape(layer.outputShape), fmtCount(paramCounts(layer).total)]);
    }
  }
  const widths = functional ? [29, 26, 10, 20] : [29, 26, 10];
  for (const r of rows) r.forEach((c, j) => { widths[j] = Math.max(widths[j], c.length + 2); });
  const width = widths.reduce((a, b) => a + b, 0);
  const line = (cells: string[]): string => cells.map((c, j) => ` ${c}`.padEnd(widths[j])).join('').trimEnd();
  const { total, trainable, bytes } = paramCounts(model);
  const out = [
    `Model: "${model.name}"`,
    '_'.repeat(width),
    line(functional ? ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'] : ['Layer (type)', 'Output Shape', 'Param #']),
    '='.repeat(width),
    ...rows.map(line),
    '='.repeat(width),
    `Total params: ${fmtCount(total)} (${fmtBytes(bytes)})`,
    `Trainable params: ${fmtCount(trainable)}`,
    `Non-trainable params: ${fmtCount(total - trainable)}`,
    '_'.repeat(width),
  ];
  if (!model.built) out.splice(4, 0, ' (not built yet: give the first layer an inputShape, or call fit/predict once)');
  return out.join('\n');
}
