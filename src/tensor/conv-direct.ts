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

// ---- the forward and the input gradient (direct): below this line
