// ONNX export of the layer families past dense models: convolutions, pooling, batch and layer norm,
// embeddings, a transformer encoder and LSTM / GRU layers, each run in ONNX Runtime (onnxruntime-web's
// WebAssembly backend in Node) against tapegrad's own outputs, and the ONNX operators each one becomes.

import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-web';
import * as tg from 'tapegrad';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDigits } from '../examples/mnist.js';
import { relErr } from './onnx-helpers.js';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as { onnx: { ModelProto: { decode(b: Uint8Array): any } } };

beforeAll(() => {
  ort.env.wasm.numThreads = 1; // the machine is shared; one thread is enough for these small models
});

const ORT_TYPE = { float32: 'float32', float64: 'float64', int32: 'int32' } as const;

/** Runs ONNX bytes in ONNX Runtime on named inputs; returns the first output as a float64 tensor. */
async function runOrt(bytes: Uint8Array, feeds: Record<string, tg.Tensor>): Promise<tg.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    ortFeeds[name] = new ort.Tensor(ORT_TYPE[t.dtype as keyof typeof ORT_TYPE], t.dataSync() as Float32Array, t.shape);
  }
  const out = await session.run(ortFeeds);
  const first = out[session.outputNames[0]];
  return tg.tensor(Array.from(first.data as Float32Array), { shape: [...first.dims], dtype: 'float64' });
}


const expected = (model: tg.nn.Module, x: tg.Tensor): tg.Tensor => {
  const was = model.training;
  model.eval();
  try {
    const y = tg.noGrad(() => model.call(x)) as unknown;
    return (Array.isArray(y) ? y[0] : y) as tg.Tensor;
  } finally {
    model.train(was);
  }
};

const opTypes = (bytes: Uint8Array): string[] => onnx.ModelProto.decode(bytes).graph.node.map((n: { opType: string }) => n.opType);

/** Exports with a dynamic batch, then checks ONNX Runtime against tapegrad at two batch sizes. */
async function checkBatches(model: tg.nn.Module, sample: (n: number) => tg.Tensor, tol = 1e-5, opts: tg.onnx.ExportOptions = {}): Promise<Uint8Array> {
  const bytes = tg.onnx.exportModel(model, sample(3), { dynamicAxes: { input: { 0: 'batch' } }, ...opts });
  for (const n of [1, 6]) {
    const x = sample(n);
    expect(relErr(await runOrt(bytes, { input: x }), expected(model, x))).toBeLessThan(tol);
  }
  return bytes;
}

/**
 * Exports with a dynamic batch and runs real MNIST digits (shaped [n, ...digitShape]) one and 100 at a
 * time: ONNX Runtime's outputs within 1e-5 of tapegrad's scale, and the same classes.
 */
async function checkDigits(model: tg.nn.Module, digitShape: number[]): Promise<void> {
  const bytes = tg.onnx.exportModel(model, tg.randn([2, ...digitShape]), { dynamicAxes: { input: { 0: 'batch' } } });
  const digits = loadDigits().x.reshape([-1, ...digitShape]);
  for (const [start, n] of [[7, 1], [1000, 100]]) {
    const x = digits.slice(0, start, start + n).contiguous();
    const got = await runOrt(bytes, { input: x });
    const want = expected(model, x);
    expect(relErr(got, want)).toBeLessThan(1e-5);
    expect(Array.from(got.argmax(1).dataSync())).toEqual(Array.from(want.argmax(1).dataSync()));
  }
}

/** A few training-mode passes so BatchNorm's running statistics are not the initial ones. */
function warmUp(model: tg.nn.Module, x: tg.Tensor): void {
  model.train();
  tg.noGrad(() => { for (let i = 0; i < 3; i++) model.call(x); });
  model.eval();
}

describe('onnx export: convolutional layers in ONNX Runtime', () => {
  it('a CNN (conv + batch norm + max pool + global average pool + linear) at two batch sizes, random and real MNIST digits', async () => {
    tg.manualSeed(11);
    const net = new tg.nn.Sequential(
      new tg.nn.Conv2d(1, 6, 3, { padding: 1 }), new tg.nn.BatchNorm2d(6), new tg.nn.ReLU(), new tg.nn.MaxPool2d(2),
      new tg.nn.Conv2d(6, 8, 3, { stride: 2, dilation: 1, groups: 2 }), new tg.nn.BatchNorm2d(8), new tg.nn.ReLU(),
      new tg.nn.AdaptiveAvgPool2d(1), new tg.nn.Flatten(), new tg.nn.Linear(8, 10),
    );
    warmUp(net, tg.randn([8, 1, 12, 12]));
    const bytes = await checkBatches(net, (n) => tg.randn([n, 1, 12, 12]));
    expect(opTypes(bytes)).toEqual(expect.arrayContaining(['Conv', 'BatchNormalization', 'MaxPool', 'GlobalAveragePool', 'Gemm']));
    // batch norm's statistics and the conv weights are initializers named by their stateDict keys
    const names = onnx.ModelProto.decode(bytes).graph.initializer.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['0.weight', '1.running_mean', '1.running_var', '4.weight']));
    // and on real MNIST digits (28×28, resized by the pooling), one and 100 at a time: the same classes
    await checkDigits(net, [1, 28, 28]);
  });

  it('Conv2d with stride, padding, dilation and groups; Conv1d; pooling options', async () => {
    tg.manualSeed(12);
    const c2 = new tg.nn.Sequential(
      new tg.nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 }),
      new tg.nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 1, ceilMode: false }),
      new tg.nn.AvgPool2d(2, { stride: 1, padding: 1, countIncludePad: false }),
    );
    const b2 = await checkBatches(c2, (n) => tg.randn([n, 4, 11, 9]));
    expect(opTypes(b2)).toEqual(['Conv', 'MaxPool', 'AveragePool']);
    const c1 = new tg.nn.Sequential(
      new tg.nn.Conv1d(3, 4, 3, { dilation: 2, padding: 2 }), new tg.nn.MaxPool1d(2), new tg.nn.AvgPool1d(3, { stride: 2, padding: 1 }),
      new tg.nn.Conv1d(4, 2, 2, { padding: 'same' }),
    );
    await checkBatches(c1, (n) => tg.randn([n, 3, 17]));
  });

  it('ConvTranspose2d / ConvTranspose1d with stride, padding, output padding, dilation and groups', async () => {
    tg.manualSeed(13);
    const up = new tg.nn.Sequential(
      new tg.nn.ConvTranspose2d(4, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }), new tg.nn.ReLU(),
      new tg.nn.ConvTranspose2d(4, 6, [2, 3], { stride: [2, 1], dilation: [1, 2], groups: 2 }),
    );
    const bytes = await checkBatches(up, (n) => tg.randn([n, 4, 3, 4]));
    expect(opTypes(bytes).filter((t) => t === 'ConvTranspose')).toHaveLength(2);
    const up1 = new tg.nn.ConvTranspose1d(3, 2, 4, { stride: 3, padding: 1, outputPadding: 2 });
    await checkBatches(up1, (n) => tg.randn([n, 3, 5]));
  });

  it('BatchNorm1d on [N, C] and [N, C, L]; unbatched pooling input', async () => {
    tg.manualSeed(14);
    const bn = new tg.nn.Sequential(new tg.nn.Linear(5, 4), new tg.nn.BatchNorm1d(4));
    warmUp(bn, tg.randn([16, 5]));
    expect(opTypes(await checkBatches(bn, (n) => tg.randn([n, 5])))).toContain('BatchNormalization');
    const pool = new tg.nn.MaxPool2d(2);
    const x = tg.randn([3, 6, 6]);
    const bytes = tg.onnx.exportModel(pool, x);
    expect(relErr(await runOrt(bytes, { input: x }), expected(pool, x))).toBe(0);
  });
});

describe('onnx export: sequence layers in ONNX Runtime', () => {
  it('LayerNorm as LayerNormalization at opset 17, as basic ops at opset 13', async () => {
    tg.manualSeed(21);
    const net = new tg.nn.Sequential(new tg.nn.Linear(6, 8), new tg.nn.LayerNorm(8), new tg.nn.LayerNorm([3, 8], { elementwiseAffine: false }));
    for (const opset of [17, 13]) {
      const bytes = await checkBatches(net, (n) => tg.randn([n, 3, 6]), 1e-5, { opset });
      expect(opTypes(bytes).includes('LayerNormalization')).toBe(opset >= 17);
    }
  });

  it('an Embedding + mean + Linear text classifier: Gather on the index input', async () => {
    tg.manualSeed(22);
    class Bag extends tg.nn.Module {
      emb = new tg.nn.Embedding(20, 6);
      fc = new tg.nn.Linear(6, 3);
      override forward(ids: tg.Tensor): tg.Tensor { return this.fc.call(this.emb.call(ids).mean(1)); }
    }
    const net = new Bag();
    const ids = (n: number) => tg.randint(0, 20, [n, 5], { dtype: 'int32' });
    const bytes = await checkBatches(net, ids);
    expect(opTypes(bytes)).toContain('Gather');
  });

  it('a small transformer encoder (2 post-norm layers + a pre-norm one) on [batch, seq, d] at two batch sizes', async () => {
    tg.manualSeed(23);
    class Encoder extends tg.nn.Module {
      enc = new tg.nn.TransformerEncoder(new tg.nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }), 2);
      pre = new tg.nn.TransformerEncoderLayer(8, 4, { dimFeedforward: 12, batchFirst: true, normFirst: true, activation: 'gelu' });
      head = new tg.nn.Linear(8, 3);
      override forward(x: tg.Tensor): tg.Tensor { return this.head.call(this.pre.call(this.enc.call(x)).mean(1)); }
    }
    const net = new Encoder();
    const bytes = await checkBatches(net, (n) => tg.randn([n, 5, 8]));
    const ops = opTypes(bytes);
    expect(ops).toEqual(expect.arrayContaining(['MatMul', 'Softmax', 'LayerNormalization']));
  });

  it.each(['LSTM', 'GRU', 'RNN'] as const)('a %s classifier (2 layers, bidirectional, batchFirst) as one ONNX node of that name per layer', async (kind) => {
    tg.manualSeed(24);
    const options = { numLayers: 2, bidirectional: true, batchFirst: true };
    class Classifier extends tg.nn.Module {
      rnn = kind === 'LSTM' ? new tg.nn.LSTM(4, 5, options)
        : kind === 'GRU' ? new tg.nn.GRU(4, 5, options) : new tg.nn.RNN(4, 5, { ...options, nonlinearity: 'relu' });
      fc = new tg.nn.Linear(10, 3);
      override forward(x: tg.Tensor): tg.Tensor {
        const [out] = this.rnn.call(x) as [tg.Tensor, unknown];
        return this.fc.call(out.slice(1, -1)).squeeze(1);
      }
    }
    const net = new Classifier();
    const bytes = await checkBatches(net, (n) => tg.randn([n, 7, 4]));
    expect(opTypes(bytes).filter((t) => t === kind)).toHaveLength(2);
  });

  it.each(['lstm', 'simpleRNN', 'gru'] as const)('a Keras %s (Keras\' weights: one bias for lstm / simpleRNN, zeros as ONNX\'s Rb) and a bidirectional one, as ONNX recurrent nodes', async (kind) => {
    tg.manualSeed(27);
    const model = tg.sequential([
      tg.layers.bidirectional({ layer: tg.layers[kind]({ units: 4, returnSequences: true }), inputShape: [7, 3] }),
      tg.layers[kind]({ units: 5 }),
      tg.layers.dense({ units: 2 }),
    ]);
    const bytes = await checkBatches(model, (n) => tg.randn([n, 7, 3]));
    const op = kind === 'lstm' ? 'LSTM' : kind === 'gru' ? 'GRU' : 'RNN';
    expect(opTypes(bytes).filter((t) => t === op)).toHaveLength(2);
  });

  it('a Keras encoder-decoder: the encoder\'s returned [h, c] start the decoder (two inputs)', async () => {
    tg.manualSeed(28);
    const encIn = tg.input({ shape: [5, 3], name: 'enc' });
    const decIn = tg.input({ shape: [4, 2], name: 'dec' });
    const [, h, c] = tg.layers.lstm({ units: 6, returnState: true }).apply(encIn);
    const seq = tg.layers.lstm({ units: 6, returnSequences: true }).apply(decIn, { initialState: [h, c] });
    const model = tg.model({ inputs: [encIn, decIn], outputs: tg.layers.dense({ units: 2 }).apply(seq) });
    const xs = [tg.randn([3, 5, 3]), tg.randn([3, 4, 2])];
    const bytes = tg.onnx.exportModel(model, xs);
    const want = tg.noGrad(() => model.call(...xs));
    expect(relErr(await runOrt(bytes, { input_0: xs[0], input_1: xs[1] }), want)).toBeLessThan(1e-5);
    expect(opTypes(bytes).filter((t) => t === 'LSTM')).toHaveLength(2);
  });

  it.each(['LSTM', 'GRU', 'RNN'] as const)('a one-layer %s\'s final hidden state, with and without an initial state', async (kind) => {
    tg.manualSeed(25);
    const rnn = kind === 'LSTM' ? new tg.nn.LSTM(3, 4) : kind === 'GRU' ? new tg.nn.GRU(3, 4) : new tg.nn.RNN(3, 4);
    class Last extends tg.nn.Module {
      rnn = rnn;
      override forward(x: tg.Tensor, h0?: tg.Tensor, c0?: tg.Tensor): tg.Tensor {
        const state = h0 === undefined ? null : kind === 'LSTM' ? [h0, c0] : h0;
        const [, hN] = this.rnn.call(x, state as never) as [tg.Tensor, tg.Tensor | tg.Tensor[]];
        return Array.isArray(hN) ? hN[0].add(hN[1]) : hN;
      }
    }
    const net = new Last().eval();
    const x = tg.randn([6, 2, 3]);
    const y0 = tg.noGrad(() => net.call(x));
    expect(relErr(await runOrt(tg.onnx.exportModel(net, x), { input: x }), y0)).toBeLessThan(1e-5);
    const states = kind === 'LSTM' ? [tg.randn([1, 2, 4]), tg.randn([1, 2, 4])] : [tg.randn([1, 2, 4])];
    const bytes = tg.onnx.exportModel(net, [x, ...states]);
    const y = tg.noGrad(() => net.call(x, ...states));
    const feeds = Object.fromEntries([x, ...states].map((t, i) => [`input_${i}`, t]));
    expect(relErr(await runOrt(bytes, feeds), y)).toBeLessThan(1e-5);
  });

  it.each(['LSTM', 'transformer'] as const)('a %s reading real MNIST digits row by row (28 steps of 28 pixels), 1 and 100 at a time: the same classes', async (kind) => {
    tg.manualSeed(26);
    class RowReader extends tg.nn.Module {
      lstm = kind === 'LSTM' ? new tg.nn.LSTM(28, 16, { batchFirst: true }) : null;
      proj = kind === 'transformer' ? new tg.nn.Linear(28, 16) : null;
      enc = kind === 'transformer' ? new tg.nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true }) : null;
      head = new tg.nn.Linear(16, 10);
      override forward(x: tg.Tensor): tg.Tensor {
        if (this.lstm) {
          const [out] = this.lstm.call(x) as [tg.Tensor, unknown];
          return this.head.call(out.slice(1, -1).squeeze(1));
        }
        return this.head.call(this.enc!.call(this.proj!.call(x)).mean(1));
      }
    }
    const net = new RowReader().eval();
    await checkDigits(net, [28, 28]);
  });
});

describe('onnx export: what does not export', () => {
  it('an op with no ONNX form is named with the layer it ran in', () => {
    class Running extends tg.nn.Module {
      override forward(x: tg.Tensor): tg.Tensor { return x.cumprod(1); }
    }
    const net = new tg.nn.Sequential(new tg.nn.Linear(3, 3), new Running());
    expect(() => tg.onnx.exportModel(net, tg.randn([2, 3]))).toThrow(/'cumprod' producing \[2,3\] in '1' \(Running\).*no ONNX mapping/);
  });
});
