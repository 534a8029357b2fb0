// ModelLoadError: every problem found while reading a saved model (config, weights or files) is one of these,
// with a code to branch on; safetensors-level problems are its subclass SafetensorsError.

import { LoadError } from '../tensor/errors.js';
import type { SafetensorsErrorCode } from './safetensors.js';


/** What went wrong while loading a model: the `code` of a {@link ModelLoadError}. */
export type ModelLoadErrorCode =
  | 'BAD_INPUT' // not bytes / not a string / wrong argument types
  | 'TOO_LARGE' // a size cap (config bytes, layers, units, parameters, file size) was exceeded
  | 'BAD_JSON' // not UTF-8, not JSON, too deeply nested
  | 'BAD_KEY' // __proto__, constructor or prototype as a key
  | 'UNKNOWN_FIELD' // a field the format does not have
  | 'MISSING_FIELD'
  | 'BAD_FORMAT' // not a tapegrad model file, or an unsupported version
  | 'BAD_LAYER' // a layer class not in the allowlist
  | 'BAD_VALUE' // a field with a wrong type or out of range, or an unknown name
  | 'UNSUPPORTED_MODEL' // a wrapped Module's weights: the architecture is code, not config
  | 'MISSING_TENSOR'
  | 'UNEXPECTED_TENSOR'
  | 'SHAPE_MISMATCH'
  | 'DTYPE_MISMATCH'
  | 'BAD_PATH' // a path that is not a directory, a symlink, or something escaping the model directory
  | 'NOT_FOUND'
  | 'IO_ERROR'
  | 'NOT_NODE'; // save(dir) / loadModel(dir) outside Node

/**
 * The error `tg.loadModel` and `tg.fromBytes` throw for anything wrong with a saved model (config, weights or files).
 * A malformed weights file arrives as its subclass `SafetensorsError`, so one `instanceof ModelLoadError` catches both.
 * Branch on its `code` rather than on the message.
 * @property code What went wrong, e.g. 'BAD_JSON', 'SHAPE_MISMATCH' or 'NOT_FOUND'.
 * @example
 * ```ts
 * try { await tg.loadModel('models/xor'); }
 * catch (e) { if (e instanceof tg.ModelLoadError && e.code === 'NOT_FOUND') console.log('no saved model yet'); }
 * ```
 */
export class ModelLoadError<C extends string = ModelLoadErrorCode | SafetensorsErrorCode> extends LoadError<C> {
  /** The error's name, 'ModelLoadError' (or a subclass's name such as 'SafetensorsError'). */
  override readonly name: string = 'ModelLoadError';
}
