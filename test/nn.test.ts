// Tests for tg.nn layers, containers and init: module trees and stateDict keys, train/eval, Linear's
// PyTorch initialisation and maths, Dropout, GELU/erf against 40-digit reference values, gradcheck of every layer.

import { describe, expect, test } from 'vitest';
import * as tg from 'tapegrad';

const { nn } = tg;
const f64 = { dtype: 'float64' as const };

/** A float64 leaf of the given shape with values drawn from a seeded generator (away from 0 by default). */
function randLeaf(shape: number[], seed: number, scale = 1.5): tg.Tensor {
  const g = new tg.Generator(seed);
  const t = tg.zeros(shape, f64);
  const d = t.value.data;
  for (let i = 0; i < d.length; i++) {
    const u = g.random() * 2 - 1;
    d[i] = (u >= 0 ? 0.1 + u : -0.1 + u) * scale;
  }
  return t.requiresGrad_();
}

const values = (t: tg.Tensor): number[] => Array.from(t.value.values());

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = 0): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}

class MLP extends nn.Module {
  fc1 = new nn.Linear(3, 4, { generator: new tg.Generator(1) });
  act = new nn.ReLU();
  head = new nn.Sequential(new nn.Linear(4, 4, { bias: false }), new nn.Dropout(0.2), new nn.Linear(4, 2));
  override forward(x: tg.Tensor): tg.Tensor {
    return this.head.call(this.act.call(this.fc1.call(x)));
  }
}

describe('module tree', () => {
  test('namedParameters keys for nested modules and Sequential children "0", "1", ...', () => {
    const m = new MLP();
    expect(m.namedParameters().map(([k]) => k)).toEqual(['fc1.weight', 'fc1.bias', 'head.0.weight', 'head.2.weight', 'head.2.bias']);
    expect(m.namedModules().map(([k]) => k)).toEqual(['', 'fc1', 'act', 'head', 'head.0', 'head.1', 'head.2']);
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
    expect([...seq.stateDict().keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(seq.parameters().map((p) => p.shape)).toEqual([[3, 2], [3], [1, 3], [1]]);
  });

  test('ModuleList children, and a shared layer is listed once', () => {
    class Tied extends nn.Module {
      shared = new nn.Linear(2, 2);
      blocks = new nn.ModuleList([this.shared, new nn.Tanh(), this.shared]);
      override forward(x: tg.Tensor): tg.Tensor {
        let y = x;
        for (const b of this.blocks) y = b.call(y);
        return y;
      }
    }
    const t = new Tied();
    expect(t.namedParameters().map(([k]) => k)).toEqual(['shared.weight', 'shared.bias']);
    expect(t.blocks.length).toBe(3);
    expect(() => t.blocks.forward()).toThrow(/ModuleList: has no forward/);
    expect(t.call(tg.ones([1, 2])).shape).toEqual([1, 2]);
  });

  test('Sequential: add, length, at, iteration, forward order, errors', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 3));
    expect(seq.add(new nn.ReLU())).toBe(seq);
    seq.add(new nn.Flatten(0));
    expect(seq.length).toBe(3);
    expect(seq.at(-1)).toBeInstanceOf(nn.Flatten);
    expect(seq.at(1)).toBeInstanceOf(nn.ReLU);
    expect([...seq].map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU', 'Flatten']);
    expect(() => seq.at(3)).toThrow('Sequential.at: index 3 is out of range for 3 modules');
    expect(() => seq.add({} as tg.nn.Module)).toThrow('Sequential.add: item 3 is not a Module (got Object)');
    expect(() => new nn.Sequential(new nn.ReLU(), 5 as unknown as tg.nn.Module)).toThrow('Sequential.add: item 1 is not a Module (got number)');
    const x = tg.tensor([[1, -2]]);
    const lin = seq.at(0) as tg.nn.Linear;
    expect(values(seq.call(x))).toEqual(values(lin.call(x).relu().flatten()));
    expect(new nn.Sequential().call(x)).toBe(x);
  });

  test('train()/eval() reach every sub-module, including Sequential children', () => {
    const m = new MLP();
    expect(m.modules().every((s) => s.training)).toBe(true);
    expect(m.eval()).toBe(m);
    expect(m.modules().every((s) => !s.training)).toBe(true);
    m.train();
    expect(m.modules().every((s) => s.training)).toBe(true);
    m.head.train(false);
    expect(m.training).toBe(true);
    expect(m.head.at(1).training).toBe(false);
  });

  test('toString prints like PyTorch, in camelCase', () => {
    const seq = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Dropout(0.1), new nn.Sequential(new nn.Linear(128, 10, { bias: false }), new nn.GELU('tanh')));
    expect(String(seq)).toBe(
      [
        'Sequential(',
        '  (0): Linear(inFeatures=784, outFeatures=128, bias=true)',
        '  (1): ReLU()',
        '  (2): Dropout(p=0.1)',
        '  (3): Sequential(',
        '    (0): Linear(inFeatures=128, outFeatures=10, bias=false)',
        "    (1): GELU(approximate='tanh')",
        '  )',
        ')',
      ].join('\n'),
    );
    expect(String(new nn.LeakyReLU(0.2))).toBe('LeakyReLU(negativeSlope=0.2)');
    expect(String(new nn.Flatten())).toBe('Flatten(startDim=1, endDim=-1)');
    expect(String(new nn.Softmax(1))).toBe('Softmax(axis=1)');
  });
});

describe('Linear', () => {
  test('initialisation: weight then bias from U(-1/√in, 1/√in), drawn from the generator in that order', () => {
    const lin = new nn.Linear(5, 3, { generator: new tg.Generator(7) });
    const g = new tg.Generator(7);
    const bound = 1 / Math.sqrt(5);
    const w = g.fillUniform(new Float32Array(15), -bound, bound);
    const b = g.fillUniform(new Float32Array(3), -bound, bound);
    expect(lin.weight.shape).toEqual([3, 5]);
    expect(lin.bias?.shape).toEqual([3]);
    expect(Array.from(lin.weight.value.data)).toEqual(Array.from(w));
    expect(Array.from(lin.bias!.value.data)).toEqual(Array.from(b));
    expect(lin.weight.requiresGrad && lin.bias!.requiresGrad).toBe(true);
    expect(lin.weight).toBeInstanceOf(nn.Parameter);
  });

  test('initialisation statistics of a large layer: bounds and the variance of U(-b, b)', () => {
    const lin = new nn.Linear(400, 300, { generator: new tg.Generator(3) });
    const bound = 1 / 20;
    const w = lin.weight.value.data;
    let max = 0;
    let sq = 0;
    for (const v of w) {
      max = Math.max(max, Math.abs(v));
      sq += v * v;
    }
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(bound * 0.999);
    expect(sq / w.length).toBeCloseTo((bound * bound) / 3, 5);
    expect(Math.max(...Array.from(lin.bias!.value.data, Math.abs))).toBeLessThanOrEqual(bound);
  });

  test('forward is x·Wᵀ + b for [N, in], [..., in] and [in] inputs', () => {
    const lin = new nn.Linear(3, 2, { dtype: 'float64' });
    lin.weight.value.data.set([1, 2, 3, -1, 0.5, 0]);
    lin.bias!.value.data.set([0.25, -4]);
    const manual = (x: number[]) => [x[0] + 2 * x[1] + 3 * x[2] + 0.25, -x[0] + 0.5 * x[1] - 4];
    const rows = [[1, 2, 3], [0, -1, 4], [2, 2, 2], [-3, 1, 0.5]];
    expect(lin.call(tg.tensor(rows, f64)).toArray()).toEqual(rows.map(manual));
    const y3 = lin.call(tg.tensor([[rows[0], rows[1]], [rows[2], rows[3]]], f64));
    expect(y3.shape).toEqual([2, 2, 2]);
    expect(y3.toArray()).toEqual([[manual(rows[0]), manual(rows[1])], [manual(rows[2]), manual(rows[3])]]);
    expect(lin.call(tg.tensor(rows[1], f64)).toArray()).toEqual(manual(rows[1]));
    const noBias = new nn.Linear(3, 2, { bias: false });
    expect(noBias.bias).toBeNull();
    expect(noBias.namedParameters().map(([k]) => k)).toEqual(['weight']);
    expect(values(noBias.call(tg.ones([1, 3])))).toEqual(values(noBias.weight.sum(1)));
  });

  test('argument and shape errors name the layer', () => {
    expect(() => new nn.Linear(0, 3)).toThrow('Linear: inFeatures must be a positive integer, got 0');
    expect(() => new nn.Linear(2.5, 3)).toThrow('Linear: inFeatures must be a positive integer, got 2.5');
    expect(() => new nn.Linear(3, -1)).toThrow('Linear: outFeatures must be a positive integer, got -1');
    expect(() => new nn.Linear(3, 2, { dtype: 'int8' as 'float32' })).toThrow(/Linear: unknown dtype "int8"/);
    expect(() => new nn.Linear(784, 128).call(tg.zeros([32, 100]))).toThrow(
      'Linear(784 → 128): expected input with last dimension 784, got shape [32,100]',
    );
    expect(() => new nn.Linear(2, 1).call(tg.tensor(3))).toThrow('Linear(2 → 1): expected input with last dimension 2, got shape []');
  });
});

describe('Dropout', () => {
  test('eval mode and p = 0 are the identity', () => {
    const x = tg.randn([4, 5]);
    const d = new nn.Dropout(0.5).eval();
    expect(d.call(x)).toBe(x);
    expect(new nn.Dropout(0).call(x)).toBe(x);
  });

  test('train mode zeroes about p of the elements and scales the rest by 1/(1-p)', () => {
    const p = 0.3;
    const x = tg.ones([200, 500]);
    const y = new nn.Dropout(p, { generator: new tg.Generator(11) }).call(x).value.data;
    const kept = Math.fround(1 / (1 - p));
    let zeros = 0;
    let others = 0;
    let sum = 0;
    for (const v of y) {
      if (v === 0) zeros++;
      else if (v !== kept) others++;
      sum += v;
    }
    expect(others).toBe(0);
    expect(Math.abs(zeros / y.length - p)).toBeLessThan(0.005);
    expect(Math.abs(sum / y.length - 1)).toBeLessThan(0.01);
  });

  test('masks are reproducible from the seed, and the gradient is the mask', () => {
    const x = tg.randn([6, 7], { requiresGrad: true });
    const a = new nn.Dropout(0.5, { generator: new tg.Generator(5) }).call(x);
    const b = new nn.Dropout(0.5, { generator: new tg.Generator(5) }).call(x);
    expect(values(a)).toEqual(values(b));
    a.sum().backward();
    const g = values(x.grad!);
    const xs = values(x);
    values(a).forEach((v, i) => expect(v).toBeCloseTo(xs[i] * g[i], 6));
    expect(g.every((v) => v === 0 || v === 2)).toBe(true);
    const c = new nn.Dropout(0.5, { generator: new tg.Generator(6) }).call(x);
    expect(values(c)).not.toEqual(values(a));
  });

  test('p must be in [0, 1)', () => {
    for (const p of [-0.1, 1, 1.5, NaN]) expect(() => new nn.Dropout(p)).toThrow(`Dropout: p must be in [0, 1), got ${p}`);
    expect(() => new nn.Dropout('0.5' as unknown as number)).toThrow('Dropout: p must be in [0, 1), got 0.5');
  });
});

describe('GELU and erf', () => {
  // 40-digit values (mpmath), rounded to float64
  const GELU: [number, number][] = [
    [-10, -7.619853024160526e-23], [-6, -5.9195258702261885e-9], [-3, -0.0040496940948902835], [-1.5, -0.1002108019032871],
    [-0.5, -0.15426876936299344], [-1e-3, -0.000499601057786089], [0, 0], [1e-3, 0.000500398942213911], [0.5, 0.34573123063700656],
    [1, 0.8413447460685429], [1.5, 1.399789198096713], [3, 2.99595030590511], [6, 5.999999994080474], [10, 10],
  ];
  const ERF: [number, number][] = [
    [-3, -0.9999779095030014], [-0.5, -0.5204998778130465], [0, 0], [1e-8, 1.1283791670955126e-8], [0.3, 0.3286267594591274],
    [1, 0.8427007929497149], [2.5, 0.999593047982555], [5, 0.9999999999984626],
  ];
  const ERFC: [number, number][] = [[-2, 1.9953222650189528], [0.5, 0.4795001221869535], [3, 2.209049699858544e-5], [10, 2.088487583762545e-45], [26, 5.663192408856143e-296]];
  const GELU_GRAD: [number, number][] = [[-2, -0.0852318010781969], [-0.3, 0.26767223317289013], [0, 0.5], [0.7, 0.9766141011336599], [2.5, 1.037611085908145]];

  test('exact GELU, erf and erfc match reference values in float64', () => {
    const col = (rows: [number, number][], k: 0 | 1) => rows.map((r) => r[k]);
    // relative 2e-14 covers the left tail, where erfc(z)'s condition number 2z² amplifies rounding of z
    expectClose(values(nn.gelu(tg.tensor(col(GELU, 0), f64))), col(GELU, 1), 1e-300, 2e-14);
    expectClose(values(new nn.GELU().call(tg.tensor(col(GELU, 0).slice(2, -2), f64))), col(GELU, 1).slice(2, -2), 1e-300, 2e-15);
    expectClose(values(nn.erf(tg.tensor(col(ERF, 0), f64))), col(ERF, 1), 0, 2e-15); // relative, even near 0
    expectClose(values(nn.erfc(tg.tensor(col(ERFC, 0), f64))), col(ERFC, 1), 0, 1e-12); // relative error grows like x²·ε
    expect(values(nn.erf(tg.tensor([Infinity, -Infinity], f64)))).toEqual([1, -1]);
    expect(values(new nn.GELU().call(tg.tensor([Infinity], f64)))).toEqual([Infinity]);
  });

  test('erf in float64 matches a dense series reference to 1e-15 on [-6, 6]', () => {
    // erf x = 2/√π · e^(-x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): all terms positive, so no cancellation
    const ref = (x: number) => {
      let term = x;
      let sum = x;
      for (let n = 1; n < 400; n++) {
        term *= (2 * x * x) / (2 * n + 1);
        sum += term;
      }
      return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
    };
    const xs = Array.from({ length: 1201 }, (_, i) => -6 + i * 0.01);
    expectClose(values(nn.erf(tg.tensor(xs, f64))), xs.map(ref), 2e-15);
  });

  test('float32 GELU is within float32 precision, and the tanh form matches its formula', () => {
    const xs = GELU.map((r) => r[0]);
    expectClose(values(nn.gelu(tg.tensor(xs))), GELU.map((r) => r[1]), 1e-6, 1e-6);
    const tanhRef = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    expectClose(values(new nn.GELU('tanh').call(tg.tensor(xs, f64))), xs.map(tanhRef), 1e-15, 1e-14);
    expect(() => new nn.GELU('fast' as 'none')).toThrow(`GELU: approximate must be 'none' or 'tanh', got "fast"`);
  });

  test("the exact GELU's gradient is Φ(x) + x·φ(x)", () => {
    const x = tg.tensor(GELU_GRAD.map((r) => r[0]), { dtype: 'float64', requiresGrad: true });
    nn.gelu(x).sum().backward();
    expectClose(values(x.grad!), GELU_GRAD.map((r) => r[1]), 1e-15, 2e-15);
  });

  test('gradcheck and gradgradcheck of erf, erfc, normalCdf and both GELUs', () => {
    const x = randLeaf([12], 21, 3);
    const fns: ((t: tg.Tensor) => tg.Tensor)[] = [nn.erf, nn.erfc, nn.normalCdf, (t) => nn.gelu(t), (t) => nn.gelu(t, 'tanh')];
    for (const f of fns) {
      expect(tg.gradcheck(f, [x])).toBe(true);
      expect(tg.gradgradcheck(f, [x])).toBe(true);
    }
  });
});

describe('gradcheck of every layer in float64', () => {
  const x = randLeaf([3, 4], 1);
  const cases: [string, () => tg.nn.Module][] = [
    ['Identity', () => new nn.Identity()],
    ['ReLU', () => new nn.ReLU()],
    ['LeakyReLU', () => new nn.LeakyReLU(0.2)],
    ['GELU', () => new nn.GELU()],
    ['GELU tanh', () => new nn.GELU('tanh')],
    ['SiLU', () => new nn.SiLU()],
    ['Sigmoid', () => new nn.Sigmoid()],
    ['Tanh', () => new nn.Tanh()],
    ['Softmax', () => new nn.Softmax()],
    ['Softmax axis 0', () => new nn.Softmax(0)],
    ['LogSoftmax', () => new nn.LogSoftmax(-1)],
    ['Softplus', () => new nn.Softplus()],
    ['Softplus beta 2 threshold 1', () => new nn.Softplus(2, 1)],
    ['Flatten', () => new nn.Flatten(0)],
  ];
  test.each(cases)('%s', (_, make) => {
    expect(tg.gradcheck((t) => make().call(t), [x])).toBe(true);
  });

  test('Linear, with respect to input, weight and bias', () => {
    const lin = new nn.Linear(4, 3, { dtype: 'float64' });
    expect(tg.gradcheck((t) => lin.call(t), [x, lin.weight, lin.bias!])).toBe(true);
    const x3 = randLeaf([2, 2, 4], 2);
    expect(tg.gradcheck((t) => lin.call(t), [x3, lin.weight])).toBe(true);
  });

  test('Dropout with a fixed mask (re-seeded for every evaluation)', () => {
    const gen = new tg.Generator(9);
    const drop = new nn.Dropout(0.4, { generator: gen });
    expect(
      tg.gradcheck((t) => {
        gen.manualSeed(9);
        return drop.call(t);
      }, [x]),
    ).toBe(true);
  });

  test('a Sequential MLP with GELU, with respect to all of its parameters', () => {
    const g = new tg.Generator(4);
    const mlp = new nn.Sequential(
      new nn.Linear(4, 5, { dtype: 'float64', generator: g }), new nn.GELU(), new nn.Linear(5, 2, { dtype: 'float64', generator: g }), new nn.LogSoftmax(),
    );
    expect(tg.gradcheck((t) => mlp.call(t), [x, ...mlp.parameters()])).toBe(true);
  });
});

describe('stateDict / loadStateDict', () => {
  const make = (seed: number) => {
    const g = new tg.Generator(seed);
    return new nn.Sequential(new nn.Linear(2, 3, { generator: g }), new nn.Tanh(), new nn.Linear(3, 2, { generator: g }));
  };

  test('round trip: a model loaded from another computes the same outputs', () => {
    const a = make(1);
    const b = make(2);
    const x = tg.randn([5, 2], { generator: new tg.Generator(0) });
    expect(values(b.call(x))).not.toEqual(values(a.call(x)));
    b.loadStateDict(a.stateDict());
    expect(values(b.call(x))).toEqual(values(a.call(x)));
    // copies, not shared storage
    (a.at(0) as tg.nn.Linear).weight.value.data[0] += 1;
    expect(values(b.call(x))).not.toEqual(values(a.call(x)));
    // a plain object works too
    b.loadStateDict(Object.fromEntries(a.stateDict()));
    expect(values(b.call(x))).toEqual(values(a.call(x)));
  });

  test('a shape mismatch names the parameter and both shapes, and changes nothing', () => {
    const a = make(1);
    const before = values(a.parameters()[0]);
    const state = make(2).stateDict();
    state.set('2.weight', tg.zeros([3, 2]));
    expect(() => a.loadStateDict(state)).toThrow('loadStateDict: parameter 2.weight has shape [2,3], the state has [3,2]');
    expect(values(a.parameters()[0])).toEqual(before);
  });

  test('strict mode reports missing and unexpected keys; strict: false ignores them', () => {
    const a = make(1);
    const state = make(2).stateDict();
    state.delete('0.bias');
    state.set('3.weight', tg.zeros([1]));
    expect(() => a.loadStateDict(state)).toThrow('loadStateDict: missing keys 0.bias; unexpected keys 3.weight');
    a.loadStateDict(state, { strict: false });
    expect(values(a.parameters()[0])).toEqual(values(state.get('0.weight')!));
  });
});

describe('nn.init', () => {
  const stats = (t: tg.Tensor) => {
    const d = t.value.data;
    let s = 0;
    let s2 = 0;
    let max = 0;
    for (const v of d) {
      s += v;
      s2 += v * v;
      max = Math.max(max, Math.abs(v));
    }
    return { mean: s / d.length, std: Math.sqrt(s2 / d.length - (s / d.length) ** 2), max };
  };
  const init = nn.init;

  test('calculateGain and fans as PyTorch computes them', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('conv2d')).toBe(1);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(init.calculateGain('leakyRelu')).toBeCloseTo(Math.sqrt(2 / (1 + 1e-4)), 15);
    expect(init.calculateGain('leakyRelu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('swish' as 'relu')).toThrow('calculateGain: unsupported nonlinearity "swish"');
    expect(init.calculateFanInAndFanOut(tg.zeros([30, 20]))).toEqual([20, 30]);
    expect(init.calculateFanInAndFanOut(tg.zeros([16, 3, 5, 5]))).toEqual([75, 400]);
    expect(() => init.kaimingUniform_(tg.zeros([5]))).toThrow(/kaimingUniform_: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions, got shape \[5\]/);
  });

  test('Kaiming and Xavier draw with the right bounds and standard deviations', () => {
    const gen = { generator: new tg.Generator(2) };
    const w = tg.zeros([500, 200]); // fanIn 200, fanOut 500
    init.kaimingUniform_(w, { ...gen, nonlinearity: 'relu' });
    let s = stats(w);
    const bound = Math.sqrt(2) * Math.sqrt(3 / 200);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.max).toBeGreaterThan(0.999 * bound);
    expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 3);
    init.kaimingNormal_(w, { ...gen, mode: 'fanOut', nonlinearity: 'tanh' });
    s = stats(w);
    expect(s.std / ((5 / 3) / Math.sqrt(500))).toBeCloseTo(1, 2);
    expect(Math.abs(s.mean)).toBeLessThan(1e-3);
    init.kaimingNormal_(w, gen); // default: leakyRelu with a = 0, fanIn → std √2/√200
    expect(stats(w).std / (Math.SQRT2 / Math.sqrt(200))).toBeCloseTo(1, 2);
    init.xavierUniform_(w, { ...gen, gain: 2 });
    s = stats(w);
    const a = 2 * Math.sqrt(6 / 700);
    expect(s.max).toBeLessThanOrEqual(a);
    expect(s.max).toBeGreaterThan(0.999 * a);
    init.xavierNormal_(w, gen);
    expect(stats(w).std / Math.sqrt(2 / 700)).toBeCloseTo(1, 2);
    expect(() => init.kaimingNormal_(w, { mode: 'fan_in' as 'fanIn' })).toThrow(`kaimingNormal_: mode must be 'fanIn' or 'fanOut', got "fan_in"`);
  });

  test('the same generator seed gives the same values; simple fills; aliases', () => {
    const a = init.normal_(tg.zeros([4, 4]), 1, 2, { generator: new tg.Generator(3) });
    const b = init.normal(tg.zeros([4, 4]), 1, 2, { generator: new tg.Generator(3) });
    expect(values(a)).toEqual(values(b));
    expect(init.kaimingUniform).toBe(init.kaimingUniform_);
    expect(init.xavierNormal).toBe(init.xavierNormal_);
    const u = init.uniform_(tg.zeros([1000]), -3, -2);
    expect(values(u).every((v) => v >= -3 && v <= -2)).toBe(true);
    expect(values(init.constant_(tg.zeros([2, 2]), 7))).toEqual([7, 7, 7, 7]);
    expect(values(init.ones_(tg.zeros([3])))).toEqual([1, 1, 1]);
    expect(values(init.zeros_(tg.ones([3])))).toEqual([0, 0, 0]);
  });

  test('fills write through views into the shared storage', () => {
    const base = tg.zeros([2, 3]);
    init.constant_(base.T, 5);
    expect(values(base)).toEqual([5, 5, 5, 5, 5, 5]);
    const lin = new nn.Linear(3, 2);
    const view = lin.weight.detach().T; // [3, 2], strided
    init.uniform_(view, 10, 11, { generator: new tg.Generator(1) });
    const direct = init.uniform_(tg.zeros([3, 2]), 10, 11, { generator: new tg.Generator(1) });
    expect(values(lin.weight.T.contiguous())).toEqual(values(direct));
  });
});
