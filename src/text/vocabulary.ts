// A Vocabulary maps tokens to column indices. Fitted on training documents, it keeps the tokens that pass
// document-frequency limits, most frequent first, and can reserve index 0 for out-of-vocabulary tokens.

import { parseSafe, readObject, readString, readStringArray, rethrowAsJSON, TextJSONError } from './json.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** Limits for {@link Vocabulary.fit} and the vectorizers (scikit-learn's minDf / maxDf / maxFeatures, plus an out-of-vocabulary token). */
export interface VocabularyOptions {
  /**
   * Drop tokens found in fewer documents than this (default 1: keep all). An integer ≥ 1 is a count of
   * documents, a number in [0, 1) a fraction of them: minDf 2 drops tokens seen in one document only.
   */
  minDf?: number;
  /**
   * Drop tokens found in more documents than this (default 1.0: keep all). A number in (0, 1] is a
   * fraction of the documents, an integer > 1 a count: maxDf 0.9 drops tokens in over 90% of documents.
   */
  maxDf?: number;
  /** Keep only this many tokens, the most frequent in the whole corpus (default null: no limit). */
  maxFeatures?: number | null;
  /**
   * A token standing for every unknown token, given index 0 (default null: unknown tokens are ignored).
   * Tokens dropped by the limits above are unknown too, and so is a real token equal to oovToken.
   */
  oovToken?: string | null;
}

const VOCABULARY_OPTIONS = optionKeys<VocabularyOptions>({ minDf: true, maxDf: true, maxFeatures: true, oovToken: true });

/** The limits with defaults filled in, as vectorizers save them. */
export interface ResolvedVocabularyOptions {
  /** Minimum document frequency: a count (≥ 1) or a fraction of the documents. */
  minDf: number;
  /** Maximum document frequency: a fraction (≤ 1) or a count. */
  maxDf: number;
  /** The most tokens kept, or null for no limit. */
  maxFeatures: number | null;
  /** The token standing for unknown tokens at index 0, or null. */
  oovToken: string | null;
}

/** Most tokens a vocabulary may hold (also the limit fromJSON accepts). */
export const MAX_VOCABULARY = 1 << 22;

export function resolveVocabularyOptions(o: VocabularyOptions = {}, where = 'Vocabulary'): ResolvedVocabularyOptions {
  const minDf = o.minDf ?? 1;
  if (typeof minDf !== 'number' || !(minDf >= 0) || (minDf >= 1 && !Number.isSafeInteger(minDf))) {
    throw new RangeError(`${where}: minDf must be a fraction in [0, 1) or a document count (an integer ≥ 1), got ${String(minDf)}`);
  }
  const maxDf = o.maxDf ?? 1;
  if (typeof maxDf !== 'number' || !(maxDf > 0) || (maxDf > 1 && !Number.isSafeInteger(maxDf))) {
    throw new RangeError(`${where}: maxDf must be a fraction in (0, 1] or a document count (an integer > 1), got ${String(maxDf)}`);
  }
  const maxFeatures = o.maxFeatures ?? null;
  if (maxFeatures !== null && (!Number.isSafeInteger(maxFeatures) || maxFeatures < 1 || maxFeatures > MAX_VOCABULARY)) {
    throw new RangeError(`${where}: maxFeatures must be an integer in [1, ${MAX_VOCABULARY}] or null, got ${String(maxFeatures)}`);
  }
  const oovToken = o.oovToken ?? null;
  if (oovToken !== null && typeof oovToken !== 'string') throw new TypeError(`${where}: oovToken must be a string or null`);
  return { minDf, maxDf, maxFeatures, oovToken };
}

/** Code-unit order: the same on every machine and locale (localeCompare is not). */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Token ↔ index. Build one with Vocabulary.fit(tokenizedDocs, limits), or from a token list.
 * @example const vocab = tg.text.Vocabulary.fit([['free', 'money'], ['free', 'time']]); vocab.indexOf('free') // 0
 */
export class Vocabulary {
  /** Every token in index order (the oovToken, if any, first). */
  readonly tokens: readonly string[];
  /** The out-of-vocabulary token at index 0, or null when unknown tokens are ignored. */
  readonly oovToken: string | null;
  readonly #index: ReadonlyMap<string, number>;

  /** `words` in index order; with an oovToken it takes index 0 and the words follow from 1. */
  constructor(words: readonly string[], options: { oovToken?: string | null } = {}) {
    const oov = options.oovToken ?? null;
    if (oov !== null && typeof oov !== 'string') throw new TypeError('Vocabulary: oovToken must be a string or null');
    if (!Array.isArray(words)) throw new TypeError('Vocabulary: expected an array of tokens');
    const tokens = oov === null ? [...words] : [oov, ...words];
    if (tokens.length > MAX_VOCABULARY) throw new RangeError(`Vocabulary: more than ${MAX_VOCABULARY} tokens`);
    const index = new Map<string, number>();
    tokens.forEach((t, i) => {
      if (typeof t !== 'string') throw new TypeError(`Vocabulary: token ${i} is not a string`);
      if (index.has(t)) throw new RangeError(`Vocabulary: the token ${JSON.stringify(t)} is listed twice`);
      index.set(t, i);
    });
    this.tokens = Object.freeze(tokens);
    this.oovToken = oov;
    this.#index = index;
  }

  /**
   * Counts tokens over the documents (each a list of tokens), drops those outside [minDf, maxDf], and
   * keeps the maxFeatures most frequent. Index order: total count, highest first; ties in code-unit
   * order of the token, so the result never depends on the order of the documents.
   */
  static fit(docs: Iterable<readonly string[]>, options: VocabularyOptions = {}): Vocabulary {
    checkOptions('Vocabulary.fit', options, VOCABULARY_OPTIONS);
    const o = resolveVocabularyOptions(options, 'Vocabulary.fit');
    const count = new Map<string, number>(); // occurrences in the whole corpus
    const df = new Map<string, number>(); // documents containing the token
    let nDocs = 0;
    for (const doc of docs) {
      if (!Array.isArray(doc)) throw new TypeError(`Vocabulary.fit: document ${nDocs} is not an array of tokens`);
      nDocs++;
      for (const t of doc) count.set(t, (count.get(t) ?? 0) + 1);
      for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
    }
    if (nDocs === 0) throw new RangeError('Vocabulary.fit: no documents');
    // a fraction is of the number of documents; a count is used as is
    const minCount = o.minDf < 1 ? o.minDf * nDocs : o.minDf;
    const maxCount = o.maxDf <= 1 ? o.maxDf * nDocs : o.maxDf;
    // (a minDf above the number of documents is reported below, as an empty vocabulary)
    if (maxCount < minCount && minCount <= nDocs) {
      throw new RangeError(`Vocabulary.fit: maxDf ${o.maxDf} allows fewer documents (${maxCount}) than minDf ${o.minDf} needs (${minCount})`);
    }
    const kept: string[] = [];
    for (const [t, d] of df) if (d >= minCount && d <= maxCount && t !== o.oovToken) kept.push(t);
    kept.sort((a, b) => count.get(b)! - count.get(a)! || byCodeUnit(a, b));
    const words = o.maxFeatures === null ? kept : kept.slice(0, o.maxFeatures);
    if (words.length === 0) {
      throw new RangeError(`Vocabulary.fit: no token is left (${df.size} distinct before the minDf / maxDf limits); are the documents all stop words, or the limits too tight?`);
    }
    return new Vocabulary(words, { oovToken: o.oovToken });
  }

  /** Number of indices (tokens, plus one for the oovToken). */
  get size(): number {
    return this.tokens.length;
  }

  /** The token's index; for an unknown token, the oovToken's index 0, or -1 without one. */
  indexOf(token: string): number {
    return this.#index.get(token) ?? (this.oovToken === null ? -1 : 0);
  }

  /** True for a token of the vocabulary (the oovToken included). */
  has(token: string): boolean {
    return this.#index.has(token);
  }

  /** The token at an index. Throws a RangeError for an index outside [0, size). */
  tokenAt(index: number): string {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.tokens.length) {
      throw new RangeError(`Vocabulary: index ${index} is out of range [0, ${this.tokens.length})`);
    }
    return this.tokens[index];
  }

  /** The indices of the tokens; unknown tokens map to the oovToken, or are skipped without one. */
  encode(tokens: readonly string[]): number[] {
    const out: number[] = [];
    for (const t of tokens) {
      const i = this.indexOf(t);
      if (i >= 0) out.push(i);
    }
    return out;
  }

  /** The tokens at these indices. */
  decode(indices: readonly number[]): string[] {
    return indices.map((i) => this.tokenAt(i));
  }

  /**
   * { oovToken, words }: the words without the oovToken, in index order.
   * @property __type.oovToken The out-of-vocabulary token, or null.
   * @property __type.words The other tokens in index order.
   */
  toJSON(): { oovToken: string | null; words: string[] } {
    return { oovToken: this.oovToken, words: this.tokens.slice(this.oovToken === null ? 0 : 1) };
  }

  /** Reads toJSON()'s output back, as JSON text or a parsed value (checked, never trusted). */
  static fromJSON(input: unknown): Vocabulary {
    const obj = readObject(parseSafe(input, 'Vocabulary.fromJSON'), 'Vocabulary.fromJSON', ['oovToken', 'words']);
    return vocabularyFromObject(obj, 'Vocabulary.fromJSON');
  }
}

/** Builds a Vocabulary from an object already made safe by parseSafe. */
export function vocabularyFromObject(value: unknown, where: string): Vocabulary {
  const obj = readObject(value, where, ['oovToken', 'words']);
  const oovToken = readString(obj, 'oovToken', where, true);
  const words = readStringArray(obj, 'words', where, MAX_VOCABULARY);
  if (words.length === 0 && oovToken === null) throw new TextJSONError(`${where}: the vocabulary is empty`);
  return rethrowAsJSON(where, () => new Vocabulary(words, { oovToken }));
}
