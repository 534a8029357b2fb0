// The max-pooling kernel: for each output position, where its window's maximum is. Pooling itself is
// then a gather at those positions (so its gradient is a scatter-add there, as in PyTorch).

import { NDArray } from './ndarray.js';
import { acquire } from './storage.js';

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
 * x [N, C, H, W] (any strides) → int32 indices [N, C, Ho·Wo] into each H·W plane: the first maximum of
 * each window in scan order, or the first NaN (which then propagates), as PyTorch picks.
 */
export function maxPoolIndices(x: NDArray, g: PoolGeometry): NDArray {
  const [N, C, H, W] = x.shape;
  const [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation, [Ho, Wo] = g.out;
  const [sN, sC, sH, sW] = x.strides;
  const xd = x.data;
  // int32 from the caching allocator; every element is written below
  const out = acquire('int32', N * C * Ho * Wo, false) as Int32Array;
  if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && ph === 0 && pw === 0 && dh === 1 && dw === 1 && 2 * Ho <= H && 2 * Wo <= W) {
    maxPool2x2(x, Ho, Wo, out);
    return new NDArray(out, [N, C, Ho * Wo]);
  }
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

/** maxPoolIndices for 2×2 windows at stride 2 that all lie inside the image (the common case), the four taps unrolled. */
function maxPool2x2(x: NDArray, Ho: number, Wo: number, out: Int32Array): void {
  const [N, C, , W] = x.shape;
  const [sN, sC, sH, sW] = x.strides;
  const xd = x.data;
  let q = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x.offset + n * sN + c * sC;
      for (let oy = 0; oy < Ho; oy++) {
        const row = 2 * oy * W;
        for (let ox = 0, s = plane + 2 * oy * sH; ox < Wo; ox++, q++, s += 2 * sW) {
          // the first maximum in scan order; a NaN replaces a number (and then stays)
          let best = xd[s], at = row + 2 * ox;
          let v = xd[s + sW];
          if (v > best || (v !== v && best === best)) { best = v; at = row + 2 * ox + 1; }
          v = xd[s + sH];
          if (v > best || (v !== v && best === best)) { best = v; at = row + W + 2 * ox; }
          v = xd[s + sH + sW];
          if (v > best || (v !== v && best === best)) at = row + W + 2 * ox + 1;
          out[q] = at;
        }
      }
    }
  }
}
