// Transformers: nn.TransformerEncoderLayer and nn.TransformerEncoder (PyTorch's names and sub-module
// names), a decoder-only causal block for language models, and the sinusoidal positional encoding.

import { Tensor } from '../autograd/tensor.js';
import { assertDType, type DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { MultiheadAttention } from './attention.js';
import { gelu } from './erf.js';
import type { Mask } from './functional-sequence.js';
import { checkPositiveInt, Dropout, Linear } from './layers.js';
import { type AnyModule, Module } from './module.js';
import { LayerNorm } from './sequence-layers.js';

/** Options for {@link TransformerEncoderLayer}. */
export interface TransformerEncoderLayerOptions {
  /** Width of the feed-forward block (default 2048, as PyTorch). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** The feed-forward activation: 'relu' (default) or 'gelu'. */
  activation?: 'relu' | 'gelu';
  /** LayerNorm's eps (default 1e-5). */
  layerNormEps?: number;
  /** [batch, seq, feature] inputs (default false: [seq, batch, feature]). */
  batchFirst?: boolean;
  /** Pre-norm: normalise before attention and feed-forward (default false: post-norm, the 2017 layout). */
  normFirst?: boolean;
  /** Learn biases in the linear layers and norms (default true). */
  bias?: boolean;
  /** Dtype of the parameters (default 'float32'). */
  dtype?: DType;
  /** Source of initial weights and dropout masks (default: the global defaultGenerator). */
  generator?: Generator;
}

/** Options of {@link TransformerEncoderLayer.forward} and {@link TransformerEncoder.forward}. */
export interface TransformerEncoderForwardOptions {
  /** Shape `[L, L]` or `[batch·nhead, L, L]`; a boolean true hides the pair, a float value is added (MultiheadAttention's attnMask). */
  srcMask?: Mask | null;
  /** [batch, L]: boolean true = padding, ignored as a key. */
  srcKeyPaddingMask?: Mask | null;
  /** Token i attends to tokens 0..i only. */
  isCausal?: boolean;
}

/**
 * One transformer encoder layer (nn.TransformerEncoderLayer): self-attention then a two-layer feed-forward
 * block, each with a residual connection, dropout and LayerNorm (after the residual by default, before it
 * with normFirst). Sub-modules carry PyTorch's names: self_attn, linear1, linear2, norm1, norm2.
 * @example
 * ```ts
 * const layer = new tg.nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * layer.call(tg.randn([2, 10, 32])).shape; // [2, 10, 32]
 * ```
 */
export class TransformerEncoderLayer extends Module<[Tensor, TransformerEncoderForwardOptions?], Tensor> {
  /** Self-attention. */
  self_attn: MultiheadAttention;
  /** First feed-forward projection, dModel → dimFeedforward. */
  linear1: Linear;
  /** Dropout inside the feed-forward block. */
  dropout: Dropout;
  /** Second feed-forward projection, dimFeedforward → dModel. */
  linear2: Linear;
  /** LayerNorm around attention. */
  norm1: LayerNorm;
  /** LayerNorm around the feed-forward block. */
  norm2: LayerNorm;
  /** Dropout on the attention branch. */
  dropout1: Dropout;
  /** Dropout on the feed-forward branch. */
  dropout2: Dropout;
  /** Model width. */
  readonly dModel: number;
  /** Number of attention heads. */
  readonly nhead: number;
  /** The options this layer was built with (used by clone()). */
  readonly options: Readonly<TransformerEncoderLayerOptions>;

  constructor(dModel: number, nhead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    this.dModel = checkPositiveInt(dModel, 'TransformerEncoderLayer: dModel');
    this.nhead = checkPositiveInt(nhead, 'TransformerEncoderLayer: nhead');
    if (dModel % nhead !== 0) throw new RangeError(`TransformerEncoderLayer: dModel ${dModel} is not divisible by nhead ${nhead}`);
    this.options = { ...options };
    const act = options.activation ?? 'relu';
    if (act !== 'relu' && act !== 'gelu') throw new RangeError(`TransformerEncoderLayer: activation must be 'relu' or 'gelu', got ${JSON.stringify(act)}`);
    const ff = checkPositiveInt(options.dimFeedforward ?? 2048, 'TransformerEncoderLayer: dimFeedforward');
    const p = options.dropout ?? 0.1;
    const dtype = assertDType(options.dtype ?? 'float32', 'TransformerEncoderLayer');
    const generator = options.generator ?? defaultGenerator;
    const bias = options.bias ?? true;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: options.batchFirst, dtype, generator });
    this.linear1 = new Linear(dModel, ff, { bias, dtype, generator });
    this.dropout = new Dropout(p, { generator });
    this.linear2 = new Linear(ff, dModel, { bias, dtype, generator });
    const eps = options.layerNormEps ?? 1e-5;
    this.norm1 = new LayerNorm(dModel, { eps, bias, dtype });
    this.norm2 = new LayerNorm(dModel, { eps, bias, dtype });
    this.dropout1 = new Dropout(p, { generator });
    this.dropout2 = new Dropout(p, { generator });
  }

  private selfAttention(x: Tensor, options: TransformerEncoderForwardOptions): Tensor {
    const [out] = this.self_attn.call(x, x, x, {
      attnMask: options.srcMask, keyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal, needWeights: false,
    });
    return this.dropout1.call(out);
  }

  private feedForward(x: Tensor): Tensor {
    const h = this.linear1.call(x);
    const a = (this.options.activation ?? 'relu') === 'gelu' ? gelu(h) : h.relu();
    return this.dropout2.call(this.linear2.call(this.dropout.call(a)));
  }

  /** Runs the layer on src [L, batch, dModel] ([batch, L, dModel] with batchFirst; [L, dModel] unbatched). */
  override forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    if (src.ndim < 2 || src.shape[src.ndim - 1] !== this.dModel) {
      throw new RangeError(`TransformerEncoderLayer(dModel=${this.dModel}): expected input [..., ${this.dModel}], got ${fmtShape(src.shape)}`);
    }
    let x = src;
    if (this.options.normFirst) {
      x = x.add(this.selfAttention(this.norm1.call(x), options));
      x = x.add(this.feedForward(this.norm2.call(x)));
    } else {
      x = this.norm1.call(x.add(this.selfAttention(x, options)));
      x = this.norm2.call(x.add(this.feedForward(x)));
    }
    return x;
  }

  /** A new layer with the same options and a copy of these weights (what TransformerEncoder stacks). */
  clone(): TransformerEncoderLayer {
    const copy = new TransformerEncoderLayer(this.dModel, this.nhead, this.options);
    copyParameters(this, copy);
    copy.train(this.training);
    return copy;
  }

  override extraRepr(): string {
    return `dModel=${this.dModel}, nhead=${this.nhead}`;
  }
}

/** Copies every parameter's values from one module into a module of the same structure (fresh storage). */
function copyParameters(from: AnyModule, to: AnyModule): void {
  const src = new Map(from.namedParameters());
  for (const [name, p] of to.namedParameters()) p.value = (src.get(name) as Tensor).value.clone();
}

/** Options for {@link TransformerEncoder}. */
export interface TransformerEncoderOptions {
  /** A final normalisation applied after the last layer (e.g. a LayerNorm for pre-norm stacks). */
  norm?: LayerNorm | null;
}

/**
 * A stack of `numLayers` copies of an encoder layer (nn.TransformerEncoder): each copy starts with the
 * given layer's weights, as PyTorch's deep copy. Sub-modules are named layers.0, layers.1, ... and norm.
 * @example
 * ```ts
 * const layer = new tg.nn.TransformerEncoderLayer(16, 2, { dimFeedforward: 32, batchFirst: true });
 * const encoder = new tg.nn.TransformerEncoder(layer, 3);
 * encoder.call(tg.randn([4, 7, 16])).shape; // [4, 7, 16]
 * ```
 */
export class TransformerEncoder extends Module<[Tensor, TransformerEncoderForwardOptions?], Tensor> {
  /** The layers, run in order. */
  layers: TransformerEncoderLayer[];
  /** The final normalisation, or null. */
  norm: LayerNorm | null;
  /** How many layers. */
  readonly numLayers: number;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, options: TransformerEncoderOptions = {}) {
    super();
    if (!(encoderLayer instanceof TransformerEncoderLayer)) throw new TypeError('TransformerEncoder: encoderLayer must be a TransformerEncoderLayer');
    this.numLayers = checkPositiveInt(numLayers, 'TransformerEncoder: numLayers');
    this.layers = Array.from({ length: numLayers }, () => encoderLayer.clone());
    this.norm = options.norm ?? null;
  }

  /** Runs every layer in turn on src, with the same masks, then the final norm. */
  override forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = layer.call(x, options);
    return this.norm ? this.norm.call(x) : x;
  }

  override extraRepr(): string {
    return `numLayers=${this.numLayers}`;
  }
}

/**
 * A decoder-only (GPT-style) transformer block for causal language models: a pre-norm encoder layer whose
 * self-attention always hides later tokens, so position i depends only on positions 0..i. Inputs are
 * batch first, [batch, L, dModel]. The names of its parameters are those of TransformerEncoderLayer.
 * @example
 * ```ts
 * const block = new tg.nn.CausalTransformerBlock(32, 4, { dimFeedforward: 128 });
 * block.call(tg.randn([2, 10, 32])).shape; // [2, 10, 32]
 * ```
 */
export class CausalTransformerBlock extends TransformerEncoderLayer {
  constructor(dModel: number, nhead: number, options: Omit<TransformerEncoderLayerOptions, 'batchFirst' | 'normFirst'> = {}) {
    super(dModel, nhead, { dropout: 0, activation: 'gelu', ...options, batchFirst: true, normFirst: true });
  }

  /** Runs the block on x [batch, L, dModel] with the causal mask (plus an optional key-padding mask). */
  override forward(x: Tensor, options: Omit<TransformerEncoderForwardOptions, 'isCausal'> = {}): Tensor {
    return super.forward(x, { ...options, isCausal: true });
  }
}

/** Options for {@link sinusoidalPositionalEncoding}. */
export interface PositionalEncodingOptions {
  /** The wavelength base (default 10000). */
  base?: number;
  /** Dtype of the result (default 'float32'). */
  dtype?: DType;
}

/**
 * The fixed positional encoding of Vaswani et al. (2017), [length, dModel]: PE[p, 2i] = sin(p / base^(2i/dModel)),
 * PE[p, 2i+1] = cos(p / base^(2i/dModel)). Add it to token embeddings so attention can tell positions apart.
 * @example
 * ```ts
 * const pe = tg.nn.sinusoidalPositionalEncoding(50, 16); // [50, 16]
 * const x = tg.randn([8, 50, 16]).add(pe);               // broadcast over the batch
 * ```
 */
export function sinusoidalPositionalEncoding(length: number, dModel: number, options: PositionalEncodingOptions = {}): Tensor {
  checkPositiveInt(length, 'sinusoidalPositionalEncoding: length');
  checkPositiveInt(dModel, 'sinusoidalPositionalEncoding: dModel');
  const base = options.base ?? 10000;
  if (!(base > 0)) throw new RangeError(`sinusoidalPositionalEncoding: base must be > 0, got ${base}`);
  const out = NDArray.zeros([length, dModel], assertDType(options.dtype ?? 'float32', 'sinusoidalPositionalEncoding'));
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < dModel; i += 2) {
      const angle = p / base ** (i / dModel);
      out.data[p * dModel + i] = Math.sin(angle);
      if (i + 1 < dModel) out.data[p * dModel + i + 1] = Math.cos(angle);
    }
  }
  return new Tensor(out);
}
