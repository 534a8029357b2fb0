// Activations by name for Dense and Activation layers (Keras names); the maths is nn.functional's.
// 'linear' is the identity; gelu is the exact x·Φ(x) (Keras' default, approximate=False).

import type { Tensor } from '../autograd/tensor.js';
import { gelu } from '../nn/erf.js';
import * as F from '../nn/functional.js';
import { type NameEntry, type NamesOf, NameTable } from './names.js';

/** An activation: a function of one tensor, built from tape ops. */
export type ActivationFn = (x: Tensor) => Tensor;

const ENTRIES = [
  ['linear', (x) => x, 'none', 'identity'],
  ['relu', F.relu],
  ['relu6', F.relu6],
  ['leakyRelu', (x) => F.leakyRelu(x, 0.2)], // Keras' default negative slope is 0.2
  ['elu', (x) => F.elu(x)],
  ['selu', F.selu],
  ['gelu', (x) => gelu(x)],
  ['sigmoid', F.sigmoid],
  ['tanh', F.tanh],
  ['softmax', (x) => F.softmax(x, -1)],
  ['softplus', F.softplus],
  ['swish', F.silu, 'silu'],
] as const satisfies readonly NameEntry<ActivationFn>[];

/** An activation's name: 'relu', 'sigmoid', 'softmax', ... (any letter case or snake_case also works at run time). */
export type ActivationName = NamesOf<typeof ENTRIES>;

/** Keras' activation names (and aliases) and the nn.functional form each one is. */
export const ACTIVATIONS = new NameTable<ActivationFn>('activation', ENTRIES);

/** The canonical name and function of an activation; throws listing the known names. */
export function getActivation(name: unknown, where: string): { name: string; fn: ActivationFn } {
  const { name: canonical, value } = ACTIVATIONS.get(name ?? 'linear', where);
  return { name: canonical, fn: value };
}
