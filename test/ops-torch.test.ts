// The issue-11 ops against PyTorch: values and input gradients from fixtures that
// scripts/fixtures/ops.py wrote once with PyTorch (test/fixtures/ops/*.json); no Python runs here.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';

const F = tg.nn.functional;
const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ops');

interface Enc { shape: number[]; dtype: 'float' | 'int'; data: (number | boolean)[] }
interface Case { name: string; inputs: Enc[]; outputs: Enc[]; grads?: Enc[] }

/** The same op as each fixture case, in tapegrad (inputs in fixture order). */
const OPS: Record<string, (...xs: Tensor[]) => Tensor | Tensor[]> = {
  'flip([0,2])': (x) => x.flip([0, 2]),
  'tril(-1)': (x) => x.tril(-1),
  'triu(1)': (x) => tg.triu(x, 1),
  'maskedFill': (x, m) => x.maskedFill(m, -2.5),
  'bmm': (a, b) => tg.bmm(a, b),
  'einsum(bhqd,bhkd->bhqk)': (q, k) => tg.einsum('bhqd,bhkd->bhqk', q, k),
  'einsum(bhqk,bhkd->bhqd)': (a, v) => tg.einsum('bhqk,bhkd->bhqd', a, v),
  'einsum(nchw,oc->nohw)': (x, w) => tg.einsum('nchw,oc->nohw', x, w),
  'einsum(ii->i)': (x) => tg.einsum('ii->i', x),
  'einsum(...ij,...jk)': (a, b) => tg.einsum('...ij,...jk', a, b),
  'pad([1,2],constant,0.5)': (x) => F.pad(x, [1, 2], 'constant', 0.5),
  'pad([-1,1,2,0],constant)': (x) => F.pad(x, [-1, 1, 2, 0]),
  'pad([2,1,1,2],reflect)': (x) => F.pad(x, [2, 1, 1, 2], 'reflect'),
  'pad([2,3],replicate)': (x) => F.pad(x, [2, 3], 'replicate'),
  'pad([1,1,2,0],circular)': (x) => F.pad(x, [1, 1, 2, 0], 'circular'),

  'floor': (x) => x.floor(),
  'ceil': (x) => tg.ceil(x),
  'trunc': (x) => x.trunc(),
  'round': (x) => tg.round(x),
  'round(ties)': (x) => x.round(),
  'round(decimals=2)': (x) => x.round(2),
  'sign': (x) => tg.sign(x),
  'prod': (x) => tg.prod(x),
  'prod(1)': (x) => x.prod(1),
  'prod(0) with zeros': (x) => x.prod(0),
  'cumsum(1)': (x) => tg.cumsum(x, 1),
  'cumprod(0)': (x) => x.cumprod(0),
  'cumprod(-1) with zeros': (x) => tg.cumprod(x, -1),
  'norm()': (x) => x.norm(),
  'norm(1, 1)': (x) => tg.norm(x, 1, 1),
  'norm(inf, 0)': (x) => x.norm(Infinity, 0),
  'norm(3, [0,2], keepdim)': (x) => x.norm(3, [0, 2], true),
  'norm() of zeros': (x) => x.norm(),
  'split(2, 1)': (x) => x.split(2, 1),
  'split([1,3], 0)': (x) => tg.split(x, [1, 3], 0),
  'chunk(3, 1)': (x) => x.chunk(3, 1),
  'chunk(4)': (x) => tg.chunk(x, 4),
  'repeat(2, 1, 3)': (x) => x.repeat([2, 1, 3]),
  'tile([2])': (x) => tg.tile(x, [2]),
  'roll(2)': (x) => x.roll(2),
  'roll([1,-1],[0,1])': (x) => tg.roll(x, [1, -1], [0, 1]),
  'sort(1)': (x) => pair(x.sort(1)),
  'sort(0, descending)': (x) => pair(tg.sort(x, 0, true)),
  'sort(stable ties)': (x) => pair(x.sort()),
  'argsort(1)': (x) => x.argsort(1),
  'topk(2)': (x) => pair(x.topk(2)),
  'topk(3, 0, smallest)': (x) => pair(tg.topk(x, 3, 0, false)),
  'argmax(1)': (x) => x.argmax(1),
  'argmin()': (x) => tg.argmin(x),
  'outer': (a, b) => tg.outer(a, b),
  'clamp(tensor bounds)': (x, lo, hi) => x.clamp(lo, hi),
  'oneHot': (l) => F.oneHot(l, 4),
  'gt': (a, b) => a.gt(b),
  'int32 promotion': (i, x) => i.mul(x).add(i),
  'int32 true division': (i, j) => i.div(j),
  'gather with int32 index': (x, i) => x.gather(1, i),
  'cross_entropy with int32 labels': (x, l) => F.crossEntropy(x, l),
};

/** PyTorch returns (values, indices) tuples where tapegrad returns an object. */
function pair(r: { values: Tensor; indices: Tensor }): Tensor[] {
  expect(r.indices.dtype).toBe('int32');
  return [r.values, r.indices];
}

const groups = ['shaping', 'more'];
/** Float inputs as float64 (requiring grad when the case has gradients), integer inputs as int32. */
const decode = (e: Enc, requiresGrad: boolean): Tensor => e.dtype === 'int'
  ? tg.tensor(Int32Array.from(e.data, Number), { shape: e.shape, dtype: 'int32' })
  : tg.tensor(Float64Array.from(e.data, Number), { shape: e.shape, dtype: 'float64', requiresGrad });
const weights = (t: Tensor): Tensor => tg.arange(t.size, { dtype: 'float64' }).add(1).cos().reshape(t.shape);

/** Same shape, values within tol (relative above 1); integer results (indices, masks) must come back as int32. */
function expectClose(t: Tensor, e: Enc, tol: number): void {
  expect(t.shape).toEqual(e.shape);
  if (e.dtype === 'int') expect(t.dtype).toBe('int32');
  const got = t.dataSync();
  const bad = e.data.map(Number).flatMap((v, i) => (Math.abs(got[i] - v) <= tol * Math.max(1, Math.abs(v)) ? [] : [`${i}: ${got[i]} vs ${v}`]));
  expect(bad.slice(0, 5)).toEqual([]);
}

describe.each(groups)('%s.json', (group) => {
  const { cases } = JSON.parse(readFileSync(join(dir, `${group}.json`), 'utf8')) as { cases: Case[] };
  it('has a tapegrad op for every case', () => {
    expect(cases.map((c) => c.name).filter((n) => !(n in OPS))).toEqual([]);
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s matches PyTorch', (_, c) => {
    const xs = c.inputs.map((e) => decode(e, c.grads !== undefined));
    const out = OPS[c.name](...xs);
    const outs = Array.isArray(out) ? out : [out];
    expect(outs.length).toBe(c.outputs.length);
    outs.forEach((o, i) => expectClose(o, c.outputs[i], 1e-12));
    if (!c.grads) return;
    const diff = xs.filter((x) => x.requiresGrad);
    const floats = outs.filter((o) => o.requiresGrad);
    const loss = floats.map((o) => o.mul(weights(o)).sum()).reduce((a, b) => a.add(b));
    const grads = tg.grad(loss, diff, { allowUnused: true });
    grads.forEach((g, i) => expectClose(g, c.grads![i], 1e-12));
  });
});
