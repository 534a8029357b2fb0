// The Keras layer registry: every exported layer class is registered under its className, declares the
// weights it creates, checks its config with one schema for code and files, and round-trips its config.

import { describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { LAYERS, layerFromConfig, type LayerName } from '../src/keras/registry.js';
import { Layer } from '../src/keras/layer.js';
import { ConfigError } from '../src/keras/schema.js';

// One sample config per registered layer (the typed record fails to compile when a layer lacks one).
// Merge layers take several inputs: inputShapes lists them (inputShape is the first).
const SAMPLES: { [K in LayerName]: { args: Record<string, unknown>; inputShape: number[]; inputShapes?: number[][] } } = {
  Dense: { args: { units: 3, activation: 'relu', useBias: true, dtype: 'float64' }, inputShape: [4] },
  Dropout: { args: { rate: 0.25 }, inputShape: [2, 3] },
  Flatten: { args: {}, inputShape: [2, 3] },
  Activation: { args: { activation: 'tanh' }, inputShape: [5] },
  Embedding: { args: { inputDim: 10, outputDim: 4, maskZero: true }, inputShape: [6] },
  LayerNormalization: { args: { epsilon: 1e-5, center: false }, inputShape: [3, 4] },
  GlobalAveragePooling1D: { args: {}, inputShape: [5, 3] },
  SimpleRNN: { args: { units: 3, returnSequences: true }, inputShape: [5, 2] },
  LSTM: { args: { units: 3, goBackwards: true, dtype: 'float64' }, inputShape: [5, 2] },
  GRU: { args: { units: 4 }, inputShape: [5, 2] },
  Bidirectional: { args: { layer: { className: 'LSTM', config: { units: 3, returnSequences: true } }, mergeMode: 'sum' }, inputShape: [5, 2] },
  MultiHeadAttention: { args: { numHeads: 2, keyDim: 3, valueDim: 2, outputShape: 5 }, inputShape: [4, 6], inputShapes: [[4, 6], [4, 6]] },
  RandomFlip: { args: { mode: 'horizontal', seed: 1 }, inputShape: [4, 4, 1] },
  RandomTranslation: { args: { heightFactor: 0.1, widthFactor: [-0.2, 0.1], fillMode: 'constant', fillValue: 0.5 }, inputShape: [6, 6] },
  RandomRotation: { args: { factor: 0.1, interpolation: 'nearest', dataFormat: 'channelsFirst' }, inputShape: [2, 5, 5] },
  RandomZoom: { args: { heightFactor: 0.2, widthFactor: 0.1, fillMode: 'wrap' }, inputShape: [6, 6, 3] },
  RandomContrast: { args: { factor: 0.3, seed: 4 }, inputShape: [5, 5, 2] },
  RandomBrightness: { args: { factor: 0.3, valueRange: [0, 1], seed: 4 }, inputShape: [5, 5, 2] },
  RandomCrop: { args: { height: 3, width: 4 }, inputShape: [5, 6, 2] },
  GaussianNoise: { args: { stddev: 0.1, seed: 2 }, inputShape: [7] },
  Concatenate: { args: { axis: -1 }, inputShape: [2, 3], inputShapes: [[2, 3], [2, 4]] },
  Add: { args: {}, inputShape: [3], inputShapes: [[3], [3], [3]] },
  Subtract: { args: {}, inputShape: [3], inputShapes: [[3], [3]] },
  Multiply: { args: {}, inputShape: [3], inputShapes: [[3], [3]] },
  Average: { args: {}, inputShape: [3], inputShapes: [[3], [3]] },
  Maximum: { args: {}, inputShape: [3], inputShapes: [[3], [3]] },
  Minimum: { args: {}, inputShape: [3], inputShapes: [[3], [3]] },
  Dot: { args: { axes: 1, normalize: true }, inputShape: [4], inputShapes: [[4], [4]] },
  Conv1D: { args: { filters: 3, kernelSize: 3, padding: 'causal', dilationRate: 2 }, inputShape: [9, 2] },
  Conv2D: { args: { filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', groups: 2, activation: 'relu' }, inputShape: [7, 6, 2] },
  Conv2DTranspose: { args: { filters: 2, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1, dataFormat: 'channelsFirst' }, inputShape: [3, 4, 4] },
  DepthwiseConv2D: { args: { kernelSize: 3, depthMultiplier: 2, useBias: false }, inputShape: [5, 5, 3] },
  SeparableConv2D: { args: { filters: 4, kernelSize: 3, depthMultiplier: 2, dtype: 'float64' }, inputShape: [6, 6, 3] },
  MaxPooling1D: { args: { poolSize: 3, strides: 2, padding: 'same' }, inputShape: [7, 2] },
  MaxPooling2D: { args: { poolSize: [2, 3] }, inputShape: [6, 6, 2] },
  AveragePooling1D: { args: { dataFormat: 'channelsFirst' }, inputShape: [2, 8] },
  AveragePooling2D: { args: { poolSize: 3, strides: 2, padding: 'same' }, inputShape: [5, 5, 1] },
  GlobalAveragePooling2D: { args: { keepdims: true }, inputShape: [4, 4, 3] },
  GlobalMaxPooling2D: { args: { dataFormat: 'channelsFirst' }, inputShape: [3, 4, 4] },
  BatchNormalization: { args: { momentum: 0.9, center: false }, inputShape: [4, 4, 3] },
  Reshape: { args: { targetShape: [-1, 2] }, inputShape: [3, 4] },
  ZeroPadding2D: { args: { padding: [[1, 0], [2, 3]] }, inputShape: [3, 3, 1] },
  UpSampling2D: { args: { size: [2, 3], interpolation: 'bilinear' }, inputShape: [3, 3, 2] },
  SpatialDropout2D: { args: { rate: 0.2 }, inputShape: [4, 4, 3] },
  Conv1DTranspose: { args: { filters: 3, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1 }, inputShape: [5, 2] },
  GlobalMaxPooling1D: { args: { keepdims: true }, inputShape: [5, 3] },
  ZeroPadding1D: { args: { padding: [2, 1] }, inputShape: [4, 3] },
  Cropping2D: { args: { cropping: [1, 2], dataFormat: 'channelsFirst' }, inputShape: [2, 5, 6] },
  Cropping1D: { args: { cropping: 2 }, inputShape: [6, 3] },
  UpSampling1D: { args: { size: 3 }, inputShape: [4, 2] },
};

describe('layer registry', () => {
  it('holds every Layer class exported as tg.layers.*, under its className', () => {
    const exported = Object.values(tg.layers).filter((v): v is typeof Layer => typeof v === 'function' && v.prototype instanceof Layer);
    expect(exported.length).toBeGreaterThanOrEqual(4);
    for (const cls of exported) {
      const name = (Object.entries(LAYERS).find(([, c]) => c === (cls as unknown))?.[0]);
      expect(name, `${cls.name} is exported but not in LAYERS`).toBeDefined();
    }
    for (const [name, cls] of Object.entries(LAYERS)) {
      const layer = layerFromConfig(name as LayerName, SAMPLES[name as LayerName].args, {});
      expect(layer).toBeInstanceOf(cls);
      expect(layer.className).toBe(name);
    }
  });

  it.each(Object.keys(LAYERS) as LayerName[])('%s: built weights match weightSpecs, config round-trips through a file config', (name) => {
    const { args, inputShape, inputShapes = [inputShape] } = SAMPLES[name];
    const layer = layerFromConfig(name, args, {});
    const specs = layer.weightSpecs(inputShape);
    const out = layer.buildFor(inputShapes);
    expect(layer.namedParameters().map(([n, p]) => [n, p.shape, p.dtype])).toEqual(specs.map((s) => [s.name, s.shape, s.dtype]));
    const cfg = layer.getConfig();
    const back = layerFromConfig(name, JSON.parse(JSON.stringify(cfg)), { source: 'file' });
    expect(back.getConfig()).toEqual(cfg);
    expect(back.buildFor(inputShapes)).toEqual(out);
  });

  it('one schema checks code and files: unknown fields, construction-only fields, codes', () => {
    expect(() => tg.layers.dense({ units: 2, unit: 3 } as never)).toThrow('dense has an unknown field "unit" (did you mean "units"?) (fields: name, inputShape, units, activation');
    expect(() => tg.layers.dropout({ rate: 2 })).toThrow(ConfigError);
    const fromFile = (cfg: Record<string, unknown>) => {
      try { layerFromConfig('Dense', cfg, { source: 'file', where: 'layer 0 (dense)' }); } catch (e) { return e as ConfigError; }
      throw new Error('expected a ConfigError');
    };
    expect(fromFile({ units: 2, generator: 1 })).toMatchObject({ code: 'UNKNOWN_FIELD' });
    expect(fromFile({ units: 2, inputDim: 3 })).toMatchObject({ code: 'UNKNOWN_FIELD' });
    expect(fromFile({})).toMatchObject({ code: 'MISSING_FIELD', message: 'layer 0 (dense): units is required' });
    expect(fromFile({ units: 1e9 })).toMatchObject({ code: 'TOO_LARGE' });
  });

  it('a standalone layer builds on first call, as in Keras', () => {
    const d = tg.layers.dense({ units: 2 });
    expect(d.built).toBe(false);
    expect(d.forward(tg.ones([3, 4])).shape).toEqual([3, 2]);
    expect(d.weight!.shape).toEqual([2, 4]);
  });

  it('loading draws nothing from the global generator', () => {
    tg.manualSeed(3);
    const m = tg.sequential([tg.layers.dense({ units: 4, inputShape: [3] }), tg.layers.dense({ units: 1 })]);
    const bytes = m.toBytes();
    tg.manualSeed(7);
    const before = tg.rand([4]).toArray();
    tg.manualSeed(7);
    tg.fromBytes(bytes);
    expect(tg.rand([4]).toArray()).toEqual(before);
  });
});

describe('Keras maths lives in nn', () => {
  it('elu, selu, relu6, silu: the functional forms and the layers agree with the definitions', () => {
    const x = tg.tensor([-2, -0.5, 0, 3, 7], { dtype: 'float64' });
    const v = x.toArray() as number[];
    const close = (t: tg.Tensor, f: (a: number) => number) => (t.toArray() as number[]).forEach((y, i) => expect(y).toBeCloseTo(f(v[i]), 12));
    close(tg.nn.functional.elu(x, 0.5), (a) => (a > 0 ? a : 0.5 * Math.expm1(a)));
    close(new tg.nn.SELU().call(x), (a) => tg.nn.functional.SELU_SCALE * (a > 0 ? a : tg.nn.functional.SELU_ALPHA * Math.expm1(a)));
    close(new tg.nn.ReLU6().call(x), (a) => Math.min(Math.max(a, 0), 6));
    close(tg.nn.functional.silu(x), (a) => a / (1 + Math.exp(-a)));
    close(new tg.nn.ELU().call(x), (a) => (a > 0 ? a : Math.expm1(a)));
  });

  it('Glorot and He scales: one definition shared by nn.init and the Keras initializers', () => {
    expect(tg.nn.init.xavierBound(3, 5)).toBe(Math.sqrt(6 / 8));
    expect(tg.nn.init.xavierStd(3, 5)).toBe(Math.sqrt(2 / 8));
    expect(tg.nn.init.kaimingStd(8)).toBe(Math.SQRT2 / Math.sqrt(8));
    const g = new tg.Generator(1);
    const d = tg.layers.dense({ units: 500, kernelInitializer: 'glorotUniform', generator: g });
    d.build([300]);
    const biggest = d.weight!.abs().max().item();
    const limit = tg.nn.init.xavierBound(300, 500);
    expect(biggest).toBeLessThanOrEqual(limit);
    expect(biggest).toBeGreaterThan(0.99 * limit);
  });

  it('truncNormal_ keeps every draw inside [a, b]', () => {
    const t = tg.nn.init.truncNormal_(tg.zeros([4000]), 1, 2, 0, 3, { generator: new tg.Generator(0) });
    const v = t.toArray() as number[];
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(3);
    expect(() => tg.nn.init.truncNormal_(tg.zeros([2]), 0, 1, 3, 2)).toThrow(/need a < b/);
  });
});
