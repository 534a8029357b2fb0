// Tensor.dispose / tg.dispose (TF.js's names): use after dispose throws, an array goes back to the caching allocator
// only when nothing else can see it (views, the caller's memory, a pending backward, parameters), and Keras fit
// gives back what its loop made, so a warm epoch makes no new arrays and trains bitwise as before.

import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../src/index.js';

const F = tg.nn.functional;

afterEach(() => tg.setCacheLimit(256 * 1024 * 1024));

/** Takes every free array of `n` float32 elements out of the cache and writes 7s into it (a reuse would show). */
function scribble(shape: number[], times = 4): tg.Tensor[] {
  return Array.from({ length: times }, () => tg.full(shape, 7));
}

describe('Tensor.dispose', () => {
  it('makes every later use throw an Error naming the op; dispose twice is a no-op', () => {
    const t = tg.randn([2, 3], { generator: new tg.Generator(1) });
    expect(t.isDisposed).toBe(false);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(t.shape).toEqual([2, 3]); // metadata stays readable, as in TF.js
    expect(() => t.add(1)).toThrow(/^add: this float32 tensor of shape \[2,3\] was disposed/);
    expect(() => tg.ones([3, 2]).matmul(t.mT)).toThrow(/was disposed/);
    expect(() => tg.ones([4, 2]).matmul(t)).toThrow(/^matmul: .*was disposed/);
    expect(() => t.item()).toThrow(/^item: .*disposed/);
    expect(() => t.toArray()).toThrow(/^toArray: .*disposed/);
    expect(() => t.dataSync()).toThrow(/^dataSync: .*disposed/);
    expect(() => t.detach()).toThrow(/^detach: .*disposed/);
    expect(() => t.gt(0)).toThrow(/^gt: .*disposed/);
    expect(() => t.argmax()).toThrow(/^argmax: .*disposed/);
    expect(String(t)).toMatch(/disposed/);
    const w = tg.randn([3], { requiresGrad: true, generator: new tg.Generator(2) });
    const loss = w.square().sum();
    loss.dispose();
    expect(() => loss.backward()).toThrow(/^backward: .*disposed/);
    const v = tg.randn([3], { requiresGrad: true, generator: new tg.Generator(2) });
    const l2 = v.square().sum();
    v.dispose();
    expect(() => tg.grad(l2, [v])).toThrow(/^grad: .*disposed/);
  });

  it('recycles a lone result: the next tensor of its size reuses the array', () => {
    const t = tg.randn([5, 7], { generator: new tg.Generator(3) });
    const { releases, reuses } = tg.cacheStats();
    t.dispose();
    expect(tg.cacheStats().releases).toBe(releases + 1);
    tg.zeros([5, 7]);
    expect(tg.cacheStats().reuses).toBe(reuses + 1);
  });

  it('leaves an array a view shares: the views still read the right values', () => {
    const a = tg.randn([4, 6], { generator: new tg.Generator(4) });
    const want = a.toArray();
    const views = [a.reshape([6, 4]), a.transpose(0, 1), a.slice(1, 2, 5), a.detach(), a.unsqueeze(0).expand([2, 4, 6])];
    const wantViews = views.map((v) => v.toArray());
    const { releases } = tg.cacheStats();
    a.dispose();
    expect(tg.cacheStats().releases).toBe(releases);
    scribble([4, 6]);
    views.forEach((v, i) => expect(v.toArray()).toEqual(wantViews[i]));
    expect(views[3].toArray()).toEqual(want);
    // and the other way round: disposing a view leaves the base alone
    const b = tg.randn([3, 3], { generator: new tg.Generator(5) });
    const bWant = b.toArray();
    b.mT.dispose();
    scribble([3, 3]);
    expect(b.toArray()).toEqual(bWant);
  });

  it('never recycles the caller\'s memory (a wrapped typed array, or one dataSync handed out)', () => {
    const mem = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = new tg.Tensor(new tg.NDArray(mem, [2, 3]));
    const { releases } = tg.cacheStats();
    t.dispose();
    const synced = tg.randn([2, 3], { generator: new tg.Generator(6) }).dataSync();
    const copy = Float32Array.from(synced);
    new tg.Tensor(new tg.NDArray(synced, [2, 3])).dispose();
    expect(tg.cacheStats().releases).toBe(releases);
    scribble([2, 3]);
    expect(Array.from(mem)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(synced).toEqual(copy);
  });

  it('dispose before backward does not change the gradients (the graph keeps what it saved)', () => {
    const grads = (early: boolean) => {
      const g = new tg.Generator(7);
      const x = tg.randn([6, 5], { generator: g });
      const w = tg.randn([5, 4], { requiresGrad: true, generator: g });
      const h = x.matmul(w);
      const r = h.relu();
      const e = r.mul(h.tanh());
      const loss = e.logSoftmax(1).square().mean();
      if (early) {
        tg.dispose([x, h, r, e]);
        expect(() => r.sum()).toThrow(/^sum: .*disposed/);
        scribble([6, 4], 8); // anything wrongly recycled would now hold 7s
        scribble([6, 5], 4);
      }
      loss.backward();
      return w.grad!.toArray();
    };
    expect(grads(true)).toEqual(grads(false));
  });

  it('backward recycles what the caller disposed once it frees the graph', () => {
    const releasesOfBackward = (early: boolean) => {
      const w = tg.randn([9, 13], { requiresGrad: true, generator: new tg.Generator(8) });
      const h = w.mul(3).sin(); // saved by square's node as its input
      const loss = h.square().sum();
      const before = tg.cacheStats().releases;
      if (early) h.dispose();
      expect(tg.cacheStats().releases).toBe(before); // not yet: the graph keeps h
      loss.backward();
      return tg.cacheStats().releases - before;
    };
    expect(releasesOfBackward(true)).toBe(releasesOfBackward(false) + 1);
  });

  it('marks a parameter disposed but never recycles it (the module and the optimizer still hold it)', () => {
    const lin = new tg.nn.Linear(3, 2, { generator: new tg.Generator(9) });
    const want = lin.weight.toArray();
    const { releases } = tg.cacheStats();
    lin.weight.dispose();
    expect(lin.weight.isDisposed).toBe(true);
    expect(tg.cacheStats().releases).toBe(releases);
    expect(() => lin.call(tg.ones([1, 3]))).toThrow(/was disposed/);
    scribble([2, 3]);
    expect(lin.weight.value.toArray()).toEqual(want);
  });

  it('tg.dispose walks arrays and plain objects', () => {
    const a = tg.ones([2]), b = tg.zeros([3]), c = tg.ones([1]);
    tg.dispose({ a, rest: [b, { c }, 1, 'x', null] });
    expect([a, b, c].map((t) => t.isDisposed)).toEqual([true, true, true]);
    tg.dispose(a); // again: nothing happens
  });

  it('a PyTorch-style step that disposes its output and loss makes no new arrays once warm, with the same losses', () => {
    const run = (release: boolean) => {
      const g = new tg.Generator(10);
      const model = new tg.nn.Sequential(new tg.nn.Linear(12, 16, { generator: g }), new tg.nn.ReLU(), new tg.nn.Linear(16, 4, { generator: g }));
      const opt = new tg.optim.Adam(model.parameters(), { lr: 0.01 });
      const x = tg.randn([8, 12], { generator: g });
      const labels = Int32Array.from({ length: 8 }, (_, i) => i % 4);
      const losses: number[] = [];
      let made = 0;
      for (let i = 0; i < 12; i++) {
        const a0 = tg.cacheStats().allocations;
        opt.zeroGrad();
        const out = model.call(x);
        const loss = F.crossEntropy(out, labels);
        loss.backward();
        opt.step();
        losses.push(loss.item());
        if (release) tg.dispose([out, loss]);
        if (i >= 4) made += tg.cacheStats().allocations - a0;
      }
      return { losses, made };
    };
    const kept = run(false), freed = run(true);
    expect(freed.made).toBe(0);
    expect(kept.made).toBeGreaterThan(0); // the output and the loss each step
    expect(freed.losses).toEqual(kept.losses);
  });
});

describe('Keras loops give back what they made', () => {
  const data = (n: number) => {
    const g = new tg.Generator(11);
    const x = tg.randn([n, 10], { generator: g });
    const y = tg.tensor(Float32Array.from({ length: n }, (_, i) => (i * 7) % 3));
    return { x, y };
  };
  const build = () => {
    const dense = (units: number, activation: 'relu' | 'tanh' | 'linear', inputShape?: number[]) =>
      tg.layers.dense({ units, activation, ...(inputShape ? { inputShape } : {}), generator: new tg.Generator(12) });
    const model = tg.sequential([dense(16, 'relu', [10]), dense(8, 'tanh'), dense(3, 'linear')]);
    model.compile({ optimizer: 'adam', loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true }, metrics: ['accuracy'] });
    return model;
  };

  it('a warm fit epoch (shuffled, with a validation split and a metric) makes no new arrays', async () => {
    const model = build();
    const { x, y } = data(80);
    const perEpoch: number[] = [];
    let a0 = 0;
    await model.fit(x, y, {
      epochs: 4, batchSize: 16, seed: 1, verbose: 0, validationSplit: 0.2,
      callbacks: {
        onEpochBegin() { a0 = tg.cacheStats().allocations; },
        onEpochEnd() { perEpoch.push(tg.cacheStats().allocations - a0); },
      },
    });
    expect(perEpoch[0]).toBeGreaterThan(0); // the first epoch fills the cache
    expect(perEpoch.slice(2)).toEqual([0, 0]);
  });

  it('fit trains bitwise the same whether or not the arrays it gives back are reused', async () => {
    const train = async (cache: boolean) => {
      tg.setCacheLimit(cache ? 256 * 1024 * 1024 : 0);
      const model = build();
      const { x, y } = data(64);
      const h = await model.fit(x, y, { epochs: 3, batchSize: 16, seed: 2, verbose: 0, validationSplit: 0.25 });
      const weights = model.parameters().map((p) => Array.from(p.value.values()));
      const evalLogs = model.evaluate(x, y, { batchSize: 16 });
      const pred = model.predict(x, { batchSize: 16 }) as tg.Tensor;
      return { history: h.history, weights, evalLogs, pred: pred.toArray() };
    };
    const off = await train(false);
    const on = await train(true);
    expect(on).toEqual(off);
  });

  it('predict never disposes what it returns, and a batch hook keeps the batches it saw', async () => {
    const model = build();
    const { x, y } = data(40);
    const many = model.predict(x, { batchSize: 16 }) as tg.Tensor; // three batches, concatenated
    const one = model.predict(x, { batchSize: 64 }) as tg.Tensor; // one batch: the model's own output
    expect(many.isDisposed || one.isDisposed).toBe(false);
    expect(many.toArray()).toEqual(one.toArray());
    const seen: tg.Tensor[] = [];
    await model.fit(x, y, {
      epochs: 1, batchSize: 16, shuffle: false, verbose: 0,
      callbacks: { onTrainBatchData(_b, d) { seen.push(d.x); return d; } },
    });
    expect(seen.some((t) => t.isDisposed)).toBe(false);
    expect(seen[0].toArray()).toEqual(x.slice(0, 0, 16).toArray());
  });
});
