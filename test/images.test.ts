// Pooling, normalisation, resizing and the image layers against PyTorch (fixtures written by
// scripts/fixtures/images.py), a PyTorch safetensors state dict loaded into the same CNN, and properties.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';
import { decodeSafetensors } from '../src/io/safetensors.js';

const F = tg.nn.functional;
const nn = tg.nn;

interface FixArr { shape: number[]; data: number[] }
const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/conv/${name}`, import.meta.url), 'utf8')) as T;
const fix = read<{
  cases: { name: string; args: Record<string, unknown>; x: FixArr; y: FixArr; gy: FixArr; gx: FixArr }[];
  batchNorm: Record<string, FixArr> & { momentum: number; eps: number };
}>('images.json');

const t64 = (a: FixArr, requiresGrad = false): Tensor => tg.tensor(a.data, { shape: a.shape, dtype: 'float64', requiresGrad });
function expectClose(actual: Tensor, expected: FixArr, tol = 1e-10): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const worst = expected.data.reduce((m, e, i) => Math.max(m, Math.abs(a[i] - e)), 0);
  expect(worst).toBeLessThan(tol);
}

/** Calls the functional form named in a fixture case with its arguments. */
function run(name: string, x: Tensor, a: Record<string, unknown>): Tensor {
  const { kernelSize, outputSize, numGroups, weight, bias, ...rest } = a as Record<string, never>;
  switch (name) {
    case 'maxPool2d': return F.maxPool2d(x, kernelSize, rest);
    case 'maxPool1d': return F.maxPool1d(x, kernelSize, rest);
    case 'avgPool2d': return F.avgPool2d(x, kernelSize, rest);
    case 'avgPool1d': return F.avgPool1d(x, kernelSize, rest);
    case 'adaptiveAvgPool2d': return F.adaptiveAvgPool2d(x, outputSize);
    case 'adaptiveAvgPool1d': return F.adaptiveAvgPool1d(x, outputSize);
    case 'adaptiveMaxPool2d': return F.adaptiveMaxPool2d(x, outputSize);
    case 'interpolate': return F.interpolate(x, rest);
    case 'groupNorm': return F.groupNorm(x, numGroups, t64(weight), t64(bias));
    default: throw new Error(`unknown fixture op ${name}`);
  }
}

describe('PyTorch fixtures (float64): output and input gradient', () => {
  it.each(fix.cases.map((c) => [`${c.name} ${JSON.stringify({ ...c.args, weight: undefined, bias: undefined })} x${JSON.stringify(c.x.shape)}`, c] as const))('%s', (_, c) => {
    const x = t64(c.x, true);
    const y = run(c.name, x, c.args);
    expectClose(y, c.y);
    y.mul(t64(c.gy)).sum().backward();
    expectClose(x.grad!, c.gx);
  });

  it('batchNorm in training: output, input gradient, running mean and unbiased running variance; then eval', () => {
    const b = fix.batchNorm;
    const x = t64(b.x, true);
    const rm = t64(b.runningMean), rv = t64(b.runningVar);
    const y = F.batchNorm(x, rm, rv, t64(b.weight), t64(b.bias), { training: true, momentum: b.momentum, eps: b.eps });
    expectClose(y, b.y);
    y.mul(t64(b.gy)).sum().backward();
    expectClose(x.grad!, b.gx);
    expectClose(rm, b.newMean);
    expectClose(rv, b.newVar);
    expectClose(F.batchNorm(x.detach(), rm, rv, t64(b.weight), t64(b.bias), { eps: b.eps }), b.evalY);
  });
});

describe('a PyTorch state dict saved as safetensors', () => {
  class Net extends nn.Module {
    conv1 = new nn.Conv2d(1, 4, 3, { padding: 1, dtype: 'float64' });
    bn1 = new nn.BatchNorm2d(4, { dtype: 'float64' });
    conv2 = new nn.Conv2d(4, 6, 3, { stride: 2, groups: 2, dtype: 'float64' });
    pool = new nn.MaxPool2d(2);
    fc = new nn.Linear(6, 3, { dtype: 'float64' });
    override forward(x: Tensor): Tensor {
      const h = this.bn1.call(this.conv1.call(x)).relu();
      return this.fc.call(this.pool.call(this.conv2.call(h).relu()).flatten(1));
    }
  }

  it('has the same keys as PyTorch, loads, and gives PyTorch\'s eval-mode outputs', () => {
    const ref = read<{ keys: string[]; x: FixArr; y: FixArr }>('cnn.json');
    const net = new Net();
    expect([...net.stateDict().keys()].sort()).toEqual([...ref.keys].sort());
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/conv/cnn.safetensors', import.meta.url)));
    const { tensors } = decodeSafetensors(bytes);
    const state = new Map([...tensors].map(([k, e]) => [k, tg.tensor(e.data, { shape: e.shape, dtype: 'float64' })]));
    net.loadStateDict(state);
    expect(net.bn1.numBatchesTracked!.item()).toBe(3);
    net.eval();
    expectClose(net.call(t64(ref.x)), ref.y, 1e-12);
  });
});

describe('modules', () => {
  it('Conv2d: PyTorch shapes and init bounds (kaiming uniform a=√5: U(±1/√fanIn) for weight and bias)', () => {
    const conv = new nn.Conv2d(6, 8, [3, 2], { groups: 2, generator: new tg.Generator(1) });
    expect(conv.weight.shape).toEqual([8, 3, 3, 2]);
    expect(conv.bias!.shape).toEqual([8]);
    const bound = 1 / Math.sqrt(3 * 3 * 2);
    for (const v of [...conv.weight.dataSync(), ...conv.bias!.dataSync()]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...conv.weight.dataSync().map(Math.abs))).toBeGreaterThan(0.8 * bound);
    expect([...conv.stateDict().keys()]).toEqual(['weight', 'bias']);
    expect(conv.toString()).toBe('Conv2d(6, 8, kernelSize=(3, 2), groups=2)');
    expect(new nn.ConvTranspose2d(4, 6, 2, { groups: 2 }).weight.shape).toEqual([4, 3, 2, 2]);
  });

  it('Conv2d with paddingMode reflect pads by reflection before a valid convolution', () => {
    const conv = new nn.Conv2d(1, 1, 3, { padding: 1, paddingMode: 'reflect', bias: false, dtype: 'float64' });
    const x = tg.randn([1, 1, 5, 5], { dtype: 'float64', generator: new tg.Generator(2) });
    const want = F.conv2d(F.pad(x, [1, 1, 1, 1], 'reflect'), conv.weight);
    expect([...conv.call(x).dataSync()]).toEqual([...want.dataSync()]);
  });

  it('BatchNorm2d: train() updates running stats and counts batches; eval() uses them; keys as PyTorch', () => {
    const bn = new nn.BatchNorm2d(3);
    expect([...bn.stateDict().keys()]).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    const x = tg.randn([4, 3, 2, 2], { generator: new tg.Generator(3) }).mul(2).add(5);
    bn.call(x);
    bn.call(x);
    expect(bn.numBatchesTracked!.item()).toBe(2);
    const mean = x.mean([0, 2, 3]);
    // two updates with momentum 0.1 from 0: 0.19 · mean
    bn.runningMean!.dataSync().forEach((v, i) => expect(v).toBeCloseTo(0.19 * mean.dataSync()[i], 5));
    bn.eval();
    const y = bn.call(x);
    const want = x.sub(bn.runningMean!.reshape([1, 3, 1, 1])).div(bn.runningVar!.add(1e-5).sqrt().reshape([1, 3, 1, 1]));
    y.dataSync().forEach((v, i) => expect(v).toBeCloseTo(want.dataSync()[i], 5));
    const cumulative = new nn.BatchNorm1d(2, { momentum: null });
    cumulative.call(tg.tensor([[1, 2], [3, 4]]));
    cumulative.call(tg.tensor([[5, 6], [7, 8]]));
    // momentum null: the plain average of the two batch means, (2 + 6) / 2 and (3 + 7) / 2
    expect(cumulative.runningMean!.toArray()).toEqual([4, 5]);
  });

  it('Dropout2d zeroes whole channels in training and is the identity in eval', () => {
    const d = new nn.Dropout2d(0.5, { generator: new tg.Generator(4) });
    const y = d.call(tg.ones([4, 8, 3, 3]));
    const perChannel = y.reshape([32, 9]).toArray() as number[][];
    for (const ch of perChannel) expect(new Set(ch).size).toBe(1);
    expect(new Set(perChannel.map((c) => c[0]))).toEqual(new Set([0, 2]));
    d.eval();
    expect(d.call(tg.ones([1, 2, 2, 2])).toArray()).toEqual(tg.ones([1, 2, 2, 2]).toArray());
  });

  it('Upsample, pooling and GroupNorm layers give the functional results', () => {
    const x = tg.randn([2, 4, 6, 6], { generator: new tg.Generator(5) });
    expect(new nn.Upsample({ scaleFactor: 2 }).call(x).shape).toEqual([2, 4, 12, 12]);
    expect([...new nn.MaxPool2d(2).call(x).dataSync()]).toEqual([...F.maxPool2d(x, 2).dataSync()]);
    expect([...new nn.AvgPool2d(3, { stride: 1 }).call(x).dataSync()]).toEqual([...F.avgPool2d(x, 3, { stride: 1 }).dataSync()]);
    expect(new nn.AdaptiveAvgPool2d(1).call(x).shape).toEqual([2, 4, 1, 1]);
    expect(new nn.GroupNorm(2, 4).call(x).shape).toEqual([2, 4, 6, 6]);
    expect([...new nn.GroupNorm(2, 4).stateDict().keys()]).toEqual(['weight', 'bias']);
  });
});

describe('max pooling: each window\'s first maximum, where its gradient goes (the maxPool kernel)', () => {
  it('takes each window\'s first maximum in scan order (the first NaN wins), its gradient goes there; float32 and float64, on transposed and offset views too', () => {
    // values from {−0, 0, 1, 2, NaN}: many ties (−0 and 0 among them) and NaNs; the reference scans the four taps in order
    const g = new tg.Generator(7);
    const raw = g.fillUniform(new Float64Array(2 * 3 * 6 * 7), -1, 4).map((v) => (v >= 3 ? Number.NaN : v < 0 ? -0 : Math.floor(v)));
    for (const [dtype, layout] of [['float64', 'dense'], ['float64', 'transposed'], ['float32', 'dense'], ['float32', 'transposed'], ['float32', 'offset']] as const) {
      let x = tg.tensor(Array.from(raw), { shape: [2, 3, 6, 7], dtype });
      if (layout === 'transposed') x = x.transpose(2, 3);
      if (layout === 'offset') x = x.slice(2, 1).slice(3, 1); // [2, 3, 5, 6], starting one row and one column in
      const [, , H, W] = x.shape;
      const xg = x.requiresGrad_();
      const y = F.maxPool2d(xg, 2);
      y.sum().backward();
      const xv = x.contiguous().dataSync();
      const values: number[] = [];
      const grad = new Array<number>(xv.length).fill(0);
      for (let p = 0; p < 6; p++) for (let oy = 0; oy < H >> 1; oy++) for (let ox = 0; ox < W >> 1; ox++) {
        let best = 0, at = -1;
        for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
          const i = (p * H + 2 * oy + dy) * W + 2 * ox + dx;
          if (at < 0 || xv[i] > best || (Number.isNaN(xv[i]) && !Number.isNaN(best))) { best = xv[i]; at = i; }
        }
        values.push(best);
        grad[at] += 1;
      }
      expect(Array.from(y.dataSync())).toEqual(values);
      expect(Array.from(xg.grad!.contiguous().dataSync())).toEqual(grad);
    }
  });

  it('other windows (3×3, stride 2, padding 1; the general kernel) follow the same rule, padding never chosen', () => {
    const g = new tg.Generator(8);
    const raw = g.fillUniform(new Float64Array(2 * 2 * 5 * 6), -1, 4).map((v) => (v >= 3 ? Number.NaN : v < 0 ? -0 : Math.floor(v) - 3));
    for (const dtype of ['float32', 'float64'] as const) {
      const xg = tg.tensor(Array.from(raw), { shape: [2, 2, 5, 6], dtype }).transpose(2, 3).requiresGrad_(); // [2, 2, 6, 5], strided
      const y = F.maxPool2d(xg, 3, { stride: 2, padding: 1 });
      y.sum().backward();
      const xv = xg.contiguous().dataSync();
      const [H, W] = [6, 5];
      const values: number[] = [];
      const grad = new Array<number>(xv.length).fill(0);
      for (let p = 0; p < 4; p++) for (let oy = 0; oy < 3; oy++) for (let ox = 0; ox < 3; ox++) {
        let best = 0, at = -1;
        for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) {
          const iy = 2 * oy - 1 + dy, ix = 2 * ox - 1 + dx;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
          const i = (p * H + iy) * W + ix;
          if (at < 0 || xv[i] > best || (Number.isNaN(xv[i]) && !Number.isNaN(best))) { best = xv[i]; at = i; }
        }
        values.push(best);
        grad[at] += 1;
      }
      expect(y.shape).toEqual([2, 2, 3, 3]);
      expect(Array.from(y.dataSync())).toEqual(values);
      expect(Array.from(xg.grad!.contiguous().dataSync())).toEqual(grad);
    }
  });
});

describe('fast-check properties', () => {
  const RUNS = { numRuns: 30, seed: 1313 };
  it('pooling a constant image gives the constant (max, and average without counting padding)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 2, max: 7 }), fc.integer({ min: 2, max: 7 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 1 }), fc.boolean(), fc.double({ min: -5, max: 5, noNaN: true }),
      (h, w, k, s, p, ceilMode, c) => {
        fc.pre(h + 2 * p >= k && w + 2 * p >= k && 2 * p <= k);
        const x = tg.full([1, 2, h, w], c, { dtype: 'float64' });
        for (const y of [F.maxPool2d(x, k, { stride: s, padding: p, ceilMode }), F.avgPool2d(x, k, { stride: s, padding: p, ceilMode, countIncludePad: false })]) {
          for (const v of y.dataSync()) expect(v).toBeCloseTo(c, 12);
        }
      },
    ), RUNS);
  });

  it('batch norm in eval mode is affine in x: f(a·x1 + (1−a)·x2) = a·f(x1) + (1−a)·f(x2)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.double({ min: -2, max: 2, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (n, c, a, seed) => {
      const gen = new tg.Generator(seed);
      const opts = { dtype: 'float64' as const, generator: gen };
      const [x1, x2] = [tg.randn([n, c, 3], opts), tg.randn([n, c, 3], opts)];
      const [rm, rv, w, b] = [tg.randn([c], opts), tg.rand([c], opts).add(0.5), tg.randn([c], opts), tg.randn([c], opts)];
      const f = (x: Tensor) => F.batchNorm(x, rm, rv, w, b);
      const lhs = f(x1.mul(a).add(x2.mul(1 - a))).dataSync();
      const rhs = f(x1).mul(a).add(f(x2).mul(1 - a)).dataSync();
      lhs.forEach((v, i) => expect(v).toBeCloseTo(rhs[i], 10));
    }), RUNS);
  });
});

describe('bad input', () => {
  it('names the layer and the shapes', () => {
    expect(() => new nn.BatchNorm2d(3).call(tg.zeros([1, 3, 1, 1]))).toThrow(/^BatchNorm2d: expected more than 1 value per channel when training, got input size \[1,3,1,1\]/);
    expect(() => new nn.BatchNorm2d(3).call(tg.zeros([2, 4, 4, 3]))).toThrow(/^BatchNorm2d: expected 3 channels in dim 1 of the input, got shape \[2,4,4,3\] \(the input looks channels-last/);
    expect(() => new nn.BatchNorm2d(3).call(tg.zeros([2, 3, 4]))).toThrow(/^BatchNorm2d: expected 4D input \(got 3D input/);
    expect(() => new nn.Conv2d(3, 4, 3).call(tg.zeros([2, 28, 28, 3]))).toThrow(/^conv2d: .*expected input \[2,28,28,3\] to have 3 channels, but got 28 channels \(the input looks channels-last/);
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/^Conv2d: inChannels 3 must be divisible by groups 2/);
    expect(() => F.maxPool2d(tg.zeros([1, 1, 4, 4]), 2, { padding: 2 })).toThrow(/^maxPool2d: pad should be at most half of effective kernel size, but got pad=2, kernel size=2/);
    expect(() => F.maxPool2d(tg.zeros([1, 1, 2, 2]), 3)).toThrow(/^maxPool2d: input \[1,1,2,2\] is too small for kernel \[3,3\]/);
    expect(() => F.groupNorm(tg.zeros([2, 6, 3]), 4)).toThrow(/^groupNorm: expected the number of channels 6 of input \[2,6,3\] to be divisible by numGroups, got numGroups=4/);
    expect(() => F.interpolate(tg.zeros([1, 1, 3]), { size: 4, mode: 'bilinear' })).toThrow(/^interpolate: mode 'bilinear' expects a 4-D input/);
    expect(() => F.avgPool2d(tg.zeros([1, 1, 4, 4]), 2, { stride: 0 })).toThrow(/^avgPool2d: stride must be a positive integer/);
  });
});
