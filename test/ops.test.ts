// Suites generated from the op table (test/optable.ts), PyTorch OpInfo-style: forward vs a float64 reference,
// gradcheck/gradgradcheck, non-contiguous and broadcast inputs, fast-check over random shapes, error inputs.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import type { DType, Tensor } from 'tapegrad';
import { broadcastPair, matmulPair, shape as arbShape, tensorOf } from 'tapegrad/testing';
import { type OpInfo, OPTABLE, type Sample } from './optable.js';
import * as R from './reference.js';
import type { Arr } from './reference.js';

// ---- helpers ---------------------------------------------------------------------------------

const dense = (a: Arr, dtype: DType = 'float64', requiresGrad = false): Tensor =>
  tg.tensor(Float64Array.from(a.data), { shape: a.shape, dtype, requiresGrad });
const toArr = (t: Tensor): Arr => ({ shape: [...t.shape], data: Float64Array.from(t.dataSync()) });
const isDiff = (e: OpInfo, i: number) => !(e.nondiff ?? []).includes(i);
const shapesOf = (s: Sample) => s.inputs.map((a) => `[${a.shape}]`).join(' ');

/** The sample's inputs as tensors; differentiable ones require grad. */
function inputsOf(e: OpInfo, s: Sample, make: (a: Arr, requiresGrad: boolean) => Tensor = (a, r) => dense(a, 'float64', r)): Tensor[] {
  return s.inputs.map((a, i) => make(a, isDiff(e, i)));
}
const diffOf = (e: OpInfo, xs: Tensor[]) => xs.filter((_, i) => isDiff(e, i));

/** fn as a function of the differentiable inputs only (constants bound), for gradcheck. */
function overDiff(e: OpInfo, xs: Tensor[]): (...d: Tensor[]) => Tensor {
  return (...d) => {
    let k = 0;
    return e.fn(...xs.map((x, i) => (isDiff(e, i) ? d[k++] : x)));
  };
}


/** A fixed, non-trivial upstream gradient for an output. */
function seedFor(out: Tensor): Tensor {
  const g = tg.randn(out.shape, { dtype: 'float64', generator: new tg.Generator(99) });
  return g.to(out.dtype);
}
function gradsOf(out: Tensor, wrt: Tensor[]): Tensor[] {
  return tg.grad(out, wrt, { gradOutputs: seedFor(out), allowUnused: true });
}

/** |actual - expected| ≤ rtol · max(1, max|expected|) elementwise (non-finite values must match exactly). */
function expectClose(actual: Tensor | Arr, expected: Arr, rtol: number): void {
  const a = actual instanceof tg.Tensor ? toArr(actual) : actual;
  expect(a.shape).toEqual(expected.shape);
  const scale = Math.max(1, ...[...expected.data].filter(Number.isFinite).map(Math.abs));
  const bad: string[] = [];
  expected.data.forEach((e, i) => {
    const v = a.data[i];
    const ok = Number.isFinite(e) ? Math.abs(v - e) <= rtol * scale : Object.is(v, e);
    if (!ok && bad.length < 5) bad.push(`[${R.unravel(i, expected.shape)}]: got ${v}, expected ${e}`);
  });
  expect(bad).toEqual([]);
}

/** Same shape, dtype and bit patterns. */
function expectBitwise(actual: Tensor, expected: Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toBe(expected.dtype);
  const a = actual.dataSync();
  const b = expected.dataSync();
  const bad = [...b].flatMap((v, i) => (Object.is(a[i], v) ? [] : [`${i}: ${a[i]} vs ${v}`])).slice(0, 5);
  expect(bad).toEqual([]);
}

type Layout = 'transposed' | 'stepped' | 'offset';
/**
 * A leaf holding `a` in non-standard storage, with NaN in every unused slot (a kernel that reads outside the
 * view shows up as NaN): dims stored in reverse order, every other slot from offset 1, or contiguous from offset 3.
 */
function strided(a: Arr, layout: Layout, requiresGrad: boolean): Tensor {
  const n = R.sizeOf(a.shape);
  const contiguous = (s: number[]) => s.map((_, i) => R.sizeOf(s.slice(i + 1)));
  let strides = contiguous(a.shape);
  let offset = 0;
  let len = n;
  if (layout === 'transposed') strides = contiguous([...a.shape].reverse()).reverse();
  if (layout === 'stepped') [strides, offset, len] = [strides.map((s) => 2 * s), 1, 2 * n + 1];
  if (layout === 'offset') [offset, len] = [3, n + 5];
  const data = new Float64Array(len).fill(NaN);
  for (let k = 0; k < n; k++) data[offset + R.unravel(k, a.shape).reduce((p, v, d) => p + v * strides[d], 0)] = a.data[k];
  return new tg.Tensor(new tg.NDArray(data, [...a.shape], strides, offset), requiresGrad);
}

/** Every primitive recorded in the graphs below `roots`. */
function primitivesIn(roots: Tensor[], into: Set<string>): void {
  const seen = new Set<Tensor>();
  const stack = [...roots];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t) || !t.node) continue;
    seen.add(t);
    into.add(t.node.op);
    stack.push(...(t.node.inputs ?? []));
  }
}

const cases = OPTABLE.map((e) => ({ e, samples: e.samples() }));
/** [name, case] rows for describe.each, so suites are titled by the op's name. */
const byName = (list: typeof cases) => list.map((c) => [c.e.name, c] as const);

describe('the op table', () => {
  it('has unique names and at least one sample per entry', () => {
    expect(new Set(OPTABLE.map((e) => e.name)).size).toBe(OPTABLE.length);
    expect(cases.filter((c) => c.samples.length === 0).map((c) => c.e.name)).toEqual([]);
  });

  it('exercises every primitive of tg.OPS (forward, or backward under createGraph)', () => {
    const ran = new Set<string>();
    for (const { e, samples } of cases) {
      for (const s of samples) {
        const xs = inputsOf(e, s);
        const out = e.fn(...xs);
        primitivesIn([out], ran);
        if (!out.requiresGrad) continue;
        // the upstream gradient requires grad too, so every op of the backward pass is recorded
        const gradOutputs = seedFor(out).requiresGrad_();
        primitivesIn(tg.grad(out, diffOf(e, xs), { gradOutputs, createGraph: true, allowUnused: true }), ran);
      }
    }
    expect(Object.keys(tg.OPS).filter((op) => !ran.has(op))).toEqual([]);
  });
});

// ---- a) forward vs the float64 reference -------------------------------------------------------

describe('a) forward vs reference', () => {
  describe.each(byName(cases))('%s', (_, { e, samples }) => {
    it.each(samples.map((s) => [shapesOf(s), s] as const))('float64 %s', (_, s) => {
      const out = e.fn(...s.inputs.map((a) => dense(a)));
      expect(out.dtype).toBe(e.dtype ?? 'float64');
      expectClose(out, e.ref(...s.inputs), 1e-12);
    });
    it.each(samples.map((s) => [shapesOf(s), s] as const))('float32 %s', (_, s) => {
      // the reference runs on the float32-rounded inputs, so only the op's own rounding counts
      const rounded = s.inputs.map((a) => R.map(a, Math.fround));
      const out = e.fn(...rounded.map((a) => dense(a, 'float32')));
      expect(out.dtype).toBe(e.dtype ?? 'float32');
      expectClose(out, e.ref(...rounded), 1e-5);
    });
  });
});

// ---- b) gradcheck / gradgradcheck in float64 -----------------------------------------------------

describe('b) gradcheck in float64', () => {
  describe.each(byName(cases.filter(({ e }) => e.grad)))('%s', (_, { e, samples }) => {
    it.each(samples.map((s) => [shapesOf(s), s] as const))('gradcheck %s', (_, s) => {
      const xs = inputsOf(e, s);
      expect(tg.gradcheck(overDiff(e, xs), diffOf(e, xs), e.check)).toBe(true);
    });
    if (e.grad === 'second') {
      it.each(samples.map((s) => [shapesOf(s), s] as const))('gradgradcheck %s', (_, s) => {
        const xs = inputsOf(e, s);
        expect(tg.gradgradcheck(overDiff(e, xs), diffOf(e, xs), e.check)).toBe(true);
      });
    }
  });

  // gradcheck copies fn's output, so a function returning a view of its input is checked as is
  it('gradcheck of a function that returns a view of its input (x.reshape([-1])) passes', () => {
    const x = tg.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64', requiresGrad: true });
    expect(tg.gradcheck((t) => t.reshape([-1]), [x])).toBe(true);
  });

  it('the cast to float32 sends float64 gradients back to a float64 input', () => {
    const x = tg.tensor([0.1, -2.5, 3], { dtype: 'float64', requiresGrad: true });
    const [g] = tg.grad(x.to('float32').mul(tg.tensor([1, 2, 3])).sum(), [x]);
    expect(g.dtype).toBe('float64');
    expect(g.toArray()).toEqual([1, 2, 3]);
  });
});

// ---- c) non-contiguous inputs ----------------------------------------------------------------

describe('c) non-contiguous inputs give bitwise-identical results and gradients', () => {
  describe.each(byName(cases))('%s', (_, { e, samples }) => {
    const runs = samples.flatMap((s) => {
      const layouts: Layout[] = ['stepped', 'offset', ...(s.inputs.some((a) => a.shape.length >= 2) ? ['transposed' as const] : [])];
      return layouts.map((layout) => [`${shapesOf(s)} ${layout}`, s, layout] as const);
    });
    it.each(runs)('%s', (_, s, layout) => {
      const xd = inputsOf(e, s);
      const xs = inputsOf(e, s, (a, r) => strided(a, layout, r));
      const [outD, outS] = [e.fn(...xd), e.fn(...xs)];
      expectBitwise(outS, outD);
      if (!outD.requiresGrad) return;
      const [gd, gs] = [gradsOf(outD, diffOf(e, xd)), gradsOf(outS, diffOf(e, xs))];
      gs.forEach((g, i) => expectBitwise(g, gd[i]));
    });
  });
});

// ---- d) broadcast inputs ---------------------------------------------------------------------

describe('d) broadcast operands: results vs reference, gradients summed over the broadcast dims', () => {
  describe.each(byName(cases.filter(({ e }) => e.broadcasts)))('%s', (_, { e, samples }) => {
    it.each(samples.map((s) => [shapesOf(s), s] as const))('%s', (_, s) => {
      const shape = R.broadcastShape(...s.inputs.map((a) => a.shape));
      const small = inputsOf(e, s);
      const full = inputsOf(e, { inputs: s.inputs.map((a) => R.broadcastTo(a, shape)) });
      const viaExpand = e.fn(...small.map((x) => x.expand(shape)));
      const implicit = e.fn(...small);
      const materialised = e.fn(...full);
      expectClose(implicit, e.ref(...s.inputs), 1e-12);
      expectBitwise(viaExpand, materialised);
      expectBitwise(implicit, materialised);

      const gFull = gradsOf(materialised, diffOf(e, full));
      const gExpand = gradsOf(viaExpand, diffOf(e, small));
      const gImplicit = gradsOf(implicit, diffOf(e, small));
      diffOf(e, small).forEach((x, i) => {
        expectClose(gExpand[i], R.sumTo(toArr(gFull[i]), x.shape), 1e-12);
        expectBitwise(gImplicit[i], gExpand[i]);
      });
    });
  });
});

// ---- e) fast-check properties over random shapes ---------------------------------------------

const RUNS = { numRuns: 25, seed: 20240601 };
const smooth: { name: string; fn: (a: Tensor, b: Tensor) => Tensor; ref: (a: number, b: number) => number }[] = [
  { name: 'a·b + sin a', fn: (a, b) => a.mul(b).add(a.sin()), ref: (a, b) => a * b + Math.sin(a) },
  { name: '(a - b) / (1 + b²)', fn: (a, b) => a.sub(b).div(b.mul(b).add(1)), ref: (a, b) => (a - b) / (1 + b * b) },
  { name: 'tanh(a) · exp(-b²) - sigmoid(b)', fn: (a, b) => a.tanh().mul(b.square().neg().exp()).sub(b.sigmoid()), ref: (a, b) => Math.tanh(a) * Math.exp(-b * b) - R.sigmoid(b) },
  { name: '(1 + a²)^b · log(3 + b)', fn: (a, b) => a.square().add(1).pow(b).mul(b.add(3).log()), ref: (a, b) => (1 + a * a) ** b * Math.log(3 + b) },
  // maximum at a tie: central differences see the average slope, which is what the tie rule gives
  { name: 'maximum(a, b) · a + softplus(b)', fn: (a, b) => tg.maximum(a, b).mul(a).add(tg.nn.functional.softplus(b)), ref: (a, b) => Math.max(a, b) * a + R.softplus(b) },
];

/** A random shape, tensor and set of axes (given negative half the time; empty → all axes). */
const reductionCase = (c: { minDim?: number } = {}) =>
  arbShape({ minRank: 1, maxRank: 3, ...c }).chain((s) => fc.tuple(
    tensorOf(s),
    fc.subarray(s.map((_, i) => i)).chain((axes) => fc.tuple(...axes.map((a) => fc.constantFrom(a, a - s.length)))),
    fc.boolean(),
  )).map(([x, axes, keepdims]) => ({ x, axis: axes.length === 0 ? undefined : axes, keepdims }));

describe('e) fast-check properties', () => {
  it('elementwise compositions of broadcast pairs: forward vs reference, gradcheck (fast mode)', () => {
    fc.assert(fc.property(broadcastPair(), fc.constantFrom(...smooth), ([a, b], c) => {
      expectClose(c.fn(a, b), R.zip(toArr(a), toArr(b), c.ref), 1e-12);
      expect(tg.gradcheck(c.fn, [a, b], { fastMode: true, seed: 3 })).toBe(true);
    }), RUNS);
  });

  it('matmul of random compatible shapes (1-D, 2-D, batched with broadcast): forward vs reference, gradcheck', () => {
    fc.assert(fc.property(matmulPair(), ([a, b]) => {
      expectClose(a.matmul(b), R.matmul(toArr(a), toArr(b)), 1e-12);
      expect(tg.gradcheck((x, y) => x.matmul(y), [a, b], { fastMode: true, seed: 4 })).toBe(true);
    }), RUNS);
  });

  it('sum / mean / logsumexp / var over random axes: forward vs reference, gradcheck', () => {
    const ops = [
      { name: 'sum', fn: (x: Tensor, a?: number[], k?: boolean) => x.sum(a, k), ref: R.sumOf },
      { name: 'mean', fn: (x: Tensor, a?: number[], k?: boolean) => x.mean(a, k), ref: R.meanOf },
      { name: 'logsumexp', fn: (x: Tensor, a?: number[], k?: boolean) => x.logsumexp(a, k), ref: R.logSumExpOf },
      { name: 'var', fn: (x: Tensor, a?: number[], k?: boolean) => x.var(a, k), ref: R.varOf },
    ];
    fc.assert(fc.property(reductionCase({ minDim: 2 }), fc.constantFrom(...ops), ({ x, axis, keepdims }, op) => {
      expectClose(op.fn(x, axis, keepdims), R.reduceLanes(toArr(x), axis, keepdims, op.ref), 1e-12);
      expect(tg.gradcheck((t) => op.fn(t, axis, keepdims), [x], { fastMode: true, seed: 5 })).toBe(true);
    }), RUNS);
  });

  it('max / min over random axes with many ties: forward vs reference, gradient shared equally among the extrema', () => {
    const tied = arbShape({ maxRank: 3 }).chain((s) =>
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: R.sizeOf(s), maxLength: R.sizeOf(s) })
        .map((v) => tg.tensor(Float64Array.from(v), { shape: s, dtype: 'float64', requiresGrad: true })));
    const withAxes = tied.chain((x) => fc.tuple(fc.constant(x), fc.subarray(x.shape.map((_, i) => i)), fc.boolean(), fc.constantFrom('max' as const, 'min' as const)));
    fc.assert(fc.property(withAxes, ([x, axes, keepdims, kind]) => {
      const axis = axes.length === 0 ? undefined : axes;
      const xa = toArr(x);
      const out = x[kind](axis, keepdims);
      expectClose(out, R.reduceLanes(xa, axis, keepdims, kind === 'max' ? R.maxOf : R.minOf), 0);
      const [g] = tg.grad(out, [x], { gradOutputs: out.onesLike() });
      const extreme = R.broadcastTo(R.reduceLanes(xa, axis, true, kind === 'max' ? R.maxOf : R.minOf), x.shape);
      const hit = R.zip(xa, extreme, (v, m) => (v === m ? 1 : 0));
      const count = R.reduceLanes(hit, axis, true, R.sumOf);
      expectClose(g, R.zip(hit, count, (h, c) => h / c), 1e-15);
    }), RUNS);
  });

  it('slice with random start / end / step (negative and out-of-range bounds clamp): forward vs reference, gradcheck', () => {
    const bound = fc.option(fc.integer({ min: -6, max: 6 }), { nil: null });
    const sliceCase = arbShape({ minRank: 1, maxRank: 3, maxDim: 5 }).chain((s) => fc.tuple(
      tensorOf(s), fc.integer({ min: -s.length, max: s.length - 1 }), bound, bound, fc.integer({ min: 1, max: 3 }),
    ));
    fc.assert(fc.property(sliceCase, ([x, dim, start, end, step]) => {
      const out = x.slice(dim, start, end, step);
      expectClose(out, R.slice(toArr(x), dim, start, end, step), 0);
      if (out.size > 0) expect(tg.gradcheck((t) => t.slice(dim, start, end, step), [x], { fastMode: true, seed: 6 })).toBe(true);
    }), RUNS);
  });

  it('sum, max and min over non-adjacent axes read through the strides with the sums of a permuted copy, bitwise', () => {
    // the kernel walks the kept axes, then the reduced ones, in the order a copy permuted to [1, 0, 2] holds them
    const rank3 = arbShape({ minRank: 3, maxRank: 3 }).chain((s) => tensorOf(s));
    fc.assert(fc.property(rank3, fc.constantFrom('sum', 'max', 'min'), (x, kind) => {
      const copied = tg.tensor(x.permute([1, 0, 2]));
      expectBitwise(x[kind]([0, 2]), copied[kind]([1, 2]));
      expectBitwise(x[kind]([0, 2], true), copied[kind]([1, 2]).reshape([1, x.shape[1], 1]));
    }), RUNS);
  });

  it('ops on randomly permuted (non-contiguous) views equal the same ops on contiguous copies, bitwise', () => {
    const ops: ((x: Tensor) => Tensor)[] = [
      (x) => x.exp().mul(x), (x) => x.sum(-1), (x) => x.logSoftmax(0), (x) => x.max(-1, true), (x) => x.add(x.sum(0, true)),
      (x) => x.matmul(x.mT), (x) => x.slice(-1, null, null, 2).sum(), (x) => x.reshape([-1]).sin(),
    ];
    const permuted = arbShape({ minRank: 2, maxRank: 3 }).chain((s) =>
      fc.tuple(tensorOf(s), fc.shuffledSubarray(s.map((_, i) => i), { minLength: s.length, maxLength: s.length })));
    fc.assert(fc.property(permuted, fc.integer({ min: 0, max: ops.length - 1 }), ([x, perm], k) => {
      const view = new tg.Tensor(x.value.permute(perm), true);
      const copy = tg.tensor(view, { requiresGrad: true });
      const [a, b] = [ops[k](view), ops[k](copy)];
      expectBitwise(a, b);
      expectBitwise(gradsOf(a, [view])[0], gradsOf(b, [copy])[0]);
    }), RUNS);
  });
});

// ---- f) error inputs -------------------------------------------------------------------------

describe('f) error inputs throw the expected message and leave the inputs untouched', () => {
  for (const { e } of cases) {
    for (const err of e.errors ?? []) {
      // a known library bug (described in the entry's `bug`) runs as it.fails until it is fixed
      it(`${e.name}: ${err.message.source}`, () => {
        const xs = err.inputs.map((a, i) => dense(a, 'float64', isDiff(e, i) && a.data.length > 0));
        const before = xs.map((x) => ({ data: x.dataSync(), shape: [...x.shape], strides: [...x.value.strides], offset: x.value.offset }));
        expect(() => (err.fn ?? e.fn)(...xs)).toThrow(err.message);
        xs.forEach((x, i) => {
          expect({ data: x.value.data, shape: x.shape, strides: x.value.strides, offset: x.value.offset }).toEqual(before[i]);
          expect([x.grad, x.node]).toEqual([null, null]);
        });
      });
    }
  }
});

describe('g) conventional points (0^0, the exponent at a base of 0): values and gradients equal to PyTorch', () => {
  // Object.is-style equality for inf and nan, and 1e-12 relative for finite values (PyTorch and JS round log alike)
  const same = (got: Float64Array, want: Float64Array) => {
    expect(got.length).toBe(want.length);
    want.forEach((w, i) => {
      if (Number.isFinite(w)) expect(got[i]).toBeCloseTo(w, 12);
      else expect(got[i]).toBe(w); // toBe compares with Object.is: NaN equals NaN, -inf is not inf
    });
  };
  for (const { e } of cases) {
    for (const [k, p] of (e.points ?? []).entries()) {
      it(`${e.name} #${k}: ${p.inputs.map((a) => `[${Array.from(a.data)}]`).join(' ')}`, () => {
        const xs = p.inputs.map((a, i) => dense(a, 'float64', isDiff(e, i)));
        const out = e.fn(...xs);
        same(Float64Array.from(out.dataSync()), p.output.data);
        out.sum().backward();
        xs.forEach((x, i) => same(Float64Array.from(x.grad!.dataSync()), p.grads[i].data));
      });
    }
  }
});
