// The caching allocator (src/tensor/storage.ts) and the tape's use of it: a warm training step makes no new
// arrays beyond the two results user code receives, and recycling never changes a value anyone can see.

import { afterEach, describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { acquire, beginCapture, capturedSinceBegin, endCapture, release } from '../src/tensor/storage.js';

const F = tg.nn.functional;

/** A small MLP trained with Adam on fixed data; returns the losses and final weights, and the arrays made per warm step. */
function train(steps: number, options: { readGrad?: boolean; zeroToZeros?: boolean } = {}) {
  const g = new tg.Generator(3);
  const model = new tg.nn.Sequential(
    new tg.nn.Linear(12, 16, { generator: g }), new tg.nn.ReLU(),
    new tg.nn.Linear(16, 8, { generator: g }), new tg.nn.Tanh(),
    new tg.nn.Linear(8, 4, { generator: g }),
  );
  const opt = new tg.optim.Adam(model.parameters(), { lr: 1e-2 });
  const x = tg.rand([10, 12], { generator: g });
  const labels = new Int32Array([0, 1, 2, 3, 0, 1, 2, 3, 1, 2]);
  const losses: number[] = [];
  const made: number[] = [];
  const seen: number[][] = [];
  for (let i = 0; i < steps; i++) {
    const before = tg.cacheStats().allocations;
    opt.zeroGrad(!options.zeroToZeros);
    const loss = F.crossEntropy(model.call(x), labels);
    loss.backward();
    if (options.readGrad) seen.push([...(model.parameters()[0].grad!.value.values() as Float32Array).slice(0, 4)]);
    opt.step();
    losses.push(loss.item());
    made.push(tg.cacheStats().allocations - before);
  }
  const weights = model.parameters().map((p) => [...(p.value.values() as Float32Array)]);
  return { losses, weights, made, seen };
}

describe('the caching allocator', () => {
  afterEach(() => tg.setCacheLimit(256 * 1024 * 1024));

  it('a warm step of Sequential + crossEntropy + Adam makes only its two results (output and loss) new', () => {
    const { made } = train(12);
    // the first steps fill the cache; later ones reuse it
    expect(made.slice(4)).toEqual(new Array(8).fill(2));
    expect(made[0]).toBeGreaterThan(10);
  });

  it('gives bitwise the same training run as with caching turned off', () => {
    const cached = train(15);
    tg.setCacheLimit(0);
    const fresh = train(15);
    expect(cached.losses).toEqual(fresh.losses);
    expect(cached.weights).toEqual(fresh.weights);
    // zeroGrad(false) zeroes owned gradients in place, and backward then adds into them
    tg.setCacheLimit(256 * 1024 * 1024);
    expect(train(15, { zeroToZeros: true }).weights).toEqual(fresh.weights);
  });

  it('a gradient read through .grad is left alone: the next step neither writes into it nor recycles it', () => {
    const run = train(6, { readGrad: true });
    tg.setCacheLimit(0);
    const ref = train(6, { readGrad: true });
    expect(run.seen).toEqual(ref.seen);
    // the tensor user code took keeps its values after later steps
    tg.setCacheLimit(256 * 1024 * 1024);
    const w = tg.randn([3, 3], { requiresGrad: true });
    w.mul(2).sum().backward();
    const kept = w.grad!;
    const copy = [...(kept.value.values() as Float32Array)];
    w.grad = null;
    for (let i = 0; i < 3; i++) {
      w.mul(5).sum().backward();
      w.grad = null;
    }
    expect([...(kept.value.values() as Float32Array)]).toEqual(copy);
  });

  it('two leaves given one shared gradient (add) keep it correctly when one of them is cleared', () => {
    const a = tg.ones([4], { requiresGrad: true });
    const b = tg.ones([4], { requiresGrad: true });
    const opt = new tg.optim.SGD([a], { lr: 0.1 });
    a.add(b).sum().backward(); // add's VJP hands the same gradient to both
    opt.zeroGrad(); // clears a's gradient only
    tg.ones([4], { requiresGrad: true }).mul(7).sum().backward(); // would reuse a recycled buffer
    expect(b.grad!.toArray()).toEqual([1, 1, 1, 1]);
  });

  it("keeps a model output the caller holds intact through backward and later steps", () => {
    const g = new tg.Generator(1);
    const model = new tg.nn.Sequential(new tg.nn.Linear(3, 5, { generator: g }), new tg.nn.ReLU(), new tg.nn.Linear(5, 2, { generator: g }));
    const x = tg.rand([4, 3], { generator: g });
    const out = model.call(x);
    const snapshot = out.toArray();
    F.crossEntropy(out, [0, 1, 1, 0]).backward();
    for (let i = 0; i < 3; i++) F.crossEntropy(model.call(x.mul(i + 2)), [1, 0, 0, 1]).backward();
    expect(out.toArray()).toEqual(snapshot);
  });

  it('never recycles memory it did not allocate (a tensor wrapping the caller\'s array)', () => {
    const mine = new Float32Array([1, 2, 3, 4]);
    const t = tg.tensor(mine, { requiresGrad: true });
    t.mul(3).sum().backward();
    t.grad = null;
    tg.tensor(new Float32Array(4), { requiresGrad: true }).add(1).sum().backward();
    expect([...mine]).toEqual([1, 2, 3, 4]);
  });

  it('under noGrad, a Sequential recycles its intermediate results as it goes', () => {
    const model = new tg.nn.Sequential(new tg.nn.Linear(6, 32), new tg.nn.ReLU(), new tg.nn.Linear(32, 32), new tg.nn.ReLU(), new tg.nn.Linear(32, 2));
    const x = tg.rand([8, 6]);
    const first = tg.noGrad(() => model.call(x)).toArray();
    tg.noGrad(() => model.call(x));
    const before = tg.cacheStats().allocations;
    const again = tg.noGrad(() => model.call(x)).toArray();
    expect(tg.cacheStats().allocations - before).toBe(1); // only the output
    expect(again).toEqual(first);
  });

  it('reports its counters and obeys its limit', () => {
    tg.setCacheLimit(0);
    expect(tg.cacheStats().cachedBytes).toBe(0);
    expect(() => tg.setCacheLimit(-1)).toThrow(/^setCacheLimit: expected a number of bytes >= 0, got -1/);
    tg.setCacheLimit(1024);
    tg.emptyCache();
    expect(tg.cacheStats()).toMatchObject({ cachedBytes: 0, limitBytes: 1024 });
  });

  it('a capture lists what is still out: an array given back then handed out again is, one handed out then given back is not', () => {
    const n = 4099; // a length nothing else in this file uses
    const before = acquire('float32', n);
    const outer = beginCapture();
    const scratch = acquire('float32', n);
    release(scratch); // a kernel's scratch, back within the capture
    release(before); // out before the capture began
    const again = acquire('float32', n); // handed out again after coming back
    const kept = acquire('float32', n);
    expect(capturedSinceBegin(again)).toBe(true);
    expect(capturedSinceBegin(kept)).toBe(true);
    const got = endCapture(outer);
    expect(new Set(got)).toEqual(new Set([again, kept]));
    expect(got.length).toBe(2);
    for (const a of got) release(a);
  });

  it('dispose leaves an array that a tensor on an NDArray view shares (the view methods share the allocator\'s note)', () => {
    const a = tg.randn([3, 4], { generator: new tg.Generator(21) });
    const want = a.toArray();
    const b = new tg.Tensor(a.value.reshape([4, 3]));
    const c = new tg.Tensor(a.value.transpose(0, 1));
    const { releases } = tg.cacheStats();
    a.dispose();
    expect(tg.cacheStats().releases).toBe(releases);
    tg.full([3, 4], 7);
    expect(b.reshape([3, 4]).toArray()).toEqual(want);
    expect(c.transpose(0, 1).toArray()).toEqual(want);
  });
});
