// Losses for compile(): Keras names (and snake_case aliases), each with its options, or a custom function.
// A probability loss after a final sigmoid/softmax is computed from the logits, as Keras does, for stability.

import type { Tensor } from '../autograd/tensor.js';
import * as F from '../nn/functional.js';
import { nameTable, type NameOf } from './names.js';

/** What the labels look like: values like the output, 0/1 targets, one-hot rows, or class indices. */
export type LossKind = 'regression' | 'binary' | 'categorical' | 'sparse' | 'custom';

/** A loss by name with its options: the serializable form (saved with the model). */
export interface LossConfig {
  /** A loss name, e.g. 'binaryCrossentropy' (Keras snake_case aliases are accepted). */
  name: LossName;
  /** The model outputs logits rather than probabilities (cross-entropies only). */
  fromLogits?: boolean;
  /** Smooths targets toward uniform (binary and categorical cross-entropy). */
  labelSmoothing?: number;
}

/** A custom loss: the model's output and the targets to a scalar Tensor. */
export type LossFunction = (yPred: Tensor, yTrue: Tensor) => Tensor;
/** A loss for compile(): a name, a config with options, or a function. */
export type LossSpec = LossName | LossConfig | LossFunction;
/** A loss's name: 'meanSquaredError', 'binaryCrossentropy', 'mse', ... (snake_case too). */
export type LossName = NameOf<typeof LOSSES>;

export interface ResolvedLoss {
  /** The canonical name, or null for a custom function. */
  name: string | null;
  config: LossConfig | null;
  kind: LossKind;
  fromLogits: boolean;
  /** The final activation whose input this loss would rather see (null: none). */
  wantsLogitsOf: 'sigmoid' | 'softmax' | null;
  /** The mean loss of a batch; `logits` is the final layer's pre-activation when it is available. */
  compute(yPred: Tensor, yTrue: Tensor, logits: Tensor | null): Tensor;
}

const EPS = 1e-7; // Keras' epsilon: probabilities are clipped to [EPS, 1] before the log

interface LossDef {
  kind: LossKind;
  options: readonly ('fromLogits' | 'labelSmoothing')[];
  wantsLogitsOf: 'sigmoid' | 'softmax' | null;
  make(o: Required<Omit<LossConfig, 'name'>>): ResolvedLoss['compute'];
}

const rows2d = (t: Tensor): Tensor => (t.ndim === 2 ? t : t.reshape([-1, t.shape[t.ndim - 1]]));

export const LOSSES = nameTable<LossDef>()('loss', [
  ['meanSquaredError', { kind: 'regression', options: [], wantsLogitsOf: null, make: () => (p, y) => F.mseLoss(p, y) }, 'mse'],
  ['meanAbsoluteError', { kind: 'regression', options: [], wantsLogitsOf: null, make: () => (p, y) => F.l1Loss(p, y) }, 'mae'],
  ['binaryCrossentropy', {
    kind: 'binary', options: ['fromLogits', 'labelSmoothing'], wantsLogitsOf: 'sigmoid',
    make: ({ fromLogits, labelSmoothing: ls }) => (p, y, logits) => {
      const t = ls > 0 ? y.mul(1 - ls).add(0.5 * ls) : y;
      if (fromLogits) return F.binaryCrossEntropyWithLogits(p, t);
      if (logits) return F.binaryCrossEntropyWithLogits(logits, t);
      return F.binaryCrossEntropy(p.clamp(EPS, 1 - EPS), t);
    },
  }, 'bce'],
  ['categoricalCrossentropy', {
    kind: 'categorical', options: ['fromLogits', 'labelSmoothing'], wantsLogitsOf: 'softmax',
    make: ({ fromLogits, labelSmoothing: ls }) => (p, y, logits) => {
      const z = fromLogits ? p : logits;
      if (z) return F.crossEntropy(rows2d(z), rows2d(y), { labelSmoothing: ls });
      const c = p.shape[p.ndim - 1];
      const t = ls > 0 ? y.mul(1 - ls).add(ls / c) : y;
      return rows2d(t).mul(rows2d(p).clamp(EPS, 1).log()).sum(1).mean().neg();
    },
  }, 'cce'],
  ['sparseCategoricalCrossentropy', {
    kind: 'sparse', options: ['fromLogits'], wantsLogitsOf: 'softmax',
    make: ({ fromLogits }) => (p, y, logits) => {
      const z = fromLogits ? p : logits;
      if (z) return F.crossEntropy(rows2d(z), y.reshape([-1]));
      return F.nllLoss(rows2d(p).clamp(EPS, 1).log(), y.reshape([-1]));
    },
  }, 'scce'],
]);

function checkOptions(cfg: LossConfig, def: LossDef, name: string, where: string): Required<Omit<LossConfig, 'name'>> {
  for (const key of Object.keys(cfg)) {
    if (key !== 'name' && !(def.options as readonly string[]).includes(key)) {
      throw new RangeError(`${where}: loss ${name} has no option ${JSON.stringify(key)} (options: ${def.options.join(', ') || 'none'})`);
    }
  }
  const fromLogits = cfg.fromLogits ?? false;
  if (typeof fromLogits !== 'boolean') throw new TypeError(`${where}: fromLogits must be true or false`);
  const labelSmoothing = cfg.labelSmoothing ?? 0;
  if (!(typeof labelSmoothing === 'number' && labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(`${where}: labelSmoothing must be a number in [0, 1], got ${labelSmoothing}`);
  }
  return { fromLogits, labelSmoothing };
}

/** Resolves compile()'s `loss` option: a name, a { name, ...options } object, or a function (yPred, yTrue) => Tensor. */
export function resolveLoss(spec: LossSpec, where = 'compile'): ResolvedLoss {
  if (typeof spec === 'function') {
    return { name: null, config: null, kind: 'custom', fromLogits: false, wantsLogitsOf: null, compute: (p, y) => spec(p, y) };
  }
  const cfg: LossConfig = typeof spec === 'string' ? { name: spec } : spec;
  if (typeof cfg !== 'object' || cfg === null) throw new TypeError(`${where}: loss must be a name, a { name, ... } object or a function`);
  const { name, value: def } = LOSSES.get(cfg.name, where);
  const opts = checkOptions(cfg, def, name, where);
  const config: LossConfig = { name };
  if (opts.fromLogits) config.fromLogits = true;
  if (opts.labelSmoothing > 0) config.labelSmoothing = opts.labelSmoothing;
  return {
    name, config, kind: def.kind, fromLogits: opts.fromLogits,
    wantsLogitsOf: opts.fromLogits ? null : def.wantsLogitsOf,
    compute: def.make(opts),
  };
}
