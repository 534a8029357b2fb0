// Saving and loading functional models: the graph (inputs, each layer call with what it takes, outputs)
// beside the layer configs in model.json. A model used as a layer (a Sequential or Functional model) is saved
// in the layer list with its own config, as Keras does. Loading trusts nothing: every reference must name an
// input or an earlier call (a later one means a cycle), names are unique, layers are registered, nested
// models are planned the same way (config.ts), and shapes and parameter counts are planned before any
// weight is allocated.

import type { ExpectedTensor } from '../io/state-dict.js';
import type { DType } from '../tensor/dtype.js';
import { input } from './functional.js';
import { Layer } from './layer.js';
import type { LossConfig } from './losses.js';
import { Merge } from './merge.js';
import type { AnyModel } from './model.js';
import { applySymbolicAll, type SymbolicTensor } from './symbolic.js';
import { layerClass, layerFromConfig, LAYERS, type LayerName } from './registry.js';
import { checkName, checkShapeArg, ConfigError, show } from './schema.js';
import { snakeCase } from './names.js';

/**
 * A reference to a tensor: an input by name, a call's (first) output by the call's index in `calls`, or
 * [call index, output index] for another output of a call that makes several (an LSTM's states: [3, 1]).
 */
export type NodeRef = string | number | [number, number];

/** The graph part of a functional model's model.json. */
export interface GraphConfig {
  inputs: { name: string; shape: number[]; dtype: DType }[];
  /** Each call of a layer (by name) on its inputs, in execution order. */
  calls: { layer: string; inputs: NodeRef[] }[];
  outputs: NodeRef[];
  /** The output names when outputs were given as a record, else null. */
  outputKeys: string[] | null;
  /** Whether outputs was one tensor (predict returns a tensor, not a list). */
  single: boolean;
}

/** Per-output compile settings as saved. */
export interface SavedOutputCompile {
  name: string;
  loss: LossConfig;
  weight: number;
  metrics: string[];
}

/** The graph config of a functional model; its layers (and nested models) are referred to by name. */
export function graphConfig(model: AnyModel): GraphConfig {
  const graph = model.graph!;
  const ref = (t: SymbolicTensor): NodeRef => {
    if (t.source.kind === 'input') return t.name;
    const call = graph.calls.findIndex((c) => c.outputs.includes(t));
    return t.outputIndex === 0 ? call : [call, t.outputIndex];
  };
  const form = model.outputForm;
  return {
    inputs: graph.inputs.map((t) => ({ name: t.name, shape: [...t.rowShape], dtype: t.dtype })),
    calls: graph.calls.map((c) => ({ layer: c.callable.name as string, inputs: c.inputs.map(ref) })),
    outputs: graph.outputs.map(ref),
    outputKeys: form === 'record' ? model.outputNames : null,
    single: form === 'single',
  };
}

type Obj = Record<string, unknown>;
type Fail = (code: 'BAD_VALUE' | 'BAD_LAYER' | 'TOO_LARGE' | 'MISSING_FIELD' | 'UNKNOWN_FIELD', message: string) => never;

/** The classNames under which a model used as a layer is saved in a functional model's layer list. */
export const NESTED_CLASSES = ['Sequential', 'Functional'] as const;
/** 'Sequential' or 'Functional'. */
export type NestedClass = (typeof NESTED_CLASSES)[number];

/** A model used as a layer, planned from its saved config (config.ts) but not built: no weights yet. */
export interface NestedPlan {
  className: NestedClass;
  name: string;
  /** Each input's row shape, and each output's (without the batch dim): one each for a sequential model. */
  inputShapes: number[][];
  outputShapes: number[][];
  /** The tensors its weights need, keyed inside the nested model ('0.kernel', 'dense.kernel'). */
  expected: Map<string, ExpectedTensor>;
  totalParams: number;
  /** A nested sequential model's layers (empty for a functional one). */
  layers: Layer[];
  /** A nested functional model's plan (null for a sequential one). */
  functional: FunctionalPlan | null;
}

/** Plans the config of a model used as a layer (config.ts passes it in, so this file does not import it back). */
export type PlanNested = (className: NestedClass, config: unknown, where: string) => NestedPlan;

/** What planning a functional model yields: its layers and nested models (not built), the graph, and the tensors the weights file must hold. */
export interface FunctionalPlan {
  layers: Map<string, Layer | NestedPlan>;
  graph: GraphConfig;
  expected: Map<string, ExpectedTensor>;
  totalParams: number;
  /** The shape of each output (without the batch dim). */
  outputShapes: number[][];
}

/** Checks the graph and layers of a functional model.json, planning shapes and weights without allocating. */
export function planFunctional(rawLayers: unknown[], rawGraph: unknown, limits: { maxLayers: number; maxParams: number; maxUnits: number }, maxDim: number, fail: Fail, planNested: PlanNested): FunctionalPlan {
  const obj = (v: unknown, where: string): Obj => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('BAD_VALUE', `${where} must be an object, got ${show(v)}`);
    return v as Obj;
  };
  const checked = <T>(fn: () => T): T => {
    try { return fn(); } catch (e) {
      if (e instanceof ConfigError) return fail(e.code === 'BAD_VALUE' || e.code === 'TOO_LARGE' || e.code === 'MISSING_FIELD' || e.code === 'UNKNOWN_FIELD' ? e.code : 'BAD_VALUE', e.message);
      if (e instanceof Error && 'code' in e) throw e;
      return fail('BAD_VALUE', e instanceof Error ? e.message : String(e));
    }
  };
  const exactFields = (o: Obj, where: string, names: string[]) => {
    for (const k of Object.keys(o)) if (!names.includes(k)) fail('UNKNOWN_FIELD', `${where} has an unknown field ${show(k)}`);
    for (const k of names) if (!Object.hasOwn(o, k)) fail('MISSING_FIELD', `${where} has no ${k}`);
  };
  const g = obj(rawGraph, 'graph');
  exactFields(g, 'graph', ['inputs', 'calls', 'outputs', 'outputKeys', 'single']);
  if (!Array.isArray(g.inputs) || g.inputs.length === 0 || g.inputs.length > 64) fail('BAD_VALUE', 'graph.inputs must be an array of 1 to 64 inputs');
  if (!Array.isArray(g.calls) || g.calls.length === 0 || g.calls.length > 4 * limits.maxLayers) fail('BAD_VALUE', `graph.calls must be an array of 1 to ${4 * limits.maxLayers} calls`);
  if (!Array.isArray(g.outputs) || g.outputs.length === 0 || g.outputs.length > 64) fail('BAD_VALUE', 'graph.outputs must be an array of 1 to 64 references');
  if (typeof g.single !== 'boolean') fail('BAD_VALUE', 'graph.single must be true or false');

  // layers: registered classes, every field checked by the layer's schema, unique names
  const names = new Set<string>();
  const layers = new Map<string, Layer | NestedPlan>();
  rawLayers.forEach((raw, i) => {
    const e = obj(raw, `layer ${i}`);
    exactFields(e, `layer ${i}`, ['className', 'config']);
    if ((NESTED_CLASSES as readonly unknown[]).includes(e.className)) {
      // a model used as a layer: its own config, planned (and checked) like a top-level one
      const sub = planNested(e.className as NestedClass, e.config, `layer ${i} (${e.className as string})`);
      if (names.has(sub.name)) fail('BAD_VALUE', `two layers are named ${JSON.stringify(sub.name)}; names must be unique`);
      names.add(sub.name);
      layers.set(sub.name, sub);
      return;
    }
    if (!layerClass(e.className)) fail('BAD_LAYER', `layer ${i} has class ${show(e.className)}, not one of ${[...Object.keys(LAYERS), ...NESTED_CLASSES].join(', ')}`);
    const cls = e.className as LayerName;
    const cfg = obj(e.config, `layer ${i} config`);
    const layer = checked(() => layerFromConfig(cls, cfg, { limits: { maxUnits: limits.maxUnits, maxDim }, source: 'file', where: `layer ${i} (${snakeCase(cls)})` }));
    if (layer.name === null) fail('MISSING_FIELD', `layer ${i} (${cls}) has no name; a functional model's calls refer to layers by name`);
    if (names.has(layer.name!)) fail('BAD_VALUE', `two layers are named ${JSON.stringify(layer.name)}; names must be unique`);
    names.add(layer.name!);
    layers.set(layer.name!, layer);
  });

  const inputs = (g.inputs as unknown[]).map((raw, i) => {
    const e = obj(raw, `graph.inputs[${i}]`);
    exactFields(e, `graph.inputs[${i}]`, ['name', 'shape', 'dtype']);
    const name = checked(() => checkName(e.name, `graph.inputs[${i}]`));
    if (names.has(name)) fail('BAD_VALUE', `input ${JSON.stringify(name)} has the name of another input or layer; names must be unique`);
    names.add(name);
    if (e.dtype !== 'float32' && e.dtype !== 'float64') fail('BAD_VALUE', `graph.inputs[${i}].dtype must be 'float32' or 'float64', got ${show(e.dtype)}`);
    return { name, shape: checked(() => checkShapeArg(e.shape, `graph.inputs[${i}]`, { maxUnits: limits.maxUnits, maxDim })), dtype: e.dtype as DType };
  });

  // every reference names an input or an earlier call; a later (or its own) call would be a cycle
  const shapes: number[][][] = []; // per call, each output's shape
  const inputShape = new Map(inputs.map((x) => [x.name, x.shape]));
  const shapeOf = (ref: unknown, where: string, before: number): number[] => {
    if (typeof ref === 'string') {
      const s = inputShape.get(ref);
      if (!s) fail('BAD_VALUE', `${where} refers to ${JSON.stringify(ref)}, which is not an input (a dangling reference); the inputs are ${inputs.map((x) => x.name).join(', ')}`);
      return s!;
    }
    const pair = Array.isArray(ref);
    if (pair && (ref.length !== 2 || !Number.isSafeInteger(ref[1]) || (ref[1] as number) < 0)) fail('BAD_VALUE', `${where} refers to ${show(ref)}; a reference to a call's output is [call index, output index]`);
    const call: unknown = pair ? ref[0] : ref;
    const k = pair ? (ref[1] as number) : 0;
    if (!Number.isSafeInteger(call) || (call as number) < 0 || (call as number) >= (g.calls as unknown[]).length) fail('BAD_VALUE', `${where} refers to ${show(ref)}, which is neither an input name nor a call index (a dangling reference)`);
    if ((call as number) >= before) fail('BAD_VALUE', `${where} takes the output of call ${call as number}, which does not come before it: the graph has a cycle`);
    const outs = shapes[call as number];
    if (k >= outs.length) fail('BAD_VALUE', `${where} refers to output ${k} of call ${call as number}, which makes ${outs.length} output${outs.length === 1 ? '' : 's'}`);
    return outs[k];
  };
  const used = new Set<string>();
  let total = 0;
  const expected = new Map<string, ExpectedTensor>();
  const builtFor = new Map<string, string>();
  const calls = (g.calls as unknown[]).map((raw, i) => {
    const e = obj(raw, `graph.calls[${i}]`);
    exactFields(e, `graph.calls[${i}]`, ['layer', 'inputs']);
    const layer = typeof e.layer === 'string' ? layers.get(e.layer) : undefined;
    if (!layer) fail('BAD_VALUE', `graph.calls[${i}] calls ${show(e.layer)}, which is not a layer of this model (a dangling reference)`);
    if (!Array.isArray(e.inputs) || e.inputs.length === 0 || e.inputs.length > 64) fail('BAD_VALUE', `graph.calls[${i}].inputs must be an array of 1 to 64 references`);
    const inShapes = (e.inputs as unknown[]).map((r, k) => shapeOf(r, `graph.calls[${i}].inputs[${k}]`, i));
    const where = `graph.calls[${i}] (${layer!.name})`;
    let out: number[][];
    if (layer instanceof Merge) {
      out = [checked(() => layer.buildFor(inShapes))]; // merge layers have no weights
    } else if (!(layer instanceof Layer)) {
      // a nested model: one input per model input, each of the shape it was saved with; its weights are listed once, under its name
      const sub = layer!;
      if (inShapes.length !== sub.inputShapes.length) fail('BAD_VALUE', `${where} takes ${inShapes.length} input${inShapes.length === 1 ? '' : 's'}; the model ${JSON.stringify(sub.name)} takes ${sub.inputShapes.length}`);
      inShapes.forEach((s, k) => {
        const want = sub.inputShapes[k];
        if (s.join() !== want.join()) fail('BAD_VALUE', `${where}: the model ${JSON.stringify(sub.name)} takes input ${k} of shape [null,${want.join(',')}], but this call gives it [null,${s.join(',')}]`);
      });
      if (!builtFor.has(sub.name)) {
        builtFor.set(sub.name, inShapes.map((s) => s.join(',')).join(' '));
        total += sub.totalParams;
        if (total > limits.maxParams) fail('TOO_LARGE', `the model would have over ${limits.maxParams} parameters (at ${where})`);
        for (const [k, w] of sub.expected) expected.set(`${sub.name}.${k}`, { ...w, label: `${where} ${w.label}` });
      }
      out = sub.outputShapes.map((o) => [...o]);
    } else {
      const [lo, hi] = [layer!.minInputs, layer!.maxInputs];
      if (inShapes.length < lo || inShapes.length > hi) fail('BAD_VALUE', `${where} takes ${inShapes.length} inputs; ${layer!.className} takes ${lo === hi ? lo : `${lo} to ${hi}`}`);
      const key = inShapes.map((s) => `[${s.join(',')}]`).join(' ');
      if (builtFor.has(layer!.name!) && builtFor.get(layer!.name!) !== key) fail('BAD_VALUE', `${where}: a shared layer is called on inputs of shapes ${builtFor.get(layer!.name!)} and ${key}`);
      if (!builtFor.has(layer!.name!)) {
        builtFor.set(layer!.name!, key);
        for (const w of checked(() => layer!.weightSpecsFor(inShapes))) {
          total += w.shape.reduce((a, b) => a * b, 1);
          if (total > limits.maxParams) fail('TOO_LARGE', `the model would have over ${limits.maxParams} parameters (at ${where})`);
          expected.set(`${layer!.name}.${w.name}`, { shape: w.shape, dtype: w.dtype === 'float64' ? 'F64' : 'F32', label: `${where} ${w.name}` });
        }
      }
      out = checked(() => layer!.outputShapesFor(inShapes));
    }
    for (const o of out) {
      const rowSize = o.reduce((a, b) => a * b, 1);
      if (rowSize > maxDim) fail('TOO_LARGE', `${where} would produce rows of ${rowSize} values, the limit is ${maxDim}`);
    }
    shapes.push(out);
    used.add(layer!.name!);
    return { layer: layer!.name!, inputs: e.inputs as NodeRef[] };
  });
  for (const name of layers.keys()) if (!used.has(name)) fail('BAD_VALUE', `layer ${JSON.stringify(name)} is never called in graph.calls`);
  const outputShapes: number[][] = [];
  const outputs = (g.outputs as unknown[]).map((r, k) => { outputShapes.push(shapeOf(r, `graph.outputs[${k}]`, calls.length)); return r as NodeRef; });
  let outputKeys: string[] | null = null;
  if (g.outputKeys !== null) {
    if (!Array.isArray(g.outputKeys) || g.outputKeys.length !== outputs.length) fail('BAD_VALUE', 'graph.outputKeys must be null or one name per output');
    outputKeys = (g.outputKeys as unknown[]).map((k, i) => checked(() => checkName(k, `graph.outputKeys[${i}]`)));
    if (new Set(outputKeys).size !== outputKeys.length) fail('BAD_VALUE', 'graph.outputKeys has a duplicate name');
  }
  if (g.single && outputs.length !== 1) fail('BAD_VALUE', 'graph.single is true but there are several outputs');
  return { layers, graph: { inputs, calls, outputs, outputKeys, single: g.single as boolean }, expected, totalParams: total, outputShapes };
}

/**
 * Rebuilds a planned functional model: applies its layers to fresh inputs in call order (allocating the
 * weights). `buildNested` makes each nested model once (loading.ts, which can import the model factories).
 */
export function buildFunctional(plan: FunctionalPlan, name: string, model: typeof import('./model.js').model, buildNested: (p: NestedPlan) => AnyModel): AnyModel {
  const ins = plan.graph.inputs.map((x) => input({ shape: x.shape, name: x.name, dtype: x.dtype }));
  const byName = new Map(ins.map((t) => [t.name, t]));
  const callables = new Map([...plan.layers].map(([k, l]) => [k, l instanceof Layer ? l : buildNested(l)] as const));
  const outs: SymbolicTensor[][] = [];
  const node = (r: NodeRef): SymbolicTensor => (typeof r === 'string' ? byName.get(r)! : Array.isArray(r) ? outs[r[0]][r[1]] : outs[r][0]);
  for (const c of plan.graph.calls) {
    const layer = callables.get(c.layer)!;
    outs.push(applySymbolicAll(layer, c.inputs.map(node))); // a recurrent layer's initial states are its extra inputs
  }
  const outputs = plan.graph.outputs.map(node);
  const spec = plan.graph.single ? outputs[0]
    : plan.graph.outputKeys ? Object.fromEntries(plan.graph.outputKeys.map((k, i) => [k, outputs[i]])) : outputs;
  return model({ inputs: ins, outputs: spec, name }) as AnyModel;
}
