// The fused linear + ReLU op (`linearRelu`, issue 19): nn.Sequential runs a Linear followed by a ReLU as one op
// and Keras' dense layer its 'relu' activation, with bitwise the values, gradients and training trajectory of
// the two separate ops (forward, backward, 100 Adam steps), with threads on too; the backward sweep's edge cases.
// The op's gradcheck, gradgradcheck, non-contiguous and error cases are rows of test/optable.ts.

import { afterAll, describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';

const F = tg.nn.functional;

function bits(t: tg.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Every element of a equals b's, as Object.is (so −0 and NaN count). */
function expectBitwise(a: tg.Tensor, b: tg.Tensor): void {
  expect(a.shape).toEqual(b.shape);
  expect(a.dtype).toBe(b.dtype);
  const x = bits(a), y = bits(b);
  const differing = x.filter((v, i) => !Object.is(v, y[i])).length;
  expect(differing).toBe(0);
}

/** A ReLU MLP (two Linear → ReLU pairs, then a Linear), its weights drawn from `seed`. */
function mlp(sizes: number[], seed: number, dtype: tg.DType = 'float32'): tg.nn.Sequential {
  const g = new tg.Generator(seed);
  const layers: tg.nn.Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new tg.nn.Linear(sizes[i], sizes[i + 1], { generator: g, dtype }));
    if (i + 2 < sizes.length) layers.push(new tg.nn.ReLU());
  }
  return new tg.nn.Sequential(...layers);
}

/** The same modules run one by one (what nn.Sequential did before it fused the pairs). */
const unfused = (m: tg.nn.Sequential, x: tg.Tensor): tg.Tensor => {
  let y = x;
  for (const layer of m) y = layer.call(y);
  return y;
};

describe('nn.Sequential fuses Linear → ReLU', () => {
  it('records one linearRelu op per pair, and none when the ReLU is not right after the Linear', () => {
    const seq = mlp([6, 5, 4], 1);
    const h = new tg.nn.Sequential(seq.at(0), seq.at(1)).call(tg.randn([3, 6]));
    expect(h.gradFn).toBe('linearRelu');
    const apart = new tg.nn.Sequential(seq.at(0), new tg.nn.Identity(), seq.at(1)).call(tg.randn([3, 6]));
    expect(apart.gradFn).toBe('relu');
  });

  it('gives bitwise the unfused forward, gradients and 100 Adam steps (float32, batch 32, leading dims too)', () => {
    const a = mlp([20, 16, 12, 3], 7), b = mlp([20, 16, 12, 3], 7);
    const oa = new tg.optim.Adam(a.parameters(), { lr: 1e-2 }), ob = new tg.optim.Adam(b.parameters(), { lr: 1e-2 });
    const gen = new tg.Generator(3);
    for (let step = 0; step < 100; step++) {
      // every tenth batch has two leading dims, [4, 8, 20], so the fused op flattens them as linear does
      const x = step % 10 === 9 ? tg.randn([4, 8, 20], { generator: gen }).reshape([32, 20]) : tg.randn([32, 20], { generator: gen });
      const labels = Array.from({ length: 32 }, () => gen.randint(0, 3));
      oa.zeroGrad();
      ob.zeroGrad();
      const la = F.crossEntropy(a.call(x), labels), lb = F.crossEntropy(unfused(b, x), labels);
      expect(Object.is(la.item(), lb.item())).toBe(true);
      la.backward();
      lb.backward();
      if (step % 25 === 0) a.parameters().forEach((p, i) => expectBitwise(p.grad!, b.parameters()[i].grad!));
      oa.step();
      ob.step();
    }
    a.parameters().forEach((p, i) => expectBitwise(p, b.parameters()[i]));
    // eval mode, under noGrad (the path that recycles intermediates at once)
    a.eval();
    b.eval();
    const x = tg.randn([5, 2, 20], { generator: gen });
    tg.noGrad(() => expectBitwise(a.call(x), unfused(b, x)));
    expectBitwise(a.call(x), unfused(b, x));
  });

  it('gives bitwise the unfused gradients for an input that requires grad, in float64, and through a second backward', () => {
    const a = mlp([7, 9, 5], 2, 'float64'), b = mlp([7, 9, 5], 2, 'float64');
    const xa = tg.randn([11, 7], { dtype: 'float64', generator: new tg.Generator(4) }).requiresGrad_();
    const xb = xa.detach().clone().requiresGrad_();
    // a non-contiguous upstream gradient: sum over a transposed view
    a.call(xa).mT.mul(tg.arange(11, { dtype: 'float64' })).sum().backward();
    unfused(b, xb).mT.mul(tg.arange(11, { dtype: 'float64' })).sum().backward();
    expectBitwise(xa.grad!, xb.grad!);
    a.parameters().forEach((p, i) => expectBitwise(p.grad!, b.parameters()[i].grad!));
    // createGraph: the double-backward composite gives the same first gradients
    const [ga] = tg.grad(a.call(xa).pow(2).sum(), [xa], { createGraph: true });
    const [gb] = tg.grad(unfused(b, xb).pow(2).sum(), [xb], { createGraph: true });
    expectBitwise(ga, gb);
    const [gga] = tg.grad(ga.sum(), [a.parameters()[0]]);
    const [ggb] = tg.grad(gb.sum(), [b.parameters()[0]]);
    expectBitwise(gga, ggb);
  });
});

describe('F.linear with { activation: "relu" } (the linearRelu kernels)', () => {
  it('passes NaN through, maps −0 and negative sums to +0, and masks the gradient as relu does (NaN·0 stays NaN)', () => {
    const x = tg.tensor([[1, -1], [NaN, 0], [-0, -0]]).requiresGrad_();
    const w = tg.tensor([[1, 0], [0, 1]]).requiresGrad_();
    const b = tg.tensor([0, -0]).requiresGrad_();
    const y = F.linear(x, w, b, { activation: 'relu' });
    const x2 = x.detach().requiresGrad_(), w2 = w.detach().requiresGrad_(), b2 = b.detach().requiresGrad_();
    const y2 = F.relu(F.linear(x2, w2, b2));
    expectBitwise(y, y2);
    const g = tg.tensor([[Infinity, -2], [3, NaN], [-1, 5]]);
    y.backward(g);
    y2.backward(g);
    expectBitwise(x.grad!, x2.grad!);
    expectBitwise(w.grad!, w2.grad!);
    expectBitwise(b.grad!, b2.grad!);
    expect(Number.isNaN(b.grad!.dataSync()[1])).toBe(true); // NaN·0 where the output is 0
  });

  it('handles an empty batch (a zero bias gradient) and a bias that is a strided view', () => {
    const w = tg.randn([4, 3]).requiresGrad_();
    const bFull = tg.randn([8]).requiresGrad_();
    const b = bFull.slice(0, 0, 8, 2);
    const y = F.linear(tg.zeros([0, 3]), w, b, { activation: 'relu' });
    expect(y.shape).toEqual([0, 4]);
    y.sum().backward();
    expect(bits(bFull.grad!)).toEqual(new Array(8).fill(0));
    const x = tg.randn([5, 3]);
    expectBitwise(F.linear(x, w, b, { activation: 'relu' }), F.relu(F.linear(x, w, b.contiguous())));
  });
});

describe('Keras dense with activation "relu"', () => {
  it('runs the fused op, and its output and gradients are bitwise the linear layer followed by F.relu', () => {
    const model = tg.sequential([tg.layers.dense({ units: 6, activation: 'relu', inputShape: [4], generator: new tg.Generator(9) })]);
    const x = tg.randn([7, 4], { generator: new tg.Generator(1) });
    const y = model.call(x);
    expect(y.gradFn).toBe('linearRelu');
    const dense = model.layers[0] as tg.layers.Dense;
    const w = dense.weight!.detach().requiresGrad_(), b = dense.bias!.detach().requiresGrad_();
    const ref = F.relu(F.linear(x, w, b));
    expectBitwise(y, ref);
    y.mul(tg.arange(6)).sum().backward();
    ref.mul(tg.arange(6)).sum().backward();
    expectBitwise(dense.weight!.grad!, w.grad!);
    expectBitwise(dense.bias!.grad!, b.grad!);
  });
});

describe('with threads on (setNumThreads(2))', () => {
  afterAll(async () => {
    await tg.setNumThreads(1);
  });

  it('a layer large enough to be shared gives bitwise the one-thread values and gradients, fused or not', async () => {
    const run = (fused: boolean) => {
      const seq = mlp([784, 128, 10], 5);
      const x = tg.randn([64, 784], { generator: new tg.Generator(6) });
      const out = fused ? seq.call(x) : unfused(seq, x);
      F.crossEntropy(out, Array.from({ length: 64 }, (_, i) => i % 10)).backward();
      return [out, ...seq.parameters().map((p) => p.grad!)];
    };
    await tg.setNumThreads(1);
    const single = run(true);
    await tg.setNumThreads(2);
    const threaded = run(true), threadedUnfused = run(false);
    single.forEach((t, i) => {
      expectBitwise(threaded[i], t);
      expectBitwise(threadedUnfused[i], t);
    });
  });
});
