// Saving a Keras-style model: model.json (architecture, compile settings; config.ts) beside model.safetensors
// (weights named by stateDict key). Bytes work everywhere; files go through io/node-fs, only in Node.

import { type ExpectedTensor, nodeFs, safetensorsDType, stateDictToBytes } from '../io/state-dict.js';
import { CONFIG_FILE, modelConfig, WEIGHTS_FILE } from './config.js';
import { ModelLoadError } from './errors.js';
import { readModelWeights } from './legacy-weights.js';
import type { AnyModel } from './model.js';

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

/** Serializes a built model: { config: model.json text, weights: safetensors bytes }. */
export function modelToBytes(model: AnyModel): ModelBytes {
  if (!model.built) throw new ModelLoadError('BAD_INPUT', 'save: the model is not built yet; give the first layer an inputShape or call fit/predict once');
  return { config: JSON.stringify(modelConfig(model), null, 2), weights: stateDictToBytes(model.stateDict()) };
}

/** Writes dir/model.json and dir/model.safetensors (creating dir); refuses to write through symlinks. */
export async function saveModel(model: AnyModel, dir: string): Promise<void> {
  const { config, weights } = modelToBytes(model);
  const io = await nodeFs('save', 'in a browser use model.toBytes() and tg.fromBytes()');
  await io.writeFilesAtomic(dir, [[CONFIG_FILE, new TextEncoder().encode(config)], [WEIGHTS_FILE, weights]], 'save');
}

/** Loads weights (safetensors bytes, e.g. toBytes().weights) into an existing model; names, shapes and dtypes must match. */
export function loadWeightsInto(model: AnyModel, weights: Uint8Array): void {
  const expected = new Map<string, ExpectedTensor>();
  for (const [name, p] of model.namedParameters()) {
    expected.set(name, { shape: [...p.shape], dtype: safetensorsDType(p.dtype), label: `parameter ${name}` });
  }
  model.loadStateDict(readModelWeights(weights, 'loadWeights', expected));
}
