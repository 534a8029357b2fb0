// State dicts as safetensors: tg.stateDictToBytes / tg.stateDictFromBytes (anywhere) and tg.save / tg.load
// (Node). The loader trusts no byte: sizes are capped before decoding, and names, shapes and dtypes can be
// checked against what the caller expects (how tg.loadModel reads a model's weights). Errors are
// ModelLoadError (a tg.LoadError) with a code; a malformed file is its subclass SafetensorsError.

import { Tensor } from '../autograd/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { NDArray } from '../tensor/ndarray.js';
import { fmtShape } from '../tensor/shape.js';
import { ModelLoadError, type ModelLoadErrorCode } from './errors.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsDType, type SafetensorsEntry } from './safetensors.js';

/** Tensors by name, as `module.stateDict()` returns them (a Map) or as a plain object. */
export type TensorDict = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** One tensor a caller expects in a file: its shape, dtype and a label for messages ("layer 0 (dense) weight"). */
export interface ExpectedTensor {
  shape: number[];
  dtype: SafetensorsDType;
  label: string;
}

/** Limits for {@link stateDictFromBytes} and {@link load} on an untrusted file; each is optional. */
export interface StateDictLoadOptions {
  /** Largest file accepted, in bytes (default 2^30). */
  maxBytes?: number;
  /** Most tensors in the file (default 10 000). */
  maxTensors?: number;
  /** Most elements in one tensor (default 2^28). */
  maxElements?: number;
}

/** The largest safetensors JSON header read (1 MiB). */
export const MAX_HEADER_BYTES = 1 << 20;

function fail(code: ModelLoadErrorCode, message: string): never {
  throw new ModelLoadError(code, message);
}

/** The safetensors dtype tag of a tensor dtype. */
export function safetensorsDType(dtype: DType): SafetensorsDType {
  return dtype === 'float64' ? 'F64' : 'F32';
}

const bytesPer = (dtype: SafetensorsDType): number => (dtype === 'F64' ? 8 : 4);

/** The largest file a set of expected tensors can need: 8 length bytes, the header, the data. */
export function maxFileBytes(expected: ReadonlyMap<string, ExpectedTensor>): number {
  let data = 0;
  for (const e of expected.values()) data += e.shape.reduce((a, b) => a * b, 1) * bytesPer(e.dtype);
  return 8 + MAX_HEADER_BYTES + data;
}

function entriesOf(dict: TensorDict, where: string): [string, Tensor][] {
  if (dict instanceof Map) return [...(dict as ReadonlyMap<string, Tensor>)];
  if (typeof dict !== 'object' || dict === null) fail('BAD_INPUT', `${where}: expected a state dict (a Map or an object of tensors), got ${dict === null ? 'null' : typeof dict}`);
  return Object.entries(dict);
}

/**
 * A state dict as safetensors bytes (tensor names are the keys; values are copied in row-major order).
 * Works everywhere; pair it with {@link stateDictFromBytes}.
 * @example
 * ```ts
 * const net = new tg.nn.Linear(3, 2);
 * const bytes = tg.stateDictToBytes(net.stateDict());
 * net.loadStateDict(tg.stateDictFromBytes(bytes));
 * ```
 */
export function stateDictToBytes(dict: TensorDict): Uint8Array {
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, t] of entriesOf(dict, 'stateDictToBytes')) {
    if (!(t instanceof Tensor)) fail('BAD_INPUT', `stateDictToBytes: ${JSON.stringify(name)} is not a Tensor`);
    if (t.dtype === 'int32') fail('BAD_INPUT', `stateDictToBytes: ${JSON.stringify(name)} is int32, which is not saved yet (only F32/F64); convert it with .float()`);
    entries.set(name, { dtype: safetensorsDType(t.dtype), shape: [...t.shape], data: t.value.contiguous().values().slice() as Float32Array | Float64Array });
  }
  return encodeSafetensors(entries);
}

function readLimit(v: number | undefined, fallback: number, name: string, where: string): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 0) fail('BAD_INPUT', `${where}: option ${name} must be a non-negative integer, got ${String(v)}`);
  return v;
}

/**
 * Decodes safetensors bytes into tensors, checking them against `expected` when given: every expected name
 * present with its shape and dtype, nothing else. SafetensorsError passes through (it already says what is
 * wrong with the file); everything else is a LoadError naming `where`.
 */
export function checkedTensors(
  bytes: Uint8Array, where: string, expected: ReadonlyMap<string, ExpectedTensor> | null, options: StateDictLoadOptions = {},
): Map<string, Tensor> {
  if (!(bytes instanceof Uint8Array)) fail('BAD_INPUT', `${where}: the weights must be a Uint8Array`);
  let maxTensors = readLimit(options.maxTensors, 10_000, 'maxTensors', where);
  let maxElements = readLimit(options.maxElements, 2 ** 28, 'maxElements', where);
  let maxBytes = readLimit(options.maxBytes, 2 ** 30, 'maxBytes', where);
  if (expected) {
    maxTensors = expected.size + 64;
    maxElements = Math.max(1 << 16, ...[...expected.values()].map((e) => e.shape.reduce((a, b) => a * b, 1)));
    maxBytes = maxFileBytes(expected);
  }
  if (bytes.length > maxBytes) fail('TOO_LARGE', `${where}: the weights file has ${bytes.length} bytes, more than the ${maxBytes} ${expected ? 'the architecture can need' : 'allowed'}`);
  const { tensors } = decodeSafetensors(bytes, { maxHeaderBytes: MAX_HEADER_BYTES, maxTensors, maxElements });
  if (expected) {
    for (const name of tensors.keys()) {
      if (!expected.has(name)) fail('UNEXPECTED_TENSOR', `${where}: the weights file has a tensor ${JSON.stringify(name.slice(0, 64))} that the architecture does not use`);
    }
    for (const [name, e] of expected) {
      const t = tensors.get(name);
      if (!t) fail('MISSING_TENSOR', `${where}: ${e.label} (tensor ${JSON.stringify(name)}) is missing from the weights file`);
      if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
        fail('SHAPE_MISMATCH', `${where}: ${e.label} has shape ${fmtShape(t.shape)} in the file but the architecture expects ${fmtShape(e.shape)}`);
      }
      if (t.dtype !== e.dtype) fail('DTYPE_MISMATCH', `${where}: ${e.label} is ${t.dtype} in the file but the architecture expects ${e.dtype}`);
    }
  }
  const out = new Map<string, Tensor>();
  for (const [name, t] of tensors) out.set(name, new Tensor(new NDArray(t.data, t.shape)));
  return out;
}

/**
 * Reads a state dict from safetensors bytes (as written by {@link stateDictToBytes}, or by PyTorch's
 * safetensors for F32/F64 tensors). Trusts nothing: sizes are capped and the whole header is checked before
 * any tensor is allocated. Load the result with `module.loadStateDict(dict)`, which checks names and shapes.
 */
export function stateDictFromBytes(bytes: Uint8Array, options: StateDictLoadOptions = {}): Map<string, Tensor> {
  return checkedTensors(bytes, 'stateDictFromBytes', null, options);
}

const isNode = (): boolean => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/** The Node file helpers, or a NOT_NODE LoadError naming what needed them. */
export async function nodeFs(what: string, instead: string): Promise<typeof import('./node-fs.js')> {
  if (!isNode()) fail('NOT_NODE', `${what} needs Node's file system; ${instead}`);
  return import('./node-fs.js');
}

/** Splits a file path into its directory and a plain file name (the part node-fs accepts). */
function splitPath(file: unknown, where: string): [string, string] {
  if (typeof file !== 'string' || file === '' || file.includes('\0')) fail('BAD_INPUT', `${where}: the path must be a non-empty string`);
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const name = file.slice(cut + 1);
  if (name === '' || name === '.' || name === '..') fail('BAD_PATH', `${where}: ${JSON.stringify(file)} does not name a file`);
  return [cut < 0 ? '.' : file.slice(0, cut + 1), name];
}

/**
 * Writes a state dict to a safetensors file (Node only; torch.save for tensors). The directory is created if
 * needed; the file is written through a temporary file and a rename, and a symlink in its place is refused.
 * @example
 * ```ts
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const file = join(tmpdir(), 'net.safetensors');
 * await tg.save(net.stateDict(), file);
 * net.loadStateDict(await tg.load(file));
 * ```
 */
export async function save(dict: TensorDict, file: string): Promise<void> {
  const [dir, name] = splitPath(file, 'save');
  const bytes = stateDictToBytes(dict);
  const io = await nodeFs('save', 'in a browser use tg.stateDictToBytes');
  await io.writeFilesAtomic(dir, [[name, bytes]], 'save');
}

/**
 * Reads a state dict from a safetensors file (Node only; torch.load for tensors), with the checks of
 * {@link stateDictFromBytes}; the file must be a regular file (not a symlink) of at most `maxBytes` bytes.
 */
export async function load(file: string, options: StateDictLoadOptions = {}): Promise<Map<string, Tensor>> {
  const [dir, name] = splitPath(file, 'load');
  const maxBytes = readLimit(options.maxBytes, 2 ** 30, 'maxBytes', 'load');
  const io = await nodeFs('load', 'in a browser use tg.stateDictFromBytes');
  const bytes = await io.readFileChecked(dir, name, maxBytes, 'load');
  return checkedTensors(bytes, 'load', null, options);
}
