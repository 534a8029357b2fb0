// Custom gradients: a user forward plus a user backward, recorded on the tape as one 'custom' node.
// Two front ends over one mechanism: tg.autograd.Function (PyTorch's class style) and tg.customGrad (TF.js style).

import { fmtShape } from '../tensor/shape.js';
import { isGradEnabled, noGrad } from './mode.js';
import { apply, Tensor } from './tensor.js';

/**
 * What a custom function's forward hands to its backward (PyTorch's `ctx`): tensors saved with
 * {@link FunctionCtx.saveForBackward}, which inputs need a gradient, and any other values you store in `data`.
 */
export class FunctionCtx {
  /** For each forward argument: whether it is a tensor that needs a gradient (skip work for the others). */
  readonly needsInputGrad: readonly boolean[];
  /** Free-form values the forward wants the backward to see (shapes, constants, flags). */
  readonly data: Record<string, unknown> = {};
  private saved: Tensor[] = [];
  /** The tensor the forward returned, computed off the tape. */
  rawOutput: Tensor | null = null;
  /** The recorded output (same values, with the custom node): what `savedTensors` gives in place of `rawOutput`. */
  recordedOutput: Tensor | null = null;

  constructor(needsInputGrad: boolean[]) {
    this.needsInputGrad = needsInputGrad;
  }

  /** Keeps tensors (inputs, the output, intermediates) for the backward pass. */
  saveForBackward(...tensors: Tensor[]): void {
    for (const [i, t] of tensors.entries()) {
      if (!(t instanceof Tensor)) throw new TypeError(`saveForBackward: argument ${i} is not a Tensor`);
    }
    this.saved = tensors;
  }

  /**
   * The saved tensors, in the order given. A saved input is the input itself, and the saved output is the
   * recorded output, so a backward written with Tensor ops can be differentiated again (createGraph).
   */
  get savedTensors(): Tensor[] {
    return this.saved.map((t) => (t === this.rawOutput && this.recordedOutput ? this.recordedOutput : t));
  }
}

/** A backward's result: one gradient per forward argument (null for non-tensors or none), or one tensor for one argument. */
export type CustomGradients = Tensor | null | (Tensor | null | undefined)[];

/**
 * Runs `forward` without recording, then records one 'custom' node whose VJP calls `backward`.
 * The tensors among `args` are the node's inputs; `backward` answers with one entry per argument.
 */
function recordCustom(
  name: string, args: readonly unknown[], ctx: FunctionCtx,
  forward: () => Tensor, backward: (g: Tensor) => CustomGradients,
): Tensor {
  const raw = noGrad(forward);
  if (!(raw instanceof Tensor)) throw new TypeError(`${name}: forward must return a Tensor, got ${raw === null ? 'null' : typeof raw}`);
  ctx.rawOutput = raw;
  const positions = args.flatMap((a, i) => (a instanceof Tensor ? [i] : []));
  const inputs = positions.map((i) => args[i] as Tensor);
  const out = apply('custom', inputs, {
    name,
    value: raw.value,
    backward: (g) => {
      let grads = backward(g);
      if (!Array.isArray(grads)) grads = [grads];
      if (grads.length !== args.length) {
        throw new Error(`${name}.backward: returned ${grads.length} gradient${grads.length === 1 ? '' : 's'} for ${args.length} forward argument${args.length === 1 ? '' : 's'} (one per argument, null where there is none)`);
      }
      return positions.map((i) => {
        const gi = grads[i] ?? null;
        if (gi === null) return null;
        if (!(gi instanceof Tensor)) throw new TypeError(`${name}.backward: the gradient for argument ${i} is not a Tensor`);
        const x = args[i] as Tensor;
        if (gi.shape.length !== x.shape.length || gi.shape.some((d, k) => d !== x.shape[k])) {
          throw new Error(`${name}.backward: the gradient for argument ${i} has shape ${fmtShape(gi.shape)}, expected the input's ${fmtShape(x.shape)}`);
        }
        return gi;
      });
    },
  });
  ctx.recordedOutput = out;
  return out;
}

/**
 * The base class of custom differentiable functions, as torch.autograd.Function (`tg.autograd.Function`):
 * extend it with a static `forward(ctx, ...args)` that computes the output and a static `backward(ctx, gradOutput)`
 * that returns one gradient per forward argument; call it with the static `apply`. The forward is not recorded;
 * the backward is, under `createGraph`, so a backward written with Tensor ops can be differentiated again.
 * Check a backward with `tg.gradcheck` (see docs/learn-8-gradcheck.md).
 * @example
 * ```ts
 * class Cube extends tg.autograd.Function {
 *   static forward(ctx: tg.autograd.FunctionCtx, x: tg.Tensor): tg.Tensor {
 *     ctx.saveForBackward(x);
 *     return x.pow(3);
 *   }
 *   static backward(ctx: tg.autograd.FunctionCtx, g: tg.Tensor): tg.Tensor {
 *     const [x] = ctx.savedTensors;
 *     return g.mul(x.square()).mul(3); // d x³ = 3x² dx
 *   }
 * }
 * const x = tg.tensor([1, 2], { requiresGrad: true });
 * Cube.apply(x).sum().backward();
 * x.grad; // [3, 12]
 * ```
 */
export class CustomFunction {
  /** Computes the output from the arguments (tensors and any other values); not recorded on the tape. */
  static forward(_ctx: FunctionCtx, ..._args: any[]): Tensor {
    throw new Error(`${this.name}: a custom function must define static forward(ctx, ...args)`);
  }

  /** Maps the output's gradient to one gradient per forward argument (null where none). */
  static backward(_ctx: FunctionCtx, _gradOutput: Tensor): CustomGradients {
    throw new Error(`${this.name}: a custom function must define static backward(ctx, gradOutput)`);
  }

  /** Runs forward and records the node whose gradient is backward (PyTorch's `Function.apply`). */
  static apply(...args: any[]): Tensor {
    const name = this.name || 'CustomFunction';
    const ctx = new FunctionCtx(args.map((a) => a instanceof Tensor && a.requiresGrad && isGradEnabled()));
    return recordCustom(name, args, ctx, () => this.forward(ctx, ...args), (g) => this.backward(ctx, g));
  }
}

/** What a {@link customGrad} function returns: the value, and the gradient function for it. */
export interface CustomGradResult {
  /** The forward result. */
  value: Tensor;
  /** Maps the gradient of `value` to the gradients of the inputs (one per input, or one tensor for one input). */
  gradFunc: (dy: Tensor, saved: Tensor[]) => CustomGradients;
}

/**
 * A function with a custom gradient, in TensorFlow.js's style (tf.customGrad): `f(...inputs, save)` returns
 * `{ value, gradFunc }`, where `gradFunc(dy, saved)` gives one gradient per input and `save([...])` keeps tensors
 * for it. The same mechanism as {@link CustomFunction}.
 * @example
 * ```ts
 * const square = tg.customGrad((x, save) => {
 *   save([x]);
 *   return { value: x.mul(x), gradFunc: (dy, [xs]) => dy.mul(xs).mul(2) };
 * });
 * const x = tg.tensor([3], { requiresGrad: true });
 * square(x).sum().backward();
 * x.grad; // [6]
 * ```
 */
export function customGrad(f: (...args: any[]) => CustomGradResult): (...inputs: Tensor[]) => Tensor {
  const name = f.name || 'customGrad';
  return (...inputs: Tensor[]) => {
    for (const [i, x] of inputs.entries()) if (!(x instanceof Tensor)) throw new TypeError(`${name}: input ${i} is not a Tensor`);
    const ctx = new FunctionCtx(inputs.map((x) => x.requiresGrad && isGradEnabled()));
    let gradFunc: CustomGradResult['gradFunc'] | null = null;
    const forward = () => {
      const result = f(...inputs, (tensors: Tensor[]) => ctx.saveForBackward(...tensors));
      if (!result || !(result.value instanceof Tensor) || typeof result.gradFunc !== 'function') {
        throw new TypeError(`${name}: the function must return { value: Tensor, gradFunc: (dy, saved) => gradients }`);
      }
      gradFunc = result.gradFunc;
      return result.value;
    };
    return recordCustom(name, inputs, ctx, forward, (g) => gradFunc!(g, ctx.savedTensors));
  };
}
