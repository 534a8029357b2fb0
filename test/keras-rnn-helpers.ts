// Keras recurrent weights under tg.nn's names, for tests that compare a Keras layer with nn.LSTM / nn.GRU /
// nn.RNN on the same weights. Written independently of src/keras's converters, so it checks them.

import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';

/** A GRU weight's gate blocks swapped along `axis`: Keras' z, r, h ⇄ PyTorch's r, z, n. */
export function swapGates(w: Tensor, axis: number): Tensor {
  const u = w.shape[axis] / 3;
  return tg.concat([w.slice(axis, u, 2 * u), w.slice(axis, 0, u), w.slice(axis, 2 * u, 3 * u)], axis);
}

/**
 * A Keras recurrent layer's weights (kernel, recurrent_kernel, bias, and _reverse ones) under nn's names: the
 * kernels transposed; LSTM / SimpleRNN's one bias as b_ih with b_hh zero; a GRU's gates reordered and its
 * [2, 3·units] bias split into b_ih and b_hh.
 */
export function torchNames(sd: Map<string, Tensor>, gru = false): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, v] of sd) {
    const m = /^(kernel|recurrent_kernel|bias)(_reverse)?$/.exec(k);
    if (!m) { out.set(k, v); continue; }
    const sfx = m[2] ?? '';
    const w = (t: Tensor) => (gru ? swapGates(t, 1) : t).t();
    if (m[1] === 'kernel') out.set(`weight_ih_l0${sfx}`, w(v));
    if (m[1] === 'recurrent_kernel') out.set(`weight_hh_l0${sfx}`, w(v));
    if (m[1] === 'bias' && gru) { out.set(`bias_ih_l0${sfx}`, swapGates(v.slice(0, 0, 1).squeeze(0), 0)); out.set(`bias_hh_l0${sfx}`, swapGates(v.slice(0, 1, 2).squeeze(0), 0)); }
    if (m[1] === 'bias' && !gru) { out.set(`bias_ih_l0${sfx}`, v); out.set(`bias_hh_l0${sfx}`, v.mul(0)); }
  }
  return out;
}
