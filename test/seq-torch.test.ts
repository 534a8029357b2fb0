// The sequence modules against PyTorch: each fixture (scripts/fixtures/seq.py) holds a PyTorch state dict,
// inputs, outputs and gradients; the state dict loads into the tapegrad module, which must give the same
// outputs and the same gradients of sum_i sum(out_i · cos(1 + arange)) (float64 on both sides).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import type { Tensor } from 'tapegrad';
import { decodeSafetensors } from '../src/io/safetensors.js';

const DIR = join(__dirname, 'fixtures', 'seq');
const nn = tg.nn;
type Config = Record<string, unknown>;

interface Fixture {
  config: Config;
  get(name: string): Tensor;
  has(name: string): boolean;
  names(prefix: string): string[];
}

function load(name: string): Fixture {
  const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(join(DIR, `${name}.safetensors`))));
  return {
    config: JSON.parse(metadata.get('config') ?? '{}') as Config,
    get: (k) => {
      const e = tensors.get(k);
      if (!e) throw new Error(`fixture ${name}: no tensor ${k}`);
      return tg.tensor(Array.from(e.data), { dtype: 'float64', shape: e.shape });
    },
    has: (k) => tensors.has(k),
    names: (prefix) => [...tensors.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)),
  };
}

function close(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) / (1e-6 + Math.abs(e[i])));
  expect(worst, `${what}: worst relative error`).toBeLessThan(1e-7);
}

const weightsFor = (t: Tensor): Tensor => tg.arange(t.size, { dtype: 'float64' }).add(1).cos().reshape(t.shape);

/** Loads the state dict, runs `call`, checks outputs, then the gradients of every input and parameter. */
function check(f: Fixture, module: tg.nn.AnyModule, call: (xs: Record<string, Tensor>) => Tensor[]): void {
  const state = new Map(f.names('state.').map((k) => [k, f.get(`state.${k}`)]));
  module.loadStateDict(state);
  const xs = Object.fromEntries(f.names('in.').map((k) => [k, f.get(`in.${k}`).requiresGrad_()]));
  const outs = call(xs);
  outs.forEach((o, i) => close(o, f.get(`out.${i}`), `output ${i}`));
  outs.map((o) => o.mul(weightsFor(o)).sum()).reduce((a, b) => a.add(b)).backward();
  for (const [k, x] of Object.entries(xs)) close(x.grad!, f.get(`grad.in.${k}`), `gradient of input ${k}`);
  for (const [k, p] of module.namedParameters()) close(p.grad ?? p.zerosLike(), f.get(`grad.state.${k}`), `gradient of ${k}`);
}

const boolRows = (t: Tensor): boolean[][] => (t.toArray() as number[][]).map((r) => r.map((v) => v !== 0));
const f64 = { dtype: 'float64' as const };
const rnnOptions = (c: Config) => ({ ...f64, numLayers: c.numLayers as number | undefined, bidirectional: c.bidirectional as boolean | undefined, batchFirst: c.batchFirst as boolean | undefined });

describe('sequence modules match PyTorch (fixtures from scripts/fixtures/seq.py)', () => {
  it('has a test for every fixture file', () => {
    const files = readdirSync(DIR).filter((n) => n.endsWith('.safetensors')).map((n) => n.replace('.safetensors', ''));
    expect(files.sort()).toEqual(Object.keys(CASES).sort());
  });
  const CASES: Record<string, (f: Fixture) => void> = {
    layernorm: (f) => { const m = new nn.LayerNorm(f.config.normalizedShape as number[], f64); check(f, m, (x) => [m.call(x.x)]); },
    layernorm_affine: (f) => { const m = new nn.LayerNorm(5, f64); check(f, m, (x) => [m.call(x.x)]); },
    embedding: (f) => {
      const m = new nn.Embedding(6, 3, { ...f64, paddingIdx: 0 });
      check(f, m, () => [m.call(f.config.indices as number[][])]);
    },
    mha: (f) => {
      const m = new nn.MultiheadAttention(8, 2, { ...f64, batchFirst: true });
      const keyPaddingMask = boolRows(f.get('mask.keyPaddingMask'));
      const attnMask = boolRows(f.get('mask.attnMask'));
      check(f, m, (x) => {
        const [o, w] = m.call(x.q, x.k, x.v, { keyPaddingMask, attnMask, averageAttnWeights: false });
        return [o, w!];
      });
    },
    mha_kvdim: (f) => {
      const m = new nn.MultiheadAttention(6, 3, { ...f64, kdim: 4, vdim: 5 });
      check(f, m, (x) => { const [o, w] = m.call(x.q, x.k, x.v); return [o, w!]; });
    },
    encoder_layer: (f) => {
      const m = new nn.TransformerEncoderLayer(8, 2, { ...f64, dimFeedforward: 16, dropout: 0, batchFirst: true });
      check(f, m, (x) => [m.call(x.x, { srcKeyPaddingMask: boolRows(f.get('mask.keyPaddingMask')) })]);
    },
    encoder_layer_prenorm: (f) => {
      const m = new nn.TransformerEncoderLayer(8, 4, { ...f64, dimFeedforward: 12, dropout: 0, activation: 'gelu', normFirst: true });
      check(f, m, (x) => [m.call(x.x)]);
    },
    encoder: (f) => {
      const layer = new nn.TransformerEncoderLayer(8, 2, { ...f64, dimFeedforward: 16, dropout: 0, batchFirst: true });
      const m = new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(8, f64) });
      check(f, m, (x) => [m.call(x.x, { srcMask: f.get('mask.srcMask') })]);
    },
    lstm: (f) => {
      const m = new nn.LSTM(3, 4, rnnOptions(f.config));
      check(f, m, (x) => { const [o, [h, c]] = m.call(x.x, [x.h0, x.c0]); return [o, h, c]; });
    },
    lstm_lengths: (f) => {
      const m = new nn.LSTM(3, 4, rnnOptions(f.config));
      check(f, m, (x) => { const [o, [h, c]] = m.call(x.x, null, { lengths: f.config.lengths as number[] }); return [o, h, c]; });
    },
    gru: (f) => { const m = new nn.GRU(3, 4, rnnOptions(f.config)); check(f, m, (x) => m.call(x.x, x.h0)); },
    gru_lengths: (f) => {
      const m = new nn.GRU(3, 4, rnnOptions(f.config));
      check(f, m, (x) => m.call(x.x, null, { lengths: f.config.lengths as number[] }));
    },
    rnn_relu: (f) => { const m = new nn.RNN(3, 4, { ...rnnOptions(f.config), nonlinearity: 'relu' }); check(f, m, (x) => m.call(x.x)); },
    rnn_tanh_unbatched: (f) => { const m = new nn.RNN(3, 4, f64); check(f, m, (x) => m.call(x.x, x.h0)); },
    lstm_cell: (f) => { const m = new nn.LSTMCell(3, 4, f64); check(f, m, (x) => m.call(x.x, [x.h, x.c])); },
    gru_cell: (f) => { const m = new nn.GRUCell(3, 4, f64); check(f, m, (x) => [m.call(x.x, x.h)]); },
    rnn_cell: (f) => { const m = new nn.RNNCell(3, 4, { ...f64, bias: false }); check(f, m, (x) => [m.call(x.x, x.h)]); },
  };
  for (const [name, run] of Object.entries(CASES)) it(name, () => run(load(name)));
});
