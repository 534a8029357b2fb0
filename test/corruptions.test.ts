// tg.data.corruptions and the image warp under them: each corruption at each severity is seeded, keeps
// shapes and layouts, and does what it says (noise σ, blur's mass, exact pixel shifts, rotation direction,
// contrast factor); the evaluation helper and its plot.
import { describe, expect, test } from 'vitest';
import * as tg from 'tapegrad';
import { foldIndex, imageLayout, inverseAffine, warpImage } from '../src/data/image.js';

const C = tg.data.corruptions;

/** A 1 × 7 × 7 image with a single bright pixel at (y, x). */
function dot(y: number, x: number, h = 7, w = 7): tg.Tensor {
  const v = new Float32Array(h * w);
  v[y * w + x] = 1;
  return tg.tensor(v, { shape: [1, h, w] });
}
const argmax2d = (t: tg.Tensor, w: number): [number, number] => {
  const i = t.reshape([-1]).argmax().item();
  return [Math.floor(i / w), i % w];
};

describe('image geometry', () => {
  test('fill modes fold indices as Keras describes them', () => {
    // size 4: a b c d
    expect([-2, -1, 4, 5].map((i) => foldIndex(i, 4, 'reflect'))).toEqual([1, 0, 3, 2]); // (d c b a | a b c d | d c b a)
    expect([-2, -1, 4, 5].map((i) => foldIndex(i, 4, 'wrap'))).toEqual([2, 3, 0, 1]);
    expect([-2, -1, 4, 5].map((i) => foldIndex(i, 4, 'nearest'))).toEqual([0, 0, 3, 3]);
    expect(foldIndex(-1, 4, 'constant')).toBe(-1);
  });

  test('a shift by whole pixels moves a pixel exactly; a 90° turn is counter-clockwise', () => {
    const L = imageLayout(dot(1, 1), {}, 't');
    const out = new Float32Array(49);
    warpImage(dot(1, 1).dataSync(), out, 0, L, inverseAffine(7, 7, 0, 2, 3), { interpolation: 'bilinear', fillMode: 'constant', fillValue: 0 });
    expect(argmax2d(tg.tensor(out), 7)).toEqual([3, 4]);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    // a pixel right of the centre goes to above the centre
    warpImage(dot(3, 5).dataSync(), out, 0, L, inverseAffine(7, 7, 90, 0, 0), { interpolation: 'nearest', fillMode: 'constant', fillValue: 0 });
    expect(argmax2d(tg.tensor(out), 7)).toEqual([1, 3]);
  });

  test('channels first and last give the same result per channel', () => {
    const g = new tg.Generator(0);
    const last = tg.rand([2, 5, 6, 3], { generator: g });
    const first = last.permute([0, 3, 1, 2]).contiguous();
    const a = C.rotation(last, 3, { seed: 1 });
    const b = C.rotation(first, 3, { seed: 1, dataFormat: 'channelsFirst' });
    expect(Array.from(b.permute([0, 2, 3, 1]).contiguous().dataSync())).toEqual(Array.from(a.dataSync()));
  });
});

describe('corruptions', () => {
  const g = new tg.Generator(3);
  const x = tg.rand([6, 8 * 8], { generator: g }).mul(0.5).add(0.25); // flat 8×8 images inside (0.25, 0.75)

  test.each(C.NAMES)('%s: shape kept, seeded, severity 1 milder than 5, values in [0, 1]', (name) => {
    const opts = { imageShape: [8, 8], seed: 5 };
    const a = C.apply(name, x, 3, opts);
    expect(a.shape).toEqual(x.shape);
    expect(Array.from(C.apply(name, x, 3, opts).dataSync())).toEqual(Array.from(a.dataSync()));
    const dist = (s: number) => C.apply(name, x, s, opts).sub(x).abs().mean().item();
    expect(dist(1)).toBeLessThan(dist(5));
    expect(a.min().item()).toBeGreaterThanOrEqual(0);
    expect(a.max().item()).toBeLessThanOrEqual(1);
  });

  test('noise has the stated σ; contrast scales deviations from the image mean by c', () => {
    const flat = tg.full([200, 100], 0.5);
    const noisy = C.gaussianNoise(flat, 2, { imageShape: [10, 10], range: null });
    expect(noisy.sub(0.5).std().item()).toBeCloseTo(C.SEVERITIES.gaussianNoise[1], 2);
    const c = C.contrast(x, 4, { imageShape: [8, 8] });
    const m = x.mean(1, true);
    const expected = x.sub(m).mul(C.SEVERITIES.contrast[3]).add(m);
    expect(c.sub(expected).abs().max().item()).toBeLessThan(1e-6);
  });

  test('blur keeps the mass of a dot away from the edges and spreads it', () => {
    const b = C.gaussianBlur(dot(3, 3), 3, { range: null });
    expect(b.sum().item()).toBeCloseTo(1, 5);
    expect(b.max().item()).toBeLessThan(0.3);
    expect(argmax2d(b, 7)).toEqual([3, 3]);
  });

  test('bad input: severity, layout, names', () => {
    expect(() => C.shift(x, 6, { imageShape: [8, 8] })).toThrow(/corruptions.shift: severity must be an integer from 1 to 5, got 6/);
    expect(() => C.shift(x, 1)).toThrow(/expected images \[n, h, w\].*got shape \[6,64\]; for flat rows pass imageShape/);
    expect(() => C.shift(x, 1, { imageShape: [7, 7] })).toThrow(/rows of shape \[64\] \(64 values\) do not hold images of shape \[7,7\] \(49 values\)/);
    expect(() => C.apply('fog' as 'shift', x, 1)).toThrow(/unknown corruption "fog" \(known: gaussianNoise, gaussianBlur, shift, rotation, contrast\)/);
    expect(() => C.rotation(tg.rand([2, 3, 4, 4]), 1, { dataFormat: 'NCHW' as 'channelsFirst' })).toThrow(/dataFormat must be 'channelsLast' or 'channelsFirst'/);
  });

  test('corruptionAccuracy: accuracy per corruption and severity, and its plot', () => {
    // a "model" that predicts class 1 when the image's centre is brighter than its border
    const net = tg.sequential([tg.layers.dense({ units: 2, inputShape: [64] })]);
    const w = new Float32Array(2 * 64);
    for (let i = 0; i < 64; i++) {
      const [r, c] = [Math.floor(i / 8), i % 8];
      const centre = r >= 2 && r < 6 && c >= 2 && c < 6 ? 1 : -1 / 3;
      w[64 + i] = centre;
    }
    net.loadStateDict(new Map([['0.weight', tg.tensor(w, { shape: [2, 64] })], ['0.bias', tg.zeros([2])]]));
    const v = new Float32Array(20 * 64);
    for (let n = 0; n < 10; n++) for (let i = 0; i < 64; i++) if ((i >> 3) >= 2 && (i >> 3) < 6 && (i & 7) >= 2 && (i & 7) < 6) v[n * 64 + i] = 1;
    const imgs = tg.tensor(v, { shape: [20, 64] });
    const y = Array.from({ length: 20 }, (_, n) => (n < 10 ? 1 : 0));
    const r = tg.robust.corruptionAccuracy(net, imgs, y, { imageShape: [8, 8], corruptions: ['shift', 'contrast'], severities: [1, 5] });
    expect(r.clean).toBe(1);
    expect(Object.keys(r.accuracy)).toEqual(['shift', 'contrast']);
    expect(r.accuracy.shift!).toHaveLength(2);
    expect(r.mean.contrast).toBeCloseTo((r.accuracy.contrast![0] + r.accuracy.contrast![1]) / 2, 12);
    const svg = tg.plot.corruptionSvg(r);
    expect(svg.match(/class="series"/g)).toHaveLength(2);
  });
});
