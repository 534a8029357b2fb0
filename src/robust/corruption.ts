// Accuracy on shifted data: the model evaluated on every corruption of tg.data.corruptions at every
// severity (what tg.plot.corruptionSvg draws).

import type { DataInput } from '../data/arrays.js';
import { apply, type CorruptionName, type CorruptionOptions, NAMES } from '../data/corruptions.js';
import type { Module } from '../nn/module.js';
import { accuracyOn } from './evaluate.js';

/** Options of {@link corruptionAccuracy}: which corruptions and severities, plus the corruption options. */
export interface CorruptionEvalOptions extends CorruptionOptions {
  /** The corruptions to apply (default: all five). */
  corruptions?: readonly CorruptionName[];
  /** The severities (default [1, 2, 3, 4, 5]). */
  severities?: readonly number[];
}

/** Accuracy per corruption and severity. */
export interface CorruptionResult {
  /** Accuracy on the clean inputs. */
  clean: number;
  /** The severities evaluated, in order. */
  severities: number[];
  /** Per corruption, the accuracy at each severity. */
  accuracy: Partial<Record<CorruptionName, number[]>>;
  /** Per corruption, the mean accuracy over the severities. */
  mean: Partial<Record<CorruptionName, number>>;
}

/**
 * Evaluates the model on x corrupted by each corruption at each severity (seeded), against class labels y.
 * @example tg.robust.corruptionAccuracy(net, xTest, yTest, { imageShape: [28, 28], seed: 0 })
 */
export function corruptionAccuracy(model: Module, x: DataInput, y: DataInput, options: CorruptionEvalOptions = {}): CorruptionResult {
  const { corruptions = NAMES, severities = [1, 2, 3, 4, 5], ...rest }: CorruptionEvalOptions = options;
  if (!Array.isArray(corruptions) || corruptions.length === 0) throw new RangeError(`corruptionAccuracy: corruptions must be a non-empty list of names (${NAMES.join(', ')})`);
  const result: CorruptionResult = { clean: accuracyOn(model, x, y), severities: [...severities], accuracy: {}, mean: {} };
  for (const name of corruptions as readonly CorruptionName[]) {
    const acc = severities.map((s) => accuracyOn(model, apply(name, x, s, rest), y));
    result.accuracy[name] = acc;
    result.mean[name] = acc.reduce((a, b) => a + b, 0) / acc.length;
  }
  return result;
}
