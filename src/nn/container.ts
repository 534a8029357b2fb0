// Containers: Sequential (runs its modules in order) and ModuleList (holds them, you write forward).
// Children are named '0', '1', ... as in PyTorch, so stateDict keys read '0.weight', '2.bias', ...

import { isGradEnabled } from '../autograd/mode.js';
import type { Tensor } from '../autograd/tensor.js';
import { isTracing } from '../autograd/trace.js';
import { beginCapture, capturedSinceBegin, endCapture, giveBack, isSoleOwner } from '../tensor/storage.js';
import type { TypedArray } from '../tensor/dtype.js';
import { ReLU } from './activations.js';
import { Linear } from './layers.js';
import { Module } from './module.js';

/** A library module whose forward keeps no reference to its input or output (its class says so itself; subclasses do not inherit it). */
const isPure = (m: Module): boolean => Object.hasOwn(m.constructor, 'pureForward');

function checkModule(m: unknown, where: string, i: number): Module {
  if (!(m instanceof Module)) {
    const what = m === null ? 'null' : typeof m === 'object' ? (m.constructor?.name ?? 'object') : typeof m;
    throw new TypeError(`${where}: item ${i} is not a Module (got ${what})`);
  }
  return m;
}

/**
 * Whether items[i] is an nn.Linear and items[i + 1] an nn.ReLU (exactly those classes, whose forwards are
 * known): nn.Sequential then runs the pair as one `linearRelu` op, bitwise the same values and gradients
 * with one node, one pass and one array fewer (docs/performance.md, issue 19).
 */
function fusesRelu(items: readonly Module[], i: number): boolean {
  return i + 1 < items.length && items[i].constructor === Linear && items[i + 1].constructor === ReLU;
}

/** An indexed list of modules, registered as children '0', '1', ... */
abstract class ModuleSequence extends Module implements Iterable<Module> {
  /** The modules in order (for subclasses; use `at(i)` or iterate from outside). */
  protected readonly items: Module[] = [];

  constructor(modules: Iterable<Module>) {
    super();
    for (const m of modules) this.add(m);
  }

  /** Appends a module (it becomes child `String(length - 1)`); returns this for chaining. */
  add(module: Module): this {
    this.items.push(checkModule(module, `${this.constructor.name}.add`, this.items.length));
    return this;
  }

  /** The number of modules held. */
  get length(): number {
    return this.items.length;
  }

  /** The module at index i; negative indices count from the end, as Array.prototype.at. */
  at(i: number): Module {
    const k = Number.isInteger(i) && i < 0 ? i + this.items.length : i;
    if (!Number.isInteger(k) || k < 0 || k >= this.items.length) {
      throw new RangeError(`${this.constructor.name}.at: index ${i} is out of range for ${this.items.length} modules`);
    }
    return this.items[k];
  }

  /** Iterates over the modules in order, so `for (const m of seq)` works. */
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  override namedChildren(): [string, Module][] {
    return this.items.map((m, i) => [String(i), m]);
  }
}

/**
 * Chains modules: forward(x) = mₙ(…m₂(m₁(x))). With no modules it returns its input.
 * @example new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 2))
 */
export class Sequential extends ModuleSequence {
  constructor(...modules: Module[]) {
    super(modules);
  }

  /**
   * Runs the modules in order. The results passed between two library layers (Linear, ReLU, ...) are seen by
   * nothing else, so their arrays go back to the caching allocator (src/tensor/storage.ts) as soon as they are
   * dead: under noGrad once the next layer has run, otherwise when backward() frees the graph that saved them.
   */
  override forward(x: Tensor): Tensor {
    return runChain(this.items, x)[0];
  }
}

/**
 * Runs `modules` in order from x, as Sequential.forward does (Keras' sequential models share it), recycling the
 * results passed between two library layers (`static pureForward`): under noGrad once the next layer has run,
 * otherwise marked `releasable` for backward. `finish`, when given, runs the last module instead of its `call`
 * and returns every tensor the caller receives (the result first, then e.g. logits); none of those is recycled.
 * Returns [the result] without `finish`.
 */
export function runChain(modules: readonly Module[], x: Tensor, finish?: (m: Module, h: Tensor) => Tensor[]): Tensor[] {
  const items = modules;
  const last = items.length - 1;
  const step = (i: number, h: Tensor): Tensor[] => (finish && i === last ? finish(items[i], h) : [items[i].call(h)]);
  if (items.length < 2 || isTracing()) {
    let ys = [x];
    for (let i = 0; i < items.length; i++) ys = step(i, ys[0]);
    return ys;
  }
  const outer = beginCapture();
  const grad = isGradEnabled();
  const mids: Tensor[] = [];
  let made: TypedArray[];
  let ys = [x];
  try {
    for (let i = 0; i < items.length; i++) {
      const prev = ys[0];
      const fused = !(finish && i + 1 === last) && fusesRelu(items, i);
      ys = fused ? [(items[i] as Linear).forwardWith(prev, 'relu')] : step(i, prev);
      if (i > 0 && isPure(items[i - 1]) && isPure(items[i])) {
        if (grad) mids.push(prev);
        else if (ys.every((y) => prev.value.data !== y.value.data) && capturedSinceBegin(prev.value.data)) {
          giveBack(prev.value);
        }
      }
      if (fused) i++; // the ReLU ran inside the Linear's op
    }
  } finally {
    made = endCapture(outer);
  }
  if (grad) {
    const outs = new Set(ys.map((y) => y.value.data));
    const fresh = new Set<TypedArray>(made);
    for (const t of mids) if (t.node !== null && !outs.has(t.value.data) && fresh.has(t.value.data)) t.releasable = true;
  }
  return ys;
}

/** Holds sub-modules so their parameters are registered; it has no forward of its own. */
export class ModuleList extends ModuleSequence {
  constructor(modules: Iterable<Module> = []) {
    super(modules);
  }

  override forward(): Tensor {
    throw new Error('ModuleList: has no forward; iterate over it and call each module');
  }
}

/**
 * For a layer's own intermediate `t` (made in its forward, seen by nothing but the ops that made `result`): its
 * array goes back to the caching allocator once dead, as runChain does between layers: now under noGrad, else
 * when backward frees the graph. Left alone when `result` shares its storage, when another tensor does (a view
 * some op kept), or while ONNX export traces.
 */
export function recycleIntermediate(t: Tensor, result: Tensor): void {
  const data = t.value.data;
  if (isTracing() || data === result.value.data || !isSoleOwner(t.value)) return;
  if (!isGradEnabled()) {
    giveBack(t.value);
  }
  else if (t.node !== null) t.releasable = true;
}
