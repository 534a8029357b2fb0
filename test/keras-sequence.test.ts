// Keras-style sequence layers: embedding with maskZero, masks respected by globalAveragePooling1d and the
// recurrent layers, goBackwards, layerNormalization, and a small sequence model trained with fit().

import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';

describe('tg.layers sequence layers', () => {
  it('embedding + globalAveragePooling1d average only the unmasked steps', () => {
    const emb = tg.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true });
    const pool = tg.layers.globalAveragePooling1d();
    const ids = tg.tensor([[2, 5, 0, 0], [1, 1, 1, 3]]);
    const out = pool.call(emb.call(ids)).toArray() as number[][];
    const w = emb.stateDict().get('weight')!.toArray() as number[][];
    expect(out[0].map((v) => v.toFixed(5))).toEqual([0, 1, 2].map((j) => ((w[2][j] + w[5][j]) / 2).toFixed(5)));
    expect(out[1].map((v) => v.toFixed(5))).toEqual([0, 1, 2].map((j) => ((3 * w[1][j] + w[3][j]) / 4).toFixed(5)));
    expect(() => emb.call(tg.tensor([[6]]))).toThrow(/index 6 at position 0 of indices \[1,1\] is out of range; expected an integer in \[0, 6\)/);
  });
  it('an lstm after a masked embedding stops at each row\'s last real step', () => {
    tg.manualSeed(1);
    const emb = tg.layers.embedding({ inputDim: 5, outputDim: 3, maskZero: true });
    const rnn = tg.layers.lstm({ units: 4 });
    const padded = rnn.call(emb.call(tg.tensor([[1, 2, 0, 0], [3, 4, 1, 2]]))).toArray() as number[][];
    const alone = rnn.call(emb.call(tg.tensor([[1, 2]]))).toArray() as number[][];
    padded[0].forEach((v, j) => expect(v).toBeCloseTo(alone[0][j], 6));
    const seq = tg.layers.gru({ units: 2, returnSequences: true });
    expect(seq.call(emb.call(tg.tensor([[1, 2, 0]]))).shape).toEqual([1, 3, 2]);
  });
  it('goBackwards reads the sequence from the end', () => {
    const fwd = tg.layers.simpleRNN({ units: 3, dtype: 'float64' });
    const back = tg.layers.simpleRNN({ units: 3, goBackwards: true, dtype: 'float64' });
    const x = tg.randn([2, 4, 2], { dtype: 'float64' });
    fwd.build([4, 2]);
    back.build([4, 2]);
    back.loadStateDict(fwd.stateDict());
    expect(back.call(x).toArray()).toEqual(fwd.call(tg.flip(x, [1])).toArray());
  });
  it('layerNormalization normalises the last axis; bad epsilon is a config error', () => {
    const ln = tg.layers.layerNormalization({ epsilon: 1e-6, dtype: 'float64' });
    const y = ln.call(tg.randn([3, 5], { dtype: 'float64' }));
    for (const m of y.mean(-1).toArray() as number[]) expect(Math.abs(m)).toBeLessThan(1e-12);
    expect(() => tg.layers.layerNormalization({ epsilon: -1 })).toThrow(/layerNormalization: epsilon must be a positive number, got -1/);
  });
  it('a sequential model of embedding, lstm and dense learns whether a sequence holds token 3', async () => {
    const gen = new tg.Generator(7);
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 160; i++) {
      const len = 2 + gen.randint(0, 5);
      const row = Array.from({ length: 6 }, (_, t) => (t < len ? 1 + gen.randint(0, 4) : 0));
      rows.push(row);
      labels.push(row.includes(3) ? 1 : 0);
    }
    tg.manualSeed(3);
    const model = tg.sequential([
      tg.layers.embedding({ inputDim: 5, outputDim: 8, maskZero: true, inputShape: [6] }),
      tg.layers.lstm({ units: 12 }),
      tg.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    model.compile({ optimizer: { name: 'adam', learningRate: 0.02 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = tg.tensor(rows);
    await model.fit(x, labels, { epochs: 25, batchSize: 32, verbose: 0, seed: 1 });
    const acc = model.evaluate(x, labels).accuracy;
    expect(acc).toBeGreaterThan(0.9);
    const back = await tg.fromBytes(await model.toBytes());
    expect(back.predict(x).toArray()).toEqual(model.predict(x).toArray());
  });
});
