// Shared by the ONNX export tests: how far ONNX Runtime's output is from tapegrad's.

import type * as tg from 'tapegrad';
import { expect } from 'vitest';

/** max|a − b| / max|b|: the error relative to the output's scale (1e-5 is the bar the issue sets). */
export function relErr(a: tg.Tensor, b: tg.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num = Math.max(num, Math.abs(x[i] - y[i]));
    den = Math.max(den, Math.abs(y[i]));
  }
  return num / Math.max(den, 1e-30);
}
