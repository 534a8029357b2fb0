// ModelLoadError: every problem found while reading a saved model (config, weights or files) is one of these,
// with a code to branch on; safetensors-level problems arrive as SafetensorsError instead.

import { LoadError, type LoadErrorCode } from '../io/errors.js';

/** What went wrong while loading a model: the `code` of a {@link ModelLoadError}. */
export type ModelLoadErrorCode = LoadErrorCode;

/**
 * The error `tg.loadModel` and `tg.fromBytes` throw for anything wrong with a saved model (config, weights or files).
 * Branch on its `code` rather than on the message. It is a {@link LoadError}, as `tg.load` throws.
 * @property code What went wrong, e.g. 'BAD_JSON', 'SHAPE_MISMATCH' or 'NOT_FOUND'.
 * @example
 * ```ts
 * try { await tg.loadModel('models/xor'); }
 * catch (e) { if (e instanceof tg.ModelLoadError && e.code === 'NOT_FOUND') console.log('no saved model yet'); }
 * ```
 */
export class ModelLoadError extends LoadError {
  /** The error's name, 'ModelLoadError'. */
  override readonly name: string = 'ModelLoadError';
}

/** Runs fn, re-throwing a plain LoadError (from the file and safetensors-dict helpers) as a ModelLoadError. */
export function asModelError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LoadError && !(e instanceof ModelLoadError)) throw new ModelLoadError(e.code, e.message);
    throw e;
  }
}

/** The async form of {@link asModelError}. */
export async function asModelErrorAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof LoadError && !(e instanceof ModelLoadError)) throw new ModelLoadError(e.code, e.message);
    throw e;
  }
}
