// tg.callbacks.augment: random augmentation for model.fit. Each training batch's inputs go through a
// transform (e.g. tg.data.transforms.RandomAffine) before the step; evaluate and predict see clean inputs.

import type { Transform } from '../data/transforms.js';
import { Generator } from '../tensor/random.js';
import type { BatchData, CallbackHooks } from './callbacks.js';

/**
 * A fit() callback that replaces each training batch's inputs by `transform.apply(x, generator)`, with a
 * generator seeded by `seed` (default 0) at the start of every fit call, so the same seed gives the same
 * augmented batches. Validation, evaluate() and predict() are not augmented.
 * @example
 * ```ts
 * const net = tg.sequential([tg.layers.dense({ units: 10, activation: 'softmax', inputShape: [64] })]);
 * net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
 * const shiftAndTurn = new tg.data.transforms.RandomAffine({ degrees: 20, translate: [0.1, 0.1], imageShape: [8, 8] });
 * await net.fit(tg.rand([16, 64]), tg.randint(0, 10, [16]), { epochs: 1, verbose: 0, callbacks: [tg.callbacks.augment(shiftAndTurn, { seed: 1 })] });
 * ```
 */
export function augment(transform: Transform, options: { seed?: number } = {}): CallbackHooks {
  if (typeof transform !== 'object' || typeof transform?.apply !== 'function') throw new TypeError('augment: expected a transform (an object with apply(x, generator)), e.g. new tg.data.transforms.RandomRotation({ degrees: 10 })');
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`augment: seed must be a number, got ${seed}`);
  let gen = new Generator(seed);
  return {
    onTrainBegin() { gen = new Generator(seed); },
    onTrainBatchData(_b: number, data: BatchData): BatchData {
      const x = transform.apply(data.x, gen);
      if (x.shape.join() !== data.x.shape.join()) throw new RangeError(`augment: the transform changed the batch shape from [${data.x.shape}] to [${x.shape}]`);
      return { x, y: data.y };
    },
  };
}
