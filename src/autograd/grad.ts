// tg.grad: gradients of outputs with respect to chosen inputs, returned instead of accumulated into .grad.
// It runs the same reverse sweep as Tensor.backward (tape.ts), handing the VJPs tensor.ts's `apply`.

import { type BackwardOptions, runBackward, seedGradient } from './tape.js';
import { apply, type Tensor } from './tensor.js';
import { checkOptions } from '../tensor/validate.js';

/** Options for {@link grad}: output gradients, unused inputs, plus the {@link BackwardOptions}. */
export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (defaults to 1 for scalar outputs). */
  gradOutputs?: (Tensor | number | null)[] | Tensor | null;
  /** Return zeros for inputs that the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/**
 * tg.grad: the gradients of `outputs` with respect to `inputs`, returned instead of accumulated.
 * With createGraph the results are themselves differentiable (Hessian-vector products and so on).
 * @example
 * ```ts
 * const x = tg.tensor(3, { requiresGrad: true });
 * const [dy] = tg.grad(x.pow(3), x, { createGraph: true }); // 3x² = 27
 * const [d2y] = tg.grad(dy, x);                               // 6x = 18
 * ```
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], options: GradOptions = {}): Tensor[] {
  checkOptions('grad', options, ['retainGraph', 'createGraph', 'gradOutputs', 'allowUnused']);
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const gos = options.gradOutputs;
  const goList = gos === undefined || gos === null ? [] : Array.isArray(gos) ? gos : [gos];
  if (goList.length !== 0 && goList.length !== outs.length) {
    throw new Error(`grad: got ${goList.length} gradOutputs for ${outs.length} outputs`);
  }
  for (const t of [...outs, ...ins]) t._checkUsable('grad');
  for (const g of goList) if (typeof g === 'object' && g !== null) g._checkUsable('grad');
  outs.forEach((o, i) => {
    if (!o.requiresGrad) throw new Error(`grad: output ${i} does not require grad and has no recorded graph`);
  });
  ins.forEach((x, i) => {
    if (!x.requiresGrad) throw new Error(`grad: input ${i} does not require grad`);
  });
  const wanted = new Map<Tensor, number[]>();
  ins.forEach((x, i) => wanted.set(x, [...(wanted.get(x) ?? []), i]));
  const result: (Tensor | null)[] = ins.map(() => null);
  runBackward(outs, () => outs.map((o, i) => seedGradient(o, goList[i], 'grad')), options, (t, g) => {
    const at = wanted.get(t);
    if (!at) return null;
    const r = options.createGraph ? g : g.detach();
    for (const i of at) result[i] = r;
    return r;
  }, apply, new Set(ins));
  return result.map((g, i) => {
    if (g) return g;
    if (!options.allowUnused) {
      throw new Error(`grad: input ${i} was not used to compute the outputs; pass { allowUnused: true } to get zeros for it`);
    }
    return ins[i].zerosLike();
  });
}
