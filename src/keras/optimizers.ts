// Optimizers for compile(): by Keras name with Keras' default learning rates, a { name, ...options }
// config (Keras option names), an optimizer built on model.parameters(), or a factory (params) => optimizer.
// A config's learningRate may be a schedule of the step count (Keras' cosineDecay, exponentialDecay).

import type { Parameter } from '../nn/module.js';
import type { BaseOptions, Optimizer } from '../optim/optimizer.js';
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
  /** Step size α (Keras defaults: adam/rmsprop/adagrad 0.001, sgd 0.01), or a schedule of the step count. */
  learningRate?: number | LearningRateSchedule;
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

/**
 * A learning rate that follows the number of steps taken (Keras' keras.optimizers.schedules), given as an
 * optimizer config's learningRate and saved with it. At step t (0 for the first step):
 * - cosineDecay: initialLearningRate · ((1 − alpha) · ½(1 + cos(π · min(t, decaySteps) / decaySteps)) + alpha);
 * - exponentialDecay: initialLearningRate · decayRate^(t / decaySteps) (⌊t / decaySteps⌋ with staircase).
 * @example
 * ```ts
 * const net = tg.sequential([tg.layers.dense({ units: 1, inputShape: [2] })]);
 * net.compile({ optimizer: { name: 'adam', learningRate: { name: 'cosineDecay', initialLearningRate: 2e-3, decaySteps: 1000 } }, loss: 'meanSquaredError' });
 * ```
 */
export type LearningRateSchedule =
  | { name: 'cosineDecay'; initialLearningRate: number; decaySteps: number; alpha?: number }
  | { name: 'exponentialDecay'; initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean };

interface ScheduleDef {
  /** Every option with its default (null: required). */
  options: Record<string, number | boolean | null>;
  /** The learning rate at step t of a checked config. */
  at(c: Record<string, number | boolean>, t: number): number;
}

const SCHEDULES = nameTable<ScheduleDef>()('learning-rate schedule', [
  ['cosineDecay', {
    options: { initialLearningRate: null, decaySteps: null, alpha: 0 },
    at: (c, t) => {
      const cos = (1 + Math.cos((Math.PI * Math.min(t, c.decaySteps as number)) / (c.decaySteps as number))) / 2;
      return (c.initialLearningRate as number) * ((1 - (c.alpha as number)) * cos + (c.alpha as number));
    },
  }],
  ['exponentialDecay', {
    options: { initialLearningRate: null, decaySteps: null, decayRate: null, staircase: false },
    at: (c, t) => {
      const p = t / (c.decaySteps as number);
      return (c.initialLearningRate as number) * (c.decayRate as number) ** (c.staircase ? Math.floor(p) : p);
    },
  }],
]);

/** Checks a schedule config (unknown fields, missing and bad values are errors) and fills in its defaults. */
function scheduleConfig(raw: unknown, where: string): LearningRateSchedule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RangeError(`${where}: learningRate must be a number ≥ 0 or a schedule such as { name: 'cosineDecay', initialLearningRate: 0.001, decaySteps: 1000 }`);
  }
  const r = raw as Record<string, unknown>;
  const { name, value: def } = SCHEDULES.get(r.name, `${where}: learningRate`);
  const out: Record<string, unknown> = { name };
  for (const k of Object.keys(r)) {
    if (k !== 'name' && !Object.hasOwn(def.options, k)) throw new RangeError(`${where}: learning-rate schedule ${name} has no option ${JSON.stringify(k)} (options: ${Object.keys(def.options).join(', ')})`);
  }
  for (const [k, dflt] of Object.entries(def.options)) {
    const v = r[k] ?? dflt;
    if (v === null) throw new RangeError(`${where}: learning-rate schedule ${name} needs ${k}`);
    const ok = typeof dflt === 'boolean' ? typeof v === 'boolean'
      : typeof v === 'number' && Number.isFinite(v) && (k === 'decaySteps' ? Number.isSafeInteger(v) && v >= 1 : k === 'alpha' ? v >= 0 && v <= 1 : v >= 0);
    if (!ok) {
      const want = typeof dflt === 'boolean' ? 'true or false' : k === 'decaySteps' ? 'a positive integer' : k === 'alpha' ? 'a number in [0, 1]' : 'a finite number ≥ 0';
      throw new RangeError(`${where}: learning-rate schedule ${name} option ${k} must be ${want}, got ${String(v)}`);
    }
    out[k] = v;
  }
  return out as LearningRateSchedule;
}

/** The learning rate a schedule gives at step t (0 for the first step). */
export function scheduledLearningRate(schedule: LearningRateSchedule, t: number): number {
  return SCHEDULES.get(schedule.name, 'learningRate').value.at(schedule as unknown as Record<string, number | boolean>, t);
}

/** An optimizer whose learning rate is set from a schedule before each step; it counts its steps (Keras' iterations). */
class ScheduledOptimizer implements OptimizerLike {
  /** Steps taken so far. */
  iterations = 0;
  constructor(readonly optimizer: Optimizer<BaseOptions>, readonly schedule: LearningRateSchedule) {}

  step(): unknown {
    const lr = scheduledLearningRate(this.schedule, this.iterations);
    for (const g of this.optimizer.paramGroups) g.lr = lr;
    this.iterations++;
    return this.optimizer.step();
  }

  zeroGrad(): void {
    this.optimizer.zeroGrad();
  }
}

/** An optimizer for compile(): a name, a config, an optimizer object, or a factory given the parameters. */
/** An optimizer's name: 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'. */
export type OptimizerName = NameOf<typeof OPTIMIZERS>;
export type OptimizerSpec = OptimizerName | OptimizerConfig | OptimizerLike | ((params: Parameter[]) => OptimizerLike);

// the options the optimizers are made with: a schedule has become its first step's learning rate
type Opts = Required<Omit<OptimizerConfig, 'name' | 'learningRate'>> & { learningRate: number };
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
    if (k === 'learningRate' && typeof v === 'object') {
      opts[k] = scheduleConfig(v, `${where}: optimizer ${name}`);
      continue;
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
  const lr = config.learningRate;
  if (typeof lr === 'object') {
    const inner = def.make(params, { ...config, learningRate: scheduledLearningRate(lr, 0) } as Partial<Opts>) as Optimizer<BaseOptions>;
    return { optimizer: new ScheduledOptimizer(inner, lr), config };
  }
  return { optimizer: def.make(params, config as Partial<Opts>), config };
}
