// tg.data.transforms and tg.callbacks.augment: seeded per-image random transforms, Compose, the DataLoader's
// transform option, augmentation active in fit() only, and the errors for bad options and layouts.
import { describe, expect, test } from 'vitest';
import * as tg from 'tapegrad';

const T = tg.data.transforms;

describe('transforms', () => {
  const x = tg.rand([4, 6, 6], { generator: new tg.Generator(0) });

  test('same generator seed, same batch; each image draws its own parameters', () => {
    const t = new T.RandomAffine({ degrees: 30, translate: [0.2, 0.2] });
    const a = t.apply(x, new tg.Generator(5));
    expect(Array.from(t.apply(x, new tg.Generator(5)).dataSync())).toEqual(Array.from(a.dataSync()));
    // the same image twice in a batch comes out differently
    const twice = tg.concat([x.slice(0, 0, 1), x.slice(0, 0, 1)], 0);
    const out = t.apply(twice, new tg.Generator(1));
    expect(out.slice(0, 0, 1).sub(out.slice(0, 1, 2)).abs().max().item()).toBeGreaterThan(0);
  });

  test('RandomRotation by exactly 90° with nearest sampling permutes the pixels; flips with p = 1 mirror', () => {
    const r = new T.RandomRotation({ degrees: [90, 90], interpolation: 'nearest' }).apply(x, new tg.Generator(0));
    // counter-clockwise: the right column becomes the top row
    const img = x.slice(0, 0, 1).reshape([6, 6]).toArray() as number[][];
    const rot = r.slice(0, 0, 1).reshape([6, 6]).toArray() as number[][];
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(rot[i][j]).toBe(img[j][5 - i]);
    const f = new T.RandomHorizontalFlip({ p: 1 }).apply(x, new tg.Generator(0));
    expect((f.slice(0, 0, 1).reshape([6, 6]).toArray() as number[][])[2]).toEqual([...img[2]].reverse());
    expect(Array.from(new T.RandomHorizontalFlip({ p: 0 }).apply(x, new tg.Generator(0)).dataSync())).toEqual(Array.from(x.dataSync()));
  });

  test('fill modes: reflect and wrap bring in image content where constant brings fillValue', () => {
    const shiftBy = (fillMode: 'constant' | 'reflect' | 'wrap' | 'nearest') =>
      new T.RandomAffine({ translate: [0, 0.5], fillMode, fillValue: -1, interpolation: 'nearest' }).apply(x, new tg.Generator(2));
    expect(shiftBy('constant').min().item()).toBe(-1);
    for (const mode of ['reflect', 'wrap', 'nearest'] as const) expect(shiftBy(mode).min().item()).toBeGreaterThanOrEqual(0);
  });

  test('Compose applies in order; GaussianNoise adds σ-noise', () => {
    const flat = tg.full([50, 100], 0.5);
    const c = new T.Compose([new T.GaussianNoise({ sigma: 0.1 }), new T.RandomHorizontalFlip({ imageShape: [10, 10] })]);
    const out = c.apply(flat, new tg.Generator(3));
    expect(out.shape).toEqual([50, 100]);
    expect(out.sub(0.5).std().item()).toBeCloseTo(0.1, 2);
  });

  test('DataLoader applies its transform to each batch from its seeded generator', () => {
    const y = tg.tensor([0, 1, 2, 3]);
    const mk = () => new tg.data.DataLoader({ x, y }, { batchSize: 2, transform: new T.RandomRotation({ degrees: 45 }), seed: 9 });
    const a = [...mk()];
    const b = [...mk()];
    expect(Array.from(a[1].x.dataSync())).toEqual(Array.from(b[1].x.dataSync()));
    expect(a[0].x.sub(x.slice(0, 0, 2)).abs().max().item()).toBeGreaterThan(0);
    expect(Array.from(a[1].y!.dataSync())).toEqual([2, 3]);
  });

  test('bad options and layouts', () => {
    expect(() => new T.RandomAffine({ degrees: -5 })).toThrow(/RandomAffine: degrees must be ≥ 0, got -5/);
    expect(() => new T.RandomAffine({ translate: [2, 0] })).toThrow(/translate must be \[fy, fx\] fractions in \[0, 1\]/);
    expect(() => new T.RandomAffine({ fillMode: 'mirror' as 'reflect' })).toThrow(/fillMode must be 'constant', 'reflect', 'wrap' or 'nearest'/);
    expect(() => new T.RandomRotation({ degrees: 10, angle: 3 } as never)).toThrow(/unknown option "angle"/);
    expect(() => new T.RandomRotation({ degrees: 10 }).apply(tg.rand([4, 36]), new tg.Generator(0))).toThrow(/RandomRotation: expected images .*got shape \[4,36\]; for flat rows pass imageShape/);
    expect(() => new T.Compose([{} as tg.data.transforms.Transform])).toThrow(/Compose: expected an array of transforms/);
    expect(() => new tg.data.DataLoader({ x }, { transform: (() => x) as never })).toThrow(/transform must be an object with apply/);
  });
});

describe('tg.callbacks.augment', () => {
  test('fit steps on transformed batches; evaluate and predict see the inputs untouched; seeded', async () => {
    const x = tg.rand([16, 16], { generator: new tg.Generator(1) });
    const y = tg.randint(0, 2, [16], { generator: new tg.Generator(2) });
    const run = async () => {
      tg.manualSeed(0);
      const net = tg.sequential([tg.layers.dense({ units: 2, activation: 'softmax', inputShape: [16] })]);
      net.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      const seen: tg.Tensor[] = [];
      await net.fit(x, y, {
        epochs: 1, batchSize: 16, shuffle: false, verbose: 0,
        callbacks: [tg.callbacks.augment(new T.RandomRotation({ degrees: 90, imageShape: [4, 4] }), { seed: 3 }), { onTrainBatchData: (_b, d) => { seen.push(d.x); } }],
      });
      return { net, seen };
    };
    const a = await run();
    const b = await run();
    expect(a.seen[0].sub(x).abs().max().item()).toBeGreaterThan(0);
    expect(Array.from(a.seen[0].dataSync())).toEqual(Array.from(b.seen[0].dataSync()));
    expect(Array.from(a.net.predict(x).dataSync())).toEqual(Array.from(b.net.predict(x).dataSync()));
    expect(() => tg.callbacks.augment({} as never)).toThrow(/augment: expected a transform/);
  });
});
