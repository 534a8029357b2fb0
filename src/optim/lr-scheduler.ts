// Learning-rate schedules that set each param group's lr, as torch.optim.lr_scheduler: StepLR,
// ExponentialLR, CosineAnnealingLR (call step() once per epoch, after optimizer.step()) and ReduceLROnPlateau.

import type { BaseOptions, Optimizer } from './optimizer.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

type AnyOptimizer = Optimizer<BaseOptions>;

/** The base of epoch-indexed schedules: `lastEpoch` counts step() calls, starting at 0 on construction. */
export abstract class LRScheduler {
  /** The optimizer whose param groups' `lr` this schedule sets. */
  readonly optimizer: AnyOptimizer;
  /** The lr each group started from (its `initialLr`). */
  baseLrs: number[];
  /** The number of `step()` calls so far (0 right after construction). */
  lastEpoch: number;
  /** The lrs set by the last `step()` (read them with `getLastLr()`). */
  protected lastLr: number[] = [];

  /** lastEpoch = -1 starts fresh; a larger value resumes, which needs `initialLr` in every group. */
  protected constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    this.optimizer = optimizer;
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new RangeError(`${this.constructor.name}: lastEpoch must be an integer >= -1, got ${lastEpoch}`);
    optimizer.paramGroups.forEach((g, i) => {
      if (lastEpoch === -1) g.initialLr ??= g.lr;
      else if (g.initialLr === undefined) {
        throw new RangeError(`${this.constructor.name}: paramGroups[${i}] has no initialLr, needed to resume with lastEpoch = ${lastEpoch}`);
      }
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** The lrs for epoch `lastEpoch`, given the groups' current lrs. */
  protected abstract getLr(): number[];

  /** Subclasses call this at the end of their constructor (once their own fields are set). */
  protected initialStep(): void {
    this.step();
  }

  /** Advances one epoch and writes the new lr into every param group. */
  step(): void {
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]; });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each param group as set by the last step(). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The param groups' current lrs. */
  protected get currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The schedule's own numbers (not the optimizer), for checkpoints. */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'optimizer') out[k] = Array.isArray(v) ? [...v] : v;
    return out;
  }

  /** Restores the schedule's numbers from `stateDict()` output (the optimizer itself is restored separately). */
  loadStateDict(state: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(state)) if (k !== 'optimizer') (this as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
  }
}

function checkGamma(gamma: unknown, where: string): number {
  if (typeof gamma !== 'number' || !Number.isFinite(gamma) || gamma < 0) throw new RangeError(`${where}: gamma must be a finite number >= 0, got ${String(gamma)}`);
  return gamma;
}

/**
 * Multiplies the lr by gamma every stepSize epochs: lr = baseLr·γ^⌊epoch / stepSize⌋ (torch.optim.lr_scheduler.StepLR).
 * @example
 * ```ts
 * const opt = new tg.optim.SGD(model.parameters(), { lr: 0.1 });
 * const sched = new tg.optim.StepLR(opt, 10, 0.5); // halve the lr every 10 epochs
 * // after each epoch's optimizer steps: sched.step();
 * ```
 */
export class StepLR extends LRScheduler {
  /** The number of epochs between decays. */
  readonly stepSize: number;
  /** The factor the lr is multiplied by at each decay (default 0.1). */
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, stepSize: number, gamma = 0.1, lastEpoch = -1) {
    super(optimizer, lastEpoch);
    if (!Number.isInteger(stepSize) || stepSize <= 0) throw new RangeError(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
    this.stepSize = stepSize;
    this.gamma = checkGamma(gamma, 'StepLR');
    this.initialStep();
  }

  // recursive, as PyTorch's get_lr: other changes to the lr (another scheduler) compose
  protected getLr(): number[] {
    const decay = this.lastEpoch !== 0 && this.lastEpoch % this.stepSize === 0;
    return this.currentLrs.map((lr) => (decay ? lr * this.gamma : lr));
  }

  /** The lrs for the current epoch from the formula baseLr·γ^⌊epoch / stepSize⌋ (ignoring other changes to the lr). */
  getClosedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Multiplies the lr by gamma every epoch: lr = baseLr·γ^epoch. */
export class ExponentialLR extends LRScheduler {
  /** The factor the lr is multiplied by every epoch. */
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, gamma: number, lastEpoch = -1) {
    super(optimizer, lastEpoch);
    this.gamma = checkGamma(gamma, 'ExponentialLR');
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.currentLrs.map((lr) => (this.lastEpoch === 0 ? lr : lr * this.gamma));
  }

  /** The lrs for the current epoch from the formula baseLr·γ^epoch. */
  getClosedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }
}

/**
 * Cosine annealing from baseLr down to etaMin over tMax epochs:
 * lr = etaMin + (baseLr - etaMin)·(1 + cos(π·epoch / tMax)) / 2 (and back up after tMax, periodically).
 * This is the closed form; PyTorch's step() uses an equivalent recursive form, which differs only if
 * something else changes the lr in between.
 */
export class CosineAnnealingLR extends LRScheduler {
  /** The number of epochs of one half cosine period (from baseLr down to etaMin). */
  readonly tMax: number;
  /** The lowest lr, reached at epoch tMax (default 0). */
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, tMax: number, etaMin = 0, lastEpoch = -1) {
    super(optimizer, lastEpoch);
    if (!Number.isInteger(tMax) || tMax <= 0) throw new RangeError(`CosineAnnealingLR: tMax must be a positive integer, got ${tMax}`);
    if (typeof etaMin !== 'number' || !Number.isFinite(etaMin) || etaMin < 0) throw new RangeError(`CosineAnnealingLR: etaMin must be a finite number >= 0, got ${etaMin}`);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.getClosedFormLr();
  }

  /** The lrs for the current epoch from the cosine formula. */
  getClosedFormLr(): number[] {
    const c = (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax)) / 2;
    return this.baseLrs.map((lr) => this.etaMin + (lr - this.etaMin) * c);
  }
}

const REDUCE_LR_OPTIONS = optionKeys<ReduceLROnPlateauOptions>({
  mode: true, factor: true, patience: true, threshold: true, thresholdMode: true, cooldown: true, minLr: true, eps: true,
});

/** Options for {@link ReduceLROnPlateau}; the defaults are PyTorch's. */
export interface ReduceLROnPlateauOptions {
  /** 'min' (default): lower metrics are better (a loss); 'max': higher are better (an accuracy). */
  mode?: 'min' | 'max';
  /** lr ← lr·factor on a plateau (default 0.1; must be < 1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** How much better counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** A floor on the lr, one for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces the lr by `factor` when a metric has stopped improving for `patience` epochs: step(metric).
 * @example
 * ```ts
 * const sched = new tg.optim.ReduceLROnPlateau(opt, { factor: 0.5, patience: 5 });
 * // after each epoch: sched.step(validationLoss);
 * ```
 */
export class ReduceLROnPlateau {
  /** The optimizer whose param groups' `lr` this schedule lowers. */
  readonly optimizer: AnyOptimizer;
  /** 'min' when lower metrics are better, 'max' when higher are. */
  readonly mode: 'min' | 'max';
  /** The factor the lr is multiplied by on a plateau. */
  readonly factor: number;
  /** Epochs without improvement tolerated before reducing. */
  readonly patience: number;
  /** How much better counts as an improvement. */
  readonly threshold: number;
  /** Whether `threshold` is relative ('rel') or absolute ('abs'). */
  readonly thresholdMode: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again. */
  readonly cooldown: number;
  /** The lr floor of each param group. */
  readonly minLrs: number[];
  /** Reductions smaller than this are skipped. */
  readonly eps: number;
  /** The best metric seen so far. */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs left in the current cooldown. */
  cooldownCounter = 0;
  /** The number of `step()` calls so far. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    checkOptions('ReduceLROnPlateau', options, REDUCE_LR_OPTIONS);
    const where = 'ReduceLROnPlateau';
    this.optimizer = optimizer;
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    if (this.mode !== 'min' && this.mode !== 'max') throw new RangeError(`${where}: mode must be 'min' or 'max', got ${JSON.stringify(this.mode)}`);
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') {
      throw new RangeError(`${where}: thresholdMode must be 'rel' or 'abs', got ${JSON.stringify(this.thresholdMode)}`);
    }
    if (!(this.factor < 1) || !(this.factor >= 0)) throw new RangeError(`${where}: factor must be in [0, 1), got ${this.factor}`);
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new RangeError(`${where}: patience must be an integer >= 0, got ${this.patience}`);
    if (!Number.isInteger(this.cooldown) || this.cooldown < 0) throw new RangeError(`${where}: cooldown must be an integer >= 0, got ${this.cooldown}`);
    const n = optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== n) throw new RangeError(`${where}: expected ${n} minLr values (one per param group), got ${minLr.length}`);
    this.minLrs = Array.isArray(minLr) ? [...minLr] : new Array<number>(n).fill(minLr);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Whether metric a improves on the best so far. */
  isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (1 + t) : a > best + t;
  }

  /** True while a cooldown after a reduction is running. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records one epoch's metric (a number or a one-element tensor-like with item()). */
  step(metric: number | { item(): number }): void {
    const current = typeof metric === 'number' ? metric : metric.item();
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each param group after the last step(). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }
}
