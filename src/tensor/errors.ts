// LoadError: the one class every loading problem derives from (model files, safetensors weights, saved
// vectorizers), so `catch (e) { if (!(e instanceof tg.LoadError)) throw e; }` catches exactly those.

/**
 * Base class of every error thrown while loading saved data: {@link ModelLoadError} (and its subclass
 * `SafetensorsError`) for models and weights, `TextJSONError` for saved vectorizers and vocabularies.
 * Branch on `code` (a short upper-case string such as 'BAD_JSON' or 'TRUNCATED') rather than on the message.
 * @example
 * ```ts
 * try { tg.fromBytes(bytes); }
 * catch (e) { if (!(e instanceof tg.LoadError)) throw e; console.log(e.code); }
 * ```
 */
export class LoadError<C extends string = string> extends Error {
  /** The error's class name, e.g. 'ModelLoadError'. */
  override readonly name: string = 'LoadError';
  /**
   * @param code What went wrong, e.g. 'BAD_JSON'.
   * @param message A sentence for people, naming the file or field.
   */
  constructor(readonly code: C, message: string) {
    super(message);
  }
}
