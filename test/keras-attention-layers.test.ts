// Keras-style returnState, bidirectional and multiHeadAttention: the same weights give tg.nn's outputs (which
// are checked against PyTorch in attention.test.ts / rnn tests), Keras' parameter counts in summary(), masks,
// the functional API with several inputs, save/load round trips and errors that name the layer and shapes.

import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';
import { torchNames } from './keras-rnn-helpers.js';

const nn = tg.nn;
const close = (a: Tensor, b: Tensor, tol = 1e-10): void => {
  expect(a.shape).toEqual(b.shape);
  const d = a.sub(b).abs().max().item();
  expect(d).toBeLessThan(tol);
};
const f64 = { dtype: 'float64' as const };

describe('returnState on recurrent layers', () => {
  it('lstm.callWithState gives [output, h, c] equal to nn.LSTM with the same weights, and takes initial states', () => {
    const layer = tg.layers.lstm({ units: 3, returnState: true, returnSequences: true, ...f64 });
    const x = tg.randn([2, 5, 4], f64);
    layer.build([5, 4]);
    const ref = new nn.LSTM(4, 3, { batchFirst: true, ...f64 });
    ref.loadStateDict(torchNames(layer.stateDict()));
    const h0 = tg.randn([2, 3], f64);
    const c0 = tg.randn([2, 3], f64);
    const [out, h, c] = layer.callWithState(x, [h0, c0]);
    const [rOut, [rh, rc]] = ref.call(x, [h0.unsqueeze(0), c0.unsqueeze(0)]);
    close(out, rOut);
    close(h, rh.squeeze(0));
    close(c, rc.squeeze(0));
    close(layer.call(x), ref.call(x)[0]); // call() returns the output alone (zero initial states)
    expect(() => layer.callWithState(x, [h0])).toThrow(/lstm \(LSTM\): initialState must be \[h, c\], each of shape \[2,3\], got 1 tensor$/);
    expect(() => layer.callWithState(x, [h0, tg.randn([3, 3], f64)])).toThrow(/lstm \(LSTM\): initialState\[1\] must be \[2,3\] \(batch, units\), got \[3,3\]/);
  });

  it('gru with returnState: the last output is the state; config round-trips', () => {
    const layer = tg.layers.gru({ units: 2, returnState: true });
    const [out, h] = layer.callWithState(tg.randn([3, 4, 2]));
    expect(out.toArray()).toEqual(h.toArray());
    expect(layer.getConfig()).toMatchObject({ units: 2, returnState: true });
  });
});

describe('tg.layers.bidirectional', () => {
  it('concat with returnSequences equals nn.LSTM({ bidirectional: true }); the last output joins h_n of both directions', () => {
    const seqs = tg.layers.bidirectional({ layer: tg.layers.lstm({ units: 3, returnSequences: true, ...f64 }) });
    const last = tg.layers.bidirectional({ layer: tg.layers.lstm({ units: 3, returnState: true, ...f64 }) });
    const x = tg.randn([2, 6, 4], f64);
    seqs.build([6, 4]);
    last.build([6, 4]);
    const ref = new nn.LSTM(4, 3, { batchFirst: true, bidirectional: true, ...f64 });
    ref.loadStateDict(torchNames(seqs.stateDict()));
    last.loadStateDict(seqs.stateDict());
    const [rOut, [rh, rc]] = ref.call(x);
    close(seqs.call(x), rOut);
    const [out, hf, cf, hb, cb] = last.callWithState(x);
    close(out, tg.concat([rh.slice(0, 0, 1).squeeze(0), rh.slice(0, 1, 2).squeeze(0)], -1));
    close(hf, rh.slice(0, 0, 1).squeeze(0));
    close(cf, rc.slice(0, 0, 1).squeeze(0));
    close(hb, rh.slice(0, 1, 2).squeeze(0));
    close(cb, rc.slice(0, 1, 2).squeeze(0));
  });

  it('sum, mul and ave merge the two directions elementwise', () => {
    const x = tg.randn([2, 4, 3], f64);
    const base = tg.layers.bidirectional({ layer: tg.layers.gru({ units: 2, returnSequences: true, ...f64 }) });
    const both = base.call(x);
    const [a, b] = [both.slice(2, 0, 2), both.slice(2, 2, 4)];
    const want = { sum: a.add(b), mul: a.mul(b), ave: a.add(b).div(2) };
    for (const mode of ['sum', 'mul', 'ave'] as const) {
      const layer = tg.layers.bidirectional({ layer: tg.layers.gru({ units: 2, returnSequences: true, ...f64 }), mergeMode: mode });
      layer.build([4, 3]);
      layer.loadStateDict(base.stateDict());
      close(layer.call(x), want[mode]);
    }
  });

  it('after a masked embedding both directions stop at each row\'s length (nn\'s lengths)', () => {
    tg.manualSeed(2);
    const emb = tg.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true });
    const bi = tg.layers.bidirectional({ layer: tg.layers.simpleRNN({ units: 2 }) });
    const ids = tg.tensor([[1, 4, 2, 0, 0], [3, 5, 1, 2, 4]]);
    const padded = bi.call(emb.call(ids));
    const alone = bi.call(emb.call(tg.tensor([[1, 4, 2]])));
    close(padded.slice(0, 0, 1), alone, 1e-6);
  });

  it('in a sequential model: summary counts both directions, and save/load round-trips', async () => {
    tg.manualSeed(4);
    const model = tg.sequential([
      tg.layers.embedding({ inputDim: 20, outputDim: 4, maskZero: true, inputShape: [7] }),
      tg.layers.bidirectional({ layer: tg.layers.gru({ units: 5 }), mergeMode: 'concat' }),
      tg.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    // one GRU direction (resetAfter, PyTorch's two biases): 3·5·(4 + 5) + 2·3·5 = 165; two directions 330
    expect(model.summary()).toMatch(/bidirectional \(Bidirectional\)\s+\(None, 10\)\s+330/);
    const x = tg.tensor([[3, 4, 5, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7]]);
    const back = tg.fromBytes(model.toBytes());
    expect(back.predict(x).toArray()).toEqual(model.predict(x).toArray());
    const saved = JSON.parse(model.toBytes().config) as { layers: { className: string; config: Record<string, unknown> }[] };
    expect(saved.layers[1].config.layer).toMatchObject({ className: 'GRU', config: { units: 5 } });
  });

  it('refuses a non-recurrent, built or goBackwards layer, and 2-D inputs, naming the layer', () => {
    expect(() => tg.layers.bidirectional({ layer: tg.layers.dense({ units: 2 }) as never })).toThrow(/bidirectional: layer must be tg.layers.simpleRNN \/ lstm \/ gru or \{ className, config \}/);
    expect(() => tg.layers.bidirectional({ layer: { className: 'Dense' as never, config: { units: 2 } } })).toThrow(/bidirectional: layer className must be 'SimpleRNN', 'LSTM' or 'GRU', got "Dense"/);
    expect(() => tg.layers.bidirectional({ layer: tg.layers.lstm({ units: 2, goBackwards: true }) })).toThrow(/goBackwards: true; bidirectional runs it both ways itself/);
    const built = tg.layers.lstm({ units: 2 });
    built.build([3, 2]);
    expect(() => tg.layers.bidirectional({ layer: built })).toThrow(/lstm \(LSTM\) is already built/);
    expect(() => tg.layers.bidirectional({ layer: tg.layers.lstm({ units: 2 }), mergeMode: 'max' as never })).toThrow(/mergeMode must be one of 'concat', 'sum', 'mul', 'ave', got "max"/);
    expect(() => tg.layers.bidirectional({ layer: tg.layers.lstm({ units: 2 }) }).call(tg.randn([2, 3]))).toThrow(/bidirectional \(Bidirectional\): expects inputs \[batch, steps, features\], got rows of shape \[3\]/);
  });
});

describe('tg.layers.multiHeadAttention', () => {
  /** A Keras layer and an nn.MultiheadAttention holding the same weights (keyDim = valueDim = E / numHeads). */
  function pair(e: number, heads: number): [tg.layers.MultiHeadAttention, tg.nn.MultiheadAttention] {
    const layer = tg.layers.multiHeadAttention({ numHeads: heads, keyDim: e / heads, ...f64 });
    layer.build([3, e]);
    const ref = new nn.MultiheadAttention(e, heads, { batchFirst: true, ...f64 });
    const sd = layer.stateDict();
    ref.loadStateDict(new Map([
      ['in_proj_weight', tg.concat([sd.get('query.weight')!, sd.get('key.weight')!, sd.get('value.weight')!], 0)],
      ['in_proj_bias', tg.concat([sd.get('query.bias')!, sd.get('key.bias')!, sd.get('value.bias')!], 0)],
      ['out_proj.weight', sd.get('output.weight')!],
      ['out_proj.bias', sd.get('output.bias')!],
    ]));
    return [layer, ref];
  }

  it('equals nn.MultiheadAttention with the same weights: output and per-head scores, with and without a causal mask', () => {
    const [layer, ref] = pair(8, 2);
    const q = tg.randn([2, 3, 8], f64);
    const kv = tg.randn([2, 5, 8], f64);
    const [out, scores] = layer.attend(q, kv);
    const [rOut, rW] = ref.call(q, kv, kv, { averageAttnWeights: false });
    close(out, rOut);
    close(scores, rW!);
    const [cOut] = layer.attend(kv, kv, { useCausalMask: true });
    close(cOut, ref.call(kv, kv, kv, { isCausal: true })[0]);
  });

  it('a masked embedding\'s padding hides those keys (the real query rows equal nn with keyPaddingMask)', () => {
    const [layer, ref] = pair(4, 2);
    const emb = tg.layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true, dtype: 'float64' });
    const ids = tg.tensor([[5, 2, 7, 0], [1, 2, 3, 4]]);
    const x = emb.call(ids);
    const out = layer.call(x, x);
    const [rOut] = ref.call(x, x, x, { keyPaddingMask: [[false, false, false, true], [false, false, false, false]] });
    close(out.slice(1, 0, 3), rOut.slice(1, 0, 3));
    close(out.slice(0, 1, 2), rOut.slice(0, 1, 2));
    // an explicit attentionMask [batch, L, S] (1 = may attend) gives the same as masking those keys
    const allow = tg.tensor([[[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 1, 0]], [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]]);
    const plain = tg.randn([2, 4, 4], f64);
    close(layer.attend(plain, plain, { attentionMask: allow })[0], ref.call(plain, plain, plain, { keyPaddingMask: [[false, false, false, true], [false, false, false, false]] })[0]);
  });

  it('keyDim, valueDim and outputShape need not match E: Keras\' parameter count and shapes; cross-attention with a key', () => {
    const layer = tg.layers.multiHeadAttention({ numHeads: 3, keyDim: 5, valueDim: 2, outputShape: 7 });
    const q = tg.randn([2, 4, 6]);
    const v = tg.randn([2, 9, 3]);
    const k = tg.randn([2, 9, 8]);
    const [out, scores] = layer.attend(q, v, { key: k });
    expect(out.shape).toEqual([2, 4, 7]);
    expect(scores.shape).toEqual([2, 3, 4, 9]);
    // Keras: query 6·3·5 + 15, key 8·3·5 + 15, value 3·3·2 + 6, output 3·2·7 + 7
    const count = layer.parameters().reduce((n, p) => n + p.size, 0);
    expect(count).toBe(6 * 15 + 15 + 8 * 15 + 15 + 3 * 6 + 6 + 6 * 7 + 7);
    for (const row of scores.sum(-1).toArray() as number[][][]) for (const r of row) for (const s of r) expect(s).toBeCloseTo(1, 5);
  });

  it('in the functional API with several inputs: summary, fit, and save/load give the same predictions', async () => {
    tg.manualSeed(5);
    const tokens = tg.input({ shape: [6], name: 'tokens' });
    const x = tg.layers.embedding({ inputDim: 12, outputDim: 8, maskZero: true }).apply(tokens);
    const mha = tg.layers.multiHeadAttention({ numHeads: 2, keyDim: 4, name: 'mha' });
    const att = mha.apply([x, x]);
    const pooled = tg.layers.globalAveragePooling1d().apply(att);
    const out = tg.layers.dense({ units: 1, activation: 'sigmoid' }).apply(pooled);
    const model = tg.model({ inputs: tokens, outputs: out });
    // Keras: 3 × (8·2·4 + 8) + (2·4·8 + 8) = 288
    expect(model.summary()).toMatch(/mha \(MultiHeadAttention\)\s+\(None, 6, 8\)\s+288\s+embedding\[0\]\[0\], embedding\[0\]\[0\]/);
    const ids = tg.tensor([[1, 5, 3, 0, 0, 0], [2, 2, 7, 9, 11, 4], [6, 0, 0, 0, 0, 0]]);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await model.fit(ids, [1, 0, 1], { epochs: 2, batchSize: 3, verbose: 0 });
    const back = tg.fromBytes(model.toBytes());
    expect(back.predict(ids).toArray()).toEqual(model.predict(ids).toArray());
  });

  it('cross-attention over three inputs saves and loads', () => {
    const q = tg.input({ shape: [3, 4], name: 'q' });
    const v = tg.input({ shape: [5, 2], name: 'v' });
    const k = tg.input({ shape: [5, 6], name: 'k' });
    const y = tg.layers.multiHeadAttention({ numHeads: 2, keyDim: 3 }).apply([q, v, k]);
    const model = tg.model({ inputs: [q, v, k], outputs: y });
    const xs = [tg.randn([2, 3, 4]), tg.randn([2, 5, 2]), tg.randn([2, 5, 6])];
    const back = tg.fromBytes(model.toBytes());
    expect(back.predict(xs).toArray()).toEqual(model.predict(xs).toArray());
  });

  it('errors name the layer and the shapes', () => {
    const mha = tg.layers.multiHeadAttention({ numHeads: 2, keyDim: 2 });
    const a = tg.input({ shape: [4, 3] });
    expect(() => mha.apply(a)).toThrow(/multi_head_attention \(MultiHeadAttention\): takes \[query, value\] or \[query, value, key\], got 1 input\(s\) \[4,3\]/);
    expect(() => mha.apply([a, tg.input({ shape: [3] })])).toThrow(/value must be \[batch, steps, features\], got rows of shape \[3\]/);
    expect(() => mha.apply([a, tg.input({ shape: [4, 3] }), tg.input({ shape: [5, 3] })])).toThrow(/key and value must have the same number of steps, got key \[5,3\] and value \[4,3\]/);
    const x = tg.randn([2, 4, 3]);
    expect(() => mha.attend(x, x, { attentionMask: tg.ones([2, 4, 5]) })).toThrow(/attentionMask must be \[batch, L, S\] = \[2,4,4\] \(or \[L, S\]\), got \[2,4,5\]/);
    expect(() => mha.call(x)).toThrow(/needs a value tensor/);
    expect(() => tg.layers.multiHeadAttention({ numHeads: 0, keyDim: 2 })).toThrow(/multiHeadAttention: numHeads must be a positive integer, got 0/);
  });
});
