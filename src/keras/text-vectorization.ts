// Keras' TextVectorization preprocessing layer: strings → standardized → split into tokens → a vocabulary learned
// with adapt() → int ids (padded or cut to outputSequenceLength) or one row per text (multi_hot, count, tf_idf).
// Its input is text, not tensors, so it runs before a model (as Keras runs it in a tf.data pipeline) rather than
// inside one; its config, vocabulary and idf weights save as JSON (toJSON / fromJSON).

import { Tensor } from '../autograd/tensor.js';
import { NDArray } from '../tensor/ndarray.js';
import { checkTensorSize } from '../tensor/validate.js';
import { ConfigError, type ConfigOf, DEFAULT_LIMITS, type Field, field, parseConfig, savedConfig, show } from './schema.js';

/** How texts are standardized before splitting (Keras' names); null leaves them as they are. */
export type Standardize = 'lower_and_strip_punctuation' | 'lower' | 'strip_punctuation' | null;
/** How a standardized text is split into tokens: on whitespace runs, into characters, or not at all (null). */
export type Split = 'whitespace' | 'character' | null;
/** What the layer returns: int ids per token, or one row per text over the vocabulary. */
export type TextOutputMode = 'int' | 'multi_hot' | 'count' | 'tf_idf';

/** Arguments of {@link textVectorization} (Keras' names and defaults). */
export interface TextVectorizationArgs {
  /** The layer's name (default 'text_vectorization'). */
  name?: string;
  /** The largest vocabulary, special tokens included ('' and '[UNK]' in int mode, '[UNK]' otherwise); null: no limit. */
  maxTokens?: number | null;
  /** Default 'lower_and_strip_punctuation'. */
  standardize?: Standardize;
  /** Default 'whitespace'. */
  split?: Split;
  /** Default 'int'. */
  outputMode?: TextOutputMode;
  /** int mode: pad with 0 or cut each row to this many ids (default null: pad to the longest text of the call). */
  outputSequenceLength?: number | null;
  /** multi_hot / count / tf_idf: make rows maxTokens wide even when the vocabulary is smaller (default false). */
  padToMaxTokens?: boolean;
  /** A fixed vocabulary instead of adapt(): the tokens, without the special ones. */
  vocabulary?: string[] | null;
  /** tf_idf with a fixed vocabulary: one idf weight per vocabulary token. */
  idfWeights?: number[] | null;
}

const OOV = '[UNK]';
const MASK = '';
/** Keras' punctuation class for 'strip_punctuation': ASCII punctuation. */
const PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;
/** Largest vocabulary a layer holds (as tg.text's vocabularies). */
const MAX_VOCABULARY = 1 << 22;

const nullableChoice = <T extends string>(values: readonly T[], defaultValue: T | null): Field<T | null> => {
  const choice = field.choice(values, values[0]);
  return { saved: true, parse: (v, ctx) => (v === null ? null : v === undefined ? defaultValue : choice.parse(v, ctx)) };
};
const nullableInt = (): Field<number | null> => {
  const units = field.units();
  return { saved: true, parse: (v, ctx) => (v === undefined || v === null ? null : units.parse(v, ctx)) };
};
const stringList = (): Field<string[] | null> => ({
  saved: true,
  parse: (v, ctx) => {
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v) || v.length > MAX_VOCABULARY || !v.every((t) => typeof t === 'string')) {
      throw new ConfigError('BAD_VALUE', `${ctx.where}: ${ctx.key} must be an array of at most ${MAX_VOCABULARY} strings, got ${show(v)}`);
    }
    if (new Set(v).size !== v.length) throw new ConfigError('BAD_VALUE', `${ctx.where}: ${ctx.key} has a repeated token`);
    return [...(v as string[])];
  },
});
const numberList = (): Field<number[] | null> => ({
  saved: true,
  parse: (v, ctx) => {
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v) || v.length > MAX_VOCABULARY || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
      throw new ConfigError('BAD_VALUE', `${ctx.where}: ${ctx.key} must be an array of non-negative finite numbers, got ${show(v)}`);
    }
    return [...(v as number[])];
  },
});

const TEXT_VECTORIZATION_FIELDS = {
  name: field.name(),
  maxTokens: nullableInt(),
  standardize: nullableChoice(['lower_and_strip_punctuation', 'lower', 'strip_punctuation'] as const, 'lower_and_strip_punctuation'),
  split: nullableChoice(['whitespace', 'character'] as const, 'whitespace'),
  outputMode: field.choice(['int', 'multi_hot', 'count', 'tf_idf'] as const, 'int'),
  outputSequenceLength: nullableInt(),
  padToMaxTokens: field.bool(false),
  vocabulary: stringList(),
  idfWeights: numberList(),
} satisfies { readonly [K in keyof Required<TextVectorizationArgs>]: unknown };

type Config = ConfigOf<typeof TEXT_VECTORIZATION_FIELDS>;

/**
 * Text → int ids or per-text vectors (Keras' TextVectorization). adapt(texts) learns the vocabulary, most frequent
 * tokens first (ties: first seen first); the ids then index getVocabulary(): in 'int' mode 0 is padding ('') and 1
 * the out-of-vocabulary token '[UNK]'; in the other modes index 0 is '[UNK]'. tf_idf weighs counts by
 * idf = log(1 + texts / (1 + texts holding the token)), with the mean idf for '[UNK]', as Keras does.
 */
export class TextVectorization {
  /** The Keras class name, as saved. */
  readonly className = 'TextVectorization';
  /** The checked config (the vocabulary and idf weights as given; adapt() replaces them). */
  readonly config: Config;
  #vocab: string[] = [];
  #index = new Map<string, number>();
  #idf: Float64Array | null = null;

  constructor(args: TextVectorizationArgs = {}, options: { source?: 'code' | 'file' } = {}) {
    this.config = parseConfig(TEXT_VECTORIZATION_FIELDS, args, 'textVectorization', DEFAULT_LIMITS, options.source ?? 'code', "{ maxTokens: 1000, outputMode: 'int', outputSequenceLength: 50 }");
    const c = this.config;
    if (c.outputSequenceLength !== null && c.outputMode !== 'int') this.fail(`outputSequenceLength is for outputMode 'int', not '${c.outputMode}'`);
    if (c.padToMaxTokens && (c.outputMode === 'int' || c.maxTokens === null)) this.fail("padToMaxTokens needs maxTokens and outputMode 'multi_hot', 'count' or 'tf_idf'");
    if (c.idfWeights && c.outputMode !== 'tf_idf') this.fail(`idfWeights are for outputMode 'tf_idf', not '${c.outputMode}'`);
    if (c.vocabulary) this.setVocabulary(c.vocabulary, c.idfWeights ?? undefined);
    else if (c.idfWeights) this.fail('idfWeights need a vocabulary');
  }

  private fail(msg: string): never {
    throw new ConfigError('BAD_VALUE', `textVectorization${this.config?.name ? ` ${this.config.name}` : ''}: ${msg}`);
  }

  /** The special tokens at the start of the vocabulary: ['', '[UNK]'] in int mode, ['[UNK]'] otherwise. */
  private get special(): string[] {
    return this.config.outputMode === 'int' ? [MASK, OOV] : [OOV];
  }

  /** Standardizes and splits one text into tokens (the layer's own pipeline, before the vocabulary). */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new TypeError(`textVectorization: expected strings, got ${show(text)}`);
    let s = text;
    const st = this.config.standardize;
    if (st === 'lower' || st === 'lower_and_strip_punctuation') s = s.toLowerCase();
    if (st === 'strip_punctuation' || st === 'lower_and_strip_punctuation') s = s.replace(PUNCTUATION, '');
    if (this.config.split === 'whitespace') return s.split(/\s+/).filter((t) => t.length > 0);
    if (this.config.split === 'character') return Array.from(s);
    return [s];
  }

  /**
   * Learns the vocabulary (and, for tf_idf, the idf weights) from texts: tokens by frequency, most frequent first,
   * up to maxTokens entries counting the special ones.
   */
  adapt(texts: readonly string[]): this {
    if (!Array.isArray(texts) || texts.length === 0) throw new RangeError(`textVectorization: adapt takes a non-empty array of strings, got ${Array.isArray(texts) ? 'an empty array' : show(texts)}`);
    const counts = new Map<string, number>();
    const docs = new Map<string, number>();
    for (const text of texts) {
      const tokens = this.tokenize(text);
      for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
      for (const t of new Set(tokens)) docs.set(t, (docs.get(t) ?? 0) + 1);
    }
    const special = new Set(this.special);
    // Map keeps first-seen order and sort is stable, so ties stay in the order they were first seen
    let tokens = [...counts.keys()].filter((t) => !special.has(t)).sort((a, b) => counts.get(b)! - counts.get(a)!);
    if (this.config.maxTokens !== null) tokens = tokens.slice(0, Math.max(0, this.config.maxTokens - this.special.length));
    const idf = this.config.outputMode === 'tf_idf' ? tokens.map((t) => Math.log(1 + texts.length / (1 + docs.get(t)!))) : undefined;
    this.setVocabulary(tokens, idf);
    return this;
  }

  /** Sets the vocabulary (tokens without the special ones) and, in tf_idf mode, one idf weight per token. */
  setVocabulary(tokens: readonly string[], idfWeights?: readonly number[]): void {
    const special = this.special;
    const body = tokens.filter((t, i) => !(i < special.length && t === special[i])); // Keras accepts them at the front
    const seen = new Set(special);
    for (const t of body) {
      if (typeof t !== 'string') this.fail(`the vocabulary must hold strings, got ${show(t)}`);
      if (seen.has(t)) this.fail(`the vocabulary repeats ${show(t)}${special.includes(t) ? ' (a special token, which is added by the layer)' : ''}`);
      seen.add(t);
    }
    const full = [...special, ...body];
    if (this.config.maxTokens !== null && full.length > this.config.maxTokens) this.fail(`the vocabulary has ${full.length} entries with the special tokens, over maxTokens ${this.config.maxTokens}`);
    if (this.config.outputMode === 'tf_idf') {
      if (!idfWeights || idfWeights.length !== body.length) this.fail(`outputMode 'tf_idf' needs one idf weight per vocabulary token (${body.length}), got ${idfWeights ? idfWeights.length : 'none'}`);
      const mean = body.length ? idfWeights.reduce((a, b) => a + b, 0) / body.length : 0;
      this.#idf = Float64Array.from([mean, ...idfWeights]);
    } else if (idfWeights) this.fail(`idfWeights are for outputMode 'tf_idf', not '${this.config.outputMode}'`);
    this.#vocab = full;
    this.#index = new Map(full.map((t, i) => [t, i]));
  }

  /** The vocabulary, special tokens first: index i is id i. */
  getVocabulary(): string[] {
    return [...this.#vocab];
  }

  /** The number of ids, special tokens included. */
  vocabularySize(): number {
    return this.#vocab.length;
  }

  /**
   * Vectorizes texts. 'int': int32 ids [texts, length] (0 = padding, 1 = unknown). Otherwise float32 [texts, V] with V
   * the vocabulary size (maxTokens with padToMaxTokens): 1 where a token occurs, its count, or count × idf.
   */
  call(texts: readonly string[]): Tensor {
    if (!Array.isArray(texts)) throw new TypeError(`textVectorization: call takes an array of strings, got ${show(texts)}`);
    if (this.#vocab.length === 0) throw new RangeError('textVectorization: no vocabulary yet; call adapt(texts) or pass vocabulary first');
    const ids = texts.map((t) => this.tokenize(t).map((tok) => this.#index.get(tok) ?? this.special.length - 1));
    if (this.config.outputMode === 'int') {
      const len = this.config.outputSequenceLength ?? Math.max(0, ...ids.map((r) => r.length));
      checkTensorSize('textVectorization', texts.length * len, [texts.length, len]);
      const out = new Int32Array(texts.length * len);
      ids.forEach((row, i) => { for (let t = 0; t < Math.min(len, row.length); t++) out[i * len + t] = row[t]; });
      return new Tensor(new NDArray(out, [texts.length, len]));
    }
    const width = this.config.padToMaxTokens ? (this.config.maxTokens as number) : this.#vocab.length;
    checkTensorSize('textVectorization', texts.length * width, [texts.length, width]);
    const out = new Float32Array(texts.length * width);
    const mode = this.config.outputMode;
    ids.forEach((row, i) => {
      for (const id of row) out[i * width + id] = mode === 'multi_hot' ? 1 : out[i * width + id] + 1;
      if (mode === 'tf_idf') for (let j = 0; j < this.#vocab.length; j++) out[i * width + j] *= this.#idf![j];
    });
    return new Tensor(new NDArray(out, [texts.length, width]));
  }

  /** The config as saved: every field, with the learned vocabulary (without the special tokens) and idf weights. */
  getConfig(): Record<string, unknown> {
    const out = savedConfig(TEXT_VECTORIZATION_FIELDS, this.config);
    out.vocabulary = this.#vocab.slice(this.special.length);
    out.idfWeights = this.#idf ? Array.from(this.#idf.subarray(1)) : null;
    return out;
  }

  /** JSON text of { className, config }: everything needed to rebuild the layer with fromJSON. */
  toJSON(): string {
    return JSON.stringify({ className: this.className, config: this.getConfig() });
  }

  /** Rebuilds a layer from toJSON() output (or the parsed object); every field is checked as a file config. */
  static fromJSON(json: string | { className: string; config: unknown }): TextVectorization {
    let obj: unknown = json;
    if (typeof json === 'string') {
      try {
        obj = JSON.parse(json);
      } catch (e) {
        throw new ConfigError('BAD_VALUE', `textVectorization.fromJSON: not valid JSON (${(e as Error).message})`);
      }
    }
    const o = obj as { className?: unknown; config?: unknown } | null;
    if (typeof o !== 'object' || o === null || o.className !== 'TextVectorization') {
      throw new ConfigError('BAD_VALUE', `textVectorization.fromJSON: expected { className: 'TextVectorization', config }, got ${show(o?.className ?? o)}`);
    }
    return new TextVectorization(o.config as TextVectorizationArgs, { source: 'file' });
  }
}

/**
 * Text → token ids or per-text vectors (Keras' TextVectorization); adapt() learns the vocabulary.
 * @example
 * ```ts
 * const vectorize = tg.layers.textVectorization({ maxTokens: 100, outputSequenceLength: 4 });
 * vectorize.adapt(['the cat sat', 'the dog sat down']);
 * vectorize.call(['The cat ran!']).toArray(); // [[2, 4, 1, 0]]: the, cat, [UNK], padding
 * ```
 */
export const textVectorization = (args: TextVectorizationArgs = {}): TextVectorization => new TextVectorization(args);
