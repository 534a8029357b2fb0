// Recurrent layers beyond the PyTorch fixtures: names, layouts, variable lengths, padSequence, long
// sequences (1,000 steps forward and backward, no stack overflow) and the errors bad input gets.

import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';

const nn = tg.nn;

describe('RNN, LSTM, GRU', () => {
  it("name parameters as PyTorch: weight_ih_l0, weight_hh_l0_reverse, bias_ih_l1, ...", () => {
    const gru = new nn.GRU(3, 4, { numLayers: 2, bidirectional: true });
    expect(gru.namedParameters().map(([k, p]) => `${k} ${p.shape.join('x')}`)).toEqual([
      'weight_ih_l0 12x3', 'weight_hh_l0 12x4', 'bias_ih_l0 12', 'bias_hh_l0 12',
      'weight_ih_l0_reverse 12x3', 'weight_hh_l0_reverse 12x4', 'bias_ih_l0_reverse 12', 'bias_hh_l0_reverse 12',
      'weight_ih_l1 12x8', 'weight_hh_l1 12x4', 'bias_ih_l1 12', 'bias_hh_l1 12',
      'weight_ih_l1_reverse 12x8', 'weight_hh_l1_reverse 12x4', 'bias_ih_l1_reverse 12', 'bias_hh_l1_reverse 12',
    ]);
    expect(new nn.LSTM(2, 3, { bias: false }).namedParameters().map(([k]) => k)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    for (const p of new nn.RNN(2, 16).parameters()) for (const v of p.value.data) expect(Math.abs(v)).toBeLessThanOrEqual(0.25);
  });
  it('a padded batch with lengths gives each sequence what it gives alone', () => {
    const lstm = new nn.LSTM(2, 3, { batchFirst: true, bidirectional: true, dtype: 'float64' });
    const a = tg.randn([4, 2], { dtype: 'float64' });
    const b = tg.randn([2, 2], { dtype: 'float64' });
    const batch = nn.padSequence([a, b], { batchFirst: true });
    expect(batch.shape).toEqual([2, 4, 2]);
    const [out, [h]] = lstm.call(batch, null, { lengths: [4, 2] });
    const [outB, [hB]] = lstm.call(b.unsqueeze(0));
    const row1 = (out.toArray() as number[][][])[1];
    (outB.toArray() as number[][][])[0].forEach((r, t) => r.forEach((v, j) => expect(row1[t][j]).toBeCloseTo(v, 12)));
    expect(row1.slice(2).flat()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const hs = h.toArray() as number[][][];
    const hsB = hB.toArray() as number[][][];
    for (const d of [0, 1]) hsB[d][0].forEach((v, j) => expect(hs[d][1][j]).toBeCloseTo(v, 12));
  });
  it('dropout between layers acts in training mode only', () => {
    const gru = new nn.GRU(3, 8, { numLayers: 2, dropout: 0.5 });
    const x = tg.randn([5, 2, 3]);
    gru.eval();
    expect(gru.call(x)[0].toArray()).toEqual(gru.call(x)[0].toArray());
    gru.train();
    expect(gru.call(x)[0].toArray()).not.toEqual(gru.call(x)[0].toArray());
  });
  it('runs 1,000 LSTM steps forward and backward without a stack overflow', () => {
    const lstm = new nn.LSTM(2, 3);
    const x = tg.randn([1000, 1, 2], { requiresGrad: true });
    const [out] = lstm.call(x);
    out.sum().backward();
    expect(x.grad!.shape).toEqual([1000, 1, 2]);
    expect(x.grad!.isFinite().sum().item()).toBe(2000);
    expect(lstm.parameters().every((p) => p.grad !== null)).toBe(true);
  });
  it('bad input gets errors naming the layer and the shapes', () => {
    const lstm = new nn.LSTM(3, 4, { batchFirst: true });
    expect(() => lstm.call(tg.zeros([2, 5, 2]))).toThrow(/^LSTM\(inputSize=3, hiddenSize=4\): expected input \[batch, L, inputSize\] or \[L, inputSize\] with inputSize 3, got \[2,5,2\]/);
    expect(() => lstm.call(tg.zeros([2, 0, 3]))).toThrow(/sequences of length 0 cannot be run, got input \[2,0,3\]/);
    expect(() => lstm.call(tg.zeros([2, 5, 3]), [tg.zeros([1, 3, 4]), tg.zeros([1, 2, 4])])).toThrow(/expected h0 of shape \[1,2,4\] \(layers·directions, batch, hidden\), got \[1,3,4\]/);
    expect(() => lstm.call(tg.zeros([2, 5, 3]), null, { lengths: [5, 6] })).toThrow(/lengths\[1\] = 6 must be an integer in \[1, 5\]/);
    expect(() => lstm.call(tg.zeros([2, 5, 3]), null, { lengths: [5] })).toThrow(/got 1 lengths for a batch of 2/);
    expect(() => new nn.RNN(3, 4, { nonlinearity: 'sigmoid' as never })).toThrow(/RNN: nonlinearity must be 'tanh' or 'relu'/);
    expect(() => new nn.GRUCell(3, 4).call(tg.zeros([2, 4]))).toThrow(/^GRUCell\(3, 4\): expected input \[batch, 3\] or \[3\], got \[2,4\]/);
  });
});
