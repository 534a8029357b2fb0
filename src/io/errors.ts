// LoadError: every problem found while reading saved tensors or models (files, sizes, names, shapes) is one
// of these, with a code to branch on; problems inside a safetensors file arrive as SafetensorsError instead.

/** What went wrong while loading: the `code` of a {@link LoadError} (and of a ModelLoadError). */
export type LoadErrorCode =
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
  | 'NOT_NODE'; // file access outside Node

/**
 * The error `tg.load` and `tg.stateDictFromBytes` throw for a bad file or path; `tg.loadModel` throws its
 * subclass ModelLoadError. Branch on `code` rather than on the message.
 * @property code What went wrong, e.g. 'NOT_FOUND', 'TOO_LARGE' or 'SHAPE_MISMATCH'.
 * @example
 * ```ts
 * try { await tg.load('weights/net.safetensors'); }
 * catch (e) { if (e instanceof tg.LoadError && e.code === 'NOT_FOUND') console.log('nothing saved yet'); }
 * ```
 */
export class LoadError extends Error {
  /** The error's name, 'LoadError'. */
  override readonly name: string = 'LoadError';
  constructor(readonly code: LoadErrorCode, message: string) {
    super(message);
  }
}
