// examples/spam-attention.ts in quick mode (1000 sampled e-mails, one epoch): the table has the two TF-IDF
// baselines, the GRU and LSTM classifiers and the attention classifier, and the SVG draws the pooling weights over real tokens.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import * as tg from 'tapegrad';
import { AttentionClassifier, runSpamAttention } from '../examples/spam-attention.js';

test('the pooling weights are zero on padding and sum to 1 over the tokens', () => {
  const model = new AttentionClassifier(10, 8);
  model.eval();
  const padding = [[false, false, true, true], [false, false, false, false]];
  model.call(tg.tensor([[3, 4, 0, 0], [1, 2, 3, 4]]), padding);
  const w = model.lastWeights!.toArray() as number[][];
  expect(w[0][2]).toBe(0);
  expect(w[0][3]).toBe(0);
  for (const row of w) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
});

test('quick run: one table with the attention classifier and both baselines, and the SVG', async () => {
  const lines: string[] = [];
  const svgPath = join(mkdtempSync(join(tmpdir(), 'spam-attention-')), 'w.svg');
  const rows = await runSpamAttention({ quick: true, log: (l) => lines.push(l), svgPath });
  expect(rows.map((r) => r.model)).toEqual(['TF-IDF + MLP (64 units)', 'TF-IDF + logistic regression', 'token ids + GRU (32 units)', 'token ids + LSTM (32 units)', 'token ids + transformer layer + attention pooling']);
  for (const r of rows) {
    expect(r.accuracy).toBeGreaterThan(0.5);
    expect(r.params).toBeGreaterThan(0);
  }
  const svg = readFileSync(svgPath, 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.match(/>spam \(p=/g)).toHaveLength(3);
  expect(svg.match(/>ham \(p=/g)).toHaveLength(2);
  expect(lines.some((l) => l.startsWith('| token ids + transformer layer'))).toBe(true);
}, 300_000);
