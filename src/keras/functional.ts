// The functional API's graph: tg.input() placeholders, layers applied to them, and tg.model({ inputs,
// outputs }) reading the calls back into an ordered list that runs on real tensors. Checked when built:
// every output must come from the given inputs, every input must reach an output, names must be unique.

import type { Tensor } from '../autograd/tensor.js';
import { Module } from '../nn/module.js';
import type { DType } from '../tensor/dtype.js';
import { Layer } from './layer.js';
import { checkName, checkShapeArg } from './schema.js';
import { type SymbolicCallable, SymbolicTensor } from './symbolic.js';
import { snakeCase } from './names.js';

/** Arguments of {@link input}: the shape of one row (no batch dim), an optional name and dtype. */
export interface InputArgs {
  /** The shape of one row, without the batch dim: [784], [28, 28, 1]. */
  shape: number[];
  /** The input's name (default input, input_1, ...): fit() and predict() accept inputs by this name. */
  name?: string;
  /** 'float32' (default) or 'float64'. */
  dtype?: DType;
}

let inputCount = 0;

/**
 * A symbolic input of the functional API (Keras' `Input`): apply layers to it, then make a model with
 * tg.model({ inputs, outputs }).
 * @example
 * ```ts
 * const x = tg.input({ shape: [784], name: 'pixels' });
 * const h = tg.layers.dense({ units: 64, activation: 'relu' }).apply(x);
 * const digit = tg.layers.dense({ units: 10, activation: 'softmax', name: 'digit' }).apply(h);
 * const net = tg.model({ inputs: x, outputs: digit });
 * ```
 */
export function input(args: InputArgs): SymbolicTensor {
  if (typeof args !== 'object' || args === null) throw new TypeError('input: expected { shape, name?, dtype? }, e.g. tg.input({ shape: [784] })');
  for (const k of Object.keys(args)) {
    if (k !== 'shape' && k !== 'name' && k !== 'dtype') throw new RangeError(`input: unknown option ${JSON.stringify(k)} (options: shape, name, dtype)`);
  }
  const shape = checkShapeArg(args.shape, 'input');
  const name = args.name === undefined ? (inputCount === 0 ? 'input' : `input_${inputCount}`) : checkName(args.name, 'input');
  inputCount++;
  const dtype = args.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new RangeError(`input: dtype must be 'float32' or 'float64', got ${String(dtype)}`);
  const outputs: SymbolicTensor[] = [];
  const t = new SymbolicTensor(shape, dtype, { kind: 'input', layer: null, inputs: [], outputs }, name);
  outputs.push(t);
  return t;
}

/** One recorded call: a layer (or model) applied to symbolic tensors, making `outputs` (usually one). */
export interface GraphCall {
  callable: SymbolicCallable & Module;
  inputs: readonly SymbolicTensor[];
  /** Every tensor the call makes, in order (a recurrent layer with returnState: output, then its states). */
  outputs: readonly SymbolicTensor[];
}

/** Where a node's input comes from, as Keras' inbound nodes say it: [layer name, node index, tensor index]. */
export interface InboundRef {
  /** The input's or layer's name. */
  name: string;
  /** Which call of that layer (0 for its first; a shared layer's later calls count up). */
  nodeIndex: number;
  /** Which of that call's outputs (0 unless the call makes several). */
  tensorIndex: number;
}

/** One node of {@link LayerGraph}: an input or a layer, its output shape and the nodes feeding it. */
export interface LayerGraphNode {
  name: string;
  className: string;
  /** The output shape without the batch dim (the first output's when it makes several). */
  outputShape: number[];
  /** Every output's shape (one entry unless the layer makes several, as an LSTM with returnState); absent means [outputShape]. */
  outputShapes?: number[][];
  /** Names of the nodes whose outputs it takes (several calls of a shared layer are all listed). */
  inbound: string[];
  /** The same inputs with Keras' node and tensor indices (summary's "Connected to": lstm[0][1]); absent means [0][0] each. */
  inboundRefs?: InboundRef[];
  isInput: boolean;
}

/** A model's layer graph as plain data (what tg.plot.modelGraph draws). */
export interface LayerGraph {
  nodes: LayerGraphNode[];
  /** The names of the nodes whose outputs are the model's outputs. */
  outputs: string[];
}

/** A callable that runs on concrete tensors: a Layer (callOn) or a model used as a layer (callOn too). */
interface Runnable { callOn(inputs: readonly Tensor[]): Tensor | Tensor[] }

/** The checked graph of a functional model: its inputs, outputs, calls in execution order, and its layers. */
export class Graph {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** Every call, each after the calls that make its inputs. */
  readonly calls: readonly GraphCall[];
  /** Each distinct layer (or nested model) once, in order of first use; a layer applied twice appears once. */
  readonly callables: readonly (SymbolicCallable & Module)[];

  constructor(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[], where: string) {
    const bad = (msg: string): never => { throw new RangeError(`${where}: ${msg}`); };
    if (inputs.length === 0) bad('inputs must name at least one tg.input()');
    if (outputs.length === 0) bad('outputs must name at least one symbolic tensor');
    inputs.forEach((t, i) => {
      if (!(t instanceof SymbolicTensor) || t.source.kind !== 'input') bad(`inputs[${i}] is not a tensor made by tg.input()`);
    });
    outputs.forEach((t, i) => { if (!(t instanceof SymbolicTensor)) bad(`outputs[${i}] is not a symbolic tensor (apply layers to tg.input() to make one)`); });
    if (new Set(inputs).size !== inputs.length) bad('the same input is listed twice');
    const inputNames = inputs.map((t) => t.name);
    if (new Set(inputNames).size !== inputNames.length) bad(`two inputs share a name (${inputNames.join(', ')}); give each tg.input() its own name`);

    // walk back from the outputs: every call reached (once, however many of its outputs are used), and which
    // inputs each output depends on
    const seen = new Set<SymbolicTensor>();
    const found = new Map<SymbolicTensor['source'], GraphCall>();
    const reachedInputs = new Set<SymbolicTensor>();
    outputs.forEach((out, i) => {
      const stack: SymbolicTensor[] = [out];
      while (stack.length) {
        const t = stack.pop()!;
        if (seen.has(t)) continue;
        seen.add(t);
        if (t.source.kind === 'input') {
          if (!inputs.includes(t)) bad(`output ${i} (${out.describe()}) depends on ${t.describe()}, which is not in inputs; add it to inputs`);
          reachedInputs.add(t);
          continue;
        }
        if (found.has(t.source)) continue;
        const layer = t.source.layer as SymbolicCallable & Module;
        found.set(t.source, { callable: layer, inputs: t.source.inputs, outputs: t.source.outputs });
        stack.push(...t.source.inputs);
      }
    });
    inputs.forEach((t) => { if (!reachedInputs.has(t)) bad(`${t.describe()} does not reach any output; remove it from inputs or use it`); });
    // symbolic ids increase as tensors are made, so sorting by id puts each call after its inputs' calls
    this.calls = [...found.values()].sort((a, b) => a.outputs[0].id - b.outputs[0].id);
    const callables: (SymbolicCallable & Module)[] = [];
    for (const c of this.calls) if (!callables.includes(c.callable)) callables.push(c.callable);
    this.callables = callables;
    this.inputs = [...inputs];
    this.outputs = [...outputs];
    this.nameCallables(where);
  }

  /** Gives unnamed layers Keras-style names (dense, dense_1, ...) and refuses duplicate names. */
  private nameCallables(where: string): void {
    const names = new Set(this.inputs.map((t) => t.name));
    for (const c of this.callables) {
      if (c.name === null) continue;
      if (names.has(c.name)) throw new RangeError(`${where}: two layers (or a layer and an input) are named ${JSON.stringify(c.name)}; layer names must be unique`);
      names.add(c.name);
    }
    const used = new Map<string, number>();
    for (const c of this.callables) {
      if (c.name !== null) continue;
      const base = snakeCase(c.className);
      let k = used.get(base) ?? 0;
      let name = k === 0 ? base : `${base}_${k}`;
      while (names.has(name)) name = `${base}_${++k}`;
      used.set(base, k + 1);
      names.add(name);
      c.name = name;
    }
  }

  /**
   * The output names: each output's layer name (Keras names outputs by the layer that makes them); when two
   * outputs come from one layer (an LSTM's output and states), the later ones get `_1`, `_2`, ... by tensor index.
   */
  get outputNames(): string[] {
    const base = this.outputs.map(Graph.sourceName);
    return this.outputs.map((t, i) => (base.indexOf(base[i]) === i ? base[i] : `${base[i]}_${t.outputIndex}`));
  }

  /** The input names, as given to tg.input(). */
  get inputNames(): string[] {
    return this.inputs.map((t) => t.name);
  }

  /**
   * Runs the graph on concrete inputs (one per model input, in order). For each output index in
   * `logitsFor`, the output layer's pre-activation is returned too when it has one (losses use it).
   */
  run(xs: readonly Tensor[], logitsFor: readonly boolean[] = []): { out: Tensor; logits: Tensor | null; activation: string | null }[] {
    const values = new Map<SymbolicTensor, Tensor>();
    this.inputs.forEach((t, i) => values.set(t, xs[i]));
    const logits = new Map<SymbolicTensor, { logits: Tensor | null; activation: string | null }>();
    const wanted = new Set(this.outputs.filter((_, i) => logitsFor[i]));
    for (const call of this.calls) {
      const args = call.inputs.map((t) => values.get(t)!);
      const [first] = call.outputs;
      if (call.outputs.length === 1 && wanted.has(first) && call.callable instanceof Layer && args.length === 1) {
        const r = call.callable.forwardWithLogits(args[0]);
        values.set(first, r.out);
        logits.set(first, { logits: r.logits, activation: r.activation });
      } else {
        const out = (call.callable as unknown as Runnable).callOn(args);
        const outs = Array.isArray(out) ? out : [out];
        if (outs.length !== call.outputs.length) throw new Error(`${call.callable.name}: made ${outs.length} outputs when run, but ${call.outputs.length} when applied to symbolic tensors`);
        call.outputs.forEach((t, k) => values.set(t, outs[k]));
      }
    }
    return this.outputs.map((t) => ({ out: values.get(t)!, logits: logits.get(t)?.logits ?? null, activation: logits.get(t)?.activation ?? null }));
  }

  /** The name of the node that makes a symbolic tensor: its input's name, or its layer's. */
  static sourceName(t: SymbolicTensor): string {
    return t.source.kind === 'input' ? t.name : (t.source.layer!.name as string);
  }

  /**
   * The graph as plain data, for summary() and tg.plot.modelGraph: the inputs, then each layer once (a layer
   * applied twice lists both calls' inbound nodes), with shapes without the batch dim.
   */
  describe(): LayerGraph {
    const nodes: LayerGraphNode[] = this.inputs.map((t) => ({
      name: t.name, className: 'InputLayer', outputShape: [...t.rowShape], outputShapes: [[...t.rowShape]], inbound: [], inboundRefs: [], isInput: true,
    }));
    for (const c of this.callables) {
      const calls = this.calls.filter((k) => k.callable === c);
      const inboundRefs = calls.flatMap((k) => k.inputs.map((t) => this.inboundRef(t)));
      nodes.push({
        name: c.name as string, className: c.className, outputShape: [...calls[0].outputs[0].rowShape],
        outputShapes: calls[0].outputs.map((t) => [...t.rowShape]),
        inbound: inboundRefs.map((r) => r.name), inboundRefs, isInput: false,
      });
    }
    return { nodes, outputs: this.outputs.map(Graph.sourceName) };
  }

  /** Keras' reference to a tensor: its layer's name, which call of that layer made it, and its index there. */
  inboundRef(t: SymbolicTensor): InboundRef {
    if (t.source.kind === 'input') return { name: t.name, nodeIndex: 0, tensorIndex: 0 };
    const layer = t.source.layer;
    const nodeIndex = this.calls.filter((k) => k.callable === layer).findIndex((k) => k.outputs.includes(t));
    return { name: Graph.sourceName(t), nodeIndex, tensorIndex: t.outputIndex };
  }
}
