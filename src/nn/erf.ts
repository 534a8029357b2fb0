// erf, erfc, the normal CDF and exact GELU on tensors, built on the erf / erfc primitives.
// The primitives' kernels (src/tensor/special.ts) are accurate to float64; their VJPs differentiate to any order.

import type { Tensor } from '../autograd/tensor.js';

/** The error function erf(x) = 2/√π ∫₀ˣ e^(−s²) ds. d erf(x) = 2/√π·e^(−x²) dx. */
export function erf(x: Tensor): Tensor {
  return x.erf();
}

/** The complementary error function 1 − erf(x), accurate in the far right tail (no cancellation). */
export function erfc(x: Tensor): Tensor {
  return x.erfc();
}

/** Φ(x), the standard normal CDF ½·erfc(−x/√2); full relative precision in the left tail. dΦ = φ(x) dx. */
export function normalCdf(x: Tensor): Tensor {
  return x.mul(-Math.SQRT1_2).erfc().mul(0.5);
}

/** How GELU is computed: 'none' for the exact x·Φ(x), 'tanh' for PyTorch's tanh approximation. */
export type GeluApproximate = 'none' | 'tanh';

/**
 * GELU: x·Φ(x) exactly ('none', the default), or PyTorch's tanh approximation
 * ½x(1 + tanh(√(2/π)(x + 0.044715x³))). d gelu(x) = (Φ(x) + x·φ(x)) dx for the exact form.
 */
export function gelu(x: Tensor, approximate: GeluApproximate = 'none'): Tensor {
  if (approximate === 'none') return x.mul(normalCdf(x));
  if (approximate === 'tanh') {
    const inner = x.mul(x).mul(0.044715).add(1).mul(x).mul(Math.sqrt(2 / Math.PI));
    return x.mul(inner.tanh().add(1)).mul(0.5);
  }
  throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
}
