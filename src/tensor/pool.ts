// The max-pooling kernel: each window's maximum and where it was, found in one pass over the input.
// The op table's `maxPool` records the values; its gradient goes to those positions (a scatter-add
// there, as in PyTorch's max_pool2d_with_indices).

import { allocate } from './dtype.js';
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
 * Max pooling of x [N, C, H, W] (any strides) → the values [N, C, Ho, Wo] (a new dense array of x's dtype);
 * `index` (int32 [N, C, Ho·Wo], dense) receives where each came from, as a position in its H·W plane. Each
 * window gives its first maximum in scan order, or its first NaN (which then propagates), as PyTorch picks.
 */
export function maxPoolKernel(x: NDArray, g: PoolGeometry, index: NDArray): NDArray {
  const [N, C, H, W] = x.shape;
  const [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation, [Ho, Wo] = g.out;
  const [sN, sC, sH, sW] = x.strides;
  const xd = x.data, at = index.data as Int32Array;
  const out = allocate(x.dtype, N * C * Ho * Wo, false); // every element is written below
  const vals = new NDArray(out, [N, C, Ho, Wo]);
  if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && ph === 0 && pw === 0 && dh === 1 && dw === 1 && 2 * Ho <= H && 2 * Wo <= W) {
    maxPool2x2(x, Ho, Wo, out, at);
    return vals;
  }
  let q = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x.offset + n * sN + c * sC;
      for (let oy = 0; oy < Ho; oy++) {
        const y0 = oy * sh - ph;
        for (let ox = 0; ox < Wo; ox++, q++) {
          const x0 = ox * sw - pw;
          let best = -Infinity, pos = -1;
          for (let ky = 0; ky < kh; ky++) {
            const iy = y0 + ky * dh;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = x0 + kx * dw;
              if (ix < 0 || ix >= W) continue;
              const v = xd[plane + iy * sH + ix * sW];
              if (v > best || pos < 0 || (v !== v && best === best)) { best = v; pos = iy * W + ix; }
            }
          }
          // padding is at most half the window, so every window has a tap inside the image (pos ≥ 0)
          out[q] = best;
          at[q] = pos;
        }
      }
    }
  }
  return vals;
}

/**
 * maxPoolKernel for 2×2 windows at stride 2 that all lie inside the image (the common case). Taps a b / c d:
 * the first maximum of the top pair (b only if b > a), of the bottom pair (d only if d > c), then the bottom
 * winner only if it beats the top one: the first maximum in scan order. The comparisons become 0/1 numbers
 * (`+(b > a)`) that pick the tap by arithmetic, with no branch on the data, which a CPU mispredicts about half
 * the time on real activations (measured 1.7× faster on a LeNet ReLU output, 3.7× on uniform noise). A window
 * with a NaN (rare) takes a branch to its first NaN, which then propagates as PyTorch's does.
 */
function maxPool2x2(x: NDArray, Ho: number, Wo: number, out: NDArray['data'], at: Int32Array): void {
  // sizes and strides read by index as int32 (| 0), as conv.ts's kernels do: no iterator protocol
  // at the entry, and integer index arithmetic even if a shape or stride array holds doubles
  const sh = x.shape, st = x.strides;
  const N = sh[0] | 0, C = sh[1] | 0, W = sh[3] | 0;
  const sN = st[0] | 0, sC = st[1] | 0, sH = st[2] | 0, sW = st[3] | 0;
  Ho |= 0; Wo |= 0;
  const xd = x.data;
  let q = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (x.offset | 0) + n * sN + c * sC;
      for (let oy = 0; oy < Ho; oy++) {
        for (let ox = 0, s = plane + 2 * oy * sH, p = 2 * oy * W; ox < Wo; ox++, q++, s += 2 * sW, p += 2) {
          const a = xd[s], b = xd[s + sW], cc = xd[s + sH], d = xd[s + sH + sW];
          // the chosen tap: row dy (0 or 1) and column dx (0 or 1) of the window
          let dy: number, dx: number;
          if (a !== a || b !== b || cc !== cc || d !== d) {
            dy = a !== a || b !== b ? 0 : 1;
            dx = a !== a ? 0 : b !== b ? 1 : cc !== cc ? 0 : 1;
          } else {
            const top = +(b > a), bottom = +(d > cc); // 1 picks the right-hand tap of the pair
            dy = +(xd[s + sH + bottom * sW] > xd[s + top * sW]); // 1 picks the bottom pair's winner
            dx = dy * bottom + (1 - dy) * top;
          }
          out[q] = xd[s + dy * sH + dx * sW];
          at[q] = p + dy * W + dx;
        }
      }
    }
  }
}
