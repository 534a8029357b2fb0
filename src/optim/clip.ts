// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_: call between backward() and step().
// Clipped gradients are written as new tensors (a .grad may share storage with another's: add passes g to both).

import { Tensor } from '../autograd/tensor.js';
import { allocate } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { checkOptions } from '../tensor/validate.js';

function gradsOf(params: Tensor | Iterable<Tensor>, where: string): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${where}: param ${i} is not a Tensor`);
  });
  return list.filter((p) => p._peekGrad() !== null);
}

/** Replaces p.grad by f applied to each element (row-major), in a fresh dense tensor. */
function mapGrad(p: Tensor, f: (g: number) => number): void {
  const g = (p._peekGrad() as Tensor).value;
  const src = g.values();
  const out = allocate(g.dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  p.grad = new Tensor(new NDArray(out, [...g.shape]));
}

/** Options for {@link clipGradNorm} and {@link clipGradNorm_}. */
export interface ClipGradNormOptions {
  /** Throw if the total norm is NaN or infinite (default false: clip with it anyway, as PyTorch). */
  errorIfNonfinite?: boolean;
}

/**
 * Rescales the gradients so that their joint normType-norm (over all parameters, as if concatenated)
 * is at most maxNorm: each is multiplied by maxNorm / (total + 1e-6) when total > that. normType may be
 * Infinity (the largest |g|). Parameters without a gradient are skipped. Returns the total norm before clipping.
 * @example
 * ```ts
 * loss.backward();
 * tg.optim.clipGradNorm(model.parameters(), 1.0); // between backward() and step()
 * opt.step();
 * ```
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): number {
  checkOptions('clipGradNorm', options, ['errorIfNonfinite']);
  const where = 'clipGradNorm';
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new RangeError(`${where}: maxNorm must be a number, got ${String(maxNorm)}`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new RangeError(`${where}: normType must be a positive number or Infinity, got ${String(normType)}`);
  const withGrad = gradsOf(params, where);
  if (withGrad.length === 0) return 0;
  let total = 0;
  if (normType === Infinity) {
    for (const p of withGrad) {
      const g = (p._peekGrad() as Tensor).value.values();
      for (let i = 0; i < g.length; i++) {
        const a = Math.abs(g[i]);
        if (a > total || a !== a) total = a; // NaN wins, as in a max reduction
      }
    }
  } else {
    // scale by the largest |g| first so Σ|g|^p neither overflows nor underflows
    let scale = 0;
    for (const p of withGrad) {
      const g = (p._peekGrad() as Tensor).value.values();
      for (let i = 0; i < g.length; i++) scale = Math.max(scale, Math.abs(g[i]));
    }
    if (scale > 0 && Number.isFinite(scale)) {
      let acc = 0;
      for (const p of withGrad) {
        const g = (p._peekGrad() as Tensor).value.values();
        if (normType === 2) for (let i = 0; i < g.length; i++) acc += (g[i] / scale) * (g[i] / scale);
        else for (let i = 0; i < g.length; i++) acc += Math.abs(g[i] / scale) ** normType;
      }
      total = scale * (normType === 2 ? Math.sqrt(acc) : acc ** (1 / normType));
    } else {
      total = scale; // 0, Infinity or NaN
    }
  }
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new RangeError(
      `${where}: the total norm of order ${normType} of the gradients is non-finite (${total}), so it cannot be clipped; ` +
        'pass errorIfNonfinite: false to clip anyway',
    );
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1 || Number.isNaN(coef)) for (const p of withGrad) mapGrad(p, (g) => g * coef);
  return total;
}

/** Clamps every gradient element into [-clipValue, clipValue]. */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue)) throw new RangeError(`clipGradValue: clipValue must be a number, got ${String(clipValue)}`);
  const c = Math.abs(clipValue);
  for (const p of gradsOf(params, 'clipGradValue')) mapGrad(p, (g) => (g > c ? c : g < -c ? -c : g));
}

export { clipGradNorm as clipGradNorm_, clipGradValue as clipGradValue_ };
