// A listener for every op a forward pass runs, recorded on the tape or not (for ONNX export).
// The tape keeps only ops on tensors that need gradients; export also needs the untracked ones that still
// depend on the input (logsumexp's detached shift, comparison masks, constants broadcast to the batch).

import type { OpName } from './ops.js';
import type { Tensor } from './tensor.js';

/** Ops that make gradient-free results (constants to the tape) which still depend on their inputs. */
export type UntrackedOpName = 'detach' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'sign' | 'isFinite' | 'argmax' | 'argmin';

/** One op seen while tracing: a primitive of the op table, or an untracked op with its own small attributes. */
export interface TracedOp {
  /** The primitive's name, or the untracked op's. */
  readonly op: OpName | UntrackedOpName;
  /** Its input tensors, in order. */
  readonly inputs: readonly Tensor[];
  /** The tensor it returned. */
  readonly output: Tensor;
  /** The primitive's attributes; for argmax/argmin `{ axis, keepdims }` (axis null: over the flattened tensor). */
  readonly attrs: unknown;
  /** The objects (modules) whose `call` was running, outermost first: where in the model the op ran. */
  readonly scope: readonly object[];
}

/** A module call seen while tracing: the module, its inputs and its output. */
export interface TracedCall {
  /** The module (whatever object called inScope). */
  readonly owner: object;
  /** Its inputs. */
  readonly inputs: readonly Tensor[];
  /** What it returned. */
  readonly output: unknown;
}

let listener: ((op: TracedOp) => void) | null = null;
let callListener: ((call: TracedCall) => void) | null = null;
const scopes: object[] = [];

/** Whether a trace is listening (so callers can skip building the record when nobody is). */
export const isTracing = (): boolean => listener !== null;

/** Runs fn while `onOp` hears every op it runs (nested traces are refused); returns fn's result. */
export function traceOps<T>(onOp: (op: TracedOp) => void, fn: () => T, onCall: ((call: TracedCall) => void) | null = null): T {
  if (listener !== null) throw new Error('traceOps: a trace is already running (export one model at a time)');
  listener = onOp;
  callListener = onCall;
  scopes.length = 0;
  try {
    return fn();
  } finally {
    listener = null;
    callListener = null;
    scopes.length = 0;
  }
}

/** Reports one op to the running trace, if any; returns the output unchanged. */
export function noteOp(op: OpName | UntrackedOpName, inputs: readonly Tensor[], output: Tensor, attrs: unknown): Tensor {
  if (listener !== null) listener({ op, inputs, output, attrs, scope: [...scopes] });
  return output;
}

/**
 * Runs fn inside `owner`'s scope when a trace listens (Module.call uses it to say where ops ran), and reports
 * the call with its inputs and result.
 */
export function inScope<T>(owner: object, fn: () => T, inputs: readonly Tensor[] = []): T {
  if (listener === null) return fn();
  scopes.push(owner);
  let out: T;
  try {
    out = fn();
  } finally {
    scopes.pop();
  }
  if (callListener !== null) callListener({ owner, inputs, output: out });
  return out;
}

/**
 * What a composite reports to a trace so that ONNX export can write it as its own operator (max pooling,
 * batch norm in eval form, an LSTM layer, ...): its kind and whatever settings the exporter needs. The
 * ops inside still run and are heard, but an exporter that knows the kind does not look at them.
 */
export interface CompositeInfo {
  /** The kind, a key of the exporter's table of composites (e.g. 'maxPool', 'lstm'). */
  readonly composite: string;
  /** Settings the exporter reads (kernel sizes, eps, the module, ...). */
  readonly attrs: unknown;
}

/**
 * Runs fn as one composite when a trace listens: export sees `inputs` go in and fn's tensors (a tensor, or
 * an array of tensors / arrays, in order) come out. Costs nothing when nobody traces.
 */
export function traceComposite<T>(composite: string, attrs: unknown, inputs: readonly Tensor[], fn: () => T): T {
  if (listener === null) return fn();
  const info: CompositeInfo = { composite, attrs };
  return inScope(info, fn, inputs);
}
