// The tg.* function forms of the Tensor methods, plus the ops that take several tensors
// (concat, stack, where). Each is a thin wrapper: the rules live in the op table.

import { promote, type DType } from '../tensor/dtype.js';
import { fmtShape, normAxis } from '../tensor/shape.js';
import type { NormOrder } from './composites.js';
import { apply, type Operand, type SortResult, Tensor, where } from './tensor.js';

export { where };

const T = (x: Operand, other?: Operand): Tensor =>
  x instanceof Tensor ? x : Tensor.scalar(x, other instanceof Tensor ? other.dtype : 'float32');

/**
 * Elementwise a + b with NumPy broadcasting; either side may be a plain number (torch.add). Same as `a.add(b)`.
 * Throws a RangeError when the shapes cannot be broadcast.
 * @example
 * ```ts
 * const a = tg.tensor([[1, 2], [3, 4]]);
 * tg.add(a, tg.tensor([10, 20])); // [[11, 22], [13, 24]]
 * tg.add(a, 1);                   // [[2, 3], [4, 5]]
 * ```
 */
export const add = (a: Operand, b: Operand): Tensor => T(a, b).add(b);
/**
 * Elementwise a − b with broadcasting; either side may be a number. Same as `a.sub(b)`.
 * @example
 * ```ts
 * tg.sub(tg.tensor([5, 7]), 2); // [3, 5]
 * ```
 */
export const sub = (a: Operand, b: Operand): Tensor => T(a, b).sub(b);
/**
 * Elementwise (Hadamard) product a · b with broadcasting; either side may be a number. Same as `a.mul(b)`.
 * For the matrix product use {@link matmul}.
 * @example
 * ```ts
 * tg.mul(tg.tensor([1, 2, 3]), tg.tensor([2, 2, 2])); // [2, 4, 6]
 * ```
 */
export const mul = (a: Operand, b: Operand): Tensor => T(a, b).mul(b);
/**
 * Elementwise a / b with broadcasting; either side may be a number. Same as `a.div(b)`.
 * @example
 * ```ts
 * tg.div(tg.tensor([2, 4]), 2); // [1, 2]
 * ```
 */
export const div = (a: Operand, b: Operand): Tensor => T(a, b).div(b);
/**
 * Elementwise a ** b with broadcasting (torch.pow). A number exponent uses the cheaper constant-power rule.
 * @example
 * ```ts
 * tg.pow(tg.tensor([1, 2, 3]), 2); // [1, 4, 9]
 * ```
 */
export const pow = (a: Operand, b: Operand): Tensor => T(a, b).pow(b);
/**
 * Elementwise maximum of two tensors (or a tensor and a number), with broadcasting; on ties each side gets half the gradient.
 * For the largest element along an axis use {@link max}.
 */
export const maximum = (a: Operand, b: Operand): Tensor => T(a, b).maximum(b);
/**
 * Elementwise minimum of two tensors (or a tensor and a number), with broadcasting; on ties each side gets half the gradient.
 * For the smallest element along an axis use {@link min}.
 */
export const minimum = (a: Operand, b: Operand): Tensor => T(a, b).minimum(b);
/** Elementwise −x. Same as `x.neg()`. */
export const neg = (x: Tensor): Tensor => x.neg();
/** Elementwise eˣ. Same as `x.exp()`. */
export const exp = (x: Tensor): Tensor => x.exp();
/** Elementwise natural logarithm (−Infinity at 0, NaN for negatives). Same as `x.log()`. */
export const log = (x: Tensor): Tensor => x.log();
/** Elementwise log(1 + x), accurate for tiny x. Same as `x.log1p()`. */
export const log1p = (x: Tensor): Tensor => x.log1p();
/** Elementwise square root. Same as `x.sqrt()`. */
export const sqrt = (x: Tensor): Tensor => x.sqrt();
/** Elementwise |x|; the gradient at 0 is 0, as in PyTorch. Same as `x.abs()`. */
export const abs = (x: Tensor): Tensor => x.abs();
/**
 * Elementwise max(x, 0), the rectified linear unit; its gradient at 0 is 0. Same as `x.relu()`.
 * @example
 * ```ts
 * tg.relu(tg.tensor([-1, 0, 2])); // [0, 0, 2]
 * ```
 */
export const relu = (x: Tensor): Tensor => x.relu();
/** Elementwise logistic sigmoid 1 / (1 + e⁻ˣ), squashing values into (0, 1). Same as `x.sigmoid()`. */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
/** Elementwise hyperbolic tangent, squashing values into (−1, 1). Same as `x.tanh()`. */
export const tanh = (x: Tensor): Tensor => x.tanh();
/**
 * Clamps every element into [min, max] (torch.clamp); pass `null` or leave out a bound to skip it.
 * The gradient passes only where min ≤ x ≤ max. Throws a RangeError when min > max.
 * @example
 * ```ts
 * tg.clamp(tg.tensor([-2, 0.5, 3]), 0, 1); // [0, 0.5, 1]
 * ```
 */
export const clamp = (x: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor => x.clamp(min, max);
/**
 * Matrix product with torch.matmul's rules: [m, k] @ [k, n] → [m, n], 1-D operands act as vectors,
 * and leading batch dims broadcast. Same as `a.matmul(b)`; throws a RangeError when the inner dims differ.
 * @example
 * ```ts
 * const a = tg.randn([2, 3]);
 * const b = tg.randn([3, 4]);
 * tg.matmul(a, b).shape; // [2, 4]
 * ```
 */
export const matmul = (a: Tensor, b: Tensor): Tensor => a.matmul(b);
/**
 * Sum over `axis` (one axis, a list, or all when omitted/null); `keepdims` keeps the reduced axes as size 1.
 * @example
 * ```ts
 * const x = tg.tensor([[1, 2], [3, 4]]);
 * tg.sum(x);       // 10 (a 0-d tensor)
 * tg.sum(x, 0);    // [4, 6]
 * tg.sum(x, 1, true).shape; // [2, 1]
 * ```
 */
export const sum = (x: Tensor, axis?: number | number[] | null, keepdims = false): Tensor => x.sum(axis, keepdims);
/**
 * Mean over `axis` (one axis, a list, or all when omitted/null); `keepdims` keeps the reduced axes as size 1.
 * @example
 * ```ts
 * tg.mean(tg.tensor([[1, 2], [3, 4]]), 1); // [1.5, 3.5]
 * ```
 */
export const mean = (x: Tensor, axis?: number | number[] | null, keepdims = false): Tensor => x.mean(axis, keepdims);
/**
 * Largest element over `axis` (all when omitted/null), like torch.amax; tied maxima share the gradient equally.
 * For the elementwise maximum of two tensors use {@link maximum}.
 * @example
 * ```ts
 * tg.max(tg.tensor([[1, 5], [3, 2]]), 1); // [5, 3]
 * ```
 */
export const max = (x: Tensor, axis?: number | number[] | null, keepdims = false): Tensor => x.max(axis, keepdims);
/** Smallest element over `axis` (all when omitted/null), like torch.amin; tied minima share the gradient equally. */
export const min = (x: Tensor, axis?: number | number[] | null, keepdims = false): Tensor => x.min(axis, keepdims);
/** log(Σ exp(x)) over `axis`, computed without overflow by shifting by the maximum (torch.logsumexp). */
export const logsumexp = (x: Tensor, axis?: number | number[] | null, keepdims = false): Tensor => x.logsumexp(axis, keepdims);
/**
 * Softmax along `axis` (default the last): exp(x) normalised to sum to 1, stable for large inputs.
 * @example
 * ```ts
 * tg.softmax(tg.tensor([[1, 2, 3]])); // [[0.090, 0.245, 0.665]]
 * ```
 */
export const softmax = (x: Tensor, axis = -1): Tensor => x.softmax(axis);
/** Log of the softmax along `axis` (default the last), computed as x − logsumexp(x); pair it with a negative log-likelihood loss. */
export const logSoftmax = (x: Tensor, axis = -1): Tensor => x.logSoftmax(axis);
/**
 * The same elements in a new shape (one dim may be -1 to infer it); a view when the strides allow, else a copy.
 * Throws a RangeError when the sizes do not match.
 * @example
 * ```ts
 * tg.reshape(tg.arange(6), [2, -1]).shape; // [2, 3]
 * ```
 */
export const reshape = (x: Tensor, shape: number[]): Tensor => x.reshape(shape);
/**
 * Reorders the dims: output dim i is input dim `dims[i]` (a view, torch.permute).
 * @example
 * ```ts
 * tg.permute(tg.zeros([2, 3, 4]), [2, 0, 1]).shape; // [4, 2, 3]
 * ```
 */
export const permute = (x: Tensor, dims: number[]): Tensor => x.permute(dims);
/** Swaps two dims (a view, torch.transpose); negative dims count from the end. */
export const transpose = (x: Tensor, dim0: number, dim1: number): Tensor => x.transpose(dim0, dim1);
/**
 * Flattens dims startDim..endDim (all by default) into one (torch.flatten).
 * @example
 * ```ts
 * tg.flatten(tg.zeros([8, 2, 3]), 1).shape; // [8, 6]
 * ```
 */
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor => x.flatten(startDim, endDim);
/** Removes size-1 dims: the listed ones (dims of another size are left alone), or all of them when `axis` is omitted. */
export const squeeze = (x: Tensor, axis?: number | number[]): Tensor => x.squeeze(axis);
/**
 * Inserts a size-1 dim at `axis` (torch.unsqueeze); -1 appends one at the end.
 * @example
 * ```ts
 * tg.unsqueeze(tg.zeros([3]), 0).shape; // [1, 3]
 * ```
 */
export const unsqueeze = (x: Tensor, axis: number): Tensor => x.unsqueeze(axis);
/**
 * Picks elements along `axis` with an index tensor of the same rank (torch.gather): `out[i][j] = x[i][index[i][j]]` for axis 1.
 * The output has the index's shape.
 * @example
 * ```ts
 * const x = tg.tensor([[1, 2], [3, 4]]);
 * tg.gather(x, 1, tg.tensor([[1], [0]])); // [[2], [3]]
 * ```
 */
export const gather = (x: Tensor, axis: number, index: Tensor): Tensor => x.gather(axis, index);
/**
 * Selects whole slices along `axis` by integer indices (torch.index_select), e.g. rows of an embedding table.
 * Throws a RangeError for an index out of range.
 * @example
 * ```ts
 * const table = tg.randn([10, 4]);
 * tg.indexSelect(table, 0, [3, 3, 7]).shape; // [3, 4]
 * ```
 */
export const indexSelect = (x: Tensor, axis: number, indices: Tensor | ArrayLike<number>): Tensor => x.indexSelect(axis, indices);

/** Joins tensors along an existing axis; all other dims must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('concat: expected at least one tensor');
  const first = tensors[0];
  if (first.ndim === 0) throw new RangeError('concat: zero-dimensional tensors cannot be concatenated (use stack)');
  const a = normAxis(axis, first.ndim, 'concat');
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new RangeError(`concat: shapes ${fmtShape(first.shape)} and ${fmtShape(t.shape)} differ outside axis ${a}`);
    }
  }
  const dtype = tensors.reduce<DType>((d, t) => promote(d, t.dtype), first.dtype);
  return apply('concat', tensors.map((t) => t.to(dtype)), { axis: a });
}

/**
 * torch.cat's name for {@link concat}: joins tensors along an existing axis.
 * @example
 * ```ts
 * tg.cat([tg.ones([2, 3]), tg.zeros([1, 3])]).shape; // [3, 3]
 * ```
 */
export const cat = concat;

/** Joins same-shape tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('stack: expected at least one tensor');
  const first = tensors[0];
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => d !== first.shape[i])) {
      throw new RangeError(`stack: all tensors must have the same shape, got ${fmtShape(first.shape)} and ${fmtShape(t.shape)}`);
    }
  }
  const a = normAxis(axis, first.ndim + 1, 'stack', first.shape);
  return concat(tensors.map((t) => t.unsqueeze(a)), a);
}

/**
 * Batched matrix product of two 3-D tensors [b, n, m] @ [b, m, p] → [b, n, p] (torch.bmm). Same as `a.bmm(b)`.
 * @example
 * ```ts
 * tg.bmm(tg.zeros([4, 2, 3]), tg.zeros([4, 3, 5])).shape; // [4, 2, 5]
 * ```
 */
export const bmm = (a: Tensor, b: Tensor): Tensor => a.bmm(b);
/**
 * Reverses the order of elements along `dims` (torch.flip). Same as `x.flip(dims)`.
 * @example
 * ```ts
 * tg.flip(tg.tensor([1, 2, 3]), [0]); // [3, 2, 1]
 * ```
 */
export const flip = (x: Tensor, dims: number | readonly number[]): Tensor => x.flip(dims);
/** The lower triangle of the last two dims, the rest zeroed (torch.tril). Same as `x.tril(diagonal)`. */
export const tril = (x: Tensor, diagonal = 0): Tensor => x.tril(diagonal);
/** The upper triangle of the last two dims, the rest zeroed (torch.triu). Same as `x.triu(diagonal)`. */
export const triu = (x: Tensor, diagonal = 0): Tensor => x.triu(diagonal);
/**
 * `value` where `mask` is non-zero, `x` elsewhere (torch.masked_fill). Same as `x.maskedFill(mask, value)`.
 * @example
 * ```ts
 * const scores = tg.zeros([2, 2]);
 * tg.maskedFill(scores, tg.ones([2, 2]).triu(1), -Infinity); // [[0, -Infinity], [0, 0]]
 * ```
 */
export const maskedFill = (x: Tensor, mask: Tensor, value: number | Tensor): Tensor => x.maskedFill(mask, value);
export { einsum } from './einsum.js';

/** Rounds down (torch.floor); the gradient is 0. Same as `x.floor()`. */
export const floor = (x: Tensor): Tensor => x.floor();
/** Rounds up (torch.ceil); the gradient is 0. Same as `x.ceil()`. */
export const ceil = (x: Tensor): Tensor => x.ceil();
/** Rounds toward zero (torch.trunc); the gradient is 0. Same as `x.trunc()`. */
export const trunc = (x: Tensor): Tensor => x.trunc();
/**
 * Rounds to the nearest integer with halves to even, or to `decimals` places (torch.round). Same as `x.round(decimals)`.
 * @example
 * ```ts
 * tg.round(tg.tensor([0.5, 1.5, 2.25]), 1); // [0.5, 1.5, 2.2]
 * ```
 */
export const round = (x: Tensor, decimals = 0): Tensor => x.round(decimals);
/** Product over `axis` (all when omitted), as torch.prod. Same as `x.prod(axis, keepdims)`. */
export const prod = (x: Tensor, axis?: number | null, keepdims = false): Tensor => x.prod(axis, keepdims);
/**
 * Running sum along `axis` (torch.cumsum). Same as `x.cumsum(axis)`.
 * @example
 * ```ts
 * tg.cumsum(tg.tensor([[1, 2], [3, 4]]), 0); // [[1, 2], [4, 6]]
 * ```
 */
export const cumsum = (x: Tensor, axis: number): Tensor => x.cumsum(axis);
/** Running product along `axis` (torch.cumprod). Same as `x.cumprod(axis)`. */
export const cumprod = (x: Tensor, axis: number): Tensor => x.cumprod(axis);
/**
 * The p-norm over `axis` (all when omitted): 2 / 'fro' (default), 1, Infinity, -Infinity, 0 or any p > 0 (torch.norm).
 * Same as `x.norm(p, axis, keepdims)`.
 * @example
 * ```ts
 * tg.norm(tg.tensor([3, 4])).item(); // 5
 * ```
 */
export const norm = (x: Tensor, p: NormOrder = 'fro', axis?: number | number[] | null, keepdims = false): Tensor => x.norm(p, axis, keepdims);
/** Splits into views along `axis`: pieces of one size, or of the listed sizes (torch.split). Same as `x.split(...)`. */
export const split = (x: Tensor, splitSizeOrSections: number | readonly number[], axis = 0): Tensor[] => x.split(splitSizeOrSections, axis);
/** Splits into `chunks` views of ⌈n / chunks⌉ along `axis` (torch.chunk). Same as `x.chunk(chunks, axis)`. */
export const chunk = (x: Tensor, chunks: number, axis = 0): Tensor[] => x.chunk(chunks, axis);
/** Tiles `x` along each dim (torch.tile; `dims` shorter than the rank gets leading 1s). Same as `x.tile(dims)`. */
export const tile = (x: Tensor, dims: readonly number[]): Tensor => x.tile(dims);
/** Shifts elements along `dims`, wrapping around; over the flattened tensor without dims (torch.roll). Same as `x.roll(...)`. */
export const roll = (x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor => x.roll(shifts, dims);
/** Sorted values and their int32 indices along `axis` (torch.sort; stable, NaN last). Same as `x.sort(axis, descending)`. */
export const sort = (x: Tensor, axis = -1, descending = false): SortResult => x.sort(axis, descending);
/** The int32 indices that sort along `axis` (torch.argsort). Same as `x.argsort(axis, descending)`. */
export const argsort = (x: Tensor, axis = -1, descending = false): Tensor => x.argsort(axis, descending);
/** The k largest (or smallest) values along `axis` and their int32 indices (torch.topk). Same as `x.topk(k, axis, largest)`. */
export const topk = (x: Tensor, k: number, axis = -1, largest = true): SortResult => x.topk(k, axis, largest);
/** The outer product of two 1-D tensors (torch.outer). Same as `a.outer(b)`. */
export const outer = (a: Tensor, b: Tensor): Tensor => a.outer(b);

// The rest of the one-tensor methods in function form (torch.sin, torch.argmax, ...); test/api-sync.test.ts
// fails when a Tensor op method has no tg.* form here.

/** Elementwise eˣ − 1, accurate for tiny x (torch.expm1). Same as `x.expm1()`. */
export const expm1 = (x: Tensor): Tensor => x.expm1();
/** Elementwise 1/√x (torch.rsqrt). Same as `x.rsqrt()`. */
export const rsqrt = (x: Tensor): Tensor => x.rsqrt();
/** Elementwise 1/x (torch.reciprocal). Same as `x.reciprocal()`. */
export const reciprocal = (x: Tensor): Tensor => x.reciprocal();
/** Elementwise x² (torch.square). Same as `x.square()`. */
export const square = (x: Tensor): Tensor => x.square();
/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−s²) ds (torch.erf). Same as `x.erf()`.
 * @example
 * ```ts
 * tg.erf(tg.tensor([0, 1])); // [0, 0.8427]
 * ```
 */
export const erf = (x: Tensor): Tensor => x.erf();
/** 1 − erf(x), without cancellation in the right tail (torch.erfc). Same as `x.erfc()`. */
export const erfc = (x: Tensor): Tensor => x.erfc();
/**
 * Elementwise sine, in radians (torch.sin). Same as `x.sin()`.
 * @example
 * ```ts
 * tg.sin(tg.tensor([0, Math.PI / 2])); // [0, 1]
 * ```
 */
export const sin = (x: Tensor): Tensor => x.sin();
/** Elementwise cosine, in radians (torch.cos). Same as `x.cos()`. */
export const cos = (x: Tensor): Tensor => x.cos();
/** −1, 0 or 1 by the sign of each element (NaN stays NaN); its gradient is 0 (torch.sign). Same as `x.sign()`. */
export const sign = (x: Tensor): Tensor => x.sign();
/** 1 where the element is finite, else 0: an int32 mask (torch.isfinite). Same as `x.isFinite()`. */
export const isFinite = (x: Tensor): Tensor => x.isFinite();
/** 1 where the element is NaN, else 0: an int32 mask (torch.isnan). Same as `x.isNaN()`. */
export const isNaN = (x: Tensor): Tensor => x.isNaN();
/** 1 where a == b, else 0, with broadcasting: an int32 mask (torch.eq). Same as `a.eq(b)`. */
export const eq = (a: Tensor, b: Operand): Tensor => a.eq(b);
/** 1 where a != b, else 0 (torch.ne). Same as `a.ne(b)`. */
export const ne = (a: Tensor, b: Operand): Tensor => a.ne(b);
/** 1 where a < b, else 0 (torch.lt). Same as `a.lt(b)`. */
export const lt = (a: Tensor, b: Operand): Tensor => a.lt(b);
/** 1 where a ≤ b, else 0 (torch.le). Same as `a.le(b)`. */
export const le = (a: Tensor, b: Operand): Tensor => a.le(b);
/** 1 where a > b, else 0 (torch.gt). Same as `a.gt(b)`. */
export const gt = (a: Tensor, b: Operand): Tensor => a.gt(b);
/** 1 where a ≥ b, else 0 (torch.ge). Same as `a.ge(b)`. */
export const ge = (a: Tensor, b: Operand): Tensor => a.ge(b);
/** The transpose of a 2-D tensor (torch.t); 0-D and 1-D tensors come back as they are. Same as `x.t()`. */
export const t = (x: Tensor): Tensor => x.t();
/** Index of the largest element (over all elements, or along `axis`) as int32 (torch.argmax). Same as `x.argmax(axis, keepdims)`. */
export const argmax = (x: Tensor, ...args: Parameters<Tensor['argmax']>): ReturnType<Tensor['argmax']> => x.argmax(...args);
/** Index of the smallest element, as int32 (torch.argmin). Same as `x.argmin(axis, keepdims)`. */
export const argmin = (x: Tensor, ...args: Parameters<Tensor['argmin']>): ReturnType<Tensor['argmin']> => x.argmin(...args);
/** Variance over axes with Bessel's correction by default (torch.var). Same as `x.var(axis, keepdims, correction)`. */
const variance = (x: Tensor, ...args: Parameters<Tensor['var']>): Tensor => x.var(...args);
export { variance as var };
/** Standard deviation over axes (torch.std). Same as `x.std(axis, keepdims, correction)`. */
export const std = (x: Tensor, ...args: Parameters<Tensor['std']>): Tensor => x.std(...args);
/** `length` elements from `start` along `dim`, as a view (torch.narrow). Same as `x.narrow(dim, start, length)`. */
export const narrow = (x: Tensor, dim: number, start: number, length: number): Tensor => x.narrow(dim, start, length);
/** A copy with its own storage that stays on the tape (torch.clone). Same as `x.clone()`. */
export const clone = (x: Tensor): Tensor => x.clone();
/** The same values, cut from the tape (torch.detach). Same as `x.detach()`. */
export const detach = (x: Tensor): Tensor => x.detach();
