// The int32 dtype end to end: creation and printing, PyTorch's promotion rules, no gradients through integers,
// int32 masks from comparisons, int32 indices from argmax/argsort/topk feeding gather/indexSelect/losses.

import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';

const F = tg.nn.functional;
const ints = (v: unknown) => tg.tensor(v, { dtype: 'int32' });

describe('int32 tensors', () => {
  it('are made from numbers (truncated toward zero like Int32Array), print like PyTorch and convert both ways', () => {
    const t = ints([[1, 2], [3, -4.7]]);
    expect(t.dtype).toBe('int32');
    expect(t.value.data).toBeInstanceOf(Int32Array);
    expect(t.toArray()).toEqual([[1, 2], [3, -4]]);
    expect(String(t)).toBe('tensor([[ 1,  2],\n        [ 3, -4]], dtype=int32)');
    expect(tg.arange(4, { dtype: 'int32' }).toArray()).toEqual([0, 1, 2, 3]);
    expect(tg.zeros([2], { dtype: 'int32' }).dtype).toBe('int32');
    expect(tg.tensor([1.9, -1.9]).to('int32').toArray()).toEqual([1, -1]);
    expect(ints([3]).float().dtype).toBe('float32');
    expect(() => tg.randn([2], { dtype: 'int32' })).toThrow(/^randn: dtype int32 is not a floating-point dtype/);
    expect(tg.randint(0, 5, [3], { dtype: 'int32' }).dtype).toBe('int32');
  });

  it('follow PyTorch promotion: int op int stays int32, int op float gives the float, true division gives float32', () => {
    const i = ints([1, 2, 3]);
    const f32 = tg.tensor([0.5, 0.5, 0.5]);
    const f64 = tg.tensor([0.5, 0.5, 0.5], { dtype: 'float64' });
    const cases: [tg.Tensor, tg.DType][] = [
      [i.add(i), 'int32'], [i.mul(2), 'int32'], [i.sub(ints([1])), 'int32'], [i.add(0.5), 'float32'],
      [i.mul(f32), 'float32'], [f64.mul(i), 'float64'], [i.div(ints([2])), 'float32'], [i.div(2), 'float32'],
      [i.exp(), 'float32'], [i.sqrt(), 'float32'], [i.neg(), 'int32'], [i.abs(), 'int32'], [i.sum(), 'int32'],
      [i.mean(), 'float32'], [i.max(), 'int32'], [i.pow(2), 'int32'], [i.pow(0.5), 'float32'], [i.clamp(0, 2), 'int32'],
      [i.clamp(0.5), 'float32'], [tg.concat([i, i]), 'int32'], [tg.concat([i, f32]), 'float32'], [i.floor(), 'int32'],
      [i.cumsum(0), 'int32'], [i.flip(0), 'int32'], [tg.where(i.gt(1), i, 0), 'int32'], [tg.where(i.gt(1), 1.5, 0), 'float32'],
    ];
    expect(cases.map(([t]) => t.dtype)).toEqual(cases.map(([, d]) => d));
    expect(i.div(2).toArray()).toEqual([0.5, 1, 1.5]);
    expect(i.mean().item()).toBe(2);
    expect(i.add(0.5).toArray()).toEqual([1.5, 2.5, 3.5]);
  });

  it('carry no gradients: requiresGrad is refused, a cast to int32 cuts the graph, mixed ops differentiate the float side', () => {
    expect(() => tg.tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow(/^Tensor: only floating-point tensors can require gradients/);
    expect(() => ints([1]).requiresGrad_()).toThrow(/^requiresGrad_: only floating-point tensors can require gradients/);
    const x = tg.tensor([1.5, 2.5], { requiresGrad: true });
    const k = x.to('int32');
    expect([k.requiresGrad, k.gradFn]).toEqual([false, null]);
    const y = x.mul(ints([2, 3])).sum();
    y.backward();
    expect(x.grad?.toArray()).toEqual([2, 3]);
  });

  it('comparisons, isFinite and isNaN return int32 0/1 masks that where and maskedFill take', () => {
    const x = tg.tensor([1, NaN, 3, Infinity]);
    for (const m of [x.gt(1), x.le(1), x.eq(3), x.ne(3), x.isFinite(), x.isNaN()]) expect(m.dtype).toBe('int32');
    expect(x.gt(1).toArray()).toEqual([0, 0, 1, 1]);
    expect(x.isNaN().toArray()).toEqual([0, 1, 0, 0]);
    expect(x.maskedFill(x.isFinite().eq(0), 0).toArray()).toEqual([1, 0, 3, 0]);
    // a number compares as the tensor stores it, so float32 0.1 equals 0.1
    expect(tg.tensor([0.1]).eq(0.1).item()).toBe(1);
  });

  it('argmax, argmin, argsort and topk return int32 indices that gather and indexSelect accept', () => {
    const x = tg.tensor([[3, 9, 1], [7, 2, 8]]);
    const am = x.argmax(1, true);
    expect([am.dtype, x.argmin().dtype, x.argsort().dtype, x.topk(2).indices.dtype]).toEqual(['int32', 'int32', 'int32', 'int32']);
    expect(x.gather(1, am).toArray()).toEqual([[9], [8]]);
    expect(x.gather(1, x.argsort(1, true)).toArray()).toEqual([[9, 3, 1], [8, 7, 2]]);
    expect(x.indexSelect(1, x.argmax(1)).toArray()).toEqual([[9, 1], [2, 8]]);
  });

  it('index an embedding table: gradients accumulate into the looked-up rows', () => {
    const table = tg.tensor([[0, 0], [1, 1], [2, 2]], { requiresGrad: true });
    const ids = ints([[2, 0], [2, 2]]);
    const rows = table.indexSelect(0, ids.reshape([-1])).reshape([2, 2, 2]);
    rows.sum().backward();
    expect(table.grad?.toArray()).toEqual([[1, 1], [0, 0], [3, 3]]);
  });

  it('are class labels for crossEntropy and nllLoss, and oneHot makes int32 rows from them', () => {
    const logits = tg.tensor([[2, 0, -1], [0.5, 1, 3]], { requiresGrad: true });
    const labels = ints([0, 2]);
    const a = F.crossEntropy(logits, labels);
    const b = F.crossEntropy(logits, [0, 2]);
    expect(a.item()).toBeCloseTo(b.item(), 6);
    expect(F.nllLoss(logits.logSoftmax(1), labels).item()).toBeCloseTo(b.item(), 6);
    // int32 labels shaped like the logits are class indices of the wrong rank, not probabilities
    expect(() => F.crossEntropy(logits, ints([[0, 1, 0], [1, 0, 0]]))).toThrow(/^crossEntropy: class-index labels must be 1-D, got shape \[2,3\]/);
    const oh = F.oneHot(labels, 3);
    expect([oh.dtype, oh.toArray()]).toEqual(['int32', [[1, 0, 0], [0, 0, 1]]]);
    expect(F.crossEntropy(logits, oh.float()).item()).toBeCloseTo(b.item(), 6);
  });
});
