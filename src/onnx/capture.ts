// Captures a model's forward pass as a graph for ONNX export: every op it runs (tape primitives and the
// untracked ops that still depend on the input), in topological order, from the inputs to the output.

import { noGrad } from '../autograd/mode.js';
import { Tensor } from '../autograd/tensor.js';
import { traceOps, type TracedCall, type TracedOp } from '../autograd/trace.js';
import { fmtShape } from '../tensor/shape.js';

/**
 * Where a graph value comes from: a graph input, a parameter, a constant, an op, or a whole module call (or
 * composite, see traceComposite) that is exported as ONNX operators of its own (its inner ops are not looked
 * at). A call with several output tensors gives one value per tensor used, told apart by `outputIndex`
 * (outputs flattened in order: an LSTM's [output, [h, c]] is 0, 1, 2); `call` is the same object for all.
 */
export type Source =
  | { kind: 'input'; index: number }
  | { kind: 'parameter'; name: string }
  | { kind: 'constant' }
  | { kind: 'op'; op: TracedOp }
  | { kind: 'module'; name: string; owner: object; call: object; outputIndex: number };

/** One value of the captured graph (ids are positions in `values`, inputs before the ops that use them). */
export interface CapturedValue {
  /** The tensor in this trace. */
  tensor: Tensor;
  /** Where it comes from. */
  source: Source;
  /** For ops: the ids of its inputs. */
  inputIds: number[];
}

/** A captured forward pass: its values in topological order and the id of the output. */
export interface CapturedGraph {
  /** Values in topological order. */
  values: CapturedValue[];
  /** The id of the model's output. */
  outputId: number;
}

/** The slots of a call's result in order: a tensor, or nested arrays of them (anything else, e.g. null, is a null slot). */
export function flattenTensors(out: unknown): (Tensor | null)[] {
  if (out instanceof Tensor) return [out];
  if (!Array.isArray(out)) return [null];
  return out.flatMap((o) => flattenTensors(o));
}

/** Runs `forward` on `inputs` while listening, then walks back from the output to the inputs and leaves. */
export function capture(
  forward: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], paramNames: ReadonlyMap<Tensor, string>,
  moduleOp: (owner: object) => string | null = () => null,
): CapturedGraph {
  const made = new Map<Tensor, { inputs: readonly Tensor[]; source: Source }>();
  const onOp = (op: TracedOp) => { made.set(op.output, { inputs: op.inputs, source: { kind: 'op', op } }); };
  // a module exported whole: its output is made by the call, which hides the ops inside (set after them)
  const onCall = (call: TracedCall) => {
    const name = moduleOp(call.owner);
    if (name === null) return;
    flattenTensors(call.output).forEach((t, outputIndex) => {
      // an output made inside the call (not an input passed through) is now made by the call as a whole
      if (t !== null && made.has(t) && !call.inputs.includes(t)) {
        made.set(t, { inputs: call.inputs, source: { kind: 'module', name, owner: call.owner, call, outputIndex } });
      }
    });
  };
  const output = traceOps(onOp, () => noGrad(() => forward(...inputs)), onCall);
  const ids = new Map<Tensor, number>();
  const values: CapturedValue[] = [];
  const leaf = (t: Tensor): Source => {
    const i = inputs.indexOf(t);
    if (i >= 0) return { kind: 'input', index: i };
    const name = paramNames.get(t);
    if (name !== undefined) return { kind: 'parameter', name };
    return { kind: 'constant' };
  };
  // iterative post-order walk: [tensor, next input index]; a graph input is never looked through
  const stack: [Tensor, number][] = [[output, 0]];
  const onStack = new Set<Tensor>([output]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const t = top[0];
    const op = inputs.includes(t) ? undefined : made.get(t);
    if (op && top[1] < op.inputs.length) {
      const next = op.inputs[top[1]++];
      if (!ids.has(next)) {
        if (onStack.has(next)) throw new Error('onnx export: the traced graph has a cycle (a tensor changed in place?)');
        onStack.add(next);
        stack.push([next, 0]);
      }
      continue;
    }
    stack.pop();
    onStack.delete(t);
    ids.set(t, values.length);
    values.push({
      tensor: t,
      source: op ? op.source : leaf(t),
      inputIds: op ? op.inputs.map((x) => ids.get(x)!) : [],
    });
  }
  return { values, outputId: ids.get(output)! };
}

/** A short description of a value for error messages: its op, shape and place. */
export function describeValue(v: CapturedValue, placeOf: (scope: readonly object[]) => string): string {
  const s = v.source;
  if (s.kind === 'op') return `'${s.op.op}' producing ${fmtShape(v.tensor.shape)} in ${placeOf(s.op.scope)}`;
  if (s.kind === 'module') return `${placeOf([s.owner])} producing ${fmtShape(v.tensor.shape)}`;
  if (s.kind === 'parameter') return `parameter '${s.name}' ${fmtShape(v.tensor.shape)}`;
  if (s.kind === 'input') return `input ${s.index} ${fmtShape(v.tensor.shape)}`;
  return `a constant of shape ${fmtShape(v.tensor.shape)}`;
}
