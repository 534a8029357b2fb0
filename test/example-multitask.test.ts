// npm run example:multitask in its quick form (1,500 digits, 3 epochs): one table with three single-task
// models and the multi-task model, the multi-task model smaller than the three together, and its graph drawn.

import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMultitask } from '../examples/multitask.js';

describe('example: multi-task MNIST (quick)', () => {
  it('trains three single-task models and one multi-task model, and compares them', async () => {
    const lines: string[] = [];
    const outDir = mkdtempSync(join(tmpdir(), 'tapegrad-multitask-'));
    const { rows, files } = await runMultitask({ quick: true, log: (l) => lines.push(l), outDir });
    expect(rows.map((r) => r.model)).toEqual(['single-task: digit', 'single-task: parity', 'single-task: ink', 'multi-task (3 heads)']);
    const multi = rows[3];
    // every head learned something on 1,500 digits in 3 epochs (chance: 0.1 for digits, 0.5 for parity)
    expect(multi.digitAccuracy!).toBeGreaterThan(0.6);
    expect(multi.parityAccuracy!).toBeGreaterThan(0.65);
    expect(multi.inkMae!).toBeLessThan(0.8); // the target is standardised: predicting its mean gives about 0.8
    expect(multi.params).toBeLessThan(rows.slice(0, 3).reduce((n, r) => n + r.params, 0) / 2);
    expect(lines.join('\n')).toContain('Connected to');
    expect(readFileSync(files[1], 'utf8')).toContain('"trunk_drop_1" -> "parity"');
  });
});
