// Tests for the safetensors codec: bitwise round trips, the exact byte layout of the official format,
// and hostile inputs (truncation, bit flips, malformed headers), each of which must fail with a SafetensorsError.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  type DecodeOptions,
  type SafetensorsEntry,
} from '../src/io/safetensors.js';
import { Generator } from '../src/tensor/random.js';

const f32 = (shape: number[], v: number[]): SafetensorsEntry => ({ dtype: 'F32', shape, data: new Float32Array(v) });
const f64 = (shape: number[], v: number[]): SafetensorsEntry => ({ dtype: 'F64', shape, data: new Float64Array(v) });
const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A file from a raw header string (unpadded, as a hostile writer might send it) and a raw data buffer. */
function build(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A file whose 8-byte length field holds `length` (a bigint, so lengths past 2^53 are exact). */
function withLength(length: bigint, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + rest.length);
  new DataView(out.buffer).setBigUint64(0, length, true);
  out.set(rest, 8);
  return out;
}

function expectCode(bytes: Uint8Array, code: string, options?: DecodeOptions): SafetensorsError {
  let caught: unknown;
  try {
    decodeSafetensors(bytes, options);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  const err = caught as SafetensorsError;
  expect(err.name).toBe('SafetensorsError');
  expect(err.code, err.message).toBe(code);
  return err;
}

/** The JSON text of one header entry, with any (possibly invalid) field values. */
const entry = (shape: unknown, offsets: unknown, dtype: unknown = 'F32'): string =>
  JSON.stringify({ dtype, shape, data_offsets: offsets });

function expectSameBits(a: Map<string, SafetensorsEntry>, b: Map<string, SafetensorsEntry>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, x] of a) {
    const y = b.get(name)!;
    expect(y.dtype).toBe(x.dtype);
    expect(y.shape).toEqual(x.shape);
    expect(y.data.constructor).toBe(x.data.constructor);
    expect(bytesOf(y.data)).toEqual(bytesOf(x.data));
  }
}

describe('round trip', () => {
  test('F32 and F64 are bitwise exact, including NaN payloads, -0, infinities and subnormals', () => {
    const a = f32([2, 3], [1.5, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38]);
    new Uint32Array(a.data.buffer)[1] = 0x7fc01234; // a NaN with a payload
    const b = f64([4], [Math.PI, -0, 5e-324, Number.MAX_VALUE]);
    new Uint32Array(b.data.buffer)[1] = 0x7ff80abc;
    const tensors = new Map([['weight', a], ['bias', b]]);
    const { tensors: back, metadata } = decodeSafetensors(encodeSafetensors(tensors));
    expectSameBits(tensors, back);
    expect(metadata.size).toBe(0);
  });

  test('scalars, zero-size tensors, metadata and an empty file', () => {
    const tensors = new Map([
      ['scalar32', f32([], [7])],
      ['scalar64', f64([], [-2.25])],
      ['empty', f32([0], [])],
      ['empty2d', f64([3, 0], [])],
      ['also_empty', f32([0, 5], [])],
    ]);
    const meta = { format: 'pt', note: 'ünïcode ✓ "quoted" \\ \u{1F600}' };
    const out = decodeSafetensors(encodeSafetensors(tensors, meta));
    expectSameBits(tensors, out.tensors);
    expect(Object.fromEntries(out.metadata)).toEqual(meta);
    const none = decodeSafetensors(encodeSafetensors({}));
    expect(none.tensors.size).toBe(0);
    expect(none.metadata.size).toBe(0);
  });

  test('a Record and a Map give identical bytes; metadata may be a Map', () => {
    const rec = { b: f32([1], [1]), a: f64([1], [2]) };
    const fromRecord = encodeSafetensors(rec, { k: 'v' });
    const fromMap = encodeSafetensors(new Map(Object.entries(rec)), new Map([['k', 'v']]));
    expect(fromMap).toEqual(fromRecord);
    // Re-encoding a decoded file reproduces it byte for byte.
    const { tensors, metadata } = decodeSafetensors(fromRecord);
    expect(encodeSafetensors(tensors, metadata)).toEqual(fromRecord);
  });

  test('random tensors round-trip (property)', () => {
    const tensor = fc.record({
      dtype: fc.constantFrom<'F32' | 'F64'>('F32', 'F64'),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), tensor, { maxKeys: 5 }), (spec) => {
        const tensors = new Map<string, SafetensorsEntry>();
        for (const [name, { dtype, shape, seed }] of Object.entries(spec)) {
          if (['__proto__', 'constructor', 'prototype', '__metadata__'].includes(name)) continue;
          const n = shape.reduce((p, d) => p * d, 1);
          const g = new Generator(seed);
          const data = dtype === 'F32' ? new Float32Array(n) : new Float64Array(n);
          new Uint32Array(data.buffer).forEach((_, i, words) => (words[i] = g.nextUint32())); // arbitrary bits
          tensors.set(name, { dtype, shape, data });
        }
        expectSameBits(tensors, decodeSafetensors(encodeSafetensors(tensors)).tensors);
      }),
      { numRuns: 200 },
    );
  });

  test('results are fresh aligned copies, and a subarray at an odd offset decodes', () => {
    const file = encodeSafetensors({ x: f64([2], [1, 2]) });
    const shifted = new Uint8Array(file.length + 3);
    shifted.set(file, 3);
    const view = shifted.subarray(3);
    const x = decodeSafetensors(view).tensors.get('x')!;
    expect(x.data.buffer).not.toBe(shifted.buffer);
    expect(x.data.byteOffset).toBe(0);
    view.fill(0xff, view.length - 16);
    expect(Array.from(x.data)).toEqual([1, 2]);
  });
});

describe('byte layout', () => {
  test('the encoder writes the exact layout of the official format', () => {
    const file = encodeSafetensors({ b: f32([2], [1, 2]), a: f64([], [0.5]) }, { format: 'pt' });
    const json =
      '{"__metadata__":{"format":"pt"},' +
      '"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},' +
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}';
    const padded = Math.ceil(json.length / 8) * 8;
    expect(padded - json.length).toBeGreaterThan(0); // this fixture does exercise padding
    const expected = [
      ...[padded, 0, 0, 0, 0, 0, 0, 0], // u64 little-endian header length (< 256 here)
      ...new TextEncoder().encode(json),
      ...new Array<number>(padded - json.length).fill(0x20), // spaces up to an 8-byte boundary
      ...[0, 0, 0, 0, 0, 0, 0xe0, 0x3f], // a = 0.5 as F64 LE
      ...[0, 0, 0x80, 0x3f, 0, 0, 0, 0x40], // b = [1, 2] as F32 LE
    ];
    expect(Array.from(file)).toEqual(expected);
    expect((8 + padded) % 8).toBe(0);
  });

  test('the decoder reads a hand-built file laid out differently (dtype order, unpadded, shuffled keys)', () => {
    // As the official writer may emit: data ordered F64 first, keys in no particular order, no padding.
    const header =
      '{"w":{"shape":[2],"dtype":"F32","data_offsets":[8,16]},"__metadata__":{},' +
      '"s":{"data_offsets":[0,8],"dtype":"F64","shape":[]}}';
    const data = new Uint8Array([0, 0, 0, 0, 0, 0, 0xf0, 0xbf, 0, 0, 0x40, 0x40, 0, 0, 0xa0, 0xc0]);
    const { tensors } = decodeSafetensors(build(header, data));
    expect(tensors.get('s')).toEqual(f64([], [-1]));
    expect(tensors.get('w')).toEqual(f32([2], [3, -5]));
  });
});

describe('fuzzing', () => {
  const sample = encodeSafetensors(
    { a: f32([2, 2], [1, 2, 3, 4]), b: f64([], [9]), c: f32([0], []) },
    { author: 'tapegrad' },
  );

  test('truncation at every length fails with a SafetensorsError', () => {
    for (let n = 0; n < sample.length; n++) {
      expect(() => decodeSafetensors(sample.subarray(0, n)), `length ${n}`).toThrow(SafetensorsError);
    }
    expect(decodeSafetensors(sample).tensors.size).toBe(3);
  });

  test('2000 random bit flips either decode to a consistent result or throw a SafetensorsError', () => {
    const g = new Generator(1234);
    let decoded = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const bytes = sample.slice();
      const flips = 1 + g.randint(0, 3);
      for (let k = 0; k < flips; k++) bytes[g.randint(0, bytes.length)] ^= 1 << g.randint(0, 8);
      try {
        const { tensors } = decodeSafetensors(bytes);
        decoded++;
        for (const t of tensors.values()) expect(t.data.length).toBe(t.shape.reduce((p, d) => p * d, 1));
      } catch (e) {
        if (!(e instanceof SafetensorsError)) throw new Error(`trial ${trial}: ${String(e)}`);
      }
    }
    expect(decoded).toBeGreaterThan(0); // flips in the data region still decode
  });
});

describe('hostile headers', () => {
  const x16 = new Uint8Array(16);

  test('too short and oversized header lengths are rejected before decoding', () => {
    expectCode(new Uint8Array(7), 'TRUNCATED');
    expectCode(withLength(2n ** 60n, new Uint8Array(4)), 'HEADER_TOO_LARGE');
    expectCode(withLength(2n ** 53n, new Uint8Array(4)), 'HEADER_TOO_LARGE');
    expectCode(withLength(2n ** 40n, new Uint8Array(4)), 'HEADER_TOO_LARGE');
    expectCode(withLength(100n, new TextEncoder().encode('{}')), 'TRUNCATED');
    expectCode(build('{}      '), 'HEADER_TOO_LARGE', { maxHeaderBytes: 4 });
    expect(decodeSafetensors(build('{}      '), { maxHeaderBytes: 8 }).tensors.size).toBe(0);
  });

  test('invalid UTF-8, non-JSON and non-object headers', () => {
    const bad = build('{"x":1}');
    bad[10] = 0xff;
    expectCode(bad, 'BAD_JSON');
    expectCode(build(''), 'BAD_JSON');
    expectCode(build('{"a": '), 'BAD_JSON');
    expectCode(build('[]'), 'BAD_JSON');
    expectCode(build('42'), 'BAD_JSON');
    expectCode(build('null'), 'BAD_JSON');
    expectCode(build(' {}'), 'BAD_JSON'); // the format requires '{' as the first byte
    expectCode(build('\u{FEFF}{}'), 'BAD_JSON');
  });

  test('shapes: huge, negative, fractional and non-numeric dimensions', () => {
    expectCode(build(`{"x":${entry([2 ** 40, 2 ** 40], [0, 16])}}`, x16), 'BAD_SHAPE');
    expectCode(build(`{"x":${entry([2 ** 60], [0, 16])}}`, x16), 'BAD_SHAPE');
    expectCode(build(`{"x":${entry([-4], [0, 16])}}`, x16), 'BAD_SHAPE');
    expectCode(build(`{"x":${entry([1.5], [0, 16])}}`, x16), 'BAD_SHAPE');
    expectCode(build(`{"x":${entry(['4'], [0, 16])}}`, x16), 'BAD_SHAPE');
    expectCode(build(`{"x":${entry(4, [0, 16])}}`, x16), 'BAD_SHAPE');
    expectCode(build(`{"x":{"dtype":"F32","data_offsets":[0,16]}}`, x16), 'BAD_SHAPE');
    expectCode(build(`{"x":${entry([4], [0, 16])}}`, x16), 'BAD_SHAPE', { maxElements: 3 });
    // A zero anywhere makes the tensor empty, however large the other dimensions.
    const empty = decodeSafetensors(build(`{"x":${entry([2 ** 40, 0], [0, 0])}}`)).tensors.get('x')!;
    expect(empty.shape).toEqual([2 ** 40, 0]);
    expect(empty.data.length).toBe(0);
  });

  test('offsets: overlap, gaps, past the end, wrong sizes and malformed pairs', () => {
    const two = (a: unknown, b: unknown) => build(`{"x":${entry([2], a)},"y":${entry([2], b)}}`, x16);
    expect(decodeSafetensors(two([8, 16], [0, 8])).tensors.size).toBe(2);
    expectCode(two([0, 8], [4, 12]), 'BAD_OFFSETS'); // overlap (and a tail gap)
    expectCode(two([0, 8], [0, 8]), 'BAD_OFFSETS'); // aliasing
    expectCode(two([0, 8], [12, 20]), 'BAD_OFFSETS'); // past the end
    expectCode(build(`{"x":${entry([2], [4, 12])}}`, new Uint8Array(12)), 'BAD_OFFSETS'); // gap at start
    expectCode(build(`{"x":${entry([2], [0, 8])}}`, x16), 'BAD_OFFSETS'); // trailing bytes
    expectCode(build('{}', x16), 'BAD_OFFSETS');
    expectCode(build(`{"x":${entry([3], [0, 8])}}`, new Uint8Array(8)), 'BAD_OFFSETS'); // size mismatch
    expectCode(build(`{"x":${entry([2], [8, 0])}}`, x16), 'BAD_OFFSETS');
    expectCode(build(`{"x":${entry([2], [-8, 0])}}`, x16), 'BAD_OFFSETS');
    expectCode(build(`{"x":${entry([2], [0, 8, 16])}}`, x16), 'BAD_OFFSETS');
    expectCode(build(`{"x":${entry([2], [0.5, 8.5])}}`, x16), 'BAD_OFFSETS');
    expectCode(build(`{"x":${entry([2], '0,8')}}`, x16), 'BAD_OFFSETS');
    expectCode(build(`{"x":${entry([2], [0, 2 ** 60])}}`, x16), 'BAD_OFFSETS');
  });

  test('forbidden keys anywhere, unknown fields and duplicates', () => {
    const ok = entry([], [0, 4]);
    const four = new Uint8Array(4);
    expectCode(build(`{"__proto__":${ok}}`, four), 'BAD_KEY');
    expectCode(build(`{"constructor":${ok}}`, four), 'BAD_KEY');
    expectCode(build(`{"x":{"dtype":"F32","shape":[],"data_offsets":[0,4],"__proto__":{}}}`, four), 'BAD_KEY');
    expectCode(build(`{"x":{"dtype":"F32","shape":[],"data_offsets":[0,4],"prototype":1}}`, four), 'BAD_KEY');
    expectCode(build(`{"x":{"dtype":{"constructor":1},"shape":[],"data_offsets":[0,4]}}`, four), 'BAD_KEY');
    expectCode(build(`{"__metadata__":{"__proto__":"x"},"x":${ok}}`, four), 'BAD_KEY');
    expectCode(build(`{"\\u005f_proto__":${ok}}`, four), 'BAD_KEY'); // escaped spelling
    expectCode(build(`{"x":{"dtype":"F32","shape":[],"data_offsets":[0,4],"extra":0}}`, four), 'BAD_KEY');
    expectCode(build(`{"":${ok}}`, four), 'BAD_KEY');
    expectCode(build(`{"x":${ok},"x":${ok}}`, four), 'DUPLICATE_KEY');
    expectCode(build(`{"x":${ok},"\\u0078":${ok}}`, four), 'DUPLICATE_KEY');
    expectCode(build(`{"x":{"dtype":"F32","dtype":"F32","shape":[],"data_offsets":[0,4]}}`, four), 'DUPLICATE_KEY');
    expectCode(build(`{"x":3}`), 'BAD_ENTRY');
    expectCode(build(`{"x":[]}`), 'BAD_ENTRY');
    // The same text inside string values is not a key.
    const tricky = `{"__metadata__":{"a":"\\"__proto__\\": {","b":"a"},"x":${ok}}`;
    expect(decodeSafetensors(build(tricky, four)).metadata.get('a')).toBe('"__proto__": {');
  });

  test('unsupported dtypes are named in the error', () => {
    for (const dtype of ['F16', 'I64', 'BF16', 'object', 'toString', 'constructor', 7, null, {}]) {
      const err = expectCode(build(`{"x":${entry([], [0, 4], dtype)}}`, new Uint8Array(4)), 'BAD_DTYPE');
      if (typeof dtype === 'string') expect(err.message).toContain(dtype);
    }
    expectCode(build('{"x":{"shape":[],"data_offsets":[0,0]}}'), 'BAD_DTYPE');
  });

  test('tensor count and metadata limits', () => {
    const three = encodeSafetensors({ a: f32([], [1]), b: f32([], [2]), c: f32([], [3]) }, { m: 'n' });
    expectCode(three, 'TOO_MANY_TENSORS', { maxTensors: 2 });
    expect(decodeSafetensors(three, { maxTensors: 3 }).tensors.size).toBe(3);
    for (const meta of ['[]', 'null', '"text"', '{"k":1}', '{"k":null}', '{"k":{}}']) {
      expectCode(build(`{"__metadata__":${meta}}`), 'BAD_METADATA');
    }
  });

  test('error messages name the tensor and the values involved', () => {
    const err = expectCode(build(`{"weights":${entry([3], [0, 8])}}`, new Uint8Array(8)), 'BAD_OFFSETS');
    expect(err.message).toContain('"weights"');
    expect(err.message).toContain('[0, 8]');
    expect(err.message).toContain('12');
  });

  test('decoding a malicious file never pollutes Object.prototype', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const attacks = [
      '{"__proto__":{"polluted":"yes"}}',
      '{"__metadata__":{"__proto__":"yes"}}',
      '{"x":{"__proto__":{"polluted":"yes"},"dtype":"F32","shape":[],"data_offsets":[0,0]}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
    ];
    for (const attack of attacks) expectCode(build(attack), 'BAD_KEY');
    // A file that only mentions "polluted" in values decodes into Maps, touching no prototype.
    decodeSafetensors(build('{"__metadata__":{"polluted":"yes"}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  });
});

describe('argument validation', () => {
  const expectEncode = (fn: () => unknown, code: string) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(SafetensorsError);
      expect((e as SafetensorsError).code).toBe(code);
      return;
    }
    throw new Error(`expected ${code}`);
  };

  test('bad arguments to either function are SafetensorsErrors too', () => {
    expectEncode(() => decodeSafetensors([0, 0, 0, 0, 0, 0, 0, 0] as unknown as Uint8Array), 'BAD_INPUT');
    expectEncode(() => decodeSafetensors(build('{}'), { maxTensors: -1 }), 'BAD_INPUT');
    expectEncode(() => decodeSafetensors(build('{}'), { maxHeaderBytes: 1.5 }), 'BAD_INPUT');
    expectEncode(() => encodeSafetensors(null as unknown as Map<string, SafetensorsEntry>), 'BAD_INPUT');
    expectEncode(() => encodeSafetensors({ x: null as unknown as SafetensorsEntry }), 'BAD_ENTRY');
  });

  test('rejects bad names, shapes, dtypes, data and metadata', () => {
    const one = f32([1], [1]);
    expectEncode(() => encodeSafetensors(new Map([['', one]])), 'BAD_KEY');
    expectEncode(() => encodeSafetensors(new Map([['__proto__', one]])), 'BAD_KEY');
    expectEncode(() => encodeSafetensors(JSON.parse('{"__proto__":{}}')), 'BAD_KEY');
    expectEncode(() => encodeSafetensors(new Map([['__metadata__', one]])), 'BAD_KEY');
    expectEncode(() => encodeSafetensors({ x: f32([2], [1]) }), 'BAD_DATA');
    expectEncode(() => encodeSafetensors({ x: { dtype: 'F64', shape: [1], data: new Float32Array(1) } }), 'BAD_DATA');
    expectEncode(() => encodeSafetensors({ x: { ...one, dtype: 'F16' as 'F32' } }), 'BAD_DTYPE');
    expectEncode(() => encodeSafetensors({ x: f32([-1], []) }), 'BAD_SHAPE');
    expectEncode(() => encodeSafetensors({ x: f32([0.5], []) }), 'BAD_SHAPE');
    expectEncode(() => encodeSafetensors({ x: one }, { k: 1 as unknown as string }), 'BAD_METADATA');
    expectEncode(() => encodeSafetensors({ x: one }, new Map([['constructor', 'v']])), 'BAD_KEY');
  });
});
