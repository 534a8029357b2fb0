// tg.metrics against scikit-learn's documented examples (the values in its docstrings) and against small
// independent implementations (pair counting for ROC AUC, a direct ECE); the compile() metrics agree with them.
import { describe, expect, test } from 'vitest';
import * as tg from 'tapegrad';

const M = tg.metrics;

/** Seeded labels and scores for the property checks. */
function randomCase(seed: number, n: number, k: number) {
  const g = new tg.Generator(seed);
  const yTrue = Array.from({ length: n }, () => g.randint(0, k));
  const yPred = Array.from({ length: n }, () => g.randint(0, k));
  // coarse scores so that ties happen
  const score = Array.from({ length: n }, () => Math.round(g.random() * 8) / 8);
  return { yTrue, yPred, score };
}

describe('classification scores (scikit-learn docstring examples)', () => {
  const yTrue = [0, 1, 2, 0, 1, 2];
  const yPred = [0, 2, 1, 0, 0, 1];

  test('precision, recall and F1 for each average', () => {
    expect(M.precisionScore(yTrue, yPred, { average: 'macro' })).toBeCloseTo(0.2222222, 6);
    expect(M.precisionScore(yTrue, yPred, { average: 'micro' })).toBeCloseTo(0.3333333, 6);
    expect(M.precisionScore(yTrue, yPred, { average: 'weighted' })).toBeCloseTo(0.2222222, 6);
    expect(M.precisionScore(yTrue, yPred, { average: 'none' })).toEqual([2 / 3, 0, 0]);
    expect(M.recallScore(yTrue, yPred, { average: 'macro' })).toBeCloseTo(1 / 3, 6);
    expect(M.recallScore(yTrue, yPred, { average: 'none' })).toEqual([1, 0, 0]);
    expect(M.f1Score(yTrue, yPred, { average: 'macro' })).toBeCloseTo(0.2666667, 6);
    expect(M.f1Score(yTrue, yPred, { average: 'micro' })).toBeCloseTo(1 / 3, 6);
    expect(M.f1Score(yTrue, yPred, { average: 'weighted' })).toBeCloseTo(0.2666667, 6);
    expect((M.f1Score(yTrue, yPred, { average: 'none' }) as number[])[0]).toBeCloseTo(0.8, 12);
    expect(M.fbetaScore(yTrue, yPred, 0.5, { average: 'macro' })).toBeCloseTo(0.2380952, 6);
  });

  test('binary average scores posLabel; multi-class labels need another average', () => {
    expect(M.precisionScore([0, 1, 1, 0], [1, 1, 0, 0])).toBe(0.5);
    expect(M.recallScore([0, 1, 1, 1], [1, 1, 0, 1])).toBeCloseTo(2 / 3, 12);
    expect(M.recallScore([0, 1, 1, 1], [1, 1, 0, 1], { posLabel: 0 })).toBe(0);
    expect(() => M.f1Score(yTrue, yPred)).toThrow(/multi-class .*average 'micro', 'macro', 'weighted' or 'none'/);
    // zeroDivision: a class never predicted
    expect(M.precisionScore([0, 1], [0, 0], { average: 'none', zeroDivision: 1 })).toEqual([0.5, 1]);
  });

  test('micro F1 equals accuracy for single-label data; weighted uses support', () => {
    for (let seed = 0; seed < 5; seed++) {
      const { yTrue: t, yPred: p } = randomCase(seed, 50, 4);
      expect(M.f1Score(t, p, { average: 'micro' })).toBeCloseTo(M.accuracyScore(t, p), 12);
      const per = M.precisionRecallFscoreSupport(t, p, { average: 'none' }) as tg.metrics.ClassScores;
      const w = per.support.reduce((s, v, i) => s + v * per.recall[i], 0) / 50;
      expect(M.recallScore(t, p, { average: 'weighted' })).toBeCloseTo(w, 12); // weighted recall = accuracy too
      expect(w).toBeCloseTo(M.accuracyScore(t, p), 12);
    }
  });

  test('confusionMatrix, normalized and with chosen labels; 2-D scores count their argmax', () => {
    expect(M.confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])).toEqual([[2, 0, 0], [0, 0, 1], [1, 0, 2]]);
    expect(M.confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2], { labels: [2, 0] })).toEqual([[2, 1], [0, 2]]);
    const n = M.confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2], { normalize: 'true' });
    expect(n[2]).toEqual([1 / 3, 0, 2 / 3]);
    expect(M.confusionMatrix([0, 1], tg.tensor([[0.9, 0.1], [0.8, 0.2]]))).toEqual([[1, 0], [1, 0]]);
    expect(() => M.confusionMatrix([0, 1, 2], [0, 1])).toThrow(/yTrue has 3 rows but yPred has 2/);
    expect(() => M.confusionMatrix([0, NaN], [0, 1])).toThrow(/value 1 is NaN/);
  });

  test('classificationReport reproduces scikit-learn\'s layout', () => {
    const report = M.classificationReport([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], { targetNames: ['class 0', 'class 1', 'class 2'] });
    expect(report).toBe([
      '              precision    recall  f1-score   support',
      '',
      '     class 0       0.50      1.00      0.67         1',
      '     class 1       0.00      0.00      0.00         1',
      '     class 2       1.00      0.67      0.80         3',
      '',
      '    accuracy                           0.60         5',
      '   macro avg       0.50      0.56      0.49         5',
      'weighted avg       0.70      0.60      0.61         5',
      '',
    ].join('\n'));
    const subset = M.classificationReport([1, 1, 1], [1, 1, 0], { labels: [1, 2, 3] });
    expect(subset.split('\n').slice(6, 9)).toEqual([
      '   micro avg       1.00      0.67      0.80         3',
      '   macro avg       0.33      0.22      0.27         3',
      'weighted avg       1.00      0.67      0.80         3',
    ]);
  });

  test('topKAccuracy', () => {
    const score = [[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]];
    expect(M.topKAccuracy([0, 1, 2, 2], score, 2)).toBe(0.75);
    expect(M.topKAccuracy([0, 1, 2, 2], score, 1)).toBe(M.accuracyScore([0, 1, 2, 2], score));
    expect(() => M.topKAccuracy([0, 1, 3, 2], score, 2)).toThrow(/yTrue\[2\] = 3 is not a class index in \[0, 3\)/);
  });
});

describe('threshold curves', () => {
  test('rocCurve and rocAucScore (scikit-learn docstring examples)', () => {
    const r = M.rocCurve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], { posLabel: 2 });
    expect(r.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(r.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(r.thresholds).toEqual([Infinity, 0.8, 0.4, 0.35, 0.1]);
    expect(M.rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  test('dropIntermediate removes only points on straight segments', () => {
    const t = [0, 0, 0, 1, 1, 1];
    const s = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9];
    expect(M.rocCurve(t, s, { dropIntermediate: false }).fpr).toHaveLength(7);
    const r = M.rocCurve(t, s);
    // scikit-learn keeps the first and last points and the corner, then prepends (0, 0)
    expect(r.fpr).toEqual([0, 0, 0, 1]);
    expect(r.tpr).toEqual([0, 1 / 3, 1, 1]);
  });

  test('ROC AUC equals the fraction of (positive, negative) pairs ranked right, ties counting half', () => {
    for (let seed = 0; seed < 8; seed++) {
      const { yTrue, score } = randomCase(seed, 40, 2);
      let wins = 0;
      let pairs = 0;
      yTrue.forEach((a, i) => yTrue.forEach((b, j) => {
        if (a !== 1 || b !== 0) return;
        pairs++;
        wins += score[i] > score[j] ? 1 : score[i] === score[j] ? 0.5 : 0;
      }));
      expect(M.rocAucScore(yTrue, score)).toBeCloseTo(wins / pairs, 12);
    }
  });

  test('one-vs-rest AUC for multi-class scores is the mean of the per-class AUCs', () => {
    const g = new tg.Generator(3);
    const y = Array.from({ length: 30 }, (_, i) => i % 3);
    const p = y.map(() => [g.random(), g.random(), g.random()]);
    const per = [0, 1, 2].map((c) => M.rocAucScore(y.map((v) => (v === c ? 1 : 0)), p.map((r) => r[c])));
    expect(M.rocAucScore(y, p)).toBeCloseTo((per[0] + per[1] + per[2]) / 3, 12);
    expect(() => M.rocAucScore([0, 0, 1], [[0.2, 0.8, 0], [0.5, 0.5, 0], [0.1, 0.9, 0]])).toThrow(/every class 0..2/);
  });

  test('precisionRecallCurve and averagePrecisionScore (scikit-learn docstring example)', () => {
    const r = M.precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(r.precision.map((v) => Number(v.toFixed(8)))).toEqual([0.5, 0.66666667, 0.5, 1, 1]);
    expect(r.recall).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(r.thresholds).toEqual([0.1, 0.35, 0.4, 0.8]);
    expect(M.averagePrecisionScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.8333333, 6);
    expect(M.auc([0, 0.5, 1], [0, 1, 1])).toBe(0.75);
    expect(() => M.rocCurve([1, 1], [0.2, 0.3])).toThrow(/no negative rows/);
  });
});

describe('calibration', () => {
  test('calibrationCurve (scikit-learn docstring example)', () => {
    const c = M.calibrationCurve([0, 0, 0, 0, 1, 1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1], { nBins: 3 });
    expect(c.probTrue).toEqual([0, 0.5, 1]);
    expect(c.probPred.map((v) => Number(v.toFixed(10)))).toEqual([0.2, 0.525, 0.85]);
  });

  test('ECE by hand: two bins, and against a direct per-row computation', () => {
    // confidences 0.9 (right), 0.9 (wrong), 0.6 (right), 0.6 (right): bins (0.5, 0.6] and (0.8, 0.9] with 10 bins
    const probs = [[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.4, 0.6]];
    const r = M.reliability([0, 1, 1, 1], probs, { nBins: 10 });
    expect(r.count[5]).toBe(2);
    expect(r.count[8]).toBe(2);
    expect(r.ece).toBeCloseTo(0.5 * Math.abs(0.5 - 0.9) + 0.5 * Math.abs(1 - 0.6), 12);
    expect(r.mce).toBeCloseTo(0.4, 12);
    const g = new tg.Generator(1);
    const p = Array.from({ length: 200 }, () => g.random());
    const y = p.map((v) => (g.random() < v ? 1 : 0));
    // direct: the binary form treats max(p, 1-p) as the confidence of predicting p ≥ 0.5
    const bins = new Map<number, { c: number; a: number; n: number }>();
    p.forEach((v, i) => {
      const conf = Math.max(v, 1 - v);
      const b = Math.min(14, Math.ceil(conf * 15) - 1);
      const e = bins.get(b) ?? { c: 0, a: 0, n: 0 };
      e.c += conf;
      e.a += ((v >= 0.5 ? 1 : 0) === y[i] ? 1 : 0);
      e.n++;
      bins.set(b, e);
    });
    const direct = [...bins.values()].reduce((s, e) => s + (e.n / 200) * Math.abs(e.a / e.n - e.c / e.n), 0);
    expect(M.expectedCalibrationError(y, p)).toBeCloseTo(direct, 12);
    expect(() => M.reliability([0], [[2, -1]])).toThrow(/probabilities in \[0, 1\]/);
  });
});

describe('plots of metrics', () => {
  test('confusionMatrixSvg has k² cells, reliabilityDiagramSvg one bar per non-empty bin', () => {
    const cm = M.confusionMatrix([0, 1, 2, 2], [0, 2, 2, 1]);
    const svg = tg.plot.confusionMatrixSvg(cm, { labels: ['a', 'b', 'c'], title: 'CM' });
    expect(svg.match(/class="cell"/g)).toHaveLength(9);
    expect(svg).toContain('<title>CM</title>');
    expect(() => tg.plot.confusionMatrixSvg([[1, 2]])).toThrow(/square matrix/);
    const r = M.reliability([0, 1, 1, 1], [[0.9, 0.1], [0.9, 0.1], [0.4, 0.6], [0.4, 0.6]], { nBins: 10 });
    const rel = tg.plot.reliabilityDiagramSvg(r);
    expect(rel.match(/class="bar"/g)).toHaveLength(2);
    expect(rel).not.toMatch(/NaN/);
    const roc = M.rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(tg.plot.rocCurveSvg([{ name: 'm', x: roc.fpr, y: roc.tpr, auc: 0.75 }])).toContain('m (AUC 0.750)');
  });
});

describe('kFold', () => {
  test('plain folds are consecutive blocks (scikit-learn KFold)', () => {
    const folds = tg.data.kFold(5, { nSplits: 2 });
    expect(folds.map((f) => Array.from(f.test))).toEqual([[0, 1, 2], [3, 4]]);
    expect(Array.from(folds[0].train)).toEqual([3, 4]);
  });

  test('stratified folds (scikit-learn StratifiedKFold example) keep class shares; seeded shuffles', () => {
    const folds = tg.data.kFold(4, { nSplits: 2, stratify: [0, 0, 1, 1] });
    expect(folds.map((f) => Array.from(f.test))).toEqual([[0, 2], [1, 3]]);
    const y = Array.from({ length: 103 }, (_, i) => (i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2));
    const shuffled = tg.data.kFold(y, { nSplits: 5, stratify: y, shuffle: true, seed: 4 });
    const seen = new Array(103).fill(0);
    for (const { train, test } of shuffled) {
      expect(train.length + test.length).toBe(103);
      test.forEach((i) => seen[i]++);
      for (const c of [0, 1, 2]) {
        const total = y.filter((v) => v === c).length;
        const inFold = Array.from(test).filter((i) => y[i] === c).length;
        expect(Math.abs(inFold - total / 5)).toBeLessThanOrEqual(1);
      }
    }
    expect(seen.every((v) => v === 1)).toBe(true);
    expect(tg.data.kFold(y, { nSplits: 5, stratify: y, shuffle: true, seed: 4 })).toEqual(shuffled);
    expect(() => tg.data.kFold(3, { nSplits: 4 })).toThrow(/nSplits 4 is more than the 3 rows/);
    expect(() => tg.data.kFold(10, { seed: 1 })).toThrow(/only matter with shuffle/);
  });
});

describe('LinearSVC', () => {
  test('two points at ±1, squared hinge, C = 1: the optimum of ½w² + Σ(1 − w)² is w = 0.8, b = 0', () => {
    // by symmetry b = 0; d/dw [½w² + 2(1 − w)²] = w − 4(1 − w) = 0 gives w = 0.8
    const svm = new tg.baselines.LinearSVC({ C: 1, epochs: 600, batchSize: 2, learningRate: 0.01, seed: 0 }).fit([[-1], [1]], [0, 1]);
    expect(svm.weight!.item()).toBeCloseTo(0.8, 2);
    expect(Math.abs(svm.bias!.item())).toBeLessThan(0.01);
    expect(Array.from(svm.predict([[-3], [0.5]]).dataSync())).toEqual([0, 1]);
  });

  test('multi-class one-vs-rest separates blobs; the objective falls', () => {
    const { x, y } = tg.data.makeBlobs(150, { centers: 3, clusterStd: 0.5, seed: 1 });
    const svm = new tg.baselines.LinearSVC({ seed: 0, epochs: 20 }).fit(x, y);
    expect(svm.score(x, y)).toBe(1);
    expect(svm.decisionFunction(x).shape).toEqual([150, 3]);
    expect(svm.lossHistory.at(-1)!).toBeLessThan(svm.lossHistory[0]);
    expect(() => new tg.baselines.LinearSVC({ C: -1 })).toThrow(/C must be a positive number/);
    expect(() => new tg.baselines.LinearSVC().predict(x)).toThrow(/call fit\(x, y\) first/);
  });
});

describe('compile() metrics: f1Score, auc, topKCategoricalAccuracy', () => {
  test('evaluate() agrees with tg.metrics on the same predictions', async () => {
    tg.manualSeed(0);
    const { x, y } = tg.data.makeBlobs(120, { centers: 3, clusterStd: 3, seed: 2 });
    const net = tg.sequential([tg.layers.dense({ units: 3, activation: 'softmax', inputShape: [2] })]);
    net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['f1Score', 'auc', 'sparseTopKCategoricalAccuracy'] });
    await net.fit(x, y, { epochs: 3, verbose: 0, seed: 0 });
    const logs = net.evaluate(x, y, { batchSize: 16 });
    const p = net.predict(x);
    expect(logs.f1Score).toBeCloseTo(M.f1Score(y, p, { average: 'macro' }) as number, 10);
    const oneHot = (y.toArray() as number[]).flatMap((v) => [0, 1, 2].map((c) => (c === v ? 1 : 0)));
    expect(logs.auc).toBeCloseTo(M.rocAucScore(oneHot, p.reshape([-1])), 10);
    expect(logs.sparseTopKCategoricalAccuracy).toBe(1); // 3 classes, top 5
    const bin = tg.sequential([tg.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })]);
    bin.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['f1Score', 'auc'] });
    const yb = y.eq(0).float();
    const lb = bin.evaluate(x, yb);
    const pb = bin.predict(x).reshape([-1]);
    expect(lb.f1Score).toBeCloseTo(M.f1Score(yb, pb.gt(0.5).float()) as number, 10);
    expect(lb.auc).toBeCloseTo(M.rocAucScore(yb, pb), 10);
  });
});
