// Tensor: an NDArray plus what the tape needs (requiresGrad, grad, and the node that made it).
// Every differentiable method funnels through `apply`, which runs the kernel and records the node.

import { allocate, assertDType, type DType, isFloating, promote, type TypedArray } from '../tensor/dtype.js';
import { fromValue, full } from '../tensor/creation.js';
import { BINARY, mapBinary, mapUnary, UNARY } from '../tensor/elementwise.js';
import { formatArray } from '../tensor/format.js';
import { checkIndices } from '../tensor/indexing.js';
import { ndarrayToScijs } from '../tensor/interop.js';
import { triangleMask } from '../tensor/movement.js';
import { NDArray } from '../tensor/ndarray.js';
import { argReduce } from '../tensor/reduce.js';
import { sortIndices } from '../tensor/scan.js';
import { broadcastShapes, fmtShape, inferShape, normAxes, normAxis, shapesEqual } from '../tensor/shape.js';
import { giveBack, isSoleOwner, markShared, noteHolder, pin, release } from '../tensor/storage.js';
import { checkDims, checkInt } from '../tensor/validate.js';
import { inBackward, isGradEnabled } from './mode.js';
import { storageVersion } from './version.js';
import * as C from './composites.js';
import { FLOAT_ONLY, OPS, savedArrays, type OpAttrs, type OpName } from './ops.js';
import { backward, type BackwardOptions } from './tape.js';
import { isTracing, noteOp, traceComposite } from './trace.js';

/** One recorded operation of primitive K: its inputs, its attributes (typed by K) and its output. */
export interface NodeOf<K extends OpName> {
  readonly op: K;
  inputs: Tensor[] | null; // null once freed after backward
  readonly attrs: OpAttrs[K];
  output: Tensor | null;
  readonly id: number;
  /**
   * The version of each input's storage, then the output's, when the op was recorded (see version.ts); null when
   * all were 0 (storage never written in place: nearly every node, which then allocates no array for them).
   */
  readonly versions: readonly number[] | null;
}

/** A recorded operation, typed by its op: checking `node.op === 'sum'` narrows `node.attrs` to the sum's axes. */
export type Node = { [K in OpName]: NodeOf<K> }[OpName];

let nextNodeId = 0;

/**
 * Runs primitive `op` and, when recording and some input requires grad, records it on the tape. Plain loops, no
 * closures: every op of a training step passes here, and for small tensors this bookkeeping is most of an op's cost.
 */
export function apply<K extends OpName>(op: K, inputs: Tensor[], attrs: OpAttrs[K]): Tensor {
  const n = inputs.length;
  let wantsGrad = false;
  for (let i = 0; i < n; i++) {
    const t = inputs[i];
    if (t._disposed) t._checkUsable(op);
    if (t.requiresGrad) wantsGrad = true;
  }
  // int32 inputs of exp, log, division... are computed in float32, as PyTorch does
  const xs = FLOAT_ONLY.has(op) ? inputs.map((t) => (isFloating(t.dtype) ? t : t.to('float32'))) : inputs;
  const values = new Array<NDArray>(n);
  for (let i = 0; i < n; i++) values[i] = xs[i].value;
  const value = OPS[op].forward(values, attrs);
  // no gradient flows into an integer result (a cast to int32, an int32 sum...)
  const record = wantsGrad && isGradEnabled() && isFloating(value.dtype);
  const out = new Tensor(value, record);
  if (record) {
    // the node keeps its inputs (and any labels or indices in attrs) until backward frees it: dispose leaves them be
    let versions: number[] | null = null;
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      x._tapeRefs++;
      const v = storageVersion(x.value.data);
      if (v !== 0) (versions ??= new Array<number>(n + 1).fill(0))[i] = v;
    }
    const v = storageVersion(value.data);
    if (v !== 0) (versions ??= new Array<number>(n + 1).fill(0))[n] = v;
    const node: NodeOf<K> = { op, inputs: xs, attrs, output: out, id: nextNodeId++, versions };
    for (const a of savedArrays(node as Node)) pin(a);
    // NodeOf<K> is one member of the Node union; TypeScript cannot see that for a generic K (the one cast
    // the typed tape needs: readers narrow on node.op instead)
    out.node = node as Node;
  }
  return isTracing() ? noteOp(op, xs, out, attrs) : out;
}

/**
 * The right-hand side of a binary op: a Tensor, or a plain number that is treated as a scalar of the tensor's dtype
 * (a non-integer number with an int32 tensor is a float32 scalar, so `ints.mul(0.5)` is float32, as in PyTorch).
 */
export type Operand = Tensor | number;

/** The dtype a plain number takes next to a tensor of dtype `like`. */
const numberDType = (v: number, like: DType): DType => (isFloating(like) || Number.isInteger(v) ? like : 'float32');
/** A number as a 0-d tensor beside a tensor of dtype `like`. */
const scalarBeside = (v: number, like: DType): Tensor => Tensor.scalar(v, numberDType(v, like));

/** Casts and broadcasts two operands to one dtype and shape (numbers take the tensor's dtype). */
function broadcastPair(op: string, a: Tensor, b: Operand): [Tensor, Tensor] {
  const bt = typeof b === 'number' ? scalarBeside(b, a.dtype) : b;
  if (!(bt instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor or a number, got ${typeof b}`);
  const dtype = promote(a.dtype, bt.dtype);
  let x = a.dtype === dtype ? a : a.to(dtype);
  let y = bt.dtype === dtype ? bt : bt.to(dtype);
  if (!shapesEqual(x.shape, y.shape)) {
    const shape = broadcastShapes(x.shape, y.shape, op);
    if (!shapesEqual(x.shape, shape)) x = apply('expand', [x], { shape });
    if (!shapesEqual(y.shape, shape)) y = apply('expand', [y], { shape });
  }
  return [x, y];
}

function binary(op: 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum', a: Tensor, b: Operand): Tensor {
  const [x, y] = broadcastPair(op, a, b);
  return apply(op, [x, y], null);
}

/** A comparison: a constant int32 0/1 mask that carries no gradient (tapegrad's boolean type). */
function compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: Tensor, b: Operand): Tensor {
  // a number is compared as the tensor's dtype would store it (x.eq(0.1) on float32 finds fround(0.1))
  const bt = typeof b === 'number' ? Tensor.scalar(b, numberDType(b, a.dtype)) : b;
  if (!(bt instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor or a number, got ${typeof b}`);
  const shape = broadcastShapes(a.shape, bt.shape, op);
  a._checkUsable(op);
  bt._checkUsable(op);
  const out = new Tensor(mapBinary(op, a.value.expand(shape), bt.value.expand(shape), BINARY[op], 'int32'));
  return isTracing() ? noteOp(op, [a, bt], out, null) : out;
}

/** where(cond, a, b): elements of a where cond is non-zero, else of b (all three broadcast together). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const dtypeOf = (v: Operand, other: Operand): DType => {
    if (typeof v !== 'number') return v.dtype;
    if (typeof other !== 'number') return numberDType(v, other.dtype);
    return isFloating(cond.dtype) ? cond.dtype : Number.isInteger(v) ? 'int32' : 'float32';
  };
  const dtype = promote(dtypeOf(a, b), dtypeOf(b, a));
  const at = typeof a === 'number' ? Tensor.scalar(a, dtype) : a.to(dtype);
  const bt = typeof b === 'number' ? Tensor.scalar(b, dtype) : b.to(dtype);
  // one broadcast of all three, so each operand is expanded (and its gradient summed) exactly once
  const shape = broadcastShapes(broadcastShapes(cond.shape, at.shape, 'where'), bt.shape, 'where');
  const c = cond.detach();
  return apply('where', [c.expand(shape), at.expand(shape), bt.expand(shape)], null);
}

/** What `sort` and `topk` return (PyTorch's (values, indices) pair). */
export interface SortResult {
  /** The selected elements in order (differentiable: a gather from the input). */
  values: Tensor;
  /** Where each value sits along the sorted axis of the input (int32, no gradient). */
  indices: Tensor;
}

/** Bits of Tensor's `flags` field. */
const FLAG_RETAINS_GRAD = 1, FLAG_RELEASABLE = 2, FLAG_DISPOSED = 4, FLAG_GRAD_OWNED = 8;
/** `flags` with `bit` set or cleared. */
const withBit = (flags: number, bit: number, on: boolean): number => (on ? flags | bit : flags & ~bit);

const intGradError = (op: string) =>
  new TypeError(`${op}: only floating-point tensors can require gradients, got an int32 tensor (convert it with .float() first)`);

/**
 * An n-dimensional array of float32, float64 or int32 numbers that autograd can track, like torch.Tensor
 * (int32 holds indices, labels and masks, and carries no gradient).
 * Create tensors with `tg.tensor`, `tg.zeros`, `tg.randn` and friends; set `requiresGrad` on the leaves you want
 * gradients for, compute a scalar loss with the methods below, then call `backward()` and read `.grad`.
 * Every op returns a new tensor; shapes broadcast with NumPy/PyTorch rules.
 * @example
 * ```ts
 * const w = tg.tensor([[0.5], [1]], { requiresGrad: true });
 * const loss = tg.tensor([[1, 2]]).matmul(w).square().sum();
 * loss.backward();
 * w.grad?.toArray(); // [[5], [10]]
 * ```
 */
export class Tensor {
  /** The underlying strided array holding the numbers (shared by views and by `detach()`). */
  value: NDArray;
  /** Whether operations on this tensor are recorded so gradients can flow back to it. */
  requiresGrad: boolean;
  /** The recorded operation that produced this tensor; null for leaves and untracked results. */
  node: Node | null = null;
  private gradValue: Tensor | null = null;
  /** An optional label (parameters get their stateDict key); shown by toDot. */
  name: string | undefined;
  /**
   * Four booleans in one field (the FLAG_ bits: retainsGrad, releasable, _disposed, and whether the tape owns
   * .grad), read through the accessors below. Every op makes a Tensor and the graph keeps it alive until backward,
   * so each field is memory the garbage collector copies again and again (docs/performance.md, issue 11).
   */
  private flags = 0;
  /** @internal How many recorded nodes not yet freed by backward keep this tensor as an input. */
  _tapeRefs = 0;

  constructor(value: NDArray, requiresGrad = false) {
    if (requiresGrad && !isFloating(value.dtype)) throw intGradError('Tensor');
    this.value = value;
    this.requiresGrad = requiresGrad;
    noteHolder(value); // a second tensor on the same storage (a view, a detach) marks it shared
  }

  /** Keep .grad on this non-leaf tensor during backward (see retainGrad()). */
  get retainsGrad(): boolean { return (this.flags & FLAG_RETAINS_GRAD) !== 0; }
  set retainsGrad(on: boolean) { this.flags = withBit(this.flags, FLAG_RETAINS_GRAD, on); }
  /**
   * @internal Set by library code (nn.Sequential) on an intermediate result that no user code can reach:
   * once backward has freed the graph, its buffer goes back to the caching allocator (src/tensor/storage.ts).
   */
  get releasable(): boolean { return (this.flags & FLAG_RELEASABLE) !== 0; }
  set releasable(on: boolean) { this.flags = withBit(this.flags, FLAG_RELEASABLE, on); }
  /** @internal True once dispose() ran: every use throws (see _checkUsable). */
  get _disposed(): boolean { return (this.flags & FLAG_DISPOSED) !== 0; }
  set _disposed(on: boolean) { this.flags = withBit(this.flags, FLAG_DISPOSED, on); }
  /** True while .grad is a buffer the tape made and no code outside the library has read (see _ownsGrad). */
  private get gradOwned(): boolean { return (this.flags & FLAG_GRAD_OWNED) !== 0; }
  private set gradOwned(on: boolean) { this.flags = withBit(this.flags, FLAG_GRAD_OWNED, on); }

  /** True once {@link Tensor.dispose} was called on this tensor (TF.js's isDisposed). */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Tells the library you are done with this tensor, as TF.js's dispose: its array goes back to the caching
   * allocator (`tg.cacheStats`), so the next step of a loop reuses it instead of making a new one. Any later use
   * (an op, `item`, `toArray`, `backward`...) throws an Error naming the op. Disposing twice does nothing.
   *
   * It is always safe: the array is recycled only when nothing else can still see it. It is kept (the tensor is
   * only marked disposed) when it was not made by the allocator (you wrapped your own typed array), when another
   * tensor shares it (a view from reshape/transpose/slice/expand, a `detach()`, `toNdarray()`), while a recorded
   * graph that backward has not freed yet saved it (then backward still works, and recycles it when it frees that
   * graph), and for parameters: disposing a Parameter marks it disposed, so a forward that uses it throws, but its
   * storage is never recycled, as the module, its optimizer and state dicts still refer to it. Dispose a tensor only
   * once no object you passed it to keeps it (your own caches, a module's state, an NDArray you built by hand on its
   * `value.data`: views made with the tensor's or the NDArray's methods are seen, a hand-built one is not).
   * @example
   * ```ts
   * const w = tg.randn([3, 2], { requiresGrad: true });
   * const out = tg.ones([4, 3]).matmul(w);
   * const loss = out.square().mean();
   * loss.backward();
   * const value = loss.item();
   * out.dispose();     // their arrays serve the next step
   * loss.dispose();
   * loss.isDisposed;   // true
   * // loss.item() now throws: "item: this float32 tensor of shape [] was disposed ..."
   * ```
   */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._releaseIfUnseen();
  }

  /**
   * @internal Gives a disposed tensor's array back to the caching allocator when nothing else can see it: made by
   * the allocator, held by this tensor alone, kept by no live graph node (as an input, as this tensor's own node's
   * output, or in a node's attributes), and not a parameter. The tape calls it again when it frees a node that
   * kept a disposed tensor.
   */
  _releaseIfUnseen(): void {
    if (!this._disposed || this.isParameter || this._tapeRefs > 0 || (this.node !== null && this.node.inputs !== null)) return;
    if (isSoleOwner(this.value)) giveBack(this.value); // once: the note then says so, for the tape's later call
  }

  /** @internal A new untracked tensor holding `value` (for the op table, which imports no values from this file). */
  _untracked(value: NDArray): Tensor {
    return new Tensor(value);
  }

  /** @internal Throws the use-after-dispose error naming `op` (a backward pass may still read saved tensors). */
  _checkUsable(op: string): void {
    if (this._disposed && !inBackward()) {
      throw new Error(`${op}: this ${this.dtype} tensor of shape ${fmtShape(this.shape)} was disposed (tensor.dispose() or tg.dispose()) and can no longer be used`);
    }
  }

  /** A 0-d tensor holding one number (float32 unless `dtype` says otherwise), not tracked by autograd. */
  static scalar(v: number, dtype: DType = 'float32'): Tensor {
    const data = allocate(dtype, 1);
    data[0] = v;
    return new Tensor(new NDArray(data, []));
  }

  /** The size of each dimension, e.g. [2, 3] for a 2×3 matrix; [] for a scalar. */
  get shape(): number[] { return this.value.shape as number[]; }
  /** The element type: 'float32', 'float64' or 'int32'. */
  get dtype(): DType { return this.value.dtype; }
  /** The number of elements (the product of the shape). */
  get size(): number { return this.value.size; }
  /** The number of dimensions (the rank): 0 for a scalar, 2 for a matrix. */
  get ndim(): number { return this.value.ndim; }
  /** The accumulated gradient (leaves, and non-leaves that retainGrad()), filled by backward(); null until then. */
  get grad(): Tensor | null {
    this.gradOwned = false; // the caller may keep it: the tape no longer writes into it or recycles it
    return this.gradValue;
  }
  set grad(g: Tensor | null) {
    this.gradValue = g;
    this.gradOwned = false;
  }

  /**
   * @internal The gradient without handing it out: optimizers and the tape read it this way, so the tape keeps
   * owning a buffer it made (see {@link Tensor._ownsGrad}).
   */
  _peekGrad(): Tensor | null {
    return this.gradValue;
  }

  /**
   * @internal Whether the tape owns .grad's buffer: made by backward and never read through `.grad`, so it may
   * add into it in place or, once cleared, recycle it (PyTorch accumulates in place when nothing else refers to
   * the gradient).
   */
  _ownsGrad(): boolean {
    return this.gradOwned;
  }

  /** @internal Sets the gradient from library code; `owned` says the tape made it and nothing else refers to it. */
  _setGrad(g: Tensor | null, owned: boolean): void {
    this.gradValue = g;
    this.gradOwned = owned && g !== null;
  }

  /** A leaf is a tensor not produced by a recorded op (parameters and inputs). */
  get isLeaf(): boolean { return this.node === null; }
  /** True for nn.Parameter (which overrides this), so autograd code can tell weights from inputs without importing nn. */
  get isParameter(): boolean { return false; }
  /**
   * How many times this tensor's storage was written in place (optimizer steps, loadStateDict, init functions), as
   * PyTorch's `_version`. Backward checks it: a tensor saved for a gradient must not have changed since.
   */
  get version(): number { return storageVersion(this.value.data); }
  /** The name of the op that produced this tensor (PyTorch's grad_fn), or null. */
  get gradFn(): string | null {
    if (!this.node) return null;
    return this.node.op === 'custom' ? (this.node.attrs as OpAttrs['custom']).name : this.node.op;
  }

  // ---- autograd ------------------------------------------------------------------------------

  /**
   * Back-propagates from this tensor; gradients accumulate into .grad of leaves. A non-scalar tensor needs
   * `gradient` (the upstream gradient, same shape); throws if this tensor has no recorded graph.
   * @example
   * ```ts
   * const x = tg.tensor([1, 2, 3], { requiresGrad: true });
   * x.square().sum().backward();
   * x.grad?.toArray(); // [2, 4, 6]
   * ```
   */
  backward(gradient?: Tensor | number, options: BackwardOptions = {}): void {
    this._checkUsable('backward');
    if (gradient instanceof Tensor) gradient._checkUsable('backward');
    backward(this, gradient, options, apply);
  }

  /** A tensor sharing this one's data, cut off from the tape. */
  detach(): Tensor {
    this._checkUsable('detach');
    const out = new Tensor(this.value, false);
    return isTracing() ? noteOp('detach', [this], out, null) : out;
  }

  /** Sets requiresGrad in place (only on leaves) and returns this tensor. */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) {
      throw new Error('requiresGrad_: cannot turn off requiresGrad on a non-leaf tensor; use detach()');
    }
    if (flag && !isFloating(this.dtype)) throw intGradError('requiresGrad_');
    this.requiresGrad = flag;
    return this;
  }

  /** Asks backward() to keep this non-leaf tensor's gradient in .grad. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  // ---- elementwise ---------------------------------------------------------------------------

  /**
   * Elementwise this + other, broadcasting shapes; `other` may be a number.
   * @example
   * ```ts
   * tg.tensor([1, 2]).add(10); // [11, 12]
   * ```
   */
  add(other: Operand): Tensor { return binary('add', this, other); }
  /** Elementwise this − other, broadcasting shapes; `other` may be a number. */
  sub(other: Operand): Tensor { return binary('sub', this, other); }
  /** Elementwise this · other, broadcasting shapes; `other` may be a number (use `matmul` for the matrix product). */
  mul(other: Operand): Tensor { return binary('mul', this, other); }
  /** Elementwise this / other, broadcasting shapes; `other` may be a number. */
  div(other: Operand): Tensor { return binary('div', this, other); }
  /** x ** exponent; a number exponent uses the cheaper constant-power rule. */
  pow(exponent: Operand): Tensor {
    if (typeof exponent === 'number') {
      // an int32 base keeps int32 only for whole, non-negative powers
      const x = isFloating(this.dtype) || (Number.isInteger(exponent) && exponent >= 0) ? this : this.float();
      return apply('powScalar', [x], { p: exponent });
    }
    return binary('pow', this, exponent);
  }
  /** Elementwise maximum with `other` (a tensor or number); ties split the gradient half and half. */
  maximum(other: Operand): Tensor { return binary('maximum', this, other); }
  /** Elementwise minimum with `other` (a tensor or number); ties split the gradient half and half. */
  minimum(other: Operand): Tensor { return binary('minimum', this, other); }
  /** Elementwise −x. */
  neg(): Tensor { return apply('neg', [this], null); }
  /** Elementwise eˣ. */
  exp(): Tensor { return apply('exp', [this], null); }
  /** Elementwise natural logarithm. */
  log(): Tensor { return apply('log', [this], null); }
  /** Elementwise log(1 + x), accurate for tiny x. */
  log1p(): Tensor { return apply('log1p', [this], null); }
  /** Elementwise eˣ − 1, accurate for tiny x. */
  expm1(): Tensor { return apply('expm1', [this], null); }
  /** Elementwise square root. */
  sqrt(): Tensor { return apply('sqrt', [this], null); }
  /** Elementwise 1 / √x. */
  rsqrt(): Tensor { return this.sqrt().reciprocal(); }
  /** Elementwise 1 / x. */
  reciprocal(): Tensor { return Tensor.scalar(1, this.dtype).div(this); }
  /** Elementwise x². */
  square(): Tensor { return this.pow(2); }
  /** Elementwise |x| (gradient 0 at x = 0). */
  abs(): Tensor { return apply('abs', [this], null); }
  /** Elementwise max(x, 0) (gradient 0 at x = 0). */
  relu(): Tensor { return apply('relu', [this], null); }
  /** Elementwise logistic sigmoid 1 / (1 + e⁻ˣ), in (0, 1). */
  sigmoid(): Tensor { return apply('sigmoid', [this], null); }
  /** Elementwise hyperbolic tangent, in (−1, 1). */
  tanh(): Tensor { return apply('tanh', [this], null); }
  /** The error function, to float64 precision. */
  erf(): Tensor { return apply('erf', [this], null); }
  /** 1 − erf(x), accurate in the right tail. */
  erfc(): Tensor { return apply('erfc', [this], null); }
  /** Elementwise sine (radians). */
  sin(): Tensor { return apply('sin', [this], null); }
  /** Elementwise cosine (radians). */
  cos(): Tensor { return apply('cos', [this], null); }
  /**
   * Clamps into [min, max] (torch.clamp); either bound may be omitted, and either may be a tensor that broadcasts
   * with this one. The gradient passes to x where min ≤ x ≤ max, and to a tensor bound where it is the result.
   * @example
   * ```ts
   * tg.tensor([-2, 0.5, 3]).clamp(0, 1);                  // [0, 0.5, 1]
   * tg.tensor([-2, 0.5, 3]).clamp(tg.tensor([-1, 1, 0])); // [-1, 1, 3]
   * ```
   */
  clamp(min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
    if (min instanceof Tensor || max instanceof Tensor) {
      // min(max(x, lo), hi) as two selections, so a NaN in x stays NaN and lo > hi gives hi (as PyTorch)
      const lower = min == null ? this : where(this.lt(min), min, this);
      return max == null ? lower : where(lower.gt(max), max, lower);
    }
    const lo = min ?? -Infinity;
    const hi = max ?? Infinity;
    if (lo > hi) throw new RangeError(`clamp: min ${lo} is greater than max ${hi}`);
    // int32 with a fractional bound: clamp in float32 (numberDType's rule)
    const x = isFloating(this.dtype) || [lo, hi].every((v) => Number.isInteger(v) || !Number.isFinite(v)) ? this : this.float();
    return apply('clamp', [x], { min: lo, max: hi });
  }
  /** sign(x) in {-1, 0, 1} (0 for 0, NaN for NaN); its gradient is 0. */
  sign(): Tensor { return apply('sign', [this], null); }
  /** Rounds down to an integer value (torch.floor); int32 stays int32; the gradient is 0. */
  floor(): Tensor { return apply('floor', [this], null); }
  /** Rounds up to an integer value (torch.ceil); the gradient is 0. */
  ceil(): Tensor { return apply('ceil', [this], null); }
  /** Rounds toward zero (torch.trunc); the gradient is 0. */
  trunc(): Tensor { return apply('trunc', [this], null); }
  /**
   * Rounds to the nearest integer, halves to the even neighbour (torch.round: 0.5 → 0, 1.5 → 2), or to `decimals`
   * decimal places; the gradient is 0.
   * @example
   * ```ts
   * tg.tensor([0.5, 1.5, -2.5, 2.7]).round(); // [0, 2, -2, 3]
   * ```
   */
  round(decimals = 0): Tensor {
    checkInt('round', 'decimals', decimals);
    if (decimals === 0) return apply('round', [this], null);
    const scale = 10 ** decimals;
    return apply('round', [this.mul(scale)], null).div(scale);
  }
  /** 1 where finite, else 0: an int32 mask (no gradient). */
  isFinite(): Tensor { this._checkUsable('isFinite'); return noteOp('isFinite', [this], new Tensor(mapUnary(this.value, UNARY.isfinite, 0, 0, 'int32')), null); }
  /** 1 where the element is NaN, else 0; a constant (no gradient). */
  isNaN(): Tensor { return this.ne(this); }

  /**
   * 1 where this == other, else 0 (broadcasting); a constant with no gradient.
   * @example
   * ```ts
   * tg.tensor([1, 2, 3]).eq(2); // [0, 1, 0]
   * ```
   */
  eq(other: Operand): Tensor { return compare('eq', this, other); }
  /** 1 where this != other, else 0 (broadcasting); a constant with no gradient. */
  ne(other: Operand): Tensor { return compare('ne', this, other); }
  /** 1 where this < other, else 0 (broadcasting); a constant with no gradient. */
  lt(other: Operand): Tensor { return compare('lt', this, other); }
  /** 1 where this ≤ other, else 0 (broadcasting); a constant with no gradient. */
  le(other: Operand): Tensor { return compare('le', this, other); }
  /** 1 where this > other, else 0 (broadcasting); a constant with no gradient. */
  gt(other: Operand): Tensor { return compare('gt', this, other); }
  /** 1 where this ≥ other, else 0 (broadcasting); a constant with no gradient. */
  ge(other: Operand): Tensor { return compare('ge', this, other); }

  // ---- linear algebra ------------------------------------------------------------------------

  /** Matrix product with torch.matmul's rules (1-D, 2-D, batched with broadcast batch dims). */
  matmul(other: Tensor): Tensor {
    if (!(other instanceof Tensor)) throw new TypeError('matmul: expected a Tensor');
    const dtype = promote(this.dtype, other.dtype);
    return apply('matmul', [this.to(dtype), other.to(dtype)], null);
  }
  /**
   * Batched matrix product of two 3-D tensors [b, n, m] @ [b, m, p] → [b, n, p] (torch.bmm: no broadcasting;
   * use `matmul` for that).
   * @example
   * ```ts
   * tg.zeros([4, 2, 3]).bmm(tg.zeros([4, 3, 5])).shape; // [4, 2, 5]
   * ```
   */
  bmm(other: Tensor): Tensor {
    if (!(other instanceof Tensor)) throw new TypeError('bmm: expected a Tensor');
    const [a, b] = [this.shape, other.shape];
    if (a.length !== 3 || b.length !== 3) throw new RangeError(`bmm: expected two 3-D tensors, got shapes ${fmtShape(a)} and ${fmtShape(b)}`);
    if (a[0] !== b[0] || a[2] !== b[1]) {
      throw new RangeError(`bmm: shapes ${fmtShape(a)} and ${fmtShape(b)} do not fit [b, n, m] @ [b, m, p]`);
    }
    return this.matmul(other);
  }
  /**
   * The outer product of two 1-D tensors: out[i][j] = this[i] · other[j] (torch.outer).
   * @example
   * ```ts
   * tg.tensor([1, 2]).outer(tg.tensor([3, 4, 5])); // [[3, 4, 5], [6, 8, 10]]
   * ```
   */
  outer(other: Tensor): Tensor {
    if (!(other instanceof Tensor)) throw new TypeError('outer: expected a Tensor');
    if (this.ndim !== 1 || other.ndim !== 1) throw new RangeError(`outer: expected two 1-D tensors, got shapes ${fmtShape(this.shape)} and ${fmtShape(other.shape)}`);
    return this.unsqueeze(1).mul(other.unsqueeze(0));
  }
  /** The transpose of the last two dims (a view). */
  get mT(): Tensor {
    if (this.ndim < 2) throw new RangeError(`mT: needs at least 2 dims, got shape ${fmtShape(this.shape)}`);
    return this.transpose(-2, -1);
  }
  /** torch.Tensor.t: the transpose of a 2-D tensor (a view); 0-D and 1-D tensors come back as they are. */
  t(): Tensor {
    if (this.ndim > 2) throw new RangeError(`t: expects a tensor with at most 2 dims, got shape ${fmtShape(this.shape)} (use transpose or mT)`);
    return this.ndim === 2 ? this.transpose(0, 1) : this;
  }
  /** The 2-D transpose (a view); for other ranks, all dims reversed. */
  get T(): Tensor {
    return this.permute(this.shape.map((_, i) => this.ndim - 1 - i));
  }

  // ---- reductions ----------------------------------------------------------------------------

  /**
   * Sum over `axis` (one axis, a list, or all when omitted/null); `keepdims` keeps reduced axes as size 1.
   * @example
   * ```ts
   * const x = tg.tensor([[1, 2], [3, 4]]);
   * x.sum().item(); // 10
   * x.sum(0);       // [4, 6]
   * ```
   */
  sum(axis?: number | number[] | null, keepdims = false): Tensor {
    return apply('sum', [this], { axes: normAxes(axis, this.ndim, 'sum'), keepdims });
  }
  /**
   * Mean over `axis` (one axis, a list, or all when omitted/null); `keepdims` keeps reduced axes as size 1.
   * @example
   * ```ts
   * tg.tensor([[1, 2], [3, 4]]).mean(1); // [1.5, 3.5]
   * ```
   */
  mean(axis?: number | number[] | null, keepdims = false): Tensor {
    const axes = normAxes(axis, this.ndim, 'mean');
    const count = axes.reduce((n, a) => n * this.shape[a], 1);
    return (isFloating(this.dtype) ? this : this.float()).sum(axes, keepdims).div(count);
  }
  /** Maximum over axes (all by default). Ties share the gradient equally, so it sums to the upstream one. */
  max(axis?: number | number[] | null, keepdims = false): Tensor {
    return apply('max', [this], { axes: normAxes(axis, this.ndim, 'max'), keepdims });
  }
  /** Minimum over axes (all by default). Ties share the gradient equally. */
  min(axis?: number | number[] | null, keepdims = false): Tensor {
    return apply('min', [this], { axes: normAxes(axis, this.ndim, 'min'), keepdims });
  }
  /** Index of the maximum along an axis (over the flattened tensor when omitted; the first one on ties); int32 indices, no gradient. */
  argmax(axis?: number, keepdims = false): Tensor {
    this._checkUsable('argmax');
    const ax = axis === undefined ? null : normAxis(axis, this.ndim, 'argmax');
    const out = new Tensor(ax === null ? argReduce(this.value.reshape([-1]), 0, false, 'max') : argReduce(this.value, ax, keepdims, 'max'));
    return noteOp('argmax', [this], out, { axis: ax, keepdims });
  }
  /** Index of the minimum along an axis (over the flattened tensor when omitted; the first one on ties); int32 indices, no gradient. */
  argmin(axis?: number, keepdims = false): Tensor {
    this._checkUsable('argmin');
    const ax = axis === undefined ? null : normAxis(axis, this.ndim, 'argmin');
    const out = new Tensor(ax === null ? argReduce(this.value.reshape([-1]), 0, false, 'min') : argReduce(this.value, ax, keepdims, 'min'));
    return noteOp('argmin', [this], out, { axis: ax, keepdims });
  }
  /**
   * Product of the elements over one axis (all when omitted), as torch.prod. Exact, with the right gradient, when
   * some elements are 0 (it is the last entry of cumprod).
   * @example
   * ```ts
   * tg.tensor([[1, 2], [3, 4]]).prod(1); // [2, 12]
   * ```
   */
  prod(axis?: number | null, keepdims = false): Tensor { return C.prod(this, axis, keepdims); }
  /**
   * Running sum along `axis` (torch.cumsum): out[j] = Σ_{i≤j} x[i].
   * @example
   * ```ts
   * tg.tensor([1, 2, 3]).cumsum(0); // [1, 3, 6]
   * ```
   */
  cumsum(axis: number): Tensor {
    if (this.ndim === 0) return apply('cumsum', [this.reshape([1])], { axis: normAxis(axis, 1, 'cumsum') }).reshape([]);
    return apply('cumsum', [this], { axis: normAxis(axis, this.ndim, 'cumsum') });
  }
  /** Running product along `axis` (torch.cumprod): out[j] = ∏_{i≤j} x[i]; its gradient is exact at zeros too. */
  cumprod(axis: number): Tensor {
    if (this.ndim === 0) return apply('cumprod', [this.reshape([1])], { axis: normAxis(axis, 1, 'cumprod') }).reshape([]);
    return apply('cumprod', [this], { axis: normAxis(axis, this.ndim, 'cumprod') });
  }
  /**
   * The p-norm over `axis` (all elements when omitted), as torch.norm: p = 2 or 'fro' (the default) is
   * √(Σx²), 1 is Σ|x|, Infinity is max|x|, -Infinity min|x|, 0 counts the non-zeros, other p > 0 give (Σ|x|^p)^(1/p).
   * The gradient at an all-zero input is 0.
   * @example
   * ```ts
   * tg.tensor([3, 4]).norm().item();         // 5
   * tg.tensor([[3, -4], [1, 1]]).norm(1, 1); // [7, 2]
   * ```
   */
  norm(p: C.NormOrder = 'fro', axis?: number | number[] | null, keepdims = false): Tensor { return C.norm(this, p, axis, keepdims); }
  /**
   * Sorts along `axis` (default the last), as torch.sort: `values` (differentiable: a gather) and `indices` (int32),
   * ascending unless `descending`. Equal elements keep their order (a stable sort); NaN sorts above every number.
   * @example
   * ```ts
   * const { values, indices } = tg.tensor([3, 1, 2]).sort();
   * values;  // [1, 2, 3]
   * indices; // [1, 2, 0] (int32)
   * ```
   */
  sort(axis = -1, descending = false): SortResult {
    this._checkUsable('sort');
    if (this.ndim === 0) return { values: this, indices: new Tensor(new NDArray(new Int32Array(1), [])) };
    const a = normAxis(axis, this.ndim, 'sort');
    const indices = new Tensor(sortIndices(this.value, a, descending));
    return { values: this.gather(a, indices), indices };
  }
  /** The int32 indices that sort along `axis` (default the last), ascending unless `descending` (torch.argsort). */
  argsort(axis = -1, descending = false): Tensor { return this.sort(axis, descending).indices; }
  /**
   * The `k` largest elements along `axis` (default the last), or the smallest with `largest` false, as torch.topk:
   * `values` (differentiable) and their int32 `indices`, in sorted order.
   * @example
   * ```ts
   * tg.tensor([1, 5, 3, 4]).topk(2); // values [5, 4], indices [1, 3]
   * ```
   */
  topk(k: number, axis = -1, largest = true): SortResult {
    const a = normAxis(axis, Math.max(this.ndim, 1), 'topk');
    const n = this.ndim === 0 ? 1 : this.shape[a];
    checkInt('topk', `k (dim ${a} of shape ${fmtShape(this.shape)} has ${n})`, k, { min: 0, max: n });
    const { values, indices } = this.sort(a, largest);
    if (this.ndim === 0) return { values, indices };
    return { values: values.narrow(a, 0, k), indices: indices.narrow(a, 0, k) };
  }

  /** log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the (finite) max: no overflow. */
  logsumexp(axis?: number | number[] | null, keepdims = false): Tensor {
    const axes = normAxes(axis, this.ndim, 'logsumexp');
    // over nothing: log(0) = -inf, as in PyTorch (there is no max to shift by)
    if (axes.some((a) => this.shape[a] === 0)) return this.exp().sum(axes, keepdims).log();
    const m = this.detach().max(axes, true);
    const shift = where(m.isFinite(), m, 0); // all -inf (or inf) slices: shift by 0, let exp/log say -inf/inf
    const out = this.sub(shift).exp().sum(axes, true).log().add(shift);
    return keepdims ? out : out.squeeze(axes);
  }
  /** Variance with Bessel's correction by default (correction = 1), as torch.var. */
  var(axis?: number | number[] | null, keepdims = false, correction = 1): Tensor {
    const axes = normAxes(axis, this.ndim, 'var');
    const n = axes.reduce((k, a) => k * this.shape[a], 1);
    const centered = this.sub(this.mean(axes, true));
    return centered.mul(centered).sum(axes, keepdims).div(Math.max(0, n - correction));
  }
  /** Standard deviation, √var, with Bessel's correction by default (correction = 1), as torch.std. */
  std(axis?: number | number[] | null, keepdims = false, correction = 1): Tensor {
    return this.var(axis, keepdims, correction).sqrt();
  }
  /** softmax along an axis: exp(x - logsumexp(x)), stable at any magnitude. */
  softmax(axis = -1): Tensor {
    const a = normAxis(axis, this.ndim, 'softmax');
    // ONNX export writes it as one Softmax node (traceComposite costs nothing when no trace listens)
    return traceComposite('softmax', { axis: a }, [this], () => this.sub(this.logsumexp(a, true)).exp());
  }
  /** log-softmax along an axis: x - logsumexp(x). */
  logSoftmax(axis = -1): Tensor {
    const a = normAxis(axis, this.ndim, 'logSoftmax');
    return traceComposite('logSoftmax', { axis: a }, [this], () => this.sub(this.logsumexp(a, true)));
  }

  // ---- shape and movement --------------------------------------------------------------------

  /** A reshaped view when contiguous (else a copy); one dim may be -1. */
  reshape(shape: readonly number[]): Tensor {
    if (shapesEqual(shape, this.shape)) return this;
    // a -1 that resolves to the same shape is no reshape either (and makes no alias that would keep dispose from recycling)
    if (shape.includes(-1) && shape.length === this.ndim && shapesEqual(inferShape(shape, this.size, 'reshape', this.shape), this.shape)) return this;
    return apply('reshape', [this], { shape: [...shape] });
  }
  /** Alias of `reshape` (PyTorch's `view`); here it copies instead of throwing when a view is impossible. */
  view(shape: readonly number[]): Tensor { return this.reshape(shape); }
  /**
   * Reorders the dims: output dim i is input dim `dims[i]` (a view).
   * @example
   * ```ts
   * tg.zeros([2, 3, 4]).permute([2, 0, 1]).shape; // [4, 2, 3]
   * ```
   */
  permute(dims: readonly number[]): Tensor {
    if (dims.every((d, i) => d === i) && dims.length === this.ndim) return this;
    return apply('permute', [this], { dims: dims.map((d) => normAxis(d, this.ndim, 'permute')) });
  }
  /** Swaps two dims (a view); negative dims count from the end. */
  transpose(dim0: number, dim1: number): Tensor {
    const a = normAxis(dim0, this.ndim, 'transpose');
    const b = normAxis(dim1, this.ndim, 'transpose');
    const dims = this.shape.map((_, i) => i);
    dims[a] = b;
    dims[b] = a;
    return this.permute(dims);
  }
  /** A broadcast view; -1 keeps a dimension. Sizes must be integers (a RangeError names the bad one). */
  expand(shape: readonly number[]): Tensor {
    checkDims('expand', shape, -1);
    if (shapesEqual(shape, this.shape)) return this;
    return apply('expand', [this], { shape: [...shape] });
  }
  /** Broadcasts to `other`'s shape (a view); see `expand`. */
  expandAs(other: Tensor): Tensor { return this.expand(other.shape); }
  /** Removes size-1 dims: the listed ones (others are left alone), or all when `axis` is omitted. */
  squeeze(axis?: number | number[]): Tensor {
    const axes = axis === undefined ? this.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normAxes(axis, this.ndim, 'squeeze');
    return this.reshape(this.shape.filter((d, i) => !(axes.includes(i) && d === 1)));
  }
  /**
   * Inserts a size-1 dim at `axis`; -1 appends one at the end.
   * @example
   * ```ts
   * tg.zeros([3]).unsqueeze(0).shape; // [1, 3]
   * ```
   */
  unsqueeze(axis: number): Tensor {
    const a = normAxis(axis, this.ndim + 1, 'unsqueeze', this.shape);
    const shape = [...this.shape];
    shape.splice(a, 0, 1);
    return this.reshape(shape);
  }
  /** Flattens dims startDim..endDim (all by default) into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    if (this.ndim === 0) return this.reshape([1]);
    const s = normAxis(startDim, this.ndim, 'flatten');
    const e = normAxis(endDim, this.ndim, 'flatten');
    if (s > e) throw new RangeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
    const mid = this.shape.slice(s, e + 1).reduce((n, d) => n * d, 1);
    return this.reshape([...this.shape.slice(0, s), mid, ...this.shape.slice(e + 1)]);
  }
  /**
   * Python-style slice along one dim: start (inclusive), end (exclusive), step > 0; negatives count from the end
   * and out-of-range bounds are clipped, as in Python. Every bound must be an integer (or null for "from the start"
   * / "to the end"): a RangeError names the op and the value.
   */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    const d = normAxis(dim, this.ndim, 'slice');
    checkInt('slice', 'step', step, { min: 1 });
    if (start != null) checkInt('slice', 'start', start);
    if (end != null) checkInt('slice', 'end', end);
    const n = this.shape[d];
    const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    const s = start == null ? 0 : clampIdx(start);
    const e = end == null ? n : clampIdx(end);
    const starts = this.shape.map(() => 0);
    const ends = [...this.shape];
    const steps = this.shape.map(() => 1);
    starts[d] = s;
    ends[d] = Math.max(s, e);
    steps[d] = step;
    return apply('slice', [this], { starts, ends, steps });
  }
  /**
   * The slice [start, start + length) along dim (torch.narrow): start in [-size, size] (negative counts from the
   * end), length ≥ 0 and start + length ≤ size, all integers; anything else is a RangeError, as in PyTorch.
   */
  narrow(dim: number, start: number, length: number): Tensor {
    const d = normAxis(dim, this.ndim, 'narrow');
    const n = this.shape[d];
    const s0 = checkInt('narrow', 'start', start, { min: -n, max: n });
    const s = s0 < 0 ? s0 + n : s0;
    checkInt('narrow', 'length', length, { min: 0, max: n - s });
    return this.slice(d, s, s + length);
  }
  /**
   * Splits along `axis` into views (torch.split): a number gives pieces of that size (the last may be smaller), a
   * list gives each piece's size.
   * @example
   * ```ts
   * tg.arange(5).split(2).map((t) => t.toArray()); // [[0, 1], [2, 3], [4]]
   * ```
   */
  split(splitSizeOrSections: number | readonly number[], axis = 0): Tensor[] { return C.split(this, splitSizeOrSections, axis); }
  /** Splits along `axis` into `chunks` views of ⌈n / chunks⌉ elements (the last smaller; fewer if they run out), as torch.chunk. */
  chunk(chunks: number, axis = 0): Tensor[] { return C.chunk(this, chunks, axis); }
  /**
   * Tiles the whole tensor `sizes[i]` times along dim i (torch.Tensor.repeat); extra leading sizes add dims.
   * @example
   * ```ts
   * tg.tensor([1, 2]).repeat([2, 2]); // [[1, 2, 1, 2], [1, 2, 1, 2]]
   * ```
   */
  repeat(sizes: readonly number[]): Tensor { return C.repeat(this, sizes); }
  /** torch.tile: like repeat, but `dims` shorter than the rank is padded with leading 1s. */
  tile(dims: readonly number[]): Tensor { return C.tile(this, dims); }
  /**
   * Shifts elements along `dims` by `shifts`, wrapping around (torch.roll); without dims, over the flattened tensor.
   * @example
   * ```ts
   * tg.tensor([1, 2, 3, 4]).roll(1); // [4, 1, 2, 3]
   * ```
   */
  roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor { return C.roll(this, shifts, dims); }
  /** A dense copy when this is a strided view; the same tensor otherwise. */
  contiguous(): Tensor {
    return this.value.isDense() ? this : apply('contiguous', [this], null);
  }
  /** Gathers along `axis` with an index tensor of the same rank (torch.gather). */
  gather(axis: number, index: Tensor | number[][] | number[]): Tensor {
    const idx = index instanceof Tensor ? index.value : Tensor.from(index).value;
    return apply('gather', [this], { axis: normAxis(axis, this.ndim, 'gather'), index: idx });
  }
  /** Selects whole slices along `axis` by integer indices (torch.index_select). */
  indexSelect(axis: number, indices: Tensor | ArrayLike<number>): Tensor {
    const a = normAxis(axis, this.ndim, 'indexSelect');
    const list = indices instanceof Tensor ? indices.value.values() : indices;
    const checked = checkIndices(list, this.shape[a], 'indexSelect', a);
    const out = apply('indexSelect', [this], { axis: a, indices: checked });
    if (out.node === null && !isTracing()) release(checked); // the copy is kept only by a recorded node (or a trace)
    return out;
  }

  /**
   * Reverses the order of elements along each of `dims` (torch.flip; a copy, not a view).
   * @example
   * ```ts
   * tg.tensor([[1, 2], [3, 4]]).flip([1]); // [[2, 1], [4, 3]]
   * ```
   */
  flip(dims: number | readonly number[]): Tensor {
    const list = normAxes(typeof dims === 'number' ? [dims] : dims, this.ndim, 'flip');
    if (list.length === 0) return this;
    return apply('flip', [this], { dims: list });
  }
  /**
   * The lower triangle of the last two dims (torch.tril): elements with col − row ≤ `diagonal` are kept, the rest
   * become 0. `diagonal` 0 is the main diagonal, 1 one above it, −1 one below.
   * @example
   * ```ts
   * tg.ones([3, 3]).tril(); // [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
   * ```
   */
  tril(diagonal = 0): Tensor { return this.triangle(diagonal, true, 'tril'); }
  /** The upper triangle of the last two dims (torch.triu): elements with col − row ≥ `diagonal` are kept, the rest become 0. */
  triu(diagonal = 0): Tensor { return this.triangle(diagonal, false, 'triu'); }
  private triangle(diagonal: number, lower: boolean, op: string): Tensor {
    if (this.ndim < 2) throw new RangeError(`${op}: needs at least 2 dims, got shape ${fmtShape(this.shape)}`);
    checkInt(op, 'diagonal', diagonal);
    const mask = new Tensor(triangleMask(this.shape[this.ndim - 2], this.shape[this.ndim - 1], diagonal, lower, 'float32'));
    return where(mask, this, 0); // where, not a product with the mask: NaN and Infinity outside become 0
  }
  /**
   * `value` where `mask` is non-zero, this tensor's elements elsewhere (torch.masked_fill). The mask broadcasts to
   * this tensor's shape; `value` is a number or a 0-d tensor (which then receives the gradient of the filled places).
   * @example
   * ```ts
   * tg.tensor([1, 2, 3]).maskedFill(tg.tensor([0, 1, 0]), -1); // [1, -1, 3]
   * ```
   */
  maskedFill(mask: Tensor, value: number | Tensor): Tensor {
    if (!(mask instanceof Tensor)) throw new TypeError('maskedFill: mask must be a Tensor');
    const shape = broadcastShapes(this.shape, mask.shape, 'maskedFill');
    if (!shapesEqual(shape, this.shape)) {
      throw new RangeError(`maskedFill: mask of shape ${fmtShape(mask.shape)} does not broadcast to the input's shape ${fmtShape(this.shape)}`);
    }
    if (value instanceof Tensor && value.ndim !== 0) {
      throw new RangeError(`maskedFill: value must be a number or a 0-d tensor, got shape ${fmtShape(value.shape)}`);
    }
    if (typeof value === 'number') return where(mask, Tensor.scalar(value, this.dtype), this);
    return where(mask, value, this);
  }

  // ---- dtype, copies, output -----------------------------------------------------------------

  /** Converts to another dtype (a recorded op, so gradients flow back in the original dtype). */
  to(dtype: DType): Tensor {
    assertDType(dtype, 'to');
    return dtype === this.dtype ? this : apply('cast', [this], { dtype });
  }
  /** Converts to float32 (a no-op when already float32). */
  float(): Tensor { return this.to('float32'); }
  /** Converts to float64 (a no-op when already float64); gradcheck needs float64. */
  double(): Tensor { return this.to('float64'); }
  /** A copy with its own storage (recorded: gradients flow through it). */
  clone(): Tensor { return apply('cast', [this], { dtype: this.dtype }); }
  /** A new untracked tensor of zeros with this tensor's shape and dtype. */
  zerosLike(): Tensor { return new Tensor(NDArray.zeros(this.shape, this.dtype)); }
  /** A new untracked tensor of ones with this tensor's shape and dtype. */
  onesLike(): Tensor { return new Tensor(full(this.shape, 1, this.dtype)); }

  /** A new untracked tensor of `shape` filled with `value`, with this tensor's dtype (torch.Tensor.new_full). */
  newFull(shape: readonly number[], value: number): Tensor { return new Tensor(full(shape, value, this.dtype)); }
  /** A new untracked tensor of zeros of `shape`, with this tensor's dtype (torch.Tensor.new_zeros). */
  newZeros(shape: readonly number[]): Tensor { return this.newFull(shape, 0); }
  /** A new untracked tensor of ones of `shape`, with this tensor's dtype (torch.Tensor.new_ones). */
  newOnes(shape: readonly number[]): Tensor { return this.newFull(shape, 1); }

  /** The single value of a one-element tensor. */
  item(): number {
    this._checkUsable('item');
    if (this.size !== 1) throw new RangeError(`item: only one-element tensors can be converted to a number, got shape ${fmtShape(this.shape)}`);
    return this.value.data[this.value.offset];
  }
  /** Nested arrays (a number for a 0-d tensor). */
  toArray(): any {
    this._checkUsable('toArray');
    return this.value.toArray();
  }
  /** The elements in row-major order as a new typed array. */
  dataSync(): TypedArray {
    this._checkUsable('dataSync');
    // a copy the caller keeps: its NDArray claimed it from the allocator, so a tensor that later wraps it does
    // not own it (storage.ts's claim) and never hands it back to the cache
    return this.value.clone().data;
  }
  /** A scijs ndarray sharing this tensor's storage, strides and offset (no copy). */
  toNdarray(): ReturnType<typeof ndarrayToScijs> {
    this._checkUsable('toNdarray');
    markShared(this.value); // the scijs view shares the storage: dispose must not recycle it
    return ndarrayToScijs(this.value);
  }
  /** A readable, PyTorch-style printout of the values, noting `gradFn` or `requiresGrad` when set. */
  toString(): string {
    if (this._disposed) return `tensor(disposed, ${this.dtype}, shape ${fmtShape(this.shape)})`;
    return formatArray(this.value, this.requiresGrad ? (this.node ? `gradFn=${this.node.op}` : 'requiresGrad=true') : '');
  }

  /** Builds a tensor from nested arrays or numbers (internal shorthand for tg.tensor). */
  static from(value: unknown, dtype?: DType): Tensor {
    if (value instanceof Tensor) return value;
    return new Tensor(fromValue(value, dtype));
  }
}

/** What {@link dispose} accepts: a tensor, or arrays and plain objects holding tensors (TF.js's TensorContainer). */
export type TensorContainer = Tensor | null | undefined | number | string | boolean | readonly TensorContainer[] | { [key: string]: TensorContainer };

/**
 * Disposes every tensor in `container`, as TF.js's tf.dispose: a tensor, or arrays and plain objects of them,
 * searched recursively (other values are skipped). See {@link Tensor.dispose} for what happens to each.
 * @example
 * ```ts
 * const a = tg.ones([2]), b = tg.zeros([3]);
 * tg.dispose({ a, parts: [b] });
 * [a.isDisposed, b.isDisposed]; // [true, true]
 * ```
 */
export function dispose(container: TensorContainer): void {
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (v instanceof Tensor) return v.dispose();
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) for (const x of Object.values(v)) walk(x);
  };
  walk(container);
}
