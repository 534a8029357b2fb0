// Weights files from before the Keras recurrent layers (lstm, simpleRNN, gru, and bidirectional ones) took
// Keras' weights: they saved PyTorch's weight_ih_l0 [gates·units, features], weight_hh_l0 and two biases
// (bias_ih_l0, bias_hh_l0). Such a file still loads: its tensors become kernel = W_ihᵀ, recurrent_kernel = W_hhᵀ
// and, for LSTM and SimpleRNN, bias = b_ih + b_hh, which compute exactly the same function (the two biases are
// only ever added together); a GRU keeps both biases as its [2, 3·units] bias and takes Keras' gate order.

import { Tensor } from '../autograd/tensor.js';
import { checkedTensors, type ExpectedTensor } from '../io/state-dict.js';
import { ModelLoadError } from './errors.js';
import { kerasFromTorch } from './sequence-layers.js';

/** One direction of one layer: the key prefix ('2.'), suffix ('' or '_reverse', a bidirectional layer's backward one) and kind. */
interface Site { p: string; sfx: string; gru: boolean }

/** The old names and shapes of the tensors a model expects, or null when it has no Keras lstm / simpleRNN weights. */
function legacyExpected(expected: ReadonlyMap<string, ExpectedTensor>): { map: Map<string, ExpectedTensor>; sites: Site[] } | null {
  const sites: Site[] = [];
  for (const k of expected.keys()) {
    const m = /^(.*)recurrent_kernel(_reverse)?$/.exec(k);
    const kernel = m ? expected.get(`${m[1]}kernel${m[2] ?? ''}`) : undefined;
    // a GRU's kernel is [features, 3·units] beside a recurrent kernel [units, 3·units]
    if (m && kernel) sites.push({ p: m[1], sfx: m[2] ?? '', gru: kernel.shape[1] === 3 * expected.get(k)!.shape[0] });
  }
  if (sites.length === 0) return null;
  const map = new Map(expected);
  for (const { p, sfx } of sites) {
    const [k, rk, b] = ['kernel', 'recurrent_kernel', 'bias'].map((n) => expected.get(`${p}${n}${sfx}`));
    const old = (e: ExpectedTensor, name: string, shape: number[]) => map.set(`${p}${name}${sfx}`, { ...e, shape, label: `${e.label} (saved as ${name}${sfx})` });
    map.delete(`${p}kernel${sfx}`);
    map.delete(`${p}recurrent_kernel${sfx}`);
    old(k!, 'weight_ih_l0', [k!.shape[1], k!.shape[0]]);
    old(rk!, 'weight_hh_l0', [rk!.shape[1], rk!.shape[0]]);
    if (b) {
      map.delete(`${p}bias${sfx}`);
      old(b, 'bias_ih_l0', [b.shape[b.shape.length - 1]]);
      old(b, 'bias_hh_l0', [b.shape[b.shape.length - 1]]);
    }
  }
  return { map, sites };
}

/**
 * The tensors of a weights file, checked against what the model expects (names, shapes, dtypes). A file saved
 * with the old recurrent weight names is read with those and converted; any other mismatch throws as before.
 */
export function readModelWeights(bytes: Uint8Array, where: string, expected: ReadonlyMap<string, ExpectedTensor>): Map<string, Tensor> {
  try {
    return checkedTensors(bytes, where, expected);
  } catch (e) {
    const legacy = legacyExpected(expected);
    if (!legacy || !(e instanceof ModelLoadError) || (e.code !== 'UNEXPECTED_TENSOR' && e.code !== 'MISSING_TENSOR')) throw e;
    let old: Map<string, Tensor>;
    try {
      old = checkedTensors(bytes, where, legacy.map);
    } catch {
      throw e; // not the old layout either: the first error says what the model expects
    }
    for (const { p, sfx, gru } of legacy.sites) {
      const take = (name: string): Tensor | null => { const key = `${p}${name}${sfx}`; const t = old.get(key) ?? null; old.delete(key); return t; };
      const [wih, whh, bih, bhh] = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map(take);
      const [k, rk, b] = kerasFromTorch(gru ? 'GRU' : 'LSTM', wih!, whh!, bih, bhh);
      old.set(`${p}kernel${sfx}`, k);
      old.set(`${p}recurrent_kernel${sfx}`, rk);
      if (b) old.set(`${p}bias${sfx}`, b);
    }
    return old;
  }
}
