// Issue 10, items 11 and 12: concurrent saves and fits on one model, noGrad with an async callback, and seeds
// that must never collide (or be silently rounded).

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as tg from '../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('item 11: concurrency', () => {
  test('eight concurrent model.save(dir) calls all succeed and leave one consistent model, no temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapegrad-save-'));
    dirs.push(dir);
    const models = Array.from({ length: 8 }, (_, i) => tg.sequential([tg.layers.dense({ units: 2, inputShape: [3], generator: new tg.Generator(i) })]));
    await Promise.all(models.map((m) => m.save(dir)));
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'model.safetensors']);
    const back = await tg.loadModel(dir);
    const x = [[1, 2, 3]];
    // the weights are exactly one of the eight models' (config and weights from the same call)
    const out = Array.from(back.predict(x).dataSync());
    expect(models.some((m) => Array.from(m.predict(x).dataSync()).every((v, i) => v === out[i]))).toBe(true);
  });

  test('a second fit() on a model whose fit() is running is refused; the first finishes', async () => {
    const model = tg.sequential([tg.layers.dense({ units: 1, inputShape: [2] })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = [[1, 2], [3, 4], [5, 6], [7, 8]];
    const y = [[1], [2], [3], [4]];
    const first = model.fit(x, y, { epochs: 3, batchSize: 1, verbose: 0 });
    await expect(model.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow('fit: cannot start training because another fit() call is ongoing');
    const history = await first;
    expect(history.history.loss.length).toBe(3);
    // once it is over, fit may run again
    await expect(model.fit(x, y, { epochs: 1, verbose: 0 })).resolves.toBeDefined();
  });
});

describe('item 12: noGrad with an async callback, and seeds', () => {
  test('noGrad(async () => ...) is refused before it runs (it recorded again after the first await)', () => {
    let ran = false;
    const w = tg.ones([1], { requiresGrad: true });
    expect(() => tg.noGrad(async () => {
      ran = true;
      return w.mul(2);
    })).toThrow('noGrad: the callback is async (or returned a Promise)');
    expect(ran).toBe(false);
    expect(() => tg.noGrad(() => Promise.resolve(1))).toThrow(TypeError);
    expect(tg.isGradEnabled()).toBe(true);
    expect(tg.noGrad(() => w.mul(2)).requiresGrad).toBe(false);
  });

  const stream = (seed: number | bigint) => {
    const g = new tg.Generator(seed);
    return [g.nextUint32(), g.nextUint32(), g.nextUint32()].join(',');
  };
  test('seeds that used to collide give different streams: -1 vs 0, 2^32 vs 1, 2^32 + 5 vs 5', () => {
    expect(stream(-1)).not.toBe(stream(0));
    expect(stream(2 ** 32)).not.toBe(stream(1));
    expect(stream(2 ** 32 + 5)).not.toBe(stream(5));
    expect(stream(-(2 ** 32))).not.toBe(stream(0));
  });
  test('no two of 18,000 seeds around the edges share a stream', () => {
    const seen = new Map<string, number | bigint>();
    const seeds: (number | bigint)[] = [];
    for (let i = -2000; i < 2000; i++) seeds.push(i, 2 ** 32 + i, -(2 ** 32) + i, Number.MAX_SAFE_INTEGER - 2000 + i + (i < 0 ? 0 : -2000));
    for (let i = 0; i < 2000; i++) seeds.push(BigInt(2 ** 53) + BigInt(i), -(1n << 63n) + BigInt(i));
    const unique = new Set(seeds);
    for (const s of unique) {
      const key = stream(s);
      expect(seen.get(key), `seed ${s} collides`).toBeUndefined();
      seen.set(key, s);
    }
    expect(seen.size).toBe(unique.size);
    expect(unique.size).toBeGreaterThan(17_000);
  });
  test('a BigInt seed equal to a number seed gives the same stream; seeds in [0, 2^32) keep their old streams', () => {
    expect(stream(5n)).toBe(stream(5));
    expect(stream(-7n)).toBe(stream(-7));
    expect(new tg.Generator(0).nextUint32()).toBe(3809008728); // unchanged from before this issue
  });
  test.each([1.5, NaN, Infinity, 2 ** 53, -(2 ** 53)])('seed %s is refused', (s) => {
    expect(() => tg.manualSeed(s)).toThrow(RangeError);
  });
  test('BigInt seeds outside [-2^63, 2^63) are refused', () => {
    expect(() => tg.manualSeed(1n << 63n)).toThrow('[-2^63, 2^63)');
    expect(() => new tg.Generator(-(1n << 63n) - 1n)).toThrow(RangeError);
  });
});
