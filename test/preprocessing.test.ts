// Keras preprocessing layers: active in training (fit) and the identity in evaluate/predict, seeded,
// channels last and first, Keras' factor conventions (rotation in turns, zoom-out positive), crops, noise,
// inside a model that trains, saves and loads, and the errors for bad configs and layouts.
import { describe, expect, test } from 'vitest';
import * as tg from 'tapegrad';

const L = tg.layers;
const imgs = (n: number, h: number, w: number, c?: number, seed = 0) => tg.rand(c === undefined ? [n, h, w] : [n, h, w, c], { generator: new tg.Generator(seed) });
const same = (a: tg.Tensor, b: tg.Tensor) => expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));

describe('preprocessing layers', () => {
  test.each([
    ['randomFlip', () => L.randomFlip({ seed: 1 })],
    ['randomTranslation', () => L.randomTranslation({ heightFactor: 0.2, widthFactor: 0.2, seed: 1 })],
    ['randomRotation', () => L.randomRotation({ factor: 0.1, seed: 1 })],
    ['randomZoom', () => L.randomZoom({ heightFactor: 0.3, seed: 1 })],
    ['randomContrast', () => L.randomContrast({ factor: 0.5, seed: 1 })],
    ['randomBrightness', () => L.randomBrightness({ factor: 0.3, valueRange: [0, 1], seed: 1 })],
    ['gaussianNoise', () => L.gaussianNoise({ stddev: 0.2, seed: 1 })],
  ] as const)('%s: changes the batch in training, returns it untouched in eval; same seed, same batch', (_name, make) => {
    const x = imgs(6, 8, 8, 1);
    const a = make();
    a.train();
    const ya = a.forward(x);
    expect(ya.shape).toEqual(x.shape);
    expect(ya.sub(x).abs().max().item()).toBeGreaterThan(0);
    const b = make();
    b.train();
    same(b.forward(x), ya);
    a.eval();
    expect(a.forward(x)).toBe(x);
  });

  test('randomFlip horizontal: every image is itself or its mirror image', () => {
    const x = imgs(20, 3, 4);
    const f = L.randomFlip({ mode: 'horizontal', seed: 3 });
    f.train();
    const y = f.forward(x).toArray() as number[][][];
    const xs = x.toArray() as number[][][];
    let flipped = 0;
    y.forEach((img, i) => {
      const mirror = xs[i].map((row) => [...row].reverse());
      const isMirror = JSON.stringify(img) === JSON.stringify(mirror);
      expect(isMirror || JSON.stringify(img) === JSON.stringify(xs[i])).toBe(true);
      if (isMirror) flipped++;
    });
    expect(flipped).toBeGreaterThan(3);
    expect(flipped).toBeLessThan(17);
  });

  test('channels first gives the channels-last result, transposed', () => {
    const x = imgs(3, 6, 5, 2);
    const a = L.randomRotation({ factor: 0.2, seed: 5 });
    const b = L.randomRotation({ factor: 0.2, seed: 5, dataFormat: 'channelsFirst' });
    a.train();
    b.train();
    same(b.forward(x.permute([0, 3, 1, 2]).contiguous()).permute([0, 2, 3, 1]).contiguous(), a.forward(x));
  });

  test('factor conventions: rotation factor 0.25 is a quarter turn counter-clockwise; translation moves by the fraction; zoom-out shrinks', () => {
    const x = imgs(1, 5, 5);
    const r = L.randomRotation({ factor: [0.25, 0.25], interpolation: 'nearest' });
    r.train();
    const rot = (r.forward(x).toArray() as number[][][])[0];
    const src = (x.toArray() as number[][][])[0];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(rot[i][j]).toBe(src[j][4 - i]);
    const t = L.randomTranslation({ heightFactor: [0, 0], widthFactor: [0.4, 0.4], fillMode: 'constant', fillValue: -1, interpolation: 'nearest' });
    t.train();
    const moved = (t.forward(x).toArray() as number[][][])[0];
    expect(moved[2].slice(0, 2)).toEqual([-1, -1]);
    expect(moved[2].slice(2)).toEqual(src[2].slice(0, 3));
    const ones = tg.ones([1, 9, 9]);
    const z = L.randomZoom({ heightFactor: [0.5, 0.5], fillMode: 'constant' });
    z.train();
    expect(z.forward(ones).sum().item()).toBeLessThan(81 * 0.6);
  });

  test('randomCrop: random windows in training, the centre in eval; output shape', () => {
    const x = imgs(4, 6, 7, 2);
    const c = L.randomCrop({ height: 4, width: 3, seed: 0 });
    c.train();
    expect(c.forward(x).shape).toEqual([4, 4, 3, 2]);
    c.eval();
    same(c.forward(x), x.slice(1, 1, 5).slice(2, 2, 5).contiguous());
    expect(c.computeOutputShape([6, 7, 2])).toEqual([4, 3, 2]);
  });

  test('gaussianNoise adds noise of the given stddev', () => {
    const n = L.gaussianNoise({ stddev: 0.3, seed: 0 });
    n.train();
    const x = tg.zeros([100, 100]);
    expect(n.forward(x).std().item()).toBeCloseTo(0.3, 2);
  });

  test('in a model: fit augments, predict does not; the model saves and loads with its layers', async () => {
    tg.manualSeed(0);
    const net = tg.sequential([
      L.randomFlip({ mode: 'horizontal', seed: 1, inputShape: [4, 4, 1] }),
      L.randomRotation({ factor: 0.05, seed: 2 }),
      L.flatten(),
      L.dense({ units: 2, activation: 'softmax' }),
    ]);
    net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const x = imgs(8, 4, 4, 1);
    const y = tg.tensor([0, 1, 0, 1, 0, 1, 0, 1]);
    await net.fit(x, y, { epochs: 2, verbose: 0, seed: 0 });
    same(net.predict(x), net.predict(x));
    const back = tg.fromBytes(net.toBytes());
    same(back.predict(x), net.predict(x));
    expect(back.layers.map((l) => l.className)).toEqual(['RandomFlip', 'RandomRotation', 'Flatten', 'Dense']);
  });

  test('randomBrightness adds one delta per image, a fraction of the value range, and clips into it', () => {
    const x = imgs(12, 4, 5, 2).mul(255);
    const b = L.randomBrightness({ factor: [-0.2, 0.4], seed: 2 });
    b.train();
    const y = b.forward(x);
    for (let i = 0; i < 12; i++) {
      const xi = x.slice(0, i, i + 1).flatten().dataSync();
      const yi = y.slice(0, i, i + 1).flatten().dataSync();
      // one delta in [−0.2·255, 0.4·255] for the image; where clipping did not bite, every value moved by it
      const deltas = Array.from(yi, (v, k) => v - xi[k]).filter((_, k) => yi[k] > 0 && yi[k] < 255);
      expect(deltas.length).toBeGreaterThan(0);
      for (const d of deltas) expect(d).toBeCloseTo(deltas[0], 3);
      expect(deltas[0]).toBeGreaterThanOrEqual(-0.2 * 255 - 1e-3);
      expect(deltas[0]).toBeLessThanOrEqual(0.4 * 255 + 1e-3);
      for (const v of yi) expect(v >= 0 && v <= 255).toBe(true);
    }
    expect(() => L.randomBrightness({ factor: 1.5 })).toThrow(/\(RandomBrightness\): factor must lie in \[−1, 1\]/);
    expect(() => L.randomBrightness({ factor: 0.1, valueRange: [1, 0] })).toThrow(/valueRange must be a \[low, high\] pair of finite numbers with low < high/);
  });

  test('bad configs and layouts', () => {
    expect(() => L.randomRotation({} as never)).toThrow(/randomRotation: factor is required/);
    expect(() => L.randomFlip({ mode: 'diagonal' as never })).toThrow(/mode must be one of 'horizontal', 'vertical', 'horizontal_and_vertical', got "diagonal"/);
    expect(() => L.randomZoom({ heightFactor: [0.3, 0.1] })).toThrow(/heightFactor must be a finite number or a \[low, high\] pair with low ≤ high/);
    expect(() => L.randomContrast({ factor: 2 })).toThrow(/factor must be a number in \[0, 1\]/);
    expect(() => L.gaussianNoise({ stddev: -1 })).toThrow(/stddev must be a number ≥ 0/);
    expect(() => L.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1, fillMode: 'mirror' as never })).toThrow(/fillMode must be one of 'reflect', 'wrap', 'nearest', 'constant'/);
    const f = L.randomFlip();
    expect(() => f.forward(tg.rand([2, 16]))).toThrow(/random_flip \(RandomFlip\): expects images \[h, w\] or \[h, w, c\]/);
    expect(() => L.randomCrop({ height: 9, width: 2 }).forward(imgs(1, 4, 4, 1))).toThrow(/a 9×2 crop does not fit in 4×4 images/);
  });
});
