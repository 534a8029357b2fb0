// tg.data: splitting (stratified too), shuffling, batching, one-hot labels, scalers fitted on train rows,
// and the seeded toy data sets (moons, circles, spirals, blobs).
import { describe, expect, test } from 'vitest';
import * as tg from 'tapegrad';

const rows = (n: number, d = 2): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => i * 10 + j));

describe('trainTestSplit', () => {
  test('rounds the test part up (as scikit-learn) and keeps x and y rows paired', () => {
    const x = rows(10);
    const y = Array.from({ length: 10 }, (_, i) => i);
    const { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 0.25, seed: 0 });
    expect(xTest).toHaveLength(3);
    expect(xTrain).toHaveLength(7);
    [...xTrain, ...xTest].forEach((r, i) => expect(r[0]).toBe([...yTrain, ...yTest][i] * 10));
    expect(new Set([...yTrain, ...yTest]).size).toBe(10);
  });

  test('keeps the kind of each input: Tensor, nested array, typed arrays', () => {
    const x = tg.tensor(rows(8, 3));
    const y = new Int32Array([0, 1, 2, 3, 4, 5, 6, 7]);
    const s = tg.data.trainTestSplit(x, y, { testSize: 2, seed: 1 });
    expect(s.xTrain).toBeInstanceOf(tg.Tensor);
    expect(s.xTrain.shape).toEqual([6, 3]);
    expect(s.xTest.shape).toEqual([2, 3]);
    expect(s.yTest).toBeInstanceOf(Int32Array);
    const xt = s.xTest.toArray() as number[][];
    xt.forEach((r, i) => expect(r[0]).toBe(s.yTest[i] * 10));
    const f = tg.data.trainTestSplit(new Float32Array([1, 2, 3, 4]), [5, 6, 7, 8], { shuffle: false, testSize: 0.5 });
    expect(f.xTrain).toBeInstanceOf(Float32Array);
    expect([...f.xTest]).toEqual([3, 4]);
    expect(f.yTest).toEqual([7, 8]);
  });

  test('is seeded: the same seed gives the same split, another seed another one', () => {
    const x = rows(50);
    const y = x.map((_, i) => i);
    const a = tg.data.trainTestSplit(x, y, { seed: 5 });
    const b = tg.data.trainTestSplit(x, y, { seed: 5 });
    const c = tg.data.trainTestSplit(x, y, { seed: 6 });
    expect(a.yTest).toEqual(b.yTest);
    expect(a.yTest).not.toEqual(c.yTest);
    const g1 = tg.data.trainTestSplit(x, y, { generator: new tg.Generator(5) });
    expect(g1.yTest).toEqual(a.yTest);
  });

  test('stratify keeps the class proportions in both parts', () => {
    const labels = Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : i < 95 ? 1 : 2));
    const x = labels.map((l, i) => [i, l]);
    const { yTrain, yTest, xTest } = tg.data.trainTestSplit(x, labels, { testSize: 0.2, stratify: labels, seed: 3 });
    const count = (a: number[], c: number) => a.filter((v) => v === c).length;
    expect([count(yTest, 0), count(yTest, 1), count(yTest, 2)]).toEqual([16, 3, 1]);
    expect([count(yTrain, 0), count(yTrain, 1), count(yTrain, 2)]).toEqual([64, 12, 4]);
    xTest.forEach((r, i) => expect(r[1]).toBe(yTest[i]));
    // tensor labels work too, and the parts are not sorted by class
    const t = tg.data.trainTestSplit(tg.tensor(x), tg.tensor(labels), { testSize: 0.2, stratify: tg.tensor(labels), seed: 3 });
    const ty = t.yTest.toArray() as number[];
    expect(count(ty, 0)).toBe(16);
    expect(ty.slice(0, 16).every((v) => v === 0)).toBe(false);
  });

  test('bad arguments say what is wrong', () => {
    expect(() => tg.data.trainTestSplit(rows(4), [1, 2, 3])).toThrow('trainTestSplit: x has 4 rows but y has 3');
    expect(() => tg.data.trainTestSplit(rows(4), [1, 2, 3, 4], { testSize: 1.5 })).toThrow(/testSize must be a fraction in \(0, 1\) or a row count/);
    expect(() => tg.data.trainTestSplit(rows(4), [1, 2, 3, 4], { testSize: 4 })).toThrow(/leaves no training rows/);
    expect(() => tg.data.trainTestSplit(rows(6), [0, 0, 0, 1, 1, 2], { stratify: [0, 0, 0, 1, 1, 2] })).toThrow(/class 2 has only 1 row/);
    expect(() => tg.data.trainTestSplit(rows(6), [0, 0, 0, 1, 1, 1], { stratify: [0, 0, 0, 1, 1, 1], shuffle: false })).toThrow(/stratify needs shuffle/);
  });
});

test('shuffle permutes x and y together, seeded', () => {
  const x = tg.tensor(rows(20));
  const y = tg.arange(20);
  const a = tg.data.shuffle(x, y, { seed: 1 });
  const b = tg.data.shuffle(x, y, { seed: 1 });
  expect(a.y!.toArray()).toEqual(b.y!.toArray());
  expect(a.y!.toArray()).not.toEqual(y.toArray());
  const ax = a.x.toArray() as number[][];
  (a.y!.toArray() as number[]).forEach((v, i) => expect(ax[i][0]).toBe(v * 10));
  expect(tg.data.shuffle([1, 2, 3], undefined, { seed: 0 }).y).toBeUndefined();
  expect(() => tg.data.shuffle([1, 2], [1])).toThrow('shuffle: x has 2 rows but y has 1');
});

describe('DataLoader', () => {
  test('batches cover every row once per pass; length counts batches', () => {
    const loader = new tg.data.DataLoader({ x: rows(10), y: tg.arange(10) }, { batchSize: 4, shuffle: true, seed: 0 });
    expect(loader.length).toBe(3);
    const seen: number[] = [];
    const sizes: number[] = [];
    for (const { x, y } of loader) {
      sizes.push(x.shape[0]);
      expect(x.shape[1]).toBe(2);
      const xr = x.toArray() as number[][];
      (y!.toArray() as number[]).forEach((v, i) => { seen.push(v); expect(xr[i][0]).toBe(v * 10); });
    }
    expect(sizes).toEqual([4, 4, 2]);
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const second = [...loader].flatMap((b) => b.y!.toArray() as number[]);
    expect(second).not.toEqual(seen); // a new order on each pass
  });

  test('dropLast, no shuffle, and no y', () => {
    const loader = new tg.data.DataLoader({ x: new Float32Array(10) }, { batchSize: 3, dropLast: true });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map((b) => b.x.shape)).toEqual([[3], [3], [3]]);
    expect(batches[0].y).toBeUndefined();
    expect(() => new tg.data.DataLoader({ x: [1, 2], y: [1] })).toThrow('DataLoader: x has 2 rows but y has 1');
    expect(() => new tg.data.DataLoader({ x: [1, 2] }, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });

  test('the same seed gives the same batches', () => {
    const make = () => [...new tg.data.DataLoader({ x: tg.arange(30) }, { batchSize: 7, shuffle: true, seed: 9 })].map((b) => b.x.toArray());
    expect(make()).toEqual(make());
  });
});

test('oneHot', () => {
  expect(tg.data.oneHot([0, 2, 1], 3).toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  expect(tg.data.oneHot(tg.tensor([1, 0])).shape).toEqual([2, 2]);
  expect(() => tg.data.oneHot([0, 3, 1], 3)).toThrow('oneHot: label 3 at row 1 is not a class index in [0, 3)');
  expect(() => tg.data.oneHot([0, 0.5], 2)).toThrow('oneHot: label 0.5 at row 1');
});

describe('scalers', () => {
  const train = [[1, 10, 5], [2, 20, 5], [3, 60, 5]];
  const test_ = [[4, 30, 6]];

  test('StandardScaler is fitted on train and applied to test', () => {
    const s = tg.data.StandardScaler.fit(train);
    const t = s.transform(train).toArray() as number[][];
    for (let j = 0; j < 2; j++) {
      const col = t.map((r) => r[j]);
      const mean = col.reduce((a, b) => a + b) / 3;
      const varr = col.reduce((a, b) => a + (b - mean) ** 2, 0) / 3;
      expect(mean).toBeCloseTo(0, 6);
      expect(varr).toBeCloseTo(1, 5);
    }
    expect(t.map((r) => r[2])).toEqual([0, 0, 0]); // a constant column is only centred
    const sd = Math.sqrt(2 / 3);
    const xt = s.transform(test_).toArray() as number[][];
    expect(xt[0][0]).toBeCloseTo((4 - 2) / sd, 5);
    expect(xt[0][2]).toBeCloseTo(1, 6);
    expect(tg.data.standardize(test_, train).toArray()).toEqual(s.transform(test_).toArray());
    const back = s.inverseTransform(s.transform(test_)).toArray() as number[][];
    back[0].forEach((v, j) => expect(v).toBeCloseTo(test_[0][j], 4));
    expect(() => s.transform([[1, 2]])).toThrow(/fitted on 3 features per row, got shape \[1,2\]/);
    expect(() => tg.data.StandardScaler.fit([[1, NaN]])).toThrow('StandardScaler.fit: value NaN at row 0, column 1 is not finite');
  });

  test('minMaxScale maps the train range onto [0, 1] (or featureRange)', () => {
    const m = tg.data.MinMaxScaler.fit(train);
    expect(m.transform(train).toArray()).toEqual([[0, 0, 0], [0.5, Math.fround(0.2), 0], [1, 1, 0]]);
    expect((m.transform(test_).toArray() as number[][])[0][0]).toBeCloseTo(1.5, 6);
    const r = tg.data.minMaxScale(train, train, { featureRange: [-1, 1] }).toArray() as number[][];
    expect(r[0][0]).toBe(-1);
    expect(r[2][1]).toBe(1);
    const back = m.inverseTransform(m.transform(test_)).toArray() as number[][];
    back[0].forEach((v, j) => expect(v).toBeCloseTo(test_[0][j], 4));
  });
});

describe('data sets', () => {
  test('makeMoons: two half circles, balanced, seeded', () => {
    const { x, y } = tg.data.makeMoons(101, { shuffle: false });
    expect(x.shape).toEqual([101, 2]);
    const xs = x.toArray() as number[][];
    const ys = y.toArray() as number[];
    expect(ys.filter((v) => v === 0)).toHaveLength(50);
    xs.forEach(([a, b], i) => {
      const r = ys[i] === 0 ? Math.hypot(a, b) : Math.hypot(a - 1, b - 0.5);
      expect(r).toBeCloseTo(1, 5);
      expect(ys[i] === 0 ? b >= -1e-6 : b <= 0.5 + 1e-6).toBe(true);
    });
    const a = tg.data.makeMoons(50, { noise: 0.1, seed: 1 });
    const b = tg.data.makeMoons(50, { noise: 0.1, seed: 1 });
    const c = tg.data.makeMoons(50, { noise: 0.1, seed: 2 });
    expect(a.x.toArray()).toEqual(b.x.toArray());
    expect(a.x.toArray()).not.toEqual(c.x.toArray());
    expect(() => tg.data.makeMoons(10, { noise: -1 })).toThrow(/noise must be a finite number/);
  });

  test('makeCircles, makeSpirals, makeBlobs', () => {
    const c = tg.data.makeCircles(40, { factor: 0.5, shuffle: false });
    const cx = c.x.toArray() as number[][];
    cx.forEach(([a, b], i) => expect(Math.hypot(a, b)).toBeCloseTo(i < 20 ? 1 : 0.5, 5));
    const s = tg.data.makeSpirals(90, { classes: 3, noise: 0.05, seed: 0 });
    expect(s.x.shape).toEqual([90, 2]);
    expect(new Set(s.y.toArray() as number[])).toEqual(new Set([0, 1, 2]));
    const bl = tg.data.makeBlobs(60, { centers: 3, nFeatures: 5, seed: 0 });
    expect(bl.x.shape).toEqual([60, 5]);
    expect((bl.y.toArray() as number[]).filter((v) => v === 2)).toHaveLength(20);
  });
});
