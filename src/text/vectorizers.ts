// Bag-of-words features: CountVectorizer (token counts, or 0/1 with binary) and TfidfVectorizer
// (counts weighted by inverse document frequency, rows scaled to unit length), fit on training texts only.

import type { Tensor } from '../autograd/tensor.js';
import {
  type JSONObject, parseSafe, readBoolean, readNumber, readObject, readString, rethrowAsJSON, TextJSONError,
} from './json.js';
import { countRows, documentFrequency, mapValues, normalizeRows, type SparseRows, toDense } from './sparse.js';
import { Tokenizer, type TokenizerOptions } from './tokenizer.js';
import {
  MAX_VOCABULARY, resolveVocabularyOptions, type ResolvedVocabularyOptions, Vocabulary, vocabularyFromObject,
  type VocabularyOptions,
} from './vocabulary.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** Splits one text into tokens. */
export type TokenizeFn = (text: string) => string[];

const COUNT_OPTIONS = optionKeys<CountVectorizerOptions>({
  minDf: true, maxDf: true, maxFeatures: true, oovToken: true, tokenizer: true, binary: true,
});
const TFIDF_OPTIONS = optionKeys<TfidfVectorizerOptions>({
  minDf: true, maxDf: true, maxFeatures: true, oovToken: true, tokenizer: true, binary: true,
  norm: true, useIdf: true, smoothIdf: true, sublinearTf: true,
});

/** Options for {@link CountVectorizer}: the vocabulary limits, a tokenizer, and `binary`. */
export interface CountVectorizerOptions extends VocabularyOptions {
  /** Tokenizer options, a Tokenizer, or any function text → tokens (default: new Tokenizer()). */
  tokenizer?: TokenizerOptions | Tokenizer | TokenizeFn;
  /** 1 for a token present in the document, whatever its count (default false). */
  binary?: boolean;
}

/** Options for {@link TfidfVectorizer}: those of {@link CountVectorizer} plus the tf-idf weighting (scikit-learn's names and defaults). */
export interface TfidfVectorizerOptions extends CountVectorizerOptions {
  /** Scale each row to unit 'l2' (default) or 'l1' norm, or leave it (null). */
  norm?: 'l1' | 'l2' | null;
  /** Weight counts by idf (default true); false leaves term frequencies (then normalized). */
  useIdf?: boolean;
  /** idf = ln((1 + n) / (1 + df)) + 1, as if one more document held every token once (default true); else ln(n / df) + 1. */
  smoothIdf?: boolean;
  /** Replace a count tf by 1 + ln(tf) (default false): the 10th "free" adds less than the 2nd. */
  sublinearTf?: boolean;
}

/** What fromJSON needs that JSON cannot hold: the tokenizer function, when one was used. */
export interface FromJSONOptions {
  /** The tokenizer function the vectorizer was created with (needed when the saved JSON has `tokenizer: null`). */
  tokenizer?: TokenizeFn;
}

const FORMAT = 'tapegrad.text';
const VERSION = 1;

function makeTokenizer(t: CountVectorizerOptions['tokenizer'], where: string): Tokenizer | TokenizeFn {
  if (t === undefined) return new Tokenizer();
  if (t instanceof Tokenizer || typeof t === 'function') return t;
  if (typeof t === 'object' && t !== null) return new Tokenizer(t);
  throw new TypeError(`${where}: tokenizer must be options, a Tokenizer or a function`);
}

function checkBool(v: unknown, name: string, where: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new TypeError(`${where}: ${name} must be true or false, got ${String(v)}`);
  return v;
}

/** What CountVectorizer and TfidfVectorizer share: tokenizing, fitting the vocabulary, densifying. */
abstract class Vectorizer {
  /** Whether counts are replaced by 1 for any token present. */
  readonly binary: boolean;
  /** The vocabulary limits with defaults filled in. */
  readonly vocabularyOptions: Readonly<ResolvedVocabularyOptions>;
  /** The tokenizer applied to every text. */
  protected readonly tokenizer: Tokenizer | TokenizeFn;
  /** The fitted vocabulary (null before fit). */
  protected vocab: Vocabulary | null = null;
  /** The class name saved in toJSON() and checked by fromJSON(). */
  protected abstract readonly kind: 'CountVectorizer' | 'TfidfVectorizer';

  constructor(options: CountVectorizerOptions, where: string) {
    checkOptions(where, options, where === 'TfidfVectorizer' ? TFIDF_OPTIONS : COUNT_OPTIONS);
    if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`);
    this.vocabularyOptions = Object.freeze(resolveVocabularyOptions(options, where));
    this.tokenizer = makeTokenizer(options.tokenizer, where);
    this.binary = checkBool(options.binary, 'binary', where, false);
  }

  /** The fitted vocabulary (throws before fit). */
  get vocabulary(): Vocabulary {
    if (!this.vocab) throw new Error(`${this.kind}: not fitted yet; call fit(trainTexts) first`);
    return this.vocab;
  }

  /** Whether fit() (or fitTransform()) has run. */
  get fitted(): boolean {
    return this.vocab !== null;
  }

  /** The token of each output column, in column order. */
  featureNames(): string[] {
    return [...this.vocabulary.tokens];
  }

  /** The tokens of each text, by this vectorizer's tokenizer. */
  tokenize(texts: readonly string[]): string[][] {
    if (!Array.isArray(texts)) throw new TypeError(`${this.kind}: expected an array of strings`);
    return texts.map((t, i) => {
      if (typeof t !== 'string') throw new TypeError(`${this.kind}: text ${i} is not a string (got ${t === null ? 'null' : typeof t})`);
      const tokens = typeof this.tokenizer === 'function' ? this.tokenizer(t) : this.tokenizer.tokenize(t);
      if (!Array.isArray(tokens)) throw new TypeError(`${this.kind}: the tokenizer returned no array for text ${i}`);
      return tokens;
    });
  }

  /** Learns the vocabulary (and, for tf-idf, the idf) from the training texts. */
  fit(texts: readonly string[]): this {
    this.fitRows(texts);
    return this;
  }

  /** The features of texts as a float32 Tensor [texts.length, vocabulary.size]. */
  transform(texts: readonly string[]): Tensor {
    return toDense(this.transformSparse(texts), `${this.kind}.transform`);
  }

  /** fit, then transform the same texts (tokenizing them once). */
  fitTransform(texts: readonly string[]): Tensor {
    return toDense(this.weight(this.fitRows(texts)), `${this.kind}.fitTransform`);
  }

  /** transform's values as sparse rows (CSR), for corpora whose dense matrix would not fit in memory. */
  transformSparse(texts: readonly string[]): SparseRows {
    const vocab = this.vocabulary;
    return this.weight(countRows(this.tokenize(texts), vocab));
  }

  /** Fits the vocabulary and returns the training texts' raw counts. */
  protected fitRows(texts: readonly string[]): SparseRows {
    const docs = this.tokenize(texts);
    const vocab = Vocabulary.fit(docs, this.vocabularyOptions);
    const rows = countRows(docs, vocab);
    this.learn(rows);
    this.vocab = vocab; // only now: a failed fit leaves the vectorizer as it was
    return rows;
  }

  /** Learns from the training counts what weight() needs (nothing for plain counts). */
  protected abstract learn(trainCounts: SparseRows): void;
  /** Turns raw counts into feature values, in place. */
  protected abstract weight(counts: SparseRows): SparseRows;
  /** The subclass's own fields for toJSON(). */
  protected abstract extraJSON(): JSONObject;

  /** Everything needed to transform again: tokenizer options, limits, vocabulary, weights. JSON values only. */
  toJSON(): JSONObject {
    return {
      format: FORMAT,
      version: VERSION,
      kind: this.kind,
      // a tokenizer function cannot be saved: fromJSON takes it back as an option
      tokenizer: this.tokenizer instanceof Tokenizer ? this.tokenizer.toJSON() : null,
      vocabularyOptions: { ...this.vocabularyOptions },
      binary: this.binary,
      vocabulary: this.vocab ? this.vocab.toJSON() : null,
      ...this.extraJSON(),
    };
  }
}

const COMMON_KEYS = ['format', 'version', 'kind', 'tokenizer', 'vocabularyOptions', 'binary', 'vocabulary'];
const TOKENIZER_KEYS = ['lowercase', 'stopWords', 'minTokenLength', 'stripHeaders', 'keepSubject', 'stripHtml'];

/** Checks the common fields of a saved vectorizer and returns its options and vocabulary. */
function readCommon(input: unknown, kind: string, extraKeys: string[], opts: FromJSONOptions) {
  const where = `${kind}.fromJSON`;
  const obj = readObject(parseSafe(input, where), where, [...COMMON_KEYS, ...extraKeys]);
  if (obj.format !== FORMAT || obj.version !== VERSION) {
    throw new TextJSONError(`${where}: expected format "${FORMAT}" version ${VERSION}, got ${String(obj.format)} version ${String(obj.version)}`);
  }
  if (obj.kind !== kind) throw new TextJSONError(`${where}: this JSON holds a ${String(obj.kind)}, not a ${kind}`);
  let tokenizer: Tokenizer | TokenizeFn;
  if (obj.tokenizer === null) {
    if (typeof opts.tokenizer !== 'function') throw new TextJSONError(`${where}: the vectorizer used a tokenizer function; pass it as { tokenizer }`);
    tokenizer = opts.tokenizer;
  } else {
    const t = readObject(obj.tokenizer, `${where}.tokenizer`, TOKENIZER_KEYS);
    tokenizer = rethrowAsJSON(`${where}.tokenizer`, () => new Tokenizer(t as TokenizerOptions));
  }
  const vo = readObject(obj.vocabularyOptions, `${where}.vocabularyOptions`, ['minDf', 'maxDf', 'maxFeatures', 'oovToken']);
  const vw = `${where}.vocabularyOptions`;
  const vocabularyOptions: VocabularyOptions = {
    minDf: readNumber(vo, 'minDf', vw)!,
    maxDf: readNumber(vo, 'maxDf', vw)!,
    maxFeatures: readNumber(vo, 'maxFeatures', vw, true),
    oovToken: readString(vo, 'oovToken', vw, true),
  };
  const vocab = obj.vocabulary === null ? null : vocabularyFromObject(obj.vocabulary, `${where}.vocabulary`);
  if (vocab && vocab.oovToken !== vocabularyOptions.oovToken) throw new TextJSONError(`${where}: the vocabulary's oovToken differs from vocabularyOptions.oovToken`);
  const options: CountVectorizerOptions = { ...vocabularyOptions, tokenizer, binary: readBoolean(obj, 'binary', where) };
  return { obj, where, options, vocab };
}

/**
 * Bag of words: column j of row i counts token j in text i (or is 1 if present, with binary).
 * @example const cv = new tg.text.CountVectorizer({ maxFeatures: 5000 }); const x = cv.fitTransform(trainTexts);
 */
export class CountVectorizer extends Vectorizer {
  protected readonly kind = 'CountVectorizer';

  constructor(options: CountVectorizerOptions = {}) {
    super(options, 'CountVectorizer');
  }

  protected learn(): void {}

  protected weight(counts: SparseRows): SparseRows {
    return this.binary ? mapValues(counts, () => 1) : counts;
  }

  protected extraJSON(): JSONObject {
    return {};
  }

  /** Reads toJSON()'s output back (JSON text or a parsed value), checking every field. */
  static fromJSON(input: unknown, opts: FromJSONOptions = {}): CountVectorizer {
    checkOptions('CountVectorizer.fromJSON', opts, ['tokenizer']);
    const { where, options, vocab } = readCommon(input, 'CountVectorizer', [], opts);
    const cv = rethrowAsJSON(where, () => new CountVectorizer(options));
    cv.vocab = vocab;
    return cv;
  }
}

/**
 * TF-IDF: each count tf(t, d) is weighted by idf(t), which is low for tokens found in many training
 * documents, then each row is scaled to unit length. The defaults match scikit-learn's TfidfVectorizer:
 * idf(t) = ln((1 + n) / (1 + df(t))) + 1 over the n training texts, then L2 normalization.
 * @example const tfidf = new tg.text.TfidfVectorizer({ maxFeatures: 5000, sublinearTf: true });
 * const xTrain = tfidf.fitTransform(trainTexts); const xTest = tfidf.transform(testTexts);
 */
export class TfidfVectorizer extends Vectorizer {
  protected readonly kind = 'TfidfVectorizer';
  /** The row normalisation: 'l2' (default), 'l1', or null for none. */
  readonly norm: 'l1' | 'l2' | null;
  /** Whether counts are weighted by idf (default true). */
  readonly useIdf: boolean;
  /** Whether the idf is smoothed as if one more document held every token (default true). */
  readonly smoothIdf: boolean;
  /** Whether a count tf is replaced by 1 + ln(tf) (default false). */
  readonly sublinearTf: boolean;
  #idf: Float64Array | null = null;

  constructor(options: TfidfVectorizerOptions = {}) {
    const where = 'TfidfVectorizer';
    super(options, where);
    const norm = options.norm === undefined ? 'l2' : options.norm;
    if (norm !== 'l1' && norm !== 'l2' && norm !== null) throw new RangeError(`${where}: norm must be 'l1', 'l2' or null, got ${String(norm)}`);
    this.norm = norm;
    this.useIdf = checkBool(options.useIdf, 'useIdf', where, true);
    this.smoothIdf = checkBool(options.smoothIdf, 'smoothIdf', where, true);
    this.sublinearTf = checkBool(options.sublinearTf, 'sublinearTf', where, false);
  }

  /** A copy of the idf weight of each column (null before fit, or with useIdf false). */
  get idf(): Float64Array | null {
    return this.#idf ? this.#idf.slice() : null;
  }

  protected learn(trainCounts: SparseRows): void {
    if (!this.useIdf) return;
    const n = trainCounts.nRows;
    const df = documentFrequency(trainCounts);
    // idf = ln((1 + n) / (1 + df)) + 1; the "+ 1" keeps tokens found in every document from vanishing.
    // Without smoothing, a column never seen in training (only the oov column can be) counts as seen once.
    this.#idf = df.map((d) => (this.smoothIdf ? Math.log((1 + n) / (1 + d)) : Math.log(n / Math.max(d, 1))) + 1);
  }

  protected weight(counts: SparseRows): SparseRows {
    const idf = this.#idf;
    mapValues(counts, (tf, col) => {
      const t = this.binary ? 1 : this.sublinearTf ? 1 + Math.log(tf) : tf;
      return idf ? t * idf[col] : t;
    });
    return this.norm ? normalizeRows(counts, this.norm) : counts;
  }

  protected extraJSON(): JSONObject {
    return {
      norm: this.norm,
      useIdf: this.useIdf,
      smoothIdf: this.smoothIdf,
      sublinearTf: this.sublinearTf,
      idf: this.#idf ? Array.from(this.#idf) : null,
    };
  }

  /** Reads toJSON()'s output back (JSON text or a parsed value), checking every field. */
  static fromJSON(input: unknown, opts: FromJSONOptions = {}): TfidfVectorizer {
    checkOptions('TfidfVectorizer.fromJSON', opts, ['tokenizer']);
    const extra = ['norm', 'useIdf', 'smoothIdf', 'sublinearTf', 'idf'];
    const { obj, where, options, vocab } = readCommon(input, 'TfidfVectorizer', extra, opts);
    const norm = readString(obj, 'norm', where, true) as TfidfVectorizerOptions['norm'];
    const tf = rethrowAsJSON(where, () => new TfidfVectorizer({
      ...options, norm, useIdf: readBoolean(obj, 'useIdf', where), smoothIdf: readBoolean(obj, 'smoothIdf', where),
      sublinearTf: readBoolean(obj, 'sublinearTf', where),
    }));
    const idf = readIdf(obj as JSONObject, where);
    if (vocab === null) {
      if (idf !== null) throw new TextJSONError(`${where}: idf given without a vocabulary`);
      return tf;
    }
    if (tf.useIdf !== (idf !== null)) throw new TextJSONError(`${where}: idf must be ${tf.useIdf ? 'an array' : 'null'} when useIdf is ${tf.useIdf}`);
    if (idf && idf.length !== vocab.size) throw new TextJSONError(`${where}: idf has ${idf.length} values for ${vocab.size} vocabulary entries`);
    tf.vocab = vocab;
    tf.#idf = idf;
    return tf;
  }
}

/** The saved idf: null, or an array of finite numbers ≥ 1 (the least any idf formula above gives). */
function readIdf(obj: JSONObject, where: string): Float64Array | null {
  const v = obj.idf;
  if (v === null) return null;
  if (!Array.isArray(v) || v.length > MAX_VOCABULARY) throw new TextJSONError(`${where}.idf: expected an array of numbers or null`);
  const out = new Float64Array(v.length);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 1) throw new TextJSONError(`${where}.idf[${i}]: expected a finite number ≥ 1`);
    out[i] = x;
  });
  return out;
}
