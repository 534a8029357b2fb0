// Adversarial training for fit(): PGD or FGSM-from-a-random-start examples made from every float input of a
// model at once (one input or several, one output or several; the loss is the compiled, weighted total), and
// the ε-ball arithmetic the attacks share (random start, projection, clipping). fit({ adversarial }) and the
// tg.robust.adversarialTraining callback both use adversarialInputs; tg.robust.fgsm / pgd use the helpers.

import { concat } from '../autograd/functions.js';
import { grad } from '../autograd/grad.js';
import { Tensor } from '../autograd/tensor.js';
import { toTensor } from '../data/arrays.js';
import { type Generator } from '../tensor/random.js';

/** Options of adversarial training: `fit(x, y, { adversarial })` and `tg.robust.adversarialTraining`. */
export interface AdversarialOptions {
  /** 'pgd' (default: Madry et al.) or 'fgsm' (FGSM from a random start, step 1.25·ε: Wong et al.'s "fast" training). */
  attack?: 'pgd' | 'fgsm';
  /** The L∞ radius to train against (every perturbed input value moves by at most ε). */
  epsilon: number;
  /** PGD steps (default 7; FGSM always takes one). */
  steps?: number;
  /** The step size (default 2.5·ε/steps for PGD, 1.25·ε for FGSM). */
  alpha?: number;
  /** The smallest valid input value, e.g. 0 for pixels in [0, 1] (default: no lower bound). */
  clipMin?: number;
  /** The largest valid input value, e.g. 1 (default: no upper bound). */
  clipMax?: number;
  /** The share of each batch's rows replaced by adversarial ones (default 1: all; 0.5 mixes clean and adversarial). */
  ratio?: number;
  /** Seed of the random starts (default: the default generator, which tg.manualSeed sets). */
  seed?: number;
  /** The inputs to perturb, by name (default: every float input; integer inputs such as token ids are never perturbed). */
  inputs?: string[];
}

/** Adversarial training options, checked, with defaults filled in. */
export interface AdversarialSettings {
  /** 'pgd' or 'fgsm' (one step from a random start). */
  attack: 'pgd' | 'fgsm';
  /** The L∞ radius. */
  epsilon: number;
  /** Gradient steps (1 for FGSM). */
  steps: number;
  /** The step size. */
  alpha: number;
  /** The smallest valid input value, if any. */
  clipMin: number | undefined;
  /** The largest valid input value, if any. */
  clipMax: number | undefined;
  /** The share of each batch's rows made adversarial. */
  ratio: number;
  /** Per model input: perturb it or not. */
  perturb: boolean[];
}

const KNOWN = ['attack', 'epsilon', 'steps', 'alpha', 'clipMin', 'clipMax', 'ratio', 'seed', 'inputs'];

function finiteAtLeast0(v: unknown, name: string, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v >= 0)) throw new RangeError(`${where}: ${name} must be a finite number ≥ 0, got ${String(v)}`);
  return v;
}

/**
 * Checks adversarial training options against a model's inputs (names and the dtypes of the data given to
 * fit) and fills in the defaults. Throws a RangeError naming `where` and the bad option.
 */
export function adversarialSettings(options: AdversarialOptions, inputNames: readonly string[], dtypes: readonly string[], where: string): AdversarialSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`${where}: expected options { epsilon, attack, steps, ratio, ... }`);
  for (const k of Object.keys(options)) if (!KNOWN.includes(k)) throw new RangeError(`${where}: unknown option ${JSON.stringify(k)} (options: ${KNOWN.join(', ')})`);
  const attack = options.attack ?? 'pgd';
  if (attack !== 'pgd' && attack !== 'fgsm') throw new RangeError(`${where}: attack must be 'pgd' or 'fgsm', got ${JSON.stringify(attack)}`);
  const epsilon = finiteAtLeast0(options.epsilon, 'epsilon', where);
  const steps = attack === 'fgsm' ? 1 : options.steps ?? 7;
  if (!Number.isSafeInteger(steps) || steps < 1) throw new RangeError(`${where}: steps must be a positive integer, got ${String(options.steps)}`);
  if (attack === 'fgsm' && options.steps !== undefined && options.steps !== 1) throw new RangeError(`${where}: attack 'fgsm' takes one step; got steps ${options.steps} (use attack 'pgd' for more)`);
  const alpha = finiteAtLeast0(options.alpha ?? (attack === 'fgsm' ? 1.25 * epsilon : (2.5 * epsilon) / steps), 'alpha', where);
  const ratio = options.ratio ?? 1;
  if (typeof ratio !== 'number' || !(ratio > 0 && ratio <= 1)) throw new RangeError(`${where}: ratio must be in (0, 1], got ${String(ratio)}`);
  for (const [k, v] of [['clipMin', options.clipMin], ['clipMax', options.clipMax]] as const) {
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) throw new RangeError(`${where}: ${k} must be a number, got ${String(v)}`);
  }
  if (options.clipMin !== undefined && options.clipMax !== undefined && !(options.clipMin < options.clipMax)) {
    throw new RangeError(`${where}: clipMin ${options.clipMin} must be below clipMax ${options.clipMax}`);
  }
  if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new RangeError(`${where}: seed must be a number, got ${String(options.seed)}`);
  const isFloat = (i: number) => dtypes[i] !== 'int32';
  let perturb: boolean[];
  if (options.inputs !== undefined) {
    if (!Array.isArray(options.inputs) || options.inputs.length === 0) throw new RangeError(`${where}: inputs must be a non-empty list of input names (${inputNames.join(', ')})`);
    for (const name of options.inputs) {
      const i = inputNames.indexOf(name);
      if (i < 0) throw new RangeError(`${where}: inputs names ${JSON.stringify(name)}, which is not an input; the inputs are ${inputNames.join(', ')}`);
      if (!isFloat(i)) throw new RangeError(`${where}: input ${JSON.stringify(name)} holds integers (${dtypes[i]}); only float inputs can be perturbed`);
    }
    perturb = inputNames.map((n) => options.inputs!.includes(n));
  } else {
    perturb = inputNames.map((_, i) => isFloat(i));
    if (!perturb.some(Boolean)) throw new RangeError(`${where}: the model has no float input to perturb (inputs ${inputNames.join(', ')} hold integers)`);
  }
  return { attack, epsilon, steps, alpha, clipMin: options.clipMin, clipMax: options.clipMax, ratio, perturb };
}

/** Clamps every value into [lo, hi] (either bound may be undefined), in place. */
export function clipInPlace(v: Float32Array, lo: number | undefined, hi: number | undefined): void {
  if (lo === undefined && hi === undefined) return;
  const a = lo ?? -Infinity;
  const b = hi ?? Infinity;
  for (let i = 0; i < v.length; i++) v[i] = v[i] < a ? a : v[i] > b ? b : v[i];
}

/** Projects each row's perturbation δ = x − x0 (rows of `per` values) onto the ε-ball of the norm, then clips x into [lo, hi]. */
export function projectInPlace(x: Float32Array, x0: Float32Array, per: number, eps: number, norm: 'linf' | 'l2', lo?: number, hi?: number): void {
  if (norm === 'linf') {
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - x0[i];
      if (d > eps) x[i] = x0[i] + eps;
      else if (d < -eps) x[i] = x0[i] - eps;
    }
  } else {
    for (let r = 0; r < x.length / per; r++) {
      let sq = 0;
      for (let j = r * per; j < (r + 1) * per; j++) sq += (x[j] - x0[j]) ** 2;
      const n = Math.sqrt(sq);
      if (n > eps) {
        const f = eps / n;
        for (let j = r * per; j < (r + 1) * per; j++) x[j] = x0[j] + (x[j] - x0[j]) * f;
      }
    }
  }
  clipInPlace(x, lo, hi);
}

/** Moves x to a uniformly random point of the ε-ball around it (L∞: a uniform cube; L2: a uniform direction and radius ε·u^(1/d)). */
export function randomStartInPlace(x: Float32Array, per: number, eps: number, norm: 'linf' | 'l2', gen: Generator): void {
  if (norm === 'linf') {
    for (let i = 0; i < x.length; i++) x[i] += eps * (2 * gen.random() - 1);
    return;
  }
  const dir = new Float64Array(per);
  for (let r = 0; r < x.length / per; r++) {
    let sq = 0;
    for (let j = 0; j < per; j++) {
      dir[j] = gen.normal();
      sq += dir[j] * dir[j];
    }
    const radius = (eps * gen.random() ** (1 / per)) / Math.sqrt(sq || 1);
    for (let j = 0; j < per; j++) x[r * per + j] += radius * dir[j];
  }
}

/** Checks that the clean values lie in [lo, hi], so that adversarial ones can stay in both the ε-ball and the range. */
export function checkInRange(x: ArrayLike<number>, lo: number | undefined, hi: number | undefined, where: string): void {
  if (lo === undefined && hi === undefined) return;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) throw new RangeError(`${where}: x holds NaN at element ${i}`);
    if ((lo !== undefined && v < lo) || (hi !== undefined && v > hi)) {
      throw new RangeError(`${where}: x[${i}] = ${v} lies outside [clipMin, clipMax] = [${lo ?? '-∞'}, ${hi ?? '∞'}]; scale the inputs or widen the range`);
    }
  }
}

/** A tensor of the given shape and dtype holding `data`. */
function tensorOf(data: Float32Array, shape: readonly number[], dtype: string, requiresGrad = false): Tensor {
  return new Tensor(toTensor(data, 'adversarial', { shape: [...shape], dtype: dtype as 'float32' | 'float64' }).value, requiresGrad);
}

/**
 * Adversarial versions of a batch: the first round(ratio·rows) rows of every perturbed input are replaced by
 * L∞ PGD examples (random start, then `steps` steps x ← Π(x + α·sign(∇ₓL)), all perturbed inputs moving
 * together against the one loss), the other rows and the targets are left as they are. `loss(xs, ys)` is the
 * training loss of rows of the inputs and targets, on the tape; the caller chooses the model's mode.
 */
export function adversarialInputs(
  loss: (xs: Tensor[], ys: Tensor[]) => Tensor, xs: readonly Tensor[], ys: readonly Tensor[], s: AdversarialSettings, gen: Generator,
): Tensor[] {
  const n = xs[0].shape[0];
  const k = Math.max(1, Math.round(s.ratio * n));
  const head = (t: Tensor) => (k === n ? t : t.slice(0, 0, k).contiguous());
  const yk = ys.map(head);
  const x0 = xs.map((x, i) => (s.perturb[i] ? Float32Array.from(head(x).contiguous().value.values()) : null));
  const xa = x0.map((v) => {
    if (!v) return null;
    const a = v.slice();
    randomStartInPlace(a, a.length / k, s.epsilon, 'linf', gen);
    projectInPlace(a, v, a.length / k, s.epsilon, 'linf', s.clipMin, s.clipMax);
    return a;
  });
  for (let t = 0; t < s.steps; t++) {
    const leaves = xs.map((x, i) => (xa[i] ? tensorOf(xa[i]!, [k, ...x.shape.slice(1)], x.dtype, true) : head(x)));
    const l = loss(leaves, yk);
    if (l.size !== 1 || !l.requiresGrad) throw new Error(`adversarial training: the loss must be a scalar on the tape, got shape [${l.shape.join(',')}]`);
    const which = leaves.filter((_, i) => xa[i]);
    const gs = grad(l, which, { allowUnused: true });
    let j = 0;
    xa.forEach((a, i) => {
      if (!a) return;
      const g = gs[j++].contiguous().value.values();
      for (let e = 0; e < a.length; e++) a[e] += s.alpha * Math.sign(g[e]);
      projectInPlace(a, x0[i]!, a.length / k, s.epsilon, 'linf', s.clipMin, s.clipMax);
    });
  }
  return xs.map((x, i) => {
    if (!xa[i]) return x;
    const adv = tensorOf(xa[i]!, [k, ...x.shape.slice(1)], x.dtype);
    return k === n ? adv : concat([adv, x.slice(0, k, n).contiguous()], 0);
  });
}
