// Tests for tg.optim: every optimizer and option against a plain float64 transcription of PyTorch's documented
// update, param groups and state dicts, the lr schedulers, gradient clipping, and an MLP trained on two moons.

import { describe, expect, test } from 'vitest';
import * as tg from 'tapegrad';

const { nn, optim } = tg;

// ---- plain float64 references, transcribed from the update rules in PyTorch's documentation ----------
// Each takes the hyperparameters and returns a stepper: (θ, g) ↦ θ' on number[] (state in the closure).

type Stepper = (theta: number[], grad: number[]) => number[];
type Hyper = Record<string, unknown>;

function refSGD(h: Hyper): Stepper {
  const { lr = 1e-3, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = h as Record<string, number & boolean>;
  let b: number[] | null = null;
  return (theta, grad) => {
    let g = grad.map((gi, i) => (maximize ? -gi : gi) + weightDecay * theta[i]);
    if (momentum !== 0) {
      b = b === null ? [...g] : b.map((bi, i) => momentum * bi + (1 - dampening) * g[i]);
      const buf = b;
      g = nesterov ? g.map((gi, i) => gi + momentum * buf[i]) : buf;
    }
    return theta.map((t, i) => t - lr * g[i]);
  };
}

function refAdam(h: Hyper, decoupled: boolean): Stepper {
  const { lr = 1e-3, eps = 1e-8, amsgrad = false, maximize = false } = h as Record<string, number & boolean>;
  const weightDecay = (h.weightDecay as number | undefined) ?? (decoupled ? 1e-2 : 0);
  const [b1, b2] = (h.betas as [number, number] | undefined) ?? [0.9, 0.999];
  let m: number[] | null = null;
  let v: number[] = [];
  let vMax: number[] = [];
  let t = 0;
  return (theta0, grad) => {
    t++;
    let theta = theta0;
    if (decoupled) theta = theta.map((x) => x * (1 - lr * weightDecay));
    const g = grad.map((gi, i) => (maximize ? -gi : gi) + (decoupled ? 0 : weightDecay * theta0[i]));
    if (m === null) {
      m = g.map(() => 0);
      v = g.map(() => 0);
      vMax = g.map(() => 0);
    }
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i]);
    const mHat = m.map((mi) => mi / (1 - b1 ** t));
    let vUse = v;
    if (amsgrad) vUse = vMax = vMax.map((x, i) => Math.max(x, v[i]));
    const vHat = vUse.map((vi) => vi / (1 - b2 ** t));
    return theta.map((x, i) => x - (lr * mHat[i]) / (Math.sqrt(vHat[i]) + eps));
  };
}

function refRMSprop(h: Hyper): Stepper {
  const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, maximize = false } = h as Record<string, number & boolean>;
  let v: number[] | null = null;
  let gAve: number[] = [];
  let b: number[] = [];
  return (theta, grad) => {
    const g = grad.map((gi, i) => (maximize ? -gi : gi) + weightDecay * theta[i]);
    if (v === null) {
      v = g.map(() => 0);
      gAve = g.map(() => 0);
      b = g.map(() => 0);
    }
    v = v.map((vi, i) => alpha * vi + (1 - alpha) * g[i] * g[i]);
    let vTilde = v;
    if (centered) {
      gAve = gAve.map((a, i) => alpha * a + (1 - alpha) * g[i]);
      vTilde = v.map((vi, i) => vi - gAve[i] * gAve[i]);
    }
    const denom = vTilde.map((x) => Math.sqrt(x) + eps);
    if (momentum > 0) {
      b = b.map((bi, i) => momentum * bi + g[i] / denom[i]);
      return theta.map((x, i) => x - lr * b[i]);
    }
    return theta.map((x, i) => x - (lr * g[i]) / denom[i]);
  };
}

function refAdagrad(h: Hyper): Stepper {
  const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, maximize = false } = h as Record<string, number & boolean>;
  let sum: number[] | null = null;
  let t = 0;
  return (theta, grad) => {
    t++;
    const clr = lr / (1 + (t - 1) * lrDecay);
    const g = grad.map((gi, i) => (maximize ? -gi : gi) + weightDecay * theta[i]);
    sum = (sum ?? g.map(() => initialAccumulatorValue)).map((s, i) => s + g[i] * g[i]);
    const s = sum;
    return theta.map((x, i) => x - (clr * g[i]) / (Math.sqrt(s[i]) + eps));
  };
}

// ---- hand-made gradient sequences: mixed signs, magnitudes that rise then fall (so AMSGrad's max matters)

const N = 7;
const THETA0 = Array.from({ length: N }, (_, i) => Math.cos(1.7 * i) * (1 + i / 3));
const STEPS = 6;
const gradAt = (t: number): number[] =>
  Array.from({ length: N }, (_, i) => Math.sin(1.3 * i + 0.7 * t) * (t < 3 ? 1 + t : 4 / (t - 1)) * (i === 3 ? 1e-3 : 1));

type Make = (params: tg.Tensor[], h: Hyper) => tg.optim.Optimizer;

function compare(make: Make, refFor: (h: Hyper) => Stepper, h: Hyper, dtype: tg.DType): void {
  const p = new nn.Parameter(tg.tensor(THETA0, { dtype }));
  const opt = make([p], h);
  const ref = refFor(h);
  let theta = dtype === 'float32' ? THETA0.map(Math.fround) : [...THETA0];
  const tol = dtype === 'float32' ? 1e-6 : 1e-13;
  for (let t = 0; t < STEPS; t++) {
    const g = gradAt(t);
    p.grad = tg.tensor(g, { dtype });
    opt.step();
    theta = ref(theta, dtype === 'float32' ? g.map(Math.fround) : g);
    const got = Array.from(p.value.data);
    got.forEach((x, i) => {
      if (!(Math.abs(x - theta[i]) <= tol * Math.max(1, Math.abs(theta[i])))) {
        throw new Error(`step ${t + 1}, element ${i}: got ${x}, reference ${theta[i]}`);
      }
    });
  }
}

const CASES: [string, Make, (h: Hyper) => Stepper, Hyper[]][] = [
  ['SGD', (p, h) => new optim.SGD(p, h), refSGD, [
    { lr: 0.1 }, {}, { lr: 0.1, momentum: 0.9 }, { lr: 0.1, momentum: 0.9, dampening: 0.5 }, { lr: 0.1, momentum: 0.9, nesterov: true },
    { lr: 0.1, weightDecay: 0.05 }, { lr: 0.1, maximize: true }, { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.1, maximize: true },
    { lr: 0.05, momentum: 0.5, dampening: 0.3, weightDecay: 0.2 },
  ]],
  ['Adam', (p, h) => new optim.Adam(p, h), (h) => refAdam(h, false), [
    {}, { lr: 0.05 }, { lr: 0.05, amsgrad: true }, { lr: 0.05, weightDecay: 0.1 }, { lr: 0.05, maximize: true }, { lr: 0.05, betas: [0.8, 0.99] },
    { lr: 0.05, eps: 1e-3 }, { lr: 0.02, amsgrad: true, weightDecay: 0.3, maximize: true, betas: [0.5, 0.9] },
  ]],
  ['Adam (decoupledWeightDecay)', (p, h) => new optim.Adam(p, { ...h, decoupledWeightDecay: true }), (h) => refAdam(h, true), [
    { lr: 0.05, weightDecay: 0.2 },
  ]],
  ['AdamW', (p, h) => new optim.AdamW(p, h), (h) => refAdam(h, true), [
    {}, { lr: 0.05 }, { lr: 0.05, weightDecay: 0.5 }, { lr: 0.05, weightDecay: 0.5, amsgrad: true }, { lr: 0.05, maximize: true, betas: [0.7, 0.95] },
  ]],
  ['RMSprop', (p, h) => new optim.RMSprop(p, h), refRMSprop, [
    {}, { alpha: 0.9 }, { centered: true }, { momentum: 0.9 }, { centered: true, momentum: 0.5, weightDecay: 0.1 }, { maximize: true, eps: 1e-2 },
    { lr: 0.001, alpha: 0.5, centered: true, maximize: true },
  ]],
  ['Adagrad', (p, h) => new optim.Adagrad(p, h), refAdagrad, [
    {}, { lr: 0.1 }, { lr: 0.1, lrDecay: 0.3 }, { lr: 0.1, initialAccumulatorValue: 0.5 }, { lr: 0.1, weightDecay: 0.2 }, { lr: 0.1, eps: 1e-2 },
    { lr: 0.1, maximize: true, lrDecay: 0.1, weightDecay: 0.1 },
  ]],
];

describe('update rules against float64 references', () => {
  for (const [name, make, ref, configs] of CASES) {
    for (const h of configs) {
      for (const dtype of ['float32', 'float64'] as const) {
        test(`${name} ${JSON.stringify(h)} ${dtype}`, () => compare(make, ref, h, dtype));
      }
    }
  }
});

// ---- the Optimizer base ---------------------------------------------------------------------------------

describe('Optimizer base', () => {
  const param = (v: number[]) => new nn.Parameter(tg.tensor(v));

  test('param groups use their own hyperparameters, falling back to the defaults', () => {
    const a = param([1, 2]);
    const b = param([3]);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
    expect(opt.paramGroups[1].momentum).toBe(0);
    a.grad = tg.tensor([1, 1]);
    b.grad = tg.tensor([1]);
    opt.step();
    expect(Array.from(a.value.data)).toEqual([Math.fround(0.9), Math.fround(1.9)]);
    expect(Array.from(b.value.data)).toEqual([2.5]);
    const c = param([0]);
    opt.addParamGroup({ params: [c], lr: 2 });
    c.grad = tg.tensor([1]);
    opt.step();
    expect(c.value.data[0]).toBe(-2);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow('SGD: some parameters appear in more than one parameter group');
  });

  test('parameters without a gradient are skipped and get no state', () => {
    const a = param([1]);
    const b = param([1]);
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = tg.tensor([1]);
    opt.step();
    expect(b.value.data[0]).toBe(1);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)?.step).toBe(1);
  });

  test('zeroGrad sets gradients to null, or to zeros with setToNone = false', () => {
    const a = param([1, 2]);
    const opt = new optim.SGD([a]);
    a.grad = tg.tensor([3, 4]);
    opt.zeroGrad(false);
    expect(a.grad?.toArray()).toEqual([0, 0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  test('step(closure) evaluates the closure with grad enabled and returns its loss', () => {
    const a = param([2]);
    const opt = new optim.SGD([a], { lr: 0.25 });
    const loss = tg.noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = a.mul(a).sum();
        l.backward();
        return l.item();
      }),
    );
    expect(loss).toBe(4);
    expect(a.value.data[0]).toBe(1); // 2 - 0.25·4
  });

  test('p.value is read fresh each step (Module.loadStateDict replaces it)', () => {
    const model = new nn.Linear(2, 1);
    const other = new nn.Linear(2, 1);
    const opt = new optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
    model.loadStateDict(other.stateDict());
    for (const p of model.parameters()) p.grad = tg.onesLike(p);
    opt.step();
    const expected = other.parameters().map((p) => Array.from(p.value.data, (v) => Math.fround(v - 0.5)));
    expect(model.parameters().map((p) => Array.from(p.value.data))).toEqual(expected);
  });

  test('a strided parameter is updated correctly (it gets its own dense storage)', () => {
    const p = new nn.Parameter(tg.tensor([[1, 2], [3, 4]]).T);
    const opt = new optim.SGD([p], { lr: 1 });
    p.grad = tg.tensor([[1, 1], [1, 1]]);
    opt.step();
    expect(p.toArray()).toEqual([[0, 2], [1, 3]]);
  });

  test('stateDict / loadStateDict: a restored optimizer continues exactly like the original', () => {
    for (const make of [
      (ps: tg.Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }),
      (ps: tg.Tensor[]) => new optim.Adam(ps, { lr: 0.1, amsgrad: true }),
      (ps: tg.Tensor[]) => new optim.AdamW(ps, { lr: 0.1 }),
      (ps: tg.Tensor[]) => new optim.RMSprop([{ params: ps.slice(0, 1), centered: true, momentum: 0.5 }, { params: ps.slice(1) }]),
      (ps: tg.Tensor[]) => new optim.Adagrad(ps, { lrDecay: 0.1 }),
    ]) {
      const ps = [param([1, -2, 3]), param([0.5])];
      const opt = make(ps);
      const run = (o: typeof opt, qs: tg.Tensor[], from: number, to: number) => {
        for (let t = from; t < to; t++) {
          qs[0].grad = tg.tensor([Math.sin(t), Math.cos(t), t / 3]);
          qs[1].grad = tg.tensor([1 / (t + 1)]);
          o.step();
        }
      };
      run(opt, ps, 0, 3);
      const saved = opt.stateDict();
      const qs = ps.map((p) => new nn.Parameter(tg.tensor(p.toArray())));
      const restored = make(qs);
      restored.loadStateDict(saved);
      saved.state[0] = {}; // the dict is a snapshot: changing it later changes nothing
      run(opt, ps, 3, 6);
      run(restored, qs, 3, 6);
      expect(qs.map((q) => q.toArray())).toEqual(ps.map((p) => p.toArray()));
    }
  });

  test('stateDict format: state by position, hyperparameters per group', () => {
    const ps = [param([1, 2]), param([3])];
    const opt = new optim.SGD([{ params: [ps[0]] }, { params: [ps[1]], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    ps[1].grad = tg.tensor([1]);
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['1']);
    expect(Array.from(sd.state[1].momentumBuffer as Float32Array)).toEqual([1]);
    expect(sd.paramGroups.map((g) => [g.lr, g.params])).toEqual([[0.1, [0]], [0.5, [1]]]);
    const other = new optim.SGD([ps[0], ps[1]], { lr: 0.1 });
    expect(() => other.loadStateDict(sd)).toThrow('SGD.loadStateDict: the state has 2 parameter groups, the optimizer has 1');
    const bad = { state: { 1: { momentumBuffer: new Float32Array(3) } }, paramGroups: sd.paramGroups };
    expect(() => opt.loadStateDict(bad)).toThrow("SGD.loadStateDict: state 'momentumBuffer' of parameter 1 has 3 elements, the parameter has 1");
  });

  test('invalid arguments are rejected with PyTorch-like messages', () => {
    const a = param([1]);
    expect(() => new optim.SGD([a], { lr: -1 })).toThrow('SGD: invalid learning rate -1 (must be a finite number >= 0)');
    expect(() => new optim.SGD([a], { nesterov: true })).toThrow('SGD: Nesterov momentum requires a momentum and zero dampening');
    expect(() => new optim.SGD([a], { momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(/Nesterov/);
    expect(() => new optim.Adam([a], { betas: [1, 0.9] })).toThrow('Adam: invalid beta parameter at index 0 1 (must be in [0, 1))');
    expect(() => new optim.AdamW([a], { eps: -1 })).toThrow('AdamW: invalid epsilon value -1');
    expect(() => new optim.RMSprop([a], { alpha: -0.5 })).toThrow('RMSprop: invalid alpha -0.5');
    expect(() => new optim.Adagrad([a], { lrDecay: -1 })).toThrow('Adagrad: invalid lrDecay -1');
    expect(() => new optim.SGD([])).toThrow('SGD: got an empty parameter list');
    expect(() => new optim.SGD(new nn.Linear(1, 1) as unknown as tg.Tensor[])).toThrow('SGD: params must be an iterable of Tensors or of param groups; pass model.parameters()');
    expect(() => new optim.SGD(a as unknown as tg.Tensor[])).toThrow(/got a single Tensor/);
    expect(() => new optim.SGD([a, a])).toThrow('SGD: a parameter appears twice in one param group');
    expect(() => new optim.SGD([a.mul(2)])).toThrow("SGD: can't optimize a non-leaf Tensor");
    expect(() => new optim.SGD([{ params: [a], lr: -0.1 }])).toThrow('SGD: invalid learning rate -0.1');
  });

  test('options given as undefined take the defaults', () => {
    const a = param([1]);
    expect(new optim.SGD([a], { lr: undefined, momentum: undefined }).defaults).toMatchObject({ lr: 1e-3, momentum: 0 });
    expect(new optim.AdamW([a], { weightDecay: undefined, betas: undefined }).defaults).toMatchObject({ weightDecay: 0.01, betas: [0.9, 0.999] });
    expect(new optim.Adam([a]).defaults).toMatchObject({ lr: 1e-3, eps: 1e-8, weightDecay: 0, amsgrad: false });
    expect(new optim.RMSprop([a]).defaults).toMatchObject({ lr: 1e-2, alpha: 0.99, eps: 1e-8, centered: false });
    expect(new optim.Adagrad([a]).defaults).toMatchObject({ lr: 1e-2, lrDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 });
  });

  test('Adagrad has its state from the start, as in PyTorch', () => {
    const a = param([1, 2]);
    const opt = new optim.Adagrad([a], { initialAccumulatorValue: 0.25 });
    expect(opt.state.get(a)?.step).toBe(0);
    expect(Array.from(opt.state.get(a)?.sum as Float32Array)).toEqual([0.25, 0.25]);
  });
});

// ---- schedulers -------------------------------------------------------------------------------------------

describe('learning-rate schedulers', () => {
  const makeOpt = (lrs: number[]) => new optim.SGD(lrs.map((lr) => ({ params: [new nn.Parameter(tg.zeros([1]))], lr })));
  const run = (s: { step(): void; getLastLr(): number[] }, epochs: number) => {
    const out = [s.getLastLr()];
    for (let e = 1; e < epochs; e++) {
      s.step();
      out.push(s.getLastLr());
    }
    return out;
  };
  const closeRows = (got: number[][], want: number[][]) =>
    got.forEach((row, e) => row.forEach((v, i) => expect(v).toBeCloseTo(want[e][i], 12)));

  test('StepLR: lr = base·γ^⌊epoch/stepSize⌋', () => {
    const opt = makeOpt([0.1, 1]);
    const s = new optim.StepLR(opt, 3, 0.5);
    closeRows(run(s, 12), Array.from({ length: 12 }, (_, e) => [0.1, 1].map((b) => b * 0.5 ** Math.floor(e / 3))));
    expect(opt.paramGroups.map((g) => g.lr)).toEqual(s.getLastLr());
    closeRows([s.getClosedFormLr()], [s.getLastLr()]);
    expect(opt.paramGroups[0].initialLr).toBe(0.1);
    expect(() => new optim.StepLR(opt, 0)).toThrow('StepLR: stepSize must be a positive integer, got 0');
  });

  test('ExponentialLR: lr = base·γ^epoch', () => {
    const s = new optim.ExponentialLR(makeOpt([0.2]), 0.9);
    closeRows(run(s, 10), Array.from({ length: 10 }, (_, e) => [0.2 * 0.9 ** e]));
  });

  test('CosineAnnealingLR: lr = ηmin + (base - ηmin)(1 + cos(π·epoch/tMax))/2, periodic after tMax', () => {
    const s = new optim.CosineAnnealingLR(makeOpt([0.1, 0.5]), 10, 0.01);
    const want = (b: number, e: number) => 0.01 + (b - 0.01) * (1 + Math.cos((Math.PI * e) / 10)) / 2;
    const rows = run(s, 25);
    closeRows(rows, Array.from({ length: 25 }, (_, e) => [want(0.1, e), want(0.5, e)]));
    expect(rows[10][0]).toBeCloseTo(0.01, 15);
    expect(rows[20][1]).toBeCloseTo(0.5, 15);
  });

  test('schedulers drive the optimizer: SGD steps use the scheduled lr', () => {
    const p = new nn.Parameter(tg.zeros([1], { dtype: 'float64' }));
    const opt = new optim.SGD([p], { lr: 1 });
    const s = new optim.StepLR(opt, 1, 0.5);
    let expected = 0;
    for (let e = 0; e < 4; e++) {
      p.grad = tg.ones([1], { dtype: 'float64' });
      opt.step();
      expected -= 0.5 ** e;
      s.step();
    }
    expect(p.value.data[0]).toBe(expected);
  });

  test('resuming with lastEpoch needs initialLr; scheduler state round-trips', () => {
    expect(() => new optim.ExponentialLR(makeOpt([0.1]), 0.5, 3)).toThrow(/paramGroups\[0\] has no initialLr/);
    const opt = makeOpt([1]);
    const s = new optim.ExponentialLR(opt, 0.5);
    s.step();
    s.step();
    const state = s.stateDict();
    const t = new optim.ExponentialLR(makeOpt([1]), 0.5);
    t.loadStateDict(state);
    expect(t.lastEpoch).toBe(2);
    expect(t.getLastLr()).toEqual([0.25]);
  });

  test('ReduceLROnPlateau (min, rel): reduces after more than `patience` bad epochs, then cools down', () => {
    const opt = makeOpt([1, 0.5]);
    const s = new optim.ReduceLROnPlateau(opt, { patience: 2, factor: 0.5, cooldown: 1, minLr: [0, 0.2] });
    const lrs: number[][] = [];
    // 1.0 best; 0.99995 is not better by the relative threshold 1e-4
    for (const m of [1, 0.9, 0.95, 0.9, 0.89995, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]) {
      s.step(m);
      lrs.push(s.getLastLr());
    }
    expect(lrs).toEqual([
      [1, 0.5], [1, 0.5], [1, 0.5], [1, 0.5], // bad epochs: 0.95, 0.9, 0.89995 → 3 > 2 at epoch 5
      [0.5, 0.25], // reduced; cooldown 1
      [0.5, 0.25], // 0.8 is better (counter reset), cooldown ends
      [0.5, 0.25], [0.5, 0.25], [0.25, 0.2], // three bad epochs → reduced; group 1 floored at 0.2
      [0.25, 0.2], [0.25, 0.2], [0.25, 0.2], // cooldown swallows one bad epoch, so 3 more are needed
    ]);
    expect(s.best).toBe(0.8);
  });

  test('ReduceLROnPlateau (max, abs) and argument checks', () => {
    const opt = makeOpt([0.1]);
    const s = new optim.ReduceLROnPlateau(opt, { mode: 'max', thresholdMode: 'abs', threshold: 0.1, patience: 0 });
    s.step(0.5); // better than -inf
    expect(s.getLastLr()[0]).toBe(0.1);
    s.step(0.55); // not better by 0.1 → bad epoch 1 > patience 0
    expect(s.getLastLr()[0]).toBeCloseTo(0.01, 15);
    s.step(tg.tensor(0.7)); // a tensor metric; better
    expect(s.best).toBeCloseTo(0.7, 6);
    expect(() => new optim.ReduceLROnPlateau(opt, { factor: 1 })).toThrow('ReduceLROnPlateau: factor must be in [0, 1), got 1');
    expect(() => new optim.ReduceLROnPlateau(opt, { mode: 'up' as 'min' })).toThrow(/mode must be 'min' or 'max'/);
    expect(() => new optim.ReduceLROnPlateau(opt, { minLr: [0, 0] })).toThrow('ReduceLROnPlateau: expected 1 minLr values (one per param group), got 2');
  });

  test('reductions smaller than eps are skipped', () => {
    const opt = makeOpt([1e-8]);
    const s = new optim.ReduceLROnPlateau(opt, { patience: 0 });
    s.step(1);
    s.step(2);
    expect(s.getLastLr()).toEqual([1e-8]);
  });
});

// ---- gradient clipping ------------------------------------------------------------------------------------

describe('gradient clipping', () => {
  const withGrads = (grads: number[][]) =>
    grads.map((g) => {
      const p = new nn.Parameter(tg.zeros([g.length], { dtype: 'float64' }));
      p.grad = tg.tensor(g, { dtype: 'float64' });
      return p;
    });
  const gradsOf = (ps: tg.Tensor[]) => ps.map((p) => (p.grad ? Array.from(p.grad.value.values()) : null));

  test('clipGradNorm: the joint 2-norm, scaled by maxNorm/(total + 1e-6) when above maxNorm', () => {
    const ps = withGrads([[3, 0], [0, 4]]);
    const noGrad = new nn.Parameter(tg.zeros([2]));
    expect(optim.clipGradNorm([...ps, noGrad], 1)).toBe(5);
    const c = 1 / (5 + 1e-6);
    expect(gradsOf(ps)).toEqual([[3 * c, 0], [0, 4 * c]]);
    expect(noGrad.grad).toBeNull();
    const small = withGrads([[0.3, 0.4]]);
    expect(optim.clipGradNorm(small, 1)).toBeCloseTo(0.5, 15);
    expect(gradsOf(small)).toEqual([[0.3, 0.4]]);
    expect(optim.clipGradNorm([noGrad], 1)).toBe(0);
  });

  test('clipGradNorm with other norms: 1, 3 and Infinity', () => {
    const g = [[1, -2], [3]];
    expect(optim.clipGradNorm(withGrads(g), 100, 1)).toBeCloseTo(6, 14);
    expect(optim.clipGradNorm(withGrads(g), 100, 3)).toBeCloseTo(36 ** (1 / 3), 14);
    const ps = withGrads(g);
    expect(optim.clipGradNorm(ps, 1.5, Infinity)).toBe(3);
    const c = 1.5 / (3 + 1e-6);
    expect(gradsOf(ps)).toEqual([[c, -2 * c], [3 * c]]);
    expect(optim.clipGradNorm(withGrads([[1e200, 1e200]]), 1)).toBeCloseTo(Math.SQRT2 * 1e200, -186); // no overflow
    expect(() => optim.clipGradNorm(withGrads(g), 1, 0)).toThrow('clipGradNorm: normType must be a positive number or Infinity, got 0');
  });

  test('non-finite norms: clipped by default, an error on request', () => {
    const ps = withGrads([[Infinity, 1]]);
    expect(optim.clipGradNorm(ps, 1)).toBe(Infinity);
    expect(() => optim.clipGradNorm(withGrads([[NaN]]), 1, 2, { errorIfNonfinite: true })).toThrow(/total norm of order 2 of the gradients is non-finite \(NaN\)/);
  });

  test('gradients that share storage (from add) are each scaled once', () => {
    const a = new nn.Parameter(tg.tensor([3, 4], { dtype: 'float64' }));
    const b = new nn.Parameter(tg.tensor([0, 0], { dtype: 'float64' }));
    a.add(b).mul(tg.tensor([1, 1], { dtype: 'float64' })).sum().backward();
    const total = optim.clipGradNorm([a, b], 1);
    expect(total).toBeCloseTo(2, 15);
    const c = 1 / (2 + 1e-6);
    expect(gradsOf([a, b])).toEqual([[c, c], [c, c]]);
  });

  test('clipGradValue clamps each element into [-c, c]', () => {
    const ps = withGrads([[-3, 0.5], [2, -0.1]]);
    optim.clipGradValue(ps, 1);
    expect(gradsOf(ps)).toEqual([[-1, 0.5], [1, -0.1]]);
    expect(optim.clipGradNorm_).toBe(optim.clipGradNorm);
  });
});

// ---- end to end: an MLP on two moons ---------------------------------------------------------------------

/** Two interleaved half circles with Gaussian noise (as sklearn's make_moons), shuffled, from a seeded generator. */
function makeMoons(n: number, noise: number, gen: tg.Generator): { x: Float32Array; y: number[] } {
  const x = new Float32Array(2 * n);
  const y: number[] = new Array(n);
  const order = gen.permutation(n);
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const t = Math.PI * gen.random();
    const outer = k % 2 === 0;
    x[2 * i] = (outer ? Math.cos(t) : 1 - Math.cos(t)) + noise * gen.normal();
    x[2 * i + 1] = (outer ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * gen.normal();
    y[i] = outer ? 0 : 1;
  }
  return { x, y };
}

test('an MLP trained with Adam on two moons reaches >= 97% held-out accuracy', () => {
  const gen = new tg.Generator(2024);
  const { x, y } = makeMoons(1000, 0.15, gen);
  const nTrain = 800;
  const xTrain = tg.tensor(x.subarray(0, 2 * nTrain), { shape: [nTrain, 2] });
  const xTest = tg.tensor(x.subarray(2 * nTrain), { shape: [1000 - nTrain, 2] });
  const yTrain = y.slice(0, nTrain);
  const yTest = y.slice(nTrain);
  const model = new nn.Sequential(new nn.Linear(2, 32, { generator: gen }), new nn.ReLU(), new nn.Linear(32, 2, { generator: gen }));
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const batch = 100;
  for (let epoch = 0; epoch < 60; epoch++) {
    const perm = gen.permutation(nTrain);
    for (let s = 0; s < nTrain; s += batch) {
      const idx = Array.from(perm.subarray(s, s + batch));
      const logits = model.call(xTrain.indexSelect(0, idx));
      const loss = nn.functional.crossEntropy(logits, idx.map((i) => yTrain[i]));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
  }
  model.eval();
  const pred = tg.noGrad(() => model.call(xTest).argmax(1));
  const correct = Array.from(pred.value.values()).filter((p, i) => p === yTest[i]).length;
  const accuracy = correct / yTest.length;
  console.log(`two moons: held-out accuracy ${(100 * accuracy).toFixed(1)}%`);
  expect(accuracy).toBeGreaterThanOrEqual(0.97);
});
