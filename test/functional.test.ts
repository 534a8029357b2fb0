// The functional API (issue 15): symbolic inputs, layers applied to them, models with several inputs and
// outputs, shared layers and nested models, merge layers, per-output compile/fit/evaluate/predict with
// Keras' log names, summary's "Connected to", tg.plot.modelGraph, saving and loading with the graph checked,
// the PyTorch-style equivalent giving the same numbers, and the errors for bad graphs and data.

import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from 'tapegrad';

const close = (a: tg.Tensor, b: tg.Tensor, tol = 1e-6) => expect(a.sub(b).abs().max().item()).toBeLessThanOrEqual(tol);

/** A small multi-task model: a shared trunk, a 3-class head, a binary head and a regression head. */
function multiTask(seed = 0) {
  tg.manualSeed(seed);
  const x = tg.input({ shape: [4], name: 'feat' });
  const h = tg.layers.dense({ units: 16, activation: 'relu', name: 'trunk' }).apply(x);
  const cls = tg.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h);
  const bin = tg.layers.dense({ units: 1, activation: 'sigmoid', name: 'bin' }).apply(h);
  const reg = tg.layers.dense({ units: 1, name: 'reg' }).apply(tg.layers.concatenate().apply([h, x]));
  return { x, h, cls, bin, reg, net: tg.model({ inputs: x, outputs: [cls, bin, reg] }) };
}

function data(n = 120, seed = 1) {
  const g = new tg.Generator(seed);
  const X = tg.randn([n, 4], { generator: g });
  return {
    X,
    cls: X.slice(1, 0, 3).argmax(1).to('float32'),
    bin: X.sum(1, true).gt(0).to('float32'),
    reg: X.sum(1, true).mul(0.5),
  };
}

describe('building a functional model', () => {
  it('gives symbolic tensors with shapes, names layers as Keras does, and lists Connected to in summary()', () => {
    const { x, h, reg, net } = multiTask();
    expect(x.shape).toEqual([null, 4]);
    expect(h.shape).toEqual([null, 16]);
    expect(reg.shape).toEqual([null, 1]);
    expect(net.outputNames).toEqual(['cls', 'bin', 'reg']);
    expect(net.inputNames).toEqual(['feat']);
    const text = net.summary(() => undefined);
    expect(text).toContain('Connected to');
    expect(text).toMatch(/concatenate \(Concatenate\)\s+\(None, 20\)\s+0\s+trunk\[0\]\[0\], feat\[0\]\[0\]/);
    expect(text).toContain('feat (InputLayer)');
    expect(text).toContain(`Total params: ${(4 * 16 + 16 + 16 * 3 + 3 + 16 + 1 + 20 + 1).toLocaleString('en-US')}`);
  });

  it('shares the weights of a layer applied twice, and of a model used as a layer', async () => {
    const a = tg.input({ shape: [3], name: 'a' });
    const b = tg.input({ shape: [3], name: 'b' });
    const shared = tg.layers.dense({ units: 2, name: 'shared' });
    const d = tg.layers.subtract().apply([shared.apply(a), shared.apply(b)]);
    const siamese = tg.model({ inputs: [a, b], outputs: d });
    expect(siamese.parameters().length).toBe(2); // one kernel, one bias
    const xa = tg.randn([5, 3]);
    close(siamese.predict([xa, xa]), tg.zeros([5, 2]), 1e-12);
    const manual = shared.call(xa).sub(shared.call(xa.mul(2)));
    close(siamese.predict({ a: xa, b: xa.mul(2) }), manual);

    const inner = tg.model({ inputs: a, outputs: shared.apply(a) });
    const z = tg.input({ shape: [3], name: 'z' });
    const outer = tg.model({ inputs: z, outputs: tg.layers.dense({ units: 1, name: 'top' }).apply(inner.apply(z)) });
    expect(outer.parameters()).toContain(shared.weight);
    outer.compile({ optimizer: { name: 'sgd', learningRate: 0.1 }, loss: 'mse' });
    const before = shared.weight!.detach().clone();
    await outer.fit(xa, tg.ones([5, 1]), { epochs: 1, verbose: 0 });
    expect(shared.weight!.sub(before).abs().max().item()).toBeGreaterThan(0); // training the outer model moved the inner one's weights
  });

  it('merge layers compute what their names say', () => {
    const a = tg.input({ shape: [4] });
    const b = tg.input({ shape: [4] });
    const xa = tg.randn([6, 4]);
    const xb = tg.randn([6, 4]);
    const run = (layer: { apply(x: tg.SymbolicTensor[]): tg.SymbolicTensor }) => tg.model({ inputs: [a, b], outputs: layer.apply([a, b]) }).predict([xa, xb]);
    close(run(tg.layers.add()), xa.add(xb));
    close(run(tg.layers.subtract()), xa.sub(xb));
    close(run(tg.layers.multiply()), xa.mul(xb));
    close(run(tg.layers.average()), xa.add(xb).div(2));
    close(run(tg.layers.maximum()), xa.maximum(xb));
    close(run(tg.layers.minimum()), xa.minimum(xb));
    close(run(tg.layers.concatenate()), tg.concat([xa, xb], 1));
    close(run(tg.layers.dot({ axes: 1 })), xa.mul(xb).sum(1, true));
    const cos = xa.mul(xb).sum(1, true).div(xa.mul(xa).sum(1, true).sqrt().mul(xb.mul(xb).sum(1, true).sqrt()));
    close(run(tg.layers.dot({ axes: 1, normalize: true })), cos, 1e-5);
    // 2-D rows: [m, n] · [k, n] over the last axes gives [m, k]
    const p = tg.input({ shape: [2, 3] });
    const q = tg.input({ shape: [5, 3] });
    const xp = tg.randn([4, 2, 3]);
    const xq = tg.randn([4, 5, 3]);
    close(tg.model({ inputs: [p, q], outputs: tg.layers.dot({ axes: 2 }).apply([p, q]) }).predict([xp, xq]), xp.matmul(xq.transpose(1, 2)));
  });
});

describe('training several outputs', () => {
  it('takes per-output losses, weights and metrics, and logs them with Keras names', async () => {
    const { net } = multiTask();
    const d = data();
    net.compile({
      optimizer: 'adam',
      loss: { cls: 'sparseCategoricalCrossentropy', bin: 'binaryCrossentropy', reg: 'mse' },
      lossWeights: { reg: 0.5 },
      metrics: { cls: ['accuracy'], bin: ['accuracy'] },
    });
    const history = await net.fit(d.X, { cls: d.cls, bin: d.bin, reg: d.reg }, { epochs: 3, batchSize: 32, validationSplit: 0.25, verbose: 0, seed: 0 });
    expect(Object.keys(history.history).sort()).toEqual([
      'bin_accuracy', 'bin_loss', 'cls_accuracy', 'cls_loss', 'loss', 'reg_loss',
      'val_bin_accuracy', 'val_bin_loss', 'val_cls_accuracy', 'val_cls_loss', 'val_loss', 'val_reg_loss',
    ]);
    const logs = net.evaluate(d.X, [d.cls, d.bin, d.reg]);
    // the total is the weighted sum of the outputs' losses
    expect(logs.loss).toBeCloseTo(logs.cls_loss + logs.bin_loss + 0.5 * logs.reg_loss, 5);
    expect(logs.cls_accuracy).toBeGreaterThanOrEqual(0);
    const [pc, pb, pr] = net.predict(d.X.slice(0, 0, 7));
    expect([pc.shape, pb.shape, pr.shape]).toEqual([[7, 3], [7, 1], [7, 1]]);
  });

  it('learns each head (the loss of every output falls)', async () => {
    const { net } = multiTask(3);
    const d = data(400, 2);
    net.compile({ optimizer: { name: 'adam', learningRate: 0.01 }, loss: ['sparseCategoricalCrossentropy', 'binaryCrossentropy', 'mse'] });
    const first = net.evaluate(d.X, [d.cls, d.bin, d.reg]);
    await net.fit(d.X, [d.cls, d.bin, d.reg], { epochs: 20, batchSize: 32, verbose: 0, seed: 0 });
    const last = net.evaluate(d.X, [d.cls, d.bin, d.reg]);
    for (const k of ['cls_loss', 'bin_loss', 'reg_loss']) expect(last[k], k).toBeLessThan(first[k] * 0.7);
  });

  it('predict follows how outputs were given: one tensor, an array, or a record', () => {
    const x = tg.input({ shape: [2] });
    const a = tg.layers.dense({ units: 1, name: 'a' }).apply(x);
    const b = tg.layers.dense({ units: 2, name: 'b' }).apply(x);
    const xs = tg.randn([3, 2]);
    expect(tg.model({ inputs: x, outputs: a }).predict(xs).shape).toEqual([3, 1]);
    expect(tg.model({ inputs: x, outputs: [a, b] }).predict(xs).map((t) => t.shape)).toEqual([[3, 1], [3, 2]]);
    const rec = tg.model({ inputs: x, outputs: { first: a, second: b } });
    expect(rec.outputNames).toEqual(['first', 'second']);
    expect(Object.keys(rec.predict(xs))).toEqual(['first', 'second']);
  });

  it('gives the same numbers as the same model written PyTorch-style (a Module with two heads, a weighted loss sum)', () => {
    const x = tg.input({ shape: [4] });
    const h = tg.layers.dense({ units: 8, activation: 'relu', name: 'trunk' }).apply(x);
    const digit = tg.layers.dense({ units: 3, activation: 'softmax', name: 'digit' }).apply(h);
    const parity = tg.layers.dense({ units: 1, activation: 'sigmoid', name: 'parity' }).apply(h);
    const net = tg.model({ inputs: x, outputs: [digit, parity] });
    net.compile({ optimizer: { name: 'sgd', learningRate: 0.1 }, loss: { digit: 'sparseCategoricalCrossentropy', parity: 'binaryCrossentropy' }, lossWeights: { digit: 1, parity: 0.3 } });

    class TwoHeads extends tg.nn.Module {
      trunk = new tg.nn.Linear(4, 8);
      digit = new tg.nn.Linear(8, 3);
      parity = new tg.nn.Linear(8, 1);
      forward(x: tg.Tensor): tg.Tensor { return x; }
      heads(x: tg.Tensor): [tg.Tensor, tg.Tensor] {
        const hh = this.trunk.call(x).relu();
        return [this.digit.call(hh), this.parity.call(hh)];
      }
    }
    const torchStyle = new TwoHeads();
    torchStyle.loadStateDict(net.stateDict()); // same keys: trunk.weight, trunk.bias, digit.weight, ...
    const d = data(32, 5);
    const lossOf = () => {
      const [logits, z] = torchStyle.heads(d.X);
      return tg.nn.functional.crossEntropy(logits, d.cls).add(tg.nn.functional.binaryCrossEntropyWithLogits(z, d.bin).mul(0.3));
    };
    expect(tg.noGrad(lossOf).item()).toBeCloseTo(net.evaluate(d.X, [d.cls, d.bin], { batchSize: 32 }).loss, 5);
  });
});

describe('saving and loading', () => {
  it('round-trips a functional model with its graph, compile settings and weights', () => {
    const { net } = multiTask();
    net.compile({ optimizer: 'adam', loss: { cls: 'sparseCategoricalCrossentropy', bin: 'binaryCrossentropy', reg: 'mse' }, lossWeights: { reg: 0.5 }, metrics: { cls: ['accuracy'] } });
    const bytes = net.toBytes();
    const back = tg.fromBytes(bytes) as unknown as tg.Model<tg.Tensor[]>;
    const xs = tg.randn([5, 4]);
    net.predict(xs).forEach((t, i) => close(back.predict(xs)[i], t, 0));
    expect(back.outputNames).toEqual(['cls', 'bin', 'reg']);
    expect(back.compiled!.outputs.map((o) => [o.name, o.weight, o.metricNames])).toEqual([['cls', 1, ['accuracy']], ['bin', 1, []], ['reg', 0.5, []]]);
  });

  it('refuses cycles, dangling references, duplicate names and unknown layers with typed errors', () => {
    const { net } = multiTask();
    const { config, weights } = net.toBytes();
    const edit = (f: (c: any) => void) => {
      const c = JSON.parse(config);
      f(c);
      try { tg.fromBytes({ config: JSON.stringify(c), weights }); } catch (e) { return e as tg.ModelLoadError; }
      throw new Error('expected a ModelLoadError');
    };
    expect(edit((c) => { c.graph.calls[0].inputs = [1]; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringContaining('cycle') });
    expect(edit((c) => { c.graph.calls[1].inputs = ['nowhere']; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringContaining('dangling') });
    expect(edit((c) => { c.graph.calls[1].layer = 'ghost'; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringContaining('dangling') });
    expect(edit((c) => { c.layers[1].config.name = 'trunk'; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringContaining('unique') });
    expect(edit((c) => { c.layers[0].className = 'Lambda'; })).toMatchObject({ code: 'BAD_LAYER' });
    expect(edit((c) => { delete c.graph; })).toMatchObject({ code: 'MISSING_FIELD' });
    expect(edit((c) => { c.graph.outputs = [99]; })).toMatchObject({ code: 'BAD_VALUE' });
    expect(edit((c) => { c.layers[0].config.units = 1e12; })).toMatchObject({ code: 'TOO_LARGE' });
    expect(edit((c) => { c.graph.calls[3].inputs = [0]; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringContaining('Concatenate'.toLowerCase()) });
  });
});

describe('saving and loading models that contain models', () => {
  /**
   * A siamese pair: one Sequential encoder applied to both inputs (shared weights), a functional "head" model
   * that itself holds a Sequential, and a dense layer on top: models nested two deep.
   */
  function nestedModel(seed = 4) {
    tg.manualSeed(seed);
    const encoder = tg.sequential([
      tg.layers.dense({ units: 6, activation: 'tanh', inputShape: [5] }),
      tg.layers.dropout({ rate: 0.1 }),
      tg.layers.dense({ units: 4 }),
    ], { name: 'encoder' });
    const hIn = tg.input({ shape: [8], name: 'h_in' });
    const inner = tg.sequential([tg.layers.dense({ units: 3, activation: 'relu', inputShape: [8] })], { name: 'inner' });
    const head = tg.model({ inputs: hIn, outputs: tg.layers.dense({ units: 2, name: 'head_out' }).apply(inner.apply(hIn)), name: 'head' });
    const a = tg.input({ shape: [5], name: 'a' });
    const b = tg.input({ shape: [5], name: 'b' });
    const joined = tg.layers.concatenate().apply([encoder.apply(a), encoder.apply(b)]);
    const score = tg.layers.dense({ units: 1, activation: 'sigmoid', name: 'score' }).apply(head.apply(joined));
    return tg.model({ inputs: [a, b], outputs: { score, code: encoder.apply(a) }, name: 'siamese' });
  }

  it('round-trips the architecture and weights: the same predictions after loading (bytes and files)', async () => {
    const net = nestedModel();
    net.compile({ optimizer: 'adam', loss: { score: 'binaryCrossentropy', code: 'mse' } });
    const xa = tg.randn([6, 5]);
    const xb = tg.randn([6, 5]);
    await net.fit([xa, xb], { score: tg.ones([6, 1]), code: tg.zeros([6, 4]) }, { epochs: 2, verbose: 0 }); // weights away from their initial values
    const config = JSON.parse(net.toBytes().config);
    expect(config.layers.map((l: { className: string }) => l.className)).toEqual(['Sequential', 'Concatenate', 'Functional', 'Dense']);
    expect(config.layers[2].config.layers[0]).toMatchObject({ className: 'Sequential', config: { name: 'inner', inputShape: [8] } });
    const want = net.predict([xa, xb]);
    const back = tg.fromBytes(net.toBytes()) as unknown as typeof net;
    const got = back.predict([xa, xb]);
    close(got.score, want.score, 0);
    close(got.code, want.code, 0);
    expect([...back.stateDict().keys()].sort()).toEqual([...net.stateDict().keys()].sort());
    expect(back.parameters().length).toBe(net.parameters().length); // the encoder's weights once, though it is called twice
    expect(back.compiled!.outputs.map((o) => o.name)).toEqual(['score', 'code']);
    // the loaded model trains like the original: the nested models' weights are its parameters
    const dir = await import('node:fs').then((fs) => fs.mkdtempSync(join(tmpdir(), 'tapegrad-nested-')));
    await net.save(dir);
    const fromDir = await tg.loadModel(dir) as unknown as typeof net;
    close(fromDir.predict([xa, xb]).score, want.score, 0);
  });

  it('uses a model with two inputs and two outputs as a layer: a list in, a list out; trains, summarises, saves and loads', async () => {
    tg.manualSeed(7);
    const p = tg.input({ shape: [4], name: 'p' });
    const q = tg.input({ shape: [3], name: 'q' });
    const both = tg.layers.concatenate().apply([p, q]);
    const twoHeads = tg.model({ inputs: [p, q], outputs: [tg.layers.dense({ units: 5, name: 'wide' }).apply(both), tg.layers.dense({ units: 2, name: 'narrow' }).apply(both)], name: 'two_heads' });
    const x = tg.input({ shape: [4], name: 'x' });
    const y = tg.input({ shape: [3], name: 'y' });
    const outs = twoHeads.apply([x, y]) as unknown as tg.SymbolicTensor[];
    expect(outs.map((t) => t.shape)).toEqual([[null, 5], [null, 2]]);
    const top = tg.layers.dense({ units: 1, name: 'top' }).apply(tg.layers.concatenate().apply(outs));
    const net = tg.model({ inputs: [x, y], outputs: [top, outs[1]], name: 'outer' });
    expect(net.parameters().length).toBe(6); // wide, narrow and top: a kernel and a bias each
    expect(net.summary(() => undefined)).toMatch(/two_heads \(Functional\)\s+\[\(None, 5\), \(None, 2\)\]/);

    // on tensors the nested model gives what it gives alone
    const xa = tg.randn([6, 4]);
    const ya = tg.randn([6, 3]);
    const [w, n] = twoHeads.predict([xa, ya]) as tg.Tensor[];
    const [t, n2] = net.predict([xa, ya]) as tg.Tensor[];
    close(n2, n, 0);
    close(t, (net.getLayer('top') as { call(x: tg.Tensor): tg.Tensor }).call(tg.concat([w, n], 1)), 1e-6);
    expect(net.getLayer(0)).toBe(twoHeads);
    expect(() => net.getLayer('nope')).toThrow(/outer.getLayer: no layer named "nope"; the layers are .*two_heads/);

    // training the outer model moves the nested one's weights; saving and loading keeps every output
    net.compile({ optimizer: { name: 'sgd', learningRate: 0.1 }, loss: ['mse', 'mse'] });
    const before = twoHeads.parameters()[0].detach().clone();
    await net.fit([xa, ya], [tg.ones([6, 1]), tg.zeros([6, 2])], { epochs: 2, verbose: 0 });
    expect(twoHeads.parameters()[0].sub(before).abs().max().item()).toBeGreaterThan(0);
    const back = tg.fromBytes(net.toBytes()) as unknown as typeof net;
    const want = net.predict([xa, ya]) as tg.Tensor[];
    const got = back.predict([xa, ya]) as tg.Tensor[];
    close(got[0], want[0], 0);
    close(got[1], want[1], 0);
    expect(back.parameters().length).toBe(6);

    // wrong arity and shapes name the model and the input
    expect(() => twoHeads.apply(x)).toThrow(/two_heads \(Functional\): used as a layer it takes 2 input\(s\) \(p, q\), got 1/);
    expect(() => twoHeads.apply([y, x])).toThrow(/input 0 \(p\) must have shape \[null,4\], received \[null,3\]/);
  });

  it('refuses malformed nested configs with typed errors', () => {
    const { config, weights } = nestedModel().toBytes();
    const edit = (f: (c: any) => void) => {
      const c = JSON.parse(config);
      f(c);
      try { tg.fromBytes({ config: JSON.stringify(c), weights }); } catch (e) { expect(e).toBeInstanceOf(tg.LoadError); return e as tg.ModelLoadError; }
      throw new Error('expected a ModelLoadError');
    };
    const head = (c: any) => c.layers[2].config; // the nested functional model
    // an unknown layer class inside a nested model, and an unknown nested model class
    expect(edit((c) => { head(c).layers[1].className = 'Lambda'; })).toMatchObject({ code: 'BAD_LAYER', message: expect.stringContaining('"head"') });
    expect(edit((c) => { c.layers[0].className = 'Subclassed'; })).toMatchObject({ code: 'BAD_LAYER' });
    // a cycle and dangling references in a nested graph
    expect(edit((c) => { head(c).graph.calls[0].inputs = [1]; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringMatching(/"head".*cycle/) });
    expect(edit((c) => { head(c).graph.calls[1].inputs = ['a']; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringContaining('dangling') });
    expect(edit((c) => { head(c).graph.calls[1].layer = 'ghost'; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringContaining('dangling') });
    // the shape a nested model was saved with must be the shape it is called on
    expect(edit((c) => { c.layers[0].config.inputShape = [7]; c.layers[0].config.layers[0].config.inputShape = [7]; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringMatching(/"encoder" takes input 0 of shape \[null,7\]/) });
    // a nested layer whose config no longer matches the weights file
    expect(edit((c) => { c.layers[0].config.layers[2].config.units = 5; })).toMatchObject({ code: 'BAD_VALUE' }); // concatenate then feeds head [10], not [8]
    expect(edit((c) => { head(c).layers[1].config.units = 3; c.layers[3].config.units = 1; })).toMatchObject({ code: 'SHAPE_MISMATCH' });
    // fields, names and arity
    expect(edit((c) => { delete c.layers[0].config.inputShape; })).toMatchObject({ code: 'MISSING_FIELD' });
    expect(edit((c) => { c.layers[0].config.compile = null; })).toMatchObject({ code: 'UNKNOWN_FIELD' });
    expect(edit((c) => { c.layers[0].config.name = 'score'; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringContaining('unique') });
    // a nested model called with more inputs than it has, and an output it does not make
    const headCall = (c: any) => c.graph.calls.find((k: any) => k.layer === 'head');
    expect(edit((c) => { const k = headCall(c); k.inputs = [k.inputs[0], k.inputs[0]]; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringContaining('takes 2 inputs; the model "head" takes 1') });
    expect(edit((c) => { const i = c.graph.calls.indexOf(headCall(c)); c.graph.outputs = [[i, 1]]; c.graph.outputKeys = null; c.graph.single = true; })).toMatchObject({ code: 'BAD_VALUE', message: expect.stringContaining('makes 1 output') });
    expect(edit((c) => { c.layers[0].config.layers = 'x'; })).toMatchObject({ code: 'BAD_VALUE' });
    // nesting deeper than the loader allows, and more layers in total than maxLayers
    expect(edit((c) => {
      let deep: any = c.layers[0];
      for (let k = 0; k < 7; k++) deep = { className: 'Functional', config: { name: `m${k}`, layers: [deep], graph: { inputs: [{ name: `i${k}`, shape: [5], dtype: 'float32' }], calls: [{ layer: k === 0 ? 'encoder' : `m${k - 1}`, inputs: [`i${k}`] }], outputs: [0], outputKeys: null, single: true } } };
      c.layers[0] = deep;
      c.graph.calls = c.graph.calls.map((call: any) => (call.layer === 'encoder' ? { ...call, layer: 'm6' } : call));
    })).toMatchObject({ code: 'TOO_LARGE', message: expect.stringContaining('nested more than 6 deep') });
    try { tg.fromBytes({ config, weights }, { maxLayers: 5 }); throw new Error('expected a ModelLoadError'); } catch (e) { expect(e).toMatchObject({ code: 'TOO_LARGE' }); }
  });

  it('refuses to save a wrapped nn Module used as a layer, naming it', () => {
    const x = tg.input({ shape: [3], name: 'x' });
    const wrapped = tg.model(new tg.nn.Linear(3, 2), { inputShape: [3], name: 'torchy' });
    const net = tg.model({ inputs: x, outputs: wrapped.apply(x) });
    expect(() => net.toBytes()).toThrow(/torchy, a wrapped nn Module/);
  });
});

describe('drawing the graph', () => {
  it('tg.plot.modelGraph gives SVG and DOT with every layer and edge', () => {
    const { net } = multiTask();
    const dot = tg.plot.modelGraph(net, { format: 'dot' });
    expect(dot).toContain('"feat" [label="feat (InputLayer)\\n(None, 4)"');
    for (const edge of ['"feat" -> "trunk"', '"trunk" -> "cls"', '"trunk" -> "concatenate"', '"feat" -> "concatenate"', '"concatenate" -> "reg"']) expect(dot).toContain(edge);
    const svg = tg.plot.modelGraph(net, { title: 'multi-task' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<rect x=/g) ?? []).length).toBe(6); // the input and five layers
    expect((svg.match(/<line /g) ?? []).length).toBe(6);
    // a sequential model is a chain
    const seq = tg.sequential([tg.layers.dense({ units: 2, inputShape: [3] }), tg.layers.dense({ units: 1 })]);
    expect(tg.plot.modelGraph(seq, { format: 'dot' })).toContain('"dense" -> "dense_1"');
  });
});

describe('bad graphs and data fail early, with the names', () => {
  it('at apply and tg.model time', () => {
    const x = tg.input({ shape: [4], name: 'x' });
    const d = tg.layers.dense({ units: 3, name: 'd' });
    d.apply(x);
    expect(() => d.apply(tg.input({ shape: [5] }))).toThrow('d (Dense): expected an input of shape [null,4] (it was built for that), received [null,5]');
    expect(() => tg.layers.add().apply([x, tg.input({ shape: [3] })])).toThrow(/add \(Add\): inputs must have the same shape, got \[null,4\] and \[null,3\]/);
    expect(() => tg.layers.dense({ units: 2 }).apply([x, x])).toThrow(/takes one input, got 2/);
    const y = tg.input({ shape: [4], name: 'y' });
    expect(() => tg.model({ inputs: [x, y], outputs: d.apply(x) })).toThrow('input "y" [null,4] does not reach any output');
    expect(() => tg.model({ inputs: y, outputs: d.apply(x) })).toThrow(/depends on input "x" \[null,4\], which is not in inputs/);
    expect(() => tg.model({ inputs: x, outputs: [tg.layers.dense({ units: 1, name: 'same' }).apply(x), tg.layers.dense({ units: 1, name: 'same' }).apply(x)] })).toThrow(/named "same"/);
  });

  it('at compile and fit time, before any step', async () => {
    const { net } = multiTask();
    expect(() => net.compile({ optimizer: 'adam', loss: { cls: 'mse', parity: 'mse' } })).toThrow('compile: loss names "parity", which is not an output; the outputs are cls, bin, reg');
    expect(() => net.compile({ optimizer: 'adam', loss: 'mse', metrics: { clss: ['accuracy'] } })).toThrow(/metrics names "clss", which is not an output; the outputs are cls, bin, reg/);
    expect(() => net.compile({ optimizer: 'adam', loss: ['mse', 'mse'] })).toThrow('compile: loss has 2 entries but the model has 3 outputs (cls, bin, reg)');
    net.compile({ optimizer: 'adam', loss: ['sparseCategoricalCrossentropy', 'binaryCrossentropy', 'mse'] });
    const d = data(20);
    const w = net.parameters()[0].detach().clone();
    await expect(net.fit(d.X, { cls: d.cls, bin: d.bin }, { verbose: 0 })).rejects.toThrow('fit: y has no array for output "reg"; the outputs are cls, bin, reg');
    await expect(net.fit(d.X, [d.cls, d.bin], { verbose: 0 })).rejects.toThrow(/the model has 3 outputs \(cls, bin, reg\)/);
    await expect(net.fit(d.X.slice(1, 0, 3), [d.cls, d.bin, d.reg], { verbose: 0 })).rejects.toThrow(/expects inputs of shape \[null,4\]/);
    close(net.parameters()[0], w, 0); // nothing was trained
  });
});
