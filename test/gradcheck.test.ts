// gradcheck and gradgradcheck: they pass on correct gradients, fail loudly (and precisely) on a wrong
// one, reject float32, and drive property-based checks with the tapegrad/testing arbitraries.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { broadcastPair, gradcheck, matmulPair, tensorArb } from 'tapegrad/testing';

const gen = new tg.Generator(2024);
const randn = (shape: number[]) => tg.randn(shape, { dtype: 'float64', requiresGrad: true, generator: gen });
const rand = (shape: number[], lo: number, hi: number) =>
  tg.rand(shape, { dtype: 'float64', generator: gen }).mul(hi - lo).add(lo).detach().requiresGrad_();

describe('gradcheck passes on correct gradients', () => {
  const cases: [string, (...xs: tg.Tensor[]) => tg.Tensor | tg.Tensor[], () => tg.Tensor[]][] = [
    ['exp · sin (elementwise)', (x) => x.exp().mul(x.sin()), () => [randn([2, 3])]],
    ['tanh, sigmoid, sqrt, log', (x) => x.tanh().add(x.sigmoid()).add(x.sqrt()).mul(x.log()), () => [rand([4], 0.5, 2)]],
    ['div and pow with broadcasting', (a, b) => a.div(b).pow(b.abs()), () => [rand([2, 3], 0.5, 2), rand([3], 0.5, 2)]],
    ['matmul', (a, b) => a.matmul(b), () => [randn([3, 4]), randn([4, 2])]],
    ['batched matmul with a transposed operand', (a, b) => a.matmul(b.mT), () => [randn([2, 3, 4]), randn([5, 4])]],
    ['sum / mean over axes', (x) => [x.sum(0), x.mean([0, 2], true)], () => [randn([2, 3, 2])]],
    ['max / min without ties', (x) => [x.max(1), x.min()], () => [randn([3, 4])]],
    ['var and logsumexp', (x) => [x.var(1), x.logsumexp(0)], () => [randn([3, 4])]],
    ['softmax and logSoftmax', (x) => [x.softmax(1), x.logSoftmax(0)], () => [randn([3, 4])]],
    ['movement: transpose, slice, expand, reshape', (x) => x.transpose(0, 1).slice(0, 0, 3, 2).expand([2, 2, 2]).reshape([4, 2]).mul(x.slice(0, 0, 1).sum()), () => [randn([2, 3])]],
    ['concat and gather', (x, y) => tg.concat([x, y], 1).gather(1, tg.tensor([[0, 3], [2, 2]])), () => [randn([2, 2]), randn([2, 3])]],
    ['a non-contiguous input', (x) => x.exp().sum(0), () => [randn([4, 3]).detach().transpose(0, 1).requiresGrad_()]],
  ];
  for (const [name, fn, inputs] of cases) {
    it(`${name} (full Jacobian and fast mode)`, () => {
      const xs = inputs();
      expect(tg.gradcheck(fn, xs)).toBe(true);
      expect(tg.gradcheck(fn, xs, { fastMode: true })).toBe(true);
      expect(tg.gradcheck(fn, xs, { fastMode: true, seed: 7 })).toBe(true);
    });
  }
});

describe('gradcheck fails on a wrong gradient', () => {
  // x.detach().mul(x) computes x², but autograd only sees the second factor: analytic x, numeric 2x.
  const wrongSquare = (x: tg.Tensor) => x.detach().mul(x);

  it('throws a GradcheckError naming the input, the element, and both values', () => {
    const x = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    let error: unknown;
    try {
      tg.gradcheck(wrongSquare, [x]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(tg.GradcheckError);
    const message = (error as Error).message;
    // the worst mismatch is at element 2: numeric 6, analytic 3
    const m = /input 0 \(shape \[3\]\) at element 2, output element 2: numeric (\S+), analytic (\S+) /.exec(message);
    expect(m, message).not.toBeNull();
    expect(Number(m![1])).toBeCloseTo(6, 6);
    expect(Number(m![2])).toBe(3);
  });

  it('names the right input when only the second one is wrong', () => {
    const a = tg.tensor([0.5, -1], { dtype: 'float64', requiresGrad: true });
    const b = tg.tensor([2, 1.5], { dtype: 'float64', requiresGrad: true });
    expect(() => tg.gradcheck((p, q) => p.exp().mul(wrongSquare(q)), [a, b])).toThrow(/Jacobian mismatch for input 1 \(shape \[2\]\)/);
  });

  it('fast mode fails too', () => {
    const x = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    expect(() => tg.gradcheck(wrongSquare, [x], { fastMode: true })).toThrow(
      /gradcheck \(fast mode\): input 0 \(shape \[3\]\): projected numeric \S+ vs analytic \S+/,
    );
  });

  it('returns false instead with raiseException: false', () => {
    const x = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    expect(tg.gradcheck(wrongSquare, [x], { raiseException: false })).toBe(false);
    expect(tg.gradcheck(wrongSquare, [x], { raiseException: false, fastMode: true })).toBe(false);
    expect(tg.gradgradcheck((t) => t.pow(3).sum(), [x], { raiseException: false })).toBe(true);
  });

  it('leaves the inputs as it found them', () => {
    const x = tg.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    tg.gradcheck(wrongSquare, [x], { raiseException: false });
    expect(x.toArray()).toEqual([1, 2, 3]);
    expect(x.grad).toBeNull();
  });
});

describe('gradcheck rejects inputs it cannot check', () => {
  it('float32 inputs, with a clear message', () => {
    const x = tg.tensor([1, 2, 3], { requiresGrad: true });
    expect(() => tg.gradcheck((t) => t.exp(), [x])).toThrow(
      new tg.GradcheckError('gradcheck: input 0 (shape [3]) is float32; gradcheck needs float64 inputs (use .double())'),
    );
    expect(() => tg.gradgradcheck((t) => t.exp(), [x])).toThrow(/gradgradcheck: input 0 \(shape \[3\]\) is float32/);
  });

  it('inputs without requiresGrad, and float32 outputs', () => {
    expect(() => tg.gradcheck((t) => t.exp(), [tg.tensor([1], { dtype: 'float64' })])).toThrow(
      'gradcheck: input 0 does not require grad',
    );
    const x = tg.tensor([1], { dtype: 'float64', requiresGrad: true });
    expect(() => tg.gradcheck((t) => t.float(), [x])).toThrow('gradcheck: output 0 is float32; use float64 inputs and ops');
  });
});

describe('gradgradcheck', () => {
  const cases: [string, (...xs: tg.Tensor[]) => tg.Tensor, () => tg.Tensor[]][] = [
    ['tanh', (x) => x.tanh(), () => [randn([3])]],
    ['sigmoid of a product', (x, y) => x.mul(y).sigmoid(), () => [randn([2, 2]), randn([2])]],
    ['matmul then tanh', (a, b) => a.matmul(b).tanh(), () => [randn([2, 3]), randn([3, 2])]],
    ['softmax of a matmul', (a, b) => a.matmul(b).softmax(-1), () => [randn([2, 3]), randn([3, 3])]],
    ['logsumexp of exp', (x) => x.exp().logsumexp(1), () => [randn([2, 3])]],
  ];
  for (const [name, fn, inputs] of cases) {
    it(`passes for ${name}`, () => {
      expect(tg.gradgradcheck(fn, inputs())).toBe(true);
    });
  }
});

// The property-based example (also used in the docs): random shapes and values, every gradient checked.
describe('property-based gradient checks with tapegrad/testing', () => {
  const runs = { numRuns: 30, seed: 42 };

  it('tanh, broadcast multiply and matmul have correct gradients', () => {
    fc.assert(fc.property(tensorArb(), (x) => gradcheck((t) => t.tanh().sum(), [x])), runs);
    fc.assert(fc.property(broadcastPair(), ([a, b]) => gradcheck((x, y) => x.mul(y), [a, b])), runs);
    fc.assert(fc.property(matmulPair(), ([a, b]) => gradcheck((x, y) => x.matmul(y), [a, b])), runs);
  });
});
