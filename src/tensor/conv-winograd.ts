// Winograd kernels for stride-1 convolutions with square 3 × 3 or 5 × 5 kernels: F(4 × 4, 3 × 3)
// and F(2 × 2, 5 × 5), both on 6 × 6 input tiles, for the forward and (below its own line) the weight
// gradient, the forward's adjoint in the weights. The forward makes the same y as conv-direct.ts's tiles with
// fewer multiplies (a 4 × 4 block of a 3 × 3 convolution costs 36 products per input channel instead of
// 144; a 2 × 2 block of a 5 × 5 one 36 instead of 100), at the price of transforms that are shared out
// over the channels. Everything is computed in float64 module scratch, indices masked like conv-direct.ts's,
// so float32 tensors lose nothing to the transforms' large intermediate values. conv.ts decides when to use
// them (useWinograd, useWinogradWeightGrad, and useWinogradInputGrad: an input gradient is this forward of
// the padded ȳ with the weights transposed and flipped) and runs them in units of whole images, on the
// threads or not.
// Reference: A. Lavin and S. Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016 (arXiv 2015).

import type { TypedArray } from './dtype.js';
import { padImage, SCRATCH, SCRATCH_SIZE } from './conv-direct.js';

/*
 * The algorithm, in one dimension first. A stride-1 correlation makes m outputs from α = m + r − 1 inputs
 * d_0 .. d_5 (α = 6 here) and a filter g_0 .. g_{r−1}:   y_i = Σ_k g_k · d_{i+k}   (i < m).
 *
 * Take the five points a = 0, 1, −1, 2, −2 and M(x) = x(x − 1)(x + 1)(x − 2)(x + 2) = x⁵ − 5x³ + 4x. For
 * each point a_ξ let N_ξ(x) = M(x) / (x − a_ξ), a polynomial of degree 4 with N_ξ(a_ξ) ≠ 0. Any polynomial
 * p of degree ≤ 5 is the Lagrange sum over the five points plus a multiple of M for its top coefficient:
 *     p(x) = Σ_ξ p(a_ξ) · N_ξ(x) / N_ξ(a_ξ)  +  p_5 · M(x)          (the sixth "point" is ∞).
 * Apply it to p(x) = x^i · g(x) (degree i + r − 1 ≤ 5) and read off the coefficient of x^j: p_j = g_{j−i}, so
 *     y_i = Σ_j g_{j−i} d_j = Σ_ξ a_ξ^i · [g(a_ξ) / N_ξ(a_ξ)] · [Σ_j N_ξ[j] d_j]  +  [i = m − 1] · g_{r−1} · [Σ_j M[j] d_j].
 * That is y = Aᵀ ((G g) ⊙ (Bᵀ d)) with six products instead of m·r, where
 *     Bᵀ (6 × 6): row ξ = the coefficients of N_ξ (and of M for ∞), the same for both kernel sizes;
 *     G  (6 × r): row ξ = (1, a_ξ, a_ξ², …) / N_ξ(a_ξ) (g(a_ξ) scaled), and (0, …, 0, 1) for ∞;
 *     Aᵀ (m × 6): column ξ = (1, a_ξ, a_ξ², …) (the powers a_ξ^i), and (0, …, 0, 1) for ∞.
 * With N_ξ(a_ξ) = 4, −6, −6, 24, 24 for the five points:
 *
 *   Bᵀ = [ 4  0 −5  0  1  0 ]   G(r = 3) = [  1/4     0     0  ]   Aᵀ(m = 4) = [ 1  1  1  1  1  0 ]
 *        [ 0 −4 −4  1  1  0 ]              [ −1/6  −1/6  −1/6 ]                [ 0  1 −1  2 −2  0 ]
 *        [ 0  4 −4 −1  1  0 ]              [ −1/6   1/6  −1/6 ]                [ 0  1  1  4  4  0 ]
 *        [ 0 −2 −1  2  1  0 ]              [ 1/24  1/12   1/6 ]                [ 0  1 −1  8 −8  1 ]
 *        [ 0  2 −1 −2  1  0 ]              [ 1/24 −1/12   1/6 ]
 *        [ 0  4  0 −5  0  1 ]              [   0     0     1  ]   Aᵀ(m = 2) = the first two rows, with a 1
 *                                                                               in the second row's last column;
 *   G(r = 5): rows (1, 0, 0, 0, 0)/4, (1, 1, 1, 1, 1)/−6, (1, −1, 1, −1, 1)/−6, (1, 2, 4, 8, 16)/24,
 *             (1, −2, 4, −8, 16)/24, (0, 0, 0, 0, 1).
 *
 * In two dimensions the same identity holds along each axis: a 6 × 6 input tile d gives the m × m outputs
 *     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A.
 * Summed over the input channels c, the elementwise product becomes, for each of the 36 positions ξ, a
 * matrix product over the channels:  M[ξ][o][t] = Σ_c U[ξ][o][c] · V[ξ][c][t]  with U = G g Gᵀ (per
 * output and input channel, computed once per call) and V = Bᵀ d B (per input channel and tile t); then
 * Y = Aᵀ M[·][o][t] A per output channel and tile. The tiles of the output are m × m; the input tiles
 * overlap by r − 1. Output sizes that are not multiples of m get a last, ragged tile whose extra outputs
 * (computed from the zero padding) are not stored.
 *
 * The 36 products are where the time goes, so they are a register-tiled loop: 4 output channels × 4
 * tiles, 16 sums over the input channels, as conv-direct.ts's tiles. The transforms are straight-line
 * code that uses the matrices' zeros and small integers.
 */

/** Tile size of the input (α = m + r − 1). */
const ALPHA = 6;
/** Size of UPACK (a power of two: its indices are masked with U_MASK). */
export const U_SIZE = 1 << 18;
const U_MASK = U_SIZE - 1;
/** Sizes of VBUF and MBUF (powers of two, masked with VM_MASK). */
const VM_SIZE = 1 << 17;
const VM_MASK = VM_SIZE - 1;
/** Most tiles in one block (the product's width). */
const MAX_BLOCK = 64;

/**
 * The transformed weights U of every group, [g][ξ][o / 4][c][o mod 4] (Og rounded up to a multiple
 * of 4 with zeros): module scratch, one per thread; see winogradWeights and loadWinogradWeights.
 */
const UPACK = new Float64Array(U_SIZE);
/** The transformed input tiles of one block, V[ξ][t / 4][c][t mod 4] (module scratch). */
const VBUF = new Float64Array(VM_SIZE);
/** The products of one block, M[o][t][ξ] (module scratch). */
const MBUF = new Float64Array(VM_SIZE);
/** One tile's intermediate of a transform (6 rows of 6). */
const TMP = new Float64Array(36);
/** The bias of the current group's output channels, as float64 (zeros without a bias). */
let BIAS = new Float64Array(64);
/** Scratch of the weight transform: one kernel row or column, and its G transform. */
const GIN = new Float64Array(5), GOUT = new Float64Array(6), GMID = new Float64Array(30);

/** Output channels per group rounded up to a whole number of 4-channel tiles. */
function og4(og: number): number {
  return (og + 3) & ~3;
}

/** Elements of the transformed weights of all groups: 36 · groups · Og (rounded up to 4) · Cg. */
export function winogradWeightsSize(groups: number, cg: number, og: number): number {
  return ALPHA * ALPHA * groups * og4(og) * cg;
}

/**
 * True when the Winograd kernels can run this forward: an r × r kernel with r = 3 or 5, the
 * transformed weights fitting UPACK, a block of 4 tiles fitting VBUF and MBUF, and the padded image of
 * one group (cin channels of hp × wp, the whole tiles' reach) fitting conv-direct.ts's SCRATCH.
 */
export function winogradFits(r: number, groups: number, cg: number, og: number, hp: number, wp: number): boolean {
  return (r === 3 || r === 5) && winogradWeightsSize(groups, cg, og) <= U_SIZE &&
    ALPHA * ALPHA * 4 * Math.max(cg, og4(og)) <= VM_SIZE && cg * hp * wp <= SCRATCH_SIZE;
}

/*
 * NaN and ±∞. The transforms mix all 36 values of a tile, so a NaN or an infinity in an input tile would
 * reach every output of the tile (an infinity through ∞ − ∞), not only the outputs whose window holds it;
 * in the weights, every output of the channel. conv.ts therefore sends an image holding a non-finite
 * value to the direct kernel instead (winogradUnit), and weights holding one to the other paths.
 */

/** True when every element (c, y, x) of src[off + c·sC + y·sH + x·sW] (c < nc, y < H, x < W) is finite. */
export function allFinite(src: TypedArray, off: number, sC: number, sH: number, sW: number, nc: number, H: number, W: number): boolean {
  let bad = 0;
  for (let c = 0; c < nc; c++) {
    for (let y = 0; y < H; y++) {
      // v − v is 0 for a finite v and NaN for NaN and ±∞
      for (let x = 0, i = off + c * sC + y * sH; x < W; x++, i += sW) bad += src[i] - src[i];
    }
  }
  return bad === 0;
}

/** Output tile size m for an r × r kernel: 4 for 3 × 3, 2 for 5 × 5 (both with 6 × 6 input tiles). */
export function winogradTile(r: number): number {
  return ALPHA + 1 - r;
}

/** GOUT = G · GIN for a kernel of size r (3 or 5): the filter evaluated at 0, 1, −1, 2, −2, ∞, scaled by 1 / N_ξ(a_ξ). */
function transformFilter(r: number): void {
  const g = GIN, o = GOUT;
  // even and odd parts at ±1 and ±2: g(±1) = e1 ± o1, g(±2) = e2 ± o2
  const e1 = r === 5 ? g[0] + g[2] + g[4] : g[0] + g[2];
  const o1 = r === 5 ? g[1] + g[3] : g[1];
  const e2 = r === 5 ? g[0] + 4 * g[2] + 16 * g[4] : g[0] + 4 * g[2];
  const o2 = r === 5 ? 2 * g[1] + 8 * g[3] : 2 * g[1];
  o[0] = g[0] / 4;
  o[1] = -(e1 + o1) / 6;
  o[2] = -(e1 - o1) / 6;
  o[3] = (e2 + o2) / 24;
  o[4] = (e2 - o2) / 24;
  o[5] = g[r - 1];
}

/**
 * Writes U = G g Gᵀ for every output channel o and input channel c of every group into
 * dst[dOff + ((g·36 + ξ)·Og4 + o − o mod 4)·Cg + 4c + o mod 4] (zeros for the padding channels
 * Og ≤ o < Og4): w [O, Cg, r, r] dense from wOff. Once per call, on the calling thread.
 */
export function winogradWeights(w: TypedArray, wOff: number, groups: number, cg: number, og: number, r: number, dst: Float64Array, dOff: number): void {
  const o4 = og4(og);
  const rr = r * r;
  dst.fill(0, dOff, dOff + winogradWeightsSize(groups, cg, og));
  for (let g = 0; g < groups; g++) {
    for (let o = 0; o < og; o++) {
      for (let c = 0; c < cg; c++) {
        const src = wOff + ((g * og + o) * cg + c) * rr;
        // G along the kernel's rows: GMID[ky][ξx] = Σ_kx G[ξx][kx] · w[ky][kx]
        for (let ky = 0; ky < r; ky++) {
          for (let kx = 0; kx < r; kx++) GIN[kx] = w[src + ky * r + kx];
          transformFilter(r);
          for (let x = 0; x < ALPHA; x++) GMID[ky * ALPHA + x] = GOUT[x];
        }
        // then down the columns: U[ξy][ξx] = Σ_ky G[ξy][ky] · GMID[ky][ξx]
        const base = dOff + g * ALPHA * ALPHA * o4 * cg + (o & ~3) * cg + 4 * c + (o & 3);
        for (let x = 0; x < ALPHA; x++) {
          for (let ky = 0; ky < r; ky++) GIN[ky] = GMID[ky * ALPHA + x];
          transformFilter(r);
          for (let y = 0; y < ALPHA; y++) dst[base + (y * ALPHA + x) * o4 * cg] = GOUT[y];
        }
      }
    }
  }
}

/** Copies transformed weights (winogradWeights' layout, n elements from src[off]) into this thread's UPACK. */
export function loadWinogradWeights(src: Float64Array, off: number, n: number): void {
  if (src !== UPACK || off !== 0) UPACK.set(src.subarray(off, off + n));
}

/** This thread's UPACK, for the caller that transforms the weights straight into it (then off = 0). */
export function winogradWeightScratch(): Float64Array {
  return UPACK;
}

/**
 * A stride-1 forward for winogradConv: where x, the result and the bias are, and the sizes. The
 * transformed weights are in this thread's UPACK (loadWinogradWeights).
 */
export interface WinogradConv {
  /** x: element (n, c, y, x) at src[srcOff + n·sN + c·sC + y·sH + x·sW]. */
  src: TypedArray; srcOff: number; sN: number; sC: number; sH: number; sW: number;
  /** Input channels per group, and x's height and width. */
  cin: number; hin: number; win: number;
  /** Zero rows above and zero columns left of the image (≥ 0). */
  padTop: number; padLeft: number;
  /** Channel groups and the kernel's size r (3 or 5). */
  groups: number; r: number;
  /** Output channels per group, and the result's height and width: out [N][groups·m][ho][wo], dense from outOff. */
  m: number; ho: number; wo: number; out: TypedArray; outOff: number;
  /** bias[o] at bias[biasOff + o·biasStride] for the result's channel o (all groups), or null. */
  bias: TypedArray | null; biasOff: number; biasStride: number;
  /**
   * Store an exact 0 (the bias must be null) for every output whose r × r window of the padded input is
   * all zeros in every channel, as the other kernels make it (see markZeroWindows); conv.ts asks for it
   * in the input gradient, where ȳ is often zero outside a region and zeros say where a gradient reaches.
   */
  exactZeros: boolean;
}

/**
 * V[ξ][t / 4][c][t mod 4] = (Bᵀ d B)[ξ] for the tiles t < nt of the block, and zeros for nt ≤ t < 4·nt4:
 * tile t's input d is the 6 × 6 patch of channel c of the padded image in SCRATCH ([cin][Hp][Wp]) at
 * row (t0 + t) / ntx · mt and column ((t0 + t) mod ntx) · mt (SCRATCH indices masked with 0xfffff, SCRATCH_SIZE − 1).
 */
function inputTransform(cin: number, Hp: number, Wp: number, mt: number, ntx: number, t0: number, nt: number, nt4: number): void {
  const v = VBUF;
  const VS = nt4 * 4 * cin; // V's stride between positions ξ
  for (let t = 0; t < 4 * nt4; t++) {
    const vt = (t >> 2) * 4 * cin + (t & 3);
    if (t >= nt) {
      for (let xi = 0; xi < 36; xi++) for (let c = 0; c < cin; c++) v[(xi * VS + vt + 4 * c) & VM_MASK] = 0;
      continue;
    }
    const ty = ((t0 + t) / ntx) | 0, tx = t0 + t - ty * ntx;
    for (let c = 0; c < cin; c++) tileB(c * Hp * Wp + ty * mt * Wp + tx * mt, Wp, v, vt + 4 * c, VS);
  }
}

/**
 * The batched product: MBUF[(o·4·nt4 + t)·36 + ξ] = Σ_c U[ξ][o][c] · V[ξ][c][t] for the group's o < Og4
 * (U from UPACK at uBase) and the block's tiles t < 4·nt4, 4 output channels × 4 tiles at a time.
 */
function product(cin: number, o4: number, nt4: number, uBase: number): void {
  const u = UPACK, v = VBUF, mm = MBUF;
  const US = o4 * cin, VS = nt4 * 4 * cin, TS = nt4 * 4 * 36; // strides: U and V per ξ, M per output channel
  for (let xi = 0; xi < 36; xi++) {
    for (let ob = 0; ob < o4; ob += 4) {
      const ua = uBase + xi * US + ob * cin;
      for (let tb = 0; tb < nt4; tb++) {
        const vb = xi * VS + tb * 4 * cin;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let c = 0, ia = ua, ib = vb; c < cin; c++, ia += 4, ib += 4) {
          const a0 = u[ia & U_MASK], a1 = u[(ia + 1) & U_MASK], a2 = u[(ia + 2) & U_MASK], a3 = u[(ia + 3) & U_MASK];
          let b = v[ib & VM_MASK];
          c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b;
          b = v[(ib + 1) & VM_MASK];
          c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b;
          b = v[(ib + 2) & VM_MASK];
          c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b;
          b = v[(ib + 3) & VM_MASK];
          c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b;
        }
        // M[o][t][ξ] for o = ob .. ob + 3, t = 4·tb .. 4·tb + 3
        const d = ob * TS + tb * 4 * 36 + xi;
        mm[d & VM_MASK] = c00; mm[(d + 36) & VM_MASK] = c01; mm[(d + 72) & VM_MASK] = c02; mm[(d + 108) & VM_MASK] = c03;
        const d1 = d + TS, d2 = d1 + TS, d3 = d2 + TS;
        mm[d1 & VM_MASK] = c10; mm[(d1 + 36) & VM_MASK] = c11; mm[(d1 + 72) & VM_MASK] = c12; mm[(d1 + 108) & VM_MASK] = c13;
        mm[d2 & VM_MASK] = c20; mm[(d2 + 36) & VM_MASK] = c21; mm[(d2 + 72) & VM_MASK] = c22; mm[(d2 + 108) & VM_MASK] = c23;
        mm[d3 & VM_MASK] = c30; mm[(d3 + 36) & VM_MASK] = c31; mm[(d3 + 72) & VM_MASK] = c32; mm[(d3 + 108) & VM_MASK] = c33;
      }
    }
  }
}

/**
 * F(4 × 4, 3 × 3)'s output transform, Y = Aᵀ M A, for output channels o < og and the block's tiles
 * t < nt: 4 × 4 outputs per tile, plus BIAS[o], stored into out[oBase + o·L + oy·wo + ox] where they
 * exist (oy < ho, ox < wo).
 */
function outputTransform4(og: number, nt: number, nt4: number, ntx: number, t0: number, ho: number, wo: number, out: TypedArray, oBase: number): void {
  const mm = MBUF, tmp = TMP, L = ho * wo;
  for (let o = 0; o < og; o++) {
    const z = BIAS[o];
    for (let t = 0; t < nt; t++) {
      const b = (o * nt4 * 4 + t) * 36;
      // down each of the 6 columns: tmp[i][j] = (Aᵀ applied to column j)[i], i < 4
      for (let j = 0; j < 6; j++) {
        const m0 = mm[(b + j) & VM_MASK], m1 = mm[(b + 6 + j) & VM_MASK], m2 = mm[(b + 12 + j) & VM_MASK];
        const m3 = mm[(b + 18 + j) & VM_MASK], m4 = mm[(b + 24 + j) & VM_MASK], m5 = mm[(b + 30 + j) & VM_MASK];
        const s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
        tmp[j] = m0 + s12 + s34;
        tmp[6 + j] = d12 + 2 * d34;
        tmp[12 + j] = s12 + 4 * s34;
        tmp[18 + j] = d12 + 8 * d34 + m5;
      }
      const ty = ((t0 + t) / ntx) | 0, tx = t0 + t - ty * ntx;
      const oy0 = ty * 4, ox0 = tx * 4;
      const full = oy0 + 4 <= ho && ox0 + 4 <= wo;
      // along each of the 4 rows, then stored
      for (let i = 0; i < 4; i++) {
        const k = i * 6;
        const m0 = tmp[k], m1 = tmp[k + 1], m2 = tmp[k + 2], m3 = tmp[k + 3], m4 = tmp[k + 4], m5 = tmp[k + 5];
        const s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
        const y0 = m0 + s12 + s34 + z, y1 = d12 + 2 * d34 + z, y2 = s12 + 4 * s34 + z, y3 = d12 + 8 * d34 + m5 + z;
        const e = oBase + o * L + (oy0 + i) * wo + ox0;
        if (full) {
          out[e] = y0; out[e + 1] = y1; out[e + 2] = y2; out[e + 3] = y3;
        } else if (oy0 + i < ho) {
          storeRagged(out, e, wo - ox0, y0, y1, y2, y3);
        }
      }
    }
  }
}

/**
 * F(2 × 2, 5 × 5)'s output transform, Y = Aᵀ M A with Aᵀ's two rows, for output channels o < og and
 * the block's tiles t < nt, plus BIAS[o], stored where the outputs exist.
 */
function outputTransform2(og: number, nt: number, nt4: number, ntx: number, t0: number, ho: number, wo: number, out: TypedArray, oBase: number): void {
  const mm = MBUF, tmp = TMP, L = ho * wo;
  for (let o = 0; o < og; o++) {
    const z = BIAS[o];
    for (let t = 0; t < nt; t++) {
      const b = (o * nt4 * 4 + t) * 36;
      for (let j = 0; j < 6; j++) {
        const m0 = mm[(b + j) & VM_MASK], m1 = mm[(b + 6 + j) & VM_MASK], m2 = mm[(b + 12 + j) & VM_MASK];
        const m3 = mm[(b + 18 + j) & VM_MASK], m4 = mm[(b + 24 + j) & VM_MASK], m5 = mm[(b + 30 + j) & VM_MASK];
        tmp[j] = m0 + m1 + m2 + m3 + m4;
        tmp[6 + j] = m1 - m2 + 2 * (m3 - m4) + m5;
      }
      const ty = ((t0 + t) / ntx) | 0, tx = t0 + t - ty * ntx;
      const oy0 = ty * 2, ox0 = tx * 2;
      for (let i = 0; i < 2; i++) {
        if (oy0 + i >= ho) break;
        const k = i * 6;
        const m0 = tmp[k], m1 = tmp[k + 1], m2 = tmp[k + 2], m3 = tmp[k + 3], m4 = tmp[k + 4], m5 = tmp[k + 5];
        const e = oBase + o * L + (oy0 + i) * wo + ox0;
        out[e] = m0 + m1 + m2 + m3 + m4 + z;
        if (ox0 + 1 < wo) out[e + 1] = m1 - m2 + 2 * (m3 - m4) + m5 + z;
      }
    }
  }
}

/**
 * The first `cols` (1–3; 4 or more stores all four) of one output row of a ragged F(4 × 4, 3 × 3) tile.
 * A function of its own, so the common full-tile path stays small (see conv.ts's storeTileCols).
 */
function storeRagged(out: TypedArray, e: number, cols: number, y0: number, y1: number, y2: number, y3: number): void {
  out[e] = y0;
  if (cols > 1) out[e + 1] = y1;
  if (cols > 2) out[e + 2] = y2;
  if (cols > 3) out[e + 3] = y3;
}

/*
 * Exact zeros. An output whose whole window of the input is zero is exactly 0 on the other paths (a sum
 * of products with 0), but here it is a difference of the tile's transformed values and comes out as a
 * rounding residue such as 1e-17 whenever other inputs of its 6 × 6 tile are not zero. Where that matters
 * (WinogradConv.exactZeros) the kernel counts, per image, the pixels with a non-zero input in some
 * channel in each output's window (2-D prefix sums) and stores 0 where the count is 0.
 */

/** Prefix sums of the non-zero count per pixel of the padded image, [Hp + 1][Wp + 1] (module scratch, grown as needed). */
let ZSUM = new Int32Array(0);
/** Per tile of the image, a bit per output (i·m + j) whose window is all zeros (module scratch, grown as needed). */
let ZMASK = new Int32Array(0);

/**
 * Fills ZMASK[t] for the T = ntx·nty tiles of the padded image in SCRATCH ([cin][Hp][Wp]) and returns
 * whether any output (oy < ho, ox < wo) has an all-zero r × r window.
 */
function markZeroWindows(cin: number, Hp: number, Wp: number, r: number, mt: number, ntx: number, nty: number, ho: number, wo: number): boolean {
  const s = SCRATCH, W1 = Wp + 1;
  if (ZSUM.length < (Hp + 1) * W1) ZSUM = new Int32Array((Hp + 1) * W1);
  if (ZMASK.length < ntx * nty) ZMASK = new Int32Array(ntx * nty);
  const z = ZSUM;
  z.fill(0, 0, W1);
  for (let y = 0; y < Hp; y++) {
    let row = 0; // pixels of row y, columns 0 .. x, with a non-zero input in some channel
    z[(y + 1) * W1] = 0;
    for (let x = 0; x < Wp; x++) {
      // the first non-zero channel ends the search: a dense image reads channel 0 only
      for (let c = 0, i = y * Wp + x; c < cin; c++, i += Hp * Wp) {
        if (s[i & 0xfffff] !== 0) {
          row++;
          break;
        }
      }
      z[(y + 1) * W1 + x + 1] = z[y * W1 + x + 1] + row;
    }
  }
  let any = false;
  for (let ty = 0; ty < nty; ty++) {
    for (let tx = 0; tx < ntx; tx++) {
      let bits = 0;
      for (let i = 0; i < mt; i++) {
        const oy = ty * mt + i;
        if (oy >= ho) break;
        for (let j = 0; j < mt; j++) {
          const ox = tx * mt + j;
          if (ox >= wo) break;
          const n = z[(oy + r) * W1 + ox + r] - z[oy * W1 + ox + r] - z[(oy + r) * W1 + ox] + z[oy * W1 + ox];
          if (n === 0) bits |= 1 << (i * mt + j);
        }
      }
      ZMASK[ty * ntx + tx] = bits;
      if (bits !== 0) any = true;
    }
  }
  return any;
}

/** Stores 0 into the outputs ZMASK marks, for output channels o < og and the block's tiles t0 .. t0 + nt − 1. */
function storeZeros(og: number, mt: number, nt: number, ntx: number, t0: number, ho: number, wo: number, out: TypedArray, oBase: number): void {
  const L = ho * wo;
  for (let t = 0; t < nt; t++) {
    const bits = ZMASK[t0 + t];
    if (bits === 0) continue;
    const ty = ((t0 + t) / ntx) | 0, tx = t0 + t - ty * ntx;
    for (let k = 0; k < mt * mt; k++) {
      if ((bits & (1 << k)) === 0) continue;
      const oy = ty * mt + ((k / mt) | 0), ox = tx * mt + (k % mt);
      for (let o = 0; o < og; o++) out[oBase + o * L + oy * wo + ox] = 0;
    }
  }
}

/**
 * Runs the forward `d` (see WinogradConv) for images n0 .. n1 − 1, with the transformed weights of
 * every group already in this thread's UPACK: per image and group, the image is copied, padded to
 * whole tiles, into SCRATCH; then per block of at most MAX_BLOCK tiles the input transform, the
 * product and the output transform. Every element of those images' result is stored. Each output's
 * sums run in an order fixed by the shapes alone (not by n0, n1 or the block), so any split of the
 * images between calls or threads gives the same bits. The caller checks winogradFits.
 */
export function winogradConv(d: WinogradConv, n0: number, n1: number): void {
  const { cin, r, m: og, ho, wo, groups } = d;
  const mt = winogradTile(r);
  const ntx = Math.ceil(wo / mt), nty = Math.ceil(ho / mt), T = ntx * nty;
  const Hp = nty * mt + r - 1, Wp = ntx * mt + r - 1; // the whole tiles' reach
  const o4 = og4(og), L = ho * wo, Oall = groups * og;
  // tiles per block: the most that VBUF and MBUF hold, a multiple of 4
  const block = Math.max(4, Math.min(MAX_BLOCK, Math.floor(VM_SIZE / (36 * Math.max(cin, o4))) & ~3));
  if (BIAS.length < o4) BIAS = new Float64Array(o4);
  for (let g = 0; g < groups; g++) {
    for (let o = 0; o < og; o++) BIAS[o] = d.bias === null ? 0 : d.bias[d.biasOff + (g * og + o) * d.biasStride];
    const uBase = g * 36 * o4 * cin;
    for (let n = n0; n < n1; n++) {
      padImage(d.src, d.srcOff + n * d.sN, d.sC, d.sH, d.sW, g * cin, cin, d.hin, d.win, d.padTop, d.padLeft, Hp, Wp, 0);
      const oBase = d.outOff + (n * Oall + g * og) * L;
      const zeros = d.exactZeros && markZeroWindows(cin, Hp, Wp, r, mt, ntx, nty, ho, wo);
      for (let t0 = 0; t0 < T; t0 += block) {
        const nt = Math.min(block, T - t0), nt4 = (nt + 3) >> 2;
        inputTransform(cin, Hp, Wp, mt, ntx, t0, nt, nt4);
        product(cin, o4, nt4, uBase);
        if (mt === 4) outputTransform4(og, nt, nt4, ntx, t0, ho, wo, d.out, oBase);
        else outputTransform2(og, nt, nt4, ntx, t0, ho, wo, d.out, oBase);
        if (zeros) storeZeros(og, mt, nt, ntx, t0, ho, wo, d.out, oBase);
      }
    }
  }
}

// ---- the weight gradient: below this line

/*
 * The weight gradient by the same transforms. For one tile t of one image, one output channel o and one
 * input channel c, the forward computes Y_t = Aᵀ [U ⊙ V_t] A with U = G g Gᵀ and V_t = Bᵀ d_t B. Its
 * adjoint in U (an elementwise product is its own adjoint, and X ↦ Aᵀ X A has the adjoint Ȳ ↦ A Ȳ Aᵀ)
 * is Ū = (A Ȳ_t Aᵀ) ⊙ V_t, and the adjoint of g ↦ G g Gᵀ is Ū ↦ Gᵀ Ū G. Summed over the images and
 * tiles (every output belongs to exactly one tile, and ȳ of the ragged tiles' missing outputs is 0):
 *     ∇g[o][c] = Gᵀ [ Σ_{images, tiles t} (A Ȳ[o]_t Aᵀ) ⊙ (Bᵀ d[c]_t B) ] G,
 * Ȳ[o]_t the m × m block of ȳ that tile t produced. So, per position ξ of the 6 × 6 domain, one product
 * over the tiles:  P[ξ][o][c] = Σ_t Ŷ[ξ][o][t] · V[ξ][c][t]  with Ŷ = A Ȳ Aᵀ (the "output-gradient
 * transform", m × m → 6 × 6) and V the forward's input transform; then ∇g = Gᵀ P[·][o][c] G (6 × 6 → r × r).
 *
 * A, the transpose of Aᵀ: (A y)_ξ = Σ_i a_ξ^i y_i for the five points and y_{m−1} for ∞, i.e. for m = 4
 *     Ŷ: (y0, y0 + y1 + y2 + y3, y0 − y1 + y2 − y3, y0 + 2y1 + 4y2 + 8y3, y0 − 2y1 + 4y2 − 8y3, y3),
 * and for m = 2 (y0, y0 + y1, y0 − y1, y0 + 2y1, y0 − 2y1, y1).
 * Gᵀ (r × 6): (Gᵀ p)_k = p0/4·[k = 0] − p1/6 − (−1)^k p2/6 + 2^k p3/24 + (−2)^k p4/24 + [k = r − 1] p5.
 * test/conv-winograd.test.ts checks the whole against the implicit GEMM's gradient.
 *
 * The product is where the time goes: a register tile of 4 output channels × 4 input channels, 16
 * float64 sums over the block's tiles (the long dimension). Small images are batched (several images'
 * tiles in one block) so the sums run long. The sums P of a run of images are added into the caller's
 * float64 partial [g][ξ][Og4][Cg4] (channels rounded up to 4, the padding rows and columns zero); the
 * caller adds the partials of its fixed units in unit order and transforms once (winogradWeightGradFinish).
 */

/** Most tiles in one block of the weight gradient (the product's depth). */
const WG_MAX_BLOCK = 128;
/**
 * Padding added to the stride between positions ξ in VBUF and MBUF (one 64-byte cache line). A tile's
 * transform writes its 36 values ξ apart; with a power-of-two stride (channels × tiles often is) they
 * all fall in the same few sets of the L1 cache and evict each other (LeNet's second layer ran 2× slower).
 */
const XI_PAD = 8;
/** The output gradient of one tile (at most 4 × 4), zeros where the ragged tile's outputs do not exist. */
const GY = new Float64Array(16);

/** A stride-1 weight gradient for winogradWeightGrad: where x and ȳ are, and the sizes. */
export interface WinogradWeightGrad {
  /** x: element (n, c, y, x) at src[srcOff + n·sN + c·sC + y·sH + x·sW]. */
  src: TypedArray; srcOff: number; sN: number; sC: number; sH: number; sW: number;
  /** ȳ: element (n, o, oy, ox) at gy[gyOff + n·gN + o·gC + oy·gH + ox·gW]. */
  gy: TypedArray; gyOff: number; gN: number; gC: number; gH: number; gW: number;
  /** Input channels per group, and x's height and width. */
  cin: number; hin: number; win: number;
  /** Zero rows above and zero columns left of the image (≥ 0). */
  padTop: number; padLeft: number;
  /** Channel groups and the kernel's size r (3 or 5). */
  groups: number; r: number;
  /** Output channels per group, and ȳ's height and width. */
  m: number; ho: number; wo: number;
}

/** Elements of one partial of the weight gradient: 36 · groups · Og4 · Cg4 (channels rounded up to 4). */
export function winogradWeightGradSize(groups: number, cg: number, og: number): number {
  return ALPHA * ALPHA * groups * og4(og) * og4(cg);
}

/**
 * True when winogradWeightGrad can run: an r × r kernel with r = 3 or 5, a block of 4 tiles of V and
 * Ŷ fitting VBUF and MBUF, and one group's padded image (cin × hp × wp, the whole tiles' reach) fitting SCRATCH.
 */
export function winogradWeightGradFits(r: number, cg: number, og: number, hp: number, wp: number): boolean {
  return (r === 3 || r === 5) && ALPHA * ALPHA * (4 * Math.max(og4(cg), og4(og)) + XI_PAD) <= VM_SIZE && cg * hp * wp <= SCRATCH_SIZE;
}

/**
 * dst[(base + ξ·stride) & VM_MASK] = (Bᵀ d B)[ξ] for the 6 × 6 patch d of SCRATCH at p (row stride Wp;
 * SCRATCH indices masked with 0xfffff): one tile's input transform, for the forward (inputTransform)
 * and the weight gradient.
 */
function tileB(p: number, Wp: number, dst: Float64Array, base: number, stride: number): void {
  const s = SCRATCH, tmp = TMP, v = dst;
  // along each of the 6 rows: tmp[i][ξx] = (d B)[i][ξx] = (Bᵀ applied to row i)[ξx]
  for (let i = 0; i < 6; i++, p += Wp) {
    const d0 = s[p & 0xfffff], d1 = s[(p + 1) & 0xfffff], d2 = s[(p + 2) & 0xfffff];
    const d3 = s[(p + 3) & 0xfffff], d4 = s[(p + 4) & 0xfffff], d5 = s[(p + 5) & 0xfffff];
    const a = d4 - 4 * d2, bb = d3 - 4 * d1, e = d4 - d2, f = 2 * (d3 - d1);
    const k = i * 6;
    tmp[k] = 4 * d0 - 5 * d2 + d4;
    tmp[k + 1] = a + bb;
    tmp[k + 2] = a - bb;
    tmp[k + 3] = e + f;
    tmp[k + 4] = e - f;
    tmp[k + 5] = 4 * d1 - 5 * d3 + d5;
  }
  // down each of the 6 columns j: position (ξy, j) = (Bᵀ applied to column j of tmp)[ξy]
  for (let j = 0, q = base; j < 6; j++, q += stride) {
    const d0 = tmp[j], d1 = tmp[j + 6], d2 = tmp[j + 12], d3 = tmp[j + 18], d4 = tmp[j + 24], d5 = tmp[j + 30];
    const a = d4 - 4 * d2, bb = d3 - 4 * d1, e = d4 - d2, f = 2 * (d3 - d1);
    const S6 = 6 * stride; // ξ = ξy·6 + ξx: position (ξy, j) at q + ξy·6·stride
    v[q & VM_MASK] = 4 * d0 - 5 * d2 + d4;
    v[(q + S6) & VM_MASK] = a + bb;
    v[(q + 2 * S6) & VM_MASK] = a - bb;
    v[(q + 3 * S6) & VM_MASK] = e + f;
    v[(q + 4 * S6) & VM_MASK] = e - f;
    v[(q + 5 * S6) & VM_MASK] = 4 * d1 - 5 * d3 + d5;
  }
}

/**
 * dst[(base + ξ·stride) & VM_MASK] = (A Ȳ Aᵀ)[ξ] for the m × m block Ȳ in GY (row stride m; m = 4 or 2):
 * the output-gradient transform.
 */
function tileA(m: number, dst: Float64Array, base: number, stride: number): void {
  const y = GY, tmp = TMP, v = dst;
  // along each of the m rows: tmp[i][ξx] = (A applied to row i)[ξx]
  for (let i = 0; i < m; i++) {
    const k = i * 6, q = i * m;
    if (m === 4) {
      const y0 = y[q], y1 = y[q + 1], y2 = y[q + 2], y3 = y[q + 3];
      const e1 = y0 + y2, o1 = y1 + y3, e2 = y0 + 4 * y2, o2 = 2 * y1 + 8 * y3;
      tmp[k] = y0; tmp[k + 1] = e1 + o1; tmp[k + 2] = e1 - o1; tmp[k + 3] = e2 + o2; tmp[k + 4] = e2 - o2; tmp[k + 5] = y3;
    } else {
      const y0 = y[q], y1 = y[q + 1];
      tmp[k] = y0; tmp[k + 1] = y0 + y1; tmp[k + 2] = y0 - y1; tmp[k + 3] = y0 + 2 * y1; tmp[k + 4] = y0 - 2 * y1; tmp[k + 5] = y1;
    }
  }
  // down each of the 6 columns: position (ξy, ξx = j) = (A applied to column j of tmp)[ξy]
  const S6 = 6 * stride, M = VM_MASK;
  for (let j = 0, q = base; j < 6; j++, q += stride) {
    if (m === 4) {
      const y0 = tmp[j], y1 = tmp[j + 6], y2 = tmp[j + 12], y3 = tmp[j + 18];
      const e1 = y0 + y2, o1 = y1 + y3, e2 = y0 + 4 * y2, o2 = 2 * y1 + 8 * y3;
      v[q & M] = y0; v[(q + S6) & M] = e1 + o1; v[(q + 2 * S6) & M] = e1 - o1;
      v[(q + 3 * S6) & M] = e2 + o2; v[(q + 4 * S6) & M] = e2 - o2; v[(q + 5 * S6) & M] = y3;
    } else {
      const y0 = tmp[j], y1 = tmp[j + 6];
      v[q & M] = y0; v[(q + S6) & M] = y0 + y1; v[(q + 2 * S6) & M] = y0 - y1;
      v[(q + 3 * S6) & M] = y0 + 2 * y1; v[(q + 4 * S6) & M] = y0 - 2 * y1; v[(q + 5 * S6) & M] = y1;
    }
  }
}

/**
 * The block's transforms: V[ξ][c / 4][t][c mod 4] (VBUF) = Bᵀ d B of input channel c < cin and
 * Ŷ[ξ][o / 4][t][o mod 4] (MBUF) = A Ȳ Aᵀ of output channel o < og for the block's tiles t < nt, tile
 * t being tile tt0 + t of the batch (image b = ⌊tt / T⌋, padded in SCRATCH from b·imgSize, ȳ from gyImg
 * + b·gN). Padding channels (cin ≤ c < c4, og ≤ o < o4) are zeros.
 */
function gradTransforms(d: WinogradWeightGrad, g: number, gyImg: number, Hp: number, Wp: number, mt: number, ntx: number,
  T: number, imgSize: number, tt0: number, nt: number, c4: number, o4: number): void {
  const { cin, m: og, ho, wo, gy, gN, gC, gH, gW } = d;
  const v = VBUF, yb = MBUF, gyb = GY;
  const VS = c4 * nt + XI_PAD, YS = o4 * nt + XI_PAD; // strides between positions ξ
  if (cin !== c4) v.fill(0, 0, 36 * VS);
  if (og !== o4) yb.fill(0, 0, 36 * YS);
  for (let t = 0; t < nt; t++) {
    const tt = tt0 + t, b = (tt / T) | 0, ti = tt - b * T;
    const ty = (ti / ntx) | 0, tx = ti - ty * ntx;
    const oy0 = ty * mt, ox0 = tx * mt;
    for (let c = 0; c < cin; c++) {
      tileB(b * imgSize + c * Hp * Wp + oy0 * Wp + ox0, Wp, v, (c >> 2) * 4 * nt + 4 * t + (c & 3), VS);
    }
    // the tile's outputs that exist: rows oy0 .. oy0 + ny − 1, columns ox0 .. ox0 + nx − 1 (the rest of GY stays 0)
    const ny = Math.min(mt, ho - oy0), nx = Math.min(mt, wo - ox0);
    if (ny < mt || nx < mt) gyb.fill(0);
    for (let o = 0; o < og; o++) {
      const base = gyImg + b * gN + (g * og + o) * gC + oy0 * gH + ox0 * gW;
      for (let i = 0; i < ny; i++) {
        for (let j = 0, e = base + i * gH; j < nx; j++, e += gW) gyb[i * mt + j] = gy[e];
      }
      tileA(mt, yb, (o >> 2) * 4 * nt + 4 * t + (o & 3), YS);
    }
  }
}

/**
 * The block's product, added into the partial: acc[aBase + (ξ·o4 + o)·c4 + c] += Σ_{t < nt} Ŷ[ξ][o][t] · V[ξ][c][t]
 * for every o < o4, c < c4, 4 output channels × 4 input channels at a time.
 */
function gradProduct(c4: number, o4: number, nt: number, acc: Float64Array, aBase: number): void {
  const y = MBUF, v = VBUF;
  const YS = o4 * nt + XI_PAD, VS = c4 * nt + XI_PAD;
  for (let xi = 0; xi < 36; xi++) {
    for (let ob = 0; ob < o4; ob += 4) {
      const ya = xi * YS + ob * nt;
      for (let cb = 0; cb < c4; cb += 4) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let t = 0, ia = ya, ib = xi * VS + cb * nt; t < nt; t++, ia += 4, ib += 4) {
          const a0 = y[ia & VM_MASK], a1 = y[(ia + 1) & VM_MASK], a2 = y[(ia + 2) & VM_MASK], a3 = y[(ia + 3) & VM_MASK];
          let b = v[ib & VM_MASK];
          c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b;
          b = v[(ib + 1) & VM_MASK];
          c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b;
          b = v[(ib + 2) & VM_MASK];
          c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b;
          b = v[(ib + 3) & VM_MASK];
          c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b;
        }
        // rows o = ob .. ob + 3, columns c = cb .. cb + 3 of position ξ
        const d0 = aBase + (xi * o4 + ob) * c4 + cb, d1 = d0 + c4, d2 = d1 + c4, d3 = d2 + c4;
        acc[d0] += c00; acc[d0 + 1] += c01; acc[d0 + 2] += c02; acc[d0 + 3] += c03;
        acc[d1] += c10; acc[d1 + 1] += c11; acc[d1 + 2] += c12; acc[d1 + 3] += c13;
        acc[d2] += c20; acc[d2 + 1] += c21; acc[d2 + 2] += c22; acc[d2 + 3] += c23;
        acc[d3] += c30; acc[d3 + 1] += c31; acc[d3 + 2] += c32; acc[d3 + 3] += c33;
      }
    }
  }
}

/**
 * Adds the transformed weight gradient P of images n0 .. n1 − 1 into the float64 partial
 * acc[accOff + ((g·36 + ξ)·Og4 + o)·Cg4 + c] (winogradWeightGradSize elements; the caller zeroes it).
 * Per group, batches of whole images are padded into SCRATCH, then per block of at most WG_MAX_BLOCK
 * tiles the two transforms and the product. The sums run in an order fixed by the shapes and n0, n1,
 * so a caller's fixed units give the same bits on any thread. The caller checks winogradWeightGradFits.
 */
export function winogradWeightGrad(d: WinogradWeightGrad, n0: number, n1: number, acc: Float64Array, accOff: number): void {
  const { cin, r, m: og, ho, wo, groups } = d;
  const mt = winogradTile(r);
  const ntx = Math.ceil(wo / mt), nty = Math.ceil(ho / mt), T = ntx * nty;
  const Hp = nty * mt + r - 1, Wp = ntx * mt + r - 1; // the whole tiles' reach
  const c4 = og4(cin), o4 = og4(og), imgSize = cin * Hp * Wp;
  const block = Math.max(1, Math.min(WG_MAX_BLOCK, Math.floor((VM_SIZE / 36 - XI_PAD) / Math.max(c4, o4))));
  // images per batch: as many as fill a block with tiles, and fit SCRATCH
  const maxBatch = Math.max(1, Math.min(Math.floor(block / T), Math.floor(SCRATCH_SIZE / imgSize)));
  for (let g = 0; g < groups; g++) {
    const aBase = accOff + g * 36 * o4 * c4;
    for (let nb0 = n0; nb0 < n1; nb0 += maxBatch) {
      const nb = Math.min(maxBatch, n1 - nb0);
      for (let b = 0; b < nb; b++) {
        padImage(d.src, d.srcOff + (nb0 + b) * d.sN, d.sC, d.sH, d.sW, g * cin, cin, d.hin, d.win, d.padTop, d.padLeft, Hp, Wp, b * imgSize);
      }
      for (let tt0 = 0; tt0 < nb * T; tt0 += block) {
        const nt = Math.min(block, nb * T - tt0);
        gradTransforms(d, g, d.gyOff + nb0 * d.gN, Hp, Wp, mt, ntx, T, imgSize, tt0, nt, c4, o4);
        gradProduct(c4, o4, nt, acc, aBase);
      }
    }
  }
}

/** GOUT[k] = (Gᵀ p)_k for p = GMID[0 .. 5] and k < r: the adjoint of transformFilter. */
function transformFilterT(r: number): void {
  const p = GMID, o = GOUT;
  const q0 = p[0] / 4, q1 = -p[1] / 6, q2 = -p[2] / 6, q3 = p[3] / 24, q4 = p[4] / 24;
  // Σ over the points of a_ξ^k · q_ξ: even and odd parts at ±1 and ±2
  const e1 = q1 + q2, o1 = q1 - q2, e2 = q3 + q4, o2 = q3 - q4;
  o[0] = q0 + e1 + e2;
  o[1] = o1 + 2 * o2;
  o[2] = e1 + 4 * e2;
  if (r === 5) {
    o[3] = o1 + 8 * o2;
    o[4] = e1 + 16 * e2;
  }
  o[r - 1] += p[5];
}

/**
 * The weight gradient from the summed transformed partial P (winogradWeightGrad's layout, from
 * acc[accOff]): dst[dOff + ((g·Og + o)·Cg + c)·r² + ky·r + kx] = (Gᵀ P[·][o][c] G)[ky][kx], dst dense
 * [O, Cg, r, r] of any float dtype (each element rounded once).
 */
export function winogradWeightGradFinish(acc: Float64Array, accOff: number, groups: number, cg: number, og: number, r: number, dst: TypedArray, dOff: number): void {
  const c4 = og4(cg), o4 = og4(og), rr = r * r;
  const mid = TMP; // r rows of 6: Gᵀ applied down each column of P
  for (let g = 0; g < groups; g++) {
    for (let o = 0; o < og; o++) {
      for (let c = 0; c < cg; c++) {
        const src = accOff + (g * 36 * o4 + o) * c4 + c; // P[ξ] at src + ξ·o4·c4
        // down the columns: mid[ky][ξx] = Σ_ξy G[ξy][ky] · P[ξy][ξx]
        for (let x = 0; x < ALPHA; x++) {
          for (let y = 0; y < ALPHA; y++) GMID[y] = acc[src + (y * ALPHA + x) * o4 * c4];
          transformFilterT(r);
          for (let ky = 0; ky < r; ky++) mid[ky * ALPHA + x] = GOUT[ky];
        }
        // along the rows: ∇g[ky][kx] = Σ_ξx mid[ky][ξx] · G[ξx][kx]
        const out = dOff + ((g * og + o) * cg + c) * rr;
        for (let ky = 0; ky < r; ky++) {
          for (let x = 0; x < ALPHA; x++) GMID[x] = mid[ky * ALPHA + x];
          transformFilterT(r);
          for (let kx = 0; kx < r; kx++) dst[out + ky * r + kx] = GOUT[kx];
        }
      }
    }
  }
}
