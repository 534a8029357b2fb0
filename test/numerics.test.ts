// Numerical edge cases: huge logits, saturated sigmoids, relu at 0 and NaN, ties in max/min,
// probabilities of exactly 0 and 1, all -Infinity rows, and NaN propagating instead of being clamped.

import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';

const F = tg.nn.functional;
const DTYPES = ['float32', 'float64'] as const;
const vals = (t: tg.Tensor | null): number[] => Array.from(t!.value.contiguous().data);

function expectClose(actual: number[], expected: number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    expect(Number.isFinite(a), `element ${i} is ${a}`).toBe(true);
    expect(Math.abs(a - expected[i]), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i])));
  });
}

/** softmax of one row in float64, the stable way. */
function refSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
const refLse = (row: number[]) => {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
};

describe('huge logits', () => {
  const rows = [
    [1000, -1000, 0],
    [1000, 1000, 999],
    [-1000, -1000, -999.5],
  ];
  const w = [0.5, -1, 2]; // upstream weights, so the gradients are not trivially zero

  for (const dtype of DTYPES) {
    // float32 carries x - logsumexp(x) at magnitude 1000, whose spacing is 6e-5: absolute 1e-4 is all it can do
    const tol = dtype === 'float32' ? 1e-4 : 1e-12;

    it(`softmax at ±1000 is finite and correct, and so is its gradient (${dtype})`, () => {
      const x = tg.tensor(rows, { dtype, requiresGrad: true });
      const s = x.softmax(-1);
      const want = rows.map(refSoftmax);
      expectClose(vals(s), want.flat(), tol);
      s.mul(tg.tensor(w, { dtype })).sum().backward();
      // d(s·w)/dx = s ⊙ (w - s·w)
      const grad = want.map((p) => { const sw = p.reduce((a, v, i) => a + v * w[i], 0); return p.map((v, i) => v * (w[i] - sw)); });
      expectClose(vals(x.grad), grad.flat(), tol);
    });

    it(`logSoftmax and logsumexp at ±1000 are finite and correct, with their gradients (${dtype})`, () => {
      const x = tg.tensor(rows, { dtype, requiresGrad: true });
      const ls = x.logSoftmax(1);
      expectClose(vals(ls), rows.flatMap((r) => r.map((v) => v - refLse(r))), tol);
      ls.mul(tg.tensor(w, { dtype })).sum().backward();
      // d(logSoftmax·w)/dx = w - softmax · Σw
      const sw = w.reduce((a, b) => a + b, 0);
      expectClose(vals(x.grad), rows.flatMap((r) => refSoftmax(r).map((p, i) => w[i] - p * sw)), tol);

      const y = tg.tensor(rows, { dtype, requiresGrad: true });
      const lse = y.logsumexp(1);
      expectClose(vals(lse), rows.map(refLse), tol);
      lse.sum().backward(); // d lse / dx = softmax
      expectClose(vals(y.grad), rows.flatMap(refSoftmax), tol);
      expect(tg.tensor([1000, 1000], { dtype }).logsumexp().item()).toBeCloseTo(1000 + Math.LN2, dtype === 'float32' ? 3 : 10);
    });

    it(`crossEntropy at ±1000 is finite and correct, with its gradient (${dtype})`, () => {
      const x = tg.tensor(rows, { dtype, requiresGrad: true });
      const labels = [1, 2, 0];
      const loss = F.crossEntropy(x, labels);
      const perRow = rows.map((r, i) => refLse(r) - r[labels[i]]);
      expect(loss.item()).toBeCloseTo(perRow.reduce((a, b) => a + b, 0) / 3, dtype === 'float32' ? 3 : 9);
      loss.backward();
      // d CE / dx = (softmax - onehot) / N
      const grad = rows.flatMap((r, i) => refSoftmax(r).map((p, j) => (p - (j === labels[i] ? 1 : 0)) / 3));
      expectClose(vals(x.grad), grad, tol);
    });
  }
});

describe('sigmoid, relu', () => {
  for (const dtype of DTYPES) {
    it(`sigmoid(±1000) is exactly 0 and 1 with a finite gradient (${dtype})`, () => {
      const x = tg.tensor([-1000, 1000, -50, 50, 0], { dtype, requiresGrad: true });
      const s = x.sigmoid();
      const v = vals(s);
      expect(v[0]).toBe(0);
      expect(v[1]).toBe(1);
      expect(v[4]).toBe(0.5);
      s.sum().backward();
      const g = vals(x.grad);
      expect(g.every(Number.isFinite)).toBe(true);
      expect(g[0]).toBe(0);
      expect(g[1]).toBe(0);
      expect(g[4]).toBe(0.25);
    });
  }

  it('relu(NaN) is NaN, and relu\'(0) = 0', () => {
    expect(vals(tg.tensor([NaN, -1, 2]).relu())).toEqual([NaN, 0, 2]);
    const x = tg.tensor([0, -0, -1, 1e-30, 5], { requiresGrad: true });
    x.relu().sum().backward();
    expect(vals(x.grad)).toEqual([0, 0, 0, 1, 1]);
  });
});

describe('max and min with ties', () => {
  // The rule: the upstream gradient of each reduced slice is split equally among the elements
  // equal to its maximum (or minimum), so each slice's gradient sums to the upstream gradient.
  const cases: { name: string; x: number[][]; axis?: number | number[]; keepdims?: boolean; up: number[]; want: number[][] }[] = [
    { name: 'all equal, over all', x: [[2, 2], [2, 2]], up: [1], want: [[0.25, 0.25], [0.25, 0.25]] },
    { name: 'two tied, over all', x: [[1, 3], [3, 0]], up: [6], want: [[0, 3], [3, 0]] },
    {
      name: 'per row (axis 1)', x: [[5, 5, 1, 5], [0, 1, 2, 3]], axis: 1, up: [3, 2],
      want: [[1, 1, 0, 1], [0, 0, 0, 2]],
    },
    {
      name: 'per column (axis 0, keepdims)', x: [[4, 1, 7], [4, 2, 7], [0, 2, 7]], axis: 0, keepdims: true, up: [1, 2, 3],
      want: [[0.5, 0, 1], [0.5, 1, 1], [0, 1, 1]],
    },
    { name: 'negative axis', x: [[-1, -1], [0, -3]], axis: -1, up: [1, 1], want: [[0.5, 0.5], [1, 0]] },
    { name: 'axes [0, 1]', x: [[9, 1], [9, 9]], axis: [0, 1], up: [1.5], want: [[0.5, 0], [0.5, 0.5]] },
  ];

  for (const c of cases) {
    it(`max: ${c.name}`, () => {
      const x = tg.tensor(c.x, { dtype: 'float64', requiresGrad: true });
      const m = x.max(c.axis, c.keepdims ?? false);
      m.backward(tg.tensor(c.up, { dtype: 'float64' }).reshape(m.shape));
      expect(x.grad!.toArray()).toEqual(c.want);
      // each slice's share sums to its upstream gradient
      const total = vals(x.grad).reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(c.up.reduce((a, b) => a + b, 0), 12);
    });

    it(`min (mirrored): ${c.name}`, () => {
      const x = tg.tensor(c.x.map((r) => r.map((v) => -v)), { dtype: 'float64', requiresGrad: true });
      const m = x.min(c.axis, c.keepdims ?? false);
      m.backward(tg.tensor(c.up, { dtype: 'float64' }).reshape(m.shape));
      expect(x.grad!.toArray()).toEqual(c.want);
    });
  }

  it('ties on a transposed input', () => {
    const x = tg.tensor([[1, 1], [3, 1]], { requiresGrad: true });
    x.transpose(0, 1).max(1).sum().backward(); // columns of x: [1,3] and [1,1]
    expect(x.grad!.toArray()).toEqual([[0, 0.5], [1, 0.5]]);
  });
});

describe('binary cross-entropy at the edges', () => {
  it('on probabilities exactly 0 and 1, loss and gradient are finite (float64)', () => {
    const p = tg.tensor([0, 1, 0, 1], { dtype: 'float64', requiresGrad: true });
    const t = tg.tensor([1, 0, 0, 1], { dtype: 'float64' });
    const loss = F.binaryCrossEntropy(p, t, { reduction: 'none' });
    const l = vals(loss);
    // each log is floored at -100, as in PyTorch: a certain wrong answer costs 100
    expect(l[0]).toBeCloseTo(100, 9);
    expect(l[1]).toBeCloseTo(100, 9);
    expect(Math.abs(l[2])).toBe(0);
    expect(Math.abs(l[3])).toBe(0);
    loss.sum().backward();
    expect(vals(p.grad).every(Number.isFinite)).toBe(true);
  });

  // float32: e^-100 is subnormal there and 1/p would overflow, so the BCE floor is the smallest normal number
  it('on probabilities exactly 0 and 1, loss and gradient are finite (float32)', () => {
    const p = tg.tensor([0, 1], { requiresGrad: true });
    const loss = F.binaryCrossEntropy(p, tg.tensor([1, 0]), { reduction: 'none' });
    expect(vals(loss).every((v) => Math.abs(v - 100) < 1e-3)).toBe(true);
    loss.sum().backward();
    expect(vals(p.grad).every(Number.isFinite)).toBe(true);
  });

  for (const dtype of DTYPES) {
    it(`withLogits at ±1000 is finite and correct (${dtype})`, () => {
      const x = tg.tensor([1000, -1000, 1000, -1000], { dtype, requiresGrad: true });
      const t = tg.tensor([0, 1, 1, 0], { dtype });
      const loss = F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' });
      expect(vals(loss)).toEqual([1000, 1000, 0, 0]);
      loss.sum().backward();
      expect(vals(x.grad)).toEqual([1, -1, 0, 0]); // sigmoid(x) - t
    });

    it(`withLogits at exactly 0: the gradient is sigmoid(0) - t (${dtype})`, () => {
      const targets = [0, 0.3, 1];
      const x = tg.zeros([3], { dtype, requiresGrad: true });
      const loss = F.binaryCrossEntropyWithLogits(x, tg.tensor(targets, { dtype }), { reduction: 'sum' });
      expect(loss.item()).toBeCloseTo(3 * Math.LN2, 6);
      loss.backward();
      expectClose(vals(x.grad), targets.map((t) => 0.5 - t), 1e-7);
    });
  }
});

describe('-Infinity and NaN', () => {
  it('logsumexp of an all -Infinity row is -Infinity, not NaN', () => {
    const x = tg.tensor([[-Infinity, -Infinity, -Infinity], [0, 1, 2]]);
    const l = vals(x.logsumexp(1));
    expect(l[0]).toBe(-Infinity);
    expect(l[1]).toBeCloseTo(refLse([0, 1, 2]), 5);
    expect(x.logsumexp(1, true).shape).toEqual([2, 1]);
    expect(tg.full([4], -Infinity, { dtype: 'float64' }).logsumexp().item()).toBe(-Infinity);
    // one finite entry among -Infinity: exactly that entry
    expect(tg.tensor([-Infinity, 3, -Infinity]).logsumexp().item()).toBe(3);
  });

  it('NaN propagates through add, mul, exp, sum, max and softmax', () => {
    const x = tg.tensor([[1, NaN, 3], [4, 5, 6]]);
    const nanMask = (t: tg.Tensor) => vals(t).map((v) => Number.isNaN(v));
    expect(nanMask(x.add(1))).toEqual([false, true, false, false, false, false]);
    expect(nanMask(x.mul(0))).toEqual([false, true, false, false, false, false]); // NaN·0 stays NaN
    expect(nanMask(x.exp())).toEqual([false, true, false, false, false, false]);
    expect(nanMask(x.add(tg.tensor([0, 1, NaN])))).toEqual([false, true, true, false, false, true]);
    expect(x.sum().item()).toBeNaN();
    expect(nanMask(x.sum(1))).toEqual([true, false]);
    expect(x.max().item()).toBeNaN();
    expect(nanMask(x.max(1))).toEqual([true, false]);
    expect(nanMask(x.softmax(1))).toEqual([true, true, true, false, false, false]);
    expect(nanMask(x.logSoftmax(1))).toEqual([true, true, true, false, false, false]);
    expect(nanMask(x.maximum(10))).toEqual([false, true, false, false, false, false]);
  });

  it('a NaN input gives a NaN gradient, not a silently clamped one', () => {
    const x = tg.tensor([NaN, 1], { requiresGrad: true });
    x.mul(x).exp().sum().backward();
    const g = vals(x.grad);
    expect(g[0]).toBeNaN();
    expect(g[1]).toBeCloseTo(2 * Math.E, 5);
  });
});

describe('exp on float32 (the fast kernel)', () => {
  /** Distance in float32 ulps between two float32 values of the same sign. */
  const bits = new Int32Array(1);
  const f32 = new Float32Array(bits.buffer);
  const ordinal = (v: number): number => {
    f32[0] = v;
    return bits[0];
  };

  it('is within 1 ulp of Math.exp rounded to float32 across the whole range, and usually equal', () => {
    // Every input from -105 to 90 in steps of 1/1024, plus the float32 neighbours of a few points.
    const xs: number[] = [];
    for (let v = -105; v <= 90; v += 1 / 1024) xs.push(v);
    for (const c of [0, 1, -1, 0.5, -0.5, 88.72, -87.33, -103.28]) {
      f32[0] = c;
      for (let d = -3; d <= 3; d++) {
        bits[0] += d;
        xs.push(f32[0]);
        bits[0] -= d;
      }
    }
    const x = tg.tensor(xs); // float32: inputs are rounded to float32 first, as the kernel sees them
    const got = x.exp().toArray() as number[];
    const xf = x.toArray() as number[];
    let worst = 0;
    let differ = 0;
    for (let i = 0; i < xf.length; i++) {
      const want = Math.fround(Math.exp(xf[i]));
      if (want === Infinity || want === 0) {
        expect(got[i], `exp(${xf[i]})`).toBe(want);
        continue;
      }
      const ulps = Math.abs(ordinal(got[i]) - ordinal(want));
      worst = Math.max(worst, ulps);
      if (ulps !== 0) differ++;
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(differ / xf.length).toBeLessThan(0.01);
  });

  it('keeps the special values: ±0, ±∞, NaN, overflow and underflow', () => {
    const xs = [0, -0, Infinity, -Infinity, NaN, 88.8, 1000, -104, -1000, 1e-30, -1e-30];
    const got = tg.tensor(xs).exp().toArray() as number[];
    expect(got).toEqual([1, 1, Infinity, 0, NaN, Infinity, Infinity, 0, 0, 1, 1]);
  });

  it('float64 exp is exactly Math.exp', () => {
    const xs = [-700, -3.3, -1e-9, 0.1, 2.5, 709];
    const got = tg.tensor(xs, { dtype: 'float64' }).exp().toArray() as number[];
    expect(got).toEqual(xs.map(Math.exp));
  });

  it('is the same through strided views and broadcast (the kernel sees offsets and steps)', () => {
    const x = tg.linspace(-20, 20, 60).reshape([6, 10]);
    const viaView = x.t().exp();
    const viaCopy = x.t().contiguous().exp();
    expect(viaView.toArray()).toEqual(viaCopy.toArray());
  });
});
