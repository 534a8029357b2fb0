// Issue 10, item 6: an unknown option is an error that lists the known ones and suggests the likely one,
// for every options object of the public API (the key lists are checked against the types by the compiler).

import { describe, expect, test } from 'vitest';
import * as tg from '../../src/index.js';

const F = tg.nn.functional;
const w = () => tg.tensor([1, 2], { requiresGrad: true });
const sgd = () => new tg.optim.SGD([w()], { lr: 0.1 });
const bad = (o: object) => o as never;

describe('item 6: unknown options are errors', () => {
  test("SGD with { learningRate, weight_decay } is refused, naming 'lr' (it trained with lr 0.001 before)", () => {
    expect(() => new tg.optim.SGD([w()], bad({ learningRate: 0.5, weight_decay: 0.1 }))).toThrow(
      'SGD: unknown option "learningRate" (did you mean "lr"?); known options: lr, momentum, dampening, weightDecay, nesterov, maximize',
    );
    expect(() => new tg.optim.SGD([w()], bad({ lr: 0.5, weight_decay: 0.1 }))).toThrow('unknown option "weight_decay" (did you mean "weightDecay"?)');
  });
  const m = () => tg.sequential([tg.layers.dense({ units: 1, inputShape: [2] })]);
  test.each([
    ['Adam', () => new tg.optim.Adam([w()], bad({ beta1: 0.9 })), 'Adam: unknown option "beta1"'],
    ['AdamW', () => new tg.optim.AdamW([w()], bad({ weight_decay: 0.1 })), '(did you mean "weightDecay"?)'],
    ['RMSprop', () => new tg.optim.RMSprop([w()], bad({ rho: 0.9 })), 'RMSprop: unknown option "rho"'],
    ['Adagrad', () => new tg.optim.Adagrad([w()], bad({ epsilon: 1e-8 })), '(did you mean "eps"?)'],
    ['a param group', () => new tg.optim.SGD([bad({ params: [w()], lR: 1 })]), 'SGD: a param group: unknown option "lR" (did you mean "lr"?)'],
    ['ReduceLROnPlateau', () => new tg.optim.ReduceLROnPlateau(sgd(), bad({ patiense: 3 })), '(did you mean "patience"?)'],
    ['clipGradNorm', () => tg.optim.clipGradNorm([w()], 1, 2, bad({ errorIfNonFinite: true })), '(did you mean "errorIfNonfinite"?)'],
    ['nn.Linear', () => new tg.nn.Linear(2, 1, bad({ useBias: false })), 'Linear: unknown option "useBias"'],
    ['nn.Dropout', () => new tg.nn.Dropout(0.5, bad({ seed: 1 })), 'Dropout: unknown option "seed"'],
    ['nn.init.kaimingUniform_', () => tg.nn.init.kaimingUniform_(tg.zeros([2, 2]), bad({ mode: 'fanIn', nonLinearity: 'relu' })), '(did you mean "nonlinearity"?)'],
    ['mseLoss', () => F.mseLoss(tg.ones([1]), tg.ones([1]), bad({ reduce: 'sum' })), 'mseLoss: unknown option "reduce"'],
    ['crossEntropy', () => F.crossEntropy(tg.ones([1, 2]), [0], bad({ label_smoothing: 0.1 })), '(did you mean "labelSmoothing"?)'],
    ['tg.zeros', () => tg.zeros([2], bad({ dtyp: 'float64' })), 'zeros: unknown option "dtype"'.replace('"dtype"', '"dtyp" (did you mean "dtype"?)')],
    ['tg.randn', () => tg.randn([2], bad({ seed: 1 })), 'randn: unknown option "seed"'],
    ['backward', () => w().sum().backward(undefined, bad({ retain_graph: true })), '(did you mean "retainGraph"?)'],
    ['tg.grad', () => { const x = w(); return tg.grad(x.sum(), x, bad({ allowUnsued: true })); }, '(did you mean "allowUnused"?)'],
    ['gradcheck', () => tg.gradcheck((x) => x, [w()], bad({ atoll: 1 })), '(did you mean "atol"?)'],
    ['toDot', () => tg.toDot(w().sum(), bad({ rankDir: 'LR' })), '(did you mean "rankdir"?)'],
    ['DataLoader', () => new tg.data.DataLoader({ x: [[1]] }, bad({ batch_size: 4 })), '(did you mean "batchSize"?)'],
    ['trainTestSplit', () => tg.data.trainTestSplit([[1], [2]], [1, 2], bad({ test_size: 0.5 })), '(did you mean "testSize"?)'],
    ['makeMoons', () => tg.data.makeMoons(10, bad({ noize: 0.1 })), '(did you mean "noise"?)'],
    ['Tokenizer', () => new tg.text.Tokenizer(bad({ stop_words: 'english' })), '(did you mean "stopWords"?)'],
    ['CountVectorizer', () => new tg.text.CountVectorizer(bad({ min_df: 2 })), '(did you mean "minDf"?)'],
    ['TfidfVectorizer', () => new tg.text.TfidfVectorizer(bad({ useIDF: true })), '(did you mean "useIdf"?)'],
    ['Vocabulary.fit', () => tg.text.Vocabulary.fit([['a']], bad({ maxfeatures: 3 })), '(did you mean "maxFeatures"?)'],
    ['layers.dense', () => tg.layers.dense(bad({ units: 2, activaton: 'relu' })), 'dense has an unknown field "activaton" (did you mean "activation"?)'],
    ['layers.dropout', () => tg.layers.dropout(bad({ rate: 0.5, seed: 1 })), 'dropout has an unknown field "seed"'],
    ['sequential', () => tg.sequential([tg.layers.dense({ units: 1, inputShape: [2] })], bad({ nmae: 'x' })), '(did you mean "name"?)'],
    ['earlyStopping', () => tg.callbacks.earlyStopping(bad({ monitor: 'loss', min_delta: 0.1 })), '(did you mean "minDelta"?)'],
    ['predict', () => m().predict([[1, 2]], bad({ batch_size: 2 })), 'predict: unknown option "batch_size" (did you mean "batchSize"?)'],
    ['evaluate', () => { const k = m(); k.compile({ optimizer: 'sgd', loss: 'mse' }); return k.evaluate([[1, 2]], [[1]], bad({ verbose: 0 })); }, 'evaluate: unknown option "verbose"'],
    ['lossCurvesSvg', () => tg.plot.lossCurvesSvg({ loss: [1, 2] }, bad({ yscale: 'log' })), '(did you mean "yScale"?)'],
    ['lineChartSvg', () => tg.plot.lineChartSvg([{ name: 'a', y: [1] }], bad({ xlabel: 'x' })), '(did you mean "xLabel"?)'],
    ['historySvg', () => tg.plot.historySvg({ loss: [1] }, bad({ log_loss: true })), '(did you mean "logLoss"?)'],
    ['decisionBoundarySvg', () => tg.plot.decisionBoundarySvg({ predict: (x: tg.Tensor) => x }, [[0, 0]], [0], bad({ resolutoin: 10 })), '(did you mean "resolution"?)'],
  ])('%s', (_, f, message) => {
    expect(f).toThrow(message);
  });

  test('fit refuses { epoch: 3 }', async () => {
    const k = m();
    k.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(k.fit([[1, 2]], [[1]], bad({ epoch: 3 }))).rejects.toThrow('fit: unknown option "epoch" (did you mean "epochs"?)');
  });

  test('loading options: an unknown limit is a ModelLoadError with code BAD_INPUT', () => {
    const bytes = m().toBytes();
    let caught: unknown;
    try {
      tg.fromBytes(bytes, bad({ maxParameters: 10 }));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(tg.ModelLoadError);
    expect((caught as tg.ModelLoadError).code).toBe('BAD_INPUT');
    expect((caught as Error).message).toMatch('(did you mean "maxParams"?)');
  });
});
