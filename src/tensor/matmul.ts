// Matrix multiplication: a cache-blocked, register-tiled GEMM kernel over strided typed arrays,
// and `matmul` on NDArrays with PyTorch's rules (1-D promotion, broadcast batch dimensions).

import { promote, type TypedArray } from './dtype.js';
import { NDArray } from './ndarray.js';
import { broadcastShapes, fmtShape, sizeOf } from './shape.js';

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
 * The packing buffers are fixed-size module constants, never reallocated: V8 then treats them as
 * constants in optimized code, so the kernel skips the map check and base-pointer reload it would
 * otherwise do on every iteration. Their lengths are powers of two, and the kernel masks its indices
 * with length - 1 (a no-op, as every index is in range): that makes the index arithmetic plain int32,
 * without the overflow checks V8 inserts for `i + 1`. Together these made the kernel ~30% faster.
 */
const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;
const NC = 512;
const PACK_A = new Float64Array(MC * KC);
const PACK_B = new Float64Array(KC * NC);
const MASK_A = MC * KC - 1;
const MASK_B = KC * NC - 1;
const TILE = new Float64Array(MR * NR);

/**
 * C = A·B (or C += A·B when `accumulate`), for A m×k with element (i,p) at
 * a[aOff + i*aRowStride + p*aColStride], B k×n likewise, and C m×n row-major with row stride ldc.
 * Transposed operands are read through their strides; sums are accumulated in doubles.
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
  // Equal k-slices (784 = 4 × 196, not 3 × 256 + 16) so no pass is a near-empty one.
  const kc0 = Math.ceil(k / Math.ceil(k / KC));
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kc0) {
      const kc = Math.min(kc0, k - pc);
      const add = accumulate || pc > 0;
      packB(b, bOff + pc * bRowStride + jc * bColStride, bRowStride, bColStride, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, aOff + ic * aRowStride + pc * aColStride, aRowStride, aColStride, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            microKernel(kc, ir * kc, jr * kc);
            storeTile(c, cOff + (ic + ir) * ldc + jc + jr, ldc, Math.min(MR, mc - ir), cols, add);
          }
        }
      }
    }
  }
}

/** PACK_A[strip s][p][r] = A(s*MR + r, p), zero-padded to a whole strip. */
function packA(a: TypedArray, off: number, rs: number, cs: number, mc: number, kc: number): void {
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = Math.min(MR, mc - i0);
    let d = i0 * kc;
    let s = off + i0 * rs;
    if (rows === MR) {
      const s1 = rs, s2 = 2 * rs, s3 = 3 * rs;
      for (let p = 0; p < kc; p++, s += cs, d += MR) {
        PACK_A[d] = a[s];
        PACK_A[d + 1] = a[s + s1];
        PACK_A[d + 2] = a[s + s2];
        PACK_A[d + 3] = a[s + s3];
      }
    } else {
      for (let p = 0; p < kc; p++, s += cs) {
        for (let r = 0; r < MR; r++) PACK_A[d++] = r < rows ? a[s + r * rs] : 0;
      }
    }
  }
}

/** PACK_B[strip s][p][q] = B(p, s*NR + q), zero-padded to a whole strip. */
function packB(b: TypedArray, off: number, rs: number, cs: number, kc: number, nc: number): void {
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = Math.min(NR, nc - j0);
    let d = j0 * kc;
    let s = off + j0 * cs;
    if (cols === NR) {
      const s1 = cs, s2 = 2 * cs, s3 = 3 * cs;
      for (let p = 0; p < kc; p++, s += rs, d += NR) {
        PACK_B[d] = b[s];
        PACK_B[d + 1] = b[s + s1];
        PACK_B[d + 2] = b[s + s2];
        PACK_B[d + 3] = b[s + s3];
      }
    } else {
      for (let p = 0; p < kc; p++, s += rs) {
        for (let q = 0; q < NR; q++) PACK_B[d++] = q < cols ? b[s + q * cs] : 0;
      }
    }
  }
}

/**
 * TILE = (A strip at ia) · (B strip at ib) over kc steps: each step loads 4 values of A and 4 of B
 * and does 16 multiply-adds, every loaded value used 4 times from a register.
 */
function microKernel(kc: number, ia: number, ib: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++, ia = (ia + MR) | 0, ib = (ib + NR) | 0) {
    const a0 = PACK_A[ia & MASK_A];
    const a1 = PACK_A[(ia + 1) & MASK_A];
    const a2 = PACK_A[(ia + 2) & MASK_A];
    const a3 = PACK_A[(ia + 3) & MASK_A];
    let b = PACK_B[ib & MASK_B];
    c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b;
    b = PACK_B[(ib + 1) & MASK_B];
    c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b;
    b = PACK_B[(ib + 2) & MASK_B];
    c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b;
    b = PACK_B[(ib + 3) & MASK_B];
    c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b;
  }
  TILE[0] = c00; TILE[1] = c01; TILE[2] = c02; TILE[3] = c03;
  TILE[4] = c10; TILE[5] = c11; TILE[6] = c12; TILE[7] = c13;
  TILE[8] = c20; TILE[9] = c21; TILE[10] = c22; TILE[11] = c23;
  TILE[12] = c30; TILE[13] = c31; TILE[14] = c32; TILE[15] = c33;
}

/**
 * Writes (or adds) the valid rows × cols corner of TILE into C. Kept out of the micro-kernel: code
 * after a hot loop that has not run yet makes V8 deoptimize the loop's on-stack-replaced version.
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
  const dtype = promote(a.dtype, b.dtype);
  if (a.dtype !== dtype) a = a.astype(dtype);
  if (b.dtype !== dtype) b = b.astype(dtype);
  const a2 = a.ndim === 1 ? a.unsqueeze(0) : a;
  const b2 = b.ndim === 1 ? b.unsqueeze(1) : b;
  const ra = a2.ndim, rb = b2.ndim;
  const m = a2.shape[ra - 2], k = a2.shape[ra - 1];
  const n = b2.shape[rb - 1];
  if (b2.shape[rb - 2] !== k) {
    throw new RangeError(
      `matmul: shapes ${fmtShape(shapeA)} and ${fmtShape(shapeB)} cannot be multiplied (${k} ≠ ${b2.shape[rb - 2]})`,
    );
  }
  const batchA = a2.shape.slice(0, ra - 2);
  const batchB = b2.shape.slice(0, rb - 2);
  let batch: number[];
  try {
    batch = broadcastShapes(batchA, batchB, 'matmul');
  } catch {
    throw new RangeError(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}: batch shapes ${fmtShape(batchA)} and ${fmtShape(batchB)} cannot be broadcast`);
  }

  const outShape = [...batch];
  if (a.ndim > 1) outShape.push(m);
  if (b.ndim > 1) outShape.push(n);
  const out = NDArray.zeros(outShape, dtype);
  const count = sizeOf(batch);
  if (count === 0 || m === 0 || n === 0) return out;

  // Per batch dimension, each operand's stride (0 where it broadcasts), walked as an odometer.
  const nb = batch.length;
  const stepA = batchStrides(a2, nb), stepB = batchStrides(b2, nb);
  const idx = new Array<number>(nb).fill(0);
  let offA = a2.offset, offB = b2.offset;
  for (let t = 0; t < count; t++) {
    gemm(
      m, n, k,
      a2.data, offA, a2.strides[ra - 2], a2.strides[ra - 1],
      b2.data, offB, b2.strides[rb - 2], b2.strides[rb - 1],
      out.data, t * m * n, n,
      false,
    );
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
