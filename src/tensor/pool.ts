// The max-pooling kernel: for each output position, where its window's maximum is. Pooling itself is
// then a gather at those positions (so its gradient is a scatter-add there, as in PyTorch).

import { NDArray } from './ndarray.js';

/** Window geometry per axis [height, width]; padding counts on both sides, dilation spaces the taps. */
export interface PoolGeometry {
  /** Window size [kh, kw]. */
  kernel: number[];
  /** Step [sh, sw]. */
  stride: number[];
  /** Padding [ph, pw] (never selected: treated as −∞). */
  padding: number[];
  /** Tap spacing [dh, dw]. */
  dilation: number[];
  /** Output size [Ho, Wo]. */
  out: number[];
}

/**
 * x [N, C, H, W] (any strides) → indices [N, C, Ho·Wo] into each H·W plane: the first maximum of
 * each window in scan order, or the first NaN (which then propagates), as PyTorch picks.
 */
export function maxPoolIndices(x: NDArray, g: PoolGeometry): NDArray {
  const [N, C, H, W] = x.shape;
  const [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation, [Ho, Wo] = g.out;
  const [sN, sC, sH, sW] = x.strides;
  const xd = x.data;
  const out = new Float64Array(N * C * Ho * Wo);
  let q = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x.offset + n * sN + c * sC;
      for (let oy = 0; oy < Ho; oy++) {
        const y0 = oy * sh - ph;
        for (let ox = 0; ox < Wo; ox++, q++) {
          const x0 = ox * sw - pw;
          let best = -Infinity, at = -1;
          for (let ky = 0; ky < kh; ky++) {
            const iy = y0 + ky * dh;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = x0 + kx * dw;
              if (ix < 0 || ix >= W) continue;
              const v = xd[plane + iy * sH + ix * sW];
              if (v > best || at < 0 || (v !== v && best === best)) { best = v; at = iy * W + ix; }
            }
          }
          out[q] = at;
        }
      }
    }
  }
  return new NDArray(out, [N, C, Ho * Wo]);
}
