// PyTorch in and out, from fixtures made once by scripts/fixtures/torch_io.py (tests never run Python):
// weights PyTorch saved load into the same tg.nn architecture and give PyTorch's outputs; the files
// tapegrad writes loaded into PyTorch with strict names and shapes and gave tapegrad's outputs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tg from 'tapegrad';
import { describe, expect, it } from 'vitest';
import { tapegradFixture, TORCH_MODELS } from '../scripts/fixtures/torch-models.js';

const dir = fileURLToPath(new URL('./fixtures/torch/', import.meta.url));
const json = (p: string) => JSON.parse(readFileSync(join(dir, p), 'utf8'));
const asTensor = (e: { shape: number[]; data: number[] }, dtype: 'float32' | 'float64' = 'float32') => tg.tensor(e.data, { shape: e.shape, dtype });

/** The largest elementwise |a − b| / max(|b|, 1e-3). */
function maxRel(a: tg.Tensor, b: tg.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]) / Math.max(Math.abs(y[i]), 1e-3));
  return m;
}

describe.each(Object.keys(TORCH_MODELS))('%s', (name) => {
  it('weights PyTorch saved (safetensors) load into the tg.nn architecture and give PyTorch\'s outputs', async () => {
    const model = TORCH_MODELS[name].build().eval();
    model.loadStateDict(await tg.load(join(dir, `${name}.safetensors`)), { strict: true });
    const { input, output } = json(`${name}.json`);
    const dtype = TORCH_MODELS[name].dtype ?? 'float32';
    expect(maxRel(tg.noGrad(() => model.call(asTensor(input, dtype))), asTensor(output, dtype))).toBeLessThan(1e-5);
  });

  it('the file tapegrad writes is the one PyTorch loaded (strict names and shapes) and ran to tapegrad\'s outputs', () => {
    const fx = tapegradFixture(name);
    // today's writer gives the committed bytes, so the PyTorch run below still speaks for it
    expect(Buffer.from(fx.bytes).equals(readFileSync(join(dir, 'from-tapegrad', `${name}.safetensors`)))).toBe(true);
    const evidence = json(`from-tapegrad/${name}.torch.json`);
    expect(evidence.loadStateDict).toBe('strict');
    expect(evidence.names).toEqual(Object.fromEntries([...fx.model.stateDict()].map(([k, t]) => [k, t.shape])));
    expect(maxRel(asTensor(evidence.output, fx.output.dtype as 'float32' | 'float64'), fx.output)).toBeLessThan(1e-5);
  });
});

describe('int64 num_batches_tracked (PyTorch writes BatchNorm\'s counter as I64)', () => {
  /** A file with one tensor `name` of dtype I64 holding these values. */
  const int64File = (name: string, values: bigint[]): Uint8Array => {
    let header = JSON.stringify({ [name]: { dtype: 'I64', shape: [values.length], data_offsets: [0, 8 * values.length] } });
    header += ' '.repeat((8 - (header.length % 8)) % 8);
    const bytes = new Uint8Array(8 + header.length + 8 * values.length);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(header.length), true);
    bytes.set(new TextEncoder().encode(header), 8);
    values.forEach((v, i) => view.setBigInt64(8 + header.length + 8 * i, v, true));
    return bytes;
  };

  it('the CNN fixture stores it as I64 and it loads as the count PyTorch kept', async () => {
    const raw = readFileSync(join(dir, 'cnn.safetensors'));
    const n = Number(raw.readBigUInt64LE(0));
    const header = JSON.parse(raw.subarray(8, 8 + n).toString('utf8'));
    expect(header['1.num_batches_tracked'].dtype).toBe('I64');
    const state = await tg.load(join(dir, 'cnn.safetensors'));
    expect(Array.from(state.get('1.num_batches_tracked')!.dataSync())).toEqual([3]); // three training passes
  });

  it('is read for that key only, and refused past ±2^53', () => {
    const counter = tg.stateDictFromBytes(int64File('bn.num_batches_tracked', [7n])).get('bn.num_batches_tracked')!;
    expect([counter.dtype, Array.from(counter.dataSync())]).toEqual(['float64', [7]]);
    expect(() => tg.stateDictFromBytes(int64File('fc.weight', [1n]))).toThrow(tg.SafetensorsError);
    expect(() => tg.stateDictFromBytes(int64File('fc.weight', [1n]))).toThrow(/"fc.weight".*I64.*num_batches_tracked/);
    expect(() => tg.stateDictFromBytes(int64File('num_batches_tracked', [2n ** 60n]))).toThrow(/beyond ±2\^53/);
  });
});
