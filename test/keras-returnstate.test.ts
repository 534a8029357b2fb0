// Keras' returnState and initialState in the functional API (a layer call with several outputs, each symbolic
// tensor knowing its call and output index) and Keras' parameter counts for lstm / simpleRNN / gru (one bias for
// LSTM and SimpleRNN): states against tg.nn's final states, an encoder-decoder that builds, summarises, trains,
// saves and loads, bidirectional's state order, errors that name the layer, and a file saved before the change.

import { readFileSync } from 'node:fs';
import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';
import { torchNames } from './keras-rnn-helpers.js';
import { describe, expect, it } from 'vitest';

const f64 = { dtype: 'float64' as const };
const close = (a: Tensor, b: Tensor, tol = 1e-10): void => {
  expect(a.shape).toEqual(b.shape);
  expect(a.sub(b).abs().max().item()).toBeLessThan(tol);
};

/** The number of parameters of a module (or model). */
const countParams = (m: tg.nn.Module): number => m.parameters().reduce((n, p) => n + p.size, 0);

describe('Keras parameter counts', () => {
  it('LSTM(32), SimpleRNN(32) and GRU(32) on 16 features have Keras\' counts and weight names', () => {
    // Keras: LSTM 4·(u·(in+u) + u), SimpleRNN u·(in+u) + u, GRU (reset_after) 3·(u·(in+u) + 2·u)
    const [u, f] = [32, 16];
    const want = { lstm: 4 * (u * (f + u) + u), simpleRNN: u * (f + u) + u, gru: 3 * (u * (f + u) + 2 * u) };
    expect(want).toEqual({ lstm: 6272, simpleRNN: 1568, gru: 4800 });
    for (const kind of ['lstm', 'simpleRNN', 'gru'] as const) {
      const model = tg.sequential([tg.layers[kind]({ units: u, inputShape: [10, f] })]);
      expect(countParams(model)).toBe(want[kind]);
      expect(model.summary()).toMatch(new RegExp(`\\(None, 32\\)\\s+${want[kind].toLocaleString('en-US')}`));
    }
    const l = tg.layers.lstm({ units: u });
    l.build([10, f]);
    expect(l.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['kernel', [f, 4 * u]], ['recurrent_kernel', [u, 4 * u]], ['bias', [4 * u]]]);
    const noBias = tg.layers.simpleRNN({ units: u, useBias: false });
    noBias.build([10, f]);
    expect(noBias.namedParameters().map(([n]) => n)).toEqual(['kernel', 'recurrent_kernel']);
    expect(countParams(noBias)).toBe(u * (f + u));
  });
});

describe('returnState', () => {
  it.each([
    ['lstm', false], ['lstm', true], ['gru', false], ['gru', true], ['simpleRNN', false], ['simpleRNN', true],
  ] as const)('%s (returnSequences %s): apply gives [output, ...states], the states equal the nn module\'s h_n (and c_n)', (kind, returnSequences) => {
    tg.manualSeed(3);
    const layer = tg.layers[kind]({ units: 3, returnState: true, returnSequences, ...f64 });
    const x = tg.randn([2, 5, 4], f64);
    const outs = layer.apply(x);
    expect(outs).toHaveLength(kind === 'lstm' ? 3 : 2); // LSTM [output, h, c]; GRU and SimpleRNN [output, h]
    const ref = kind === 'lstm' ? new tg.nn.LSTM(4, 3, { batchFirst: true, ...f64 })
      : kind === 'gru' ? new tg.nn.GRU(4, 3, { batchFirst: true, ...f64 }) : new tg.nn.RNN(4, 3, { batchFirst: true, ...f64 });
    ref.loadStateDict(torchNames(layer.stateDict(), kind === 'gru'));
    const [rOut, rState] = ref.call(x) as [Tensor, Tensor | Tensor[]];
    const states = Array.isArray(rState) ? rState : [rState];
    close(outs[0], returnSequences ? rOut : states[0].squeeze(0));
    states.forEach((s, i) => close(outs[1 + i], s.squeeze(0)));
    // symbolic: the same number of outputs, each knowing its call and index
    const sym = tg.layers[kind]({ units: 3, returnState: true, returnSequences }).apply(tg.input({ shape: [5, 4] }));
    expect(sym.map((t) => t.shape)).toEqual([returnSequences ? [null, 5, 3] : [null, 3], ...(kind === 'lstm' ? [[null, 3], [null, 3]] : [[null, 3]])]);
    expect(sym.map((t) => t.outputIndex)).toEqual(sym.map((_, i) => i));
    expect(new Set(sym.map((t) => t.source)).size).toBe(1);
  });

  it('initialState as concrete tensors equals nn with h0, c0', () => {
    const layer = tg.layers.lstm({ units: 3, returnSequences: true, ...f64 });
    const x = tg.randn([2, 4, 5], f64);
    const [h0, c0] = [tg.randn([2, 3], f64), tg.randn([2, 3], f64)];
    const y = layer.apply(x, { initialState: [h0, c0] });
    const ref = new tg.nn.LSTM(5, 3, { batchFirst: true, ...f64 });
    ref.loadStateDict(torchNames(layer.stateDict()));
    close(y, ref.call(x, [h0.unsqueeze(0), c0.unsqueeze(0)])[0]);
  });

  it('bidirectional with returnState: [output, forward h, c, backward h, c], in the functional API too', () => {
    tg.manualSeed(5);
    const bi = tg.layers.bidirectional({ layer: tg.layers.lstm({ units: 3, returnState: true, ...f64 }) });
    const x = tg.randn([2, 6, 4], f64);
    const outs = bi.apply(x);
    expect(outs).toHaveLength(5);
    const ref = new tg.nn.LSTM(4, 3, { batchFirst: true, bidirectional: true, ...f64 });
    ref.loadStateDict(torchNames(bi.stateDict()));
    const [, [h, c]] = ref.call(x);
    const dir = (s: Tensor, d: number) => s.slice(0, d, d + 1).squeeze(0);
    [dir(h, 0), dir(c, 0), dir(h, 1), dir(c, 1)].forEach((s, i) => close(outs[1 + i], s));
    expect(countParams(bi)).toBe(2 * 4 * (3 * (4 + 3) + 3)); // Keras: twice the wrapped LSTM's
    // initialState: forward h, c, then backward h, c (Keras' order), as nn's h0 / c0 [directions, batch, units]
    const init = Array.from({ length: 4 }, () => tg.randn([2, 3], f64));
    const started = bi.apply(x, { initialState: init });
    const [, [h2, c2]] = ref.call(x, [tg.stack([init[0], init[2]], 0), tg.stack([init[1], init[3]], 0)]);
    [dir(h2, 0), dir(c2, 0), dir(h2, 1), dir(c2, 1)].forEach((s, i) => close(started[1 + i], s));
    expect(() => bi.apply(x, { initialState: init.slice(0, 2) })).toThrow(/bidirectional \(Bidirectional\): initialState must be \[hForward, cForward, hBackward, cBackward\]/);
    // functional: a model returning all five, saved and loaded
    const inp = tg.input({ shape: [6, 4], dtype: 'float64' });
    const sym = bi.apply(inp);
    const model = tg.model({ inputs: inp, outputs: sym });
    const got = model.predict(x) as unknown as Tensor[];
    got.forEach((t, i) => close(t, outs[i]));
    const back = tg.fromBytes(model.toBytes());
    (back.predict(x) as unknown as Tensor[]).forEach((t, i) => expect(t.toArray()).toEqual(got[i].toArray()));
    // states as graph inputs: a second model over the same layer, saved and loaded
    const stateIns = [0, 1, 2, 3].map((i) => tg.input({ shape: [3], name: `s${i}`, dtype: 'float64' }));
    const withInit = tg.model({ inputs: [inp, ...stateIns], outputs: bi.apply(inp, { initialState: stateIns })[0] });
    const y0 = withInit.predict([x, ...init]) as Tensor;
    close(y0, started[0]);
    expect((tg.fromBytes(withInit.toBytes()).predict([x, ...init]) as Tensor).toArray()).toEqual(y0.toArray());
  });

  it('errors name the layer when initialState has the wrong count or shapes', () => {
    const x = tg.input({ shape: [5, 4] });
    const [, h, c] = tg.layers.lstm({ units: 3, returnState: true }).apply(x);
    const dec = tg.layers.lstm({ units: 3, name: 'decoder' });
    expect(() => dec.apply(x, { initialState: [h] })).toThrow(/decoder \(LSTM\): initialState must be \[h, c\] \(2 tensors of shape \[null,3\]\), got 1/);
    const wide = tg.layers.dense({ units: 4 }).apply(h);
    expect(() => dec.apply(x, { initialState: [h, wide] })).toThrow(/decoder \(LSTM\): initialState\[1\] must have shape \[null,3\] \(batch, units\), got \[null,4\]/);
    const g = tg.layers.gru({ units: 3, name: 'g' });
    expect(() => g.apply(x, { initialState: [h, c] })).toThrow(/g \(GRU\): initialState must be \[h\]/);
    expect(() => g.apply(tg.randn([2, 5, 4]), { initialState: [tg.randn([3, 3])] })).toThrow(/g \(GRU\): initialState\[0\] must be \[2,3\] \(batch, units\), got \[3,3\]/);
    expect(() => g.apply(x, { initialState: [tg.randn([2, 3])] as never })).toThrow(/g \(GRU\): on a symbolic tensor, initialState must be symbolic tensors too/);
    expect(() => dec.apply([x, h, wide])).toThrow(/decoder \(LSTM\): initialState\[1\] must have shape \[null,3\]/);
    expect(() => dec.apply([x, h], { initialState: [h, c] })).toThrow(/decoder \(LSTM\): give the initial states either in the list \[x, \.\.\.states\] or as \{ initialState \}, not both/);
    expect(dec.apply([x, h, c]).shape).toEqual([null, 3]); // Keras' layer([x, h, c])
    expect(() => g.apply(x, { initialStates: [h] } as never)).toThrow(/g \(GRU\): apply takes \{ initialState \}, got an unknown option "initialStates"/);
  });
});

describe('an encoder-decoder (returnState + initialState)', () => {
  /** Keras' seq2seq: the encoder's final [h, c] start the decoder. */
  function seq2seq() {
    const encIn = tg.input({ shape: [5, 4], name: 'enc_in' });
    const decIn = tg.input({ shape: [6, 3], name: 'dec_in' });
    const encoder = tg.layers.lstm({ units: 8, returnState: true, name: 'encoder' });
    const [, h, c] = encoder.apply(encIn);
    const decoder = tg.layers.lstm({ units: 8, returnSequences: true, name: 'decoder' });
    const seq = decoder.apply(decIn, { initialState: [h, c] });
    const head = tg.layers.dense({ units: 3, name: 'head' });
    const out = head.apply(seq);
    return { model: tg.model({ inputs: [encIn, decIn], outputs: out }), encoder, decoder, head };
  }

  it('builds with Keras\' shapes and counts, runs as the layers do, trains, and saves and loads', async () => {
    tg.manualSeed(11);
    const { model, encoder, decoder, head } = seq2seq();
    const summary = model.summary();
    // Keras: each LSTM 4·(8·(in+8) + 8): encoder (in 4) 416, decoder (in 3) 384; head 8·3 + 3 = 27
    expect(summary).toMatch(/encoder \(LSTM\)\s+\[\(None, 8\), \(None, 8\), \(None, 8\)\]\s+416\s+enc_in\[0\]\[0\]/);
    expect(summary).toMatch(/decoder \(LSTM\)\s+\(None, 6, 8\)\s+384\s+dec_in\[0\]\[0\], encoder\[0\]\[1\], encoder\[0\]\[2\]/);
    expect(summary).toMatch(/Total params: 827 /);
    const a = tg.randn([4, 5, 4]);
    const b = tg.randn([4, 6, 3]);
    // the graph computes what the layers compute when called by hand
    const [, h, c] = encoder.apply(a);
    close(model.predict([a, b]) as Tensor, head.call(decoder.apply(b, { initialState: [h, c] })), 1e-6);
    // the decoder depends on the encoder's states: other encoder inputs change its outputs
    expect((model.predict([a.mul(2), b]) as Tensor).sub(model.predict([a, b]) as Tensor).abs().max().item()).toBeGreaterThan(1e-4);
    // trains: the loss falls over a few steps
    const y = tg.randn([4, 6, 3]);
    model.compile({ optimizer: { name: 'adam', learningRate: 0.02 }, loss: 'mse' });
    const history = await model.fit([a, b], y, { epochs: 8, batchSize: 4, verbose: 0 });
    const losses = history.history.loss;
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    // saved refs carry the output index ([call, tensor]); loading gives identical predictions
    const bytes = model.toBytes();
    const graph = JSON.parse(bytes.config).graph as { calls: { layer: string; inputs: unknown[] }[] };
    expect(graph.calls.find((k) => k.layer === 'decoder')!.inputs).toEqual(['dec_in', [0, 1], [0, 2]]);
    const back = tg.fromBytes(bytes);
    expect((back.predict([a, b]) as Tensor).toArray()).toEqual((model.predict([a, b]) as Tensor).toArray());
    expect(back.summary()).toBe(model.summary());
    // a tampered file: a missing state, or an output the encoder does not make, is refused naming the call
    const tamper = (inputs: unknown[]) => {
      const cfg = JSON.parse(bytes.config);
      cfg.graph.calls.find((k: { layer: string }) => k.layer === 'decoder').inputs = inputs;
      return () => tg.fromBytes({ config: JSON.stringify(cfg), weights: bytes.weights });
    };
    expect(tamper(['dec_in', [0, 1]])).toThrow(/decoder \(LSTM\): initialState must be \[h, c\]/);
    expect(tamper(['dec_in', [0, 1], [0, 5]])).toThrow(/refers to output 5 of call 0, which makes 3 outputs/);
  });

  it('plots the graph with the list of shapes and one arrow from the encoder to the decoder', () => {
    const { model } = seq2seq();
    const dot = tg.plot.modelGraph(model, { format: 'dot' });
    expect(dot).toContain('[(None, 8), (None, 8), (None, 8)]');
    expect(dot.split('\n').filter((l) => l.includes('"encoder" -> "decoder"'))).toHaveLength(1);
    expect(tg.plot.modelGraph(model)).toContain('<svg');
  });

  it('several outputs of one layer as model outputs: distinct names, saved and loaded', () => {
    const x = tg.input({ shape: [4, 2] });
    const [seq, h, c] = tg.layers.lstm({ units: 3, returnSequences: true, returnState: true, name: 'enc' }).apply(x);
    const model = tg.model({ inputs: x, outputs: [seq, h, c] });
    expect(model.outputNames).toEqual(['enc', 'enc_1', 'enc_2']);
    const xs = tg.randn([2, 4, 2]);
    const [ys, yh, yc] = model.predict(xs) as unknown as Tensor[];
    expect([ys.shape, yh.shape, yc.shape]).toEqual([[2, 4, 3], [2, 3], [2, 3]]);
    close(ys.slice(1, 3, 4).squeeze(1), yh, 1e-7); // the last step's output is h
    const back = tg.fromBytes(model.toBytes());
    (back.predict(xs) as unknown as Tensor[]).forEach((t, i) => expect(t.toArray()).toEqual([ys, yh, yc][i].toArray()));
  });
});

describe('files saved before Keras\' weights', () => {
  it('a model saved with weight_ih_l0 / bias_ih_l0 / bias_hh_l0 loads (the biases summed) and predicts the same', () => {
    const dir = new URL('./fixtures/keras/legacy-rnn/', import.meta.url);
    const config = readFileSync(new URL('model.json', dir), 'utf8');
    const weights = new Uint8Array(readFileSync(new URL('model.safetensors', dir)));
    const { x, y } = JSON.parse(readFileSync(new URL('predictions.json', dir), 'utf8')) as { x: number[][][]; y: number[][] };
    const model = tg.fromBytes({ config, weights });
    close(model.predict(tg.tensor(x)) as Tensor, tg.tensor(y), 1e-6);
    // its weights now have Keras' names and counts
    const names = model.namedParameters().map(([n]) => n);
    expect(names).toEqual(expect.arrayContaining(['0.kernel', '0.recurrent_kernel', '0.bias', '1.kernel_reverse', '2.kernel', '2.bias', '3.bias']));
    expect(model.namedParameters().find(([n]) => n === '2.bias')![1].shape).toEqual([2, 9]); // the GRU's two biases, Keras' [2, 3·units]
    expect(names.some((n) => n.includes('_ih_'))).toBe(false);
    // loadWeights reads the old file into a model built now
    const fresh = tg.fromBytes(model.toBytes());
    fresh.loadWeights(weights);
    close(fresh.predict(tg.tensor(x)) as Tensor, tg.tensor(y), 1e-6);
  });
});
