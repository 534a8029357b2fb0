// RMSprop, as torch.optim.RMSprop: a running mean of g² (optionally centred by the running mean of g),
// ε added after the square root, optional momentum on the normalised step.

import type { Tensor } from '../autograd/tensor.js';
import { allocate, type TypedArray } from '../tensor/dtype.js';
import { checkNonNegative, Optimizer, type ParamGroup, type ParamsInput, type ParamState } from './optimizer.js';

/** Hyperparameters of {@link RMSprop} (PyTorch's defaults); pass any subset. */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant α of the running averages (default 0.99). */
  alpha: number;
  /** Added to the root-mean-square in the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor μ (default 0). */
  momentum: number;
  /** Normalise by an estimate of the gradient's variance, v - ḡ², instead of v. */
  centered: boolean;
  /** Maximise the objective instead of minimising it. */
  maximize: boolean;
}

/**
 * g = ±∇ + λθ;  v ← αv + (1-α)g²;  ṽ = v - ḡ² with ḡ ← αḡ + (1-α)g if centred, else v;
 * b ← μb + g/(√ṽ + ε) and θ ← θ - lr·b with momentum, else θ ← θ - lr·g/(√ṽ + ε).
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options);
  }

  protected validate(o: RMSpropOptions): void {
    checkNonNegative(o.lr, 'learning rate', 'RMSprop');
    checkNonNegative(o.eps, 'epsilon value', 'RMSprop');
    checkNonNegative(o.momentum, 'momentum', 'RMSprop');
    checkNonNegative(o.weightDecay, 'weightDecay', 'RMSprop');
    checkNonNegative(o.alpha, 'alpha', 'RMSprop');
  }

  protected update(p: Tensor, grad: TypedArray, w: TypedArray, state: ParamState, group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay: wd, momentum, centered } = group;
    const n = w.length;
    if (state.step === undefined) {
      state.step = 0;
      state.squareAvg = allocate(p.dtype, n);
    }
    if (momentum > 0 && state.momentumBuffer === undefined) state.momentumBuffer = allocate(p.dtype, n);
    if (centered && state.gradAvg === undefined) state.gradAvg = allocate(p.dtype, n);
    state.step = (state.step as number) + 1;
    const v = state.squareAvg as TypedArray;
    const gAvg = state.gradAvg as TypedArray;
    const buf = state.momentumBuffer as TypedArray;
    const sign = group.maximize ? -1 : 1;
    for (let i = 0; i < n; i++) {
      const g = sign * grad[i] + wd * w[i];
      v[i] = alpha * v[i] + (1 - alpha) * g * g;
      let avg: number;
      if (centered) {
        gAvg[i] = alpha * gAvg[i] + (1 - alpha) * g;
        avg = Math.sqrt(v[i] - gAvg[i] * gAvg[i]) + eps;
      } else {
        avg = Math.sqrt(v[i]) + eps;
      }
      if (momentum > 0) {
        buf[i] = momentum * buf[i] + g / avg;
        w[i] -= lr * buf[i];
      } else {
        w[i] -= (lr * g) / avg;
      }
    }
  }
}
