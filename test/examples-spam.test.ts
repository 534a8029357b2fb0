// examples/spam.ts in quick mode: a stratified sample of 1000 SpamAssassin e-mails, TF-IDF, the MLP and
// the logistic-regression baseline trained for a few epochs; the accuracy bound is loose on purpose.
import { expect, test } from 'vitest';
import { binaryScores, loadSpamAssassin, runSpam } from '../examples/spam.js';

test('binaryScores counts the spam class', () => {
  // probabilities → guesses [1, 1, 0, 0, 1]; labels [1, 0, 0, 1, 1]: tp 2, fp 1, fn 1, tn 1
  const s = binaryScores([0.9, 0.6, 0.1, 0.4, 0.7], [1, 0, 0, 1, 1], 0);
  expect(s.accuracy).toBeCloseTo(3 / 5, 12);
  expect(s.precision).toBeCloseTo(2 / 3, 12);
  expect(s.recall).toBeCloseTo(2 / 3, 12);
  expect(s.f1).toBeCloseTo(2 / 3, 12);
});

test('the corpus loads with spam-1 and spam-2 labelled spam', () => {
  const { texts, labels, groups } = loadSpamAssassin();
  expect(texts).toHaveLength(6046);
  expect(Object.fromEntries(groups)).toEqual({ 'easy-ham-1': 2500, 'easy-ham-2': 1400, 'hard-ham-1': 250, 'spam-1': 500, 'spam-2': 1396 });
  expect(labels.filter((y) => y === 1)).toHaveLength(500 + 1396);
});

test('quick run of the spam example beats 85% test accuracy', async () => {
  const lines: string[] = [];
  const start = performance.now();
  const r = await runSpam({ quick: true, log: (l) => lines.push(l) });
  expect(performance.now() - start).toBeLessThan(60_000);
  expect(r.nTrain).toBe(800);
  expect(r.nTest).toBe(200);
  expect(r.mlp.accuracy).toBeGreaterThanOrEqual(0.85);
  expect(r.logreg.accuracy).toBeGreaterThanOrEqual(0.85);
  expect(r.mlp.f1).toBeGreaterThan(0.7);
  expect(lines.at(-1)).toMatch(/^test accuracy: \d\.\d{4}$/);
  expect(lines.at(-1)).toBe(`test accuracy: ${r.mlp.accuracy.toFixed(4)}`);
});
