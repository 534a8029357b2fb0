// Weight initializers by Keras name ('glorotUniform' is Keras' default for Dense kernels).
// Each fills a tensor in place from a seeded Generator given fan-in and fan-out; the scales and the
// fillers are nn.init's (Glorot and He limits are computed there, once).

import type { Tensor } from '../autograd/tensor.js';
import { constant_, kaimingStd, normal_, orthogonal_, truncNormal_, uniform_, xavierBound, xavierStd } from '../nn/init.js';
import type { Generator } from '../tensor/random.js';
import { type NameEntry, type NamesOf, NameTable } from './names.js';

/** Fills `t` in place, given the layer's fan-in and fan-out, drawing from `gen`. */
export type InitFn = (t: Tensor, fanIn: number, fanOut: number, gen: Generator) => void;

// Keras draws its "normal" initializers from a normal truncated at ±2σ; this constant is the std of
// the truncated standard normal, so dividing by it keeps the requested variance.
const TRUNC_STD = 0.87962566103423978;

function truncatedNormal(t: Tensor, std: number, generator: Generator): void {
  const s = std / TRUNC_STD;
  truncNormal_(t, 0, s, -2 * s, 2 * s, { generator });
}

const uniform = (t: Tensor, limit: number, generator: Generator): void => {
  uniform_(t, -limit, limit, { generator });
};

const ENTRIES = [
  ['glorotUniform', (t, fi, fo, g) => uniform(t, xavierBound(fi, fo), g), 'xavierUniform'],
  ['glorotNormal', (t, fi, fo, g) => truncatedNormal(t, xavierStd(fi, fo), g), 'xavierNormal'],
  ['heUniform', (t, fi, _fo, g) => uniform(t, Math.sqrt(3) * kaimingStd(fi), g), 'kaimingUniform'],
  ['heNormal', (t, fi, _fo, g) => truncatedNormal(t, kaimingStd(fi), g), 'kaimingNormal'],
  ['lecunUniform', (t, fi, _fo, g) => uniform(t, Math.sqrt(3) * kaimingStd(fi, 1), g)],
  ['lecunNormal', (t, fi, _fo, g) => truncatedNormal(t, kaimingStd(fi, 1), g)],
  ['randomNormal', (t, _fi, _fo, g) => { normal_(t, 0, 0.05, { generator: g }); }],
  ['randomUniform', (t, _fi, _fo, g) => uniform(t, 0.05, g)],
  // Keras' default for recurrent kernels; for 2-D weights the same as Keras' Orthogonal (rows or columns orthonormal)
  ['orthogonal', (t, _fi, _fo, g) => { orthogonal_(t, { generator: g }); }],
  ['zeros', (t) => { constant_(t, 0); }],
  ['ones', (t) => { constant_(t, 1); }],
] as const satisfies readonly NameEntry<InitFn>[];

/** An initializer's name: 'glorotUniform', 'heNormal', 'zeros', ... (snake_case also works at run time). */
export type InitializerName = NamesOf<typeof ENTRIES>;

/** Keras' initializer names (and aliases) and how each fills a weight. */
export const INITIALIZERS = new NameTable<InitFn>('initializer', ENTRIES);
