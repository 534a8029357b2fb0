// Keras' initial weights for the recurrent layers (kernel Glorot uniform, recurrent kernel orthogonal, bias
// zeros, an LSTM's forget-gate bias at 1) and tg.nn.init.orthogonal_ (torch.nn.init.orthogonal_) behind them.

import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';
import { describe, expect, it } from 'vitest';

/** max |a − b| over all elements. */
const maxDiff = (a: Tensor, b: Tensor): number => a.sub(b).abs().max().item();

/** The layer's parameters by name, after building it for `features` inputs. */
function weightsOf(layer: tg.layers.Layer, features: number): Map<string, Tensor> {
  layer.build([7, features]);
  return new Map(layer.namedParameters());
}

describe('tg.nn.init.orthogonal_', () => {
  it.each([[3, 5], [5, 3], [4, 4], [1, 6], [6, 1]])('gives a [%i, %i] matrix orthonormal rows or columns, whichever are fewer', (r, c) => {
    tg.manualSeed(1);
    const w = tg.nn.init.orthogonal_(tg.zeros([r, c], { dtype: 'float64' }));
    const gram = r <= c ? w.matmul(w.t()) : w.t().matmul(w);
    expect(maxDiff(gram, tg.eye(Math.min(r, c), Math.min(r, c), { dtype: 'float64' }))).toBeLessThan(1e-12);
  });

  it('views more dims as [shape[0], rest], scales by gain, and fills a view through its strides', () => {
    const w = tg.nn.init.orthogonal_(tg.zeros([2, 3, 4], { dtype: 'float64' }), { gain: 2, generator: new tg.Generator(3) });
    const m = w.reshape([2, 12]);
    expect(maxDiff(m.matmul(m.t()), tg.eye(2, 2, { dtype: 'float64' }).mul(4))).toBeLessThan(1e-12);
    const base = tg.zeros([4, 3], { dtype: 'float64' });
    tg.nn.init.orthogonal_(base.t(), { generator: new tg.Generator(3) }); // a [3, 4] view of [4, 3] storage
    expect(maxDiff(base.t().matmul(base), tg.eye(3, 3, { dtype: 'float64' }))).toBeLessThan(1e-12);
  });

  it('is seeded, and float32 is orthogonal to float32 precision', () => {
    const a = tg.nn.init.orthogonal_(tg.zeros([8, 8]), { generator: new tg.Generator(5) });
    const b = tg.nn.init.orthogonal_(tg.zeros([8, 8]), { generator: new tg.Generator(5) });
    const c = tg.nn.init.orthogonal_(tg.zeros([8, 8]), { generator: new tg.Generator(6) });
    expect(a.toArray()).toEqual(b.toArray());
    expect(maxDiff(a, c)).toBeGreaterThan(0.1);
    expect(maxDiff(a.matmul(a.t()), tg.eye(8))).toBeLessThan(1e-5);
  });

  it('refuses fewer than 2 dims and unknown options, naming itself', () => {
    expect(() => tg.nn.init.orthogonal_(tg.zeros([4]))).toThrow(/orthogonal_: .*2 or more dimensions.*\[4\]/);
    expect(() => tg.nn.init.orthogonal_(tg.zeros([2, 2]), { gian: 2 } as never)).toThrow(/orthogonal_/);
  });
});

describe("Keras recurrent layers start from Keras' initial weights", () => {
  const f = 6, u = 4;

  it('lstm: Glorot-uniform kernel, orthogonal recurrent kernel, zero bias with the forget block at 1', () => {
    tg.manualSeed(0);
    const w = weightsOf(tg.layers.lstm({ units: u }), f);
    const kernel = w.get('kernel')!, rec = w.get('recurrent_kernel')!, bias = w.get('bias')!;
    const limit = Math.sqrt(6 / (f + 4 * u));
    expect(kernel.abs().max().item()).toBeLessThanOrEqual(limit);
    expect(kernel.abs().max().item()).toBeGreaterThan(limit / 2); // drawn over the range, not a small constant
    expect(maxDiff(rec.matmul(rec.t()), tg.eye(u))).toBeLessThan(1e-5); // [u, 4u]: orthonormal rows
    expect(Array.from(bias.toArray() as number[])).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('unitForgetBias false, and other initializers by name, are honoured and saved in the config', () => {
    tg.manualSeed(0);
    const layer = tg.layers.lstm({ units: u, unitForgetBias: false, kernelInitializer: 'zeros', recurrentInitializer: 'glorotUniform', biasInitializer: 'ones' });
    const w = weightsOf(layer, f);
    expect(w.get('kernel')!.abs().max().item()).toBe(0);
    expect(w.get('bias')!.min().item()).toBe(1);
    expect(maxDiff(w.get('recurrent_kernel')!.matmul(w.get('recurrent_kernel')!.t()), tg.eye(u))).toBeGreaterThan(0.05);
    const cfg = layer.getConfig();
    expect(cfg).toMatchObject({ kernelInitializer: 'zeros', recurrentInitializer: 'glorotUniform', biasInitializer: 'ones', unitForgetBias: false });
    expect(tg.layers.gru({ units: u }).getConfig()).toMatchObject({ kernelInitializer: 'glorotUniform', recurrentInitializer: 'orthogonal', biasInitializer: 'zeros' });
  });

  it('gru and simpleRNN: zero biases (GRU [2, 3u]), orthogonal recurrent kernels', () => {
    tg.manualSeed(0);
    const g = weightsOf(tg.layers.gru({ units: u }), f);
    expect(g.get('bias')!.shape).toEqual([2, 3 * u]);
    expect(g.get('bias')!.abs().max().item()).toBe(0);
    expect(maxDiff(g.get('recurrent_kernel')!.matmul(g.get('recurrent_kernel')!.t()), tg.eye(u))).toBeLessThan(1e-5);
    const s = weightsOf(tg.layers.simpleRNN({ units: u }), f);
    const r = s.get('recurrent_kernel')!; // [u, u]: orthogonal both ways
    expect(maxDiff(r.matmul(r.t()), tg.eye(u))).toBeLessThan(1e-5);
    expect(maxDiff(r.t().matmul(r), tg.eye(u))).toBeLessThan(1e-5);
    expect(s.get('bias')!.abs().max().item()).toBe(0);
  });

  it("bidirectional: each direction drawn on its own, both Keras'", () => {
    tg.manualSeed(0);
    const w = weightsOf(tg.layers.bidirectional({ layer: tg.layers.lstm({ units: u }) }), f);
    const fwd = w.get('recurrent_kernel')!, bwd = w.get('recurrent_kernel_reverse')!;
    for (const r of [fwd, bwd]) expect(maxDiff(r.matmul(r.t()), tg.eye(u))).toBeLessThan(1e-5);
    expect(maxDiff(fwd, bwd)).toBeGreaterThan(0.05);
    expect(Array.from(w.get('bias_reverse')!.toArray() as number[]).slice(u, 2 * u)).toEqual([1, 1, 1, 1]);
  });

  it('an unknown initializer name is refused, naming the layer and the field', () => {
    expect(() => tg.layers.lstm({ units: u, recurrentInitializer: 'orthonormal' as never })).toThrow(/lstm.*recurrentInitializer|recurrentInitializer.*orthonormal/i);
  });

  it('a model with the new defaults trains, saves and loads with the same predictions', async () => {
    tg.manualSeed(2);
    const model = tg.sequential([tg.layers.lstm({ units: 5, inputShape: [4, 3] }), tg.layers.dense({ units: 1, activation: 'sigmoid' })]);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const x = tg.randn([16, 4, 3]);
    const y = x.sum([1, 2]).gt(0).float().reshape([16, 1]);
    const h = await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    expect(h.history.loss.every((l) => Number.isFinite(l))).toBe(true);
    const back = await tg.fromBytes(model.toBytes());
    expect(maxDiff(back.predict(x) as Tensor, model.predict(x) as Tensor)).toBe(0);
  });
});
