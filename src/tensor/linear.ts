// linear(x, w, b) = x·wᵀ + b over the last dim of x: torch.nn.functional.linear's forward as one
// kernel. The product goes through matmul (threaded when threads are on); the bias is then added
// into that fresh result in place, which saves a dense layer one array and one pass per call.

import { NDArray } from './ndarray.js';
import { fmtShape } from './shape.js';
import { matmul } from './threads.js';

/** x [..., in], w [out, in], b [out] or none (all one dtype) → [..., out]. */
export function linearKernel(x: NDArray, w: NDArray, b?: NDArray): NDArray {
  const inF = x.shape[x.ndim - 1];
  if (x.ndim < 1 || w.ndim !== 2 || w.shape[1] !== inF || (b && (b.ndim !== 1 || b.shape[0] !== w.shape[0]))) {
    throw new RangeError(
      `linear: expected input [..., in], weight [out, in] and bias [out], got ${fmtShape(x.shape)}, ${fmtShape(w.shape)} and ${b ? fmtShape(b.shape) : 'no bias'}`,
    );
  }
  const out = w.shape[0];
  const rows = x.size / inF;
  const y = matmul(x.reshape([rows, inF]), w.transpose(0, 1)); // a new dense [rows, out] array
  if (!b) return y.reshape([...x.shape.slice(0, -1), out]);
  const yd = y.data, bd = b.data, bs = b.strides[0], bo = b.offset;
  for (let r = 0, p = 0; r < rows; r++) { // row by row, in memory order
    for (let j = 0, bj = bo; j < out; j++, bj += bs, p++) yd[p] += bd[bj];
  }
  return y.reshape([...x.shape.slice(0, -1), out]);
}
