// Optimizers for compile(): by Keras name with Keras' default learning rates, a { name, ...options }
// config (Keras option names), an optimizer built on model.parameters(), or a factory (params) => optimizer.

import type { Parameter } from '../nn/module.js';
import { Adagrad } from '../optim/adagrad.js';
import { Adam, AdamW } from '../optim/adam.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';
import { nameTable, type NameOf } from './names.js';

/** What fit() needs from an optimizer (every tg.optim optimizer has both). */
export interface OptimizerLike {
  /** Applies one update from the parameters' gradients. */
  step(): unknown;
  /** Clears the parameters' gradients. */
  zeroGrad(): void;
}

/** An optimizer by name with Keras-style options; the serializable form saved with the model. */
export interface OptimizerConfig {
  /** 'sgd', 'adam', 'adamw', 'rmsprop' or 'adagrad'. */
  name: string;
  /** Step size α (Keras defaults: adam/rmsprop/adagrad 0.001, sgd 0.01). */
  learningRate?: number;
  /** Adam's decay rate for the first moment. */
  beta1?: number;
  /** Adam's decay rate for the second moment. */
  beta2?: number;
  /** Added to the denominator for stability (Keras default 1e-7). */
  epsilon?: number;
  /** Adam: use the running maximum of the second moment. */
  amsgrad?: boolean;
  /** L2 penalty (Adam, SGD, RMSprop, Adagrad) or decoupled decay (AdamW). */
  weightDecay?: number;
  /** SGD / RMSprop momentum. */
  momentum?: number;
  /** SGD: Nesterov momentum. */
  nesterov?: boolean;
  /** RMSprop's decay rate for the squared-gradient average. */
  rho?: number;
  /** RMSprop: normalise by the centred variance. */
  centered?: boolean;
  /** Adagrad's starting accumulator value. */
  initialAccumulatorValue?: number;
}

/** An optimizer for compile(): a name, a config, an optimizer object, or a factory given the parameters. */
/** An optimizer's name: 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'. */
export type OptimizerName = NameOf<typeof OPTIMIZERS>;
export type OptimizerSpec = OptimizerName | OptimizerConfig | OptimizerLike | ((params: Parameter[]) => OptimizerLike);

type Opts = Required<Omit<OptimizerConfig, 'name'>>;
interface OptimizerDef {
  /** Keras' defaults for the options this optimizer takes. */
  defaults: Partial<Opts>;
  make(params: Parameter[], o: Partial<Opts>): OptimizerLike;
}

const adamLike = (Ctor: typeof Adam | typeof AdamW) => (params: Parameter[], o: Partial<Opts>): OptimizerLike =>
  new Ctor(params, { lr: o.learningRate, betas: [o.beta1!, o.beta2!], eps: o.epsilon, amsgrad: o.amsgrad, weightDecay: o.weightDecay });

export const OPTIMIZERS = nameTable<OptimizerDef>()('optimizer', [
  ['sgd', {
    defaults: { learningRate: 0.01, momentum: 0, nesterov: false, weightDecay: 0 },
    make: (p, o) => new SGD(p, { lr: o.learningRate, momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay }),
  }],
  ['adam', {
    defaults: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weightDecay: 0 },
    make: adamLike(Adam),
  }],
  ['adamw', {
    defaults: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weightDecay: 0.004 },
    make: adamLike(AdamW),
  }],
  ['rmsprop', {
    defaults: { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false, weightDecay: 0 },
    make: (p, o) => new RMSprop(p, { lr: o.learningRate, alpha: o.rho, momentum: o.momentum, eps: o.epsilon, centered: o.centered, weightDecay: o.weightDecay }),
  }],
  ['adagrad', {
    defaults: { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7, weightDecay: 0 },
    make: (p, o) => new Adagrad(p, { lr: o.learningRate, initialAccumulatorValue: o.initialAccumulatorValue, eps: o.epsilon, weightDecay: o.weightDecay }),
  }],
]);

const ALIASES: ReadonlyMap<string, keyof Opts> = new Map([['lr', 'learningRate'], ['eps', 'epsilon']]);
const BOOLEAN_OPTIONS = new Set(['amsgrad', 'nesterov', 'centered']);

export interface ResolvedOptimizer {
  optimizer: OptimizerLike;
  /** The full config when given by name or config (saved with the model), else null. */
  config: OptimizerConfig | null;
}

function isOptimizerLike(x: unknown): x is OptimizerLike {
  return typeof x === 'object' && x !== null && typeof (x as OptimizerLike).step === 'function' && typeof (x as OptimizerLike).zeroGrad === 'function';
}

/** Checks a config against the optimizer's options (unknown fields and bad values are errors) and fills in defaults. */
export function optimizerConfig(spec: string | OptimizerConfig, where: string): { config: OptimizerConfig; def: OptimizerDef } {
  const raw: Record<string, unknown> = typeof spec === 'string' ? { name: spec } : { ...spec };
  const { name, value: def } = OPTIMIZERS.get(raw.name, where);
  const opts: Record<string, unknown> = { ...def.defaults };
  for (const [k0, v] of Object.entries(raw)) {
    if (k0 === 'name') continue;
    const k = ALIASES.get(k0) ?? k0;
    if (!Object.hasOwn(def.defaults, k)) {
      throw new RangeError(`${where}: optimizer ${name} has no option ${JSON.stringify(k0)} (options: ${Object.keys(def.defaults).join(', ')})`);
    }
    const ok = BOOLEAN_OPTIONS.has(k) ? typeof v === 'boolean' : typeof v === 'number' && Number.isFinite(v) && v >= 0;
    if (!ok) throw new RangeError(`${where}: optimizer ${name} option ${k} must be ${BOOLEAN_OPTIONS.has(k) ? 'true or false' : 'a finite number ≥ 0'}, got ${String(v)}`);
    if ((k === 'beta1' || k === 'beta2' || k === 'rho') && !((v as number) < 1)) {
      throw new RangeError(`${where}: optimizer ${name} option ${k} must be in [0, 1), got ${String(v)}`);
    }
    opts[k] = v;
  }
  return { config: { name, ...opts } as OptimizerConfig, def };
}

/** Resolves compile()'s `optimizer` option for the model's parameters. */
export function resolveOptimizer(spec: OptimizerSpec, params: Parameter[], where = 'compile'): ResolvedOptimizer {
  if (typeof spec === 'function') {
    const opt = spec(params);
    if (!isOptimizerLike(opt)) throw new TypeError(`${where}: the optimizer factory must return an optimizer with step() and zeroGrad()`);
    return { optimizer: opt, config: null };
  }
  if (isOptimizerLike(spec)) return { optimizer: spec, config: null };
  if (typeof spec !== 'string' && (typeof spec !== 'object' || spec === null)) {
    throw new TypeError(`${where}: optimizer must be a name (${OPTIMIZERS.names.join(', ')}), a { name, learningRate } config, an optimizer or a factory`);
  }
  const { config, def } = optimizerConfig(spec, where);
  return { optimizer: def.make(params, config), config };
}
