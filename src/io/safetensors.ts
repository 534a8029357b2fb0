// Safetensors codec: reads and writes the HuggingFace .safetensors layout as plain bytes (Node and browsers).
// The decoder trusts no byte: it validates the whole header, throwing SafetensorsError, before allocating a tensor.

import { ModelLoadError } from './errors.js';
import { checkOptions } from '../tensor/validate.js';

export type SafetensorsDType = 'F32' | 'F64';

export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  data: Float32Array | Float64Array;
}

export type SafetensorsErrorCode =
  | 'BAD_INPUT' | 'TRUNCATED' | 'HEADER_TOO_LARGE' | 'BAD_JSON' | 'BAD_KEY' | 'DUPLICATE_KEY' | 'BAD_ENTRY'
  | 'BAD_DTYPE' | 'BAD_SHAPE' | 'BAD_OFFSETS' | 'TOO_MANY_TENSORS' | 'BAD_METADATA' | 'BAD_DATA';

/**
 * A malformed .safetensors file or entry. A {@link ModelLoadError} (and so a `LoadError`): one
 * `instanceof tg.ModelLoadError` catches it along with every other model-loading problem.
 */
export class SafetensorsError extends ModelLoadError<SafetensorsErrorCode> {
  /** The error's name, 'SafetensorsError'. */
  override readonly name: string = 'SafetensorsError';
}

export interface DecodeOptions {
  /** Largest JSON header accepted, in bytes (default 1 MiB). */
  maxHeaderBytes?: number;
  /** Most tensors accepted in one file (default 10 000). */
  maxTensors?: number;
  /** Most elements accepted in one tensor (default 2^28). */
  maxElements?: number;
}

// Keys that would reach Object.prototype if some later code copied the header into a plain object.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const ENTRY_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);
const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(code: SafetensorsErrorCode, message: string): never {
  throw new SafetensorsError(code, message);
}

// A comparison, not a table lookup: `table[dtype]` with dtype = "constructor" would find Object's prototype.
function isDType(x: unknown): x is SafetensorsDType {
  return x === 'F32' || x === 'F64';
}

const bytesPerElement = (dtype: SafetensorsDType | 'I64'): number => (dtype === 'F32' ? 4 : 8);

/**
 * PyTorch stores BatchNorm's step counter `num_batches_tracked` as int64. It is the one integer entry read:
 * converted to F64 (tapegrad keeps it as a float64 buffer), refused unless every value is a safe integer.
 */
const isCounterKey = (name: string): boolean => name === 'num_batches_tracked' || name.endsWith('.num_batches_tracked');

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const quote = (s: string): string => JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);

// Describes an untrusted value in an error message without stringifying something huge or deeply nested.
function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) {
    const flat = v.length <= 8 && v.every((x) => typeof x !== 'object' || x === null);
    return flat ? `[${v.map(describe).join(', ')}]` : `an array of length ${v.length}`;
  }
  return isPlainObject(v) ? 'an object' : String(v);
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '') {
    fail('BAD_KEY', `${what} must be a non-empty string, got ${describe(name)}`);
  }
  if (FORBIDDEN_KEYS.has(name)) fail('BAD_KEY', `${what} ${quote(name)} is not allowed`);
  return name;
}

/** Validates a shape and returns its element count; rejects oversized products before they are used. */
function countElements(shape: unknown, where: string, maxElements: number): number {
  if (!Array.isArray(shape)) fail('BAD_SHAPE', `${where}: shape must be an array of integers, got ${describe(shape)}`);
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      fail('BAD_SHAPE', `${where}: shape ${describe(shape)} has dimension ${describe(d)}, not a non-negative integer`);
    }
  }
  if (shape.includes(0)) return 0;
  let count = 1;
  // Checked per factor so [2**40, 2**40] stops at the first one; with maxElements a safe integer this is exact.
  for (const d of shape as number[]) {
    count *= d;
    if (count > maxElements) fail('BAD_SHAPE', `${where}: shape ${describe(shape)} has over ${maxElements} elements`);
  }
  return count;
}

function checkMetadata(metadata: Map<string, string> | Record<string, string>): [string, string][] {
  if (!(metadata instanceof Map) && !isPlainObject(metadata)) fail('BAD_METADATA', 'metadata must be an object');
  const pairs: [string, unknown][] = metadata instanceof Map ? [...metadata] : Object.entries(metadata);
  for (const [k, v] of pairs) {
    checkName(k, 'metadata key');
    if (typeof v !== 'string') fail('BAD_METADATA', `metadata ${quote(k)} must be a string, got ${describe(v)}`);
  }
  return (pairs as [string, string][]).sort(([a], [b]) => byName(a, b));
}

/**
 * Serializes tensors as safetensors bytes: keys sorted ("__metadata__" first), data laid out in name order,
 * contiguous from offset 0, header padded with spaces so the data starts 8-byte aligned.
 */
export function encodeSafetensors(
  tensors: Map<string, SafetensorsEntry> | Record<string, SafetensorsEntry>,
  metadata?: Map<string, string> | Record<string, string>,
): Uint8Array {
  if (!(tensors instanceof Map) && !isPlainObject(tensors)) fail('BAD_INPUT', 'tensors must be a Map or an object');
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  entries.sort(([a], [b]) => byName(a, b));
  const parts: string[] = [];
  const meta = metadata === undefined ? [] : checkMetadata(metadata);
  if (meta.length > 0) {
    parts.push(`"${METADATA_KEY}":{${meta.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  }
  let offset = 0;
  for (const [name, entry] of entries) {
    checkName(name, 'tensor name');
    if (name === METADATA_KEY) fail('BAD_KEY', `tensor name ${quote(name)} is reserved for metadata`);
    const where = `tensor ${quote(name)}`;
    if (!isPlainObject(entry)) fail('BAD_ENTRY', `${where}: entry must be an object`);
    const { dtype, shape, data } = entry;
    if (!isDType(dtype)) fail('BAD_DTYPE', `${where}: dtype ${describe(dtype)} is not one of F32, F64`);
    const want = dtype === 'F32' ? Float32Array : Float64Array;
    if (!(data instanceof want)) fail('BAD_DATA', `${where}: dtype ${dtype} needs a ${want.name}`);
    const count = countElements(shape, where, Number.MAX_SAFE_INTEGER);
    if (data.length !== count) {
      fail('BAD_DATA', `${where}: shape ${describe(shape)} has ${count} elements but data has ${data.length}`);
    }
    const end = offset + data.byteLength;
    const fields = `"dtype":"${dtype}","shape":[${shape.join(',')}],"data_offsets":[${offset},${end}]`;
    parts.push(`${JSON.stringify(name)}:{${fields}}`);
    offset = end;
  }
  const header = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = header.length + ((8 - (header.length % 8)) % 8);
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded % 2 ** 32, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, 8 + padded);
  let pos = 8 + padded;
  for (const [, { data }] of entries) {
    if (LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    else if (data instanceof Float32Array) data.forEach((x, i) => view.setFloat32(pos + 4 * i, x, true));
    else data.forEach((x, i) => view.setFloat64(pos + 8 * i, x, true));
    pos += data.byteLength;
  }
  return out;
}

function readLimit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (Number.isSafeInteger(value) && value >= 0) return value;
  fail('BAD_INPUT', `${name} must be a non-negative integer, got ${value}`);
}

/**
 * Rejects forbidden keys and duplicate keys anywhere in the header. JSON.parse silently keeps the last
 * duplicate, so this walks the text itself; it runs only after JSON.parse accepted the text, so every
 * string is terminated and every bracket matched.
 */
function scanKeys(text: string): void {
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string; // decodes escapes, so "\u0061" equals "a"
        if (FORBIDDEN_KEYS.has(key)) fail('BAD_KEY', `header key ${quote(key)} is not allowed`);
        if (top.keys.has(key)) fail('DUPLICATE_KEY', `header key ${quote(key)} appears twice in one object`);
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (c === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (c === '[') stack.push({ keys: null, expectKey: false });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top?.keys) top.expectKey = true;
  }
}

function parseHeader(header: Uint8Array): Record<string, unknown> {
  // The format requires '{' first; this also refuses a BOM, which TextDecoder would silently drop.
  if (header[0] !== 0x7b) fail('BAD_JSON', `header must start with "{", got byte ${describe(header[0])}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(header);
  } catch {
    fail('BAD_JSON', 'header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail('BAD_JSON', `header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isPlainObject(parsed)) fail('BAD_JSON', `header must be a JSON object, got ${describe(parsed)}`);
  scanKeys(text);
  return parsed;
}

// Reads a field only if the parsed object owns it, so a missing field never falls through to a prototype.
const own = (obj: Record<string, unknown>, key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);

interface Span { name: string; dtype: SafetensorsDType | 'I64'; shape: number[]; begin: number; end: number }

function readEntry(name: string, value: unknown, bufferLength: number, maxElements: number): Span {
  const where = `tensor ${quote(name)}`;
  if (!isPlainObject(value)) fail('BAD_ENTRY', `${where}: entry must be an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!ENTRY_FIELDS.has(key)) fail('BAD_KEY', `${where}: unknown field ${quote(key)}`);
  }
  const raw = own(value, 'dtype');
  if (raw === 'I64' && !isCounterKey(name)) {
    fail('BAD_DTYPE', `${where}: dtype "I64" is read only for BatchNorm's num_batches_tracked; other tensors must be F32 or F64`);
  }
  if (!isDType(raw) && raw !== 'I64') fail('BAD_DTYPE', `${where}: dtype ${describe(raw)} is not one of F32, F64`);
  const dtype = raw as SafetensorsDType | 'I64';
  const shape = own(value, 'shape');
  const count = countElements(shape, where, maxElements);
  const offsets = own(value, 'data_offsets');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((x) => Number.isSafeInteger(x) && x >= 0)) {
    fail('BAD_OFFSETS', `${where}: data_offsets must be two non-negative integers, got ${describe(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > bufferLength) {
    fail('BAD_OFFSETS', `${where}: data_offsets [${begin}, ${end}] do not fit a ${bufferLength}-byte buffer`);
  }
  const need = count * bytesPerElement(dtype);
  if (end - begin !== need) {
    fail('BAD_OFFSETS', `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, shape needs ${need}`);
  }
  // "+ 0" turns a JSON "-0" dimension into 0.
  return { name, dtype, shape: (shape as number[]).map((d) => d + 0), begin, end };
}

/** An I64 entry's values as float64, each checked to be a safe integer (|v| < 2^53). */
function copyInt64(buffer: Uint8Array, { name, begin, end }: Span): Float64Array {
  const view = new DataView(buffer.buffer, buffer.byteOffset + begin, end - begin);
  const out = new Float64Array((end - begin) / 8);
  for (let i = 0; i < out.length; i++) {
    const v = view.getBigInt64(8 * i, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      fail('BAD_DATA', `tensor ${quote(name)}: int64 value ${v} at ${i} is beyond ±2^53, which a float64 cannot hold exactly`);
    }
    out[i] = Number(v);
  }
  return out;
}

function copyOut(buffer: Uint8Array, span: Span): Float32Array | Float64Array {
  const { dtype, begin, end } = span;
  if (dtype === 'I64') return copyInt64(buffer, span);
  const bpe = bytesPerElement(dtype);
  const out = dtype === 'F32' ? new Float32Array((end - begin) / bpe) : new Float64Array((end - begin) / bpe);
  // A copy, never a view: the result must not alias (or keep alive) the caller's buffer, and must be aligned.
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(buffer.subarray(begin, end));
  } else {
    const view = new DataView(buffer.buffer, buffer.byteOffset + begin, end - begin);
    for (let i = 0; i < out.length; i++) {
      out[i] = bpe === 4 ? view.getFloat32(4 * i, true) : view.getFloat64(8 * i, true);
    }
  }
  return out;
}

/** Parses safetensors bytes, validating everything; the returned arrays are fresh copies. */
export function decodeSafetensors(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): { tensors: Map<string, SafetensorsEntry>; metadata: Map<string, string> } {
  try {
    checkOptions('decodeSafetensors', options, ['maxHeaderBytes', 'maxTensors', 'maxElements']);
  } catch (e) {
    fail('BAD_INPUT', (e as Error).message);
  }
  if (!(bytes instanceof Uint8Array)) fail('BAD_INPUT', 'decodeSafetensors expects a Uint8Array');
  const maxHeaderBytes = readLimit(options.maxHeaderBytes, 2 ** 20, 'maxHeaderBytes');
  const maxTensors = readLimit(options.maxTensors, 10_000, 'maxTensors');
  const maxElements = readLimit(options.maxElements, 2 ** 28, 'maxElements');

  if (bytes.length < 8) fail('TRUNCATED', `file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  // A high word of 2^21 or more means a length of at least 2^53, which a double cannot hold exactly.
  if (high >= 2 ** 21) fail('HEADER_TOO_LARGE', `header length is at least 2^53 (high word ${high})`);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > maxHeaderBytes) {
    fail('HEADER_TOO_LARGE', `header length ${headerLength} exceeds the limit of ${maxHeaderBytes} bytes`);
  }
  if (headerLength > bytes.length - 8) {
    fail('TRUNCATED', `header length ${headerLength} exceeds the ${bytes.length - 8} bytes after the length`);
  }
  const raw = parseHeader(bytes.subarray(8, 8 + headerLength));
  const buffer = bytes.subarray(8 + headerLength);

  const names = Object.keys(raw);
  const tensorCount = names.length - (Object.hasOwn(raw, METADATA_KEY) ? 1 : 0);
  if (tensorCount > maxTensors) fail('TOO_MANY_TENSORS', `header lists ${tensorCount} tensors, limit is ${maxTensors}`);
  const metadata = new Map<string, string>();
  const spans: Span[] = [];
  for (const name of names) {
    const value = raw[name];
    if (name !== METADATA_KEY) {
      spans.push(readEntry(checkName(name, 'tensor name'), value, buffer.length, maxElements));
      continue;
    }
    if (!isPlainObject(value)) fail('BAD_METADATA', `${METADATA_KEY} must be an object, got ${describe(value)}`);
    for (const key of Object.keys(value)) {
      const v = value[key];
      if (typeof v !== 'string') fail('BAD_METADATA', `metadata ${quote(key)} must be a string, got ${describe(v)}`);
      metadata.set(key, v);
    }
  }

  // Tensors must tile the buffer exactly: no overlap (aliasing), no gaps or trailing bytes (hidden payloads).
  const sorted = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const s of sorted) {
    if (s.begin !== expected) {
      const how = s.begin < expected ? 'overlaps the previous tensor' : `leaves a gap after byte ${expected}`;
      fail('BAD_OFFSETS', `tensor ${quote(s.name)}: data_offsets [${s.begin}, ${s.end}] ${how}`);
    }
    expected = s.end;
  }
  if (expected !== buffer.length) {
    fail('BAD_OFFSETS', `tensors cover ${expected} bytes but the data buffer has ${buffer.length}`);
  }

  const tensors = new Map<string, SafetensorsEntry>();
  for (const s of spans) tensors.set(s.name, { dtype: s.dtype === 'I64' ? 'F64' : s.dtype, shape: s.shape, data: copyOut(buffer, s) });
  return { tensors, metadata };
}
