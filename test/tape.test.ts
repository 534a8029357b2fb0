// The tape: backward and its options, accumulation (PyTorch semantics), deep graphs, grad modes,
// leaves and retained gradients, tg.grad and higher-order derivatives through createGraph.

import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';

const f64 = (v: number[] | number[][], requiresGrad = true) => tg.tensor(v, { dtype: 'float64', requiresGrad });
const vals = (t: tg.Tensor | null): number[] => Array.from(t!.value.contiguous().data);

function expectClose(actual: number[], expected: number[], tol = 1e-10): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]))));
}

describe('backward', () => {
  it('differentiates a scalar', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(x).sum(); // d/dx Σx² = 2x
    y.backward();
    expect(vals(x.grad)).toEqual([2, 4, 6]);
    expect(x.grad!.shape).toEqual([3]);
    expect(x.grad!.dtype).toBe('float64');
  });

  it('needs an explicit gradient for a non-scalar output', () => {
    const x = f64([1, 2]);
    const y = x.mul(3);
    expect(() => y.backward()).toThrow(
      'backward: the gradient can be implied only for single-element outputs, got shape [2]; pass a gradient tensor',
    );
    y.backward(f64([1, 10], false));
    expect(vals(x.grad)).toEqual([3, 30]);
  });

  it('accepts a number as the gradient of a non-scalar output (broadcast)', () => {
    const x = f64([1, 2]);
    x.mul(3).backward(2);
    expect(vals(x.grad)).toEqual([6, 6]);
  });

  it('rejects a gradient of the wrong shape', () => {
    const x = f64([1, 2]);
    expect(() => x.mul(2).backward(tg.ones([3], { dtype: 'float64' }))).toThrow(
      'backward: gradient shape [3] does not match output shape [2]',
    );
  });

  it('rejects a tensor that has no graph', () => {
    expect(() => tg.tensor([1, 2]).sum().backward()).toThrow('backward: this tensor does not require grad');
  });

  it('accumulates into .grad across backward calls (PyTorch semantics)', () => {
    const x = f64([1, 2]);
    x.mul(x).sum().backward(); // 2x
    x.mul(3).sum().backward(); // + 3
    expect(vals(x.grad)).toEqual([5, 7]);
    x.grad = null; // zeroing is the user's job, as in PyTorch
    x.sum().backward();
    expect(vals(x.grad)).toEqual([1, 1]);
  });

  it('sums the contributions of a tensor used twice: x*x, x+x, a diamond', () => {
    const a = f64([3]);
    a.mul(a).backward();
    expect(vals(a.grad)).toEqual([6]);
    const b = f64([3]);
    b.add(b).backward();
    expect(vals(b.grad)).toEqual([2]);
    // diamond: u = 2x and v = eˣ both feed w = u·v;  dw/dx = 2eˣ + 2x eˣ
    const x = f64([0.5, -1]);
    const u = x.mul(2);
    const v = x.exp();
    u.mul(v).sum().backward();
    expectClose(vals(x.grad), [0.5, -1].map((t) => 2 * Math.exp(t) + 2 * t * Math.exp(t)));
    // a deeper diamond where the shared node is not a leaf
    const z = f64([2]);
    const h = z.mul(z); // z²
    h.add(h.mul(h)).backward(); // z² + z⁴ → 2z + 4z³
    expect(vals(z.grad)).toEqual([2 * 2 + 4 * 8]);
  });

  it('gives each input a gradient of its own shape under broadcasting', () => {
    const a = tg.ones([3, 1], { dtype: 'float64', requiresGrad: true });
    const b = tg.ones([4], { dtype: 'float64', requiresGrad: true });
    const c = tg.ones([2, 1, 1], { dtype: 'float64', requiresGrad: true });
    a.add(b).mul(c).sum().backward(); // result [2, 3, 4]
    expect(a.grad!.shape).toEqual([3, 1]);
    expect(vals(a.grad)).toEqual([8, 8, 8]);
    expect(b.grad!.shape).toEqual([4]);
    expect(vals(b.grad)).toEqual([6, 6, 6, 6]);
    expect(c.grad!.shape).toEqual([2, 1, 1]);
    expect(vals(c.grad)).toEqual([24, 24]);
  });

  it('gives a float32 leaf a float32 gradient even when the graph ran in float64', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    x.mul(tg.tensor([0.5, 0.25], { dtype: 'float64' })).sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(vals(x.grad)).toEqual([0.5, 0.25]);
  });

  it('checks the shape of every gradient an op rule returns', () => {
    const neg = tg.OPS.neg;
    const saved = neg.vjp;
    neg.vjp = (g) => [g.sum(-1, true)]; // a deliberately wrong rule: [3] → [1]
    try {
      const x = f64([1, 2, 3]);
      expect(() => x.neg().sum().backward()).toThrow('backward: the gradient of neg\'s input 0 has shape [1], expected [3]');
    } finally {
      neg.vjp = saved;
    }
  });
});

describe('retainGraph', () => {
  it('a second backward through a freed graph throws a clear error', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(
      'Trying to backward through the graph a second time (or to use its saved tensors after they were freed). ' +
        'Pass { retainGraph: true } to the first backward() or grad() call if you need to do this.',
    );
    // a new graph from the same leaves is fine
    x.exp().sum().backward();
  });

  it('a graph shared with a freed one also throws, unless retained', () => {
    const x = f64([1]);
    const h = x.mul(2);
    h.sum().backward();
    expect(() => h.mul(3).sum().backward()).toThrow(/backward through the graph a second time/);
  });

  it('with retainGraph: true a second backward works and accumulates', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expectClose(vals(x.grad), [2 * Math.E, 2 * Math.exp(2)]);
  });

  it('tg.grad frees the graph too, unless retainGraph', () => {
    const x = f64([1]);
    const y = x.mul(x).sum();
    expect(vals(tg.grad(y, x, { retainGraph: true })[0])).toEqual([2]);
    expect(vals(tg.grad(y, x)[0])).toEqual([2]);
    expect(() => tg.grad(y, x)).toThrow(/a second time/);
  });
});

describe('deep graphs', () => {
  it('backward through a chain of 100,000 ops does not overflow the stack', () => {
    const x = tg.tensor(1, { dtype: 'float64', requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.mul(1.000001);
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(Math.pow(1.000001, 100_000), 9);
  });
});

describe('grad mode', () => {
  it('noGrad: results do not require grad and record nothing', () => {
    const x = f64([1, 2]);
    const y = tg.noGrad(() => x.mul(2).exp());
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(y.isLeaf).toBe(true);
    expect(tg.isGradEnabled()).toBe(true);
    expect(() => y.sum().backward()).toThrow(/does not require grad/);
  });

  it('noGrad nests, returns its value, and restores the mode after a throw', () => {
    const out = tg.noGrad(() => {
      const inner = tg.noGrad(() => tg.isGradEnabled());
      return [inner, tg.isGradEnabled()];
    });
    expect(out).toEqual([false, false]);
    expect(tg.isGradEnabled()).toBe(true);
    expect(() => tg.noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(tg.isGradEnabled()).toBe(true);
    tg.noGrad(() => {
      expect(() => tg.enableGrad(() => { throw new Error('inner'); })).toThrow('inner');
      expect(tg.isGradEnabled()).toBe(false);
    });
  });

  it('enableGrad inside noGrad records again', () => {
    const x = f64([1, 2]);
    const y = tg.noGrad(() => tg.enableGrad(() => x.mul(x)));
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn).toBe('mul');
    y.sum().backward();
    expect(vals(x.grad)).toEqual([2, 4]);
  });

  it('detach shares data but cuts the tape', () => {
    const x = f64([2, 3]);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.value.data).toBe(x.value.data);
    d.mul(x).sum().backward(); // only the x branch is differentiated
    expect(vals(x.grad)).toEqual([2, 3]);
  });

  it('requiresGrad_ switches leaves on and off, not non-leaves', () => {
    const x = tg.tensor([1, 2]);
    expect(x.requiresGrad_()).toBe(x);
    expect(x.requiresGrad).toBe(true);
    const y = x.mul(2);
    expect(() => y.requiresGrad_(false)).toThrow(
      'requiresGrad_: cannot turn off requiresGrad on a non-leaf tensor; use detach()',
    );
    x.requiresGrad_(false);
    expect(x.mul(2).requiresGrad).toBe(false);
  });

  it('retainGrad keeps the gradient of a non-leaf; others get none', () => {
    const x = f64([1, 2]);
    const h = x.mul(3).retainGrad();
    const k = h.exp();
    k.sum().backward();
    expectClose(vals(h.grad), [Math.exp(3), Math.exp(6)]);
    expect(k.grad).toBeNull();
    expectClose(vals(x.grad), [3 * Math.exp(3), 3 * Math.exp(6)]);
  });

  it('isLeaf and gradFn', () => {
    const x = f64([1]);
    expect(x.isLeaf).toBe(true);
    expect(x.gradFn).toBeNull();
    const y = x.exp();
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn).toBe('exp');
    expect(x.add(1).gradFn).toBe('add');
    expect(x.sum().gradFn).toBe('sum');
    const c = tg.tensor([1]).exp(); // made from tensors that need no grad: a leaf, as in PyTorch
    expect(c.isLeaf).toBe(true);
    expect(c.gradFn).toBeNull();
  });
});

describe('tg.grad', () => {
  it('returns gradients instead of accumulating them, weighted by gradOutputs', () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(x); // non-scalar
    const [g] = tg.grad(y, x, { gradOutputs: f64([1, 0.5, -1], false) });
    expect(vals(g)).toEqual([2, 2, -6]);
    expect(x.grad).toBeNull();
    expect(() => tg.grad(x.mul(2), x)).toThrow(/the gradient can be implied only for single-element outputs/);
  });

  it('handles several outputs and several inputs', () => {
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    const y1 = a.mul(b).sum(); // ∂/∂a = b, ∂/∂b = a
    const y2 = a.mul(a).sum(); // ∂/∂a = 2a
    const [ga, gb] = tg.grad([y1, y2], [a, b], { gradOutputs: [1, 10] });
    expect(vals(ga)).toEqual([3 + 20, 4 + 40]);
    expect(vals(gb)).toEqual([1, 2]);
    expect(() => tg.grad([y1, y2], [a], { gradOutputs: [1] })).toThrow('grad: got 1 gradOutputs for 2 outputs');
  });

  it('differentiates with respect to intermediate tensors, and an output with respect to itself', () => {
    const x = f64([1, 2]);
    const h = x.mul(3);
    const y = h.mul(h).sum();
    const [gh, gx] = tg.grad(y, [h, x], { retainGraph: true });
    expect(vals(gh)).toEqual([6, 12]); // 2h
    expect(vals(gx)).toEqual([18, 36]); // 2h · 3
    expect(vals(tg.grad(y, y)[0])).toEqual([1]);
  });

  it('the same input twice gets its gradient twice', () => {
    const a = f64([2]);
    const [g1, g2] = tg.grad(a.mul(a), [a, a]);
    expect(vals(g1)).toEqual([4]);
    expect(vals(g2)).toEqual([4]);
  });

  it('allowUnused gives zeros for an unused input; without it, an error', () => {
    const a = f64([1, 2]);
    const unused = f64([5, 6, 7]);
    const y = a.sum();
    const [ga, gu] = tg.grad(y, [a, unused], { allowUnused: true, retainGraph: true });
    expect(vals(ga)).toEqual([1, 1]);
    expect(gu.shape).toEqual([3]);
    expect(vals(gu)).toEqual([0, 0, 0]);
    expect(() => tg.grad(y, [a, unused])).toThrow(
      'grad: input 1 was not used to compute the outputs; pass { allowUnused: true } to get zeros for it',
    );
  });

  it('rejects inputs and outputs that do not require grad', () => {
    const a = f64([1]);
    expect(() => tg.grad(a.sum(), [tg.tensor([1])])).toThrow('grad: input 0 does not require grad');
    expect(() => tg.grad(tg.tensor([1]).sum(), [a])).toThrow('grad: output 0 does not require grad and has no recorded graph');
  });

  it('without createGraph the results (and leaf .grad) carry no graph', () => {
    const x = f64([1, 2]);
    const [g] = tg.grad(x.mul(x).sum(), x);
    expect(g.requiresGrad).toBe(false);
    expect(g.gradFn).toBeNull();
    x.mul(x).sum().backward();
    expect(x.grad!.requiresGrad).toBe(false);
    expect(x.grad!.gradFn).toBeNull();
    x.mul(x).sum().backward(); // accumulation does not build a graph either
    expect(x.grad!.requiresGrad).toBe(false);
    expect(vals(x.grad)).toEqual([4, 8]);
  });
});

describe('higher-order derivatives (createGraph)', () => {
  it('Hessian-vector products of f(x) = Σx³ · Σx match the analytic Hessian', () => {
    const x0 = [0.5, -1.2, 2, 0.3];
    const n = x0.length;
    const s1 = x0.reduce((a, b) => a + b, 0);
    // ∇f = 3x²·Σx + Σx³;  H = diag(6x·Σx) + 3x²·1ᵀ + 1·(3x²)ᵀ
    const hess = x0.map((xi, i) => x0.map((xj, j) => (i === j ? 6 * xi * s1 : 0) + 3 * xi * xi + 3 * xj * xj));
    const x = f64(x0);
    const f = x.pow(3).sum().mul(x.sum());
    const [g] = tg.grad(f, x, { createGraph: true });
    expect(g.requiresGrad).toBe(true);
    const s3 = x0.reduce((a, b) => a + b ** 3, 0);
    expectClose(vals(g), x0.map((xi) => 3 * xi * xi * s1 + s3));
    for (let i = 0; i < n; i++) {
      const e = Array.from({ length: n }, (_, j) => (j === i ? 1 : 0));
      const [hv] = tg.grad(g, x, { gradOutputs: f64(e, false), retainGraph: true });
      expectClose(vals(hv), hess.map((row) => row[i]));
    }
    const v = [1, -2, 0.5, 3];
    const [hv] = tg.grad(g, x, { gradOutputs: f64(v, false) });
    expectClose(vals(hv), hess.map((row) => row.reduce((a, h, j) => a + h * v[j], 0)));
  });

  const pts = [-2, -0.5, 0, 0.7, 3];
  const second: [string, (t: tg.Tensor) => tg.Tensor, (x: number) => [number, number]][] = [
    ['tanh', (t) => t.tanh(), (x) => { const y = Math.tanh(x); return [1 - y * y, -2 * y * (1 - y * y)]; }],
    ['sigmoid', (t) => t.sigmoid(), (x) => { const s = 1 / (1 + Math.exp(-x)); return [s * (1 - s), s * (1 - s) * (1 - 2 * s)]; }],
    ['exp', (t) => t.exp(), (x) => [Math.exp(x), Math.exp(x)]],
  ];
  for (const [name, fn, closed] of second) {
    it(`the gradient of the gradient of ${name} matches the closed form`, () => {
      const x = f64(pts);
      const [d1] = tg.grad(fn(x).sum(), x, { createGraph: true });
      expectClose(vals(d1), pts.map((p) => closed(p)[0]));
      const [d2] = tg.grad(d1.sum(), x);
      expectClose(vals(d2), pts.map((p) => closed(p)[1]));
    });
  }

  it('backward with createGraph makes x.grad differentiable', () => {
    const x = f64([1, -2, 0.5]);
    x.pow(3).sum().backward(undefined, { createGraph: true }); // x.grad = 3x²
    expect(x.grad!.requiresGrad).toBe(true);
    expect(vals(x.grad)).toEqual([3, 12, 0.75]);
    const [h] = tg.grad(x.grad!.sum(), x); // d/dx Σ3x² = 6x
    expect(vals(h)).toEqual([6, -12, 3]);
  });

  it('third derivatives by nesting createGraph', () => {
    const x = f64([0.3, 1.1]);
    const [d1] = tg.grad(x.sin().sum(), x, { createGraph: true });
    const [d2] = tg.grad(d1.sum(), x, { createGraph: true });
    const [d3] = tg.grad(d2.sum(), x);
    expectClose(vals(d3), [0.3, 1.1].map((t) => -Math.cos(t)));
  });
});

describe('tg.grad runs only the VJPs on paths that reach its inputs', () => {
  it('a branch that does not lead to the inputs is not run, so its nodes are not freed', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    const w = tg.tensor([3, 4], { requiresGrad: true });
    const a = x.mul(2);
    const b = w.exp();
    const loss = a.add(b).sum();
    const [gx] = tg.grad(loss, x);
    expect(gx.toArray()).toEqual([2, 2]);
    // b's exp node was not on a path to x: it was neither run nor freed, so backward through it still works
    b.sum().backward();
    expect(w.grad!.toArray()).toEqual((w.exp().toArray() as number[]));
    // a's node was run and freed
    expect(() => a.sum().backward()).toThrow(/backward through the graph a second time/);
  });
});
