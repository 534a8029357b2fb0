// Layers for sequences that hold a table or a scale: LayerNorm, Embedding, and the sinusoidal
// positional encoding of "Attention Is All You Need". Initialised as PyTorch initialises them.

import type { Tensor } from '../autograd/tensor.js';
import { assertDType, type DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { layerNorm, lookup, normPaddingIdx, type Indices } from './functional-sequence.js';
import { checkPositiveInt } from './layers.js';
import { Module, Parameter } from './module.js';

/** Options for {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a per-element scale (weight, ones) and shift (bias, zeros); default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, learn the shift too (default true). */
  bias?: boolean;
  /** Dtype of weight and bias (default 'float32'). */
  dtype?: DType;
}

/**
 * Layer normalisation over the trailing `normalizedShape` dims (nn.LayerNorm): each row is centred and
 * scaled to unit (biased) variance, then multiplied by `weight` and shifted by `bias`.
 * @example
 * ```ts
 * const norm = new tg.nn.LayerNorm(8);
 * norm.call(tg.randn([2, 5, 8])).shape; // [2, 5, 8]
 * ```
 */
export class LayerNorm extends Module {
  /** The per-element scale (starts at 1), or null without elementwiseAffine. */
  weight: Parameter | null = null;
  /** The per-element shift (starts at 0), or null. */
  bias: Parameter | null = null;
  /** The trailing dims normalised over. */
  readonly normalizedShape: number[];
  /** Added to the variance. */
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0) throw new RangeError('LayerNorm: normalizedShape must have at least one dim');
    shape.forEach((d) => checkPositiveInt(d, 'LayerNorm: normalizedShape'));
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    if (!(this.eps >= 0)) throw new RangeError(`LayerNorm: eps must be ≥ 0, got ${this.eps}`);
    const dtype = assertDType(options.dtype ?? 'float32', 'LayerNorm');
    if (options.elementwiseAffine ?? true) {
      this.weight = new Parameter(new NDArray(dtype === 'float64' ? new Float64Array(size(shape)).fill(1) : new Float32Array(size(shape)).fill(1), shape));
      if (options.bias ?? true) this.bias = new Parameter(NDArray.zeros(shape, dtype));
    }
  }

  override forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    if (x.ndim < k || x.shape.slice(x.ndim - k).some((d, i) => d !== this.normalizedShape[i])) {
      throw new RangeError(`LayerNorm(${fmtShape(this.normalizedShape)}): input shape ${fmtShape(x.shape)} does not end with ${fmtShape(this.normalizedShape)}`);
    }
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${fmtShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

const size = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

/** Options for {@link Embedding}. */
export interface EmbeddingLayerOptions {
  /** This row starts at zero and gets no gradient (e.g. the padding token); negative counts from the end. */
  paddingIdx?: number | null;
  /** Dtype of the table (default 'float32'). */
  dtype?: DType;
  /** Source of the initial N(0, 1) table (default: the global defaultGenerator). */
  generator?: Generator;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (nn.Embedding), drawn from N(0, 1).
 * Call it with integer indices of any shape; the output adds a last dim of `embeddingDim`.
 * @example
 * ```ts
 * const emb = new tg.nn.Embedding(100, 16, { paddingIdx: 0 });
 * emb.call(tg.tensor([[5, 7, 0]])).shape; // [1, 3, 16]
 * ```
 */
export class Embedding extends Module<[Indices], Tensor> {
  /** The table, shape [numEmbeddings, embeddingDim]. */
  weight: Parameter;
  /** The number of rows (the vocabulary size). */
  readonly numEmbeddings: number;
  /** The size of each vector. */
  readonly embeddingDim: number;
  /** The row that gets no gradient, or null. */
  readonly paddingIdx: number | null;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingLayerOptions = {}) {
    super();
    this.numEmbeddings = checkPositiveInt(numEmbeddings, 'Embedding: numEmbeddings');
    this.embeddingDim = checkPositiveInt(embeddingDim, 'Embedding: embeddingDim');
    this.paddingIdx = normPaddingIdx(options.paddingIdx, numEmbeddings, 'Embedding');
    const dtype = assertDType(options.dtype ?? 'float32', 'Embedding');
    const table = NDArray.zeros([numEmbeddings, embeddingDim], dtype);
    (options.generator ?? defaultGenerator).fillNormal(table.data);
    if (this.paddingIdx !== null) table.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    this.weight = new Parameter(table);
  }

  override forward(indices: Indices): Tensor {
    return lookup(indices, this.weight, this.paddingIdx, `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
