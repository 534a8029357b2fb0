// Turning text into tokens: lowercase, split on anything that is not a letter or digit, drop stop words
// and short tokens. For e-mail, the header block and HTML markup can be stripped first.

import { checkOptions } from '../tensor/validate.js';

/**
 * A short list of common English function words (articles, pronouns, auxiliaries, prepositions,
 * conjunctions). Frequent in every document, they carry little about what a document is about.
 */
export const ENGLISH_STOP_WORDS: readonly string[] = Object.freeze([
  'a', 'about', 'above', 'after', 'again', 'against', 'all', 'am', 'an', 'and', 'any', 'are', 'as', 'at',
  'be', 'because', 'been', 'before', 'being', 'below', 'between', 'both', 'but', 'by',
  'can', 'could', 'did', 'do', 'does', 'doing', 'down', 'during', 'each', 'few', 'for', 'from', 'further',
  'had', 'has', 'have', 'having', 'he', 'her', 'here', 'hers', 'herself', 'him', 'himself', 'his', 'how',
  'i', 'if', 'in', 'into', 'is', 'it', 'its', 'itself', 'just', 'me', 'more', 'most', 'my', 'myself',
  'no', 'nor', 'not', 'now', 'of', 'off', 'on', 'once', 'only', 'or', 'other', 'our', 'ours', 'ourselves',
  'out', 'over', 'own', 'same', 'she', 'should', 'so', 'some', 'such', 'than', 'that', 'the', 'their',
  'theirs', 'them', 'themselves', 'then', 'there', 'these', 'they', 'this', 'those', 'through', 'to', 'too',
  'under', 'until', 'up', 'very', 'was', 'we', 'were', 'what', 'when', 'where', 'which', 'while', 'who',
  'whom', 'why', 'will', 'with', 'would', 'you', 'your', 'yours', 'yourself', 'yourselves',
]);

/** Options for {@link Tokenizer} and {@link tokenize}; every field is optional. */
export interface TokenizerOptions {
  /** Lowercase the text first (default true), so "Free" and "FREE" are one token. */
  lowercase?: boolean;
  /** Tokens to drop: a list, or 'english' for ENGLISH_STOP_WORDS (default: none). Compared after lowercasing. */
  stopWords?: readonly string[] | 'english' | null;
  /** Drop tokens shorter than this many characters (default 1: keep every token). */
  minTokenLength?: number;
  /** Drop an e-mail's header block, everything before the first blank line (default false). */
  stripHeaders?: boolean;
  /** With stripHeaders, keep the text of the Subject: header (default true): a reader sees it. */
  keepSubject?: boolean;
  /** Remove HTML comments, <script>/<style> blocks and tags, and decode common entities (default false). */
  stripHtml?: boolean;
}

/** The options with every default filled in; this is what toJSON saves. */
export interface ResolvedTokenizerOptions {
  /** Whether text is lowercased first. */
  lowercase: boolean;
  /** The stop words dropped (sorted, lowercased when `lowercase` is on). */
  stopWords: string[];
  /** Tokens shorter than this are dropped. */
  minTokenLength: number;
  /** Whether an e-mail's header block is dropped. */
  stripHeaders: boolean;
  /** With stripHeaders, whether the Subject text is kept. */
  keepSubject: boolean;
  /** Whether HTML markup is removed. */
  stripHtml: boolean;
}

/**
 * The body of an e-mail: everything after the first blank line, which ends the header block
 * (RFC 5322). With keepSubject, the Subject header's text (continuation lines included) comes first.
 * Text without a blank line is returned as is.
 */
export function stripEmailHeaders(text: string, keepSubject = true): string {
  const m = /\r?\n[ \t]*\r?\n/.exec(text);
  if (!m) return text;
  const body = text.slice(m.index + m[0].length);
  if (!keepSubject) return body;
  const header = text.slice(0, m.index);
  // a header may continue on lines that start with a space or tab ("folded" headers)
  const subject = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(header);
  return subject ? `${subject[1]}\n${body}` : body;
}

const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"], ['nbsp', ' '],
]);

function decodeEntity(whole: string, body: string): string {
  if (body[0] === '#') {
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    // code points past U+10FFFF do not exist (String.fromCodePoint would throw)
    return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
  }
  return NAMED_ENTITIES.get(body.toLowerCase()) ?? whole;
}

/**
 * Finds `pattern` (a string, or a global regex) at or after a position, remembering the last answer: a later
 * search that starts before the remembered match gets it without scanning again, and "no match after p" stays
 * true for every start ≥ p. Searches start at non-decreasing positions, so together they scan the text once.
 */
class ForwardSearch {
  #from = -1;
  #at = -1; // where the remembered match starts (-1: none)
  #length = 0;
  constructor(private readonly text: string, private readonly pattern: string | RegExp) {}

  /** Start of the first match at or after `from` (its length in `length`), or -1. */
  next(from: number): number {
    if (this.#from >= 0 && from >= this.#from && (this.#at < 0 || this.#at >= from)) return this.#at;
    this.#from = from;
    if (typeof this.pattern === 'string') {
      this.#at = this.text.indexOf(this.pattern, from);
      this.#length = this.pattern.length;
    } else {
      this.pattern.lastIndex = from;
      const m = this.pattern.exec(this.text);
      this.#at = m ? m.index : -1;
      this.#length = m ? m[0].length : 0;
    }
    return this.#at;
  }

  /** The length of the remembered match. */
  get length(): number {
    return this.#length;
  }
}

const SCRIPT_OR_STYLE_OPEN = /<(script|style)\b/iy;

/**
 * Text without HTML markup: comments, <script> and <style> blocks (with their contents) and tags become
 * spaces, so words on either side of a tag stay apart; &amp;, &lt;, &#233; ... are decoded.
 * A simple pass for tokenizing, not an HTML parser. It runs in time linear in the length of the text, however
 * the markup is nested or left unclosed (a '<' with no '>' after it stays as text), so it is safe on untrusted input.
 */
export function stripHtml(text: string): string {
  const tagEnd = new ForwardSearch(text, '>');
  const commentEnd = new ForwardSearch(text, '-->');
  const blockEnd = { script: new ForwardSearch(text, /<\/script\s*>/gi), style: new ForwardSearch(text, /<\/style\s*>/gi) };
  let out = '';
  let kept = 0; // text[kept, lt) is copied out when the next piece of markup is removed
  let i = 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    i = lt + 1; // a '<' that opens nothing stays as text
    let end = text.startsWith('<!--', lt) ? commentEnd.next(lt + 4) : -1; // where the markup starting at lt ends
    if (end >= 0) end += 3;
    else {
      const gt = tagEnd.next(lt + 1);
      if (gt < 0) continue;
      end = gt + 1;
      const c = text.charCodeAt(lt + 1) | 0x20; // lowercase ASCII
      if (c === 0x73 /* s */) {
        SCRIPT_OR_STYLE_OPEN.lastIndex = lt;
        const open = SCRIPT_OR_STYLE_OPEN.exec(text);
        if (open) {
          // the whole block goes, contents included; an unclosed one loses only its opening tag
          const close = blockEnd[open[1].toLowerCase() as 'script' | 'style'];
          const at = close.next(end);
          if (at >= 0) end = at + close.length;
        }
      }
    }
    if (lt > kept) out += text.slice(kept, lt);
    out += ' ';
    kept = i = end;
  }
  out += text.slice(kept);
  return out.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,6});/g, decodeEntity);
}

// One or more characters that are not a letter, a combining mark or a digit, in any script.
const SEPARATORS = /[^\p{L}\p{M}\p{N}]+/u;

const TOKENIZER_OPTIONS = ['lowercase', 'stopWords', 'minTokenLength', 'stripHeaders', 'keepSubject', 'stripHtml'];

function resolveOptions(o: TokenizerOptions): ResolvedTokenizerOptions {
  if (typeof o !== 'object' || o === null) throw new TypeError('Tokenizer: options must be an object');
  checkOptions('Tokenizer', o, TOKENIZER_OPTIONS);
  const bool = (v: unknown, name: string, dflt: boolean): boolean => {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') throw new TypeError(`Tokenizer: ${name} must be true or false, got ${String(v)}`);
    return v;
  };
  const min = o.minTokenLength ?? 1;
  if (!Number.isSafeInteger(min) || min < 1) throw new RangeError(`Tokenizer: minTokenLength must be a positive integer, got ${String(min)}`);
  let stop: readonly unknown[] = [];
  if (o.stopWords === 'english') stop = ENGLISH_STOP_WORDS;
  else if (Array.isArray(o.stopWords)) stop = o.stopWords;
  else if (o.stopWords !== undefined && o.stopWords !== null) {
    throw new TypeError("Tokenizer: stopWords must be an array of strings, 'english' or null");
  }
  for (const w of stop) if (typeof w !== 'string') throw new TypeError('Tokenizer: stopWords must be an array of strings');
  const lowercase = bool(o.lowercase, 'lowercase', true);
  // stop words are compared with tokens as they come out, so lowercase them too
  const stopWords = [...new Set((stop as string[]).map((w) => (lowercase ? w.toLowerCase() : w)))].sort();
  return {
    lowercase,
    stopWords,
    minTokenLength: min,
    stripHeaders: bool(o.stripHeaders, 'stripHeaders', false),
    keepSubject: bool(o.keepSubject, 'keepSubject', true),
    stripHtml: bool(o.stripHtml, 'stripHtml', false),
  };
}

/**
 * Splits text into tokens. The steps, in order: strip e-mail headers, strip HTML, lowercase, split on
 * runs of characters that are not letters or digits, drop tokens shorter than minTokenLength, drop stop words.
 * @example new tg.text.Tokenizer({ stopWords: 'english' }).tokenize("It's FREE, click now!") // ['s', 'free', 'click']
 */
export class Tokenizer {
  /** The options with every default filled in (frozen). */
  readonly options: Readonly<ResolvedTokenizerOptions>;
  readonly #stop: ReadonlySet<string>;

  constructor(options: TokenizerOptions = {}) {
    this.options = Object.freeze(resolveOptions(options));
    this.#stop = new Set(this.options.stopWords);
  }

  /** Splits one text into tokens with this tokenizer's options. Throws a TypeError if `text` is not a string. */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new TypeError(`Tokenizer: expected a string, got ${text === null ? 'null' : typeof text}`);
    const o = this.options;
    let t = text;
    if (o.stripHeaders) t = stripEmailHeaders(t, o.keepSubject);
    if (o.stripHtml) t = stripHtml(t);
    if (o.lowercase) t = t.toLowerCase();
    const tokens: string[] = [];
    for (const tok of t.split(SEPARATORS)) {
      // split leaves an empty string at either end when the text starts or ends with a separator
      if (tok.length === 0 || tok.length < o.minTokenLength || this.#stop.has(tok)) continue;
      tokens.push(tok);
    }
    return tokens;
  }

  /** The options with defaults filled in: JSON values only, accepted back by `new Tokenizer(...)`. */
  toJSON(): ResolvedTokenizerOptions {
    return { ...this.options, stopWords: [...this.options.stopWords] };
  }
}

/** Tokenizes one text with the given options (build a Tokenizer once to tokenize many). */
export function tokenize(text: string, options: TokenizerOptions = {}): string[] {
  return new Tokenizer(options).tokenize(text);
}
