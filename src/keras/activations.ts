// Activations by name for Dense and Activation layers (Keras names): each a composition of tape ops.
// 'linear' is the identity; gelu is the exact x·Φ(x) (Keras' default, approximate=False).

import type { Tensor } from '../autograd/tensor.js';
import { gelu } from '../nn/erf.js';
import * as F from '../nn/functional.js';
import { NameTable } from './names.js';

export type ActivationFn = (x: Tensor) => Tensor;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** elu(x) = x for x > 0, eˣ − 1 otherwise; expm1 sees min(x, 0), so large x cannot overflow into the gradient. */
const elu = (x: Tensor, alpha = 1): Tensor => x.relu().add(x.minimum(0).expm1().mul(alpha));

export const ACTIVATIONS = new NameTable<ActivationFn>('activation', [
  ['linear', (x) => x, 'none', 'identity'],
  ['relu', F.relu],
  ['relu6', (x) => x.clamp(0, 6)],
  ['leakyRelu', (x) => F.leakyRelu(x, 0.2)], // Keras' default negative slope is 0.2
  ['elu', (x) => elu(x)],
  ['selu', (x) => elu(x, SELU_ALPHA).mul(SELU_SCALE)],
  ['gelu', (x) => gelu(x)],
  ['sigmoid', F.sigmoid],
  ['tanh', F.tanh],
  ['softmax', (x) => F.softmax(x, -1)],
  ['softplus', F.softplus],
  ['swish', (x) => x.mul(x.sigmoid()), 'silu'],
]);

/** The canonical name and function of an activation; throws listing the known names. */
export function getActivation(name: unknown, where: string): { name: string; fn: ActivationFn } {
  const { name: canonical, value } = ACTIVATIONS.get(name ?? 'linear', where);
  return { name: canonical, fn: value };
}
