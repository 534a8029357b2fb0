// Optimizer: the base of SGD, Adam, ... Param groups with their own hyperparameters, per-parameter state,
// zeroGrad, and a stateDict of plain numbers and typed arrays. Updates write into parameter storage in place.

import { enableGrad } from '../autograd/mode.js';
import { bumpVersion } from '../autograd/version.js';
import { Tensor } from '../autograd/tensor.js';
import { clearGrad } from '../autograd/tape.js';
import { allocate, type TypedArray } from '../tensor/dtype.js';
import { checkOptions } from '../tensor/validate.js';

/** What an optimizer remembers about one parameter (moments, step count, ...). */
export type ParamState = Record<string, number | TypedArray>;

/** The hyperparameters every optimizer has. */
export interface BaseOptions {
  /** The learning rate: the step size of each update. */
  lr: number;
}

/** A param group: parameters sharing hyperparameters. Schedulers set `lr` (and record `initialLr`). */
export type ParamGroup<O extends BaseOptions> = O & ParamGroupFields;

/** The fields every param group has besides its hyperparameters. */
export interface ParamGroupFields {
  /** The parameters this group updates. */
  params: Tensor[];
  /** The learning rate the group started with (recorded by schedulers). */
  initialLr?: number;
}

/** A param group as passed in: any hyperparameter left out takes the optimizer's default. */
export type ParamGroupInput<O extends BaseOptions> = Partial<O> & ParamGroupInputFields;

/** What a caller passes for one param group besides hyperparameter overrides. */
export interface ParamGroupInputFields {
  /** The parameters of this group. */
  params: Iterable<Tensor>;
  /** The starting learning rate to record (normally set by schedulers). */
  initialLr?: number;
}

/**
 * What an optimizer's constructor takes: an iterable of parameters (e.g. `model.parameters()`), or of param groups
 * with their own hyperparameters.
 */
export type ParamsInput<O extends BaseOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** An optimizer's saved state, as returned by `stateDict()` and accepted by `loadStateDict()`: plain numbers and typed arrays. */
export interface OptimizerStateDict {
  /** Per-parameter state keyed by the parameter's position across all groups (in order). */
  state: Record<number, ParamState>;
  /** Each group's hyperparameters, with `params` the positions of its parameters. */
  paramGroups: Record<string, unknown>[];
}

const copyState = (s: ParamState): ParamState => {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) out[k] = typeof v === 'number' ? v : v.slice();
  return out;
};

/**
 * The base class of the optimizers (SGD, Adam, AdamW, RMSprop, Adagrad), like torch.optim.Optimizer.
 * An optimizer holds parameters in param groups and, on `step()`, updates each parameter that has a `.grad`
 * in place; call `zeroGrad()` before the next backward pass, since gradients accumulate.
 * @example
 * ```ts
 * const model = new tg.nn.Linear(2, 1);
 * const opt = new tg.optim.Adam(model.parameters(), { lr: 1e-2 });
 * const loss = tg.nn.functional.mseLoss(model.call(tg.randn([4, 2])), tg.zeros([4, 1]));
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** The hyperparameters given to the constructor (merged over the optimizer's defaults); groups fall back to them. */
  readonly defaults: O;
  /** The param groups, each with its parameters and hyperparameters; change `lr` here to adjust the learning rate by hand. */
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, keyed by the parameter object (created on its first update). */
  state = new Map<Tensor, ParamState>();

  /** `options` override `defaults`, except where an option is undefined (as if it were left out). */
  protected constructor(params: ParamsInput<O>, defaults: O, options: Partial<O> = {}) {
    this.defaults = { ...defaults };
    // the defaults name every hyperparameter this optimizer has: any other key is a typo, not a no-op
    checkOptions(this.name, options, Object.keys(defaults));
    for (const [key, v] of Object.entries(options)) if (v !== undefined) (this.defaults as Record<string, unknown>)[key] = v;
    this.validate(this.defaults);
    if (params instanceof Tensor) throw new TypeError(`${this.name}: params must be an iterable of Tensors (or of param groups), got a single Tensor; wrap it in an array`);
    if (params === null || typeof params !== 'object' || typeof (params as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
      const hint = params && typeof (params as { parameters?: unknown }).parameters === 'function' ? '; pass model.parameters()' : '';
      throw new TypeError(`${this.name}: params must be an iterable of Tensors or of param groups${hint}`);
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new RangeError(`${this.name}: got an empty parameter list`);
    if (list.every((x) => x instanceof Tensor)) this.addParamGroup({ params: list } as unknown as ParamGroupInput<O>);
    else for (const g of list) this.addParamGroup(g as ParamGroupInput<O>);
  }

  /** The optimizer's name for messages (its class name). */
  get name(): string {
    return this.constructor.name;
  }

  /** Throws if a group's hyperparameters are invalid (learning rate < 0, betas outside [0, 1), ...). */
  protected abstract validate(group: O): void;

  /** Updates one parameter in place from its gradient, its state and its group's hyperparameters. */
  protected abstract update(param: Tensor, grad: TypedArray, value: TypedArray, state: ParamState, group: ParamGroup<O>): void;

  /** Adds a group of parameters (e.g. a layer being unfrozen) with its own hyperparameters. */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (group === null || typeof group !== 'object' || !('params' in group)) {
      throw new TypeError(`${this.name}: a param group must be an object with a 'params' array`);
    }
    checkOptions(`${this.name}: a param group`, group, ['params', 'initialLr', ...Object.keys(this.defaults)]);
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${this.name}: param ${i} of a group is not a Tensor`);
      if (!p.isLeaf) throw new TypeError(`${this.name}: can't optimize a non-leaf Tensor (param ${i} was produced by ${p.gradFn})`);
    });
    if (new Set(params).size !== params.length) throw new RangeError(`${this.name}: a parameter appears twice in one param group`);
    for (const g of this.paramGroups) {
      if (g.params.some((p) => params.includes(p))) throw new RangeError(`${this.name}: some parameters appear in more than one parameter group`);
    }
    const full: Record<string, unknown> = { ...this.defaults, ...group, params };
    const defaults = this.defaults as unknown as Record<string, unknown>;
    for (const [key, v] of Object.entries(full)) if (v === undefined && key in defaults) full[key] = defaults[key];
    this.validate(full as unknown as O);
    this.paramGroups.push(full as unknown as ParamGroup<O>);
  }

  /**
   * One update of every parameter that has a gradient (parameters with grad null are skipped).
   * A closure, if given, re-evaluates the model and returns the loss; it runs first, with grad enabled.
   */
  step<L>(closure?: () => L): L | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const pg = p._peekGrad(); // not p.grad: reading it that way would hand the buffer to user code (see clearGrad)
        if (pg === null) continue;
        const value = writableValues(p);
        const grad = pg.value.values();
        if (grad.length !== value.length) {
          throw new RangeError(`${this.name}.step: a parameter of shape [${p.shape}] has a gradient of shape [${pg.shape}]`);
        }
        let state = this.state.get(p);
        if (!state) this.state.set(p, (state = {}));
        this.update(p, grad, value, state, group);
      }
    }
    return loss;
  }

  /**
   * Clears the gradients: to null (default, as PyTorch's setToNone), or to zeros. A gradient buffer that only
   * the tape has used goes back to the caching allocator (or is zeroed in place), so the next backward reuses it.
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) clearGrad(p, setToNone);
    }
  }

  /** A snapshot of the state (typed arrays copied) and of each group's hyperparameters. */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    const paramGroups: Record<string, unknown>[] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const ids: number[] = [];
      for (const p of group.params) {
        const s = this.state.get(p);
        if (s) state[index] = copyState(s);
        ids.push(index++);
      }
      const { params: _params, ...hyper } = group;
      paramGroups.push({ ...hyper, params: ids });
    }
    return { state, paramGroups };
  }

  /**
   * Restores hyperparameters and state from stateDict() output. The groups must match this
   * optimizer's in number and size; arrays are copied, converted to each parameter's dtype.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    const saved = stateDict?.paramGroups;
    if (!Array.isArray(saved) || typeof stateDict.state !== 'object' || stateDict.state === null) {
      throw new TypeError(`${where}: expected { state, paramGroups } as returned by stateDict()`);
    }
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(`${where}: the state has ${saved.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    }
    const ids = saved.map((g) => g.params);
    saved.forEach((g, i) => {
      const n = this.paramGroups[i].params.length;
      if (!Array.isArray(g.params) || g.params.length !== n) {
        throw new RangeError(`${where}: group ${i} has ${Array.isArray(g.params) ? g.params.length : 'no'} parameters in the state, ${n} in the optimizer`);
      }
    });
    // check everything before changing anything
    const newState = new Map<Tensor, ParamState>();
    ids.forEach((groupIds, gi) => (groupIds as number[]).forEach((id, k) => {
      const s = stateDict.state[id];
      if (s === undefined) return;
      const p = this.paramGroups[gi].params[k];
      const out: ParamState = {};
      for (const [key, v] of Object.entries(s)) {
        if (typeof v === 'number') out[key] = v;
        else if (ArrayBuffer.isView(v)) {
          if (v.length !== p.size) throw new RangeError(`${where}: state '${key}' of parameter ${id} has ${v.length} elements, the parameter has ${p.size}`);
          const copy = allocate(p.dtype, p.size);
          copy.set(v);
          out[key] = copy;
        } else throw new TypeError(`${where}: state '${key}' of parameter ${id} is neither a number nor a typed array`);
      }
      newState.set(p, out);
    }));
    const groups = saved.map((g, i) => {
      const { params: _ids, ...hyper } = g;
      const group = { ...this.paramGroups[i], ...hyper, params: this.paramGroups[i].params } as ParamGroup<O>;
      this.validate(group);
      return group;
    });
    this.paramGroups = groups;
    this.state = newState;
  }
}

/**
 * The parameter's elements as a flat row-major array that writes go straight into. A strided view
 * (a transposed weight, say) is first given its own dense copy, which then becomes its value.
 */
function writableValues(p: Tensor): TypedArray {
  const v = p.value;
  if (v.isContiguous()) {
    bumpVersion(v.data); // the step writes into this storage: graphs that saved p are now stale
    return v.offset === 0 && v.data.length === v.size ? v.data : v.data.subarray(v.offset, v.offset + v.size);
  }
  p.value = v.contiguous();
  bumpVersion(p.value.data, v.data);
  return p.value.data;
}

/** Throws unless x is a finite number ≥ 0 (a learning rate, a decay, ...). */
export function checkNonNegative(x: unknown, name: string, where: string): void {
  if (typeof x !== 'number' || !(x >= 0) || !Number.isFinite(x)) throw new RangeError(`${where}: invalid ${name} ${String(x)} (must be a finite number >= 0)`);
}

/** Throws unless x is in [0, 1). */
export function checkUnitInterval(x: unknown, name: string, where: string): void {
  if (typeof x !== 'number' || !(x >= 0 && x < 1)) throw new RangeError(`${where}: invalid ${name} ${String(x)} (must be in [0, 1))`);
}
