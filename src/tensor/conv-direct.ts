// Direct (packing-free) kernels for stride-1 convolutions. Each image is first copied, with its
// zero padding, into a fixed float64 scratch; the kernels then read it in place through a table of
// tap offsets, in 4 × 4 register tiles, with every index masked to the scratch's fixed size, so V8
// keeps the index arithmetic in int32 and drops the bounds checks. On LeNet's two layers and the
// conv bench's layer this beat the packed implicit GEMM of conv.ts (1.37×, 1.15×, 1.13× on the
// forward, scratch/direct-proto.ts at the time), which spends its time packing columns that each
// 4 × 4 tile then reads only once or twice.

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
 * packed first, [nb][Ho·Wo][4], so a position reads them at once. Batching images makes LeNet's second
 * layer's sums (8 × 8 positions per image) long enough to pay for a tile's setup.
 */

/** Elements of GRAD4, the packed ȳ of 4 output channels (a power of two, masked like SCRATCH). */
export const GRAD4_SIZE = 1 << 17;
const GRAD4_MASK = GRAD4_SIZE - 1;
/** ȳ[n0 + b, o0 + q, oy, ox] at GRAD4[((b·Ho + oy)·Wo + ox)·4 + q]: module scratch, one per thread. */
const GRAD4 = new Float64Array(GRAD4_SIZE);
/** Per column row k of the kernel, its tap's offset in SCRATCH (module scratch, grown as needed). */
let TAPS = new Int32Array(256);
/** Images per batch, at most: enough positions for any tile, few enough that a batch stays in cache. */
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
  // TAPS[k]: the offset in SCRATCH of column row k = (c, ky, kx) from a position's base
  if (TAPS.length < K) TAPS = new Int32Array(K);
  const taps = TAPS;
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
        for (let k = 0; k < K4; k += 4) {
          tile4x4(taps[k], taps[k + 1], taps[k + 2], taps[k + 3], nb, imgSize, Ho, Wo, Wp, acc, d + k, K, no);
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
