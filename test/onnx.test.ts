// ONNX export checked end to end: exported models run in ONNX Runtime (onnxruntime-web's WebAssembly backend
// in Node) and give tapegrad's outputs; the bytes decode with the official onnx.proto schema (onnx-proto).

import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import * as tg from 'tapegrad';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDigits } from '../examples/mnist.js';
import { relErr } from './onnx-helpers.js';
import { apply } from '../src/autograd/tensor.js';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as { onnx: { ModelProto: { decode(b: Uint8Array): any } } };

beforeAll(() => {
  ort.env.wasm.numThreads = 1; // the machine is shared; one thread is enough for these small models
});

/** Runs ONNX bytes in ONNX Runtime on named inputs; returns the first output as a tensor. */
async function runOrt(bytes: Uint8Array, feeds: Record<string, tg.Tensor>): Promise<tg.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    ortFeeds[name] = new ort.Tensor(t.dtype === 'float64' ? 'float64' : 'float32', t.dataSync() as Float32Array, t.shape);
  }
  const out = await session.run(ortFeeds);
  const first = out[session.outputNames[0]];
  return tg.tensor(Array.from(first.data as Float32Array), { shape: [...first.dims] });
}


const expected = (model: tg.nn.Module, x: tg.Tensor): tg.Tensor => {
  const was = model.training;
  model.eval();
  try {
    return tg.noGrad(() => model.call(x));
  } finally {
    model.train(was);
  }
};

const dynamicBatch = { dynamicAxes: { input: { 0: 'batch' } } };

describe('onnx export: dense models in ONNX Runtime', () => {
  it('an nn MLP at two batch sizes on random inputs (dynamic batch), weights named by stateDict keys', async () => {
    tg.manualSeed(1);
    const net = new tg.nn.Sequential(new tg.nn.Linear(6, 16), new tg.nn.ReLU(), new tg.nn.Dropout(0.3), new tg.nn.Linear(16, 3));
    const bytes = tg.onnx.exportModel(net, tg.randn([4, 6]), dynamicBatch);
    for (const n of [1, 5, 33]) {
      const x = tg.randn([n, 6]);
      expect(relErr(await runOrt(bytes, { input: x }), expected(net, x))).toBeLessThan(1e-5);
    }
    const m = onnx.ModelProto.decode(bytes);
    expect(Number(m.opsetImport[0].version)).toBe(17);
    expect(m.graph.initializer.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining([...net.stateDict().keys()]));
    expect(m.graph.node.map((nd: { opType: string }) => nd.opType)).toEqual(['Gemm', 'Relu', 'Gemm']); // dropout gone in eval form
    expect(m.graph.input[0].type.tensorType.shape.dim[0].dimParam).toBe('batch');
    expect(m.graph.output[0].type.tensorType.shape.dim[0].dimParam).toBe('batch');
    expect(net.training).toBe(true); // the export put the model back in training mode
  });

  it('a Keras-style model on real MNIST digits at two batch sizes; predictions agree', async () => {
    tg.manualSeed(2);
    const model = tg.sequential([
      tg.layers.dense({ units: 64, activation: 'relu', inputShape: [784] }),
      tg.layers.dropout({ rate: 0.2 }),
      tg.layers.dense({ units: 32, activation: 'gelu' }),
      tg.layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    const { x } = loadDigits();
    const bytes = tg.onnx.exportModel(model, x.slice(0, 0, 2), dynamicBatch);
    for (const [start, n] of [[0, 8], [5000, 100]]) {
      const digits = x.slice(0, start, start + n);
      const ref = expected(model, digits);
      const got = await runOrt(bytes, { input: digits });
      expect(relErr(got, ref)).toBeLessThan(1e-5);
      expect(got.argmax(1).toArray()).toEqual(ref.argmax(1).toArray());
    }
  });

  it('a static export keeps fixed dims, and ONNX Runtime refuses another batch size', async () => {
    const net = new tg.nn.Linear(3, 2);
    const bytes = tg.onnx.exportModel(net, tg.randn([2, 3]));
    const m = onnx.ModelProto.decode(bytes);
    expect(m.graph.input[0].type.tensorType.shape.dim.map((d: { dimValue: unknown }) => Number(d.dimValue))).toEqual([2, 3]);
    const x = tg.randn([2, 3]);
    expect(relErr(await runOrt(bytes, { input: x }), expected(net, x))).toBeLessThan(1e-5);
    await expect(runOrt(bytes, { input: tg.randn([3, 3]) })).rejects.toThrow();
  });

  it('composites built from many primitives: activations, norms by hand, slices, concat, matmul, float64', async () => {
    class Mixed extends tg.nn.Module {
      fc = new tg.nn.Linear(8, 8);
      fc3 = new tg.nn.Linear(8, 4);
      override forward(x: tg.Tensor): tg.Tensor {
        const h = this.fc.call(x);
        const acts = [
          tg.nn.functional.leakyRelu(h, 0.1), tg.nn.functional.softplus(h), new tg.nn.GELU().call(h), new tg.nn.GELU('tanh').call(h),
          h.sigmoid(), h.tanh(), h.clamp(0, 6), h.relu().add(h.minimum(0).expm1()), h.mul(h.sigmoid()), h.abs().add(1).log1p(),
          h.exp().sqrt(), h.sin().add(h.cos()), h.logSoftmax(-1), h.softmax(-1), h.pow(3), h.square(),
          h.maximum(h.mul(0.5)), h.div(h.abs().add(1)), tg.where(h.ge(0), h, h.neg()), h.flip([1]), h.cumsum(1), h.mul(3).trunc(),
        ];
        // a layer norm written out: mean and variance over the last dim
        const mu = h.mean(-1, true);
        const norm = h.sub(mu).div(h.var(-1, true, 0).add(1e-5).sqrt());
        const cat = tg.concat([...acts, norm], 1); // [N, 8·23]
        const parts = cat.slice(1, 0, 8).add(cat.slice(1, 8, 16)).add(cat.slice(1, 16, 184, 4).slice(1, 0, 8));
        const gram = parts.unsqueeze(2).matmul(parts.unsqueeze(1)).sum(2); // batched matmul, then a sum
        const t = gram.transpose(0, 1).transpose(0, 1).reshape([-1, 2, 4]).flatten(1);
        return this.fc3.call(t.add(h.max(1, true)).sub(h.min(1, true)).div(8));
      }
    }
    for (const dtype of ['float32', 'float64'] as const) {
      tg.manualSeed(3);
      const net = new Mixed();
      if (dtype === 'float64') for (const p of net.parameters()) p.value = p.value.astype('float64');
      const bytes = tg.onnx.exportModel(net, tg.randn([3, 8], { dtype }), dynamicBatch);
      for (const n of [2, 9]) {
        const x = tg.randn([n, 8], { dtype });
        expect(relErr(await runOrt(bytes, { input: x }), expected(net, x))).toBeLessThan(1e-5);
      }
    }
  });

  it('softmax with huge logits stays finite (the max shift is exported as a function of the input)', async () => {
    const net = new tg.nn.Sequential(new tg.nn.Linear(4, 5), new tg.nn.Softmax());
    const bytes = tg.onnx.exportModel(net, tg.randn([2, 4]), dynamicBatch);
    const x = tg.randn([3, 4]).mul(1e4);
    const got = await runOrt(bytes, { input: x });
    expect(got.isFinite().sum().item()).toBe(15);
    expect(relErr(got, expected(net, x))).toBeLessThan(1e-5);
  });

  it('several inputs, named axes on the output, and the Node helper writing a file', async () => {
    class Two extends tg.nn.Module {
      fc = new tg.nn.Linear(3, 2);
      override forward(a: tg.Tensor, b: tg.Tensor): tg.Tensor { return this.fc.call(a).mul(b); }
    }
    const net = new Two();
    const dir = mkdtempSync(join(tmpdir(), 'tg-onnx-'));
    try {
      const path = join(dir, 'two.onnx');
      const size = await tg.onnx.exportToFile(net, [tg.randn([2, 3]), tg.randn([2, 2])], path, {
        inputNames: ['a', 'b'], outputNames: ['y'], dynamicAxes: { a: { 0: 'n' }, b: { 0: 'n' }, y: { 0: 'rows' } },
      });
      const bytes = new Uint8Array(readFileSync(path));
      expect(bytes.length).toBe(size);
      expect(onnx.ModelProto.decode(bytes).graph.output[0].type.tensorType.shape.dim[0].dimParam).toBe('rows');
      const a = tg.randn([5, 3]);
      const b = tg.randn([5, 2]);
      expect(relErr(await runOrt(bytes, { a, b }), tg.noGrad(() => net.call(a, b)))).toBeLessThan(1e-5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opsets 13 and 18 (ReduceMax takes its axes as an attribute, then as an input)', async () => {
    const net = new tg.nn.Sequential(new tg.nn.Linear(3, 4), new tg.nn.LogSoftmax());
    for (const opset of [13, 18]) {
      const bytes = tg.onnx.exportModel(net, tg.randn([2, 3]), { opset, ...dynamicBatch });
      expect(Number(onnx.ModelProto.decode(bytes).opsetImport[0].version)).toBe(opset);
      const x = tg.randn([4, 3]);
      expect(relErr(await runOrt(bytes, { input: x }), expected(net, x))).toBeLessThan(1e-5);
    }
  });
});

describe('onnx export: errors', () => {
  it('a primitive with no ONNX mapping is named with its place in the model', () => {
    class Scatter extends tg.nn.Module {
      override forward(x: tg.Tensor): tg.Tensor {
        return apply('scatterAdd', [x], { axis: 1, index: tg.zeros([2, 3]).value, shape: [2, 3] });
      }
    }
    const net = new tg.nn.Sequential(new tg.nn.Linear(3, 3), new Scatter());
    expect(() => tg.onnx.exportModel(net, tg.randn([2, 3]))).toThrow(
      /cannot export 'scatterAdd' producing \[2, ?3\] in '1' \(Scatter\): the primitive 'scatterAdd' has no ONNX mapping/,
    );
  });

  it('a constant made from the input outside the tape is refused (export would freeze it), with or without dynamic dims', () => {
    class Leaky extends tg.nn.Module {
      override forward(x: tg.Tensor): tg.Tensor { return x.add(tg.tensor(x.dataSync(), { shape: x.shape })); }
    }
    for (const options of [{}, dynamicBatch]) {
      expect(() => tg.onnx.exportModel(new Leaky(), tg.randn([2, 3]), options)).toThrow(
        /a constant of shape \[2, ?3\] is computed from the input's values outside the tape/,
      );
    }
  });

  it('an index computed from the input\'s values outside the tape is refused, not frozen (static shapes too)', () => {
    class MaxByIndex extends tg.nn.Module {
      override forward(x: tg.Tensor): tg.Tensor { return x.gather(1, x.argmax(1, true)); }
    }
    expect(() => tg.onnx.exportModel(new MaxByIndex(), tg.randn([3, 4]))).toThrow(
      /the attributes of 'gather' producing \[3, ?1\] in \(the model\) are computed from the input's values outside the tape/,
    );
  });

  it('bad options', () => {
    const net = new tg.nn.Linear(2, 2);
    expect(() => tg.onnx.exportModel(net, tg.randn([1, 2]), { opset: 9 })).toThrow(/opset must be an integer from 13 to 21/);
    expect(() => tg.onnx.exportModel(net, tg.randn([1, 2]), { inputNames: ['a', 'b'] })).toThrow(/2 inputNames for 1 sample inputs/);
    expect(() => tg.onnx.exportModel(net, tg.randn([1, 2]), { dynamicAxes: { nope: [0] } })).toThrow(/neither an input nor the output/);
    expect(() => tg.onnx.exportModel(net, tg.randn([1, 2]), { dynamicAxes: { input: [2] } })).toThrow(/dynamic axis 2 of input 'input'/);
    expect(() => tg.onnx.exportModel({} as tg.nn.Module, tg.randn([1, 2]))).toThrow(/expected an nn Module/);
  });
});
