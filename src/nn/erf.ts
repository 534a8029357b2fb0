// erf, erfc, the normal CDF and exact GELU, composed from tape primitives so they differentiate to any order.
// erfc(z ≥ 0) = t·exp(P(u) - z²), t = 2/(2+z), u = (2-z)/(2+z), P a fitted polynomial (degree 24; 11 in float32).

import { Tensor, where } from '../autograd/tensor.js';

/**
 * Monomial coefficients of P(u) = log(erfc(z)·e^(z²)/t), lowest degree first: the degree-24 Chebyshev
 * interpolant of that smooth function of u ∈ [-1, 1] (z from ∞ to 0), fitted for tapegrad in 50-digit
 * arithmetic. In float64, |erf error| < 1e-15 and erfc has relative error < 1e-15·max(1, z²) for z ≥ 0.
 */
const P64 = [
  -0.6717940840566923, 0.6726432239776576, 0.047343306841898185, -0.04689561023126843, -0.009872689365754328,
  0.00882493855975445, 0.0017589335383343834, -0.002345812534455851, -0.00014624658593819772, 0.0006736790125595953,
  -9.373724844136099e-5, -0.00017430363340430627, 7.141197420995916e-5, 3.174564452587232e-5, -3.0223285604111394e-5,
  1.4209509994658064e-7, 8.63948536674404e-6, -2.965932985910632e-6, -1.3853380961247155e-6, 1.2851059663435587e-6,
  -5.745724111914076e-8, -2.9024439955999927e-7, 8.354694238740855e-8, 2.992327305770758e-8, -1.3791307091711107e-8,
];

/** The degree-11 interpolant (relative error 1.5e-8 before rounding): enough for float32, at half the ops. */
const P32 = [
  -0.671794092775805, 0.6726432124855481, 0.04734394039462034, -0.046894781015071704, -0.009880431637582687,
  0.008815156956125787, 0.0017952014937328141, -0.0023031434654053823, -0.00022919226001198893, 0.0005880716887598385,
  8.508316609820583e-6, -9.246457795633103e-5,
];

/** Beyond this, erfc(z) < 1e-317 (0 in float64 and float32); the cap keeps u finite for z = ∞. */
const Z_MAX = 27;

/** erfc(z) for z ≥ 0 (callers pass |x|). d erfc(z) = -2/√π·e^(-z²) dz, which the composite reproduces. */
function erfcNonNegative(z: Tensor): Tensor {
  const zc = z.clamp(null, Z_MAX);
  const u = zc.neg().add(2).div(zc.add(2));
  const P = z.dtype === 'float64' ? P64 : P32;
  let p = Tensor.scalar(P[P.length - 1], z.dtype);
  for (let k = P.length - 2; k >= 0; k--) p = p.mul(u).add(P[k]);
  const t = u.add(1).mul(0.5);
  return t.mul(p.sub(zc.mul(zc)).exp());
}

/** |x| as x·sign, with sign(0) = +1, so the derivative is ±1 everywhere (abs' would be 0 at 0). */
function magnitude(x: Tensor): [Tensor, Tensor] {
  const nonNeg = x.ge(0);
  return [x.mul(nonNeg.mul(2).sub(1)), nonNeg];
}

/** The complementary error function 1 - erf(x), accurate in the far right tail (no cancellation). */
export function erfc(x: Tensor): Tensor {
  const [z, nonNeg] = magnitude(x);
  const e = erfcNonNegative(z);
  return where(nonNeg, e, e.neg().add(2)); // erfc(-z) = 2 - erfc(z)
}

/** Taylor coefficients of erf(x)/x in powers of x²: 2/√π · (-1)ⁿ / (n!(2n+1)); 12 terms reach 1e-17 at |x| = ½. */
const TAYLOR = Array.from({ length: 12 }, (_, n) => {
  let c = 2 / Math.sqrt(Math.PI) / (2 * n + 1);
  for (let k = 1; k <= n; k++) c /= -k;
  return c;
});

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(-s²) ds. d erf(x) = 2/√π·e^(-x²) dx. Below |x| = ½ a Taylor
 * series keeps the relative precision (1 - erfc(x) would cancel), so erf(0) = 0 and erf(1e-8) are exact.
 */
export function erf(x: Tensor): Tensor {
  const [z, nonNeg] = magnitude(x);
  const e = erfcNonNegative(z);
  const tail = where(nonNeg, e.neg().add(1), e.sub(1));
  const xs = x.clamp(-0.5, 0.5); // the unused branch stays finite, so its zero gradient is not NaN
  const x2 = xs.mul(xs);
  let s = Tensor.scalar(TAYLOR[TAYLOR.length - 1], x.dtype);
  for (let k = TAYLOR.length - 2; k >= 0; k--) s = s.mul(x2).add(TAYLOR[k]);
  return where(z.detach().lt(0.5), xs.mul(s), tail);
}

/** Φ(x), the standard normal CDF ½·erfc(-x/√2); full relative precision in the left tail. dΦ = φ(x) dx. */
export function normalCdf(x: Tensor): Tensor {
  const [z, nonNeg] = magnitude(x);
  const half = erfcNonNegative(z.mul(Math.SQRT1_2)).mul(0.5);
  return where(nonNeg, half.neg().add(1), half);
}

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
