// Issue 10, item 7: version counters. A tensor written in place after an op saved it (an optimizer step,
// loadStateDict, an in-place init) makes that op's backward throw PyTorch's "modified by an inplace operation"
// error, naming the op, instead of returning a wrong gradient.

import { describe, expect, test } from 'vitest';
import * as tg from '../../src/index.js';

const INPLACE = /one of the variables needed for gradient computation has been modified by an inplace operation: input 0 of mul/;

describe('item 7: a tensor changed after the forward pass cannot corrupt its graph', () => {
  test('y = w·w; backward; opt.step(); backward again throws (it gave -2)', () => {
    const w = tg.tensor([1], { requiresGrad: true });
    const opt = new tg.optim.SGD([w], { lr: 0.5 });
    const y = w.mul(w);
    y.backward(undefined, { retainGraph: true });
    expect(w.version).toBe(0);
    opt.step();
    expect(w.version).toBe(1);
    expect(() => y.backward()).toThrow(INPLACE);
    expect(() => y.backward()).toThrow('is at version 1; expected version 0 instead');
  });
  test('loadStateDict bumps the version', () => {
    const lin = new tg.nn.Linear(2, 1);
    const y = lin.call(tg.ones([1, 2])).mul(lin.weight.sum());
    const before = lin.weight.version; // the initialisation already wrote into it once
    lin.loadStateDict(new tg.nn.Linear(2, 1).stateDict());
    expect(lin.weight.version).toBe(before + 1);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation: .* of (mul|linear|matmul)/);
  });
  test('an in-place init bumps the version', () => {
    const w = tg.ones([2, 2], { requiresGrad: true });
    const y = w.exp();
    tg.nn.init.normal_(w);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation: (input 0|the output) of exp/);
  });
  test('a view shares its storage version', () => {
    const w = tg.ones([2, 3], { requiresGrad: true });
    const v = w.detach().transpose(0, 1);
    tg.nn.init.zeros_(w);
    expect(v.version).toBe(w.version);
  });
  test('ops that read no saved values (add, reshape, sum, ...) still run, as in PyTorch', () => {
    const w = tg.tensor([1, 2], { requiresGrad: true });
    const opt = new tg.optim.SGD([w], { lr: 0.1 });
    const y = w.add(1).reshape([2, 1]).sum();
    y.backward(undefined, { retainGraph: true });
    w.grad!.value.data.fill(1);
    opt.step();
    w.grad = null;
    y.backward();
    expect(Array.from(w.grad!.dataSync())).toEqual([1, 1]);
  });
  test('the usual loop (forward, backward, step) is unaffected', () => {
    const w = tg.tensor([3], { requiresGrad: true });
    const opt = new tg.optim.SGD([w], { lr: 0.1 });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      w.mul(w).sum().backward();
      opt.step();
    }
    expect(w.item()).toBeCloseTo(3 * 0.8 ** 3, 5);
    expect(w.version).toBe(3);
  });
});
