// Saving plain nn Modules without the Keras API: tg.stateDictToBytes / stateDictFromBytes (anywhere) and
// tg.save / tg.load (Node), safetensors inside, with the hardened loader's caps and typed errors.

import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { SafetensorsError } from '../src/io/safetensors.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tapegrad-state-dict-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const net = (seed: number) => {
  tg.manualSeed(seed);
  return new tg.nn.Sequential(new tg.nn.Linear(3, 4), new tg.nn.ReLU(), new tg.nn.Linear(4, 2, { dtype: 'float64' }));
};
const bits = (t: tg.Tensor): Buffer => Buffer.from(t.contiguous().dataSync().buffer);

describe('state dicts as safetensors', () => {
  it('bytes round trip: same keys, dtypes, bitwise values; a Module loads them', () => {
    const a = net(0);
    const b = net(1);
    const bytes = tg.stateDictToBytes(a.stateDict());
    const back = tg.stateDictFromBytes(bytes);
    expect([...back.keys()].sort()).toEqual([...a.stateDict().keys()].sort());
    for (const [k, t] of a.stateDict()) {
      expect(back.get(k)!.dtype).toBe(t.dtype);
      expect(bits(back.get(k)!).equals(bits(t))).toBe(true);
    }
    b.loadStateDict(back);
    const x = tg.randn([5, 3]);
    expect(bits(b.call(x)).equals(bits(a.call(x)))).toBe(true);
  });

  it('a plain object of tensors and a strided view are saved in row-major order', () => {
    const t = tg.arange(6).reshape([2, 3]).t();
    const back = tg.stateDictFromBytes(tg.stateDictToBytes({ t }));
    expect(back.get('t')!.toArray()).toEqual(t.toArray());
  });

  it('rejects bad input and oversized files with typed errors', () => {
    expect(() => tg.stateDictToBytes(null as never)).toThrow(tg.LoadError);
    expect(() => tg.stateDictToBytes({ a: [1, 2] as never })).toThrow(/"a" is not a Tensor/);
    const bytes = tg.stateDictToBytes(net(0).stateDict());
    expect(() => tg.stateDictFromBytes(bytes, { maxBytes: 10 })).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }));
    expect(() => tg.stateDictFromBytes(bytes, { maxTensors: 1 })).toThrow(SafetensorsError);
    expect(() => tg.stateDictFromBytes('x' as never)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    for (let n = 0; n < bytes.length; n += 7) expect(() => tg.stateDictFromBytes(bytes.subarray(0, n))).toThrow();
  });

  it('tg.save / tg.load through a file (Node), refusing symlinks and missing files', async () => {
    const a = net(2);
    const file = join(dir, 'sub', 'net.safetensors');
    await tg.save(a.stateDict(), file);
    const b = net(3);
    b.loadStateDict(await tg.load(file));
    const x = tg.randn([2, 3]);
    expect(bits(b.call(x)).equals(bits(a.call(x)))).toBe(true);
    await expect(tg.load(join(dir, 'nope.safetensors'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(tg.load(file, { maxBytes: 16 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(tg.load('')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const link = join(dir, 'link.safetensors');
    await symlink(file, link);
    await expect(tg.load(link)).rejects.toMatchObject({ code: 'BAD_PATH' });
    await expect(tg.save(a.stateDict(), link)).rejects.toMatchObject({ code: 'BAD_PATH' });
    await writeFile(join(dir, 'junk.safetensors'), 'not safetensors');
    await expect(tg.load(join(dir, 'junk.safetensors'))).rejects.toBeInstanceOf(SafetensorsError);
  });
});
