// Activation layers: thin Modules over the functional forms (ReLU, ReLU6, LeakyReLU, ELU, SELU, GELU, SiLU,
// Sigmoid, Tanh, Softmax, LogSoftmax, Softplus), with PyTorch's defaults and printouts.

import { Tensor, where } from '../autograd/tensor.js';
import { gelu, type GeluApproximate } from './erf.js';
import { elu, leakyRelu, relu6, selu, silu, softplus } from './functional.js';
import { checkInt } from './layers.js';
import { Module } from './module.js';

/**
 * The rectified linear unit as a layer: max(x, 0) elementwise (PyTorch's nn.ReLU).
 * @example
 * ```ts
 * const net = new tg.nn.Sequential(new tg.nn.Linear(2, 8), new tg.nn.ReLU(), new tg.nn.Linear(8, 1));
 * ```
 */
export class ReLU extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  override forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** max(x, 0) + negativeSlope·min(x, 0). */
export class LeakyReLU extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  /** The slope for negative inputs (default 0.01). */
  readonly negativeSlope: number;

  constructor(negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope)) {
      throw new RangeError(`LeakyReLU: negativeSlope must be a finite number, got ${String(negativeSlope)}`);
    }
    this.negativeSlope = negativeSlope;
  }

  override forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x·Φ(x) with Φ the normal CDF (approximate 'none'), or the tanh approximation. */
export class GELU extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  /** 'none' for the exact erf form (the default) or 'tanh' for the tanh approximation. */
  readonly approximate: GeluApproximate;

  constructor(approximate: GeluApproximate = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new RangeError(`GELU: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
    }
    this.approximate = approximate;
  }

  override forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** SiLU (swish): x·σ(x). */
export class SiLU extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  override forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** min(max(x, 0), 6) as a layer (PyTorch's nn.ReLU6). */
export class ReLU6 extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  override forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

/** x for x > 0, α·(eˣ − 1) otherwise (PyTorch's nn.ELU, default α = 1). */
export class ELU extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  /** The scale of the negative branch (default 1). */
  readonly alpha: number;

  constructor(alpha = 1) {
    super();
    if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new RangeError(`ELU: alpha must be a finite number, got ${String(alpha)}`);
    this.alpha = alpha;
  }

  override forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** λ·elu(x, α) with the self-normalising constants (PyTorch's nn.SELU). */
export class SELU extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  override forward(x: Tensor): Tensor {
    return selu(x);
  }
}

/** The logistic sigmoid 1 / (1 + e⁻ˣ) as a layer (PyTorch's nn.Sigmoid); outputs lie in (0, 1). */
export class Sigmoid extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  override forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** The hyperbolic tangent as a layer (PyTorch's nn.Tanh); outputs lie in (−1, 1). */
export class Tanh extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  override forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** softmax along `axis` (default the last). */
export class Softmax extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  /** The axis the probabilities sum to 1 along (default -1, the last). */
  readonly axis: number;

  constructor(axis = -1) {
    super();
    this.axis = checkInt(axis, 'Softmax: axis');
  }

  override forward(x: Tensor): Tensor {
    return x.softmax(this.axis);
  }

  override extraRepr(): string {
    return `axis=${this.axis}`;
  }
}

/** log-softmax along `axis` (default the last). */
export class LogSoftmax extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  /** The axis to normalise along (default -1, the last). */
  readonly axis: number;

  constructor(axis = -1) {
    super();
    this.axis = checkInt(axis, 'LogSoftmax: axis');
  }

  override forward(x: Tensor): Tensor {
    return x.logSoftmax(this.axis);
  }

  override extraRepr(): string {
    return `axis=${this.axis}`;
  }
}

/**
 * softplus(βx)/β, and x itself where βx > threshold (as PyTorch does, for exactness there;
 * the stable formula would not overflow anyway).
 */
export class Softplus extends Module {
  /** @internal Its forward keeps no reference to its input or output (nn.Sequential may recycle them). */
  static readonly pureForward = true;
  /** The sharpness β (default 1); larger values approach relu. */
  readonly beta: number;
  /** Above this value of βx the output is x itself (default 20). */
  readonly threshold: number;

  constructor(beta = 1, threshold = 20) {
    super();
    if (typeof beta !== 'number' || !(beta > 0) || !Number.isFinite(beta)) {
      throw new RangeError(`Softplus: beta must be a positive number, got ${String(beta)}`);
    }
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
      throw new RangeError(`Softplus: threshold must be a number, got ${String(threshold)}`);
    }
    this.beta = beta;
    this.threshold = threshold;
  }

  override forward(x: Tensor): Tensor {
    const bx = this.beta === 1 ? x : x.mul(this.beta);
    const sp = this.beta === 1 ? softplus(bx) : softplus(bx).div(this.beta);
    return where(bx.detach().gt(this.threshold), x, sp);
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}
