// nn.Module: the base of every layer and model. Parameters and sub-modules are found by walking
// the module's own fields (in declaration order), so `this.fc = new Linear(...)` just works.

import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import { inScope } from '../autograd/trace.js';
import { clearGrad } from '../autograd/tape.js';
import type { NDArray } from '../tensor/ndarray.js';
import { fmtShape } from '../tensor/shape.js';
import { bumpVersion } from '../autograd/version.js';

/** A Tensor that a Module owns and an optimizer updates; requiresGrad is on by default. */
export class Parameter extends Tensor {
  /** Always true: this tensor is a module's weight. */
  override get isParameter(): boolean {
    return true;
  }

  constructor(value: Tensor | NDArray, requiresGrad = true) {
    super(value instanceof Tensor ? value.value : value, requiresGrad);
  }
}

/**
 * Any module, whatever its forward takes and returns (nn.LSTM returns [output, [h, c]], nn.MultiheadAttention
 * [output, weights]); the type the tree walkers use.
 */
export type AnyModule = Module<any[], unknown>;

/** A model's parameters by dotted name (e.g. 'fc1.weight'), as returned by `stateDict()` and accepted by `loadStateDict()`. */
export type StateDict = Map<string, Tensor>;

/**
 * The base class of every layer and model, like PyTorch's nn.Module. Subclass it, store layers and
 * {@link Parameter}s in fields, and implement `forward`; parameters and sub-modules are then found automatically
 * (in field order) by `parameters()`, `stateDict()`, `train()`/`eval()` and the optimizers.
 * @example
 * ```ts
 * class MLP extends tg.nn.Module {
 *   fc1 = new tg.nn.Linear(4, 16);
 *   fc2 = new tg.nn.Linear(16, 3);
 *   override forward(x: tg.Tensor) { return this.fc2.call(this.fc1.call(x).relu()); }
 * }
 * const net = new MLP();
 * const logits = net.call(tg.randn([8, 4])); // shape [8, 3]
 * ```
 */
export abstract class Module<In extends unknown[] = Tensor[], Out = Tensor> {
  /** Training mode (Dropout active, BatchNorm uses batch statistics) or eval mode. */
  training = true;

  /** Non-parameter state saved in the state dict (BatchNorm's running_mean...), by its PyTorch name; see registerBuffer. */
  #buffers = new Map<string, Tensor>();

  /** Computes the module's output from its inputs; subclasses implement it. Call it through `call(x)`. */
  abstract forward(...inputs: In): Out;

  /** Runs forward (PyTorch's `module(x)`); while ONNX export traces, it also marks where the ops ran. */
  call(...inputs: In): Out {
    return inScope(this, () => this.forward(...inputs), inputs.filter((x): x is Tensor => x instanceof Tensor));
  }

  /** Direct sub-modules with their names; arrays of modules are named by index. */
  namedChildren(): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    for (const [key, v] of Object.entries(this)) {
      if (v instanceof Module) out.push([key, v]);
      else if (Array.isArray(v)) v.forEach((m, i) => { if (m instanceof Module) out.push([`${key}.${i}`, m]); });
    }
    return out;
  }

  /** Direct sub-modules (fields holding a Module, or arrays of them), in declaration order. */
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module's own parameters (not those of sub-modules). */
  namedOwnParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [key, v] of Object.entries(this)) if (v instanceof Parameter) out.push([key, v]);
    return out;
  }

  /** Every module in the tree, depth first, this one first, with dotted names. */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** Every module in the tree, depth first, starting with this one. */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Registers state that is saved and loaded with the parameters but not trained (PyTorch's
   * register_buffer), under its state-dict name, e.g. `running_mean`. Read it back with `buffer(name)`.
   */
  registerBuffer(name: string, tensor: Tensor): Tensor {
    this.#buffers.set(name, tensor);
    return tensor;
  }

  /** The buffer registered under `name` (throws when there is none). */
  buffer(name: string): Tensor {
    const b = this.#buffers.get(name);
    if (!b) throw new RangeError(`${this.constructor.name}: no buffer named ${name}`);
    return b;
  }

  /** All buffers in the tree with dotted names (state-dict keys such as `bn1.running_mean`). */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m.#buffers) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  /** All parameters in the tree with dotted names (the stateDict keys), each listed once. */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.namedOwnParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  /**
   * All trainable parameters of this module and its sub-modules, each listed once; pass them to an optimizer.
   * @example
   * ```ts
   * const model = new tg.nn.Linear(3, 2);
   * const opt = new tg.optim.SGD(model.parameters(), { lr: 0.1 });
   * ```
   */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Switches this module and all sub-modules to training (true) or eval (false) mode. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Switches to eval mode (Dropout off, like PyTorch's `model.eval()`); the same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Extra text inside this module's parentheses when printed (PyTorch's extra_repr), e.g. `inFeatures=2, outFeatures=3`. */
  extraRepr(): string {
    return '';
  }

  /** PyTorch-style printout: `Name(extraRepr)`, with each child as `(name): ...` on its own indented line. */
  toString(): string {
    const name = this.constructor.name;
    const children = this.namedChildren();
    if (children.length === 0) return `${name}(${this.extraRepr()})`;
    const lines = this.extraRepr() ? [this.extraRepr()] : [];
    for (const [key, child] of children) lines.push(`(${key}): ${child.toString()}`);
    return `${name}(\n${lines.join('\n').split('\n').map((l) => `  ${l}`).join('\n')}\n)`;
  }

  /** Clears every parameter's gradient (set to null, as PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) clearGrad(p, true);
  }

  /**
   * The parameters, then the buffers (running statistics), by dotted name, as detached tensors sharing storage (PyTorch's state_dict).
   * @example
   * ```ts
   * const a = new tg.nn.Linear(3, 2), b = new tg.nn.Linear(3, 2);
   * b.loadStateDict(a.stateDict()); // keys 'weight' and 'bias'; b now has a's values
   * ```
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [name, p] of this.namedParameters()) out.set(name, p.detach());
    for (const [name, b] of this.namedBuffers()) out.set(name, b.detach());
    return out;
  }

  /**
   * Copies values into this module's parameters. Shapes must match (the error names the parameter
   * and both shapes); with strict, missing and unexpected keys are errors too. Nothing is changed
   * unless every entry checks out.
   */
  loadStateDict(state: StateDict | Record<string, Tensor>, options: { strict?: boolean } = {}): this {
    const strict = options.strict ?? true;
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const params = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    if (strict) {
      const missing = [...params.keys()].filter((k) => !entries.has(k));
      const unexpected = [...entries.keys()].filter((k) => !params.has(k));
      if (missing.length || unexpected.length) {
        throw new Error(
          `loadStateDict: ${missing.length ? `missing keys ${missing.join(', ')}` : ''}${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys ${unexpected.join(', ')}` : ''}`,
        );
      }
    }
    for (const [name, t] of entries) {
      const p = params.get(name);
      if (!p) continue;
      if (!(t instanceof Tensor)) throw new TypeError(`loadStateDict: entry ${name} is not a Tensor`);
      if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
        throw new RangeError(`loadStateDict: parameter ${name} has shape ${fmtShape(p.shape)}, the state has ${fmtShape(t.shape)}`);
      }
    }
    noGrad(() => {
      for (const [name, t] of entries) {
        const p = params.get(name);
        if (!p) continue;
        const src = t.value.astype(p.dtype);
        bumpVersion(src.data, p.value.data); // a write into p, as PyTorch's copy_: graphs that saved p are stale
        p.value = src;
      }
    });
    return this;
  }
}
