// The Keras-style API: the README snippet, two moons, callbacks, early stopping, NaN handling, seeding,
// eval-mode inference, and a clear error (before any training step) for every kind of bad input.
import { afterEach, describe, expect, expectTypeOf, test, vi } from 'vitest';
import * as tg from 'tapegrad';

/** Two Gaussian blobs in d dimensions with means ±sep per feature; labels alternate 0, 1. */
function blobs(n: number, d: number, sep: number, seed: number): { x: tg.Tensor; y: tg.Tensor } {
  const gen = new tg.Generator(seed);
  const xs = new Float32Array(n * d);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    ys[i] = i % 2;
    for (let j = 0; j < d; j++) xs[i * d + j] = gen.normal() + (i % 2 ? sep : -sep);
  }
  return { x: tg.tensor(xs, { shape: [n, d] }), y: tg.tensor(ys) };
}

const tiny = (units = 1, activation: tg.layers.ActivationName = 'sigmoid', inputShape = [4]) => tg.sequential([
  tg.layers.dense({ units: 8, activation: 'relu', inputShape }),
  tg.layers.dense({ units, activation }),
]);

const weights = (m: tg.Model): Float32Array[] => m.parameters().map((p) => Float32Array.from(p.value.values()));
const sameBits = (a: Float32Array[], b: Float32Array[]) => a.length === b.length && a.every((w, i) => Buffer.from(w.buffer).equals(Buffer.from(b[i].buffer)));

/** Silences fit's console output and returns what was written. */
function captureStdout(): { text: () => string } {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { chunks.push(String(s)); return true; });
  return { text: () => chunks.join('') };
}

afterEach(() => { vi.restoreAllMocks(); });

test('the Keras snippet: 320 features, two classes', async () => {
  tg.manualSeed(0);
  const { x, y } = blobs(600, 320, 0.15, 1);
  const { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 0.25, seed: 0 });
  const out = captureStdout();
  const logs: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => { logs.push(s); });

  const model = tg.sequential([
    tg.layers.dense({ units: 32, activation: 'relu', inputShape: [320] }),
    tg.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(xTrain, yTrain, { epochs: 50, batchSize: 32, validationSplit: 0.1 });
  const { loss, accuracy } = model.evaluate(xTest, yTest);
  const probabilities = model.predict(xTest);
  model.summary();

  expect(accuracy).toBeGreaterThanOrEqual(0.95);
  expect(loss).toBeLessThan(0.2);
  expect(probabilities.shape).toEqual([150, 1]);
  expect(history.epoch).toHaveLength(50);
  expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
  expect(history.history.val_accuracy.at(-1)).toBeGreaterThan(0.9);
  // not a terminal: one line per epoch
  const lines = out.text().trim().split('\n');
  expect(lines).toHaveLength(50);
  expect(lines[49]).toMatch(/^Epoch 50\/50 - \d+s - \d+ms\/step - loss: \S+ - accuracy: \d\.\d{4} - val_loss: \S+ - val_accuracy: \d\.\d{4}$/);
  const table = logs.join('\n');
  expect(table).toContain('dense (Dense)                (None, 32)                10,272');
  expect(table).toContain('dense_1 (Dense)              (None, 1)                 33');
  expect(table).toContain('Total params: 10,305');
});

test('two moons (tg.data.makeMoons): at least 97% test accuracy', async () => {
  const { x, y } = tg.data.makeMoons(1000, { noise: 0.15, seed: 0 });
  const { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 0.3, stratify: y, seed: 1 });
  tg.manualSeed(0);
  const model = tg.sequential([
    tg.layers.dense({ units: 32, activation: 'relu', inputShape: [2] }),
    tg.layers.dense({ units: 32, activation: 'relu' }),
    tg.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: { name: 'adam', learningRate: 0.01 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.fit(xTrain, yTrain, { epochs: 20, batchSize: 32, verbose: 0, seed: 0 });
  const { accuracy } = model.evaluate(xTest, yTest);
  console.log(`two moons: test accuracy ${accuracy}`);
  expect(accuracy).toBeGreaterThanOrEqual(0.97);
});

test('three classes with softmax: sparse and one-hot labels, logits losses', async () => {
  const { x, y } = tg.data.makeBlobs(300, { centers: 3, nFeatures: 2, clusterStd: 1.5, seed: 4 });
  const build = (activation: tg.layers.ActivationName) => {
    tg.manualSeed(1);
    return tg.sequential([
      tg.layers.dense({ units: 16, activation: 'tanh', inputShape: [2] }),
      tg.layers.dense({ units: 3, activation }),
    ]);
  };
  const sparse = build('softmax');
  sparse.compile({ optimizer: { name: 'adam', learningRate: 0.02 }, loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  await sparse.fit(x, y, { epochs: 15, batchSize: 32, verbose: 0, seed: 0 });
  expect(sparse.evaluate(x, y).accuracy).toBeGreaterThan(0.9);
  const oneHot = build('linear');
  oneHot.compile({ optimizer: { name: 'adam', learningRate: 0.02 }, loss: { name: 'categoricalCrossentropy', fromLogits: true }, metrics: ['accuracy', 'precision', 'recall'] });
  const h = await oneHot.fit(x, tg.data.oneHot(y, 3), { epochs: 15, batchSize: 32, verbose: 0, seed: 0 });
  const r = oneHot.evaluate(x, tg.data.oneHot(y, 3));
  expect(r.accuracy).toBeGreaterThan(0.9);
  expect(Object.keys(r)).toEqual(['loss', 'accuracy', 'precision', 'recall']);
  expect(h.history.recall.at(-1)).toBeGreaterThan(0.5);
  // softmax + categoricalCrossentropy on probabilities
  const probs = build('softmax');
  probs.compile({ optimizer: { name: 'adam', learningRate: 0.02 }, loss: 'categoricalCrossentropy', metrics: ['categoricalAccuracy'] });
  await probs.fit(x, tg.data.oneHot(y, 3), { epochs: 15, batchSize: 32, verbose: 0, seed: 0 });
  expect(probs.evaluate(x, tg.data.oneHot(y, 3)).categoricalAccuracy).toBeGreaterThan(0.9);
});

test('regression with mse / mae metrics, and every optimizer by name', async () => {
  const gen = new tg.Generator(0);
  const x = tg.rand([200, 3], { generator: gen });
  const y = x.matmul(tg.tensor([[1], [-2], [0.5]])).add(0.3);
  for (const [optimizer, lr] of [['sgd', 0.01], ['adam', 0.001], ['adamw', 0.001], ['rmsprop', 0.001], ['adagrad', 0.001]] as const) {
    const m = tg.sequential([tg.layers.dense({ units: 1, inputShape: [3] })]);
    m.compile({ optimizer, loss: 'mse', metrics: ['mae', 'mse'] });
    expect((m.compiled!.optimizer as unknown as { paramGroups: { lr: number }[] }).paramGroups[0].lr).toBe(lr);
    const h = await m.fit(x, y, { epochs: 3, batchSize: 20, verbose: 0 });
    expect(h.history.loss[2]).toBeLessThan(h.history.loss[0]);
    expect(h.history.mse[2]).toBeGreaterThan(0);
  }
  const m = tg.sequential([tg.layers.dense({ units: 1, inputShape: [3] })]);
  m.compile({ optimizer: { name: 'sgd', learningRate: 0.3, momentum: 0.9 }, loss: 'meanSquaredError', metrics: ['mae'] });
  await m.fit(x, y, { epochs: 60, batchSize: 50, verbose: 0 });
  expect(m.evaluate(x, y).mae).toBeLessThan(0.05);
  // an optimizer object or a factory works as well
  const m2 = tg.sequential([tg.layers.dense({ units: 1, inputShape: [3] })]);
  m2.compile({ optimizer: (params) => new tg.optim.SGD(params, { lr: 0.1 }), loss: (p, t) => p.sub(t).abs().mean() });
  const h2 = await m2.fit(x, y, { epochs: 5, verbose: 0 });
  expect(h2.history.loss[4]).toBeLessThan(h2.history.loss[0]);
  const m3 = tg.sequential([tg.layers.dense({ units: 1, inputShape: [3] })]);
  m3.compile({ optimizer: new tg.optim.Adam(m3.parameters(), { lr: 0.05 }), loss: 'mae' });
  await m3.fit(x, y, { epochs: 2, verbose: 0 });
});

describe('the model is an nn Module', () => {
  test('PyTorch-like stateDict keys, parameters, train / eval, trainable by hand', () => {
    tg.manualSeed(0);
    const m = tg.sequential([
      tg.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
      tg.layers.dropout({ rate: 0.5 }),
      tg.layers.dense({ units: 2, useBias: false }),
    ]);
    expect([...m.stateDict().keys()]).toEqual(['0.weight', '0.bias', '2.weight']);
    expect(m.stateDict().get('0.weight')!.shape).toEqual([4, 3]);
    expect(m).toBeInstanceOf(tg.nn.Module);
    m.eval();
    expect(m.layers.every((l) => !l.training)).toBe(true);
    m.train();
    const opt = new tg.optim.Adam(m.parameters(), { lr: 0.05 });
    const x = tg.randn([16, 3]);
    const t = tg.randn([16, 2]);
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) {
      opt.zeroGrad();
      const loss = tg.nn.functional.mseLoss(m.eval().call(x), t);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expect(losses[29]).toBeLessThan(losses[0]);
  });

  test('tg.model wraps any Module; its stateDict keys stay the module\'s', async () => {
    tg.manualSeed(0);
    const net = new tg.nn.Sequential(new tg.nn.Linear(2, 16), new tg.nn.ReLU(), new tg.nn.Linear(16, 1), new tg.nn.Sigmoid());
    const m = tg.model(net, { inputShape: [2] });
    expect([...m.stateDict().keys()]).toEqual([...net.stateDict().keys()]);
    expect(m.outputShape).toEqual([1]);
    const { x, y } = tg.data.makeMoons(200, { noise: 0.1, seed: 0 });
    m.compile({ optimizer: { name: 'adam', learningRate: 0.02 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    await m.fit(x, y, { epochs: 30, verbose: 0, seed: 0 });
    expect(m.evaluate(x, y).accuracy).toBeGreaterThan(0.9);
    const lines: string[] = [];
    m.summary((l) => lines.push(l));
    expect(lines.join('\n')).toContain('2 (Linear)');
    expect(lines.join('\n')).toContain('Total params: 65');
    // without inputShape it is built from the first data it sees
    const lazy = tg.model(new tg.nn.Linear(3, 2));
    expect(lazy.built).toBe(false);
    expect(lazy.predict([[1, 2, 3]]).shape).toEqual([1, 2]);
    expect(lazy.outputShape).toEqual([2]);
  });
});

test('a sequential model without inputShape is built by its first data; inputDim works too', async () => {
  tg.manualSeed(0);
  const m = tg.sequential([tg.layers.dense({ units: 4, activation: 'relu' }), tg.layers.dense({ units: 1 })]);
  expect(m.built).toBe(false);
  expect(m.parameters()).toHaveLength(0);
  const lines: string[] = [];
  m.summary((l) => lines.push(l));
  expect(lines.join('\n')).toContain('not built yet');
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  await m.fit(tg.randn([10, 3]), tg.randn([10, 1]), { epochs: 1, verbose: 0 });
  expect(m.inputShape).toEqual([3]);
  expect(m.stateDict().get('0.weight')!.shape).toEqual([4, 3]);
  expect(tg.sequential([tg.layers.dense({ units: 2, inputDim: 5 })]).outputShape).toEqual([2]);
});

test('activations by name (Keras names, snake_case accepted)', () => {
  const x = tg.tensor([-1, 0, 2]);
  const act = (name: tg.layers.ActivationName) => tg.layers.activation({ activation: name, inputShape: [3] }).forward(x).toArray() as number[];
  const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
  close(act('relu'), [0, 0, 2]);
  close(act('leaky_relu'), [-0.2, 0, 2]);
  close(act('elu'), [Math.exp(-1) - 1, 0, 2]);
  close(act('softplus'), [Math.log1p(Math.exp(-1)), Math.LN2, Math.log1p(Math.exp(2))]);
  close(act('gelu'), [-0.158655, 0, 1.954500]);
  close(act('swish'), [-1 / (1 + Math.E), 0, 2 / (1 + Math.exp(-2))]);
  close(act('linear'), [-1, 0, 2]);
  close(act('softmax'), [Math.exp(-1), 1, Math.exp(2)].map((v) => v / (Math.exp(-1) + 1 + Math.exp(2))));
  // elu's gradient stays finite for large inputs
  const big = tg.tensor([100, -100], { requiresGrad: true });
  tg.layers.activation({ activation: 'elu' }).forward(big).sum().backward();
  expect(big.grad!.toArray()).toEqual([1, expect.closeTo(0, 10)]);
});

describe('bad input is reported before any training step', () => {
  async function rejects(model: tg.Model, fit: () => Promise<unknown>, message: string | RegExp): Promise<void> {
    const before = weights(model);
    await expect(fit()).rejects.toThrow(message);
    expect(sameBits(weights(model), before)).toBe(true);
  }

  test('sparseCategoricalCrossentropy on one sigmoid unit', async () => {
    const m = tiny(1, 'sigmoid');
    expect(() => m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' })).toThrow(
      'compile: sparseCategoricalCrossentropy expects one output unit per class, but the model has 1 output unit (a sigmoid): use binaryCrossentropy for two classes with one sigmoid unit',
    );
    // a model built from data finds out at fit, still before training
    const lazy = tg.model(new tg.nn.Sequential(new tg.nn.Linear(4, 1), new tg.nn.Sigmoid()));
    lazy.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await rejects(lazy, () => lazy.fit(tg.randn([8, 4]), tg.zeros([8]), { verbose: 0 }), /fit: sparseCategoricalCrossentropy expects one output unit per class, but the model has 1 output unit: use binaryCrossentropy/);
    expect(() => tiny(1, 'softmax').compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' })).toThrow(/softmax over 1 unit, which always outputs 1/);
  });

  test('labels outside [0, classes), not integers, or not in [0, 1]', async () => {
    const m = tiny(3, 'softmax');
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const x = tg.randn([5, 4]);
    await rejects(m, () => m.fit(x, [0, 1, 3, 2, 1], { verbose: 0 }), 'fit: y has label 3 at row 2, but sparseCategoricalCrossentropy needs integer class indices in [0, 3) (one per output unit)');
    await rejects(m, () => m.fit(x, [0, 1, 2, 2, 1.5], { verbose: 0 }), 'fit: y has label 1.5 at row 4');
    await rejects(m, () => m.fit(x, [0, -1, 2, 2, 1], { verbose: 0 }), 'fit: y has label -1 at row 1');
    const c = tiny(3, 'softmax');
    c.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await rejects(c, () => c.fit(x, [0, 1, 2, 2, 1], { verbose: 0 }), /these look like class indices: use sparseCategoricalCrossentropy, or one-hot them with tg.data.oneHot\(y, 3\)/);
    const b = tiny();
    b.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await rejects(b, () => b.fit(x, [0, 1, 2, 1, 0], { verbose: 0 }), 'fit: y has label 2 at row 2, column 0, but binaryCrossentropy needs targets in [0, 1]');
    expect(() => b.evaluate(x, [0, 1, 1, 1, 7])).toThrow('evaluate: y has label 7 at row 4');
  });

  test('x and y of different lengths', async () => {
    const m = tiny();
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await rejects(m, () => m.fit(tg.randn([10, 4]), tg.zeros([9]), { verbose: 0 }), 'fit: y has 9 rows but x has 10: x and y must have one row per sample');
  });

  test('an input that does not match inputShape names the layer and both shapes', async () => {
    const m = tiny();
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await rejects(m, () => m.fit(tg.randn([10, 3]), tg.zeros([10]), { verbose: 0 }), 'fit: x has shape [10,3] but layer 0 (dense) expects inputs of shape [null,4] (inputShape [4])');
    expect(() => m.predict([[1, 2]])).toThrow('predict: x has shape [1,2] but layer 0 (dense) expects inputs of shape [null,4]');
    // a flat typed array is split into rows of inputShape
    expect(m.predict(new Float32Array(8)).shape).toEqual([2, 1]);
    expect(() => m.predict(new Float32Array(7))).toThrow(/cannot be split into rows of shape \[4\]/);
  });

  test('NaN or Infinity in x or y names the row and column', async () => {
    const m = tiny();
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const x = tg.randn([6, 4]).dataSync();
    x[3 * 4 + 1] = NaN;
    await rejects(m, () => m.fit(tg.tensor(x, { shape: [6, 4] }), tg.zeros([6]), { verbose: 0 }), 'fit: x has NaN at row 3, column 1: inputs and labels must be finite numbers');
    await rejects(m, () => m.fit(tg.randn([6, 4]), [0, 1, 0, Infinity, 0, 1], { verbose: 0 }), 'fit: y has Infinity at row 3');
    await rejects(m, () => m.fit(tg.randn([6, 4]), tg.zeros([6]), { verbose: 0, validationData: [tg.randn([2, 4]), [0, NaN]] }), 'fit: validationData: y has NaN at row 1');
  });

  test('unknown optimizer, loss, metric or activation names list the known ones', () => {
    const m = tiny();
    expect(() => m.compile({ optimizer: 'adamax' as never, loss: 'mse' })).toThrow('compile: unknown optimizer "adamax" (known: sgd, adam, adamw, rmsprop, adagrad)');
    expect(() => m.compile({ optimizer: 'adam', loss: 'hinge' as never })).toThrow(/compile: unknown loss "hinge" \(known: meanSquaredError, meanAbsoluteError, binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy\)/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['meanIoU' as never] })).toThrow(/compile: unknown metric "meanIoU" \(known: accuracy, .*precision, recall, mse, mae, f1Score, auc, topKCategoricalAccuracy, sparseTopKCategoricalAccuracy\)/);
    expect(() => tg.layers.dense({ units: 2, activation: 'relu7' as never })).toThrow(/dense: unknown activation "relu7" \(known: linear, relu, .*softmax, softplus, swish\)/);
    expect(() => tg.layers.dense({ units: 2, kernelInitializer: 'orthonormal' as never })).toThrow(/unknown initializer "orthonormal"/);
    expect(() => m.compile({ optimizer: { name: 'adam', learningRate: -1 }, loss: 'mse' })).toThrow(/learningRate must be a finite number ≥ 0/);
    expect(() => m.compile({ optimizer: { name: 'sgd', beta1: 0.9 } as never, loss: 'mse' })).toThrow(/optimizer sgd has no option "beta1"/);
    expect(() => m.compile({ optimizer: 'adam', loss: { name: 'mse', fromLogits: true } })).toThrow(/loss meanSquaredError has no option "fromLogits"/);
    expect(() => tg.layers.dense({ units: 0 })).toThrow('dense: units must be a positive integer, got 0');
    expect(() => tg.layers.dropout({ rate: 1 })).toThrow('dropout: rate must be a number in [0, 1), got 1');
  });

  test('fit, evaluate before compile', async () => {
    const m = tiny();
    await expect(m.fit(tg.randn([4, 4]), tg.zeros([4]))).rejects.toThrow("fit: the model is not compiled; call model.compile({ optimizer: 'adam', loss: 'meanSquaredError' }) first");
    expect(() => m.evaluate(tg.randn([4, 4]), tg.zeros([4]))).toThrow(/evaluate: the model is not compiled/);
  });

  test('layer and fit arguments', async () => {
    expect(() => tg.sequential([tg.layers.dense({ units: 2, inputShape: [3] }), tg.layers.dense({ units: 2, inputShape: [2] })])).toThrow('sequential: layer 1 (Dense) has an inputShape; only the first layer takes one');
    expect(() => tg.layers.dense({ units: 2, inputShape: [0] })).toThrow(/inputShape \[0\] has dimension 0/);
    const m = tiny();
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await expect(m.fit(tg.randn([4, 4]), tg.zeros([4]), { validationSplit: 1.2 })).rejects.toThrow('fit: validationSplit must be in [0, 1), got 1.2');
    await expect(m.fit(tg.randn([4, 4]), tg.zeros([4]), { batchSize: 0 })).rejects.toThrow('fit: batchSize must be a positive integer, got 0');
  });
});

describe('training behaviour', () => {
  const data = () => blobs(120, 4, 0.8, 5);

  test('callbacks: hooks, objects, async, and order; History holds plain numbers', async () => {
    const { x, y } = data();
    const m = tiny();
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const calls: string[] = [];
    let batches = 0;
    class Recorder extends tg.callbacks.Callback {
      override model: tg.Model | null = null;
      async onEpochEnd(epoch: number, logs: Record<string, number>): Promise<void> {
        await new Promise((r) => setTimeout(r, 1));
        calls.push(`end ${epoch} ${typeof logs.loss} ${typeof logs.val_accuracy}`);
      }
    }
    const rec = new Recorder();
    const h = await m.fit(x, y, {
      epochs: 3, batchSize: 50, verbose: 0, validationSplit: 0.2,
      callbacks: [{
        onTrainBegin: () => { calls.push('begin'); },
        onEpochBegin: (e) => { calls.push(`epoch ${e}`); },
        onBatchEnd: (b, logs) => { batches++; expect(logs.batch).toBe(b); expect(typeof logs.loss).toBe('number'); },
        onTrainEnd: (logs) => { calls.push(`done ${typeof logs.loss}`); },
      }, rec],
    });
    expect(rec.model).toBe(m);
    expect(batches).toBe(3 * 2); // 96 training rows in batches of 50
    expect(calls).toEqual(['begin', 'epoch 0', 'end 0 number number', 'epoch 1', 'end 1 number number', 'epoch 2', 'end 2 number number', 'done number']);
    expect(h.epoch).toEqual([0, 1, 2]);
    for (const values of Object.values(h.history)) for (const v of values) expect(typeof v).toBe('number');
    expect(JSON.parse(JSON.stringify(h.history))).toEqual(h.history);
    expect(h.stopped).toBeNull();
    // a callback can stop training
    const h2 = await m.fit(x, y, { epochs: 10, verbose: 0, callbacks: { onEpochEnd: (e) => { if (e === 1) m.stopTraining = true; } } });
    expect(h2.epoch).toEqual([0, 1]);
    expect(h2.stopped?.reason).toBe('stopTraining');
  });

  test('earlyStopping with restoreBestWeights', async () => {
    const { x, y } = data();
    tg.manualSeed(2);
    const m = tiny();
    m.compile({ optimizer: { name: 'adam', learningRate: 0.05 }, loss: 'binaryCrossentropy' });
    // validation labels flipped: the better the model learns, the worse val_loss gets
    const vy = y.neg().add(1);
    const snapshots: Float32Array[][] = [];
    const stopper = tg.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
    const h = await m.fit(x, y, {
      epochs: 30, verbose: 0, validationData: [x, vy],
      callbacks: [{ onEpochEnd: () => { snapshots.push(weights(m)); } }, stopper],
    });
    expect(h.epoch.length).toBeLessThan(30);
    expect(h.stopped?.reason).toBe('stopTraining');
    const best = h.history.val_loss.indexOf(Math.min(...h.history.val_loss));
    expect(stopper.bestEpoch).toBe(best);
    expect(h.epoch.length).toBe(best + 3); // patience 2: stops two epochs without improvement later
    expect(sameBits(weights(m), snapshots[best])).toBe(true);
    expect(sameBits(weights(m), snapshots[snapshots.length - 1])).toBe(false);
  });

  test('earlyStopping modes and minDelta, on a stub model', () => {
    const stub = { stopTraining: false, stateDict: () => new Map(), loadStateDict: () => undefined };
    const run = (opts: tg.callbacks.EarlyStoppingOptions, values: number[]) => {
      const cb = tg.callbacks.earlyStopping(opts);
      stub.stopTraining = false;
      cb.setModel(stub);
      cb.onTrainBegin();
      for (let e = 0; e < values.length && !stub.stopTraining; e++) cb.onEpochEnd(e, { val_loss: values[e], val_accuracy: values[e] });
      return cb.stoppedEpoch;
    };
    expect(run({ patience: 1 }, [1, 0.9, 0.95, 0.8])).toBe(2);
    expect(run({ patience: 1, minDelta: 0.2 }, [1, 0.9, 0.5])).toBe(1);
    expect(run({ monitor: 'val_accuracy', patience: 1 }, [0.5, 0.6, 0.7, 0.65])).toBe(3);
    expect(run({ patience: 5 }, [1, 2, 3])).toBe(-1);
  });

  test('a NaN loss stops training before the step is applied', async () => {
    const { x, y } = data();
    const m = tiny(1, 'linear');
    let calls = 0;
    m.compile({ optimizer: 'sgd', loss: (p, t) => (++calls === 7 ? p.sub(t).mean().mul(NaN) : p.sub(t).square().mean()) });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const h = await m.fit(x, y, { epochs: 5, batchSize: 32, verbose: 0 });
    expect(h.stopped).toMatchObject({ reason: 'nanLoss', epoch: 1, batch: 2 });
    expect(h.epoch).toEqual([0, 1]);
    expect(Number.isNaN(h.history.loss[1])).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/loss is NaN at epoch 2, batch 3; training stopped/));
    expect(weights(m).every((w) => w.every(Number.isFinite))).toBe(true);
  });

  test('the same seed gives bitwise-identical weights and losses; another seed does not', async () => {
    const { x, y } = data();
    const run = async (seed: number) => {
      tg.manualSeed(seed);
      const m = tg.sequential([
        tg.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }),
        tg.layers.dropout({ rate: 0.3 }),
        tg.layers.dense({ units: 1, activation: 'sigmoid' }),
      ]);
      m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      const h = await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, seed, validationSplit: 0.25 });
      return { w: weights(m), loss: Float64Array.from(h.history.loss) };
    };
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    expect(sameBits(a.w, b.w)).toBe(true);
    expect(Buffer.from(a.loss.buffer).equals(Buffer.from(b.loss.buffer))).toBe(true);
    expect(sameBits(a.w, c.w)).toBe(false);
    expect(a.loss).not.toEqual(c.loss);
  });

  test('predict and evaluate run in eval mode (dropout off) without the tape', async () => {
    const { x, y } = data();
    const m = tg.sequential([
      tg.layers.dense({ units: 16, activation: 'relu', inputShape: [4] }),
      tg.layers.dropout({ rate: 0.5 }),
      tg.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    expect(m.training).toBe(true);
    const p1 = m.predict(x, { batchSize: 7 });
    const p2 = m.predict(x);
    expect(p1.toArray()).toEqual(p2.toArray());
    expect(p1.requiresGrad).toBe(false);
    expect(m.training).toBe(true);
    const manual = tg.noGrad(() => m.eval().call(x));
    m.train();
    expect(p2.toArray()).toEqual(manual.toArray());
    const w = weights(m);
    const e1 = m.evaluate(x, y);
    expect(m.evaluate(x, y, { batchSize: 13 }).loss).toBeCloseTo(e1.loss, 6);
    expect(sameBits(weights(m), w)).toBe(true);
  });

  test("evaluate's typed result: loss always a number, named metric keys typed, and Keras' list form with returnDict: false", () => {
    const { x, y } = data();
    const m = tg.sequential([tg.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [4] })]);
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy', 'auc'] });
    const logs = m.evaluate(x, y);
    expectTypeOf(logs).toEqualTypeOf<tg.EvaluateLogs>();
    expectTypeOf(logs.loss).toEqualTypeOf<number>();
    expectTypeOf(m.evaluate<'accuracy'>(x, y).accuracy).toEqualTypeOf<number>();
    expectTypeOf(m.evaluate(x, y, { returnDict: false })).toEqualTypeOf<number[]>();
    expect(Object.keys(logs)).toEqual(['loss', 'accuracy', 'auc']);
    // the list holds the same numbers in Keras' order (loss, then the metrics)
    expect(m.evaluate(x, y, { returnDict: false })).toEqual([logs.loss, logs.accuracy, logs.auc]);
    expect(m.evaluate(x, y, { returnDict: true })).toEqual(logs);
    expect(() => m.evaluate(x, y, { returnDict: 'no' as unknown as false })).toThrow('evaluate: returnDict must be true or false, got no');
    expect(() => m.evaluate(x, y, { batchsize: 4 } as never)).toThrow(/evaluate: unknown option "batchsize"/);
  });

  test('fit yields to the event loop between batches', async () => {
    const { x, y } = data();
    const m = tiny();
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    let ticks = 0;
    let running = true;
    const tick = () => { ticks++; if (running) setImmediate(tick); };
    setImmediate(tick);
    await m.fit(x, y, { epochs: 2, batchSize: 10, verbose: 0 });
    running = false;
    expect(ticks).toBeGreaterThanOrEqual(20);
  });

  test('verbose 1 on a terminal draws a progress bar with ETA; verbose 0 prints nothing', async () => {
    const { x, y } = data();
    const m = tiny();
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const out = captureStdout();
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    expect(out.text()).toBe('');
    const desc = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    try {
      await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 1 });
    } finally {
      if (desc) Object.defineProperty(process.stdout, 'isTTY', desc);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    const text = out.text();
    expect(text).toContain('Epoch 1/2\n');
    expect(text).toMatch(/ 1\/15 \[=*>\.+\] - ETA: \d+s - loss: /);
    expect(text).toMatch(/15\/15 \[=+\] - \d+s \d+ms\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}/);
    await m.fit(x, y, { epochs: 1, verbose: 2 });
    expect(out.text()).toMatch(/Epoch 1\/1 - \d+s - \d+ms\/step - loss: /);
  });
});
