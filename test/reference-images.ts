// Plain float64 references for the image ops in the op table (convolutions, pooling): the textbook
// sums written as naive loops over row-major arrays, no tapegrad, no im2col.

import { type Arr, arr, sizeOf } from './reference.js';

/** 2-D geometry with [top, bottom, left, right] padding. */
export interface Geo2d { stride: number[]; pad: number[]; dilation: number[]; groups: number }

/** y[n,o,oy,ox] = Σ w[o,c,ky,kx] · x[n, g·Cg + c, oy·sh − pt + ky·dh, ox·sw − pl + kx·dw] (+ b[o]). */
export function conv2d(x: Arr, w: Arr, b: Arr | null, { stride: [sh, sw], pad: [pt, pb, pl, pr], dilation: [dh, dw], groups }: Geo2d): Arr {
  const [N, C, H, W] = x.shape;
  const [O, Cg, kh, kw] = w.shape;
  const Ho = Math.floor((H + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const Wo = Math.floor((W + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const Og = O / groups;
  const out = new Float64Array(N * O * Ho * Wo);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let oy = 0; oy < Ho; oy++) for (let ox = 0; ox < Wo; ox++) {
    let acc = b ? b.data[o] : 0;
    const c0 = Math.floor(o / Og) * Cg;
    for (let c = 0; c < Cg; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * sh - pt + ky * dh;
      const ix = ox * sw - pl + kx * dw;
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) acc += w.data[((o * Cg + c) * kh + ky) * kw + kx] * x.data[((n * C + c0 + c) * H + iy) * W + ix];
    }
    out[((n * O + o) * Ho + oy) * Wo + ox] = acc;
  }
  return arr([N, O, Ho, Wo], out);
}

/** The transposed convolution by its definition: each input pixel scatters w-weighted copies into the output. */
export function convTranspose2d(
  x: Arr, w: Arr, b: Arr | null,
  { stride: [sh, sw], padding: [ph, pw], outputPadding: [oph, opw], dilation: [dh, dw], groups }: { stride: number[]; padding: number[]; outputPadding: number[]; dilation: number[]; groups: number },
): Arr {
  const [N, Cin, H, W] = x.shape;
  const [, Cg, kh, kw] = w.shape;
  const Cout = Cg * groups;
  const Ho = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const Wo = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  const out = new Float64Array(N * Cout * Ho * Wo);
  const inG = Cin / groups;
  for (let n = 0; n < N; n++) for (let ci = 0; ci < Cin; ci++) for (let iy = 0; iy < H; iy++) for (let ix = 0; ix < W; ix++) {
    const v = x.data[((n * Cin + ci) * H + iy) * W + ix];
    const g = Math.floor(ci / inG);
    for (let c = 0; c < Cg; c++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const oy = iy * sh - ph + ky * dh;
      const ox = ix * sw - pw + kx * dw;
      if (oy >= 0 && oy < Ho && ox >= 0 && ox < Wo) out[((n * Cout + g * Cg + c) * Ho + oy) * Wo + ox] += v * w.data[((ci * Cg + c) * kh + ky) * kw + kx];
    }
  }
  if (b) for (let i = 0; i < out.length; i++) out[i] += b.data[Math.floor(i / (Ho * Wo)) % Cout];
  return arr([N, Cout, Ho, Wo], out);
}

/**
 * Max pooling by its definition: each window's largest tap inside the image (padding never wins), for output
 * size [Ho, Wo] (which the caller works out, ceil mode included).
 */
export function maxPool2d(
  x: Arr, { kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw], out: [Ho, Wo] }: { kernel: number[]; stride: number[]; padding: number[]; dilation: number[]; out: number[] },
): Arr {
  const [N, C, H, W] = x.shape;
  const out = new Float64Array(N * C * Ho * Wo);
  for (let p = 0; p < N * C; p++) for (let oy = 0; oy < Ho; oy++) for (let ox = 0; ox < Wo; ox++) {
    let best = -Infinity;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * sh - ph + ky * dh, ix = ox * sw - pw + kx * dw;
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) best = Math.max(best, x.data[(p * H + iy) * W + ix]);
    }
    out[(p * Ho + oy) * Wo + ox] = best;
  }
  return arr([N, C, Ho, Wo], out);
}

/** Inserts a height-1 axis at 2 ([N,C,L] → [N,C,1,L]) and removes it again. */
export const to2d = (a: Arr): Arr => arr([a.shape[0], a.shape[1], 1, a.shape[2]], a.data);
export const to1d = (a: Arr): Arr => arr([a.shape[0], a.shape[1], a.shape[3]], a.data);
export { sizeOf };
