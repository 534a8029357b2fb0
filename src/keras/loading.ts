// Loading a Keras-style model: tg.fromBytes (anywhere) and tg.loadModel(dir) (Node). Trusts nothing: the
// config is planned first (config.ts: every field, name and size checked), then the weights are read against it.

import { maxFileBytes, nodeFs } from '../io/state-dict.js';
import { CONFIG_FILE, DEFAULT_LOAD_LIMITS, type LoadLimits, type ModelPlan, parseJson, planModel, WEIGHTS_FILE } from './config.js';
import { ModelLoadError, type ModelLoadErrorCode } from './errors.js';
import { buildFunctional, type NestedPlan, type SavedOutputCompile } from './functional-config.js';
import { readModelWeights } from './legacy-weights.js';
import { type AnyModel, type Model, model as functionalModel, sequential } from './model.js';
import type { ModelBytes } from './saving.js';
import { checkOptions } from '../tensor/validate.js';

/** Size limits for loading an untrusted model; each is optional (defaults: 1 MiB of config, 256 layers, 2^20 units, 2^26 parameters). */
export type LoadOptions = Partial<LoadLimits>;

function fail(code: ModelLoadErrorCode, message: string): never {
  throw new ModelLoadError(code, message);
}

function limitsOf(options: LoadOptions): LoadLimits {
  try {
    checkOptions('loadModel', options, Object.keys(DEFAULT_LOAD_LIMITS));
  } catch (e) {
    fail('BAD_INPUT', (e as Error).message);
  }
  const out = { ...DEFAULT_LOAD_LIMITS };
  for (const key of Object.keys(DEFAULT_LOAD_LIMITS) as (keyof LoadLimits)[]) {
    const v = options[key];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v < 0) fail('BAD_INPUT', `loadModel: option ${key} must be a non-negative integer, got ${String(v)}`);
    out[key] = v;
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

/** The plan of a config, refusing a wrapped Module's weights-only file with the way out. */
function planOf(config: unknown, limits: LoadLimits): ModelPlan {
  const plan = planModel(parseJson(configText(config, limits)), limits);
  if (plan.config.modelType === 'module') {
    fail('UNSUPPORTED_MODEL', "loadModel: the file holds the weights of a wrapped Module (modelType 'module'), whose architecture is code: "
      + 'build the module, wrap it with tg.model(module), and call model.loadWeights(weights)');
  }
  return plan;
}

/** A model used as a layer, built from its plan (its weights come with the outer model's). */
function buildNested(plan: NestedPlan): AnyModel {
  return plan.functional
    ? buildFunctional(plan.functional, plan.name, functionalModel, buildNested)
    : sequential(plan.layers, { name: plan.name, inputShape: plan.inputShapes[0] }) as AnyModel;
}

/** The model a plan describes, its layers built (weights allocated) and compiled as saved, with `weights` loaded. */
function buildFromPlan(plan: ModelPlan, weights: Uint8Array): Model {
  const tensors = readModelWeights(weights, 'loadModel', plan.expected);
  const { config } = plan;
  let model: Model;
  try {
    // the plan checked every field; sequential() still refuses, say, two layers with one name
    model = plan.functional
      ? buildFunctional(plan.functional, config.name, functionalModel, buildNested) as Model
      : sequential(plan.layers, { name: config.name, ...(config.inputShape ? { inputShape: config.inputShape } : {}) });
    if (config.compile) {
      const { optimizer, loss, metrics, outputs } = config.compile;
      if (outputs) {
        const by = <T>(f: (o: SavedOutputCompile) => T) => Object.fromEntries(outputs.map((o) => [o.name, f(o)])) as Record<string, T>;
        model.compile({ optimizer: optimizer!, loss: by((o) => o.loss), lossWeights: by((o) => o.weight), metrics: by((o) => o.metrics) });
      } else {
        model.compile({ optimizer: optimizer!, loss: loss!, metrics });
      }
    }
  } catch (e) {
    return fail('BAD_VALUE', `loadModel: ${e instanceof Error ? e.message : String(e)}`);
  }
  model.loadStateDict(tensors);
  return model;
}

/**
 * Rebuilds a model from toBytes() output (or the two files' bytes). Trusts nothing: every field, name,
 * size and tensor shape is checked, and nothing large is allocated before the architecture passes.
 */
export function fromBytes(bytes: ModelBytes | { config: string | Uint8Array; weights: Uint8Array }, options: LoadOptions = {}): Model {
  if (typeof bytes !== 'object' || bytes === null) fail('BAD_INPUT', 'fromBytes: expected { config, weights } as returned by model.toBytes()');
  const limits = limitsOf(options);
  return buildFromPlan(planOf(bytes.config, limits), bytes.weights);
}

/** Reads a model saved with model.save(dir). Only dir/model.json and dir/model.safetensors are read. */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<Model> {
  const limits = limitsOf(options);
  const io = await nodeFs('loadModel', 'in a browser use model.toBytes() and tg.fromBytes()');
  const config = await io.readFileChecked(dir, CONFIG_FILE, limits.maxConfigBytes, 'loadModel');
  const plan = planOf(config, limits);
  const weights = await io.readFileChecked(dir, WEIGHTS_FILE, maxFileBytes(plan.expected), 'loadModel');
  return buildFromPlan(plan, weights);
}
