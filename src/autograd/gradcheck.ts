// gradcheck / gradgradcheck: autograd's Jacobian against central finite differences, in float64.
// float32 has ~7 digits, too few for a difference quotient with eps = 1e-6; float64 has ~16.

import { NDArray } from '../tensor/ndarray.js';
import { Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { grad } from './grad.js';
import { Tensor } from './tensor.js';
import { concat } from './functions.js';

/** Options for {@link gradcheck} and {@link gradgradcheck}: step size, tolerances, fast mode and error behaviour. */
export interface GradcheckOptions {
  /** Finite-difference step for the central differences (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, scaled by the numeric gradient's magnitude (default 1e-3). */
  rtol?: number;
  /** Compare one random projection uᵀJv instead of the whole Jacobian (much cheaper). */
  fastMode?: boolean;
  /** Throw a GradcheckError on failure (default) rather than return false. */
  raiseException?: boolean;
  /** Seed for fastMode's random projections and gradgradcheck's gradOutputs. */
  seed?: number;
}

/**
 * The error {@link gradcheck} and {@link gradgradcheck} throw when autograd and finite differences disagree
 * (or the inputs are unsuitable, e.g. float32); its message names the input, the element and both values.
 */
export class GradcheckError extends Error {
  /** The error's name, 'GradcheckError' (shown in stack traces and by `String(err)`). */
  override name = 'GradcheckError';
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

/** Runs fn and flattens all of its outputs into one vector. */
function flatOutput(fn: Fn, inputs: Tensor[]): Tensor {
  const out = fn(...inputs);
  const list = Array.isArray(out) ? out : [out];
  if (list.length === 0) throw new GradcheckError('gradcheck: the function returned no outputs');
  for (const [i, o] of list.entries()) {
    if (!(o instanceof Tensor)) throw new GradcheckError(`gradcheck: output ${i} is not a Tensor`);
    if (o.dtype !== 'float64') throw new GradcheckError(`gradcheck: output ${i} is ${o.dtype}; use float64 inputs and ops`);
  }
  return list.length === 1 ? list[0].reshape([-1]) : concat(list.map((o) => o.reshape([-1])), 0);
}

/** Evaluates fn's flattened output values (recording stays on: fn may itself call grad, as in gradgradcheck). */
function evaluate(fn: Fn, inputs: Tensor[]): Float64Array {
  // a copy: fn may return a view of an input, whose storage is restored after the nudge
  return flatOutput(fn, inputs).value.clone().data as Float64Array;
}

/** The storage position of element k (row-major) of a strided tensor. */
function position(t: Tensor, k: number): number {
  const { shape, strides, offset } = t.value;
  let p = offset;
  for (let d = shape.length - 1; d >= 0; d--) {
    p += (k % shape[d]) * strides[d];
    k = Math.floor(k / shape[d]);
  }
  return p;
}

function checkInputs(inputs: Tensor[], where: string): void {
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new GradcheckError(`${where}: input ${i} is not a Tensor`);
    if (x.dtype !== 'float64') {
      throw new GradcheckError(`${where}: input ${i} (shape ${fmtShape(x.shape)}) is float32; gradcheck needs float64 inputs (use .double())`);
    }
    if (!x.requiresGrad) throw new GradcheckError(`${where}: input ${i} does not require grad`);
    if (x.value.strides.some((s, d) => s === 0 && x.shape[d] > 1)) {
      throw new GradcheckError(`${where}: input ${i} is a broadcast view (stride 0); pass a tensor whose elements do not overlap`);
    }
  });
}

/** Evaluates the flattened output with one input element nudged by delta (restored afterwards). */
function nudged(fn: Fn, inputs: Tensor[], i: number, pos: number, delta: number): Float64Array {
  const data = inputs[i].value.data;
  const orig = data[pos];
  data[pos] = orig + delta;
  try {
    return evaluate(fn, inputs);
  } finally {
    data[pos] = orig;
  }
}

function fail(options: GradcheckOptions, message: string): boolean {
  if (options.raiseException ?? true) throw new GradcheckError(message);
  return false;
}

/**
 * Checks autograd's gradients of fn at `inputs` against central differences
 * (|analytic - numeric| ≤ atol + rtol·|numeric| elementwise). Returns true or throws.
 * @example tg.gradcheck((x) => x.exp().sum(), [tg.randn([3], { dtype: 'float64', requiresGrad: true })])
 */
export function gradcheck(fn: Fn, inputs: Tensor[], options: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = options;
  checkInputs(inputs, 'gradcheck');
  const y = flatOutput(fn, inputs);
  if (!y.requiresGrad) return fail(options, 'gradcheck: the output does not depend on any input that requires grad');
  const m = y.size;
  if (options.fastMode) {
    const gen = new Generator(options.seed ?? 0);
    const u = new Tensor(y.value.clone()).detach();
    gen.fillNormal(u.value.data);
    const analytic = grad(y, inputs, { gradOutputs: u, retainGraph: true, allowUnused: true });
    for (let i = 0; i < inputs.length; i++) {
      // directional derivative along a random v: uᵀ J v, both ways
      const x = inputs[i];
      const v = new Float64Array(x.size);
      gen.fillNormal(v);
      let an = 0;
      const ga = analytic[i].value.contiguous().data;
      for (let k = 0; k < x.size; k++) an += ga[k] * v[k];
      const plus = perturbAll(fn, inputs, i, v, eps);
      const minus = perturbAll(fn, inputs, i, v, -eps);
      let num = 0;
      const ud = u.value.data;
      for (let j = 0; j < m; j++) num += ud[j] * (plus[j] - minus[j]) / (2 * eps);
      if (!(Math.abs(an - num) <= atol + rtol * Math.abs(num))) {
        return fail(options, `gradcheck (fast mode): input ${i} (shape ${fmtShape(x.shape)}): projected numeric ${num} vs analytic ${an}`);
      }
    }
    return true;
  }
  // Full Jacobian: one backward pass per output element, two forward passes per input element.
  const analytic: Float64Array[] = inputs.map((x) => new Float64Array(m * x.size));
  for (let j = 0; j < m; j++) {
    const e = new Float64Array(m);
    e[j] = 1;
    const gs = grad(y, inputs, { gradOutputs: new Tensor(new NDArray(e, [m])), retainGraph: true, allowUnused: true });
    gs.forEach((g, i) => analytic[i].set(g.value.contiguous().data, j * inputs[i].size));
  }
  let worst: { i: number; k: number; j: number; num: number; an: number; excess: number } | null = null;
  for (let i = 0; i < inputs.length; i++) {
    const x = inputs[i];
    for (let k = 0; k < x.size; k++) {
      const pos = position(x, k);
      const plus = nudged(fn, inputs, i, pos, eps);
      const minus = nudged(fn, inputs, i, pos, -eps);
      for (let j = 0; j < m; j++) {
        const num = (plus[j] - minus[j]) / (2 * eps);
        const an = analytic[i][j * x.size + k];
        const excess = Math.abs(an - num) - (atol + rtol * Math.abs(num));
        if (!(excess <= 0) && (worst === null || !(excess <= worst.excess))) worst = { i, k, j, num, an, excess };
      }
    }
  }
  if (worst) {
    const x = inputs[worst.i];
    return fail(
      options,
      `gradcheck: Jacobian mismatch for input ${worst.i} (shape ${fmtShape(x.shape)}) at element ${worst.k}, ` +
        `output element ${worst.j}: numeric ${worst.num}, analytic ${worst.an} (atol ${atol}, rtol ${rtol})`,
    );
  }
  return true;
}

function perturbAll(fn: Fn, inputs: Tensor[], i: number, v: Float64Array, scale: number): Float64Array {
  const x = inputs[i];
  const data = x.value.data;
  const saved = new Float64Array(x.size);
  for (let k = 0; k < x.size; k++) {
    const p = position(x, k);
    saved[k] = data[p];
    data[p] += scale * v[k];
  }
  try {
    return evaluate(fn, inputs);
  } finally {
    for (let k = 0; k < x.size; k++) data[position(x, k)] = saved[k];
  }
}

/**
 * Checks second derivatives: gradcheck of (inputs, u) ↦ grad(fn(inputs), inputs, u) with random u,
 * the backward pass recorded with createGraph.
 */
export function gradgradcheck(fn: Fn, inputs: Tensor[], options: GradcheckOptions & { gradOutputs?: Tensor[] } = {}): boolean {
  checkInputs(inputs, 'gradgradcheck');
  const outs = fn(...inputs);
  const list = Array.isArray(outs) ? outs : [outs];
  const gen = new Generator(options.seed ?? 1);
  const us =
    options.gradOutputs ??
    list.map((o) => {
      const t = new Tensor(o.value.clone());
      gen.fillNormal(t.value.data);
      return t;
    });
  const us2 = us.map((u) => new Tensor(u.value.clone(), true));
  const n = inputs.length;
  const second = (...all: Tensor[]) => {
    const xs = all.slice(0, n);
    const ys = fn(...xs);
    const yl = Array.isArray(ys) ? ys : [ys];
    return grad(yl, xs, { gradOutputs: all.slice(n), createGraph: true, allowUnused: true });
  };
  return gradcheck(second, [...inputs, ...us2], options);
}
