// Adversarial training for model.fit: a callback that replaces each training batch by adversarial
// examples of it (PGD, or FGSM from a random start), the min-max training of Madry et al.

import { concat } from '../autograd/functions.js';
import type { BatchData, CallbackHooks } from '../keras/callbacks.js';
import { Model } from '../keras/model.js';
import { pgd } from './attacks.js';
import { checkEpsilon } from './target.js';

/** Options of {@link adversarialTraining}. */
export interface AdversarialTrainingOptions {
  /** 'pgd' (default: Madry et al.) or 'fgsm' (FGSM from a random start, step 1.25·ε: Wong et al.'s "fast" training). */
  attack?: 'pgd' | 'fgsm';
  /** The L∞ radius to train against. */
  epsilon: number;
  /** PGD steps (default 7; FGSM always takes one). */
  steps?: number;
  /** The step size (default 2.5·ε/steps for PGD, 1.25·ε for FGSM). */
  alpha?: number;
  /** The valid input range, e.g. 0 and 1 for pixels. */
  clipMin?: number;
  /** Upper end of the valid input range. */
  clipMax?: number;
  /** The share of each batch's rows replaced by adversarial ones (default 1: all; 0.5 mixes clean and adversarial). */
  ratio?: number;
  /** Seed of the random starts (default 0); each batch draws a fresh start from it. */
  seed?: number;
}

/**
 * A callback for model.fit that trains on adversarial examples: before each step, the batch's inputs (or the
 * first `ratio` of its rows) are replaced by PGD or random-start FGSM examples against the current weights.
 * The examples are made in inference mode (dropout off, batch norm on its running statistics) and the step is
 * then taken in training mode. Each step costs about (steps + 1) forward and backward passes.
 * @example
 * ```ts
 * const net = tg.sequential([tg.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })]);
 * net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
 * const x = tg.rand([32, 4]);
 * const y = tg.randint(0, 3, [32]);
 * await net.fit(x, y, { epochs: 2, verbose: 0, callbacks: [tg.robust.adversarialTraining({ epsilon: 0.1, clipMin: 0, clipMax: 1 })] });
 * ```
 */
export function adversarialTraining(options: AdversarialTrainingOptions): CallbackHooks {
  const where = 'adversarialTraining';
  const known = ['attack', 'epsilon', 'steps', 'alpha', 'clipMin', 'clipMax', 'ratio', 'seed'];
  for (const k of Object.keys(options ?? {})) if (!known.includes(k)) throw new RangeError(`${where}: unknown option ${JSON.stringify(k)} (options: ${known.join(', ')})`);
  const attack = options.attack ?? 'pgd';
  if (attack !== 'pgd' && attack !== 'fgsm') throw new RangeError(`${where}: attack must be 'pgd' or 'fgsm', got ${JSON.stringify(attack)}`);
  const eps = checkEpsilon(options.epsilon, where);
  const ratio = options.ratio ?? 1;
  if (!(ratio > 0 && ratio <= 1)) throw new RangeError(`${where}: ratio must be in (0, 1], got ${ratio}`);
  const steps = attack === 'fgsm' ? 1 : options.steps ?? 7;
  const alpha = options.alpha ?? (attack === 'fgsm' ? 1.25 * eps : (2.5 * eps) / steps);
  let model: Model | null = null;
  let calls = 0;
  const seed = options.seed ?? 0;
  return {
    setModel(m) {
      if (!(m instanceof Model)) throw new TypeError(`${where}: works with model.fit of a Keras-style model (tg.sequential / tg.model)`);
      model = m;
    },
    onTrainBatchData(_batch: number, data: BatchData): BatchData {
      const n = data.x.shape[0];
      const k = Math.max(1, Math.round(ratio * n));
      const xs = data.x.slice(0, 0, k).contiguous();
      const ys = data.y.slice(0, 0, k).contiguous();
      const adv = pgd(model!, xs, ys, {
        epsilon: eps, alpha, steps, randomStart: true, seed: seed + calls++, clipMin: options.clipMin, clipMax: options.clipMax,
      });
      // pgd() ran the model in inference mode and restored training mode for the step
      if (k === n) return { x: adv, y: data.y };
      return { x: concat([adv, data.x.slice(0, k, n).contiguous()], 0), y: data.y };
    },
  };
}
