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

interface Enc { shape: number[]; dtype: 'float' | 'int'; data: number[] }
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
};

const groups = ['shaping'];
const decode = (e: Enc, requiresGrad: boolean): Tensor =>
  tg.tensor(Float64Array.from(e.data), { shape: e.shape, dtype: 'float64', requiresGrad: requiresGrad && e.dtype === 'float' });
const weights = (t: Tensor): Tensor => tg.arange(t.size, { dtype: 'float64' }).add(1).cos().reshape(t.shape);

function expectClose(t: Tensor, e: Enc, tol: number): void {
  expect(t.shape).toEqual(e.shape);
  const got = t.dataSync();
  const bad = e.data.flatMap((v, i) => (Math.abs(got[i] - v) <= tol * Math.max(1, Math.abs(v)) ? [] : [`${i}: ${got[i]} vs ${v}`]));
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
