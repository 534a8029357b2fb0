// The examples in examples/, each run in its quick form (a small subset, a few epochs): they train to a
// loose accuracy bound, end with the "test accuracy: 0.xxxx" line, and write their SVG pictures.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runIris } from '../examples/iris.js';
import { runMnist } from '../examples/mnist.js';
import { runCnn } from '../examples/cnn.js';
import { runMoons } from '../examples/moons.js';
import { runSeed } from '../examples/seed.js';

const outDir = mkdtempSync(join(tmpdir(), 'tapegrad-examples-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Collects what an example prints, and checks the lines every example ends with. */
function recorder() {
  const lines: string[] = [];
  const log = (line: string) => { lines.push(...line.split('\n')); };
  const ending = () => {
    expect(lines.at(-1)).toMatch(/^test accuracy: \d\.\d{4}$/);
    expect(lines.at(-2)).toMatch(/^wall time: \d+\.\d s$/);
    return Number(lines.at(-1)!.slice('test accuracy: '.length));
  };
  return { lines, log, ending };
}

function expectSvg(file: string): void {
  const svg = readFileSync(file, 'utf8');
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), file).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>'), file).toBe(true);
  expect(svg).not.toMatch(/NaN/);
}

describe('examples (quick runs)', () => {
  it('mnist: logistic regression and the MLP on 1,000 real digits; writes the history picture', async () => {
    const r = recorder();
    const result = await runMnist({ quick: true, log: r.log, outDir, verbose: 0 });
    expect(result.mlpAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(result.logisticAccuracy).toBeGreaterThanOrEqual(0.75);
    expect(r.ending()).toBeCloseTo(result.mlpAccuracy, 4);
    expect(r.lines.join('\n')).toContain('Total params: 235,146');
    expect(result.files.map((f) => f.slice(outDir.length + 1))).toEqual(['mnist-history.svg', 'mnist-loss.svg']);
    result.files.forEach(expectSvg);
  });

  it('cnn: the LeNet-style network on 1,000 real digits learns; writes the filters and feature maps', async () => {
    const r = recorder();
    const result = await runCnn({ quick: true, log: r.log, outDir });
    // 2 epochs of 1,000 randomly turned and moved digits (32 steps): far above the 10% of guessing, not a trained model
    expect(result.accuracy).toBeGreaterThanOrEqual(0.5);
    expect(r.ending()).toBeCloseTo(result.accuracy, 4);
    expect(result.parameters).toBe(8 * 25 + 8 + 16 * 200 + 16 + 256 * 128 + 128 + 1290);
    expect(result.files.map((f) => f.slice(outDir.length + 1))).toEqual(['cnn-filters.svg', 'cnn-feature-maps.svg']);
    result.files.forEach(expectSvg);
  });

  it('iris: standardized features, stratified split, MLP', async () => {
    const r = recorder();
    const result = await runIris({ quick: true, log: r.log, verbose: 0 });
    expect(result.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(r.ending()).toBeCloseTo(result.accuracy, 4);
  });

  it('seed: the snippet stops with an error naming binaryCrossentropy, and the fixed models train', async () => {
    const r = recorder();
    const result = await runSeed({ quick: true, log: r.log, verbose: 0 });
    expect(result.compileError).toMatch(/sparseCategoricalCrossentropy/);
    expect(result.compileError).toMatch(/use binaryCrossentropy/);
    expect(r.lines.some((l) => l.startsWith('model.compile threw RangeError') && l.includes('binaryCrossentropy'))).toBe(true);
    expect(result.profileAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(result.pixelAccuracy).toBeGreaterThanOrEqual(0.6);
    expect(r.ending()).toBeCloseTo(Math.min(result.profileAccuracy, result.pixelAccuracy), 4);
  });

  it('moons: the MLP beats logistic regression on moons and spirals; writes boundaries and loss curves', async () => {
    const r = recorder();
    const result = await runMoons({ quick: true, log: r.log, outDir, verbose: 0 });
    expect(result.accuracy.moons.mlp).toBeGreaterThanOrEqual(0.85);
    expect(result.accuracy.spirals.mlp).toBeGreaterThan(result.accuracy.spirals.logistic);
    expect(r.ending()).toBeCloseTo(Math.min(result.accuracy.moons.mlp, result.accuracy.spirals.mlp), 4);
    expect(result.files).toHaveLength(6);
    result.files.forEach(expectSvg);
    expect(readFileSync(join(outDir, 'moons-mlp.svg'), 'utf8')).toContain('<g class="regions"');
  });
});
