// Saving and loading Keras-style models: model.json (architecture, compile settings) beside model.safetensors
// (weights named by stateDict key). Bytes work everywhere; files go through node-fs.ts, imported only in Node.

import { Tensor } from '../autograd/tensor.js';
import { buildFromPlan, CONFIG_FILE, DEFAULT_LOAD_LIMITS, type ExpectedTensor, type LoadLimits, modelConfig, parseJson, planModel, WEIGHTS_FILE } from '../keras/config.js';
import { ModelLoadError } from '../keras/errors.js';
import type { Model } from '../keras/model.js';
import { NDArray } from '../tensor/ndarray.js';
import { fmtShape } from '../tensor/shape.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsEntry } from './safetensors.js';

export { ModelLoadError, type ModelLoadErrorCode } from '../keras/errors.js';

/**
 * A saved model as bytes: `config` is the text of model.json, `weights` the bytes of model.safetensors.
 * Both are needed to load; they are exactly what save(dir) writes to the two files.
 */
export interface ModelBytes {
  /** The model.json text: architecture and compile settings. */
  config: string;
  /** The weights in safetensors format. */
  weights: Uint8Array;
}

/** Size limits for loading an untrusted model; each is optional (defaults: 1 MiB of config, 256 layers, 2^20 units, 2^26 parameters). */
export type LoadOptions = Partial<LoadLimits>;

const MAX_WEIGHTS_HEADER = 1 << 20;

function fail(code: ConstructorParameters<typeof ModelLoadError>[0], message: string): never {
  throw new ModelLoadError(code, message);
}

function limitsOf(options: LoadOptions): LoadLimits {
  const out = { ...DEFAULT_LOAD_LIMITS };
  for (const key of Object.keys(DEFAULT_LOAD_LIMITS) as (keyof LoadLimits)[]) {
    const v = options[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) fail('BAD_INPUT', `loadModel: option ${key} must be a non-negative integer, got ${String(v)}`);
    out[key] = v;
  }
  return out;
}

/** The weights of a model as safetensors bytes (tensor names are the stateDict keys). */
function encodeWeights(model: Model): Uint8Array {
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, p] of model.namedParameters()) {
    const data = p.value.contiguous().values().slice() as Float32Array | Float64Array; // parameters are floating
    entries.set(name, { dtype: p.dtype === 'float64' ? 'F64' : 'F32', shape: [...p.shape], data });
  }
  return encodeSafetensors(entries);
}

/** Serializes a built model: { config: model.json text, weights: safetensors bytes }. */
export function modelToBytes(model: Model): ModelBytes {
  if (!model.built) fail('BAD_INPUT', 'save: the model is not built yet; give the first layer an inputShape or call fit/predict once');
  return { config: JSON.stringify(modelConfig(model), null, 2), weights: encodeWeights(model) };
}

/** Decodes safetensors bytes and checks them against the expected tensors; returns tensors ready to load. */
function checkedWeights(bytes: Uint8Array, expected: Map<string, ExpectedTensor>, where: string): Map<string, Tensor> {
  if (!(bytes instanceof Uint8Array)) fail('BAD_INPUT', `${where}: weights must be a Uint8Array`);
  let dataBytes = 0;
  let maxElements = 1;
  for (const e of expected.values()) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    dataBytes += n * (e.dtype === 'F64' ? 8 : 4);
    maxElements = Math.max(maxElements, n);
  }
  const cap = 8 + MAX_WEIGHTS_HEADER + dataBytes;
  if (bytes.length > cap) fail('TOO_LARGE', `${where}: the weights file has ${bytes.length} bytes, more than the ${cap} the architecture can need`);
  // SafetensorsError passes through: it already says what is wrong with the file
  const { tensors } = decodeSafetensors(bytes, { maxHeaderBytes: MAX_WEIGHTS_HEADER, maxTensors: expected.size + 64, maxElements: Math.max(maxElements, 1 << 16) });
  for (const name of tensors.keys()) {
    if (!expected.has(name)) fail('UNEXPECTED_TENSOR', `${where}: the weights file has a tensor ${JSON.stringify(name.slice(0, 64))} that the architecture does not use`);
  }
  const out = new Map<string, Tensor>();
  for (const [name, e] of expected) {
    const t = tensors.get(name);
    if (!t) fail('MISSING_TENSOR', `${where}: ${e.label} (tensor ${JSON.stringify(name)}) is missing from the weights file`);
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      fail('SHAPE_MISMATCH', `${where}: ${e.label} has shape ${fmtShape(t.shape)} in the file but the architecture expects ${fmtShape(e.shape)}`);
    }
    if (t.dtype !== e.dtype) fail('DTYPE_MISMATCH', `${where}: ${e.label} is ${t.dtype} in the file but the architecture expects ${e.dtype}`);
    out.set(name, new Tensor(new NDArray(t.data, t.shape)));
  }
  return out;
}

function configText(config: unknown, limits: LoadLimits): string {
  if (typeof config === 'string') {
    // a UTF-16 code unit is at least one UTF-8 byte, so this bound needs no encoding
    if (config.length > limits.maxConfigBytes) fail('TOO_LARGE', `loadModel: the config is over ${limits.maxConfigBytes} bytes`);
    return config;
  }
  if (!(config instanceof Uint8Array)) fail('BAD_INPUT', 'loadModel: config must be a string or a Uint8Array');
  if (config.length > limits.maxConfigBytes) fail('TOO_LARGE', `loadModel: the config has ${config.length} bytes, the limit is ${limits.maxConfigBytes}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(config);
  } catch {
    return fail('BAD_JSON', 'loadModel: the config is not valid UTF-8');
  }
}

/**
 * Rebuilds a model from toBytes() output (or the two files' bytes). Trusts nothing: every field, name,
 * size and tensor shape is checked, and nothing large is allocated before the architecture passes.
 */
export function fromBytes(bytes: ModelBytes | { config: string | Uint8Array; weights: Uint8Array }, options: LoadOptions = {}): Model {
  if (typeof bytes !== 'object' || bytes === null) fail('BAD_INPUT', 'fromBytes: expected { config, weights } as returned by model.toBytes()');
  const limits = limitsOf(options);
  const plan = planModel(parseJson(configText(bytes.config, limits)), limits);
  if (plan.config.modelType === 'module') buildFromPlan(plan); // throws UNSUPPORTED_MODEL with the way out
  const weights = checkedWeights(bytes.weights, plan.expected, 'loadModel');
  const model = buildFromPlan(plan);
  model.loadStateDict(weights);
  return model;
}

/** Loads weights (safetensors bytes, e.g. toBytes().weights) into an existing model; names, shapes and dtypes must match. */
export function loadWeightsInto(model: Model, weights: Uint8Array): void {
  const expected = new Map<string, ExpectedTensor>();
  for (const [name, p] of model.namedParameters()) {
    expected.set(name, { shape: [...p.shape], dtype: p.dtype === 'float64' ? 'F64' : 'F32', label: `parameter ${name}` });
  }
  model.loadStateDict(checkedWeights(weights, expected, 'loadWeights'));
}

const isNode = (): boolean => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

async function nodeFs(what: string): Promise<typeof import('./node-fs.js')> {
  if (!isNode()) fail('NOT_NODE', `${what} needs Node's file system; in a browser use model.toBytes() and tg.fromBytes()`);
  return import('./node-fs.js');
}

/** Writes dir/model.json and dir/model.safetensors (creating dir); refuses to write through symlinks. */
export async function saveModel(model: Model, dir: string): Promise<void> {
  const { config, weights } = modelToBytes(model);
  const io = await nodeFs('save');
  await io.writeModelFiles(dir, [[CONFIG_FILE, new TextEncoder().encode(config)], [WEIGHTS_FILE, weights]]);
}

/** Reads a model saved with model.save(dir). Only dir/model.json and dir/model.safetensors are read. */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<Model> {
  const limits = limitsOf(options);
  const io = await nodeFs('loadModel');
  const config = await io.readModelFile(dir, CONFIG_FILE, limits.maxConfigBytes);
  const plan = planModel(parseJson(configText(config, limits)), limits);
  if (plan.config.modelType === 'module') buildFromPlan(plan);
  let dataBytes = 0;
  for (const e of plan.expected.values()) dataBytes += e.shape.reduce((a, b) => a * b, 1) * (e.dtype === 'F64' ? 8 : 4);
  const weights = await io.readModelFile(dir, WEIGHTS_FILE, 8 + MAX_WEIGHTS_HEADER + dataBytes);
  const tensors = checkedWeights(weights, plan.expected, 'loadModel');
  const model = buildFromPlan(plan);
  model.loadStateDict(tensors);
  return model;
}
