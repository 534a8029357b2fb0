// tg.nn.functional for sequences: layerNorm, embedding, dropout and scaled dot-product attention.
// All are compositions of tape primitives (no gradient code here); masks follow PyTorch's meaning.

import { Tensor, where } from '../autograd/tensor.js';
import { traceComposite } from '../autograd/trace.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';

// ---- layer normalisation ---------------------------------------------------------------------

/**
 * Layer normalisation over the last dims (F.layer_norm): y = (x − mean) / √(var + eps) · weight + bias,
 * with the biased variance over the `normalizedShape` trailing dims. A composite of primitives.
 * Throws a RangeError when the trailing dims of x are not `normalizedShape`, or weight/bias have another shape.
 * @example
 * ```ts
 * const y = tg.nn.functional.layerNorm(tg.randn([2, 5, 8]), [8]); // each row of 8: mean 0, variance 1
 * ```
 */
export function layerNorm(
  input: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5,
): Tensor {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = shape.length;
  const tail = input.shape.slice(input.ndim - k);
  if (k === 0 || input.ndim < k || tail.some((d, i) => d !== shape[i])) {
    throw new RangeError(`layerNorm: input shape ${fmtShape(input.shape)} does not end with normalizedShape ${fmtShape(shape)}`);
  }
  for (const [name, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p != null && (p.ndim !== k || p.shape.some((d, i) => d !== shape[i]))) {
      throw new RangeError(`layerNorm: ${name} has shape ${fmtShape(p.shape)}, expected normalizedShape ${fmtShape(shape)}`);
    }
  }
  if (!(eps >= 0)) throw new RangeError(`layerNorm: eps must be ≥ 0, got ${eps}`);
  const axes = shape.map((_, i) => input.ndim - k + i);
  const attrs = { k, eps, shape, hasWeight: weight != null, hasBias: bias != null };
  const inputs = [input, ...(weight != null ? [weight] : []), ...(bias != null ? [bias] : [])];
  // for ONNX export: one LayerNormalization node (opset ≥ 17)
  return traceComposite('layerNorm', attrs, inputs, () => {
    const centered = input.sub(input.mean(axes, true));
    const variance = centered.mul(centered).mean(axes, true);
    let y = centered.div(variance.add(eps).sqrt());
    if (weight != null) y = y.mul(weight);
    if (bias != null) y = y.add(bias);
    return y;
  });
}

// ---- embedding -------------------------------------------------------------------------------

/** Integer indices: a Tensor holding whole numbers, a (nested) number array, or an Int32Array. */
export type Indices = Tensor | Int32Array | readonly number[] | readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[];

/** Options for {@link embedding}. */
export interface EmbeddingOptions {
  /** This row gets no gradient (negative counts from the end), as PyTorch's padding_idx. */
  paddingIdx?: number | null;
}

/** Normalises a paddingIdx against the table size (PyTorch allows −n ≤ idx < n). */
export function normPaddingIdx(paddingIdx: number | null | undefined, n: number, op: string): number | null {
  if (paddingIdx == null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -n || paddingIdx >= n) {
    throw new RangeError(`${op}: paddingIdx must be an integer in [${-n}, ${n}), got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + n : paddingIdx;
}

/** The indices as a flat Int32Array plus their shape; checks each is an integer in [0, n). */
export function checkedIndices(indices: Indices, n: number, op: string): { flat: Int32Array; shape: number[] } {
  let values: ArrayLike<number>;
  let shape: number[];
  if (indices instanceof Tensor) {
    values = indices.value.values();
    shape = [...indices.shape];
  } else if (indices instanceof Int32Array) {
    values = indices;
    shape = [indices.length];
  } else {
    const t = Tensor.from(indices, 'float64');
    values = t.value.values();
    shape = [...t.shape];
  }
  const flat = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      const what = Number.isInteger(v) ? 'out of range' : 'not an integer';
      throw new RangeError(`${op}: index ${v} at position ${i} of indices ${fmtShape(shape)} is ${what}; expected an integer in [0, ${n})`);
    }
    flat[i] = v;
  }
  return { flat, shape };
}

/**
 * Looks up rows of `weight` [numEmbeddings, dim] (F.embedding): the output has the indices' shape plus [dim].
 * The `paddingIdx` row is returned as stored but gets no gradient. Indices must be whole numbers in range
 * (a RangeError names the first bad one).
 * @example
 * ```ts
 * const table = tg.randn([10, 4], { requiresGrad: true });
 * tg.nn.functional.embedding([[1, 2], [3, 0]], table, { paddingIdx: 0 }).shape; // [2, 2, 4]
 * ```
 */
export function embedding(indices: Indices, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  if (!(weight instanceof Tensor) || weight.ndim !== 2) {
    throw new RangeError(`embedding: weight must be a 2-D tensor [numEmbeddings, embeddingDim], got ${weight instanceof Tensor ? fmtShape(weight.shape) : typeof weight}`);
  }
  const pad = normPaddingIdx(options.paddingIdx, weight.shape[0], 'embedding');
  return lookup(indices, weight, pad, 'embedding');
}

/** The rows of `weight` at `indices`; the (normalised) padding row gets no gradient. `op` names the caller in errors. */
export function lookup(indices: Indices, weight: Tensor, pad: number | null, op: string): Tensor {
  // for ONNX export: a Gather whose indices are the input tensor (a trace would freeze the values read below)
  if (indices instanceof Tensor) return traceComposite('embedding', null, [indices, weight], () => lookupRows(indices, weight, pad, op));
  return lookupRows(indices, weight, pad, op);
}

function lookupRows(indices: Indices, weight: Tensor, pad: number | null, op: string): Tensor {
  const [n, dim] = weight.shape;
  const { flat, shape } = checkedIndices(indices, n, op);
  let rows = weight.indexSelect(0, flat);
  if (pad !== null && weight.requiresGrad && flat.includes(pad)) {
    // same values, but the padding rows are detached: where() sends their gradient nowhere
    const isPad = new NDArray(new Float32Array(flat.length), [flat.length, 1]);
    for (let i = 0; i < flat.length; i++) isPad.data[i] = flat[i] === pad ? 1 : 0;
    rows = where(new Tensor(isPad), rows.detach(), rows);
  }
  return rows.reshape([...shape, dim]);
}

// ---- dropout ---------------------------------------------------------------------------------

/** Options for {@link dropout}. */
export interface DropoutFnOptions {
  /** Apply dropout (default true); false returns the input, as in eval mode. */
  training?: boolean;
  /** Source of the mask (default: the global defaultGenerator). */
  generator?: Generator;
}

/**
 * Inverted dropout (F.dropout): zeroes each element with probability p and scales the rest by 1/(1 − p).
 * @example
 * ```ts
 * tg.nn.functional.dropout(tg.ones([4]), 0.5); // e.g. [2, 0, 2, 0]
 * ```
 */
export function dropout(x: Tensor, p = 0.5, options: DropoutFnOptions = {}): Tensor {
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${String(p)}`);
  if (!(options.training ?? true) || p === 0 || x.size === 0) return x;
  const gen = options.generator ?? defaultGenerator;
  const mask = NDArray.zeros(x.shape, x.dtype);
  const m = mask.data;
  const scale = 1 / (1 - p);
  for (let i = 0; i < m.length; i++) m[i] = gen.random() < p ? 0 : scale;
  return x.mul(new Tensor(mask));
}

// ---- masks -----------------------------------------------------------------------------------

/** Nested arrays of booleans (a boolean mask written as JavaScript data). */
export type BoolArray = readonly boolean[] | readonly BoolArray[];
/**
 * A mask: a float Tensor is added to the attention scores (use -Infinity to hide a position), as PyTorch's
 * float masks; a boolean mask is given as nested boolean arrays, or as a Tensor of an integer dtype
 * (nonzero = true). What `true` means depends on the function, as in PyTorch.
 */
export type Mask = Tensor | BoolArray;

/** A mask in one form: `bool` is a float 0/1 tensor (1 = true), `additive` a float tensor added to scores. */
export type NormalizedMask = { kind: 'bool'; t: Tensor } | { kind: 'additive'; t: Tensor };

function boolArrayToTensor(a: BoolArray, op: string): Tensor {
  const shape: number[] = [];
  let probe: unknown = a;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat = (a as unknown[]).flat(Infinity) as unknown[];
  const data = new Float32Array(flat.length);
  flat.forEach((v, i) => {
    if (typeof v !== 'boolean') throw new TypeError(`${op}: a mask given as an array must hold booleans, got ${typeof v}`);
    data[i] = v ? 1 : 0;
  });
  if (data.length !== shape.reduce((n, d) => n * d, 1)) throw new RangeError(`${op}: the mask array is ragged`);
  return new Tensor(new NDArray(data, shape));
}

/** Reads a mask: float tensors are additive, integer tensors and boolean arrays are boolean. */
export function normalizeMask(mask: Mask, op: string): NormalizedMask {
  if (mask instanceof Tensor) {
    const dt = mask.dtype as string;
    if (dt === 'float32' || dt === 'float64') return { kind: 'additive', t: mask.detach() };
    return { kind: 'bool', t: new Tensor(new NDArray(Float32Array.from(mask.value.values(), (v) => (v !== 0 ? 1 : 0)), [...mask.shape])) };
  }
  if (Array.isArray(mask)) return { kind: 'bool', t: boolArrayToTensor(mask, op) };
  throw new TypeError(`${op}: a mask must be a Tensor or nested boolean arrays`);
}

/** The [L, S] causal mask as 0/1 (1 where key j ≤ query i may be attended), top-left aligned as PyTorch. */
export function causalMask(l: number, s: number): Tensor {
  const m = new Float32Array(l * s);
  for (let i = 0; i < l; i++) for (let j = 0; j <= Math.min(i, s - 1); j++) m[i * s + j] = 1;
  return new Tensor(new NDArray(m, [l, s]));
}

// ---- attention -------------------------------------------------------------------------------

/** Options for {@link scaledDotProductAttention}. */
export interface AttentionOptions {
  /**
   * Which keys each query may see, broadcastable to [..., L, S]. A boolean mask (nested boolean arrays or an
   * integer tensor): true = may attend, as in PyTorch. A float tensor is added to the scores.
   */
  attnMask?: Mask | null;
  /** Hide later keys: query i sees keys 0..i (cannot be combined with attnMask, as in PyTorch). */
  isCausal?: boolean;
  /** Dropout on the attention weights (default 0; pass 0 at evaluation). */
  dropoutP?: number;
  /** Multiplies q·kᵀ (default 1/√E, E the query's last dim). */
  scale?: number | null;
  /** Source of the dropout mask (default: the global defaultGenerator). */
  generator?: Generator;
}

/**
 * Attention with its weights: softmax(q·kᵀ·scale + mask) and that matrix times v. The weights are returned
 * after dropout (as MultiheadAttention returns them). A query row whose keys are all masked gets NaN,
 * as PyTorch's math kernel gives.
 */
export function attentionWithWeights(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}, op = 'scaledDotProductAttention'): [Tensor, Tensor] {
  for (const [name, t] of [['query', q], ['key', k], ['value', v]] as const) {
    if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor`);
    if (t.ndim < 2) throw new RangeError(`${op}: ${name} must be at least 2-D [..., seq, features], got ${fmtShape(t.shape)}`);
  }
  const l = q.shape[q.ndim - 2];
  const e = q.shape[q.ndim - 1];
  const s = k.shape[k.ndim - 2];
  if (k.shape[k.ndim - 1] !== e || v.shape[v.ndim - 2] !== s) {
    throw new RangeError(
      `${op}: expected query [..., L, E], key [..., S, E] and value [..., S, Ev]; got query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)} and value ${fmtShape(v.shape)}`,
    );
  }
  if (l === 0 || s === 0) {
    throw new RangeError(`${op}: sequences of length 0 cannot be attended (query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)})`);
  }
  if (options.isCausal && options.attnMask != null) throw new RangeError(`${op}: give either attnMask or isCausal, not both`);
  const p = options.dropoutP ?? 0;
  if (!(p >= 0 && p < 1)) throw new RangeError(`${op}: dropoutP must be in [0, 1), got ${p}`);
  const scale = options.scale ?? 1 / Math.sqrt(e);
  let scores = q.matmul(k.mT).mul(scale);
  const mask: NormalizedMask | null = options.isCausal
    ? { kind: 'bool', t: causalMask(l, s) }
    : options.attnMask != null ? normalizeMask(options.attnMask, op) : null;
  if (mask) {
    try {
      scores = mask.kind === 'bool' ? where(mask.t, scores, -Infinity) : scores.add(mask.t.to(scores.dtype));
    } catch {
      throw new RangeError(`${op}: attnMask of shape ${fmtShape(mask.t.shape)} does not broadcast to the scores [..., L, S] = ${fmtShape(scores.shape)}`);
    }
  }
  let weights = scores.softmax(-1);
  if (p > 0) weights = dropout(weights, p, { generator: options.generator });
  return [weights.matmul(v), weights];
}

/**
 * Scaled dot-product attention (F.scaled_dot_product_attention): softmax(q·kᵀ/√E + mask)·v for
 * query [..., L, E], key [..., S, E] and value [..., S, Ev]; the output is [..., L, Ev]. Leading dims
 * (batch, heads) broadcast. A boolean attnMask marks with true what may be attended; a float one is added.
 * @example
 * ```ts
 * const q = tg.randn([2, 4, 8]), k = tg.randn([2, 6, 8]), v = tg.randn([2, 6, 3]);
 * tg.nn.functional.scaledDotProductAttention(q, k, v).shape; // [2, 4, 3]
 * tg.nn.functional.scaledDotProductAttention(q, q, q, { isCausal: true }); // token i sees tokens 0..i
 * ```
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: AttentionOptions = {}): Tensor {
  return attentionWithWeights(query, key, value, options)[0];
}
