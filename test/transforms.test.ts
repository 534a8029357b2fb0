// tg.data.transforms and tg.callbacks.augment: seeded per-image random transforms, Compose, the DataLoader's
// transform option, augmentation active in fit() only, and the errors for bad options and layouts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

describe('RandomApply', () => {
  test('transforms each image with probability p and leaves the others untouched; seeded', () => {
    const x = tg.rand([40, 6, 6], { generator: new tg.Generator(8) }).add(0.5);
    const t = new T.RandomApply(new T.RandomAffine({ translate: [0.3, 0.3], interpolation: 'nearest' }), { p: 0.5 });
    const y = t.apply(x, new tg.Generator(4));
    expect(Array.from(t.apply(x, new tg.Generator(4)).dataSync())).toEqual(Array.from(y.dataSync()));
    let kept = 0;
    for (let i = 0; i < 40; i++) if (y.slice(0, i, i + 1).sub(x.slice(0, i, i + 1)).abs().max().item() === 0) kept++;
    expect(kept).toBeGreaterThan(5);
    expect(kept).toBeLessThan(35);
    expect(new T.RandomApply([new T.GaussianNoise({ sigma: 1 })], { p: 0 }).apply(x, new tg.Generator(0))).toBe(x);
    expect(() => new T.RandomApply(new T.RandomCrop({ size: 3 }), { p: 1 }).apply(x, new tg.Generator(0))).toThrow(/RandomApply: the transform changed the shape from \[40,6,6\] to \[40,3,3\]/);
    expect(() => new T.RandomApply([], { p: 2 })).toThrow(/p must be in \[0, 1\], got 2/);
  });
});

describe('RandomCrop and ColorJitter', () => {
  const ref = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'transforms', 'reference.json'), 'utf8'));

  test('RandomCrop pads as numpy.pad does (constant, edge, reflect, symmetric), channels last and first', () => {
    const { image, padding, fill } = ref.padding;
    const x = tg.tensor([image]); // [1, 3, 4]
    for (const mode of ['constant', 'edge', 'reflect', 'symmetric'] as const) {
      const expected: number[][] = ref.padding[mode];
      // a crop of the padded size has one position: the padded image itself
      const out = new T.RandomCrop({ size: [6, 9], padding, fill, paddingMode: mode }).apply(x, new tg.Generator(0));
      expect(out.shape).toEqual([1, 6, 9]);
      const got = out.reshape([6, 9]).toArray() as number[][];
      got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 6)));
      // two channels, first and last: each channel padded the same way
      const two = tg.stack([x.squeeze(0), x.squeeze(0).mul(2)], 0).unsqueeze(0); // [1, 2, 3, 4]
      const first = new T.RandomCrop({ size: [6, 9], padding, fill, paddingMode: mode, dataFormat: 'channelsFirst' }).apply(two, new tg.Generator(0));
      expect(first.shape).toEqual([1, 2, 6, 9]);
      expect(first.slice(1, 0, 1).reshape([6, 9]).sub(out.reshape([6, 9])).abs().max().item()).toBeLessThan(1e-6);
      const last = new T.RandomCrop({ size: [6, 9], padding, fill, paddingMode: mode }).apply(two.permute([0, 2, 3, 1]), new tg.Generator(0));
      expect(last.permute([0, 3, 1, 2]).sub(first).abs().max().item()).toBeLessThan(1e-6);
    }
  });

  test('RandomCrop with padding p and the image size moves each image by at most p pixels, seeded; flat rows keep imageShape', () => {
    const x = tg.rand([10, 6, 7], { generator: new tg.Generator(4) }).add(1); // no zeros in the image
    const t = new T.RandomCrop({ size: [6, 7], padding: 2 });
    const y = t.apply(x, new tg.Generator(9));
    expect(Array.from(t.apply(x, new tg.Generator(9)).dataSync())).toEqual(Array.from(y.dataSync()));
    const xs = x.toArray() as number[][][];
    const ys = y.toArray() as number[][][];
    const shifts = new Set<string>();
    ys.forEach((img, n) => {
      // find the shift (dy, dx) in [−2, 2]² that explains the image: moved content, zeros brought in
      const found = [-2, -1, 0, 1, 2].flatMap((dy) => [-2, -1, 0, 1, 2].map((dx) => [dy, dx])).filter(([dy, dx]) =>
        img.every((row, i) => row.every((v, j) => {
          const si = i + dy, sj = j + dx;
          return v === (si >= 0 && si < 6 && sj >= 0 && sj < 7 ? xs[n][si][sj] : 0);
        })));
      expect(found.length).toBe(1);
      shifts.add(found[0].join(','));
    });
    expect(shifts.size).toBeGreaterThan(1);
    const flat = new T.RandomCrop({ size: 4, imageShape: [6, 7] }).apply(x.reshape([10, 42]), new tg.Generator(1));
    expect(flat.shape).toEqual([10, 16]);
    expect(() => new T.RandomCrop({ size: 9 }).apply(x, new tg.Generator(0))).toThrow(/RandomCrop: a 9×9 crop does not fit in 6×7 images padded to 6×7; pad more or pass padIfNeeded: true/);
    expect(new T.RandomCrop({ size: 9, padIfNeeded: true }).apply(x, new tg.Generator(0)).shape).toEqual([10, 9, 9]);
    expect(() => new T.RandomCrop({ size: 4, padding: 6, paddingMode: 'reflect' }).apply(x, new tg.Generator(0))).toThrow(/paddingMode 'reflect' needs padding smaller than the image/);
    expect(() => new T.RandomCrop({ size: 4, padding: -1 })).toThrow(/padding must be an integer ≥ 0/);
  });

  test('ColorJitter hue matches colorsys; saturation 0 gives the grey image; brightness and contrast on grey images', () => {
    const { pixels, shifts } = ref.hue;
    const rgb = tg.tensor([pixels]).reshape([1, 8, 1, 3]); // 8 × 1 RGB pixels, channels last
    for (const [shift, expected] of Object.entries(shifts) as [string, number[][]][]) {
      const h = Number(shift);
      const out = new T.ColorJitter({ hue: [h, h] }).apply(rgb, new tg.Generator(0)).reshape([8, 3]).toArray() as number[][];
      out.forEach((p, i) => p.forEach((v, c) => expect(v).toBeCloseTo(expected[i][c], 5)));
    }
    const grey = new T.ColorJitter({ saturation: [0, 0] }).apply(rgb, new tg.Generator(0)).reshape([8, 3]).toArray() as number[][];
    grey.forEach((p, i) => {
      const [r, g, b] = pixels[i];
      for (const v of p) expect(v).toBeCloseTo(0.299 * r + 0.587 * g + 0.114 * b, 5);
    });
    // grey images: brightness scales by one factor per image in [0.5, 1.5]; contrast keeps the mean, scales the spread
    const x = tg.rand([6, 5, 5], { generator: new tg.Generator(2) });
    const br = new T.ColorJitter({ brightness: 0.5 }).apply(x, new tg.Generator(3));
    const ratio = br.div(x);
    for (let i = 0; i < 6; i++) {
      const r = ratio.slice(0, i, i + 1);
      expect(r.max().item() - r.min().item()).toBeLessThan(1e-5);
      expect(r.max().item()).toBeLessThanOrEqual(1.5 + 1e-6);
      expect(r.min().item()).toBeGreaterThanOrEqual(0.5 - 1e-6);
    }
    const ct = new T.ColorJitter({ contrast: [0.3, 0.3] }).apply(x, new tg.Generator(3));
    for (let i = 0; i < 6; i++) {
      const [xi, ci] = [x.slice(0, i, i + 1), ct.slice(0, i, i + 1)];
      expect(ci.mean().item()).toBeCloseTo(xi.mean().item(), 5);
      expect(ci.sub(ci.mean()).sub(xi.sub(xi.mean()).mul(0.3)).abs().max().item()).toBeLessThan(1e-5);
    }
    const all = new T.ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 });
    expect(Array.from(all.apply(rgb, new tg.Generator(5)).dataSync())).toEqual(Array.from(all.apply(rgb, new tg.Generator(5)).dataSync()));
    expect(() => new T.ColorJitter({ hue: 0.1 }).apply(x, new tg.Generator(0))).toThrow(/ColorJitter: saturation and hue need RGB images \(3 channels\), got 1 channel/);
    expect(() => new T.ColorJitter({ hue: 0.7 })).toThrow(/hue must lie in \[−0.5, 0.5\]/);
    expect(() => new T.ColorJitter({ brightness: -1 })).toThrow(/brightness must be a finite number ≥ 0/);
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
