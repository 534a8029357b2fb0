// Keras layers added beside the image layers (conv1dTranspose, globalMaxPooling1d, zeroPadding1d, cropping1d,
// cropping2d, upSampling1d) and Keras' default layer names. Values are checked against layers and ops that are
// already tested against PyTorch (conv1d, F.convTranspose1d, zeroPadding2d, upSampling2d); then Keras' summary
// shapes and parameter counts, save/load round trips, errors naming the layer, and models saved with the
// names older versions gave (maxpooling2d) loading unchanged.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { snakeCase } from '../src/keras/names.js';

const F = tg.nn.functional;
const f64 = { dtype: 'float64' as const };
const maxDiff = (a: tg.Tensor, b: tg.Tensor) => {
  expect(a.shape).toEqual(b.shape);
  return a.sub(b).abs().max().item();
};
/** A batch of sequences [n, steps, c] as one-row images [n, 1, steps, c]. */
const asImage = (x: tg.Tensor) => x.unsqueeze(1);

describe("Keras' default layer names", () => {
  it("are the snake_case of the class name (Keras' to_snake_case)", () => {
    const cases: [string, string][] = [
      ['Dense', 'dense'], ['Conv2D', 'conv2d'], ['MaxPooling2D', 'max_pooling2d'], ['BatchNormalization', 'batch_normalization'],
      ['GlobalAveragePooling2D', 'global_average_pooling2d'], ['Conv2DTranspose', 'conv2d_transpose'], ['DepthwiseConv2D', 'depthwise_conv2d'],
      ['SeparableConv2D', 'separable_conv2d'], ['ZeroPadding2D', 'zero_padding2d'], ['UpSampling2D', 'up_sampling2d'],
      ['LayerNormalization', 'layer_normalization'], ['SimpleRNN', 'simple_rnn'], ['LSTM', 'lstm'], ['GRU', 'gru'],
      ['MultiHeadAttention', 'multi_head_attention'], ['GlobalMaxPooling1D', 'global_max_pooling1d'], ['Conv1DTranspose', 'conv1d_transpose'],
      ['Cropping2D', 'cropping2d'], ['RandomTranslation', 'random_translation'], ['TextVectorization', 'text_vectorization'],
    ];
    for (const [cls, name] of cases) expect(snakeCase(cls)).toBe(name);
  });

  it('number repeats within a model (conv2d, conv2d_1, max_pooling2d_1) in sequential and functional models', () => {
    const seq = tg.sequential([
      tg.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [12, 12, 1] }),
      tg.layers.batchNormalization(),
      tg.layers.maxPooling2d(),
      tg.layers.conv2d({ filters: 4, kernelSize: 3 }),
      tg.layers.maxPooling2d(),
      tg.layers.globalAveragePooling2d(),
      tg.layers.dense({ units: 2 }),
    ]);
    expect(seq.layers.map((l) => l.name)).toEqual(['conv2d', 'batch_normalization', 'max_pooling2d', 'conv2d_1', 'max_pooling2d_1', 'global_average_pooling2d', 'dense']);
    const text = seq.summary(() => {});
    expect(text).toContain(' max_pooling2d_1 (MaxPooling2D) ');
    expect(text).toContain(' global_average_pooling2d (GlobalAveragePooling2D) ');

    const x = tg.input({ shape: [6, 4] });
    const h = tg.layers.layerNormalization().apply(tg.layers.simpleRNN({ units: 4, returnSequences: true }).apply(x));
    const y = tg.layers.dense({ units: 1 }).apply(tg.layers.globalMaxPooling1d().apply(tg.layers.conv1dTranspose({ filters: 3, kernelSize: 2 }).apply(h)));
    const fn = tg.model({ inputs: x, outputs: y });
    expect(fn.layers.map((l) => l.name)).toEqual(['simple_rnn', 'layer_normalization', 'conv1d_transpose', 'global_max_pooling1d', 'dense']);
  });

  it('an unnamed layer says its Keras name in errors', () => {
    expect(() => tg.layers.upSampling2d().call(tg.ones([2, 3]))).toThrow(/^up_sampling2d \(UpSampling2D\): expected input with ndim=4/);
  });

  it('a model saved with the names older versions gave (maxpooling2d, batchnormalization) loads with them and predicts the same', async () => {
    // older versions named unnamed layers className.toLowerCase() and saved those names (in model.json and as the
    // weights' keys of functional models): the same file as a model given those names explicitly
    tg.manualSeed(3);
    const x = tg.input({ shape: [8, 8, 1] });
    const conv = tg.layers.conv2d({ filters: 2, kernelSize: 3 }).apply(x);
    const a = tg.layers.maxPooling2d({ name: 'maxpooling2d' }).apply(tg.layers.batchNormalization({ name: 'batchnormalization' }).apply(conv));
    const model = tg.model({ inputs: x, outputs: tg.layers.dense({ units: 3 }).apply(tg.layers.flatten().apply(a)) });
    const data = tg.randn([4, 8, 8, 1]);
    const before = model.predict(data);
    const dir = mkdtempSync(join(tmpdir(), 'tg-names-'));
    try {
      await model.save(dir);
      expect(readFileSync(join(dir, 'model.json'), 'utf8')).toContain('"batchnormalization"');
      const old = await tg.loadModel(dir);
      expect(old.layers.map((l) => l.name)).toEqual(['conv2d', 'batchnormalization', 'maxpooling2d', 'flatten', 'dense']);
      expect(maxDiff(old.predict(data), before)).toBe(0);
      expect(old.summary(() => {})).toContain(' maxpooling2d (MaxPooling2D) ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('conv1dTranspose', () => {
  it('is the adjoint of conv1d with the same padding and strides (as TensorFlow defines it), in either data format', () => {
    for (const [padding, kernelSize, strides, size] of [['same', 3, 2, 5], ['valid', 3, 2, 4], ['same', 4, 2, 3], ['valid', 1, 3, 3], ['same', 2, 3, 4]] as const) {
      const t = tg.layers.conv1dTranspose({ filters: 2, kernelSize, strides, padding, useBias: false, dtype: 'float64' });
      const y = tg.randn([2, size, 3], f64);
      const ty = t.call(y); // [2, L, 2]
      const c = tg.layers.conv1d({ filters: 3, kernelSize, strides, padding, useBias: false, dtype: 'float64' });
      c.build(ty.shape.slice(1));
      c.loadStateDict(t.stateDict()); // conv weight [3, 2, k] is the transpose's [channels=3, filters=2, k]
      const x = tg.randn(ty.shape, f64);
      const cx = c.call(x);
      expect(cx.shape).toEqual(y.shape); // the conv maps the transpose's output size back to its input size
      expect(Math.abs(cx.mul(y).sum().item() - x.mul(ty).sum().item())).toBeLessThan(1e-9);

      const first = tg.layers.conv1dTranspose({ filters: 2, kernelSize, strides, padding, useBias: false, dtype: 'float64', dataFormat: 'channelsFirst' });
      first.build([3, size]);
      first.loadStateDict(t.stateDict());
      expect(maxDiff(first.call(y.permute([0, 2, 1])).permute([0, 2, 1]), ty)).toBeLessThan(1e-12);
    }
  });

  it("with 'valid' padding it is F.convTranspose1d (PyTorch's), plus the bias and the activation", () => {
    const layer = tg.layers.conv1dTranspose({ filters: 3, kernelSize: 4, strides: 3, activation: 'tanh', biasInitializer: 'ones', dtype: 'float64' });
    const x = tg.randn([2, 5, 2], f64);
    const y = layer.call(x);
    expect(y.shape).toEqual([2, 16, 3]); // (5 − 1)·3 + 4
    const ref = F.convTranspose1d(x.permute([0, 2, 1]), layer.weight!, layer.bias!, { stride: 3 }).tanh().permute([0, 2, 1]);
    expect(maxDiff(y, ref)).toBeLessThan(1e-12);
  });

  it('matches conv2dTranspose on one-row images (kernel [1, k], strides [1, s])', () => {
    for (const [padding, outputPadding] of [['same', undefined], ['valid', 1], ['same', 0]] as const) {
      const t1 = tg.layers.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding, outputPadding, dtype: 'float64' });
      const t2 = tg.layers.conv2dTranspose({ filters: 2, kernelSize: [1, 3], strides: [1, 2], padding, outputPadding: outputPadding === undefined ? undefined : [0, outputPadding], dtype: 'float64' });
      const x = tg.randn([3, 6, 4], f64);
      const y1 = t1.call(x);
      t2.build([1, 6, 4]);
      t2.loadStateDict({ weight: t1.weight!.unsqueeze(2), bias: t1.bias! });
      expect(maxDiff(asImage(y1), t2.call(asImage(x)))).toBeLessThan(1e-12);
    }
  });
});

describe('globalMaxPooling1d, zeroPadding1d, cropping1d/2d, upSampling1d', () => {
  it('globalMaxPooling1d is the max over the steps (axis 1, or 2 channels-first), keepdims keeps it as 1', () => {
    const x = tg.randn([3, 7, 4], f64);
    expect(maxDiff(tg.layers.globalMaxPooling1d().call(x), x.max(1))).toBe(0);
    expect(maxDiff(tg.layers.globalMaxPooling1d({ dataFormat: 'channelsFirst' }).call(x), x.max(2))).toBe(0);
    expect(tg.layers.globalMaxPooling1d({ keepdims: true }).call(x).shape).toEqual([3, 1, 4]);
    expect(maxDiff(tg.layers.globalMaxPooling1d().call(x), tg.layers.globalMaxPooling2d().call(asImage(x)))).toBe(0);
  });

  it('zeroPadding1d and upSampling1d are zeroPadding2d and upSampling2d on one-row images', () => {
    const x = tg.randn([2, 5, 3], f64);
    for (const padding of [1, 3, [2, 0] as [number, number]]) {
      const pair = typeof padding === 'number' ? [padding, padding] : padding;
      const ref = tg.layers.zeroPadding2d({ padding: [[0, 0], [pair[0], pair[1]]] }).call(asImage(x));
      expect(maxDiff(asImage(tg.layers.zeroPadding1d({ padding }).call(x)), ref)).toBe(0);
    }
    expect(maxDiff(tg.layers.zeroPadding1d({ padding: [1, 2], dataFormat: 'channelsFirst' }).call(x.permute([0, 2, 1])), F.pad(x.permute([0, 2, 1]), [1, 2]))).toBe(0);
    for (const size of [2, 3]) {
      const ref = tg.layers.upSampling2d({ size: [1, size] }).call(asImage(x));
      expect(maxDiff(asImage(tg.layers.upSampling1d({ size }).call(x)), ref)).toBe(0);
    }
    expect(tg.layers.upSampling1d().call(x).shape).toEqual([2, 10, 3]);
  });

  it('cropping undoes zero padding by the same amounts, and is the slice of those rows and columns', () => {
    const img = tg.randn([2, 6, 7, 3], f64);
    for (const cropping of [1, [1, 2] as [number, number], [[0, 2], [3, 1]] as [[number, number], [number, number]]]) {
      const padded = tg.layers.zeroPadding2d({ padding: cropping }).call(img);
      expect(maxDiff(tg.layers.cropping2d({ cropping }).call(padded), img)).toBe(0);
    }
    const y = tg.layers.cropping2d({ cropping: [[1, 2], [0, 3]], dataFormat: 'channelsFirst' }).call(img.permute([0, 3, 1, 2]));
    expect(maxDiff(y, img.permute([0, 3, 1, 2]).slice(2, 1, 4).slice(3, 0, 4))).toBe(0);
    const seq = tg.randn([2, 9, 4], f64);
    expect(maxDiff(tg.layers.cropping1d().call(seq), seq.slice(1, 1, 8))).toBe(0); // Keras' default: one step at each end
    expect(maxDiff(tg.layers.cropping1d({ cropping: [0, 3] }).call(tg.layers.zeroPadding1d({ padding: [0, 3] }).call(seq)), seq)).toBe(0);
    expect(tg.layers.cropping2d().call(img).shape).toEqual([2, 6, 7, 3]); // Keras' default crops nothing
  });

  it('gradients flow through each of them', () => {
    const x = tg.randn([2, 6, 3], { requiresGrad: true });
    const layers = [tg.layers.globalMaxPooling1d(), tg.layers.zeroPadding1d(), tg.layers.cropping1d(), tg.layers.upSampling1d(), tg.layers.conv1dTranspose({ filters: 2, kernelSize: 2 })];
    for (const l of layers) {
      x.grad = null;
      l.call(x).sum().backward();
      expect(x.grad!.shape).toEqual([2, 6, 3]);
    }
    // cropping passes the gradient to the kept steps only
    expect(Array.from(x.grad!.dataSync()).some((g) => g !== 0)).toBe(true);
  });
});

describe('the new layers in models: summary as Keras prints it, save and load', () => {
  const build = () => tg.sequential([
    tg.layers.conv1d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [20, 2] }), // 3·2·8 + 8 = 56
    tg.layers.zeroPadding1d({ padding: 2 }),
    tg.layers.cropping1d({ cropping: [1, 3] }),
    tg.layers.upSampling1d({ size: 2 }),
    tg.layers.conv1dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), // 3·8·4 + 4 = 100
    tg.layers.globalMaxPooling1d(),
    tg.layers.dense({ units: 3, activation: 'softmax' }), // 4·3 + 3 = 15
  ]);

  it("prints Keras' names, output shapes and parameter counts", () => {
    const text = build().summary(() => {});
    for (const row of [
      /conv1d \(Conv1D\) +\(None, 18, 8\) +56\n/,
      /zero_padding1d \(ZeroPadding1D\) +\(None, 22, 8\) +0\n/,
      /cropping1d \(Cropping1D\) +\(None, 18, 8\) +0\n/,
      /up_sampling1d \(UpSampling1D\) +\(None, 36, 8\) +0\n/,
      /conv1d_transpose \(Conv1DTranspose\) +\(None, 72, 4\) +100\n/,
      /global_max_pooling1d \(GlobalMaxPooling1D\) +\(None, 4\) +0\n/,
      /dense \(Dense\) +\(None, 3\) +15\n/,
      /Total params: 171 /,
    ]) expect(text).toMatch(row);
    const img = tg.sequential([tg.layers.cropping2d({ cropping: [[2, 2], [4, 4]], inputShape: [28, 28, 3] }), tg.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2 })]);
    expect(img.summary(() => {})).toMatch(/cropping2d \(Cropping2D\) +\(None, 24, 20, 3\) +0\n/);
  });

  it('round-trips through toBytes/fromBytes and a saved directory with the same predictions and configs', async () => {
    tg.manualSeed(11);
    const model = build();
    const x = tg.randn([4, 20, 2]);
    const before = model.predict(x);
    const back = tg.fromBytes(model.toBytes());
    expect(maxDiff(back.predict(x), before)).toBe(0);
    expect(back.layers.map((l) => l.getConfig())).toEqual(model.layers.map((l) => l.getConfig()));
    expect(model.layers[2].getConfig()).toMatchObject({ cropping: [1, 3], dataFormat: 'channelsLast' });
    const dir = mkdtempSync(join(tmpdir(), 'tg-1d-'));
    try {
      await model.save(dir);
      const loaded = await tg.loadModel(dir);
      expect(maxDiff(loaded.predict(x), before)).toBe(0);
      expect(loaded.summary(() => {})).toEqual(model.summary(() => {}));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const crop = tg.sequential([tg.layers.cropping2d({ cropping: [1, 2], inputShape: [6, 6, 1] })]);
    expect(crop.layers[0].getConfig()).toMatchObject({ cropping: [[1, 1], [2, 2]] });
    const img = tg.randn([2, 6, 6, 1]);
    expect(maxDiff(tg.fromBytes(crop.toBytes()).predict(img), crop.predict(img))).toBe(0);
  });
});

describe('bad input names the layer and the shapes', () => {
  it('cropping more than the input has, bad amounts, outputPadding ≥ strides, the wrong rank', () => {
    expect(() => tg.layers.cropping2d({ cropping: [[3, 3], [0, 0]] }).call(tg.ones([1, 6, 6, 1])))
      .toThrow("cropping2d (Cropping2D): cropping [[3,3],[0,0]] must leave part of the input's spatial size [6,6] (input rows [6,6,1])");
    expect(() => tg.sequential([tg.layers.cropping1d({ cropping: [4, 4], inputShape: [8, 2] })]))
      .toThrow("cropping1d (Cropping1D): cropping [4,4] must leave part of the input's spatial size [8]");
    expect(() => tg.layers.zeroPadding1d({ padding: [1, 2, 3] as unknown as [number, number] })).toThrow(/zeroPadding1d: padding must be a non-negative integer or \[before, after\], got \[1,2,3\]/);
    expect(() => tg.layers.cropping2d({ cropping: -1 })).toThrow(/cropping2d: cropping must be a non-negative integer, \[h, w\] or \[\[top, bottom\], \[left, right\]\], got -1/);
    expect(() => tg.layers.conv1dTranspose({ filters: 1, kernelSize: 3, strides: 2, outputPadding: 2 })).toThrow(/conv1dTranspose: outputPadding \[2\] must be smaller than strides \[2\]/);
    expect(() => tg.layers.globalMaxPooling1d().call(tg.ones([2, 3, 4, 5]))).toThrow(/global_max_pooling1d \(GlobalMaxPooling1D\): expected input with ndim=3 \[batch, steps, channels\], found ndim=4/);
    expect(() => tg.layers.conv1dTranspose({ filters: 2, kernelSize: 3 }).call(tg.ones([2, 8]))).toThrow(/conv1d_transpose \(Conv1DTranspose\): expected input with ndim=3 .*add a channels axis of 1/);
  });
});
