// The evaluation examples in their quick form: baselines (5-fold cross-validation table) and robust
// (attacks, adversarial training, corruptions on MNIST); they end with the usual "test accuracy" line.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBaselines } from '../examples/baselines.js';

const outDir = mkdtempSync(join(tmpdir(), 'tapegrad-eval-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('evaluation examples (quick runs)', () => {
  it('baselines: one row per data set and model, with mean ± std over 5 folds', async () => {
    const lines: string[] = [];
    const result = await runBaselines({ quick: true, log: (l) => lines.push(...l.split('\n')) });
    expect(result.rows).toHaveLength(9);
    for (const r of result.rows) {
      expect(r.accuracy.mean).toBeGreaterThan(0.6);
      expect(r.accuracy.std).toBeGreaterThan(0);
    }
    expect(lines.at(-1)).toMatch(/^test accuracy: \d\.\d{4}$/);
    expect(lines.some((l) => /^iris +linear SVM +0\.\d{4} ± 0\.\d{4}/.test(l))).toBe(true);
  });
});
