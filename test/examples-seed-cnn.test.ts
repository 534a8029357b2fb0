// examples/seed-cnn.ts: the receptive fields its table prints agree with the gradient's reach (which input
// pixels can change one output of the last conv layer), every dilation variant has the same parameters,
// the harder images hold equal-area shapes, and a quick run goes through every step.

import { expect, test } from 'vitest';
import * as tg from 'tapegrad';
import { makeHardShapeImages, receptiveField, runSeedCnn, shapeCnn } from '../examples/seed-cnn.js';

/** The rows of the 320×320 input that reach the middle output of the last conv layer, found by backprop. */
function gradientReach(dilations: number[]): number {
  const model = shapeCnn(dilations);
  // positive weights and inputs keep every ReLU open, so the gradient is non-zero exactly on the receptive field
  for (const p of model.parameters()) p.value = p.abs().add(0.01).value;
  const spatial = model.layers.slice(0, -2); // up to the last conv layer
  const x = tg.ones([1, 320, 320, 1]).requiresGrad_();
  let h: tg.Tensor = x;
  for (const layer of spatial) h = layer.call(h);
  const [, H, W] = h.shape;
  h.slice(1, H / 2, H / 2 + 1).slice(2, W / 2, W / 2 + 1).sum().backward();
  const rows = x.grad!.abs().sum([0, 2, 3]).toArray() as number[];
  return rows.filter((v) => v > 0).length;
}

test('the receptive field computed from the configs is the gradient\'s reach; dilation costs no parameters', () => {
  const counts = new Set<number>();
  for (const d of [[1, 1, 1], [1, 2, 4]]) {
    expect(receptiveField(shapeCnn(d))).toBe(gradientReach(d));
    counts.add(shapeCnn(d).parameters().reduce((s, p) => s + p.size, 0));
  }
  expect(counts.size).toBe(1);
  expect(receptiveField(shapeCnn([2, 4, 8]))).toBeGreaterThan(receptiveField(shapeCnn([1, 2, 4])));
});

test('the harder images: squares and discs of equal area, alternating labels', () => {
  const { pixels, labels } = makeHardShapeImages(6, 5);
  const bright = (i: number) => pixels.subarray(i * 102400, (i + 1) * 102400).reduce((n, v) => n + (v > 0.5 ? 1 : 0), 0);
  expect(Array.from(labels)).toEqual([0, 1, 0, 1, 0, 1]);
  for (let i = 0; i < 6; i++) expect(bright(i)).toBeGreaterThan(3000); // side ≥ 60 px: area ≥ 3,600 px
});

test('quick run: both tasks, the feature baseline and a table row', async () => {
  const lines: string[] = [];
  const r = await runSeedCnn({ quick: true, log: (l) => lines.push(l) });
  expect(r.table).toHaveLength(1);
  expect(r.table[0].receptiveField).toBe(receptiveField(shapeCnn([1, 2, 4])));
  for (const a of [r.easyAccuracy, r.hardFeatureAccuracy, r.hardCnnAccuracy]) expect(a).toBeGreaterThanOrEqual(0);
  expect(lines[lines.length - 1]).toBe(`test accuracy: ${Math.min(r.easyAccuracy, r.hardCnnAccuracy).toFixed(4)}`);
}, 300_000);
