// examples/names.ts in quick mode (a few training steps on a sample): the table has every model, the
// losses are real nats per character below the uniform guess, and each model samples 10 names.

import { expect, test } from 'vitest';
import { loadNames, runNames } from '../examples/names.js';

test('the names split is seeded, disjoint and covers both lists', () => {
  const a = loadNames();
  const b = loadNames();
  expect(a.train.slice(0, 5)).toEqual(b.train.slice(0, 5));
  const all = new Set([...a.train, ...a.dev, ...a.test]);
  expect(all.size).toBe(a.train.length + a.dev.length + a.test.length);
  expect(a.dev.length).toBeGreaterThan(700);
  expect(a.chars[0]).toBe('.');
});

test('quick run: five models, finite losses below the uniform guess, 10 samples each', () => {
  const lines: string[] = [];
  const rows = runNames({ quick: true, log: (l) => lines.push(l) });
  expect(rows.map((r) => r.model.split(' ')[0])).toEqual(['bigram', 'MLP', 'dilated', 'LSTM', 'transformer']);
  const uniform = Math.log(loadNames().chars.length);
  for (const r of rows) {
    expect(r.dev).toBeGreaterThan(1);
    expect(r.dev).toBeLessThan(uniform);
    expect(r.test).toBeLessThan(uniform);
    expect(r.samples).toHaveLength(10);
    for (const s of r.samples) expect(s).toMatch(/^[a-z-]*$/);
  }
  expect(lines.some((l) => l.startsWith('| bigram counts |'))).toBe(true);
}, 300_000);
