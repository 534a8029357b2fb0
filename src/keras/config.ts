// The saved architecture (model.json): written from a Model, and read back from untrusted text. Reading
// caps sizes, uses null-prototype objects, allows only registered layer classes (registry.ts), checks every
// layer field with the layer's own schema, and plans shapes and weights before anything is allocated.
// A model used as a layer inside a functional model is saved in its layer list with its own config
// ({ className: 'Sequential' | 'Functional', config: { name, inputShape | graph, layers } }) and planned here
// by the same code as a top-level model, to a bounded depth.

import type { ExpectedTensor } from '../io/state-dict.js';
import { ModelLoadError } from './errors.js';
import { Layer } from './layer.js';
import { resolveLoss, type LossConfig } from './losses.js';
import { METRICS } from './metrics.js';
import { type FunctionalPlan, type GraphConfig, graphConfig, type NestedClass, type NestedPlan, planFunctional, type SavedOutputCompile } from './functional-config.js';
import type { AnyModel } from './model.js';
import { optimizerConfig, type OptimizerConfig } from './optimizers.js';
import { LAYERS, layerClass, layerFromConfig, type LayerName } from './registry.js';
import { checkName, checkShapeArg, ConfigError, show } from './schema.js';
import { snakeCase } from './names.js';

export const FORMAT = 'tapegrad-model';
export const FORMAT_VERSION = 1;
export const CONFIG_FILE = 'model.json';
export const WEIGHTS_FILE = 'model.safetensors';

export interface LayerEntry {
  className: string;
  config: Record<string, unknown>;
}

export interface ModelConfig {
  format: string;
  formatVersion: number;
  /** 'sequential' (rebuilt from `layers`), 'functional' (rebuilt from `layers` and `graph`) or 'module' (a wrapped Module: weights only). */
  modelType: 'sequential' | 'module' | 'functional';
  name: string;
  inputShape: number[] | null;
  layers: LayerEntry[];
  weightsFile: string;
  compile: { optimizer: OptimizerConfig | null; loss: LossConfig | null; metrics: string[]; outputs?: SavedOutputCompile[] } | null;
  /** A functional model's graph: inputs, each layer call, outputs. */
  graph?: GraphConfig;
}

export interface LoadLimits {
  /** Largest model.json accepted, in bytes (default 1 MiB). */
  maxConfigBytes: number;
  /** Most layers (default 256). */
  maxLayers: number;
  /** Largest `units` (default 2^20). */
  maxUnits: number;
  /** Most parameters in the whole model (default 2^26); checked before anything is allocated. */
  maxParams: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = { maxConfigBytes: 1 << 20, maxLayers: 256, maxUnits: 1 << 20, maxParams: 1 << 26 };
const MAX_DIM = 1 << 24;
const MAX_DEPTH = 32;
/** How deep models may be nested inside functional models (a model in a model in a model is depth 2). */
export const MAX_NESTING = 6;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The architecture and compile settings of a built model, as JSON-ready values. */
export function modelConfig(model: AnyModel): ModelConfig {
  const c = model.compiled;
  const serializable = c && c.optimizerConfig && c.outputs.every((o) => o.lossConfig);
  const compile: ModelConfig['compile'] = serializable
    ? { optimizer: { ...c.optimizerConfig! }, loss: { ...c.lossConfig! }, metrics: [...c.metricNames] }
    : null;
  if (compile && model.graph) compile.outputs = c!.outputs.map((o) => ({ name: o.name, loss: { ...o.lossConfig! }, weight: o.weight, metrics: [...o.metricNames] }));
  const config: ModelConfig = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    modelType: model.graph ? 'functional' : model.module ? 'module' : 'sequential',
    name: model.name,
    inputShape: model.graph ? null : model.inputShape,
    layers: layerEntries(model),
    weightsFile: WEIGHTS_FILE,
    compile,
  };
  if (model.graph) config.graph = graphConfig(model);
  return config;
}

/**
 * The saved layer list: a sequential model's layers, or each layer of a functional model's graph once, a
 * model used as a layer given as its own config (name, layers, and inputShape or graph; no compile settings).
 */
function layerEntries(model: AnyModel): LayerEntry[] {
  if (!model.graph) return model.layers.map((l) => ({ className: l.className, config: l.getConfig() }));
  return model.graph.callables.map((c): LayerEntry => {
    if (c instanceof Layer) return { className: c.className, config: c.getConfig() };
    const sub = c as unknown as AnyModel; // the graph's other callables are models
    if (sub.module) {
      throw new RangeError(`save: ${model.name} uses ${sub.name}, a wrapped nn Module, as a layer; its architecture is code, so it cannot be saved in model.json (save the weights with tg.save(model.stateDict(), path), or build it from tg.layers)`);
    }
    const config: Record<string, unknown> = { name: sub.name };
    if (sub.graph) config.graph = graphConfig(sub);
    else config.inputShape = sub.inputShape;
    config.layers = layerEntries(sub);
    return { className: sub.className, config };
  });
}

type Obj = Record<string, unknown>;
const fail = (code: ConstructorParameters<typeof ModelLoadError>[0], message: string): never => {
  throw new ModelLoadError(code, `loadModel: ${message}`);
};

/** Rejects nesting deeper than MAX_DEPTH before JSON.parse (whose reviver recurses). */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) fail('BAD_JSON', `the config nests deeper than ${MAX_DEPTH} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** JSON.parse into null-prototype objects; __proto__, constructor and prototype keys are errors. */
export function parseJson(text: string): unknown {
  checkDepth(text);
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) fail('BAD_KEY', `the config has a key ${JSON.stringify(key)}, which is not allowed`);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return Object.assign(Object.create(null) as Obj, value);
      return value;
    });
  } catch (e) {
    if (e instanceof ModelLoadError) throw e;
    return fail('BAD_JSON', `the config is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function object(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('BAD_VALUE', `${where} must be an object, got ${show(v)}`);
  return v as Obj;
}

/** Checks that o has every required field and nothing outside required + optional. */
function fields(o: Obj, where: string, required: readonly string[], optional: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k)) fail('UNKNOWN_FIELD', `${where} has an unknown field ${show(k)}`);
  }
  for (const k of required) if (!Object.hasOwn(o, k)) fail('MISSING_FIELD', `${where} has no ${k}`);
}

/** Runs a validator that throws plain errors, turning them into ModelLoadError (a ConfigError keeps its code). */
function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ModelLoadError) throw e;
    if (e instanceof ConfigError) return fail(e.code, e.message);
    return fail('BAD_VALUE', e instanceof Error ? e.message : String(e));
  }
}

export interface ModelPlan {
  config: ModelConfig;
  /** The layers, constructed from the config (every field checked) but not built: no weights yet. */
  layers: Layer[];
  /** The tensors the weights file must hold, by stateDict key. */
  expected: Map<string, ExpectedTensor>;
  totalParams: number;
  /** A functional model's plan (layers by name and the checked graph), else null. */
  functional: FunctionalPlan | null;
}

/** A sequential or functional model's checked layers, graph, shapes and weights (the part nested models share). */
interface BodyPlan {
  inputShape: number[] | null;
  /** The output row shape: a sequential model's last layer's, or a functional model's first output's. */
  outputShape: number[] | null;
  layers: Layer[];
  expected: Map<string, ExpectedTensor>;
  totalParams: number;
  functional: FunctionalPlan | null;
}

/** What planning counts across nested models: layers made so far (the maxLayers limit covers them all). */
interface PlanState {
  layers: number;
}

/**
 * Plans the layers (and graph) of a sequential or functional model: `top` holds its name, inputShape, layers
 * and graph. `depth` is how many models it sits inside.
 */
function planBody(kind: 'sequential' | 'functional', top: Obj, limits: LoadLimits, depth: number, state: PlanState): BodyPlan {
  if ((kind === 'functional') !== Object.hasOwn(top, 'graph')) fail(kind === 'functional' ? 'MISSING_FIELD' : 'UNKNOWN_FIELD', kind === 'functional' ? 'a functional model needs a graph' : 'only a functional model has a graph');
  checked(() => checkName(top.name, 'the config'));
  const limitsForShapes = { maxUnits: limits.maxUnits, maxDim: MAX_DIM };
  const topShape = top.inputShape === null || top.inputShape === undefined ? null : checked(() => checkShapeArg(top.inputShape, 'the config'));
  if (!Array.isArray(top.layers)) fail('BAD_VALUE', `layers must be an array, got ${show(top.layers)}`);
  const layers = top.layers as unknown[];
  state.layers += layers.length;
  if (layers.length > limits.maxLayers || state.layers > limits.maxLayers) fail('TOO_LARGE', `the config has ${state.layers} layers, the limit is ${limits.maxLayers}`);
  if (kind === 'sequential' && layers.length === 0) fail('BAD_VALUE', 'a sequential model needs at least one layer');

  if (kind === 'functional') {
    if (topShape !== null) fail('BAD_VALUE', 'a functional model gives its input shapes in graph.inputs; inputShape must be null');
    const nested = (cls: NestedClass, raw: unknown, where: string) => planNested(cls, raw, where, limits, depth + 1, state);
    const functional = planFunctional(layers, top.graph, limits, MAX_DIM, fail, nested);
    return {
      inputShape: null, outputShape: functional.outputShapes[0], layers: [...functional.layers.values()].filter((l): l is Layer => l instanceof Layer),
      expected: functional.expected, totalParams: functional.totalParams, functional,
    };
  }
  const expected = new Map<string, ExpectedTensor>();
  const built: Layer[] = [];
  let shape = topShape;
  let inputShape = topShape;
  let total = 0;
  layers.forEach((entryRaw, i) => {
    const entry = object(entryRaw, `layer ${i}`);
    fields(entry, `layer ${i}`, ['className', 'config'], []);
    const cls = layerClass(entry.className);
    if (!cls) fail('BAD_LAYER', `layer ${i} has class ${show(entry.className)}, not one of ${Object.keys(LAYERS).join(', ')}`);
    const name = entry.className as LayerName;
    const cfg = object(entry.config, `layer ${i} config`);
    const where = `layer ${i} (${snakeCase(name)})`;
    // the layer's own schema checks every field (and refuses unknown and construction-only ones)
    const layer = checked(() => layerFromConfig(name, cfg, { limits: limitsForShapes, source: 'file', where }));
    if (layer.inputShapeArg) {
      if (i > 0) fail('BAD_VALUE', `${where} has an inputShape; only the first layer may`);
      const s = layer.inputShapeArg;
      if (shape && s.join() !== shape.join()) fail('BAD_VALUE', `${where} inputShape [${s}] differs from the model's [${shape}]`);
      shape = s;
      inputShape = s;
    }
    if (!shape) fail('MISSING_FIELD', 'the config gives no inputShape, so the weight shapes are unknown');
    for (const w of checked(() => layer.weightSpecs(shape!))) {
      total += w.shape.reduce((a, b) => a * b, 1);
      if (total > limits.maxParams) fail('TOO_LARGE', `the model would have over ${limits.maxParams} parameters (at ${where})`);
      expected.set(`${i}.${w.name}`, { shape: w.shape, dtype: w.dtype === 'float64' ? 'F64' : 'F32', label: `${where} ${w.name}` });
    }
    const out = checked(() => layer.computeOutputShape(shape!));
    const rowSize = out.reduce((a, b) => a * b, 1);
    if (rowSize > MAX_DIM) fail('TOO_LARGE', `${where} would produce rows of ${rowSize} values, the limit is ${MAX_DIM}`);
    shape = out;
    built.push(layer);
  });
  if (!shape) fail('MISSING_FIELD', 'the config gives no inputShape');
  return { inputShape, outputShape: shape, layers: built, expected, totalParams: total, functional: null };
}

/**
 * Plans a model saved as a layer of a functional model: `{ name, inputShape, layers }` (Sequential) or
 * `{ name, layers, graph }` (Functional, with any number of inputs and outputs). Its errors say which model they are in.
 */
function planNested(cls: NestedClass, raw: unknown, where: string, limits: LoadLimits, depth: number, state: PlanState): NestedPlan {
  if (depth > MAX_NESTING) fail('TOO_LARGE', `${where}: models are nested more than ${MAX_NESTING} deep`);
  const o = object(raw, `${where} config`);
  fields(o, `${where} config`, cls === 'Sequential' ? ['name', 'inputShape', 'layers'] : ['name', 'layers', 'graph'], []);
  const name = checked(() => checkName(o.name, `${where} config`));
  let body: BodyPlan;
  try {
    body = planBody(cls === 'Sequential' ? 'sequential' : 'functional', o, limits, depth, state);
  } catch (e) {
    // say which nested model the problem is in (the outer model's error names the outer layer list)
    if (e instanceof ModelLoadError && typeof e.message === 'string') throw new ModelLoadError(e.code, e.message.replace(/^loadModel: /, `loadModel: ${where} "${name}": `));
    throw e;
  }
  const fn = body.functional;
  const inputShapes = fn ? fn.graph.inputs.map((x) => x.shape) : [body.inputShape!];
  const outputShapes = fn ? fn.outputShapes : [body.outputShape!];
  return { className: cls, name, inputShapes, outputShapes, expected: body.expected, totalParams: body.totalParams, layers: body.layers, functional: body.functional };
}

/** Validates every field of a parsed config and works out the tensors the weights file must hold, allocating nothing. */
export function planModel(raw: unknown, limits: LoadLimits): ModelPlan {
  const top = object(raw, 'the config');
  fields(top, 'the config', ['format', 'formatVersion', 'modelType', 'name', 'inputShape', 'layers', 'weightsFile'], ['compile', 'graph']);
  if (top.format !== FORMAT) fail('BAD_FORMAT', `format is ${show(top.format)}, expected ${JSON.stringify(FORMAT)}`);
  if (top.formatVersion !== FORMAT_VERSION) fail('BAD_FORMAT', `formatVersion ${show(top.formatVersion)} is not supported (this version reads ${FORMAT_VERSION})`);
  if (top.weightsFile !== WEIGHTS_FILE) fail('BAD_VALUE', `weightsFile must be ${JSON.stringify(WEIGHTS_FILE)}, got ${show(top.weightsFile)}`);
  if (top.modelType !== 'sequential' && top.modelType !== 'module' && top.modelType !== 'functional') fail('BAD_VALUE', `modelType must be 'sequential', 'functional' or 'module', got ${show(top.modelType)}`);
  let body: BodyPlan;
  if (top.modelType === 'module') {
    // a wrapped Module's weights only: no layer list (loading refuses it with the way out)
    if (Object.hasOwn(top, 'graph')) fail('UNKNOWN_FIELD', 'only a functional model has a graph');
    checked(() => checkName(top.name, 'the config'));
    if (!Array.isArray(top.layers)) fail('BAD_VALUE', `layers must be an array, got ${show(top.layers)}`);
    if ((top.layers as unknown[]).length > 0) fail('BAD_VALUE', "a 'module' model has no layer list");
    const shape = top.inputShape === null ? null : checked(() => checkShapeArg(top.inputShape, 'the config'));
    body = { inputShape: shape, outputShape: null, layers: [], expected: new Map(), totalParams: 0, functional: null };
  } else {
    body = planBody(top.modelType as 'sequential' | 'functional', top, limits, 0, { layers: 0 });
  }
  const { functional } = body;
  const layers = top.layers as unknown[];

  let compile: ModelConfig['compile'] = null;
  if (Object.hasOwn(top, 'compile') && top.compile !== null) {
    const c = object(top.compile, 'compile');
    fields(c, 'compile', ['optimizer', 'loss', 'metrics'], functional ? ['outputs'] : []);
    const optimizer = checked(() => optimizerConfig(object(c.optimizer, 'compile.optimizer') as unknown as OptimizerConfig, 'loadModel: compile.optimizer').config);
    const loss = checked(() => resolveLoss(object(c.loss, 'compile.loss') as unknown as LossConfig, 'loadModel: compile.loss').config!);
    if (!Array.isArray(c.metrics) || c.metrics.length > 16) fail('BAD_VALUE', 'compile.metrics must be an array of at most 16 names');
    const metrics = (c.metrics as unknown[]).map((m) => checked(() => METRICS.get(m, 'loadModel: compile.metrics').name));
    compile = { optimizer, loss, metrics };
    if (functional && Object.hasOwn(c, 'outputs')) compile.outputs = savedOutputs(c.outputs, functional);
  }
  const config: ModelConfig = {
    format: FORMAT, formatVersion: FORMAT_VERSION, modelType: top.modelType as ModelConfig['modelType'], name: top.name as string,
    inputShape: body.inputShape,
    layers: layers.map((e) => ({ className: (e as Obj).className as string, config: (e as Obj).config as Obj })),
    weightsFile: WEIGHTS_FILE, compile,
  };
  if (functional) config.graph = functional.graph;
  return { config, layers: body.layers, expected: body.expected, totalParams: body.totalParams, functional };
}

/** Checks a functional model's saved per-output compile settings. */
function savedOutputs(raw: unknown, plan: FunctionalPlan): SavedOutputCompile[] {
  const n = plan.graph.outputs.length;
  if (!Array.isArray(raw) || raw.length !== n) fail('BAD_VALUE', `compile.outputs must list the ${n} outputs`);
  return (raw as unknown[]).map((r, i) => {
    const o = object(r, `compile.outputs[${i}]`);
    fields(o, `compile.outputs[${i}]`, ['name', 'loss', 'weight', 'metrics'], []);
    const name = checked(() => checkName(o.name, `compile.outputs[${i}]`));
    const loss = checked(() => resolveLoss(object(o.loss, `compile.outputs[${i}].loss`) as unknown as LossConfig, `loadModel: compile.outputs[${i}].loss`).config!);
    if (typeof o.weight !== 'number' || !Number.isFinite(o.weight) || o.weight < 0) fail('BAD_VALUE', `compile.outputs[${i}].weight must be a finite number ≥ 0`);
    if (!Array.isArray(o.metrics) || o.metrics.length > 16) fail('BAD_VALUE', `compile.outputs[${i}].metrics must be an array of at most 16 names`);
    const metrics = (o.metrics as unknown[]).map((m) => checked(() => METRICS.get(m, `loadModel: compile.outputs[${i}].metrics`).name));
    return { name, loss, weight: o.weight as number, metrics };
  });
}
