// A small protobuf writer for the ONNX messages the exporter emits (ModelProto and what it holds).
// Field numbers are those of onnx.proto (ONNX 1.10+); the tests decode our bytes with the official schema.

/** A protobuf message under construction: chunks of encoded fields, concatenated once at the end. */
export class ProtoWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;
  #scratch: number[] = [];

  /** The encoded size so far, in bytes. */
  get length(): number {
    return this.#length;
  }

  #push(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#length += bytes.length;
  }

  #flushScratch(): void {
    if (this.#scratch.length === 0) return;
    this.#push(Uint8Array.from(this.#scratch));
    this.#scratch = [];
  }

  /** Appends a varint: non-negative safe integers directly, negative ones as 64-bit two's complement (10 bytes). */
  #varint(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf: ${v} is not a safe integer`);
    if (v < 0) {
      let b = BigInt.asUintN(64, BigInt(v));
      while (b >= 0x80n) {
        this.#scratch.push(Number(b & 0x7fn) | 0x80);
        b >>= 7n;
      }
      this.#scratch.push(Number(b));
      return;
    }
    while (v >= 0x80) {
      this.#scratch.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.#scratch.push(v);
  }

  #key(field: number, wireType: 0 | 2 | 5): void {
    this.#varint(field * 8 + wireType);
  }

  /** An int32/int64/enum field (wire type 0). */
  int(field: number, v: number): this {
    this.#key(field, 0);
    this.#varint(v);
    return this;
  }

  /** A float field (wire type 5, little-endian IEEE 754 single). */
  float(field: number, v: number): this {
    this.#key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.#scratch.push(...b);
    return this;
  }

  /** A bytes field (wire type 2); the array is referenced, not copied, until finish(). */
  bytes(field: number, data: Uint8Array): this {
    this.#key(field, 2);
    this.#varint(data.length);
    this.#flushScratch();
    this.#push(data);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** An embedded message field. */
  message(field: number, msg: ProtoWriter): this {
    msg.#flushScratch();
    this.#key(field, 2);
    this.#varint(msg.#length);
    this.#flushScratch();
    for (const p of msg.#parts) this.#push(p);
    return this;
  }

  /** A packed repeated int64 field (how proto3 writes repeated scalars). */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.#varint(v);
    inner.#flushScratch();
    this.#key(field, 2);
    this.#varint(inner.#length);
    this.#flushScratch();
    for (const p of inner.#parts) this.#push(p);
    return this;
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    this.#flushScratch();
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** ONNX TensorProto.DataType values used here. */
export const ONNX_DTYPE = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 } as const;

/** ONNX AttributeProto.AttributeType values used here. */
const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

/** A constant tensor: name, ONNX data type, dims and its little-endian bytes. */
export interface TensorSpec {
  /** The initializer's (or Constant's) name; may be empty inside an attribute. */
  name: string;
  /** One of {@link ONNX_DTYPE}. */
  dataType: number;
  /** The shape. */
  dims: readonly number[];
  /** The elements in row-major order, little-endian. */
  raw: Uint8Array;
}

/** Encodes a TensorProto (dims = 1, data_type = 2, name = 8, raw_data = 9). */
export function tensorProto(t: TensorSpec): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length) w.packedInts(1, t.dims);
  w.int(2, t.dataType);
  if (t.name) w.string(8, t.name);
  return w.bytes(9, t.raw);
}

/** A node attribute's value: a number (int unless `float` is set), a list of ints or floats, a string, a list of strings or a tensor. */
export type AttrValue =
  | { int: number } | { float: number } | { ints: readonly number[] } | { floats: readonly number[] } | { string: string }
  | { strings: readonly string[] } | { tensor: TensorSpec };

/** Encodes an AttributeProto (name = 1, f = 2, i = 3, s = 4, t = 5, floats = 7, ints = 8, strings = 9, type = 20). */
export function attributeProto(name: string, v: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if ('int' in v) w.int(3, v.int).int(20, ATTR_TYPE.int);
  else if ('float' in v) w.float(2, v.float).int(20, ATTR_TYPE.float);
  else if ('ints' in v) w.packedInts(8, v.ints).int(20, ATTR_TYPE.ints);
  else if ('floats' in v) {
    for (const f of v.floats) w.float(7, f);
    w.int(20, ATTR_TYPE.floats);
  } else if ('string' in v) w.string(4, v.string).int(20, ATTR_TYPE.string);
  else if ('strings' in v) {
    for (const x of v.strings) w.string(9, x);
    w.int(20, ATTR_TYPE.strings);
  } else w.message(5, tensorProto(v.tensor)).int(20, ATTR_TYPE.tensor);
  return w;
}

/** One graph node as the exporter builds it. */
export interface NodeSpec {
  /** The ONNX operator, e.g. 'Gemm'. */
  opType: string;
  /** Input value names ('' for an omitted optional input). */
  inputs: readonly string[];
  /** Output value names. */
  outputs: readonly string[];
  /** A unique node name. */
  name: string;
  /** Attributes by name. */
  attrs: Record<string, AttrValue>;
}

/** Encodes a NodeProto (input = 1, output = 2, name = 3, op_type = 4, attribute = 5). */
export function nodeProto(n: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const [k, v] of Object.entries(n.attrs)) w.message(5, attributeProto(k, v));
  return w;
}

/** A graph input or output: name, element type and dims (a number, or a symbolic name for a dynamic dim). */
export interface ValueSpec {
  /** The value's name. */
  name: string;
  /** One of {@link ONNX_DTYPE}. */
  elemType: number;
  /** Each dim: its size, or the name of a dynamic dim. */
  dims: readonly (number | string)[];
}

/** Encodes a ValueInfoProto with a tensor type (TypeProto.tensor_type = 1; elem_type = 1, shape = 2; dim_value = 1, dim_param = 2). */
export function valueInfoProto(v: ValueSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    const dim = typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, v.name).message(2, type);
}

/** Everything a ModelProto holds here. */
export interface ModelSpec {
  /** The IR version matching the opset. */
  irVersion: number;
  /** The default-domain opset. */
  opset: number;
  /** Who made the file. */
  producerName: string;
  /** Its version. */
  producerVersion: string;
  /** The graph's name. */
  graphName: string;
  /** Nodes in topological order. */
  nodes: readonly NodeSpec[];
  /** Weights and constants. */
  initializers: readonly TensorSpec[];
  /** Graph inputs. */
  inputs: readonly ValueSpec[];
  /** Graph outputs. */
  outputs: readonly ValueSpec[];
  /** Free text for the model's doc_string. */
  docString: string;
}

/**
 * Encodes a ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7,
 * opset_import = 8; GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
 */
export function modelProto(m: ModelSpec): Uint8Array {
  const graph = new ProtoWriter();
  for (const n of m.nodes) graph.message(1, nodeProto(n));
  graph.string(2, m.graphName);
  for (const t of m.initializers) graph.message(5, tensorProto(t));
  for (const v of m.inputs) graph.message(11, valueInfoProto(v));
  for (const v of m.outputs) graph.message(12, valueInfoProto(v));
  const model = new ProtoWriter()
    .int(1, m.irVersion)
    .string(2, m.producerName)
    .string(3, m.producerVersion);
  if (m.docString) model.string(6, m.docString);
  model.message(7, graph).message(8, new ProtoWriter().string(1, '').int(2, m.opset));
  return model.finish();
}
