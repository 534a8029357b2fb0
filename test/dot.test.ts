// tg.toDot: the DOT text for a neuron and a tiny MLP, determinism, escaping, the freed-graph error,
// and the committed docs/img pictures (graphs, optimizer paths) matching what the code draws today.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { escapeDot, toDot } from '../src/autograd/dot.js';
import { optimizerPathsSvg } from '../scripts/optimizer-paths.js';
import { GRAPHS } from '../scripts/render-docs-graphs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The node lines as { id, label, attrs } and the edges as 'nA -> nB' strings. */
function parse(dot: string) {
  const nodes = new Map<string, { label: string; attrs: string }>();
  const edges: string[] = [];
  for (const line of dot.split('\n')) {
    const n = /^ {2}(n\d+) \[label="((?:[^"\\]|\\.)*)", (.*)\];$/.exec(line);
    if (n) nodes.set(n[1], { label: n[2], attrs: n[3] });
    const e = /^ {2}(n\d+ -> n\d+);$/.exec(line);
    if (e) edges.push(e[1]);
  }
  return { nodes, edges };
}

const byLabel = (dot: string, first: string) => {
  const found = [...parse(dot).nodes].filter(([, v]) => v.label.split('\\n')[0] === first);
  expect(found.length, `one node labelled ${first}`).toBe(1);
  return { id: found[0][0], ...found[0][1] };
};

function neuron() {
  const x = tg.tensor([1, 2]);
  const w = tg.tensor([0.5, -0.5], { requiresGrad: true });
  const b = tg.tensor(0.5, { requiresGrad: true });
  const loss = w.matmul(x).add(b).sigmoid().sub(1).pow(2);
  return { x, w, b, loss };
}

describe('toDot', () => {
  it('is exported as tg.toDot', () => {
    expect((tg as unknown as { toDot: unknown }).toDot).toBe(toDot);
  });

  it('draws a single neuron: ops with shapes, leaves as boxes, edges from inputs to outputs', () => {
    const { x, w, b, loss } = neuron();
    const dot = toDot(loss, { names: { x, w, b } });
    expect(dot.startsWith('digraph tapegrad {\n')).toBe(true);
    expect(dot.endsWith('}\n')).toBe(true);
    const { nodes, edges } = parse(dot);
    // w, x, matmul, b, add, sigmoid, the constant 1, sub, powScalar
    expect(nodes.size).toBe(9);
    expect(edges.length).toBe(8);
    const W = byLabel(dot, 'w');
    const X = byLabel(dot, 'x');
    const B = byLabel(dot, 'b');
    const mm = byLabel(dot, 'matmul');
    const add = byLabel(dot, 'add');
    const sig = byLabel(dot, 'sigmoid');
    const one = byLabel(dot, 'constant 1');
    const sub = byLabel(dot, 'sub');
    const pow = byLabel(dot, 'powScalar');
    expect(W.label).toBe('w\\n[2]');
    expect(B.label).toBe('b\\n[]');
    expect(mm.label).toBe('matmul\\n[]');
    expect(pow.label).toBe('powScalar\\np=2\\n[]');
    // parameters (named, requiring grad) and constants are boxes with different styles; ops are ellipses
    expect(W.attrs).toContain('shape=box');
    expect(W.attrs).toContain('filled,bold');
    expect(X.attrs).toContain('shape=box');
    expect(X.attrs).toContain('dashed');
    expect(mm.attrs).toContain('shape=ellipse');
    // the result is marked, and only it
    expect(pow.attrs).toContain('peripheries=2');
    expect(dot.match(/peripheries=2/g)!.length).toBe(1);
    expect(edges).toEqual(expect.arrayContaining([
      `${W.id} -> ${mm.id}`, `${X.id} -> ${mm.id}`, `${mm.id} -> ${add.id}`, `${B.id} -> ${add.id}`,
      `${add.id} -> ${sig.id}`, `${sig.id} -> ${sub.id}`, `${one.id} -> ${sub.id}`, `${sub.id} -> ${pow.id}`,
    ]));
    // inputs come before the ops that use them: n0 is a leaf, the root is last
    expect(W.id).toBe('n0');
    expect(pow.id).toBe('n8');
  });

  it('shows gradient shapes once backward ran with retainGraph', () => {
    const { x, w, b, loss } = neuron();
    loss.backward(undefined, { retainGraph: true });
    const dot = toDot(loss, { names: { x, w, b } });
    expect(byLabel(dot, 'w').label).toBe('w\\n[2]\\ngrad [2]');
    expect(byLabel(dot, 'b').label).toBe('b\\n[]\\ngrad []');
    expect(byLabel(dot, 'x').label).toBe('x\\n[2]');
  });

  it('tells a freed graph apart with a clear error', () => {
    const { loss } = neuron();
    loss.backward();
    expect(() => toDot(loss)).toThrow(/freed by backward\(\).*retainGraph: true/);
    // a result built on top of a freed graph is caught too
    expect(() => toDot(loss.mul(2))).toThrow(/freed by backward/);
  });

  it('draws a tiny MLP with parameter names from namedParameters()', () => {
    tg.manualSeed(0);
    const model = new tg.nn.Sequential(new tg.nn.Linear(2, 3), new tg.nn.ReLU(), new tg.nn.Linear(3, 1));
    const x = tg.randn([5, 2]);
    const loss = model.call(x).sigmoid().mean();
    const dot = toDot(loss, { names: model.namedParameters() });
    for (const [name, shape] of [['0.weight', '[3, 2]'], ['0.bias', '[3]'], ['2.weight', '[1, 3]'], ['2.bias', '[1]']]) {
      const p = byLabel(dot, name);
      expect(p.label).toBe(`${name}\\n${shape}`);
      expect(p.attrs).toContain('filled,bold');
    }
    const { nodes, edges } = parse(dot);
    const labels = [...nodes.values()].map((v) => v.label.split('\\n')[0]);
    // nn.Sequential runs Linear then ReLU as one fused op (relu(x·Wᵀ + b)), the last Linear as x·Wᵀ + b (torch's addmm)
    expect(labels.filter((l) => l === 'linearRelu').length).toBe(1);
    expect(labels.filter((l) => l === 'linear').length).toBe(1);
    expect(labels).not.toContain('relu');
    expect(labels).toContain('constant'); // the input x
    // every edge joins declared nodes, and every node but the inputs has an incoming edge
    for (const e of edges) for (const id of e.split(' -> ')) expect(nodes.has(id)).toBe(true);
    const targets = new Set(edges.map((e) => e.split(' -> ')[1]));
    for (const [id, v] of nodes) expect(targets.has(id)).toBe(v.attrs.includes('ellipse'));
  });

  it('takes names as a Map (either way round) or from the tensor itself, and marks unnamed leaves', () => {
    const a = tg.tensor([1, 2], { requiresGrad: true });
    const c = tg.tensor([3, 4], { requiresGrad: true });
    const out = a.mul(c).sum();
    out.name = 'total';
    const plain = toDot(out);
    expect(plain.match(/label="leaf\\n\[2\]"/g)!.length).toBe(2);
    expect(plain.match(/fillcolor="#fff2cc"/g)!.length).toBe(2);
    expect(byLabel(plain, 'total = sum').label).toBe('total = sum\\naxes=[0]\\n[]');
    const m1 = toDot(out, { names: new Map([[a, 'a']]) });
    const m2 = toDot(out, { names: new Map([['a', a]]) });
    expect(m1).toBe(m2);
    expect(byLabel(m1, 'a').attrs).toContain('filled,bold');
    expect(() => toDot(out, { names: [['a', 42 as unknown as tg.Tensor]] })).toThrow(/pair a string with a Tensor/);
  });

  it('is deterministic: the same graph built twice gives the same text', () => {
    const build = () => {
      tg.manualSeed(1);
      const m = new tg.nn.Sequential(new tg.nn.Linear(3, 4), new tg.nn.Tanh(), new tg.nn.Linear(4, 2));
      return toDot(m.call(tg.randn([2, 3])).logSoftmax(1).sum(), { names: m.namedParameters() });
    };
    const first = build();
    expect(build()).toBe(first);
    // node ids are n0, n1, ... in order, with no gaps
    const ids = [...parse(first).nodes.keys()];
    expect(ids).toEqual(ids.map((_, i) => `n${i}`));
  });

  it('shares a node between the ops that use it, with one edge per use', () => {
    const x = tg.tensor(3, { requiresGrad: true });
    const dot = toDot(x.mul(x));
    const { nodes, edges } = parse(dot);
    expect(nodes.size).toBe(2);
    expect(edges).toEqual(['n0 -> n1', 'n0 -> n1']);
  });

  it('draws several roots in one picture', () => {
    const a = tg.tensor([1, 2], { requiresGrad: true });
    const s = a.exp();
    const dot = toDot([s.sum(), s.max()]);
    expect(dot.match(/peripheries=2/g)!.length).toBe(2);
    expect(parse(dot).nodes.size).toBe(4); // a, exp, sum, max
  });

  it('draws a leaf or an untracked tensor as one node', () => {
    expect(parse(toDot(tg.tensor([1, 2, 3]))).nodes.size).toBe(1);
    expect(toDot(tg.tensor(2.5))).toContain('label="constant 2.5\\n[]"');
    expect(toDot(tg.tensor([1], { dtype: 'float64' }))).toContain('[1] float64');
  });

  it('walks deep graphs without recursion', () => {
    const x = tg.tensor(1, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.neg();
    expect(parse(toDot(y)).nodes.size).toBe(20001);
  });

  it('escapes quotes, backslashes and line breaks in labels', () => {
    expect(escapeDot('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeDot('bell\u0007')).toBe('bell');
    expect(escapeDot('x'.repeat(100)).length).toBe(64);
    expect(escapeDot('x'.repeat(100), 200).length).toBe(100); // titles may be longer
    const p = tg.tensor([1], { requiresGrad: true });
    const dot = toDot(p.exp(), { names: { 'evil"] -> n0 [label="\\': p }, title: 'say "hi"\n' });
    expect(dot).toContain('label="evil\\"] -> n0 [label=\\"\\\\\\n[1]"');
    expect(dot).toContain('label="say \\"hi\\"\\n";');
    // still exactly one edge, and every quoted string is closed on its line
    expect(parse(dot).edges).toEqual(['n0 -> n1']);
    for (const line of dot.split('\n')) expect(line.replace(/\\./g, '').split('"').length % 2).toBe(1);
  });

  it('rejects bad arguments', () => {
    expect(() => toDot([] as tg.Tensor[])).toThrow(TypeError);
    expect(() => toDot(3 as unknown as tg.Tensor)).toThrow(TypeError);
    expect(() => toDot(tg.tensor(1), { rankdir: 'XY' as 'LR' })).toThrow(/rankdir/);
  });
});

describe('docs/img pictures', () => {
  it.each(Object.keys(GRAPHS))('docs/img/%s.dot is what tg.toDot draws today (rerun npm run docs:graphs if not)', (name) => {
    const committed = readFileSync(join(root, 'docs', 'img', `${name}.dot`), 'utf8');
    expect(committed).toBe(GRAPHS[name]());
  });

  it('docs/img/optimizer-paths.svg is what scripts/optimizer-paths.ts draws today', () => {
    const committed = readFileSync(join(root, 'docs', 'img', 'optimizer-paths.svg'), 'utf8');
    expect(committed).toBe(optimizerPathsSvg());
  });
});
