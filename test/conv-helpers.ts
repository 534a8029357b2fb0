// Helpers shared by the convolution kernel tests (conv-direct.test.ts, conv-winograd.test.ts): seeded
// inputs, the same values as strided and channels-last views, a scale-relative error, and a counter of
// the convolutions a kernel path took.

import { expect } from 'vitest';
import * as tg from 'tapegrad';
import { convTuning } from '../src/tensor/conv.js';
import type { NDArray } from '../src/tensor/ndarray.js';

export type DType = 'float32' | 'float64';

/** Seeded standard-normal values of `shape` as an NDArray. */
export const rand = (shape: number[], seed: number, dtype: DType): NDArray => tg.randn(shape, { dtype, generator: new tg.Generator(seed) }).value;
/** The same values as a strided view: H and W swapped in memory, swapped back in the view. */
export const strided = (a: NDArray): NDArray => a.transpose(2, 3).contiguous().transpose(2, 3);
/** The same values as a channels-last view: [N, H, W, C] in memory. */
export const channelsLast = (a: NDArray): NDArray => a.permute([0, 2, 3, 1]).contiguous().permute([0, 3, 1, 2]);

/** Largest |a − b| over the largest |b| (at least 1): a relative error that tolerates cancellations. */
export function relErr(a: NDArray, b: NDArray): number {
  expect(a.shape).toEqual(b.shape);
  let worst = 0, scale = 1;
  for (let i = 0; i < b.size; i++) {
    worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
    scale = Math.max(scale, Math.abs(b.data[i]));
  }
  expect(Number.isFinite(worst)).toBe(true);
  return worst / scale;
}

/** The convTuning counters of the kernel paths. */
type RunCounter = 'directRuns' | 'directWeightGradRuns' | 'winogradRuns' | 'winogradWeightGradRuns' | 'winogradInputGradRuns';

/** Calls f and returns its result and how much convTuning[counter] grew meanwhile (the calls that took that path). */
export function countRuns<T>(counter: RunCounter, f: () => T): [T, number] {
  const before = convTuning[counter];
  const r = f();
  return [r, convTuning[counter] - before];
}
