// Direct (packing-free) kernels for stride-1 convolutions. Each image is first copied, with its
// zero padding, into a fixed float64 scratch; the kernels then read it in place through a table of
// tap offsets, in 4 × 4 register tiles, with every index masked to the scratch's fixed size, so V8
// keeps the index arithmetic in int32 and drops the bounds checks. Against the packed implicit GEMM
// of conv.ts, which packs columns that each 4 × 4 tile then reads only a few times, on one thread
// (`npx tsx bench/conv-direct-ab.ts 15`, CPU-time medians, A and B alternated in one process, load
// average 4.3–4.6 on 2 cores: noisy): LeNet's first layer's forward 1.25×, its second's 1.01×, the
// conv bench's layer forward 1.05× and input gradient 1.10×. The GEMM's 4 × 4 kernel runs at the same
// few GFLOP/s as these tiles, so what is saved is the packing; where small images leave the tiles
// doing more multiply-adds than the GEMM, conv.ts keeps the GEMM (directWorkRatio).

import type { TypedArray } from './dtype.js';

/** Elements of the padded-image scratch (a power of two: indices are masked with SCRATCH_MASK). */
export const SCRATCH_SIZE = 1 << 20;
/** Mask for indices into SCRATCH: every read `SCRATCH[i & SCRATCH_MASK]`. */
export const SCRATCH_MASK = SCRATCH_SIZE - 1;
/** One padded image (or ȳ) as float64, [C][Hp][Wp]; module scratch, one per thread. */
export const SCRATCH = new Float64Array(SCRATCH_SIZE);

/**
 * Copies channels c0 .. c0 + nc − 1 of one image (element (c, y, x) at src[off + c·sC + y·sH + x·sW])
 * into SCRATCH as [nc][Hp][Wp] from dOff, with pt rows and pl columns of zeros before the image and
 * zeros after it up to Hp × Wp. Needs dOff + nc·Hp·Wp ≤ SCRATCH_SIZE (the caller checks).
 */
export function padImage(
  src: TypedArray, off: number, sC: number, sH: number, sW: number,
  c0: number, nc: number, H: number, W: number, pt: number, pl: number, Hp: number, Wp: number, dOff: number,
): void {
  const s = SCRATCH;
  for (let c = 0; c < nc; c++) {
    const base = dOff + c * Hp * Wp;
    s.fill(0, base, base + pt * Wp);
    for (let y = 0; y < Hp - pt; y++) {
      const row = base + (pt + y) * Wp;
      if (y >= H) {
        s.fill(0, row, row + Wp);
        continue;
      }
      s.fill(0, row, row + pl);
      const e = Math.min(W, Wp - pl);
      for (let x = 0, i = off + (c0 + c) * sC + y * sH; x < e; x++, i += sW) s[row + pl + x] = src[i];
      s.fill(0, row + pl + e, row + Wp);
    }
  }
}

// ---- the weight gradient (direct): below this line

/*
 * The weight gradient of a stride-1 convolution, a few images at a time:
 *   W̄[o, c, ky, kx] = Σ_n Σ_{oy, ox} ȳ[n, o, oy, ox] · xp[n, c, oy + ky·dh, ox + kx·dw]
 * (xp: x zero-padded). A batch of nb images of one group goes into SCRATCH as [nb][Cg][Hp][Wp]; column
 * row k = (c, ky, kx) of the kernel is then the tap at offset c·Hp·Wp + ky·dh·Wp + kx·dw from a
 * position's base b·Cg·Hp·Wp + oy·Wp + ox. A tile is 4 output channels × 4 taps: 16 float64 sums over
 * the batch's positions, then added into the caller's float64 [O × K] partial. ȳ's four channels are
 * packed first, [nb][Ho·Wo][4], so a position reads them at once. Batching images lengthens the sums
 * of small images (8 × 8 positions: 1–2 % faster than image by image; 24 × 24: no change). conv.ts
 * takes this kernel for at most 8 output channels per group, where it beats the implicit GEMM: its tile
 * loop runs a little slower than the GEMM's micro-kernel, so it wins only where packing costs the most.
 */

/** Elements of GRAD4, the packed ȳ of 4 output channels (a power of two, masked like SCRATCH). */
export const GRAD4_SIZE = 1 << 17;
const GRAD4_MASK = GRAD4_SIZE - 1;
/** ȳ[n0 + b, o0 + q, oy, ox] at GRAD4[((b·Ho + oy)·Wo + ox)·4 + q]: module scratch, one per thread. */
const GRAD4 = new Float64Array(GRAD4_SIZE);
/** Per column row k = (c, ky, kx) of the kernel, its tap's offset in SCRATCH (module scratch, grown as needed). */
let WGRAD_TAPS = new Int32Array(256);
/** Images per batch, at most (batches of 8 × 8-position images then sum 512 positions per tile). */
const MAX_BATCH = 8;

/** The sizes the direct weight gradient needs (a subset of conv.ts's ConvPlan). */
export interface DirectWeightGradPlan {
  H: number; W: number; Ho: number; Wo: number; kh: number; kw: number;
  Cg: number; Og: number; K: number; L: number; spanY: number; spanX: number;
}

/**
 * True when the direct weight gradient can run this stride-1 convolution: one group's padded image
 * (Cg × (Ho + spanY) × (Wo + spanX)) fits SCRATCH, and 4 channels of one image's ȳ fit GRAD4.
 */
export function weightGradDirectFits(p: DirectWeightGradPlan): boolean {
  return p.Cg * (p.Ho + p.spanY) * (p.Wo + p.spanX) <= SCRATCH_SIZE && 4 * p.L <= GRAD4_SIZE;
}

/**
 * Adds the weight gradient of images n0 .. n1 − 1 into acc[accOff + o·K + k] (float64, o over all
 * O = groups·Og output channels, k = (c·kh + ky)·kw + kx): x's element (n, c, y, x) at
 * x[xOff + n·xN + c·xC + y·xH + x·xW], ȳ's likewise with gy's offset and strides. Stride 1 only;
 * needs weightGradDirectFits(p). The sums run in an order fixed by the shapes and n0, n1 (batch,
 * group, tile, position), so a caller's fixed units give the same bits on any thread.
 */
export function weightGradDirect(
  p: DirectWeightGradPlan, groups: number, pt: number, pl: number, dh: number, dw: number,
  x: TypedArray, xOff: number, xN: number, xC: number, xH: number, xW: number,
  gy: TypedArray, gyOff: number, gyN: number, gyC: number, gyH: number, gyW: number,
  n0: number, n1: number, acc: Float64Array, accOff: number,
): void {
  const { H, W, Ho, Wo, kh, kw, Cg, Og, K, L, spanY, spanX } = p;
  const Hp = Ho + spanY, Wp = Wo + spanX;
  const imgSize = Cg * Hp * Wp; // one padded image in SCRATCH
  const maxBatch = Math.max(1, Math.min(MAX_BATCH, Math.floor(SCRATCH_SIZE / imgSize), Math.floor(GRAD4_SIZE / (4 * L))));
  // WGRAD_TAPS[k]: the offset in SCRATCH of column row k = (c, ky, kx) from a position's base
  if (WGRAD_TAPS.length < K) WGRAD_TAPS = new Int32Array(K);
  const taps = WGRAD_TAPS;
  for (let c = 0, k = 0; c < Cg; c++) {
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++, k++) taps[k] = c * Hp * Wp + ky * dh * Wp + kx * dw;
  }
  const K4 = K & ~3;
  for (let nb0 = n0; nb0 < n1; nb0 += maxBatch) {
    const nb = Math.min(maxBatch, n1 - nb0);
    for (let g = 0; g < groups; g++) {
      for (let b = 0; b < nb; b++) padImage(x, xOff + (nb0 + b) * xN, xC, xH, xW, g * Cg, Cg, H, W, pt, pl, Hp, Wp, b * imgSize);
      for (let o0 = 0; o0 < Og; o0 += 4) {
        const no = Math.min(4, Og - o0);
        for (let b = 0; b < nb; b++) packGrad4(gy, gyOff + (nb0 + b) * gyN + (g * Og + o0) * gyC, gyC, gyH, gyW, no, Ho, Wo, 4 * b * L);
        const d = accOff + (g * Og + o0) * K;
        if (no === 1) {
          // one output channel (a depthwise convolution's Og = 1): 1 × 4 tiles, not 4 × 4 with three zero rows
          for (let k = 0; k < K4; k += 4) tile1x4(taps[k], taps[k + 1], taps[k + 2], taps[k + 3], nb, imgSize, Ho, Wo, Wp, acc, d + k);
        } else {
          for (let k = 0; k < K4; k += 4) {
            tile4x4(taps[k], taps[k + 1], taps[k + 2], taps[k + 3], nb, imgSize, Ho, Wo, Wp, acc, d + k, K, no);
          }
        }
        for (let k = K4; k < K; k++) tile4x1(taps[k], nb, imgSize, Ho, Wo, Wp, acc, d + k, K, no);
      }
    }
  }
}

/**
 * GRAD4[dOff + l·4 + q] = ȳ[o0 + q, l] (l = oy·Wo + ox) for q < no, and zero for no ≤ q < 4; ȳ's
 * element (q, oy, ox) at src[off + q·sC + oy·sH + ox·sW].
 */
function packGrad4(src: TypedArray, off: number, sC: number, sH: number, sW: number, no: number, Ho: number, Wo: number, dOff: number): void {
  const G = GRAD4;
  const end = dOff + 4 * Ho * Wo;
  for (let q = 0; q < 4; q++) {
    if (q >= no) {
      for (let i = dOff + q; i < end; i += 4) G[i & GRAD4_MASK] = 0;
      continue;
    }
    for (let oy = 0, i = dOff + q; oy < Ho; oy++) {
      for (let ox = 0, s = off + q * sC + oy * sH; ox < Wo; ox++, s += sW, i += 4) G[i & GRAD4_MASK] = src[s];
    }
  }
}

/**
 * One 4 × 4 tile: acc[d + q·K + t] += Σ_{b, oy, ox} GRAD4[((b·Ho + oy)·Wo + ox)·4 + q] · SCRATCH[b·imgSize + oy·Wp + ox + tap_t]
 * for the output channels q < no and the four taps t (offsets t0 .. t3), over the batch's nb images.
 */
function tile4x4(
  t0: number, t1: number, t2: number, t3: number, nb: number, imgSize: number, Ho: number, Wo: number, Wp: number,
  acc: Float64Array, d: number, K: number, no: number,
): void {
  const s = SCRATCH, G = GRAD4;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ia = 0;
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ib = b * imgSize + oy * Wp, e = ib + Wo; ib < e; ib++, ia += 4) {
        const a0 = G[ia & GRAD4_MASK], a1 = G[(ia + 1) & GRAD4_MASK], a2 = G[(ia + 2) & GRAD4_MASK], a3 = G[(ia + 3) & GRAD4_MASK];
        let x = s[(ib + t0) & SCRATCH_MASK];
        c00 += a0 * x; c10 += a1 * x; c20 += a2 * x; c30 += a3 * x;
        x = s[(ib + t1) & SCRATCH_MASK];
        c01 += a0 * x; c11 += a1 * x; c21 += a2 * x; c31 += a3 * x;
        x = s[(ib + t2) & SCRATCH_MASK];
        c02 += a0 * x; c12 += a1 * x; c22 += a2 * x; c32 += a3 * x;
        x = s[(ib + t3) & SCRATCH_MASK];
        c03 += a0 * x; c13 += a1 * x; c23 += a2 * x; c33 += a3 * x;
      }
    }
  }
  acc[d] += c00; acc[d + 1] += c01; acc[d + 2] += c02; acc[d + 3] += c03;
  if (no > 1) { d += K; acc[d] += c10; acc[d + 1] += c11; acc[d + 2] += c12; acc[d + 3] += c13; }
  if (no > 2) { d += K; acc[d] += c20; acc[d + 1] += c21; acc[d + 2] += c22; acc[d + 3] += c23; }
  if (no > 3) { d += K; acc[d] += c30; acc[d + 1] += c31; acc[d + 2] += c32; acc[d + 3] += c33; }
}

/**
 * One 1 × 4 tile, for a last block of one output channel:
 * acc[d + t] += Σ_{b, oy, ox} GRAD4[((b·Ho + oy)·Wo + ox)·4] · SCRATCH[b·imgSize + oy·Wp + ox + tap_t] for the four taps t.
 */
function tile1x4(t0: number, t1: number, t2: number, t3: number, nb: number, imgSize: number, Ho: number, Wo: number, Wp: number, acc: Float64Array, d: number): void {
  const s = SCRATCH, G = GRAD4;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  let ia = 0;
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ib = b * imgSize + oy * Wp, e = ib + Wo; ib < e; ib++, ia += 4) {
        const a = G[ia & GRAD4_MASK];
        c0 += a * s[(ib + t0) & SCRATCH_MASK]; c1 += a * s[(ib + t1) & SCRATCH_MASK];
        c2 += a * s[(ib + t2) & SCRATCH_MASK]; c3 += a * s[(ib + t3) & SCRATCH_MASK];
      }
    }
  }
  acc[d] += c0; acc[d + 1] += c1; acc[d + 2] += c2; acc[d + 3] += c3;
}

/**
 * One 4 × 1 tile, for the last K mod 4 taps:
 * acc[d + q·K] += Σ_{b, oy, ox} GRAD4[((b·Ho + oy)·Wo + ox)·4 + q] · SCRATCH[b·imgSize + oy·Wp + ox + t0].
 */
function tile4x1(t0: number, nb: number, imgSize: number, Ho: number, Wo: number, Wp: number, acc: Float64Array, d: number, K: number, no: number): void {
  const s = SCRATCH, G = GRAD4;
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  let ia = 0;
  for (let b = 0; b < nb; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ib = b * imgSize + oy * Wp + t0, e = ib + Wo; ib < e; ib++, ia += 4) {
        const x = s[ib & SCRATCH_MASK];
        c0 += G[ia & GRAD4_MASK] * x; c1 += G[(ia + 1) & GRAD4_MASK] * x; c2 += G[(ia + 2) & GRAD4_MASK] * x; c3 += G[(ia + 3) & GRAD4_MASK] * x;
      }
    }
  }
  acc[d] += c0;
  if (no > 1) acc[d + K] += c1;
  if (no > 2) acc[d + 2 * K] += c2;
  if (no > 3) acc[d + 3 * K] += c3;
}

// ---- the forward and the input gradient (direct): below this line

/*
 * With stride 1 the forward and the input gradient are the same computation, a correlation of a
 * padded image P [Cin][Hp][Wp] (in SCRATCH) with a weight matrix A [M][K], K = kh·kw·Cin:
 *
 *   out[m, oy, ox] = bias[m] + Σ_{ky, kx, c} A[m, (ky, kx, c)] · P[c, oy + ky·dh, ox + kx·dw]
 *
 *   forward          P = x padded by (pt, pl);  A[o, (ky, kx, c)] = W[o, c, ky, kx]; M = Og.
 *   input gradient   x̄[c, iy, ix] = Σ_{o, ky, kx} W[o, c, ky, kx] · ȳ[o, iy + pt − ky·dh, ix + pl − kx·dw];
 *                    with ky → kh − 1 − ky (and kx likewise) the ȳ row is iy + ky·dh − (dh·(kh − 1) − pt):
 *                    P = ȳ padded by (dh·(kh − 1) − pt, dw·(kw − 1) − pl), its channels o the reduction's,
 *                    A[c, (ky, kx, o)] = W[o, c, kh − 1 − ky, kw − 1 − kx] (transposed and flipped); M = Cg.
 *
 * Hp = Ho + dh·(kh − 1) and Wp = Wo + dw·(kw − 1) are what the output needs: padImage crops or
 * zero-fills the image to that size. The reduction index k = (ky, kx, c) reads P at TAPS[k] + oy·Wp + ox,
 * TAPS[k] = c·Hp·Wp + ky·dh·Wp + kx·dw. The weights are packed once per block of output channels as
 * float64 WPACK[(m >> 2)·K·4 + k·4 + (m & 3)], so a 4 × 4 tile (4 channels × 4 consecutive columns of
 * one output row) reads 4 weights and 4 pixels per k and does 16 multiply-adds in registers.
 *
 * The taps are ordered (ky, kx, c) so that a tile can skip those that read only padding: the taps of
 * the kernel rows ky that land in P's image rows, and the kernel columns kx that land in its image
 * columns for any of the tile's four columns, are contiguous runs of k. That matters for the input
 * gradient, whose ȳ is padded by up to the kernel's span (LeNet's second layer: 8 × 8 ȳ in a 16 × 16 P).
 */

/** Size of WPACK (a power of two: its indices are masked with 0x3ffff). */
const WPACK_SIZE = 1 << 18;
/** The packed weights of one block of output channels (module scratch, one per thread). */
const WPACK = new Float64Array(WPACK_SIZE);
/** Size of TAPS (a power of two: its indices are masked with 0xffff); K may not exceed it. */
export const TAPS_SIZE = 1 << 16;
/** Per reduction index k = (ky, kx, c): its offset in the padded image. */
const TAPS = new Int32Array(TAPS_SIZE);
/** Most output channels in one packed block (BIAS holds their bias). */
const BLOCK_MAX = 1024;
/** The bias of the block's channels, as float64 (zeros without a bias). */
const BIAS = new Float64Array(BLOCK_MAX);
/** One 4 × 4 tile, for the stores of a tile cut by the last output channel or column. */
const TILE = new Float64Array(16);
/** Per tile column (ox = 4·i): the first and last kernel column whose tap lands in the image (grown as needed). */
let KX_LO = new Int32Array(256), KX_HI = new Int32Array(256);

/**
 * A stride-1 convolution in the form above, for directConv: where the images, weights, bias and
 * result are, and the sizes. The forward passes x and M = Og result channels per group; the input
 * gradient passes ȳ (cin = Og), M = Cg and `transposed`.
 */
export interface DirectConv {
  /** The images read (x or ȳ): element (n, c, y, x) at src[srcOff + n·sN + c·sC + y·sH + x·sW]. */
  src: TypedArray; srcOff: number; sN: number; sC: number; sH: number; sW: number;
  /** Channels of src per group (the reduction's channels), and src's height and width. */
  cin: number; hin: number; win: number;
  /** Zero rows above and zero columns left of the image in P (≥ 0). */
  padTop: number; padLeft: number;
  /** Channel groups, the kernel's size and dilation. */
  groups: number; kh: number; kw: number; dh: number; dw: number;
  /** The weights [O, Cg, kh, kw], dense from wOff. */
  w: TypedArray; wOff: number;
  /** false: A = W (the forward); true: A = W transposed in its two channel axes and flipped in ky, kx (the input gradient). */
  transposed: boolean;
  /** Result channels per group (M), and the result's height and width: out [N][groups·M][ho][wo], dense from outOff. */
  m: number; ho: number; wo: number; out: TypedArray; outOff: number;
  /** bias[m] at bias[biasOff + m·biasStride] for the result's channel m (all groups), or null. */
  bias: TypedArray | null; biasOff: number; biasStride: number;
}

/**
 * True when the direct kernels can run a problem: one group's padded image (cin·Hp·Wp elements) fits
 * SCRATCH and the reduction (K = cin·kh·kw) fits TAPS.
 */
export function directFits(cin: number, hp: number, wp: number, kh: number, kw: number): boolean {
  return cin * hp * wp <= SCRATCH_SIZE && cin * kh * kw <= TAPS_SIZE;
}

/** Most direct-kernel work accepted, as a multiple of the implicit GEMM's (see directWorkRatio). */
export const DIRECT_MAX_WORK_RATIO = 1.1;

/**
 * The direct kernel's multiply-adds ÷ the implicit GEMM's for one pair of channels: the tiles sum,
 * per output row, the kernel rows that land in the image and, per 4-column tile, the kernel columns
 * that land in it for any of the four columns (all four computed, even past the row's end), where
 * the GEMM does ho·wo·kh·kw (the forward or ȳ's positions times every tap). Above 1 when small
 * images leave tiles half-empty, or (input gradient) when ȳ's padding is mostly zeros the tiles cannot
 * skip; below 1 when the tiles skip padding the GEMM multiplies. Arguments as in DirectConv, for
 * the gemm's count `gemmPositions` (the forward's ho·wo, the input gradient's ȳ size).
 */
export function directWorkRatio(
  ho: number, wo: number, kh: number, kw: number, dh: number, dw: number,
  padTop: number, padLeft: number, hin: number, win: number, gemmPositions: number,
): number {
  let rows = 0, cols = 0;
  for (let oy = 0; oy < ho; oy++) {
    rows += Math.max(0, Math.min(kh - 1, Math.floor((padTop + hin - 1 - oy) / dh)) - Math.max(0, Math.ceil((padTop - oy) / dh)) + 1);
  }
  for (let ox = 0; ox < wo; ox += 4) {
    cols += 4 * Math.max(0, Math.min(kw - 1, Math.floor((padLeft + win - 1 - ox) / dw)) - Math.max(0, Math.ceil((padLeft - ox - 3) / dw)) + 1);
  }
  return (rows * cols) / (gemmPositions * kh * kw);
}

/**
 * Packs A's rows m0 .. m0 + mc − 1 of group g into WPACK (zero rows up to a multiple of 4) and their
 * bias into BIAS, k = t·cin + c with t = ky·kw + kx. Forward: A[m, k] = W[g·M + m, c, t];
 * transposed: A[m, k] = W[g·cin + c, m, khw − 1 − t] (khw − 1 − t flips both ky and kx).
 */
function packWeights(d: DirectConv, g: number, m0: number, mc: number): void {
  const { w, wOff, cin, m: M, transposed, bias } = d;
  const khw = d.kh * d.kw, K = cin * khw;
  const wp = WPACK;
  for (let mm = 0; mm < ((mc + 3) & ~3); mm++) {
    const base = (mm >> 2) * K * 4 + (mm & 3);
    if (mm >= mc) {
      for (let k = 0; k < K; k++) wp[base + 4 * k] = 0;
      BIAS[mm] = 0;
      continue;
    }
    const m = g * M + m0 + mm; // the result's channel
    for (let t = 0, k = 0; t < khw; t++) {
      for (let c = 0; c < cin; c++, k++) {
        wp[base + 4 * k] = transposed ? w[wOff + ((g * cin + c) * M + m0 + mm) * khw + khw - 1 - t] : w[wOff + (m * cin + c) * khw + t];
      }
    }
    BIAS[mm] = bias === null ? 0 : bias[d.biasOff + m * d.biasStride];
  }
}

/**
 * The tile kernel: for channels 0 .. mc − 1 of the packed block and every output position,
 * out[o + m·L + oy·wo + ox] = BIAS[m] + Σ_k WPACK[m, k] · SCRATCH[TAPS[k] + oy·Wp + ox] (L = ho·wo),
 * 4 channels × 4 columns at a time, over the runs of k whose taps reach the image (the rest read
 * zeros). Every index into the fixed-size arrays is masked (0xfffff for SCRATCH, 0x3ffff for WPACK,
 * 0xffff for TAPS), so V8 keeps the arithmetic in int32 and drops the bounds checks; a tile's columns
 * past the row's end read whatever follows (masked: inside SCRATCH) into accumulators never stored.
 */
function tiles(d: DirectConv, o: number, mc: number, Wp: number): void {
  const { out, ho, wo, kh, kw, dh, dw, cin, padTop, padLeft, hin, win } = d;
  const s = SCRATCH, wp = WPACK, taps = TAPS, L = ho * wo, K = kh * kw * cin;
  // kernel columns whose tap lands in the image, padLeft ≤ ox + q + kx·dw < padLeft + win, for one of q = 0 .. 3
  const tilesPerRow = (wo + 3) >> 2;
  if (KX_LO.length < tilesPerRow) [KX_LO, KX_HI] = [new Int32Array(tilesPerRow), new Int32Array(tilesPerRow)];
  const kxLoOf = KX_LO, kxHiOf = KX_HI;
  for (let i = 0; i < tilesPerRow; i++) {
    kxLoOf[i] = Math.max(0, Math.ceil((padLeft - 4 * i - 3) / dw));
    kxHiOf[i] = Math.min(kw - 1, Math.floor((padLeft + win - 1 - 4 * i) / dw));
  }
  for (let mb = 0; mb < mc; mb += 4) {
    const rows = Math.min(4, mc - mb);
    const wb = mb * K; // (mb / 4)·K·4
    const z0 = BIAS[mb], z1 = BIAS[mb + 1], z2 = BIAS[mb + 2], z3 = BIAS[mb + 3];
    for (let oy = 0; oy < ho; oy++) {
      // kernel rows whose tap lands in the image: padTop ≤ oy + ky·dh < padTop + hin
      const kyLo = Math.max(0, Math.ceil((padTop - oy) / dh)), kyHi = Math.min(kh - 1, Math.floor((padTop + hin - 1 - oy) / dh));
      const d0 = o + mb * L + oy * wo;
      for (let ox = 0; ox < wo; ox += 4) {
        const kxLo = kxLoOf[ox >> 2], kxHi = kxHiOf[ox >> 2];
        // the taps to sum as runs of k: one run when every kernel column counts, else one per kernel row
        let k0 = (kyLo * kw + kxLo) * cin, runs = kyHi - kyLo + 1, len = (kxHi - kxLo + 1) * cin;
        if (kxLo === 0 && kxHi === kw - 1) {
          len *= runs;
          runs = 1;
        }
        const pb = oy * Wp + ox;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let r = 0; r < runs; r++, k0 += kw * cin) {
          for (let k = k0, ia = wb + 4 * k0, k1 = k0 + len; k < k1; k++, ia += 4) {
            const ib = pb + taps[k & 0xffff];
            const a0 = wp[ia & 0x3ffff], a1 = wp[(ia + 1) & 0x3ffff], a2 = wp[(ia + 2) & 0x3ffff], a3 = wp[(ia + 3) & 0x3ffff];
            let b = s[ib & 0xfffff];
            c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b;
            b = s[(ib + 1) & 0xfffff];
            c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b;
            b = s[(ib + 2) & 0xfffff];
            c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b;
            b = s[(ib + 3) & 0xfffff];
            c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b;
          }
        }
        const e = d0 + ox;
        if (rows === 4 && ox + 4 <= wo) {
          out[e] = c00 + z0; out[e + 1] = c01 + z0; out[e + 2] = c02 + z0; out[e + 3] = c03 + z0;
          const e1 = e + L, e2 = e1 + L, e3 = e2 + L;
          out[e1] = c10 + z1; out[e1 + 1] = c11 + z1; out[e1 + 2] = c12 + z1; out[e1 + 3] = c13 + z1;
          out[e2] = c20 + z2; out[e2 + 1] = c21 + z2; out[e2 + 2] = c22 + z2; out[e2 + 3] = c23 + z2;
          out[e3] = c30 + z3; out[e3 + 1] = c31 + z3; out[e3 + 2] = c32 + z3; out[e3 + 3] = c33 + z3;
        } else {
          // the last channels of the block or the last columns of the row: store what exists
          const t = TILE;
          t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03; t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
          t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23; t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
          const cols = Math.min(4, wo - ox);
          for (let r = 0; r < rows; r++) {
            const z = BIAS[mb + r];
            for (let q = 0; q < cols; q++) out[e + r * L + q] = t[r * 4 + q] + z;
          }
        }
      }
    }
  }
}

/**
 * Runs the convolution `d` (see DirectConv) for images n0 .. n1 − 1: per group and block of result
 * channels, packs the weights once, then per image copies the group's channels, padded, into SCRATCH
 * and runs the tile kernel over them. Every element of those images' result is stored (no zeroing
 * needed). The caller checks directFits. Each image's result depends on that image alone, in the
 * same order of sums, however the images are split between calls (or threads).
 */
export function directConv(d: DirectConv, n0: number, n1: number): void {
  const { cin, kh, kw, dh, dw, m: M, ho, wo } = d;
  const Hp = ho + dh * (kh - 1), Wp = wo + dw * (kw - 1);
  const K = cin * kh * kw, L = ho * wo, Mall = d.groups * M;
  for (let ky = 0, k = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      for (let c = 0; c < cin; c++, k++) TAPS[k] = c * Hp * Wp + ky * dh * Wp + kx * dw;
    }
  }
  // channels per packed block: as many whole tiles as WPACK holds (K ≤ TAPS_SIZE, so at least 4)
  const block = Math.min(BLOCK_MAX, Math.floor(WPACK_SIZE / (4 * K)) * 4);
  for (let g = 0; g < d.groups; g++) {
    for (let m0 = 0; m0 < M; m0 += block) {
      const mc = Math.min(block, M - m0);
      packWeights(d, g, m0, mc);
      for (let n = n0; n < n1; n++) {
        padImage(d.src, d.srcOff + n * d.sN, d.sC, d.sH, d.sW, g * cin, cin, d.hin, d.win, d.padTop, d.padLeft, Hp, Wp, 0);
        tiles(d, d.outOff + (n * Mall + g * M + m0) * L, mc, Wp);
      }
    }
  }
}
