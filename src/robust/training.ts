// Adversarial training as a fit() callback: each batch (or a share of its rows) is replaced by adversarial
// examples of it (PGD, or FGSM from a random start), the min-max training of Madry et al. The same code as
// fit's `adversarial` option (src/keras/adversarial.ts), for models with any number of inputs and outputs.

import { type AdversarialOptions, adversarialSettings } from '../keras/adversarial.js';
import type { BatchTensors, CallbackHooks } from '../keras/callbacks.js';
import { Model } from '../keras/model.js';
import { adversarialBatch, checkedAdversarial } from '../keras/training.js';
import { pickGenerator } from '../data/arrays.js';
import type { Generator } from '../tensor/random.js';

/** Options of {@link adversarialTraining}: the same as fit's `adversarial` option. */
export type AdversarialTrainingOptions = AdversarialOptions;

/**
 * A callback for model.fit that trains on adversarial examples, equivalent to fit's `adversarial` option
 * (`model.fit(x, y, { adversarial: options })`): before each step, every float input of the batch (or the
 * first `ratio` of its rows) is replaced by PGD or random-start FGSM examples against the current weights and
 * the compiled loss. The examples are made in inference mode (dropout off, batch norm on its running
 * statistics) and the step is then taken in training mode. Each step costs about (steps + 1) forward and
 * backward passes. Options are checked when fit starts (the training inputs must lie in [clipMin, clipMax]).
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
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: expected options { epsilon, attack, steps, ratio, ... }`);
  // every option but `inputs` is checked now; `inputs` and the data's range once fit hands over batches
  const { inputs: _inputs, ...rest } = options;
  adversarialSettings(rest, ['input'], ['float32'], where);
  let model: Model | null = null;
  let gen: Generator | null = null;
  return {
    setModel(m) {
      if (!(m instanceof Model)) throw new TypeError(`${where}: works with model.fit of a Keras-style model (tg.sequential / tg.model)`);
      model = m;
      gen = pickGenerator(options);
    },
    onTrainBatchTensors(_batch: number, data: BatchTensors): BatchTensors {
      if (!model || !gen) throw new Error(`${where}: the callback has no model; pass it to model.fit({ callbacks })`);
      // checked per batch: the options against the model's inputs, and the batch against [clipMin, clipMax]
      const settings = checkedAdversarial(model, data, options, where);
      return adversarialBatch(model, data, settings, gen);
    },
  };
}
