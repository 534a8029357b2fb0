// 2-D convolution kernels (1-D is the H = 1 case): forward, its adjoint in the input (the transposed
// convolution) and its adjoint in the weight, all three as im2col + the packed GEMM of matmul.ts.

import { allocate, promote, type TypedArray } from './dtype.js';
import { NDArray } from './ndarray.js';
import { fmtShape } from './shape.js';
import { GEMM_MC, GEMM_NC, GEMM_PACK_A, GEMM_PACK_B, GEMM_TILE, gemmPackA, gemmTile, sliceDepth } from './matmul.js';
import { acquire } from './storage.js';
import { DIRECT_MAX_WORK_RATIO, directConv, directFits, directWorkRatio, type DirectConv, weightGradDirect, weightGradDirectFits } from './conv-direct.js';
import {
  allFinite, loadWinogradWeights, winogradConv, winogradFits, winogradTile, winogradWeightGrad, winogradWeightGradFinish,
  winogradWeightGradFits, winogradWeightGradSize, winogradWeights, winogradWeightScratch, winogradWeightsSize,
  type WinogradConv, type WinogradWeightGrad,
} from './conv-winograd.js';
import { getNumThreads, matmul, registerUnitKernel, runSharedUnits, sharedBuffer, span } from './threads.js';

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
 *
 * The forward, and on one thread the two gradients, skip the column buffer altogether (an
 * implicit GEMM): packColumnsFwd / packColumnsWgt write the columns straight into the GEMM's packed
 * B panel, the weights or ȳ go into its A panel, and matmul.ts's 4×4 micro-kernel multiplies them.
 * The forward is oriented y[o, j] = Σ_r W[o, r] · col[r, j], so the wide dimension (the output
 * positions j of the whole batch) is the one the panels stream, and each 4×4 tile is stored
 * straight into y's [N, O, Ho, Wo] layout: no product buffer, no transposing copy. The input
 * gradient adds each tile of Wᵀ·ȳ straight into x̄ (col2im tile by tile). Workspace: the fixed
 * packed panels (1.1 MB) and, for the weight gradient, at most 16 float64 [O × K] partial sums.
 * With threads on, the three kernels' units (below) are shared out between the threads, which
 * run conv's packing themselves (threads.ts, runSharedUnits). The chunked im2col + matmul path is
 * kept for an explicit chunk size (the tests compare the two).
 *
 * Stride-1 forwards and input gradients skip the GEMM's packing too: conv-direct.ts copies each
 * padded image once and multiplies it in place (the input gradient being a stride-1 forward of the
 * padded ȳ with the weights transposed and flipped); the implicit GEMM remains for other strides,
 * for images too large for its scratch, and when convTuning.direct is off. The weight gradient of a
 * stride-1 convolution with few output channels per group is direct too (conv-direct.ts,
 * weightGradDirect): it pads each image into the scratch and sums ȳ times the image's taps over the
 * positions, 4 output channels × 4 taps at a time.
 *
 * Stride-1 forwards with square 3 × 3 and 5 × 5 kernels and at least two input channels per group go
 * further: conv-winograd.ts's Winograd kernels (F(4 × 4, 3 × 3), F(2 × 2, 5 × 5)) make the same y with
 * about a quarter (3 × 3) or a third (5 × 5) of the multiplies (useWinograd, runWinograd). Their weight
 * gradients, with at least 3 input and 8 output channels per group, take the same transforms' adjoint
 * (useWinogradWeightGrad, runWinogradWeightGrad), ahead of the direct weight gradient and the implicit GEMM;
 * their input gradients, where the direct kernel would take them, run the Winograd forward in transposed
 * form (useWinogradInputGrad, runWinograd).
 */

/**
 * Switches for the benchmarks and tests (not part of the package's API): `direct` lets stride-1
 * forwards, input gradients and weight gradients take the direct kernels of conv-direct.ts; off,
 * they take the implicit GEMM (bench/conv-paths.ts times both in one process). `directRuns` counts
 * the forwards and input gradients that took the direct kernels, `directWeightGradRuns` the weight
 * gradients (the tests check that the cases meant for them did). `weightGradMaxOg`: the most output
 * channels per group the direct weight gradient takes (see useDirectWeightGrad). `winograd` lets
 * stride-1 3 × 3 and 5 × 5 forwards take the Winograd kernels of conv-winograd.ts (see useWinograd);
 * off, they take the direct kernels or the implicit GEMM. `winogradRuns` counts the forwards that took them.
 * `winogradGrads` lets weight gradients take conv-winograd.ts's Winograd weight gradient (see
 * useWinogradWeightGrad; apart from `winograd`, so forward and gradients can be compared separately);
 * `winogradWeightGradRuns` counts the weight gradients that took it; `winogradGradsForced` lifts
 * the channel limits of that rule and the work limit of the next (for the benchmark that measures them). `winogradGrads` also lets stride-1
 * input gradients take the Winograd forward in transposed form (useWinogradInputGrad);
 * `winogradInputGradRuns` counts them.
 */
export const convTuning = {
  direct: true, directRuns: 0, directWeightGradRuns: 0, weightGradMaxOg: 8, winograd: true, winogradRuns: 0,
  winogradGrads: true, winogradWeightGradRuns: 0, winogradGradsForced: false, winogradInputGradRuns: 0,
};

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

/**
 * The geometry as the kernels take it: one object shape, int32 numbers. Callers pass op attributes
 * (with extra fields such as inputSize) and arrays that may hold doubles; the kernels read geo in
 * their loops, and V8 deoptimized them over and over on the differing shapes ("wrong map", a new
 * one each time), which made LeNet's step 1.3× slower once an unrelated matmul had run before it.
 */
function normGeo(geo: ConvGeometry): ConvGeometry {
  const { stride: s, padding: p, dilation: d } = geo;
  return {
    stride: [s[0] | 0, s[1] | 0], padding: [p[0] | 0, p[1] | 0, p[2] | 0, p[3] | 0],
    dilation: [d[0] | 0, d[1] | 0], groups: geo.groups | 0,
  };
}

/** The plan of a convolution: sizes, and how many output rows (n, oy) each im2col chunk holds. */
export interface ConvPlan {
  N: number; C: number; H: number; W: number;
  O: number; kh: number; kw: number; Ho: number; Wo: number;
  /** Channels per group in and out, and the column height K = Cg·kh·kw. */
  Cg: number; Og: number; K: number;
  /** Output positions per image (Ho·Wo), and how far a dilated window reaches past its first tap, down and across. */
  L: number; spanY: number; spanX: number;
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
  // int32 throughout (| 0): the kernels index with these (see makeJob)
  const N = xShape[0] | 0, C = xShape[1] | 0, H = xShape[2] | 0, W = xShape[3] | 0;
  const O = wShape[0] | 0, Cg = wShape[1] | 0, kh = wShape[2] | 0, kw = wShape[3] | 0;
  const Ho = outHW[0] | 0, Wo = outHW[1] | 0;
  const Og = (O / geo.groups) | 0;
  const K = Cg * kh * kw;
  const rowsPerChunk = Math.max(1, Math.min(N * Ho, Math.floor(chunkElements / Math.max(1, K * Wo))));
  const J = rowsPerChunk * Wo;
  const workspaceBytes = bytesPerElement * (K * J + 2 * J * Math.max(Og, K));
  const spanY = (kh - 1) * (geo.dilation[0] | 0), spanX = (kw - 1) * (geo.dilation[1] | 0);
  return { N, C, H, W, O, kh, kw, Ho, Wo, Cg, Og, K, L: Ho * Wo, spanY, spanX, rowsPerChunk, workspaceBytes };
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
  const sh = geo.stride[0], sw = geo.stride[1];
  const pt = geo.padding[0], pl = geo.padding[2];
  const dh = geo.dilation[0], dw = geo.dilation[1];
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

/*
 * Scratch of the packing functions below (module constants: no allocation per call). Per column row
 * r = (c, ky, kx) of a k-slice: its offset in the image (c·sC + ky·dh·sH + kx·dw·sW) and its tap's
 * displacement (ky·dh, kx·dw). Per output position of a weight-gradient slice: the offset of its
 * tap (0, 0), that tap's (iy, ix), and whether every tap of the kernel lands inside the image.
 */
const R_OFF = new Int32Array(256), R_DY = new Int32Array(256), R_DX = new Int32Array(256);
const P_BASE = new Int32Array(256), P_IY = new Int32Array(256), P_IX = new Int32Array(256), P_IN = new Uint8Array(256);

/** Fills R_OFF, R_DY, R_DX for the column rows r0 .. r0 + nr − 1 (nr ≤ 256) of group g. */
function rowTaps(p: ConvPlan, geo: ConvGeometry, g: number, r0: number, nr: number, sC: number, sH: number, sW: number): void {
  const { kh, kw, Cg } = p;
  const dh = geo.dilation[0], dw = geo.dilation[1];
  for (let rr = 0; rr < nr; rr++) {
    const r = r0 + rr;
    const c = (r / (kh * kw)) | 0;
    const ky = ((r - c * kh * kw) / kw) | 0;
    const kx = r - c * kh * kw - ky * kw;
    R_DY[rr] = ky * dh;
    R_DX[rr] = kx * dw;
    R_OFF[rr] = (g * Cg + c) * sC + R_DY[rr] * sH + R_DX[rr] * sW;
  }
}

/**
 * The forward's B panel, packed straight from x: PACK_B[jj >> 2][rr][jj & 3] = col[r0 + rr, j0 + jj]
 * for the output positions j0 .. j0 + nj − 1 (j = (n·Ho + oy)·Wo + ox over the batch) and column rows
 * r0 .. r0 + nr − 1 (nr ≤ 256), zero-padded to whole strips. Written strip by strip, so the writes
 * run in order; a strip of four positions in one output row whose taps all land inside the image
 * (most of them) is copied without bounds checks.
 */
function packColumnsFwd(
  p: ConvPlan, geo: ConvGeometry, g: number, j0: number, nj: number, r0: number, nr: number,
  img: TypedArray, off: number, sN: number, sC: number, sH: number, sW: number,
): void {
  const pb = GEMM_PACK_B;
  const { H, W, Wo, L, spanY, spanX } = p;
  const sh = geo.stride[0], sw = geo.stride[1];
  const pt = geo.padding[0], pl = geo.padding[2];
  const step = sw * sW;
  rowTaps(p, geo, g, r0, nr, sC, sH, sW);
  for (let jj = 0; jj < nj; jj += 4) {
    let d = jj * nr;
    const j = j0 + jj;
    const n = (j / L) | 0;
    const oy = ((j - n * L) / Wo) | 0;
    const ox = j - n * L - oy * Wo;
    const iy = oy * sh - pt, ix = ox * sw - pl;
    if (nj - jj >= 4 && ox + 3 < Wo && iy >= 0 && iy + spanY < H && ix >= 0 && ix + 3 * sw + spanX < W) {
      const b = off + n * sN + iy * sH + ix * sW;
      for (let rr = 0; rr < nr; rr++, d += 4) {
        const s = b + R_OFF[rr];
        pb[d] = img[s];
        pb[d + 1] = img[s + step];
        pb[d + 2] = img[s + 2 * step];
        pb[d + 3] = img[s + 3 * step];
      }
      continue;
    }
    // a strip at an edge, across two rows, or past the last position: each element checked
    for (let q = 0; q < 4; q++) {
      const jq = j + q;
      if (jj + q >= nj) {
        for (let rr = 0, e = d + q; rr < nr; rr++, e += 4) pb[e] = 0;
        continue;
      }
      const nq = (jq / L) | 0;
      const oyq = ((jq - nq * L) / Wo) | 0;
      const iyq = oyq * sh - pt, ixq = (jq - nq * L - oyq * Wo) * sw - pl;
      const bq = off + nq * sN + iyq * sH + ixq * sW;
      for (let rr = 0, e = d + q; rr < nr; rr++, e += 4) {
        const y = iyq + R_DY[rr], x = ixq + R_DX[rr];
        pb[e] = y >= 0 && y < H && x >= 0 && x < W ? img[bq + R_OFF[rr]] : 0;
      }
    }
  }
}

/**
 * The weight gradient's B panel, packed straight from x: PACK_B[rr >> 2][jj][rr & 3] =
 * col[r0 + rr, j0 + jj] for the positions j0 .. j0 + nj − 1 (nj ≤ 256, the product's depth) and
 * column rows r0 .. r0 + nr − 1 (nr ≤ 512), zero-padded to whole strips; written in order, four
 * taps of one position at a time, without bounds checks for positions whose taps all land inside.
 */
function packColumnsWgt(
  p: ConvPlan, geo: ConvGeometry, g: number, j0: number, nj: number, r0: number, nr: number,
  img: TypedArray, off: number, sN: number, sC: number, sH: number, sW: number,
): void {
  const pb = GEMM_PACK_B;
  const { H, W, Wo, L, spanY, spanX } = p;
  const sh = geo.stride[0], sw = geo.stride[1];
  const pt = geo.padding[0], pl = geo.padding[2];
  for (let jj = 0; jj < nj; jj++) {
    const j = j0 + jj;
    const n = (j / L) | 0;
    const oy = ((j - n * L) / Wo) | 0;
    const iy = oy * sh - pt, ix = (j - n * L - oy * Wo) * sw - pl;
    P_IY[jj] = iy;
    P_IX[jj] = ix;
    P_BASE[jj] = off + n * sN + iy * sH + ix * sW;
    P_IN[jj] = iy >= 0 && iy + spanY < H && ix >= 0 && ix + spanX < W ? 1 : 0;
  }
  for (let rs = 0; rs < nr; rs += 256) {
    const nrs = Math.min(256, nr - rs);
    rowTaps(p, geo, g, r0 + rs, nrs, sC, sH, sW);
    for (let r4 = 0; r4 < nrs; r4 += 4) {
      let d = (rs + r4) * nj;
      if (nrs - r4 >= 4) {
        const o0 = R_OFF[r4], o1 = R_OFF[r4 + 1], o2 = R_OFF[r4 + 2], o3 = R_OFF[r4 + 3];
        for (let jj = 0; jj < nj; jj++, d += 4) {
          const b = P_BASE[jj];
          if (P_IN[jj] === 1) {
            pb[d] = img[b + o0];
            pb[d + 1] = img[b + o1];
            pb[d + 2] = img[b + o2];
            pb[d + 3] = img[b + o3];
          } else {
            for (let q = 0; q < 4; q++) {
              const y = P_IY[jj] + R_DY[r4 + q], x = P_IX[jj] + R_DX[r4 + q];
              pb[d + q] = y >= 0 && y < H && x >= 0 && x < W ? img[b + R_OFF[r4 + q]] : 0;
            }
          }
        }
      } else {
        // the last, partial strip of 1–3 taps (K = 25 for one input channel and a 5×5 kernel): the
        // missing ones are zeros; positions whose taps all land inside are copied without checks
        const rem = nrs - r4;
        const o0 = R_OFF[r4], o1 = R_OFF[r4 + (rem > 1 ? 1 : 0)], o2 = R_OFF[r4 + (rem > 2 ? 2 : 0)];
        for (let jj = 0; jj < nj; jj++, d += 4) {
          const b = P_BASE[jj];
          if (P_IN[jj] === 1) {
            pb[d] = img[b + o0];
            pb[d + 1] = rem > 1 ? img[b + o1] : 0;
            pb[d + 2] = rem > 2 ? img[b + o2] : 0;
            pb[d + 3] = 0;
            continue;
          }
          for (let q = 0; q < 4; q++) {
            const rr = r4 + q;
            const y = P_IY[jj] + R_DY[rr], x = P_IX[jj] + R_DX[rr];
            pb[d + q] = rr < nrs && y >= 0 && y < H && x >= 0 && x < W ? img[b + R_OFF[rr]] : 0;
          }
        }
      }
    }
  }
}

/*
 * The implicit GEMM in units of work, so that threads can share it (threads.ts, runSharedUnits).
 * A unit is a fixed piece of the result, the same whatever the number of threads, and each
 * element's sums happen in the same order inside its unit: results are bitwise the same with one
 * thread or several. Units (per call):
 *   forward      a panel of GEMM_NC output positions j (over the batch): y's columns are disjoint;
 *   inputGrad    a run of whole images (⌊GEMM_NC / (Ho·Wo)⌋, at least one): x̄'s images are disjoint;
 *   weightGrad   a run of output positions (the product's depth), or for stride 1 (the direct
 *                kernel) a run of whole images: each unit sums its own float64 [O × K] partial (the
 *                Winograd weight gradient: a transformed [36 × O × Cg] one), and the partials are
 *                added in unit order at the end.
 * With threads on and enough work, the operands are copied into the threads' shared buffer behind a
 * header of the job's parameters, and every thread runs units there; otherwise this thread runs them
 * all on the arrays themselves.
 */

/** What a unit reads and writes: the plan, the geometry, and the raw operands. */
interface ConvJob {
  p: ConvPlan;
  geo: ConvGeometry;
  /** x (forward, weight gradient) or ȳ (input gradient): data, offset, strides. */
  a: TypedArray; aOff: number; aN: number; aC: number; aH: number; aW: number;
  /** w, dense (forward, input gradient), or ȳ (weight gradient): data, offset, strides. */
  b: TypedArray; bOff: number; bN: number; bC: number; bH: number; bW: number;
  /** y or x̄ (dense), or the weight gradient's float64 partial sums, one [O × K] block per unit. */
  out: TypedArray; outOff: number;
  /** Output positions per unit (forward, weight gradient) or images per unit (input gradient). */
  per: number;
  /** Input gradient: zero the unit's images of x̄ first (x̄ in the shared buffer is not zeroed). */
  zero: boolean;
  /** The direct forward's bias (null: none): data, offset, stride. */
  c: TypedArray | null; cOff: number; cS: number;
  /** The Winograd forward's transformed weights (null: none), float64 from uOff (conv-winograd.ts). */
  u: Float64Array | null; uOff: number;
}

function makeJob(
  p: ConvPlan, geo: ConvGeometry, a: NDArray, b: NDArray, out: TypedArray, outOff: number, per: number, zero: boolean,
): ConvJob {
  // every integer read as an int32 (| 0): a shape or stride array that ever held a non-Smi number
  // (another op's view, say) hands out doubles, and the kernels' index arithmetic would follow them
  // into floating point (LeNet's step ran 1.3x slower after one unrelated matmul, through deopts)
  const as = a.strides, bs = b.strides;
  return {
    p, geo, a: a.data, aOff: a.offset | 0, aN: as[0] | 0, aC: as[1] | 0, aH: as[2] | 0, aW: as[3] | 0,
    b: b.data, bOff: b.offset | 0, bN: bs[0] | 0, bC: bs[1] | 0, bH: bs[2] | 0, bW: bs[3] | 0,
    out, outOff: outOff | 0, per: per | 0, zero, c: null, cOff: 0, cS: 0, u: null, uOff: 0,
  };
}

/** Kinds of the kernels' units in threads.ts's registry. */
const KIND_FORWARD = 1, KIND_INPUT_GRAD = 2, KIND_WEIGHT_GRAD = 3, KIND_DIRECT_FORWARD = 5, KIND_DIRECT_INPUT_GRAD = 6;
/** The direct weight gradient's units (conv-direct.ts): runs of whole images, each summing its own partial. */
const KIND_WEIGHT_GRAD_DIRECT = 7;
/**
 * Convolutions of fewer multiply-adds than this run on the calling thread with threads on: below it
 * waking the workers and copying the operands cost more than the second thread saves.
 */
export const CONV_PARALLEL_MIN_WORK = 1 << 21;
/** Units of the weight gradient, at most (a fixed count, so the partials do not depend on the threads). */
const WEIGHT_GRAD_UNITS = 16;

/**
 * y = conv2d(x, w) for the output positions of unit u: for each k-slice of the column rows,
 * y[o, j] = Σ_r W[o, r] · col[r, j], every 4×4 tile stored (or, after the first k-slice, added)
 * straight into y [N, O, Ho, Wo].
 */
function forwardUnit(job: ConvJob, u: number): void {
  const { p, geo } = job;
  const { N, O, Og, K, L } = p;
  const J = N * L;
  const yd = job.out, tile = GEMM_TILE;
  const kc0 = sliceDepth(K);
  const j0 = u * job.per, j1 = Math.min(J, j0 + job.per);
  for (let jc = j0; jc < j1; jc += GEMM_NC) {
    const nc = Math.min(GEMM_NC, j1 - jc);
    for (let g = 0; g < geo.groups; g++) {
      for (let pc = 0; pc < K; pc += kc0) {
        const kc = Math.min(kc0, K - pc);
        const add = pc > 0;
        packColumnsFwd(p, geo, g, jc, nc, pc, kc, job.a, job.aOff, job.aN, job.aC, job.aH, job.aW);
        for (let ic = 0; ic < Og; ic += GEMM_MC) {
          const mc = Math.min(GEMM_MC, Og - ic);
          // A = group g's weights [Og × K] (w dense): A(o, r) at w[(g·Og + o)·K + r]
          gemmPackA(job.b, job.bOff + (g * Og + ic) * K + pc, K, 1, mc, kc);
          const rowBase = job.outOff + (g * Og + ic) * L;
          for (let jr = 0; jr < nc; jr += 4) {
            // where positions j .. j + 3 start in y (n·O·L + l), and how many exist
            const j = jc + jr;
            const cols = Math.min(4, nc - jr);
            let n = (j / L) | 0;
            const b0 = n * O * L + (j - n * L);
            n = ((j + 1) / L) | 0;
            const b1 = n * O * L + (j + 1 - n * L);
            n = ((j + 2) / L) | 0;
            const b2 = n * O * L + (j + 2 - n * L);
            n = ((j + 3) / L) | 0;
            const b3 = n * O * L + (j + 3 - n * L);
            for (let ir = 0; ir < mc; ir += 4) {
              gemmTile(kc, ir * kc, jr * kc);
              const rows = Math.min(4, mc - ir);
              for (let r = 0, d = rowBase + ir * L; r < rows; r++, d += L) {
                const t = r * 4;
                if (cols === 4) {
                  if (add) {
                    yd[d + b0] += tile[t]; yd[d + b1] += tile[t + 1]; yd[d + b2] += tile[t + 2]; yd[d + b3] += tile[t + 3];
                  } else {
                    yd[d + b0] = tile[t]; yd[d + b1] = tile[t + 1]; yd[d + b2] = tile[t + 2]; yd[d + b3] = tile[t + 3];
                  }
                } else {
                  storeTileCols(yd, d, b0, b1, b2, t, cols, add);
                }
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Row t/4 of GEMM_TILE's first `cols` (< 4) columns stored (or added, `add`) into y at d + b0, b1, b2:
 * forwardUnit's last, partial strip of positions. A function of its own because it runs only when
 * the unit's positions are not a multiple of 4: in forwardUnit's hot loop, code that has not run yet
 * when V8 optimises the loop has no type feedback and stops the optimised code the first time it
 * does run; as one call it is one such stop at most, and the hot loop stays small.
 */
function storeTileCols(yd: TypedArray, d: number, b0: number, b1: number, b2: number, t: number, cols: number, add: boolean): void {
  const tile = GEMM_TILE;
  for (let q = 0; q < cols; q++) {
    const bq = q === 0 ? b0 : q === 1 ? b1 : b2;
    yd[d + bq] = (add ? yd[d + bq] : 0) + tile[t + q];
  }
}

/**
 * PACK_A[strip s][jj][q] = ȳ[n, g·Og + o0 + 4s + q, oy, ox] for the positions j0 + jj (jj < nj) and
 * output channels o0 .. o0 + mc − 1, zero-padded to whole strips: the weight gradient's A panel.
 */
function packGradA(
  src: TypedArray, off: number, sN: number, sC: number, sH: number, sW: number,
  p: ConvPlan, g: number, o0: number, mc: number, j0: number, nj: number,
): void {
  const pa = GEMM_PACK_A;
  const { Wo, Og, L } = p;
  const S = 4 * nj;
  zeroRowsA(pa, S, mc, nj); // first, on every call: see zeroRowsA
  for (let oo = 0; oo < mc; oo++) {
    const base = (oo >> 2) * S + (oo & 3);
    const cOff = off + (g * Og + o0 + oo) * sC;
    for (let jj = 0; jj < nj;) {
      const j = j0 + jj;
      const n = (j / L) | 0;
      const oy = ((j - n * L) / Wo) | 0;
      let ox = j - n * L - oy * Wo;
      const e = Math.min(Wo, ox + nj - jj);
      for (let s = cOff + n * sN + oy * sH + ox * sW; ox < e; ox++, jj++, s += sW) pa[base + jj * 4] = src[s];
    }
  }
}

/*
 * The zero padding of the last strip of packGradA / packGradB is its own small function, called
 * before the copy loop on every call. At the end of the packing function, after its hot loop, the
 * padding loop had not run yet when V8 compiled the hot loop on stack during the first call, and the
 * compiled code stopped there ("Insufficient type feedback for binary operation": packGradB 2-3
 * times per 100-step LeNet run, node --trace-deopt). Called first, the call site has run before
 * the hot loop is ever compiled. It writes other elements than the copy loop, so the order does not
 * change the panel.
 */

/** PACK_A rows mc .. (mc rounded up to 4) − 1 of the last strip = 0, for nj depth steps (S = 4·nj). */
function zeroRowsA(pa: Float64Array, S: number, mc: number, nj: number): void {
  for (let oo = mc; oo & 3; oo++) for (let jj = 0; jj < nj; jj++) pa[(oo >> 2) * S + jj * 4 + (oo & 3)] = 0;
}

/** PACK_B columns nj .. (nj rounded up to 4) − 1 of the last strip = 0, for ko depth steps (S = 4·ko). */
function zeroColsB(pb: Float64Array, S: number, ko: number, nj: number): void {
  for (let jj = nj; jj & 3; jj++) for (let o = 0; o < ko; o++) pb[(jj >> 2) * S + o * 4 + (jj & 3)] = 0;
}

/**
 * The weight gradient's partial sum over unit u's output positions, W̄_u = ȳ · col(x)ᵀ: the
 * product's depth is the positions, k-sliced; per slice, ȳ's rows go into the A panel and the
 * columns, transposed, into the B panel; the 4×4 tiles are summed into unit u's float64 [O × K] block.
 */
function weightGradUnit(job: ConvJob, u: number): void {
  const { p, geo } = job;
  const { N, O, Og, K, L } = p;
  const J = N * L;
  const tile = GEMM_TILE;
  const acc = job.out, accOff = job.outOff + u * O * K;
  acc.fill(0, accOff, accOff + O * K);
  const kc0 = sliceDepth(J);
  const s0 = u * job.per, s1 = Math.min(J, s0 + job.per);
  for (let g = 0; g < geo.groups; g++) {
    for (let pc = s0; pc < s1; pc += kc0) {
      const kc = Math.min(kc0, s1 - pc);
      for (let jc = 0; jc < K; jc += GEMM_NC) {
        const nc = Math.min(GEMM_NC, K - jc);
        packColumnsWgt(p, geo, g, pc, kc, jc, nc, job.a, job.aOff, job.aN, job.aC, job.aH, job.aW);
        for (let ic = 0; ic < Og; ic += GEMM_MC) {
          const mc = Math.min(GEMM_MC, Og - ic);
          packGradA(job.b, job.bOff, job.bN, job.bC, job.bH, job.bW, p, g, ic, mc, pc, kc);
          for (let jr = 0; jr < nc; jr += 4) {
            const cols = Math.min(4, nc - jr);
            for (let ir = 0; ir < mc; ir += 4) {
              gemmTile(kc, ir * kc, jr * kc);
              const rows = Math.min(4, mc - ir);
              for (let r = 0; r < rows; r++) {
                const d = accOff + (g * Og + ic + ir + r) * K + jc + jr;
                for (let q = 0; q < cols; q++) acc[d + q] += tile[r * 4 + q];
              }
            }
          }
        }
      }
    }
  }
}

/**
 * PACK_B[strip s][o][q] = ȳ[n, g·Og + o0 + o, oy, ox] for the positions j0 + 4s + q (j < j0 + nj) and
 * the output channels o0 .. o0 + ko − 1 of group g, zero-padded to whole strips: the input gradient's B panel.
 */
function packGradB(
  src: TypedArray, off: number, sN: number, sC: number, sH: number, sW: number,
  p: ConvPlan, g: number, o0: number, ko: number, j0: number, nj: number,
): void {
  const pb = GEMM_PACK_B;
  const { Wo, Og, L } = p;
  const S = 4 * ko;
  zeroColsB(pb, S, ko, nj); // first, on every call: see zeroRowsA
  for (let o = 0; o < ko; o++) {
    const cOff = off + (g * Og + o0 + o) * sC;
    for (let jj = 0; jj < nj;) {
      const j = j0 + jj;
      const n = (j / L) | 0;
      const oy = ((j - n * L) / Wo) | 0;
      let ox = j - n * L - oy * Wo;
      const e = Math.min(Wo, ox + nj - jj);
      for (let s = cOff + n * sN + oy * sH + ox * sW; ox < e; ox++, jj++, s += sW) pb[(jj >> 2) * S + o * 4 + (jj & 3)] = src[s];
    }
  }
}

/** Per column row r = (c, ky, kx) of the input gradient: its offset in one image of x̄ and its tap's displacement (grown as needed). */
let TAP_OFF = new Int32Array(256), TAP_DY = new Int32Array(256), TAP_DX = new Int32Array(256);
/** Per-strip position data of inputGradUnit (module scratch: no allocation per call). */
const POS_BASE = new Int32Array(4), POS_Y = new Int32Array(4), POS_X = new Int32Array(4);

/**
 * x̄ = col2im(Wᵀ · ȳ) for unit u's images: cols[r, j] = Σ_o W[o, r] · ȳ[o, j] is made a 4×4 tile
 * at a time (A = Wᵀ, B = ȳ, both packed from their arrays; the depth is Og, one k-slice when
 * Og ≤ 256) and each tile is added straight into x̄ (dense) at the pixels its taps read, skipping
 * the taps that fall in the padding. No column buffer.
 */
function inputGradUnit(job: ConvJob, u: number): void {
  const { p, geo } = job;
  const { N, C, H, W, Og, K, Wo, kh, kw, Cg, L, spanY, spanX } = p;
  const sh = geo.stride[0], sw = geo.stride[1];
  const pt = geo.padding[0], pl = geo.padding[2];
  const dh = geo.dilation[0], dw = geo.dilation[1];
  const dxd = job.out, tile = GEMM_TILE;
  const HW = H * W;
  const n0 = u * job.per, n1 = Math.min(N, n0 + job.per);
  const dBase = job.outOff + n0 * C * HW;
  if (job.zero) dxd.fill(0, dBase, job.outOff + n1 * C * HW);
  const jA = n0 * L, jB = n1 * L;
  const kc0 = sliceDepth(Og);
  if (TAP_OFF.length < K) [TAP_OFF, TAP_DY, TAP_DX] = [new Int32Array(K), new Int32Array(K), new Int32Array(K)];
  const rOff = TAP_OFF, rDy = TAP_DY, rDx = TAP_DX;
  for (let g = 0; g < geo.groups; g++) {
    for (let r = 0; r < K; r++) {
      const c = (r / (kh * kw)) | 0;
      const ky = ((r - c * kh * kw) / kw) | 0;
      const kx = r - c * kh * kw - ky * kw;
      rDy[r] = ky * dh;
      rDx[r] = kx * dw;
      rOff[r] = (g * Cg + c) * HW + rDy[r] * W + rDx[r];
    }
    for (let pc = 0; pc < Og; pc += kc0) {
      const kc = Math.min(kc0, Og - pc);
      for (let jc = jA; jc < jB; jc += GEMM_NC) {
        const nc = Math.min(GEMM_NC, jB - jc);
        packGradB(job.a, job.aOff, job.aN, job.aC, job.aH, job.aW, p, g, pc, kc, jc, nc);
        for (let ic = 0; ic < K; ic += GEMM_MC) {
          const mc = Math.min(GEMM_MC, K - ic);
          // A(r, o) = W[g·Og + o, r] = w[(g·Og + o)·K + r]: rows r, depth o
          gemmPackA(job.b, job.bOff + (g * Og + pc) * K + ic, 1, K, mc, kc);
          for (let jr = 0; jr < nc; jr += 4) {
            const cols = Math.min(4, nc - jr);
            for (let q = 0; q < cols; q++) {
              // position j → its image's offset and the pixel its tap (0, 0) reads
              const j = jc + jr + q;
              const n = (j / L) | 0;
              const oy = ((j - n * L) / Wo) | 0;
              const ox = j - n * L - oy * Wo;
              POS_BASE[q] = job.outOff + n * C * HW + (oy * sh - pt) * W + (ox * sw - pl);
              POS_Y[q] = oy * sh - pt;
              POS_X[q] = ox * sw - pl;
            }
            // four positions in one output row whose taps all land inside x̄: no bounds checks
            const y0 = POS_Y[0], x0 = POS_X[0];
            const inside = cols === 4 && POS_Y[3] === y0 && POS_X[3] === x0 + 3 * sw && y0 >= 0 && y0 + spanY < H && x0 >= 0 && x0 + 3 * sw + spanX < W;
            const b0 = POS_BASE[0];
            for (let ir = 0; ir < mc; ir += 4) {
              gemmTile(kc, ir * kc, jr * kc);
              const rows = Math.min(4, mc - ir);
              for (let rr = 0; rr < rows; rr++) {
                const r = ic + ir + rr;
                const ro = rOff[r], ty = rDy[r], tx = rDx[r];
                if (inside) {
                  const d = b0 + ro, t = rr * 4;
                  dxd[d] += tile[t];
                  dxd[d + sw] += tile[t + 1];
                  dxd[d + 2 * sw] += tile[t + 2];
                  dxd[d + 3 * sw] += tile[t + 3];
                  continue;
                }
                for (let q = 0; q < cols; q++) {
                  const iy = POS_Y[q] + ty, ix = POS_X[q] + tx;
                  if (iy >= 0 && iy < H && ix >= 0 && ix < W) dxd[POS_BASE[q] + ro] += tile[rr * 4 + q];
                }
              }
            }
          }
        }
      }
    }
  }
}

/*
 * The shared buffer of a threaded job: a header of HEADER_DOUBLES float64 parameters, then (weight
 * gradients) the float64 partials or (Winograd forward) the float64 transformed weights, then a's and b's storage spans and the result, as the dtype.
 */
const HEADER_DOUBLES = 40;
const HD = {
  float64: 0, N: 1, C: 2, H: 3, W: 4, O: 5, kh: 6, kw: 7, Ho: 8, Wo: 9, groups: 10,
  sh: 11, sw: 12, pt: 13, pb: 14, pl: 15, pr: 16, dh: 17, dw: 18,
  aOff: 19, aN: 20, aC: 21, aH: 22, aW: 23, bOff: 24, bN: 25, bC: 26, bH: 27, bW: 28,
  outOff: 29, per: 30, zero: 31, outF64: 32, hasC: 33, cOff: 34, cS: 35, hasU: 36, uOff: 37,
} as const;

/** True when this convolution should run its units on the threads. */
function useThreads(dtype: string, macs: number, units: number): boolean {
  return getNumThreads() > 1 && units >= 2 && macs >= CONV_PARALLEL_MIN_WORK && (dtype === 'float32' || dtype === 'float64');
}

/**
 * Runs the job's units on the threads: copies a's and b's storage spans (and c's, the direct
 * forward's bias, when given) into the shared buffer (behind the header and `partials` float64
 * values, or the float64 values of `u`, the Winograd forward's transformed weights, when given), leaves room for `outLen` result elements of the dtype, and runs the units. Returns the
 * buffer as the result's array and where the result starts there (the partials' view and offset
 * when partials > 0), or null when the buffer is unavailable.
 */
function runShared(
  kind: number, job: ConvJob, a: NDArray, b: NDArray, units: number, outLen: number, partials: number, c: NDArray | null = null,
  u: Float64Array | null = null,
): { out: TypedArray; off: number } | null {
  const float64 = a.dtype === 'float64';
  const bpe = float64 ? 8 : 4;
  const [aLo, aHi] = span(a), [bLo, bHi] = span(b), [cLo, cHi] = c === null ? [0, 0] : span(c);
  const base = ((HEADER_DOUBLES + partials + (u === null ? 0 : u.length)) * 8) / bpe; // in dtype elements
  const bBase = base + (aHi - aLo), cBase = bBase + (bHi - bLo), oBase = cBase + (cHi - cLo);
  const bytes = (oBase + outLen) * bpe;
  if (oBase + outLen > 0x7fffffff) return null;
  const sh = sharedBuffer(bytes);
  if (sh === null) return null;
  const v = float64 ? sh.f64 : sh.f32;
  v.set(a.data.subarray(aLo, aHi), base);
  v.set(b.data.subarray(bLo, bHi), bBase);
  if (c !== null) v.set(c.data.subarray(cLo, cHi), cBase);
  if (u !== null) sh.f64.set(u, HEADER_DOUBLES + partials);
  const hd = sh.f64, { p, geo } = job;
  hd[HD.float64] = float64 ? 1 : 0;
  hd[HD.N] = p.N; hd[HD.C] = p.C; hd[HD.H] = p.H; hd[HD.W] = p.W; hd[HD.O] = p.O; hd[HD.kh] = p.kh; hd[HD.kw] = p.kw;
  hd[HD.Ho] = p.Ho; hd[HD.Wo] = p.Wo; hd[HD.groups] = geo.groups;
  hd[HD.sh] = geo.stride[0]; hd[HD.sw] = geo.stride[1];
  hd[HD.pt] = geo.padding[0]; hd[HD.pb] = geo.padding[1]; hd[HD.pl] = geo.padding[2]; hd[HD.pr] = geo.padding[3];
  hd[HD.dh] = geo.dilation[0]; hd[HD.dw] = geo.dilation[1];
  hd[HD.aOff] = base + a.offset - aLo; hd[HD.aN] = job.aN; hd[HD.aC] = job.aC; hd[HD.aH] = job.aH; hd[HD.aW] = job.aW;
  hd[HD.bOff] = bBase + b.offset - bLo; hd[HD.bN] = job.bN; hd[HD.bC] = job.bC; hd[HD.bH] = job.bH; hd[HD.bW] = job.bW;
  hd[HD.outF64] = partials > 0 ? 1 : 0;
  hd[HD.outOff] = partials > 0 ? HEADER_DOUBLES : oBase;
  hd[HD.per] = job.per;
  hd[HD.zero] = job.zero ? 1 : 0;
  hd[HD.hasC] = c === null ? 0 : 1;
  hd[HD.cOff] = c === null ? 0 : cBase + c.offset - cLo;
  hd[HD.cS] = c === null ? 0 : c.strides[0];
  hd[HD.hasU] = u === null ? 0 : 1;
  hd[HD.uOff] = HEADER_DOUBLES + partials;
  runSharedUnits(kind, units);
  return partials > 0 ? { out: sh.f64, off: HEADER_DOUBLES } : { out: v, off: oBase };
}

/**
 * The job a worker's unit runs, read back from the shared buffer's header. Every value is read as an
 * int32 (`| 0`), as threads.ts reads its parameters: doubles would make the units' index arithmetic
 * floating-point, in this thread's calls and, through shared type feedback, in its one-thread calls.
 */
function sharedJob(f32: Float32Array, f64: Float64Array): ConvJob {
  const hd = f64, v = hd[HD.float64] === 1 ? f64 : f32;
  const I = (k: number): number => hd[k] | 0;
  const geo: ConvGeometry = {
    stride: [I(HD.sh), I(HD.sw)], padding: [I(HD.pt), I(HD.pb), I(HD.pl), I(HD.pr)],
    dilation: [I(HD.dh), I(HD.dw)], groups: I(HD.groups),
  };
  const groups = geo.groups;
  const p = planConv([I(HD.N), I(HD.C), I(HD.H), I(HD.W)], [I(HD.O), (I(HD.C) / groups) | 0, I(HD.kh), I(HD.kw)], [I(HD.Ho), I(HD.Wo)], geo);
  return {
    p, geo,
    a: v, aOff: I(HD.aOff), aN: I(HD.aN), aC: I(HD.aC), aH: I(HD.aH), aW: I(HD.aW),
    b: v, bOff: I(HD.bOff), bN: I(HD.bN), bC: I(HD.bC), bH: I(HD.bH), bW: I(HD.bW),
    out: hd[HD.outF64] === 1 ? f64 : v, outOff: I(HD.outOff), per: I(HD.per), zero: hd[HD.zero] === 1,
    c: hd[HD.hasC] === 1 ? v : null, cOff: I(HD.cOff), cS: I(HD.cS),
    u: hd[HD.hasU] === 1 ? f64 : null, uOff: I(HD.uOff),
  };
}

registerUnitKernel(KIND_FORWARD, (u, f32, f64) => forwardUnit(sharedJob(f32, f64), u));
registerUnitKernel(KIND_INPUT_GRAD, (u, f32, f64) => inputGradUnit(sharedJob(f32, f64), u));
registerUnitKernel(KIND_WEIGHT_GRAD, (u, f32, f64) => weightGradUnit(sharedJob(f32, f64), u));
registerUnitKernel(KIND_WEIGHT_GRAD_DIRECT, (u, f32, f64) => weightGradDirectUnit(sharedJob(f32, f64), u));

/**
 * The direct kernels' form of a stride-1 job (conv-direct.ts, DirectConv). The forward reads x padded
 * by (pt, pl) and makes Og channels per group of [Ho, Wo]; the input gradient reads ȳ padded by
 * (dh·(kh − 1) − pt, dw·(kw − 1) − pl), with the weights transposed and flipped, and makes Cg
 * channels per group of [H, W].
 */
function directOf(job: ConvJob, transposed: boolean): DirectConv {
  const { p, geo } = job; // geo's numbers are int32 already (normGeo, or sharedJob's reads)
  const dh = geo.dilation[0], dw = geo.dilation[1];
  const pt = geo.padding[0], pl = geo.padding[2];
  return {
    src: job.a, srcOff: job.aOff, sN: job.aN, sC: job.aC, sH: job.aH, sW: job.aW,
    cin: transposed ? p.Og : p.Cg, hin: transposed ? p.Ho : p.H, win: transposed ? p.Wo : p.W,
    padTop: transposed ? p.spanY - pt : pt, padLeft: transposed ? p.spanX - pl : pl,
    groups: geo.groups, kh: p.kh, kw: p.kw, dh, dw, w: job.b, wOff: job.bOff, transposed,
    m: transposed ? p.Cg : p.Og, ho: transposed ? p.H : p.Ho, wo: transposed ? p.W : p.Wo,
    out: job.out, outOff: job.outOff, bias: job.c, biasOff: job.cOff, biasStride: job.cS,
  };
}

/** Unit u of a direct forward (transposed = false) or input gradient: images u·per .. (u + 1)·per − 1. */
function directUnit(job: ConvJob, u: number, transposed: boolean): void {
  const n0 = u * job.per;
  directConv(directOf(job, transposed), n0, Math.min(job.p.N, n0 + job.per));
}

registerUnitKernel(KIND_DIRECT_FORWARD, (u, f32, f64) => directUnit(sharedJob(f32, f64), u, false));
registerUnitKernel(KIND_DIRECT_INPUT_GRAD, (u, f32, f64) => directUnit(sharedJob(f32, f64), u, true));

/** Units of the direct kernels, at most: runs of ⌈N / 16⌉ whole images (fixed by N, not by the threads). */
const DIRECT_UNITS = 16;

/**
 * True when the direct kernels take this forward (transposed = false) or input gradient: stride 1,
 * the padded image of one group fits their scratch, (input gradient) ȳ's padding is not negative,
 * i.e. no padding reaches past the kernel's span, and the tiles do at most DIRECT_MAX_WORK_RATIO
 * times the implicit GEMM's multiply-adds. The last rules out small ȳ in wide padding: LeNet's
 * second layer's input gradient (8 × 8 ȳ padded by 4) made 1.3× the GEMM's work and ran 0.88× as fast
 * before this rule (`npx tsx bench/conv-direct-ab.ts 21`, load 3.6–3.9).
 */
function useDirect(p: ConvPlan, geo: ConvGeometry, transposed: boolean): boolean {
  if (!convTuning.direct || geo.stride[0] !== 1 || geo.stride[1] !== 1 || p.K === 0) return false;
  const { kh, kw, spanY, spanX } = p;
  const [dh, dw] = geo.dilation, pt = geo.padding[0], pl = geo.padding[2];
  if (!transposed) {
    return directFits(p.Cg, p.Ho + spanY, p.Wo + spanX, kh, kw) &&
      directWorkRatio(p.Ho, p.Wo, kh, kw, dh, dw, pt, pl, p.H, p.W, p.L) <= DIRECT_MAX_WORK_RATIO;
  }
  return spanY >= pt && spanX >= pl && directFits(p.Og, p.H + spanY, p.W + spanX, kh, kw) &&
    directWorkRatio(p.H, p.W, kh, kw, dh, dw, spanY - pt, spanX - pl, p.Ho, p.Wo, p.L) <= DIRECT_MAX_WORK_RATIO;
}

/**
 * Runs a direct forward or input gradient into a new dense result of `shape` (every element is
 * stored): on the threads when they are on and the work is large enough, else on this thread.
 */
function runDirect(a: NDArray, w: NDArray, geo: ConvGeometry, p: ConvPlan, transposed: boolean, shape: number[], bias: NDArray | null): NDArray {
  convTuning.directRuns++;
  const kind = transposed ? KIND_DIRECT_INPUT_GRAD : KIND_DIRECT_FORWARD;
  return runWholeImages(kind, a, w, geo, p, shape, bias, null, (job) => directUnit(job, 0, transposed));
}

/**
 * The driver of the kernels whose units are runs of whole images (the direct and Winograd forwards and
 * input gradients): a new dense result of `shape` (every element stored), its units of kind `kind` on the
 * threads when they are on and the work is large enough (`u`, the Winograd weights, copied to them), else
 * `local` runs the whole batch as one job on this thread. The bias, when given, is added as tiles are stored.
 */
function runWholeImages(
  kind: number, a: NDArray, w: NDArray, geo: ConvGeometry, p: ConvPlan, shape: number[], bias: NDArray | null,
  u: Float64Array | null, local: (job: ConvJob) => void,
): NDArray {
  const size = shape[0] * shape[1] * shape[2] * shape[3];
  const out = new NDArray(acquire(a.dtype, size, false), shape);
  const per = Math.ceil(p.N / DIRECT_UNITS);
  const units = Math.ceil(p.N / per);
  if (useThreads(a.dtype, p.N * p.L * p.K * p.O, units)) {
    const r = runShared(kind, makeJob(p, geo, a, w, a.data, 0, per, false), a, w, units, size, 0, bias, u);
    if (r !== null) {
      out.data.set(r.out.subarray(r.off, r.off + size));
      return out;
    }
  }
  const job = makeJob(p, geo, a, w, out.data, 0, p.N, false);
  if (bias !== null) {
    job.c = bias.data;
    job.cOff = bias.offset;
    job.cS = bias.strides[0];
  }
  local(job);
  return out;
}

/*
 * The Winograd forward (conv-winograd.ts): stride-1 3 × 3 and 5 × 5 kernels with enough channels to
 * share its transforms out. The weights are transformed once per call, on this thread, into its
 * UPACK; with threads on they travel to the workers in the shared buffer behind the header (float64)
 * and each unit copies them into its thread's UPACK. Units are runs of whole images, as the direct
 * kernels', and an image's outputs do not depend on the run it is in: the same bits on any thread.
 */

/** The Winograd units' kinds in threads.ts's registry: the forward, and the input gradient (its transposed form). */
const KIND_WINOGRAD_FORWARD = 8, KIND_WINOGRAD_INPUT_GRAD = 10;

/**
 * The Winograd kernels' form of a forward job (conv-winograd.ts, WinogradConv), or (transposed) of an
 * input gradient: as directOf, a forward of ȳ padded by (kh − 1 − pt, kw − 1 − pl) making Cg channels
 * per group of [H, W], with the transformed weights of the transposed and flipped kernel.
 */
function winogradOf(job: ConvJob, transposed: boolean): WinogradConv {
  const { p, geo } = job;
  const pt = geo.padding[0], pl = geo.padding[2];
  return {
    src: job.a, srcOff: job.aOff, sN: job.aN, sC: job.aC, sH: job.aH, sW: job.aW,
    cin: transposed ? p.Og : p.Cg, hin: transposed ? p.Ho : p.H, win: transposed ? p.Wo : p.W,
    padTop: transposed ? p.spanY - pt : pt, padLeft: transposed ? p.spanX - pl : pl,
    groups: geo.groups, r: p.kh, m: transposed ? p.Cg : p.Og, ho: transposed ? p.H : p.Ho, wo: transposed ? p.W : p.Wo,
    out: job.out, outOff: job.outOff, bias: job.c, biasOff: job.cOff, biasStride: job.cS,
    exactZeros: transposed, // where ȳ is zero around a window, x̄ is exactly 0, as the other kernels make it
  };
}

/**
 * Unit u of a Winograd forward (or, transposed, input gradient): images u·per .. (u + 1)·per − 1, with
 * the job's transformed weights. An image (of x, or ȳ) holding a NaN or ±∞ goes to the direct kernel
 * instead: the transforms would spread it over whole tiles (conv-winograd.ts).
 */
function winogradUnit(job: ConvJob, u: number, transposed: boolean): void {
  const { p, geo } = job;
  const d = winogradOf(job, transposed);
  loadWinogradWeights(job.u!, job.uOff, winogradWeightsSize(geo.groups, d.cin, d.m));
  const nc = transposed ? p.O : p.C;
  const n0 = u * job.per, n1 = Math.min(p.N, n0 + job.per);
  for (let n = n0; n < n1;) {
    let e = n; // images n .. e − 1 are finite
    while (e < n1 && allFinite(job.a, job.aOff + e * job.aN, job.aC, job.aH, job.aW, nc, d.hin, d.win)) e++;
    if (e > n) winogradConv(d, n, e);
    if (e < n1) directConv(directOf(job, transposed), e, e + 1);
    n = e + 1;
  }
}

registerUnitKernel(KIND_WINOGRAD_FORWARD, (u, f32, f64) => winogradUnit(sharedJob(f32, f64), u, false));
registerUnitKernel(KIND_WINOGRAD_INPUT_GRAD, (u, f32, f64) => winogradUnit(sharedJob(f32, f64), u, true));

/** The fewest input channels per group the Winograd forward takes (see useWinograd). */
const WINOGRAD_MIN_CG = 2;
/** The most output area its whole tiles may cover, as a multiple of the output's (see useWinograd). */
const WINOGRAD_MAX_TILE_AREA = 2;

/**
 * True when the Winograd forward takes this convolution: convTuning.winograd on, stride 1, dilation 1,
 * a square 3 × 3 or 5 × 5 kernel, padding not negative, the scratch big enough (winogradFits), and the
 * shapes where it was measured to win. Its input transform is shared by a group's output channels and
 * its output transform by the input channels: with one input channel per group (LeNet's first layer,
 * depthwise convolutions) the output transform costs about what it saves, so at least WINOGRAD_MIN_CG
 * input channels; and whole tiles must cover at most WINOGRAD_MAX_TILE_AREA times the output (small
 * outputs waste most of a 4 × 4 tile). Winograd ÷ direct time, `npx tsx --expose-gc
 * bench/conv-winograd-ab.ts 15` (one thread, 18:10–18:11 UTC, load 1.2–1.9, the rule opened up for the
 * measurement): LeNet's first layer (Cg = 1) 0.84× and 0.91× (a slowdown); Cg = 2: 1.14–1.96× over
 * six shapes; Og = 1, 2, 4 with Cg = 16 or 4: 1.43–1.94×; 3 × 3 outputs of 9 × 9 (tiles 1.78× the
 * output) 1.39×, 5 × 5 (2.56×) 1.28×, 2 × 2 (4×) 0.35×.
 */
function useWinograd(p: ConvPlan, geo: ConvGeometry): boolean {
  if (!convTuning.winograd || geo.stride[0] !== 1 || geo.stride[1] !== 1 || geo.dilation[0] !== 1 || geo.dilation[1] !== 1) return false;
  const { kh, kw, Cg, Og, Ho, Wo } = p;
  if (kh !== kw || (kh !== 3 && kh !== 5) || geo.padding[0] < 0 || geo.padding[1] < 0 || geo.padding[2] < 0 || geo.padding[3] < 0) return false;
  if (Cg < WINOGRAD_MIN_CG) return false;
  const mt = winogradTile(kh);
  const ty = Math.ceil(Ho / mt), tx = Math.ceil(Wo / mt);
  return ty * tx * mt * mt <= WINOGRAD_MAX_TILE_AREA * Ho * Wo && winogradFits(kh, geo.groups, Cg, Og, ty * mt + kh - 1, tx * mt + kw - 1);
}

/** The input gradient's transposed and flipped weights, [groups][Cg][Og][kh][kw] (module scratch, grown as needed). */
let WFLIP = new Float64Array(0);

/**
 * Runs a Winograd forward (a = x) into a new dense y, adding the bias as it stores, or (transposed,
 * a = ȳ, no bias) an input gradient into a new dense x̄: every element is stored. The weights (for the
 * input gradient, transposed and flipped first) are transformed once, then the units run on the
 * threads when they are on and the work is large enough, else on this thread.
 */
function runWinograd(a: NDArray, w: NDArray, geo: ConvGeometry, p: ConvPlan, bias: NDArray | null, transposed = false): NDArray {
  const shape = transposed ? [p.N, p.C, p.H, p.W] : [p.N, p.O, p.Ho, p.Wo];
  const U = winogradWeightScratch();
  const { Cg, Og, kh } = p, G = geo.groups, rr = kh * kh;
  if (transposed) {
    // WFLIP[((g·Cg + c)·Og + o)·r² + ky·r + kx] = w[g·Og + o, c, r − 1 − ky, r − 1 − kx]: a forward
    // weight of Cg output and Og input channels per group (w is dense)
    if (WFLIP.length < p.O * Cg * rr) WFLIP = new Float64Array(p.O * Cg * rr);
    const wd = w.data;
    for (let g = 0; g < G; g++) {
      for (let o = 0; o < Og; o++) {
        for (let c = 0; c < Cg; c++) {
          const src = w.offset + ((g * Og + o) * Cg + c) * rr, dst = ((g * Cg + c) * Og + o) * rr;
          for (let t = 0; t < rr; t++) WFLIP[dst + t] = wd[src + rr - 1 - t];
        }
      }
    }
    winogradWeights(WFLIP, 0, G, Og, Cg, kh, U, 0);
  } else {
    winogradWeights(w.data, w.offset, G, Cg, Og, kh, U, 0);
  }
  const uLen = transposed ? winogradWeightsSize(G, Og, Cg) : winogradWeightsSize(G, Cg, Og);
  const kind = transposed ? KIND_WINOGRAD_INPUT_GRAD : KIND_WINOGRAD_FORWARD;
  if (transposed) convTuning.winogradInputGradRuns++;
  else convTuning.winogradRuns++;
  return runWholeImages(kind, a, w, geo, p, shape, bias, U.subarray(0, uLen), (job) => {
    job.u = U;
    winogradUnit(job, 0, transposed);
  });
}

/**
 * True when the Winograd kernels take this stride-1 input gradient, a forward of ȳ padded by
 * (r − 1 − pt, r − 1 − pl) with the weights transposed and flipped: convTuning.winogradGrads on, and
 * what useWinograd asks of a forward with the roles of the channels swapped (Og ≥ WINOGRAD_MIN_CG input
 * channels per group, whole tiles covering at most WINOGRAD_MAX_TILE_AREA times x̄, the scratch), ȳ's
 * padding not negative, and ȳ's padding not wasting the work saved: the direct kernel's work ratio
 * (directWorkRatio) at most DIRECT_MAX_WORK_RATIO, as useDirect asks, so that the direct kernel, which
 * also takes the images holding a NaN or ±∞, runs this input gradient too. That leaves out LeNet's
 * second layer (an 8 × 8 ȳ padded by 4 for a 12 × 12 x̄); see docs/performance.md for the measurements.
 */
function useWinogradInputGrad(p: ConvPlan, geo: ConvGeometry): boolean {
  if (!convTuning.winogradGrads || geo.stride[0] !== 1 || geo.stride[1] !== 1 || geo.dilation[0] !== 1 || geo.dilation[1] !== 1) return false;
  const { kh, kw, Cg, Og, H, W } = p;
  if (kh !== kw || (kh !== 3 && kh !== 5) || geo.padding[0] < 0 || geo.padding[1] < 0 || geo.padding[2] < 0 || geo.padding[3] < 0) return false;
  if (p.spanY < geo.padding[0] || p.spanX < geo.padding[2] || Og < WINOGRAD_MIN_CG || !directFits(Og, H + p.spanY, W + p.spanX, kh, kw)) return false;
  if (!convTuning.winogradGradsForced && !useDirect(p, geo, true)) return false;
  const mt = winogradTile(kh);
  const ty = Math.ceil(H / mt), tx = Math.ceil(W / mt);
  return ty * tx * mt * mt <= WINOGRAD_MAX_TILE_AREA * H * W && winogradFits(kh, geo.groups, Og, Cg, ty * mt + kh - 1, tx * mt + kw - 1);
}

/** y = conv2d(x, w) as the implicit GEMM, on the threads when they are on and the work is large enough. */
function conv2dForwardImplicit(x: NDArray, w: NDArray, geo: ConvGeometry, p: ConvPlan): NDArray {
  const J = p.N * p.Ho * p.Wo;
  const units = Math.ceil(J / GEMM_NC);
  const size = p.N * p.O * p.Ho * p.Wo;
  if (useThreads(x.dtype, J * p.K * p.O, units)) {
    const job = makeJob(p, geo, x, w, x.data, 0, GEMM_NC, false);
    const r = runShared(KIND_FORWARD, job, x, w, units, size, 0);
    if (r !== null) {
      const y = new NDArray(acquire(x.dtype, size, false), [p.N, p.O, p.Ho, p.Wo]);
      y.data.set(r.out.subarray(r.off, r.off + size));
      return y;
    }
  }
  // every element is stored by the first k-slice's tiles
  const y = new NDArray(acquire(x.dtype, size, false), [p.N, p.O, p.Ho, p.Wo]);
  const job = makeJob(p, geo, x, w, y.data, 0, GEMM_NC, false);
  for (let u = 0; u < units; u++) forwardUnit(job, u);
  return y;
}

/** The weight gradient's partial sums on one thread (module scratch, grown as needed). */
let PARTIALS = new Float64Array(0);

/**
 * The direct weight gradient's partial sum over unit u's images (conv-direct.ts, stride 1): unit u's
 * float64 [O × K] block is zeroed, then W̄_u = Σ_{n in the unit} Σ_{oy, ox} ȳ[n, o, oy, ox] · xp[n, c, oy + ky·dh, ox + kx·dw].
 */
function weightGradDirectUnit(job: ConvJob, u: number): void {
  const { p, geo } = job;
  const acc = job.out as Float64Array, accOff = job.outOff + u * p.O * p.K;
  acc.fill(0, accOff, accOff + p.O * p.K);
  const n0 = u * job.per, n1 = Math.min(p.N, n0 + job.per);
  weightGradDirect(
    p, geo.groups, geo.padding[0], geo.padding[2], geo.dilation[0], geo.dilation[1],
    job.a, job.aOff, job.aN, job.aC, job.aH, job.aW, job.b, job.bOff, job.bN, job.bC, job.bH, job.bW,
    n0, n1, acc, accOff,
  );
}

/**
 * True when the direct weight gradient takes this convolution: stride 1, padding not negative, at most
 * convTuning.weightGradMaxOg (8) output channels per group, and one group's padded image fitting the
 * scratch. Its tile loop runs a little slower than the GEMM's micro-kernel, so it only wins where the
 * GEMM's packing costs the most per multiply-add, each packed column of x feeding Og output channels.
 * Direct ÷ implicit time, `npx tsx bench/conv-wgrad-one.ts implicit|direct SHAPE` (each path in its own
 * process, alternated twice; 16:08–16:10 UTC, load 4.4–4.7, so noisy): Og = 8: LeNet conv1 0.63–0.85,
 * x [64, 8, 12, 12] 5 × 5 0.68–0.96, x [32, 16, 32, 32] 3 × 3 0.74–0.78; Og = 16: x [64, 1, 28, 28]
 * 5 × 5 0.85–1.19, LeNet conv2 1.02–1.61, x [32, 16, 32, 32] 3 × 3 0.85–0.98; Og = 32 (the conv
 * suite's layer) 0.99–1.03. Og ≤ 8 is the simple rule that wins everywhere measured.
 */
function useDirectWeightGrad(p: ConvPlan, geo: ConvGeometry): boolean {
  return convTuning.direct && geo.stride[0] === 1 && geo.stride[1] === 1 && geo.padding[0] >= 0 && geo.padding[2] >= 0 &&
    p.Og <= convTuning.weightGradMaxOg && weightGradDirectFits(p);
}

/*
 * The Winograd weight gradient (conv-winograd.ts, winogradWeightGrad): stride-1 3 × 3 and 5 × 5 kernels.
 * Units are runs of whole images, WEIGHT_GRAD_UNITS at most (a count fixed by N), each summing its own
 * float64 partial in the transformed domain ([g][ξ][Og4][Cg4]); the calling thread adds them in unit
 * order and transforms the sum once (winogradWeightGradFinish): the same bits on any number of threads.
 */

/** The Winograd weight gradient's units' kind in threads.ts's registry. */
const KIND_WINOGRAD_WEIGHT_GRAD = 9;

/** The Winograd kernels' form of a weight-gradient job: a is x, b is ȳ. */
function winogradWeightGradOf(job: ConvJob): WinogradWeightGrad {
  const { p, geo } = job;
  return {
    src: job.a, srcOff: job.aOff, sN: job.aN, sC: job.aC, sH: job.aH, sW: job.aW,
    gy: job.b, gyOff: job.bOff, gN: job.bN, gC: job.bC, gH: job.bH, gW: job.bW,
    cin: p.Cg, hin: p.H, win: p.W, padTop: geo.padding[0], padLeft: geo.padding[2],
    groups: geo.groups, r: p.kh, m: p.Og, ho: p.Ho, wo: p.Wo,
  };
}

/** Unit u of a Winograd weight gradient: its partial zeroed, then the sums of images u·per .. (u + 1)·per − 1. */
function winogradWeightGradUnit(job: ConvJob, u: number): void {
  const { p, geo } = job;
  const size = winogradWeightGradSize(geo.groups, p.Cg, p.Og);
  const acc = job.out as Float64Array, accOff = job.outOff + u * size;
  acc.fill(0, accOff, accOff + size);
  const n0 = u * job.per, n1 = Math.min(p.N, n0 + job.per);
  winogradWeightGrad(winogradWeightGradOf(job), n0, n1, acc, accOff);
}

registerUnitKernel(KIND_WINOGRAD_WEIGHT_GRAD, (u, f32, f64) => winogradWeightGradUnit(sharedJob(f32, f64), u));

/** True when every element of the 4-D array a is finite (no NaN, no ±∞). */
function allFinite4(a: NDArray): boolean {
  const [N, C, H, W] = a.shape, [sN, sC, sH, sW] = a.strides;
  for (let n = 0; n < N; n++) if (!allFinite(a.data, a.offset + n * sN, sC, sH, sW, C, H, W)) return false;
  return true;
}

/**
 * Most float64 elements of the Winograd weight gradient's partials, all units together (64 MB): each is
 * 36 · groups · Og4 · Cg4, four times the implicit GEMM's [O × K] for 3 × 3 kernels, so wide layers get
 * fewer units, and those whose two units would not fit (more than about 170 × 170 channels) keep the other paths.
 */
const WG_MAX_PARTIALS = 1 << 23;
/** The fewest input and output channels per group the Winograd weight gradient takes (see useWinogradWeightGrad). */
const WINOGRAD_GRAD_MIN_CG = 3, WINOGRAD_GRAD_MIN_OG = 8;

/**
 * True when the Winograd weight gradient takes this convolution: convTuning.winogradGrads on, stride 1,
 * dilation 1, a square 3 × 3 or 5 × 5 kernel, padding not negative, the scratch big enough
 * (winogradWeightGradFits) and two units' partials fitting WG_MAX_PARTIALS, whole tiles covering at
 * most WINOGRAD_MAX_TILE_AREA times ȳ (as the forward), and the channel counts where it was measured to win. Its product pads both channel counts
 * to multiples of 4 and its transforms are shared out over the other channel count, so at least
 * WINOGRAD_GRAD_MIN_CG input and WINOGRAD_GRAD_MIN_OG output channels per group. Winograd ÷ the path it
 * replaces (the direct weight gradient for Og ≤ 8, else the implicit GEMM), `npx tsx --expose-gc
 * bench/conv-winograd-ab.ts 9` (one thread, 18:27–18:28 UTC, load 1.9–2.2; "forced": the rule opened up;
 * figures of the final code, a little higher, in docs/performance.md):
 * LeNet's second layer 1.59×, the conv suite's layer 2.59×, 5 × 5 Cg 16 Og 32 2.35×, 3 × 3 Cg 64 Og 64
 * 2.54×; Og = 8 with Cg = 4 or 8: 1.31–1.64×; Cg = 3: 1.35×; Cg = 4, Og = 16, 5 × 5: 1.39×; and below
 * the limits LeNet's first layer (Cg = 1) 0.43×, Cg = 2: 1.17× (3 × 3) but 0.85× (5 × 5), Og = 4: 1.00×,
 * Og = 1: 0.74×.
 */
function useWinogradWeightGrad(p: ConvPlan, geo: ConvGeometry): boolean {
  if (!convTuning.winogradGrads || geo.stride[0] !== 1 || geo.stride[1] !== 1 || geo.dilation[0] !== 1 || geo.dilation[1] !== 1) return false;
  const { kh, kw, Cg, Og, Ho, Wo } = p;
  if (kh !== kw || (kh !== 3 && kh !== 5) || geo.padding[0] < 0 || geo.padding[1] < 0 || geo.padding[2] < 0 || geo.padding[3] < 0) return false;
  if (!convTuning.winogradGradsForced && (Cg < WINOGRAD_GRAD_MIN_CG || Og < WINOGRAD_GRAD_MIN_OG)) return false;
  const mt = winogradTile(kh);
  const ty = Math.ceil(Ho / mt), tx = Math.ceil(Wo / mt);
  return ty * tx * mt * mt <= WINOGRAD_MAX_TILE_AREA * Ho * Wo && winogradWeightGradFits(kh, Cg, Og, ty * mt + kh - 1, tx * mt + kw - 1) &&
    2 * winogradWeightGradSize(geo.groups, Cg, Og) <= WG_MAX_PARTIALS;
}

/** The Winograd weight gradient's summed partial on one thread (module scratch, grown as needed). */
let WG_PARTIALS = new Float64Array(0);

/**
 * W̄ by the Winograd weight gradient: the units' transformed partials (on the threads when they are on
 * and the work is large enough), added in unit order, then transformed once into dw.
 */
function runWinogradWeightGrad(x: NDArray, gy: NDArray, geo: ConvGeometry, p: ConvPlan, dw: NDArray): void {
  const size = winogradWeightGradSize(geo.groups, p.Cg, p.Og);
  // at most WEIGHT_GRAD_UNITS units, fewer when their partials would pass WG_MAX_PARTIALS: a count fixed
  // by the shapes, so the sums do not depend on the threads
  const maxUnits = Math.min(WEIGHT_GRAD_UNITS, Math.floor(WG_MAX_PARTIALS / size));
  const per = Math.ceil(p.N / maxUnits); // images per unit
  const units = Math.ceil(p.N / per);
  convTuning.winogradWeightGradRuns++;
  let acc: Float64Array | null = null, off = 0;
  if (useThreads(x.dtype, p.N * p.L * p.K * p.O, units)) {
    const r = runShared(KIND_WINOGRAD_WEIGHT_GRAD, makeJob(p, geo, x, gy, x.data, 0, per, false), x, gy, units, 0, units * size);
    if (r !== null) ({ out: acc, off } = r as { out: Float64Array; off: number });
  }
  if (acc === null) {
    if (WG_PARTIALS.length < units * size) WG_PARTIALS = new Float64Array(units * size);
    const job = makeJob(p, geo, x, gy, WG_PARTIALS, 0, per, false);
    for (let u = 0; u < units; u++) winogradWeightGradUnit(job, u);
    acc = WG_PARTIALS;
  }
  // the partials added in unit order into unit 0's, then one transform
  for (let i = off; i < off + size; i++) {
    let s = acc[i];
    for (let u = 1, k = i + size; u < units; u++, k += size) s += acc[k];
    acc[i] = s;
  }
  winogradWeightGradFinish(acc, off, geo.groups, p.Cg, p.Og, p.kh, dw.data, dw.offset);
}

/**
 * W̄ = Σ_units W̄_u, on the threads when they are on and the work is large enough: the direct kernel
 * over runs of whole images where useDirectWeightGrad says so, otherwise the implicit GEMM over runs
 * of output positions. Either way a fixed number of units, so the sums
 * do not depend on the number of threads.
 */
function conv2dWeightGradImplicit(x: NDArray, gy: NDArray, geo: ConvGeometry, p: ConvPlan, dw: NDArray): void {
  const J = p.N * p.Ho * p.Wo, OK = p.O * p.K;
  // the Winograd weight gradient, unless x or ȳ holds a NaN or ±∞: its transforms mix whole tiles, so
  // one non-finite value would reach weight-gradient entries that the other kernels keep finite
  if (useWinogradWeightGrad(p, geo) && allFinite4(x) && allFinite4(gy)) {
    runWinogradWeightGrad(x, gy, geo, p, dw);
    return;
  }
  const direct = useDirectWeightGrad(p, geo);
  if (direct) convTuning.directWeightGradRuns++;
  let per: number, units: number;
  if (direct) {
    per = Math.ceil(p.N / WEIGHT_GRAD_UNITS); // images per unit
    units = Math.ceil(p.N / per);
  } else {
    const kc0 = sliceDepth(J);
    per = kc0 * Math.ceil(Math.ceil(J / kc0) / WEIGHT_GRAD_UNITS); // output positions per unit
    units = Math.ceil(J / per);
  }
  let acc: TypedArray | null = null, off = 0;
  if (useThreads(x.dtype, J * p.K * p.O, units)) {
    const kind = direct ? KIND_WEIGHT_GRAD_DIRECT : KIND_WEIGHT_GRAD;
    const r = runShared(kind, makeJob(p, geo, x, gy, x.data, 0, per, false), x, gy, units, 0, units * OK);
    if (r !== null) ({ out: acc, off } = r);
  }
  if (acc === null) {
    if (PARTIALS.length < units * OK) PARTIALS = new Float64Array(units * OK);
    const job = makeJob(p, geo, x, gy, PARTIALS, 0, per, false);
    if (direct) for (let u = 0; u < units; u++) weightGradDirectUnit(job, u);
    else for (let u = 0; u < units; u++) weightGradUnit(job, u);
    acc = PARTIALS;
  }
  const dwd = dw.data;
  for (let i = 0; i < OK; i++) {
    let s = acc[off + i];
    for (let u = 1, k = off + OK + i; u < units; u++, k += OK) s += acc[k];
    dwd[i] = s;
  }
}

/** x̄ = col2im(Wᵀ · ȳ) as the implicit GEMM, on the threads when they are on and the work is large enough. */
function conv2dInputGradImplicit(gy: NDArray, w: NDArray, geo: ConvGeometry, p: ConvPlan, dx: NDArray): void {
  const L = p.Ho * p.Wo;
  const per = Math.max(1, Math.floor(GEMM_NC / L));
  const units = Math.ceil(p.N / per);
  if (useThreads(gy.dtype, p.N * L * p.K * p.O, units)) {
    const r = runShared(KIND_INPUT_GRAD, makeJob(p, geo, gy, w, gy.data, 0, per, true), gy, w, units, dx.size, 0);
    if (r !== null) {
      dx.data.set(r.out.subarray(r.off, r.off + dx.size));
      return;
    }
  }
  const job = makeJob(p, geo, gy, w, dx.data, 0, per, false);
  for (let u = 0; u < units; u++) inputGradUnit(job, u);
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

/**
 * Adds bias[o] to every element of channel o of y [N, O, Ho, Wo] (dense), in place: the bias of
 * conv2d, added to the GEMM's result instead of making a broadcast sum (an array the size of y).
 */
function addChannelBias(y: NDArray, bias: NDArray): void {
  const [N, O, Ho, Wo] = y.shape;
  const L = Ho * Wo, yd = y.data, bd = bias.data, bs = bias.strides[0];
  for (let n = 0, i = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const v = bd[bias.offset + o * bs];
      for (const e = i + L; i < e; i++) yd[i] += v;
    }
  }
}

/**
 * y = conv2d(x, w) (+ bias): x [N,C,H,W], w [O,C/groups,kh,kw], bias [O] or null → [N,O,Ho,Wo].
 */
export function conv2dForward(x: NDArray, w: NDArray, geo: ConvGeometry, chunkElements = CHUNK_ELEMENTS, bias: NDArray | null = null): NDArray {
  geo = normGeo(geo);
  checkRank4('conv2d', x, w);
  const dtype = promote(x.dtype, w.dtype);
  if (x.dtype !== dtype) x = x.astype(dtype);
  w = (w.dtype !== dtype ? w.astype(dtype) : w).contiguous();
  if (bias !== null) {
    if (bias.ndim !== 1 || bias.shape[0] !== w.shape[0]) {
      throw new RangeError(`conv2d: expected a bias of shape [${w.shape[0]}], got ${fmtShape(bias.shape)}`);
    }
    if (bias.dtype !== dtype) bias = bias.astype(dtype);
  }
  const [, , H, W] = x.shape;
  const [, , kh, kw] = w.shape;
  const pd = geo.padding;
  const Ho = convOutSize(H, kh, geo.stride[0], pd[0], pd[1], geo.dilation[0]);
  const Wo = convOutSize(W, kw, geo.stride[1], pd[2], pd[3], geo.dilation[1]);
  const p = planConv(x.shape, w.shape, [Ho, Wo], geo, 8, chunkElements);
  const implicit = chunkElements === CHUNK_ELEMENTS && p.N * p.O * Ho * Wo > 0 && p.K > 0;
  // stride 1: the Winograd kernels (3 × 3 and 5 × 5 with enough channels) or the direct kernel, both of
  // which add the bias as they store y
  if (implicit && useWinograd(p, geo) && allFinite(w.data, w.offset, p.Cg * p.kh * p.kw, 0, 1, p.O, 1, p.Cg * p.kh * p.kw)) {
    return runWinograd(x, w, geo, p, bias);
  }
  if (implicit && useDirect(p, geo, false)) return runDirect(x, w, geo, p, false, [p.N, p.O, Ho, Wo], bias);
  const y = conv2dNoBias(x, w, geo, p, implicit);
  if (bias !== null) addChannelBias(y, bias);
  return y;
}

/** y = conv2d(x, w) by the implicit GEMM, or (implicit = false) by the chunked im2col + GEMM. */
function conv2dNoBias(x: NDArray, w: NDArray, geo: ConvGeometry, p: ConvPlan, implicit: boolean): NDArray {
  const dtype = x.dtype;
  const { Ho, Wo } = p;
  // the implicit GEMM, threads or not: on the layer of the conv bench it ran at ~97% of matmul's
  // speed against ~67% for the chunked path, whose serial im2col and copies left two threads only
  // ~1.2× (docs/performance.md); an explicit chunk size asks for the chunked path
  if (implicit) return conv2dForwardImplicit(x, w, geo, p);
  const y = NDArray.zeros([p.N, p.O, Ho, Wo], dtype);
  if (y.size === 0) return y;
  const L = p.L;
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
  geo = normGeo(geo);
  checkRank4('convTranspose2d', gy, w);
  const dtype = promote(gy.dtype, w.dtype);
  if (gy.dtype !== dtype) gy = gy.astype(dtype);
  w = (w.dtype !== dtype ? w.astype(dtype) : w).contiguous();
  const [N, , Ho, Wo] = gy.shape;
  const C = w.shape[1] * geo.groups;
  const p = planConv([N, C, inputHW[0], inputHW[1]], w.shape, [Ho, Wo], geo, 8, chunkElements);
  const shape = [N, C, inputHW[0], inputHW[1]];
  // stride 1: a forward of the padded ȳ with the weights transposed and flipped, by the Winograd kernels
  // (3 × 3 and 5 × 5, weights finite) or the direct kernel
  const implicit = chunkElements === CHUNK_ELEMENTS && gy.size > 0 && N * C * p.H * p.W > 0;
  if (implicit && useWinogradInputGrad(p, geo) && allFinite(w.data, w.offset, p.K, 0, 1, p.O, 1, p.K)) return runWinograd(gy, w, geo, p, null, true);
  if (implicit && useDirect(p, geo, true)) return runDirect(gy, w, geo, p, true, shape, null);
  const dx = NDArray.zeros(shape, dtype);
  if (dx.size === 0 || gy.size === 0) return dx;
  if (chunkElements === CHUNK_ELEMENTS) {
    conv2dInputGradImplicit(gy, w, geo, p, dx);
    return dx;
  }
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
  geo = normGeo(geo);
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
  if (chunkElements === CHUNK_ELEMENTS) {
    conv2dWeightGradImplicit(x, gy, geo, p, dw);
    return dw;
  }
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
