// Matrix multiplication: a cache-blocked, register-tiled GEMM kernel over strided typed arrays,
// and `matmul` on NDArrays with PyTorch's rules (1-D promotion, broadcast batch dimensions).

import { promote, type TypedArray } from './dtype.js';
import { NDArray } from './ndarray.js';
import { broadcastShapes, fmtShape, sizeOf } from './shape.js';
import { acquire } from './storage.js';
import { checkTensorSize } from './validate.js';

/*
 * Blocking scheme (the GotoBLAS/BLIS layout, scaled to what V8 can keep in registers):
 *
 *   for each NC-wide column block of B and C
 *     for each KC-deep slice of k:    pack B[kc × nc] into PACK_B as NR-wide column strips
 *       for each MC-tall row block:   pack A[mc × kc] into PACK_A as MR-tall row strips
 *         for each strip pair:        4×4 micro-kernel: 16 sums of kc products in local doubles
 *
 * Packing is where strides are resolved: any layout (row-major, transposed, stepped, stride 0) is
 * copied once per block into float64 strips the micro-kernel walks with unit steps, so the kernel
 * is one monomorphic loop no matter what the inputs look like. A strip of B (kc × 4 doubles, 8 KB)
 * stays in L1 while every strip of the packed A block (≤ 128 KB, L2) passes over it.
 *
 * Two V8 details decide the kernel's speed (measured on V8 11.3, Node 20):
 * - PACK_A and PACK_B are fixed-size module constants, never reallocated, so optimized code embeds
 *   their addresses and lengths instead of checking maps and reloading pointers on every step.
 * - The kernel masks each index with the buffer length - 1, written as a literal (a bundler may turn
 *   module constants into mutable vars). The mask is a no-op, as every index is in range, but it
 *   makes the index arithmetic plain int32, without the overflow check V8 puts on `i + 1`: that
 *   alone lifts the kernel from ~1.8 to ~3.3 GFLOP/s on the development machine.
 * Once any ArrayBuffer in the process has been detached (a transfer, structuredClone; tfjs does one),
 * V8 checks for detachment on every typed-array read and the kernel drops to ~2.1 GFLOP/s. Packing
 * into plain double Arrays avoids that check but costs more (~2.4) when no buffer was ever detached.
 */
const MR = 4; // tile rows and columns; the kernel, packing and stores below unroll these 4s by hand
const NR = 4;
const KC = 256;
const MC = 64;
const NC = 512;
const PACK_A = new Float64Array(MC * KC);
const PACK_B = new Float64Array(KC * NC);
const TILE = new Float64Array(MR * NR);
// The micro-kernel masks its indices with these lengths - 1, written out as literals.
if (PACK_A.length !== 0x4000 || PACK_B.length !== 0x20000) {
  throw new Error('matmul: packing buffer sizes do not match the kernel index masks');
}

/**
 * C = A·B (or C += A·B when `accumulate`), for A m×k with element (i,p) at
 * a[aOff + i*aRowStride + p*aColStride], B k×n likewise, and C m×n row-major with row stride ldc.
 * Transposed operands are read through their strides (any strides work, 0 and negative included);
 * each array may be float32 or float64; sums are accumulated in doubles. C must not overlap A or B.
 */
export function gemm(
  m: number, n: number, k: number,
  a: TypedArray, aOff: number, aRowStride: number, aColStride: number,
  b: TypedArray, bOff: number, bRowStride: number, bColStride: number,
  c: TypedArray, cOff: number, ldc: number,
  accumulate: boolean,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + n);
    return;
  }
  // Packing pays for itself from 4×4 up (measured: 16×16×16 runs twice as fast packed); thinner
  // products would waste most of each padded tile.
  if (m < MR || n < NR) {
    gemmDirect(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, ldc, accumulate);
    return;
  }
  const kc0 = sliceDepth(k);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kc0) {
      const kc = Math.min(kc0, k - pc);
      packB(b, bOff + pc * bRowStride + jc * bColStride, bRowStride, bColStride, kc, nc);
      multiplyPacked(m, nc, kc, a, aOff + pc * aColStride, aRowStride, aColStride, c, cOff + jc, ldc, accumulate || pc > 0);
    }
  }
}

/*
 * The pieces of gemm that threads.ts reuses (so threaded products are bitwise the same): it cuts a
 * product on the same grid — NC-wide column blocks, k-slices of sliceDepth(k) — packs each panel of
 * B once per thread with packB, and hands out row blocks, each multiplied by multiplyPacked.
 */
/** Width of gemm's column blocks of B and C. */
export const GEMM_NC = NC;

/*
 * The packed panels and the micro-kernel, for kernels that pack their operands themselves instead of
 * materialising them (conv.ts builds its im2col columns straight into PACK_B: an implicit GEMM).
 * Layout: PACK_A[strip s][p][r] = A(s·4 + r, p), PACK_B[strip s][p][q] = B(p, s·4 + q), strips kc
 * deep (kc ≤ GEMM_KC); PACK_A holds GEMM_MC rows, PACK_B GEMM_NC columns. gemmTile(kc, ia, ib) leaves
 * the 4×4 product of the strips at ia and ib in GEMM_TILE, row-major.
 */
/** Deepest k-slice the packed panels hold. */
export const GEMM_KC = KC;
/** Rows of A that PACK_A holds. */
export const GEMM_MC = MC;
// Exported through bindings of their own, never by `export { PACK_A as ... }`: an exported binding is a module
// cell that the kernels here would then read through, and V8 no longer embeds the buffers' addresses (see the
// top of this file). Exporting the originals made gemm 9–30% slower by CPU time (64×784·784×128, four runs
// alternated in one process against a copy without the exports, load average 13–15).
/** The packed panel of A (the same array the kernels here fill). */
export const GEMM_PACK_A = PACK_A;
/** The packed panel of B. */
export const GEMM_PACK_B = PACK_B;
/** The 4×4 tile gemmTile leaves its product in. */
export const GEMM_TILE = TILE;
/** GEMM_TILE = (A strip at ia) · (B strip at ib) over kc steps: the micro-kernel. */
export const gemmTile = (kc: number, ia: number, ib: number): void => microKernel(kc, ia, ib);
/** Packs A(i, p) for mc rows and kc columns of a strided A into GEMM_PACK_A (zero-padded strips). */
export const gemmPackA = (a: TypedArray, off: number, rs: number, cs: number, mc: number, kc: number): void => packA(a, off, rs, cs, mc, kc);

/** Depth of gemm's k-slices: equal slices of at most KC (784 = 4 × 196, not 3 × 256 + 16), so no pass is a near-empty one. */
export function sliceDepth(k: number): number {
  return Math.ceil(k / Math.ceil(k / KC)) | 0; // an int32 (Math.ceil hands out a double): it sizes the kernels' loops
}

/**
 * C[0..m, 0..nc] = (or += when `add`) A[0..m, 0..kc] · the kc × nc panel of B that packB last put
 * into PACK_B, packing MC rows of A at a time. gemm's inner loops; m may be any count of rows.
 */
export function multiplyPacked(
  m: number, nc: number, kc: number,
  a: TypedArray, aOff: number, aRowStride: number, aColStride: number,
  c: TypedArray, cOff: number, ldc: number,
  add: boolean,
): void {
  // sizes, offsets and strides read as int32 (| 0): a double among them (a Math.ceil or a division
  // upstream, a stride array that held one) stopped the optimised loops ("not a Smi", node --trace-deopt)
  m |= 0; nc |= 0; kc |= 0; aOff |= 0; aRowStride |= 0; aColStride |= 0; cOff |= 0; ldc |= 0;
  for (let ic = 0; ic < m; ic += MC) {
    const mc = Math.min(MC, m - ic);
    packA(a, aOff + ic * aRowStride, aRowStride, aColStride, mc, kc);
    for (let jr = 0; jr < nc; jr += NR) {
      const cols = Math.min(NR, nc - jr);
      for (let ir = 0; ir < mc; ir += MR) {
        microKernel(kc, ir * kc, jr * kc);
        storeTile(c, cOff + (ic + ir) * ldc + jr, ldc, Math.min(MR, mc - ir), cols, add);
      }
    }
  }
}

/** PACK_A[strip s][p][r] = A(s*MR + r, p), zero-padded to a whole strip. */
function packA(a: TypedArray, off: number, rs: number, cs: number, mc: number, kc: number): void {
  const full = mc - (mc % MR); // rows in whole strips
  packAPartial(a, off + full * rs, rs, cs, kc, mc - full, full * kc); // first, on every call: see below
  for (let i0 = 0; i0 < full; i0 += MR) {
    let d = i0 * kc;
    let s = off + i0 * rs;
    const s1 = rs, s2 = 2 * rs, s3 = 3 * rs;
    for (let p = 0; p < kc; p++, s += cs, d += MR) {
      PACK_A[d] = a[s];
      PACK_A[d + 1] = a[s + s1];
      PACK_A[d + 2] = a[s + s2];
      PACK_A[d + 3] = a[s + s3];
    }
  }
}

/** PACK_B[strip s][p][q] = B(p, s*NR + q), zero-padded to a whole strip (kc ≤ KC, nc ≤ NC). */
export function packB(b: TypedArray, off: number, rs: number, cs: number, kc: number, nc: number): void {
  const full = nc - (nc % NR); // columns in whole strips
  packBPartial(b, off + full * cs, rs, cs, kc, nc - full, full * kc); // first, on every call: see below
  for (let j0 = 0; j0 < full; j0 += NR) {
    let d = j0 * kc;
    let s = off + j0 * cs;
    const s1 = cs, s2 = 2 * cs, s3 = 3 * cs;
    for (let p = 0; p < kc; p++, s += rs, d += NR) {
      PACK_B[d] = b[s];
      PACK_B[d + 1] = b[s + s1];
      PACK_B[d + 2] = b[s + s2];
      PACK_B[d + 3] = b[s + s3];
    }
  }
}

/*
 * The last strip of packA / packB when fewer than 4 rows / columns are left is packed by a function
 * of its own, called before the whole strips on every call (it returns at once when there is no
 * such strip). As a branch inside the packing loop it runs only for sizes that are not a multiple
 * of 4, so it had no type feedback when V8 first optimised the loop, and its first run stopped the
 * optimised code ("Insufficient type feedback for compare operation" in packA on every LeNet run,
 * node --trace-deopt); called first and always, its call site has run before the loop is optimised.
 * It writes other elements than the whole strips, so the order does not change the panel.
 */

/** PACK_A strip at d = rows (< MR; none when 0) rows of A from s, zero-padded to MR rows. */
function packAPartial(a: TypedArray, s: number, rs: number, cs: number, kc: number, rows: number, d: number): void {
  if (rows === 0) return;
  for (let p = 0; p < kc; p++, s += cs) {
    for (let r = 0; r < MR; r++) PACK_A[d++] = r < rows ? a[s + r * rs] : 0;
  }
}

/** PACK_B strip at d = cols (< NR; none when 0) columns of B from s, zero-padded to NR columns. */
function packBPartial(b: TypedArray, s: number, rs: number, cs: number, kc: number, cols: number, d: number): void {
  if (cols === 0) return;
  for (let p = 0; p < kc; p++, s += rs) {
    for (let q = 0; q < NR; q++) PACK_B[d++] = q < cols ? b[s + q * cs] : 0;
  }
}

/**
 * TILE = (A strip at ia) · (B strip at ib) over kc steps: each step loads 4 values of A and 4 of B
 * and does 16 multiply-adds, every loaded value used 4 times from a register.
 */
function microKernel(kc: number, ia: number, ib: number): void {
  const pa = PACK_A, pb = PACK_B;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (const end = (ia + MR * kc) | 0; ia < end; ia = (ia + MR) | 0, ib = (ib + NR) | 0) {
    const a0 = pa[ia & 0x3fff];
    const a1 = pa[(ia + 1) & 0x3fff];
    const a2 = pa[(ia + 2) & 0x3fff];
    const a3 = pa[(ia + 3) & 0x3fff];
    let b = pb[ib & 0x1ffff];
    c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b;
    b = pb[(ib + 1) & 0x1ffff];
    c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b;
    b = pb[(ib + 2) & 0x1ffff];
    c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b;
    b = pb[(ib + 3) & 0x1ffff];
    c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b;
  }
  TILE[0] = c00; TILE[1] = c01; TILE[2] = c02; TILE[3] = c03;
  TILE[4] = c10; TILE[5] = c11; TILE[6] = c12; TILE[7] = c13;
  TILE[8] = c20; TILE[9] = c21; TILE[10] = c22; TILE[11] = c23;
  TILE[12] = c30; TILE[13] = c31; TILE[14] = c32; TILE[15] = c33;
}

/**
 * Writes (or adds) the valid rows × cols corner of TILE into C. Kept out of the micro-kernel: with
 * these rarely-taken branches inside it, V8 deoptimized the kernel over and over (--trace-deopt).
 */
function storeTile(c: TypedArray, ci: number, ldc: number, rows: number, cols: number, add: boolean): void {
  for (let r = 0; r < rows; r++, ci += ldc) {
    const t = r * NR;
    if (cols === NR) {
      if (add) {
        c[ci] += TILE[t]; c[ci + 1] += TILE[t + 1]; c[ci + 2] += TILE[t + 2]; c[ci + 3] += TILE[t + 3];
      } else {
        c[ci] = TILE[t]; c[ci + 1] = TILE[t + 1]; c[ci + 2] = TILE[t + 2]; c[ci + 3] = TILE[t + 3];
      }
    } else if (add) {
      for (let q = 0; q < cols; q++) c[ci + q] += TILE[t + q];
    } else {
      for (let q = 0; q < cols; q++) c[ci + q] = TILE[t + q];
    }
  }
}

/**
 * Unpacked GEMM for products less than a tile tall or wide (vector-matrix, matrix-vector): C is
 * built as dot products read through the strides, four columns at a time where there are four,
 * and otherwise with four partial sums over k so the additions do not wait on each other.
 */
function gemmDirect(
  m: number, n: number, k: number,
  a: TypedArray, aOff: number, ars: number, acs: number,
  b: TypedArray, bOff: number, brs: number, bcs: number,
  c: TypedArray, cOff: number, ldc: number,
  accumulate: boolean,
): void {
  const n4 = n - (n % 4);
  const k4 = k - (k % 4);
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * ars;
    const ci = cOff + i * ldc;
    let j = 0;
    for (; j < n4; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0, pa = ai, pb = bOff + j * bcs; p < k; p++, pa += acs, pb += brs) {
        const x = a[pa];
        s0 += x * b[pb];
        s1 += x * b[pb + bcs];
        s2 += x * b[pb + 2 * bcs];
        s3 += x * b[pb + 3 * bcs];
      }
      if (accumulate) {
        c[ci + j] += s0; c[ci + j + 1] += s1; c[ci + j + 2] += s2; c[ci + j + 3] += s3;
      } else {
        c[ci + j] = s0; c[ci + j + 1] = s1; c[ci + j + 2] = s2; c[ci + j + 3] = s3;
      }
    }
    for (; j < n; j++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let pa = ai, pb = bOff + j * bcs, p = 0;
      for (; p < k4; p += 4, pa += 4 * acs, pb += 4 * brs) {
        s0 += a[pa] * b[pb];
        s1 += a[pa + acs] * b[pb + brs];
        s2 += a[pa + 2 * acs] * b[pb + 2 * brs];
        s3 += a[pa + 3 * acs] * b[pb + 3 * brs];
      }
      for (; p < k; p++, pa += acs, pb += brs) s0 += a[pa] * b[pb];
      const s = s0 + s1 + (s2 + s3);
      if (accumulate) c[ci + j] += s;
      else c[ci + j] = s;
    }
  }
}

/**
 * torch.matmul: 1-D·1-D is a dot product (0-d result); a 1-D first argument is a row vector and a
 * 1-D second argument a column vector, their added dimension removed from the result; beyond 2-D,
 * the leading (batch) dimensions broadcast. Any strided views are read in place; the result is a
 * fresh dense array of the promoted dtype.
 */
export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(
      `matmul: both arguments must be at least 1-D, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  const shapeA = a.shape;
  const shapeB = b.shape;
  // Shapes as 2-D-or-more: a 1-D a is a row [1,k], a 1-D b a column [k,1].
  const sa = a.ndim === 1 ? [1, shapeA[0]] : shapeA;
  const sb = b.ndim === 1 ? [shapeB[0], 1] : shapeB;
  const ra = sa.length, rb = sb.length;
  const m = sa[ra - 2], k = sa[ra - 1];
  const n = sb[rb - 1];
  if (sb[rb - 2] !== k) {
    throw new RangeError(
      `matmul: shapes ${fmtShape(shapeA)} and ${fmtShape(shapeB)} cannot be multiplied (${k} ≠ ${sb[rb - 2]})`,
    );
  }
  const batchA = sa.slice(0, ra - 2);
  const batchB = sb.slice(0, rb - 2);
  let batch: number[];
  try {
    batch = broadcastShapes(batchA, batchB, 'matmul');
  } catch {
    throw new RangeError(
      `matmul: batch shapes ${fmtShape(batchA)} and ${fmtShape(batchB)} cannot be broadcast ` +
        `(shapes ${fmtShape(shapeA)} and ${fmtShape(shapeB)})`,
    );
  }
  const dtype = promote(a.dtype, b.dtype);
  if (a.dtype !== dtype) a = a.astype(dtype);
  if (b.dtype !== dtype) b = b.astype(dtype);
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;

  const outShape = [...batch];
  if (a.ndim > 1) outShape.push(m);
  if (b.ndim > 1) outShape.push(n);
  checkTensorSize('matmul', sizeOf(outShape), outShape);
  // every element is written by gemm below (or the product is empty), so the array need not be zeroed first
  const out = new NDArray(acquire(dtype, sizeOf(outShape), false), outShape);
  const count = sizeOf(batch);
  if (count === 0 || m === 0 || n === 0) return out;

  // Per batch dimension, each operand's stride (0 where it broadcasts), walked as an odometer.
  const nb = batch.length;
  const stepA = batchStrides(a2, nb), stepB = batchStrides(b2, nb);
  const ars = a2.strides[ra - 2], acs = a2.strides[ra - 1];
  const brs = b2.strides[rb - 2], bcs = b2.strides[rb - 1];
  if (stepB.every((s) => s === 0) && stacksRows(stepA, batch, m * ars)) {
    // One B for every batch and A's batches evenly stacked ([B,m,k]·[k,n], the Linear-layer case):
    // one tall product packs B once instead of once per batch.
    gemm(count * m, n, k, a2.data, a2.offset, ars, acs, b2.data, b2.offset, brs, bcs, out.data, 0, n, false);
    return out;
  }
  const idx = new Array<number>(nb).fill(0);
  let offA = a2.offset, offB = b2.offset;
  for (let t = 0; t < count; t++) {
    gemm(m, n, k, a2.data, offA, ars, acs, b2.data, offB, brs, bcs, out.data, t * m * n, n, false);
    for (let d = nb - 1; d >= 0; d--) {
      offA += stepA[d];
      offB += stepB[d];
      if (++idx[d] < batch[d]) break;
      offA -= stepA[d] * batch[d];
      offB -= stepB[d] * batch[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Strides of x's batch dimensions right-aligned to `nb` output batch dims; 0 where x is broadcast. */
function batchStrides(x: NDArray, nb: number): number[] {
  const lead = nb - (x.ndim - 2);
  const steps = new Array<number>(nb).fill(0);
  for (let d = lead; d < nb; d++) {
    if (x.shape[d - lead] !== 1) steps[d] = x.strides[d - lead];
  }
  return steps;
}

/** True when batch t of an operand starts t·rowBlock elements after batch 0 (its rows continue evenly). */
function stacksRows(steps: readonly number[], batch: readonly number[], rowBlock: number): boolean {
  let expected = rowBlock;
  for (let d = batch.length - 1; d >= 0; d--) {
    if (batch[d] !== 1 && steps[d] !== expected) return false;
    expected *= batch[d];
  }
  return true;
}
