// SGD with momentum, dampening, Nesterov, weight decay and maximize, as torch.optim.SGD.
// g ← ±∇ + λθ;  b ← μb + (1-τ)g (b₁ = g);  d = g + μb (Nesterov) or b;  θ ← θ - lr·d.

import type { Tensor } from '../autograd/tensor.js';
import { allocate, type TypedArray } from '../tensor/dtype.js';
import { checkNonNegative, Optimizer, type ParamGroup, type ParamsInput, type ParamState } from './optimizer.js';

/** Hyperparameters of {@link SGD} (PyTorch's names in camelCase and PyTorch's defaults); pass any subset. */
export interface SGDOptions {
  /** Learning rate (default 1e-3, as in PyTorch 2). */
  lr: number;
  /** Momentum factor μ (default 0: plain SGD). */
  momentum: number;
  /** Dampening τ for the momentum (default 0). */
  dampening: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Maximise the objective instead of minimising it. */
  maximize: boolean;
}

/**
 * Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight decay (torch.optim.SGD).
 * Each `step()` moves every parameter against its gradient: θ ← θ − lr·g (with momentum, along a running average of g).
 * Throws a RangeError for a negative lr, momentum or weightDecay, or Nesterov without momentum.
 * @example
 * ```ts
 * const model = new tg.nn.Linear(3, 1);
 * const opt = new tg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options);
  }

  protected validate(o: SGDOptions): void {
    checkNonNegative(o.lr, 'learning rate', 'SGD');
    checkNonNegative(o.momentum, 'momentum', 'SGD');
    checkNonNegative(o.weightDecay, 'weightDecay', 'SGD');
    if (typeof o.dampening !== 'number' || Number.isNaN(o.dampening)) throw new RangeError(`SGD: invalid dampening ${String(o.dampening)}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new RangeError('SGD: Nesterov momentum requires a momentum and zero dampening');
  }

  protected update(p: Tensor, grad: TypedArray, w: TypedArray, state: ParamState, group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay: wd, nesterov } = group;
    const sign = group.maximize ? -1 : 1;
    const n = w.length;
    if (momentum === 0) {
      for (let i = 0; i < n; i++) w[i] -= lr * (sign * grad[i] + wd * w[i]);
      return;
    }
    let buf = state.momentumBuffer as TypedArray | undefined;
    const first = buf === undefined;
    if (!buf) state.momentumBuffer = buf = allocate(p.dtype, n);
    for (let i = 0; i < n; i++) {
      const g = sign * grad[i] + wd * w[i];
      buf[i] = first ? g : momentum * buf[i] + (1 - dampening) * g; // the first step takes g undamped
      const b = buf[i];
      w[i] -= lr * (nesterov ? g + momentum * b : b);
    }
  }
}
