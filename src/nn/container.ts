// Containers: Sequential (runs its modules in order) and ModuleList (holds them, you write forward).
// Children are named '0', '1', ... as in PyTorch, so stateDict keys read '0.weight', '2.bias', ...

import { isGradEnabled } from '../autograd/mode.js';
import type { Tensor } from '../autograd/tensor.js';
import { isTracing } from '../autograd/trace.js';
import { beginCapture, capturedSinceBegin, endCapture, release } from '../tensor/storage.js';
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
    const items = this.items;
    if (items.length < 2 || isTracing()) {
      let y = x;
      for (const m of items) y = m.call(y);
      return y;
    }
    const outer = beginCapture();
    const grad = isGradEnabled();
    const mids: Tensor[] = [];
    let made: TypedArray[];
    let y = x;
    try {
      for (let i = 0; i < items.length; i++) {
        const prev = y;
        const fused = fusesRelu(items, i);
        y = fused ? (items[i] as Linear).forwardWith(prev, 'relu') : items[i].call(prev);
        if (i > 0 && isPure(items[i - 1]) && isPure(items[i])) {
          if (grad) mids.push(prev);
          else if (prev.value.data.buffer !== y.value.data.buffer && capturedSinceBegin(prev.value.data)) release(prev.value.data);
        }
        if (fused) i++; // the ReLU ran inside the Linear's op
      }
    } finally {
      made = endCapture(outer);
    }
    const out = y.value.data.buffer;
    if (grad) {
      const fresh = new Set<TypedArray>(made);
      for (const t of mids) if (t.node !== null && t.value.data.buffer !== out && fresh.has(t.value.data)) t.releasable = true;
    }
    return y;
  }
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
