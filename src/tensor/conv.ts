// 2-D convolution kernels (1-D is the H = 1 case): forward, its adjoint in the input (the transposed
// convolution) and its adjoint in the weight, all three as im2col + the packed GEMM of matmul.ts.

import { allocate, promote, type TypedArray } from './dtype.js';
import { NDArray } from './ndarray.js';
import { fmtShape } from './shape.js';
import { matmul } from './threads.js';

/*
 * Layout: x [N, C, H, W], weight [O, C/groups, kh, kw], y [N, O, Ho, Wo] with
 *   y[n, o, oy, ox] = Σ_{c, ky, kx} w[o, c, ky, kx] · x[n, g·C/groups + c, oy·sh − pt + ky·dh, ox·sw − pl + kx·dw]
 * (o in group g; x read as 0 outside the image). im2col writes, for a range of output positions j,
 * the column col[r, j] with r = (c, ky, kx); then y = W·col is one GEMM per group.
 *
 * The columns are made a chunk of output rows at a time, so the workspace is bounded whatever the
 * image size: at most CHUNK_ELEMENTS elements of col (plus the chunk's product) live at once.
 * The three kernels share the column geometry, so each is the exact adjoint of the others:
 *   forward      y   = W · col(x)
 *   inputGrad    x̄   = col2im(Wᵀ · ȳ)        (the transposed convolution)
 *   weightGrad   W̄   = Σ_chunks ȳ · col(x)ᵀ
 */

/** The geometry of a 2-D convolution: [height, width] pairs, padding as [top, bottom, left, right]. */
export interface ConvGeometry {
  /** Step between output positions, [sh, sw]. */
  stride: number[];
  /** Zeros added around the input: [top, bottom, left, right]. */
  padding: number[];
  /** Spacing between kernel taps, [dh, dw]. */
  dilation: number[];
  /** Channel groups: input and output channels split into this many independent convolutions. */
  groups: number;
}

/** Default workspace cap (elements of the column buffer): 2^20, i.e. 8 MB in float64, 4 MB in float32. */
export const CHUNK_ELEMENTS = 1 << 20;

/** Output size of a convolution along one axis (floor rule). */
export function convOutSize(size: number, k: number, stride: number, padLo: number, padHi: number, dilation: number): number {
  return Math.floor((size + padLo + padHi - dilation * (k - 1) - 1) / stride) + 1;
}

/** The plan of a convolution: sizes, and how many output rows (n, oy) each im2col chunk holds. */
export interface ConvPlan {
  N: number; C: number; H: number; W: number;
  O: number; kh: number; kw: number; Ho: number; Wo: number;
  /** Channels per group in and out, and the column height K = Cg·kh·kw. */
  Cg: number; Og: number; K: number;
  /** Output rows (flattened n, oy) per chunk. */
  rowsPerChunk: number;
  /** Bytes of workspace (column buffer + GEMM result + gathered gradient) per chunk at this dtype. */
  workspaceBytes: number;
}

/** Sizes and chunking for input [N,C,H,W], weight [O,Cg,kh,kw], output spatial [Ho,Wo]. */
export function planConv(
  xShape: readonly number[], wShape: readonly number[], outHW: readonly number[], geo: ConvGeometry,
  bytesPerElement = 4, chunkElements = CHUNK_ELEMENTS,
): ConvPlan {
  const [N, C, H, W] = xShape;
  const [O, Cg, kh, kw] = wShape;
  const [Ho, Wo] = outHW;
  const Og = O / geo.groups;
  const K = Cg * kh * kw;
  const rowsPerChunk = Math.max(1, Math.min(N * Ho, Math.floor(chunkElements / Math.max(1, K * Wo))));
  const J = rowsPerChunk * Wo;
  const workspaceBytes = bytesPerElement * (K * J + 2 * J * Math.max(Og, K));
  return { N, C, H, W, O, kh, kw, Ho, Wo, Cg, Og, K, rowsPerChunk, workspaceBytes };
}

/**
 * Writes (add = false) or reads back (add = true, the adjoint: col2im) the columns of output rows
 * [t0, t1) (t = n·Ho + oy) for the channels of group g. Element (r, j) of the column block lives at
 * col[r·rs + j·js]; the image element at img[off + n·sN + c·sC + iy·sH + ix·sW].
 */
function im2col(
  p: ConvPlan, geo: ConvGeometry, g: number, t0: number, t1: number,
  img: TypedArray, off: number, sN: number, sC: number, sH: number, sW: number,
  col: TypedArray, rs: number, js: number, add: boolean,
): void {
  const { H, W, Ho, Wo, kh, kw, Cg } = p;
  const [sh, sw] = geo.stride;
  const pt = geo.padding[0], pl = geo.padding[2];
  const [dh, dw] = geo.dilation;
  for (let c = 0; c < Cg; c++) {
    const cOff = off + (g * Cg + c) * sC;
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const r = (c * kh + ky) * kw + kx;
        const x0 = kx * dw - pl; // ix = ox·sw + x0
        // output columns whose tap falls inside the image: oxLo ≤ ox < oxHi
        const oxLo = Math.min(Wo, Math.max(0, Math.ceil(-x0 / sw)));
        const oxHi = Math.max(oxLo, Math.min(Wo, Math.floor((W - 1 - x0) / sw) + 1));
        for (let t = t0; t < t1; t++) {
          const n = (t / Ho) | 0;
          const iy = (t - n * Ho) * sh - pt + ky * dh;
          let d = r * rs + (t - t0) * Wo * js;
          if (iy < 0 || iy >= H) {
            if (!add) for (let ox = 0; ox < Wo; ox++, d += js) col[d] = 0;
            continue;
          }
          const rowOff = cOff + n * sN + iy * sH + x0 * sW;
          const step = sw * sW;
          if (add) {
            d += oxLo * js;
            for (let ox = oxLo, s = rowOff + oxLo * step; ox < oxHi; ox++, d += js, s += step) img[s] += col[d];
          } else {
            let ox = 0;
            for (; ox < oxLo; ox++, d += js) col[d] = 0;
            for (let s = rowOff + oxLo * step; ox < oxHi; ox++, d += js, s += step) col[d] = img[s];
            for (; ox < Wo; ox++, d += js) col[d] = 0;
          }
        }
      }
    }
  }
}

/** The [K × Og] transposed view of group g's weights [Og × K] (w dense [O, Cg, kh, kw]). */
function weightT(w: NDArray, p: ConvPlan, g: number): NDArray {
  return new NDArray(w.data, [p.K, p.Og], [1, p.K], w.offset + g * p.Og * p.K);
}

/** Gathers ȳ[n, g·Og + o, oy, ox] for the chunk's rows into dst[j·Og + o] (j = position within the chunk). */
function gatherGrad(gy: NDArray, p: ConvPlan, g: number, t0: number, t1: number, dst: TypedArray): void {
  const { Ho, Wo, Og } = p;
  const [sN, sC, sH, sW] = gy.strides;
  const src = gy.data;
  for (let t = t0; t < t1; t++) {
    const n = (t / Ho) | 0;
    const oy = t - n * Ho;
    const base = gy.offset + n * sN + (g * Og) * sC + oy * sH;
    let j = (t - t0) * Wo * Og;
    for (let ox = 0; ox < Wo; ox++, j += Og) {
      const s = base + ox * sW;
      for (let o = 0; o < Og; o++) dst[j + o] = src[s + o * sC];
    }
  }
}

function checkRank4(op: string, a: NDArray, b: NDArray): void {
  if (a.ndim !== 4 || b.ndim !== 4) {
    throw new RangeError(`${op}: expected 4-D arrays, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
}

/** y = conv2d(x, w): x [N,C,H,W], w [O,C/groups,kh,kw] → [N,O,Ho,Wo]. */
export function conv2dForward(x: NDArray, w: NDArray, geo: ConvGeometry, chunkElements = CHUNK_ELEMENTS): NDArray {
  checkRank4('conv2d', x, w);
  const dtype = promote(x.dtype, w.dtype);
  if (x.dtype !== dtype) x = x.astype(dtype);
  w = (w.dtype !== dtype ? w.astype(dtype) : w).contiguous();
  const [, , H, W] = x.shape;
  const [, , kh, kw] = w.shape;
  const pd = geo.padding;
  const Ho = convOutSize(H, kh, geo.stride[0], pd[0], pd[1], geo.dilation[0]);
  const Wo = convOutSize(W, kw, geo.stride[1], pd[2], pd[3], geo.dilation[1]);
  const p = planConv(x.shape, w.shape, [Ho, Wo], geo, 8, chunkElements);
  const y = NDArray.zeros([p.N, p.O, Ho, Wo], dtype);
  if (y.size === 0) return y;
  const L = Ho * Wo;
  const col = allocate(dtype, p.K * p.rowsPerChunk * Wo);
  const [sN, sC, sH, sW] = x.strides;
  const yd = y.data;
  for (let t0 = 0; t0 < p.N * Ho; t0 += p.rowsPerChunk) {
    const t1 = Math.min(p.N * Ho, t0 + p.rowsPerChunk);
    const J = (t1 - t0) * Wo;
    for (let g = 0; g < geo.groups; g++) {
      im2col(p, geo, g, t0, t1, x.data, x.offset, sN, sC, sH, sW, col, J, 1, false);
      // [J × K] (the columns read transposed) · [K × Og] → [J × Og]: positions as rows, so threads split them
      const prod = matmul(new NDArray(col, [J, p.K], [1, J]), weightT(w, p, g)).data;
      for (let t = t0, q = 0; t < t1; t++) {
        const n = (t / Ho) | 0;
        const base = n * p.O * L + g * p.Og * L + (t - n * Ho) * Wo;
        for (let ox = 0; ox < Wo; ox++) {
          for (let o = 0, d = base + ox; o < p.Og; o++, d += L) yd[d] = prod[q++];
        }
      }
    }
  }
  return y;
}

/**
 * The transposed convolution (the adjoint of conv2dForward in x): gy [N,O,Ho,Wo], w [O,C/groups,kh,kw]
 * → [N, C, H, W] for the given input size [H, W].
 */
export function conv2dInputGrad(gy: NDArray, w: NDArray, geo: ConvGeometry, inputHW: readonly number[], chunkElements = CHUNK_ELEMENTS): NDArray {
  checkRank4('convTranspose2d', gy, w);
  const dtype = promote(gy.dtype, w.dtype);
  if (gy.dtype !== dtype) gy = gy.astype(dtype);
  w = (w.dtype !== dtype ? w.astype(dtype) : w).contiguous();
  const [N, , Ho, Wo] = gy.shape;
  const C = w.shape[1] * geo.groups;
  const p = planConv([N, C, inputHW[0], inputHW[1]], w.shape, [Ho, Wo], geo, 8, chunkElements);
  const dx = NDArray.zeros([N, C, inputHW[0], inputHW[1]], dtype);
  if (dx.size === 0 || gy.size === 0) return dx;
  const gbuf = allocate(dtype, p.rowsPerChunk * Wo * p.Og);
  const [sN, sC, sH, sW] = dx.strides;
  for (let t0 = 0; t0 < N * Ho; t0 += p.rowsPerChunk) {
    const t1 = Math.min(N * Ho, t0 + p.rowsPerChunk);
    const J = (t1 - t0) * Wo;
    for (let g = 0; g < geo.groups; g++) {
      gatherGrad(gy, p, g, t0, t1, gbuf);
      // [J × Og] · [Og × K] → the chunk's columns, position-major: element (r, j) at j·K + r
      const wg = new NDArray(w.data, [p.Og, p.K], [p.K, 1], w.offset + g * p.Og * p.K);
      const cols = matmul(new NDArray(gbuf, [J, p.Og], [p.Og, 1]), wg).data;
      im2col(p, geo, g, t0, t1, dx.data, 0, sN, sC, sH, sW, cols, 1, p.K, true);
    }
  }
  return dx;
}

/**
 * The adjoint of conv2dForward in w: x [N,C,H,W], gy [N,O,Ho,Wo] → [O, C/groups, kh, kw],
 * summed over the batch and every output position.
 */
export function conv2dWeightGrad(x: NDArray, gy: NDArray, geo: ConvGeometry, kernelHW: readonly number[], chunkElements = CHUNK_ELEMENTS): NDArray {
  checkRank4('conv2dWeight', x, gy);
  const dtype = promote(x.dtype, gy.dtype);
  if (x.dtype !== dtype) x = x.astype(dtype);
  if (gy.dtype !== dtype) gy = gy.astype(dtype);
  const [N, C] = x.shape;
  const [, O, Ho, Wo] = gy.shape;
  const Cg = C / geo.groups;
  const wShape = [O, Cg, kernelHW[0], kernelHW[1]];
  const p = planConv(x.shape, wShape, [Ho, Wo], geo, 8, chunkElements);
  const dw = NDArray.zeros(wShape, dtype);
  if (dw.size === 0 || gy.size === 0) return dw;
  const col = allocate(dtype, p.K * p.rowsPerChunk * Wo);
  const gbuf = allocate(dtype, p.rowsPerChunk * Wo * p.Og);
  const [sN, sC, sH, sW] = x.strides;
  const dwd = dw.data;
  for (let t0 = 0; t0 < N * Ho; t0 += p.rowsPerChunk) {
    const t1 = Math.min(N * Ho, t0 + p.rowsPerChunk);
    const J = (t1 - t0) * Wo;
    for (let g = 0; g < geo.groups; g++) {
      im2col(p, geo, g, t0, t1, x.data, x.offset, sN, sC, sH, sW, col, J, 1, false);
      gatherGrad(gy, p, g, t0, t1, gbuf);
      // [Og × J] · [J × K] → [Og × K], added into group g's block of the weight gradient
      const prod = matmul(new NDArray(gbuf, [p.Og, J], [1, p.Og]), new NDArray(col, [J, p.K], [1, J])).data;
      const base = g * p.Og * p.K;
      for (let i = 0; i < prod.length; i++) dwd[base + i] += prod[i];
    }
  }
  return dw;
}
