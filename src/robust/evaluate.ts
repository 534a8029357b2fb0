// Measuring robustness: accuracy on clean and attacked inputs, and the robustness curve (accuracy against ε)
// that tg.plot.robustnessCurveSvg draws.

import type { DataInput } from '../data/arrays.js';
import { toTensor } from '../data/arrays.js';
import type { Module } from '../nn/module.js';
import { fgsm, type FgsmOptions, pgd, type PgdOptions } from './attacks.js';
import { predictClasses } from './target.js';

/** The attack to evaluate under: 'none' (clean inputs), 'fgsm' or 'pgd', with that attack's options. */
export type AttackSpec = { attack: 'none' } | ({ attack: 'fgsm' } & FgsmOptions) | ({ attack: 'pgd' } & PgdOptions);

/** Accuracy of the model's class predictions on rows of x against class labels y [rows]. */
export function accuracyOn(model: Module, x: DataInput, y: DataInput): number {
  const xt = toTensor(x, 'accuracyOn: x');
  const labels = toTensor(y, 'accuracyOn: y').value.values();
  const pred = predictClasses(model, xt);
  if (labels.length !== pred.length) throw new RangeError(`accuracyOn: x has ${pred.length} rows but y has ${labels.length} labels (class indices, one per row)`);
  let hits = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hits++;
  return hits / pred.length;
}

/**
 * Accuracy on adversarial examples made by the given attack from (x, y): the robust accuracy at that ε.
 * Labels are class indices; a Keras model with one-hot targets should be given class indices here.
 * @example tg.robust.robustAccuracy(net, xTest, yTest, { attack: 'pgd', epsilon: 0.1, steps: 20, clipMin: 0, clipMax: 1 })
 */
export function robustAccuracy(model: Module, x: DataInput, y: DataInput, spec: AttackSpec): number {
  const { attack, ...options } = spec;
  if (attack === 'none') return accuracyOn(model, x, y);
  if (attack === 'fgsm') return accuracyOn(model, fgsm(model, x, y, options as FgsmOptions), y);
  if (attack === 'pgd') return accuracyOn(model, pgd(model, x, y, options as PgdOptions), y);
  throw new RangeError(`robustAccuracy: attack must be 'none', 'fgsm' or 'pgd', got ${JSON.stringify(attack)}`);
}

/** A robustness curve: accuracy at each ε. */
export interface RobustnessCurve {
  /** The radii, as given. */
  epsilon: number[];
  /** Accuracy under the attack at each radius (ε = 0 is the clean accuracy). */
  accuracy: number[];
}

/**
 * Accuracy under an attack at each ε in `epsilons` (ε = 0 evaluates the clean inputs).
 * @example const curve = tg.robust.robustnessCurve(net, xTest, yTest, { attack: 'fgsm', epsilons: [0, 0.1, 0.2], clipMin: 0, clipMax: 1 });
 */
export function robustnessCurve(
  model: Module, x: DataInput, y: DataInput,
  spec: ({ attack: 'fgsm' } & Omit<FgsmOptions, 'epsilon'> | { attack: 'pgd' } & Omit<PgdOptions, 'epsilon'>) & { epsilons: number[] },
): RobustnessCurve {
  const { epsilons, ...rest } = spec;
  if (!Array.isArray(epsilons) || epsilons.length === 0) throw new RangeError('robustnessCurve: epsilons must be a non-empty array of radii');
  const accuracy = epsilons.map((epsilon) => (epsilon === 0
    ? accuracyOn(model, x, y)
    : robustAccuracy(model, x, y, { ...rest, epsilon } as AttackSpec)));
  return { epsilon: [...epsilons], accuracy };
}
