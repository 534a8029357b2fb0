// nn.MultiheadAttention: PyTorch's module, its parameter names (in_proj_weight, out_proj.weight, ...),
// its masks and its [output, weights] result, built on scaled dot-product attention.

import { Tensor, where } from '../autograd/tensor.js';
import { assertDType, type DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { linear } from './functional.js';
import { attentionWithWeights, causalMask, normalizeMask, type Mask } from './functional-sequence.js';
import { xavierUniform_ } from './init.js';
import { checkPositiveInt, Linear } from './layers.js';
import { Module, Parameter } from './module.js';

/** Options for {@link MultiheadAttention}. */
export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Learn biases for the input and output projections (default true). */
  bias?: boolean;
  /** Inputs and output are [batch, seq, feature] (default false: [seq, batch, feature], as PyTorch). */
  batchFirst?: boolean;
  /** Feature size of the keys (default embedDim). */
  kdim?: number;
  /** Feature size of the values (default embedDim). */
  vdim?: number;
  /** Dtype of the parameters (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights and of dropout masks (default: the global defaultGenerator). */
  generator?: Generator;
}

/** Options of {@link MultiheadAttention.forward}. */
export interface MultiheadAttentionForwardOptions {
  /**
   * [batch, S] (or [S] unbatched): which keys are padding. Boolean (nested boolean arrays or an integer tensor):
   * true = ignore this key, as PyTorch; a float tensor is added to the scores.
   */
  keyPaddingMask?: Mask | null;
  /**
   * [L, S] or [batch·numHeads, L, S]: which query/key pairs are hidden. Boolean: true = not allowed, as
   * PyTorch; a float tensor is added to the scores.
   */
  attnMask?: Mask | null;
  /** Return the attention weights (default true); false returns null in their place. */
  needWeights?: boolean;
  /** Average the weights over heads, [batch, L, S] (default true); false gives [batch, numHeads, L, S]. */
  averageAttnWeights?: boolean;
  /** Hide later keys: query i sees keys 0..i (combined with attnMask when both are given). */
  isCausal?: boolean;
}

/** The result of {@link MultiheadAttention.forward}: the output and the attention weights (or null). */
export type AttentionResult = [output: Tensor, weights: Tensor | null];

/**
 * Multi-head attention (nn.MultiheadAttention): `numHeads` heads of size embedDim/numHeads attend in
 * parallel over projected queries, keys and values; their outputs are joined and projected by `out_proj`.
 * Parameters carry PyTorch's names, so a PyTorch state dict loads as is: `in_proj_weight` [3E, E] and
 * `in_proj_bias` [3E] (or `q_proj_weight`, `k_proj_weight`, `v_proj_weight` when kdim/vdim differ from E),
 * `out_proj.weight`, `out_proj.bias`. Shapes are [L, batch, E] (or [batch, L, E] with batchFirst, or [L, E]).
 * @example
 * ```ts
 * const mha = new tg.nn.MultiheadAttention(16, 4, { batchFirst: true });
 * const x = tg.randn([2, 5, 16]);
 * const [out, weights] = mha.call(x, x, x); // out [2, 5, 16], weights [2, 5, 5]
 * ```
 */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, MultiheadAttentionForwardOptions?], AttentionResult> {
  /** The packed query/key/value projection [3·embedDim, embedDim] (null when kdim or vdim differ). */
  in_proj_weight: Parameter | null = null;
  /** The query projection [embedDim, embedDim] when kdim/vdim differ from embedDim. */
  q_proj_weight: Parameter | null = null;
  /** The key projection [embedDim, kdim] when kdim/vdim differ from embedDim. */
  k_proj_weight: Parameter | null = null;
  /** The value projection [embedDim, vdim] when kdim/vdim differ from embedDim. */
  v_proj_weight: Parameter | null = null;
  /** The packed projection bias [3·embedDim] (starts at 0), or null without bias. */
  in_proj_bias: Parameter | null = null;
  /** The output projection (weight [E, E], bias starting at 0). */
  out_proj: Linear;
  /** Model width E. */
  readonly embedDim: number;
  /** Number of heads. */
  readonly numHeads: number;
  /** Size of each head, E / numHeads. */
  readonly headDim: number;
  /** Feature size of the keys. */
  readonly kdim: number;
  /** Feature size of the values. */
  readonly vdim: number;
  /** Dropout probability on the attention weights. */
  readonly dropout: number;
  /** Layout: [batch, seq, feature] when true. */
  readonly batchFirst: boolean;
  /** Draws dropout masks. */
  generator: Generator;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    this.embedDim = checkPositiveInt(embedDim, 'MultiheadAttention: embedDim');
    this.numHeads = checkPositiveInt(numHeads, 'MultiheadAttention: numHeads');
    if (embedDim % numHeads !== 0) {
      throw new RangeError(`MultiheadAttention: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    }
    this.headDim = embedDim / numHeads;
    this.kdim = checkPositiveInt(options.kdim ?? embedDim, 'MultiheadAttention: kdim');
    this.vdim = checkPositiveInt(options.vdim ?? embedDim, 'MultiheadAttention: vdim');
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new RangeError(`MultiheadAttention: dropout must be in [0, 1), got ${this.dropout}`);
    this.batchFirst = options.batchFirst ?? false;
    this.generator = options.generator ?? defaultGenerator;
    const dtype = assertDType(options.dtype ?? 'float32', 'MultiheadAttention');
    const gen = { generator: this.generator };
    const e = embedDim;
    if (this.kdim === e && this.vdim === e) {
      this.in_proj_weight = xavierUniform_(new Parameter(NDArray.zeros([3 * e, e], dtype)), gen);
    } else {
      this.q_proj_weight = xavierUniform_(new Parameter(NDArray.zeros([e, e], dtype)), gen);
      this.k_proj_weight = xavierUniform_(new Parameter(NDArray.zeros([e, this.kdim], dtype)), gen);
      this.v_proj_weight = xavierUniform_(new Parameter(NDArray.zeros([e, this.vdim], dtype)), gen);
    }
    const bias = options.bias ?? true;
    if (bias) this.in_proj_bias = new Parameter(NDArray.zeros([3 * e], dtype));
    this.out_proj = new Linear(e, e, { bias, dtype, generator: this.generator });
    if (this.out_proj.bias) this.out_proj.bias.value.data.fill(0);
  }

  /** Checks the three inputs and returns them batch-first and batched, plus whether the input was unbatched. */
  private layout(query: Tensor, key: Tensor, value: Tensor): { q: Tensor; k: Tensor; v: Tensor; unbatched: boolean } {
    const name = `MultiheadAttention(embedDim=${this.embedDim}, numHeads=${this.numHeads}, batchFirst=${this.batchFirst})`;
    const shapes = `query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)}, value ${fmtShape(value.shape)}`;
    const nd = query.ndim;
    if ((nd !== 2 && nd !== 3) || key.ndim !== nd || value.ndim !== nd) {
      throw new RangeError(`${name}: expected query, key and value all 3-D (or all 2-D, unbatched); got ${shapes}`);
    }
    const feat = [query.shape[nd - 1], key.shape[nd - 1], value.shape[nd - 1]];
    if (feat[0] !== this.embedDim || feat[1] !== this.kdim || feat[2] !== this.vdim) {
      throw new RangeError(`${name}: expected feature sizes embedDim ${this.embedDim}, kdim ${this.kdim}, vdim ${this.vdim}; got ${shapes}`);
    }
    const unbatched = nd === 2;
    const bf = (t: Tensor) => (unbatched ? t.unsqueeze(0) : this.batchFirst ? t : t.transpose(0, 1));
    const [q, k, v] = [bf(query), bf(key), bf(value)];
    if (k.shape[0] !== q.shape[0] || v.shape[0] !== q.shape[0] || k.shape[1] !== v.shape[1]) {
      const layout = this.batchFirst ? '[batch, seq, feature]' : '[seq, batch, feature]';
      throw new RangeError(`${name}: inputs must share the batch size and key/value the sequence length in the layout ${layout}; got ${shapes}`);
    }
    if (q.shape[1] === 0 || k.shape[1] === 0) throw new RangeError(`${name}: sequences of length 0 cannot be attended; got ${shapes}`);
    return { q, k, v, unbatched };
  }

  /** The combined additive mask broadcastable to [batch, heads, L, S], or null. */
  private combinedMask(n: number, l: number, s: number, options: MultiheadAttentionForwardOptions, unbatched: boolean): Tensor | null {
    const name = `MultiheadAttention(embedDim=${this.embedDim}, numHeads=${this.numHeads})`;
    let mask: Tensor | null = null;
    const addMask = (m: Tensor) => { mask = mask ? mask.add(m) : m; };
    if (options.attnMask != null) {
      const m = normalizeMask(options.attnMask, name);
      const t = m.t;
      let shaped: Tensor;
      if (t.ndim === 2 && t.shape[0] === l && t.shape[1] === s) shaped = t.reshape([1, 1, l, s]);
      else if (t.ndim === 3 && t.shape[0] === n * this.numHeads && t.shape[1] === l && t.shape[2] === s) shaped = t.reshape([n, this.numHeads, l, s]);
      else throw new RangeError(`${name}: attnMask must be [L, S] = [${l},${s}] or [batch·numHeads, L, S] = [${n * this.numHeads},${l},${s}], got ${fmtShape(t.shape)}`);
      addMask(m.kind === 'bool' ? where(shaped, -Infinity, 0) : shaped);
    }
    if (options.isCausal) addMask(where(causalMask(l, s), 0, -Infinity).reshape([1, 1, l, s]));
    if (options.keyPaddingMask != null) {
      const m = normalizeMask(options.keyPaddingMask, name);
      const want = unbatched ? [s] : [n, s];
      if (m.t.ndim !== want.length || m.t.shape.some((d, i) => d !== want[i])) {
        throw new RangeError(`${name}: keyPaddingMask must be ${unbatched ? '[S]' : '[batch, S]'} = ${fmtShape(want)}, got ${fmtShape(m.t.shape)}`);
      }
      if (m.kind === 'bool') {
        const d = m.t.value.values();
        for (let b = 0; b < n; b++) {
          let all = true;
          for (let j = 0; j < s && all; j++) all = d[b * s + j] !== 0;
          if (all) {
            throw new RangeError(
              `${name}: keyPaddingMask ${fmtShape(m.t.shape)} masks every key of batch row ${b}; PyTorch returns NaN for such a row. Leave at least one key unmasked`,
            );
          }
        }
      }
      const shaped = m.t.reshape([n, 1, 1, s]);
      addMask(m.kind === 'bool' ? where(shaped, -Infinity, 0) : shaped);
    }
    return mask;
  }

  /**
   * Attends from `query` [L, batch, E] to `key` [S, batch, kdim] / `value` [S, batch, vdim] (batch first with
   * batchFirst; all 2-D for one unbatched sequence). Returns [output [L, batch, E], weights [batch, L, S]
   * averaged over heads, or [batch, numHeads, L, S], or null with needWeights false].
   */
  override forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): AttentionResult {
    const { q: q0, k: k0, v: v0, unbatched } = this.layout(query, key, value);
    const [n, l] = q0.shape;
    const s = k0.shape[1];
    const e = this.embedDim;
    const h = this.numHeads;
    const hd = this.headDim;
    const b = this.in_proj_bias;
    const bq = b ? b.slice(0, 0, e) : null;
    const bk = b ? b.slice(0, e, 2 * e) : null;
    const bv = b ? b.slice(0, 2 * e, 3 * e) : null;
    let q: Tensor;
    let k: Tensor;
    let v: Tensor;
    if (this.in_proj_weight) {
      const w = this.in_proj_weight;
      q = linear(q0, w.slice(0, 0, e), bq);
      k = linear(k0, w.slice(0, e, 2 * e), bk);
      v = linear(v0, w.slice(0, 2 * e, 3 * e), bv);
    } else {
      q = linear(q0, this.q_proj_weight as Parameter, bq);
      k = linear(k0, this.k_proj_weight as Parameter, bk);
      v = linear(v0, this.v_proj_weight as Parameter, bv);
    }
    const heads = (t: Tensor, len: number) => t.reshape([n, len, h, hd]).permute([0, 2, 1, 3]);
    const mask = this.combinedMask(n, l, s, options, unbatched);
    const [att, weights] = attentionWithWeights(heads(q, l), heads(k, s), heads(v, s), {
      attnMask: mask, dropoutP: this.training ? this.dropout : 0, generator: this.generator,
    }, 'MultiheadAttention');
    let out = this.out_proj.call(att.permute([0, 2, 1, 3]).reshape([n, l, e]));
    out = unbatched ? out.squeeze(0) : this.batchFirst ? out : out.transpose(0, 1);
    if (!(options.needWeights ?? true)) return [out, null];
    let w = (options.averageAttnWeights ?? true) ? weights.mean(1) : weights;
    if (unbatched) w = w.squeeze(0);
    return [out, w];
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, batchFirst=${this.batchFirst}`;
  }
}
