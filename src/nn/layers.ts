// Basic layers: Linear (y = x·Wᵀ + b, initialised as PyTorch's nn.Linear), Identity, Dropout and Flatten.
// Constructors validate their arguments and name the layer in every error.

import { Tensor } from '../autograd/tensor.js';
import { assertDType, type DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, type Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { linear } from './functional.js';
import { kaimingUniform_, uniform_ } from './init.js';
import { Module, Parameter } from './module.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** Throws unless n is a positive integer; `what` names the layer and argument. */
export function checkPositiveInt(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw new RangeError(`${what} must be a positive integer, got ${String(n)}`);
  }
  return n;
}

/** Throws unless x is an integer (an axis or dim argument). */
export function checkInt(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new RangeError(`${what} must be an integer, got ${String(n)}`);
  return n;
}

const LINEAR_OPTIONS = optionKeys<LinearOptions>({ bias: true, dtype: true, generator: true, init: true });

/** Options for {@link Linear}. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Dtype of the weight and bias (default 'float32'). */
  dtype?: DType;
  /** Source of the initial weights (default: the global defaultGenerator). */
  generator?: Generator;
  /**
   * Fills the new weight (and bias) instead of PyTorch's default init, drawing nothing from `generator`:
   * how a Keras Dense layer applies its own initializers.
   */
  init?: (weight: Parameter, bias: Parameter | null) => void;
}

/**
 * y = x·Wᵀ + b with weight [outFeatures, inFeatures] and bias [outFeatures]. Both start as
 * U(-1/√inFeatures, 1/√inFeatures), PyTorch's default (kaiming uniform with a = √5, drawn weight first).
 * The input is [..., inFeatures] (any number of leading dims, or none).
 * Throws a RangeError when the input's last dim is not inFeatures.
 * @example
 * ```ts
 * const fc = new tg.nn.Linear(3, 2);
 * const y = fc.call(tg.randn([8, 3])); // shape [8, 2]
 * ```
 */
export class Linear extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  /** The weight matrix, shape [outFeatures, inFeatures]. */
  weight: Parameter;
  /** The bias vector, shape [outFeatures], or null when created with `bias: false`. */
  bias: Parameter | null;
  /** The size of each input's last dim. */
  readonly inFeatures: number;
  /** The size of each output's last dim. */
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    checkOptions('Linear', options, LINEAR_OPTIONS);
    super();
    this.inFeatures = checkPositiveInt(inFeatures, 'Linear: inFeatures');
    this.outFeatures = checkPositiveInt(outFeatures, 'Linear: outFeatures');
    const dtype = assertDType(options.dtype ?? 'float32', 'Linear');
    this.weight = new Parameter(NDArray.zeros([outFeatures, inFeatures], dtype));
    this.bias = options.bias ?? true ? new Parameter(NDArray.zeros([outFeatures], dtype)) : null;
    if (options.init) {
      options.init(this.weight, this.bias);
      return;
    }
    const generator = options.generator ?? defaultGenerator;
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias) {
      const bound = 1 / Math.sqrt(inFeatures);
      uniform_(this.bias, -bound, bound, { generator });
    }
  }

  override forward(x: Tensor): Tensor {
    return this.forwardWith(x, null);
  }

  /**
   * @internal forward, or relu(forward(x)) as one op when `activation` is 'relu' (the `linearRelu`
   * primitive, bitwise the same values and gradients): how nn.Sequential runs a Linear followed by a
   * ReLU, and Keras' dense layer its 'relu' activation.
   */
  forwardWith(x: Tensor, activation: 'relu' | null): Tensor {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new RangeError(
        `Linear(${this.inFeatures} → ${this.outFeatures}): expected input with last dimension ${this.inFeatures}, got shape ${fmtShape(x.shape)}`,
      );
    }
    return activation === null ? linear(x, this.weight, this.bias) : linear(x, this.weight, this.bias, { activation });
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Returns its input unchanged (a placeholder, e.g. for an optional layer). */
export class Identity extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  override forward(x: Tensor): Tensor {
    return x;
  }
}

/** Options for {@link Dropout}. */
export interface DropoutOptions {
  /** Source of the dropout masks (default: the global defaultGenerator). */
  generator?: Generator;
}

/**
 * Inverted dropout: in training mode each element is zeroed with probability p and the survivors
 * are scaled by 1/(1-p), so the expected output equals the input; in eval mode it is the identity.
 * @example
 * ```ts
 * const drop = new tg.nn.Dropout(0.2);
 * drop.call(tg.ones([2, 4])); // some elements 0, the rest 1.25
 * drop.eval();                // now it passes inputs through unchanged
 * ```
 */
export class Dropout extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  /** The probability of zeroing each element in training mode (default 0.5). */
  readonly p: number;
  /** The generator that draws the dropout masks. */
  generator: Generator;

  constructor(p = 0.5, options: DropoutOptions = {}) {
    checkOptions('Dropout', options, ['generator']);
    super();
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${String(p)}`);
    this.p = p;
    this.generator = options.generator ?? defaultGenerator;
  }

  override forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0 || x.size === 0) return x;
    // the mask is a constant: the gradient is the same mask (0 or 1/(1-p)) times the upstream one
    const mask = NDArray.zeros(x.shape, x.dtype);
    const m = mask.data;
    const scale = 1 / (1 - this.p);
    for (let i = 0; i < m.length; i++) m[i] = this.generator.random() < this.p ? 0 : scale;
    return x.mul(new Tensor(mask));
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Flattens dims startDim..endDim into one; the default keeps the batch dim: [N, ...] → [N, rest]. */
export class Flatten extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  /** The first dim to flatten (default 1, keeping the batch dim). */
  readonly startDim: number;
  /** The last dim to flatten (default -1). */
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = checkInt(startDim, 'Flatten: startDim');
    this.endDim = checkInt(endDim, 'Flatten: endDim');
  }

  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}
