// Weight initializers by Keras name ('glorotUniform' is Keras' default for Dense kernels).
// Each fills a typed array from a seeded Generator given fan-in and fan-out.

import type { TypedArray } from '../tensor/dtype.js';
import type { Generator } from '../tensor/random.js';
import { NameTable } from './names.js';

export type InitFn = (out: TypedArray, fanIn: number, fanOut: number, gen: Generator) => void;

// Keras draws its "normal" initializers from a normal truncated at ±2σ; this constant is the std of
// the truncated standard normal, so dividing by it keeps the requested variance.
const TRUNC_STD = 0.87962566103423978;

function truncatedNormal(out: TypedArray, std: number, gen: Generator): void {
  const s = std / TRUNC_STD;
  for (let i = 0; i < out.length; i++) {
    let z = gen.normal();
    while (z < -2 || z > 2) z = gen.normal();
    out[i] = s * z;
  }
}

const uniform = (out: TypedArray, limit: number, gen: Generator): void => {
  gen.fillUniform(out, -limit, limit);
};

export const INITIALIZERS = new NameTable<InitFn>('initializer', [
  ['glorotUniform', (o, fi, fo, g) => uniform(o, Math.sqrt(6 / Math.max(1, fi + fo)), g), 'xavierUniform'],
  ['glorotNormal', (o, fi, fo, g) => truncatedNormal(o, Math.sqrt(2 / Math.max(1, fi + fo)), g), 'xavierNormal'],
  ['heUniform', (o, fi, _fo, g) => uniform(o, Math.sqrt(6 / Math.max(1, fi)), g), 'kaimingUniform'],
  ['heNormal', (o, fi, _fo, g) => truncatedNormal(o, Math.sqrt(2 / Math.max(1, fi)), g), 'kaimingNormal'],
  ['lecunUniform', (o, fi, _fo, g) => uniform(o, Math.sqrt(3 / Math.max(1, fi)), g)],
  ['lecunNormal', (o, fi, _fo, g) => truncatedNormal(o, Math.sqrt(1 / Math.max(1, fi)), g)],
  ['randomNormal', (o, _fi, _fo, g) => { g.fillNormal(o, 0, 0.05); }],
  ['randomUniform', (o, _fi, _fo, g) => uniform(o, 0.05, g)],
  ['zeros', (o) => { o.fill(0); }],
  ['ones', (o) => { o.fill(1); }],
]);
