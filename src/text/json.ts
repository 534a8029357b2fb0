// Reading saved vectorizers back: JSON text or values are copied into null-prototype objects, keys such
// as __proto__ are refused, and small readers check each field's type so bad input fails with a clear message.
import { LoadError } from '../tensor/errors.js';

/** What was wrong with a saved vectorizer or vocabulary: the `code` of a {@link TextJSONError}. */
export type TextJSONErrorCode = 'BAD_JSON' | 'BAD_VALUE';

/**
 * Thrown by fromJSON for input that is not a well-formed saved vectorizer or vocabulary. A `tg.LoadError`,
 * with code 'BAD_JSON' (not JSON, forbidden key, too deep) or 'BAD_VALUE' (a field of the wrong type or value).
 */
export class TextJSONError extends LoadError<TextJSONErrorCode> {
  /** The error's name, 'TextJSONError'. */
  override readonly name: string = 'TextJSONError';
  constructor(message: string, code: TextJSONErrorCode = 'BAD_VALUE') {
    super(code, message);
  }
}

export type JSONObject = { [key: string]: unknown };

// Keys that could reach Object.prototype if a later step copied the object carelessly.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 16;

/**
 * A safe copy of parsed JSON (or of a value given directly): objects become null-prototype objects,
 * and a forbidden key, a non-JSON value or deeper nesting than needed throws TextJSONError.
 */
export function safeCopy(value: unknown, where: string, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new TextJSONError(`${where}: nested deeper than ${MAX_DEPTH} levels`, 'BAD_JSON');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TextJSONError(`${where}: numbers must be finite, got ${value}`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => safeCopy(v, `${where}[${i}]`, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new TextJSONError(`${where}: expected a plain object`);
    const out: JSONObject = Object.create(null);
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw new TextJSONError(`${where}: the key "${key}" is not allowed`, 'BAD_JSON');
      out[key] = safeCopy((value as JSONObject)[key], `${where}.${key}`, depth + 1);
    }
    return out;
  }
  throw new TextJSONError(`${where}: ${typeof value} is not a JSON value`);
}

/** Parses JSON text (or copies an already-parsed value) safely; see safeCopy. */
export function parseSafe(input: unknown, where: string): unknown {
  if (typeof input !== 'string') return safeCopy(input, where);
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch (e) {
    throw new TextJSONError(`${where}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, 'BAD_JSON');
  }
  return safeCopy(parsed, where);
}

/** Checks that `value` is an object with only the `allowed` keys and returns it. */
export function readObject(value: unknown, where: string, allowed: readonly string[]): JSONObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TextJSONError(`${where}: expected an object`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new TextJSONError(`${where}: unexpected field "${key}"`);
  }
  return value as JSONObject;
}

export function readBoolean(obj: JSONObject, key: string, where: string): boolean {
  const v = obj[key];
  if (typeof v !== 'boolean') throw new TextJSONError(`${where}.${key}: expected true or false`);
  return v;
}

export function readNumber(obj: JSONObject, key: string, where: string, nullable = false): number | null {
  const v = obj[key];
  if (v === null && nullable) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TextJSONError(`${where}.${key}: expected a finite number${nullable ? ' or null' : ''}`);
  return v;
}

export function readString(obj: JSONObject, key: string, where: string, nullable = false): string | null {
  const v = obj[key];
  if (v === null && nullable) return null;
  if (typeof v !== 'string') throw new TextJSONError(`${where}.${key}: expected a string${nullable ? ' or null' : ''}`);
  return v;
}

export function readStringArray(obj: JSONObject, key: string, where: string, maxLength: number): string[] {
  const v = obj[key];
  if (!Array.isArray(v)) throw new TextJSONError(`${where}.${key}: expected an array of strings`);
  if (v.length > maxLength) throw new TextJSONError(`${where}.${key}: more than ${maxLength} entries`);
  v.forEach((s, i) => {
    if (typeof s !== 'string') throw new TextJSONError(`${where}.${key}[${i}]: expected a string`);
  });
  return v as string[];
}

/** Runs a constructor on values read from JSON, turning its RangeError / TypeError into a TextJSONError. */
export function rethrowAsJSON<T>(where: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof TextJSONError) throw e;
    throw new TextJSONError(`${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
