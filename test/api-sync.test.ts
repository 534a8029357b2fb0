// No mirror lists: the tg.* functions, the Tensor methods, the op table's @property docs and the primitive
// list in docs/design.md are checked against each other here, so adding an op without its other forms fails.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';

// Tensor methods that are not ops, or that PyTorch also has only as methods (x.backward(), x.item(), x.view()).
const METHOD_ONLY = new Set([
  'constructor', 'backward', 'requiresGrad_', 'retainGrad', 'item', 'toArray', 'dataSync', 'toNdarray', 'toString',
  'to', 'float', 'double', 'contiguous', 'view', 'expand', 'expandAs', 'slice', 'newFull', 'newZeros', 'newOnes',
  'triangle', // tril/triu's shared helper
  'repeat', // torch.Tensor.repeat has no torch.repeat (torch.tile is tg.tile)
]);

const methods = Object.getOwnPropertyNames(tg.Tensor.prototype)
  .filter((n) => typeof Object.getOwnPropertyDescriptor(tg.Tensor.prototype, n)!.value === 'function');
const isPrivate = (n: string) => n.startsWith('_');

describe('tg.* functions and Tensor methods', () => {
  it('every Tensor op method has a tg.* function form that gives the same result', () => {
    const missing = methods.filter((m) => !METHOD_ONLY.has(m) && !isPrivate(m) && typeof (tg as Record<string, unknown>)[m] !== 'function');
    expect(missing, 'add a one-line form to src/autograd/functions.ts, or to METHOD_ONLY if PyTorch has no torch.* function').toEqual([]);
    const x = tg.tensor([[0.5, -1.5], [2, 0.25]], { dtype: 'float64' });
    for (const name of ['sin', 'cos', 'erf', 'erfc', 'expm1', 'square', 'sign', 't', 'exp', 'relu'] as const) {
      expect((tg[name] as (t: tg.Tensor) => tg.Tensor)(x).toArray()).toEqual(x[name]().toArray());
    }
    expect(tg.var(x, 0).toArray()).toEqual(x.var(0).toArray());
    expect(tg.argmax(x, 1).toArray()).toEqual(x.argmax(1).toArray());
  });

  it('METHOD_ONLY names only methods that exist', () => {
    expect([...METHOD_ONLY].filter((m) => !methods.includes(m))).toEqual([]);
  });
});

describe('op docs', () => {
  const opsSource = readFileSync(new URL('../src/autograd/ops.ts', import.meta.url), 'utf8');
  const documented = new Set([...opsSource.matchAll(/^ \* @property (\w+) /gm)].map((m) => m[1]));

  it('every primitive has an @property line in the OpAttrs doc comment', () => {
    expect(Object.keys(tg.OPS).filter((op) => !documented.has(op))).toEqual([]);
    expect([...documented].filter((op) => !(op in tg.OPS))).toEqual([]);
  });

  it('docs/design.md lists every primitive', () => {
    const design = readFileSync(new URL('../docs/design.md', import.meta.url), 'utf8');
    const section = design.slice(design.indexOf('## Few primitives, many composites'), design.indexOf('Everything else is composed'));
    const listed = new Set([...section.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1].split(/\s+/)));
    expect(Object.keys(tg.OPS).filter((op) => !listed.has(op))).toEqual([]);
    expect([...listed].filter((op) => !(op in tg.OPS))).toEqual([]);
  });
});
