// linear(x, w, b) = x·wᵀ + b over the last dim of x: torch.nn.functional.linear's forward as one
// kernel, optionally with a ReLU fused in (nn.Sequential's Linear → ReLU), and that fused layer's
// backward pass over the output gradient (the ReLU mask and the bias gradient in one sweep).
// The product goes through matmul (threaded when threads are on); the bias (and the ReLU) are then
// applied to that fresh result in place, in one pass, which saves a dense layer arrays and passes.

import { NDArray } from './ndarray.js';
import { fmtShape } from './shape.js';
import { acquire, release } from './storage.js';
import { matmul } from './threads.js';

/** The activation linearKernel can apply in the same pass as the bias. */
export type LinearActivation = 'relu';

/**
 * x [..., in], w [out, in], b [out] or none (all one dtype) → [..., out]; with `activation` 'relu',
 * relu(x·wᵀ + b). Bitwise the unfused ops: the product is stored (rounded to the dtype), the bias
 * added and stored, then ReLU as UNARY.relu computes it.
 */
export function linearKernel(x: NDArray, w: NDArray, b?: NDArray, activation?: LinearActivation): NDArray {
  const inF = x.shape[x.ndim - 1];
  if (x.ndim < 1 || w.ndim !== 2 || w.shape[1] !== inF || (b && (b.ndim !== 1 || b.shape[0] !== w.shape[0]))) {
    throw new RangeError(
      `linear: expected input [..., in], weight [out, in] and bias [out], got ${fmtShape(x.shape)}, ${fmtShape(w.shape)} and ${b ? fmtShape(b.shape) : 'no bias'}`,
    );
  }
  const out = w.shape[0];
  const rows = x.size / inF;
  const y = matmul(x.reshape([rows, inF]), w.transpose(0, 1)); // a new dense [rows, out] array
  if (activation === 'relu') biasRelu(y.data, b, rows, out);
  else if (b) {
    const yd = y.data, bd = b.data, bs = b.strides[0], bo = b.offset;
    for (let r = 0, p = 0; r < rows; r++) { // row by row, in memory order
      for (let j = 0, bj = bo; j < out; j++, bj += bs, p++) yd[p] += bd[bj];
    }
  }
  return y.reshape([...x.shape.slice(0, -1), out]);
}

/**
 * yd[r, j] = relu(yd[r, j] + b[j]) in place over a dense [rows, out] array, in one pass. On float32 the
 * sum is rounded (Math.fround) as storing it would round it, and the ReLU is UNARY.relu's branch-free
 * (v + |v|) / 2 (−∞ guarded), so the values are bitwise those of the bias pass followed by the relu op.
 * No bias is a bias of zeros (y + 0 differs from y only at −0, which the ReLU maps to +0 either way).
 * The bias is read densely, by a unit step (a strided one is copied first): with the stride in the
 * loop, the pass took 1.6× as long (a microbenchmark over the MLP's two hidden layers, 29 µs → 18 µs).
 */
function biasRelu(yd: NDArray['data'], b: NDArray | undefined, rows: number, out: number): void {
  const bias = b === undefined ? new NDArray(acquire(yd instanceof Float64Array ? 'float64' : 'float32', out), [out]) : b.contiguous();
  const bd = bias.data; // dense: offset 0, unit step
  if (yd instanceof Float32Array) {
    for (let r = 0, p = 0; r < rows; r++) {
      for (let j = 0; j < out; j++, p++) {
        let v = Math.fround(yd[p] + bd[j]);
        if (v < -1e38) v = 0;
        yd[p] = (v + Math.abs(v)) * 0.5;
      }
    }
  } else {
    for (let r = 0, p = 0; r < rows; r++) {
      for (let j = 0; j < out; j++, p++) {
        const v = yd[p] + bd[j];
        yd[p] = v <= 0 ? 0 : v;
      }
    }
  }
  if (bias !== b) release(bias.data);
}

/**
 * The backward sweep of y = relu(x·wᵀ + b), given the output gradient g and the output y (same shape):
 * gz = g where y > 0, else g·0 (BINARY.reluBackward's values: a NaN or infinite g stays NaN where y ≤ 0),
 * and, when `withBias`, gb[j] = Σ_rows gz[r, j], summed in doubles from row 0 down as `reduce` sums
 * axis 0, so both are bitwise what the separate relu backward and bias sum give.
 */
export function linearReluGradKernel(g: NDArray, y: NDArray, withBias: boolean): { gz: NDArray; gb: NDArray | null } {
  const out = y.shape[y.ndim - 1];
  const rows = out === 0 ? 0 : y.size / out;
  const gc = g.isContiguous() ? g : g.contiguous();
  const yc = y.isContiguous() ? y : y.contiguous();
  const gd = gc.data, go = gc.offset, yd = yc.data, yo = yc.offset;
  const gz = acquire(g.dtype, y.size, false);
  // scratch sums in doubles (only their row-0 copy needs no zeroing; an empty batch leaves them 0)
  const sums = withBias ? acquire('float64', out, rows === 0) : null;
  for (let r = 0, p = 0; r < rows; r++) {
    for (let j = 0; j < out; j++, p++) {
      const v = gd[go + p];
      const m = yd[yo + p] > 0 ? v : v * 0; // exact in g's dtype: v itself, or ±0 / NaN
      gz[p] = m;
      if (sums !== null) {
        if (r === 0) sums[j] = m;
        else sums[j] += m;
      }
    }
  }
  let gb: NDArray | null = null;
  if (sums !== null) {
    const gbd = acquire(g.dtype, out, false);
    for (let j = 0; j < out; j++) gbd[j] = sums[j];
    release(sums);
    gb = new NDArray(gbd, [out]);
  }
  return { gz: new NDArray(gz, [...y.shape]), gb };
}
