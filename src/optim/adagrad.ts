// Adagrad, as torch.optim.Adagrad: per-element step sizes from the running sum of squared gradients.
// g = ±∇ + λθ;  s ← s + g²;  θ ← θ - lr/(1 + (t-1)·lrDecay) · g/(√s + ε).

import type { Tensor } from '../autograd/tensor.js';
import { allocate, type TypedArray } from '../tensor/dtype.js';
import {
  checkNonNegative, Optimizer, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState,
} from './optimizer.js';

/** Hyperparameters of {@link Adagrad} (PyTorch's defaults); pass any subset. */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** The learning rate at step t is lr / (1 + (t-1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squares (default 0). */
  initialAccumulatorValue: number;
  /** Added to √s in the denominator (default 1e-10). */
  eps: number;
  /** Maximise the objective instead of minimising it. */
  maximize: boolean;
}

/**
 * Adagrad (torch.optim.Adagrad): each element's step is scaled down by the root of the sum of its squared
 * gradients so far, so frequently updated weights take smaller steps. Default lr 1e-2.
 * @example
 * ```ts
 * const model = new tg.nn.Linear(3, 1);
 * const opt = new tg.optim.Adagrad(model.parameters(), { lr: 0.05 });
 * ```
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options);
  }

  protected validate(o: AdagradOptions): void {
    checkNonNegative(o.lr, 'learning rate', 'Adagrad');
    checkNonNegative(o.lrDecay, 'lrDecay', 'Adagrad');
    checkNonNegative(o.weightDecay, 'weightDecay', 'Adagrad');
    checkNonNegative(o.initialAccumulatorValue, 'initialAccumulatorValue', 'Adagrad');
    checkNonNegative(o.eps, 'epsilon value', 'Adagrad');
  }

  /** Like PyTorch, the state (step 0, sum = initialAccumulatorValue) exists from the start. */
  override addParamGroup(group: ParamGroupInput<AdagradOptions>): void {
    super.addParamGroup(group);
    const added = this.paramGroups[this.paramGroups.length - 1];
    for (const p of added.params) {
      const sum = allocate(p.dtype, p.size);
      sum.fill(added.initialAccumulatorValue);
      this.state.set(p, { step: 0, sum });
    }
  }

  protected update(p: Tensor, grad: TypedArray, w: TypedArray, state: ParamState, group: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay: wd, eps } = group;
    const n = w.length;
    if (state.sum === undefined) {
      state.step = 0;
      state.sum = allocate(p.dtype, n).fill(group.initialAccumulatorValue);
    }
    const step = (state.step as number) + 1;
    state.step = step;
    const s = state.sum as TypedArray;
    const clr = lr / (1 + (step - 1) * lrDecay);
    const sign = group.maximize ? -1 : 1;
    for (let i = 0; i < n; i++) {
      const g = sign * grad[i] + wd * w[i];
      s[i] += g * g;
      w[i] -= (clr * g) / (Math.sqrt(s[i]) + eps);
    }
  }
}
