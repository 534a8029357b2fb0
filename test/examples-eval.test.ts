// The evaluation examples in their quick form: baselines (5-fold cross-validation table) and robust
// (attacks, adversarial training, corruptions on MNIST); they end with the usual "test accuracy" line.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { runBaselines } from '../examples/baselines.js';
import { runRobust } from '../examples/robust.js';

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

describe('robust example (quick run)', () => {
  it('attacks lower accuracy as ε grows, PGD never beats FGSM by much, corruptions and plots are written', async () => {
    const lines: string[] = [];
    const r = await runRobust({ quick: true, log: (l) => lines.push(...l.split('\n')), outDir });
    expect(r.standard.clean).toBeGreaterThan(0.6);
    for (const t of [r.standard, r.adversarial]) {
      for (let i = 1; i < r.epsilons.length; i++) expect(t.pgd[i]).toBeLessThanOrEqual(t.pgd[i - 1]);
      t.pgd.forEach((a, i) => expect(a).toBeLessThanOrEqual(t.fgsm[i] + 0.05));
    }
    expect(r.standard.pgd.at(-1)!).toBeLessThan(0.1);
    expect(Object.keys(r.corruptions.standard.accuracy)).toEqual([...tg.data.corruptions.NAMES]);
    expect(r.files.map((f) => f.slice(outDir.length + 1))).toEqual(['robust-curves.svg', 'robust-corruptions.svg', 'robust-reliability.svg']);
    for (const f of r.files) expect(readFileSync(f, 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
    expect(lines.at(-1)).toMatch(/^test accuracy: \d\.\d{4}$/);
  });
});
