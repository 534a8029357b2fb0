// Saving and loading Keras-style models: bitwise round trips through bytes and files, and a loader that
// turns every malformed, hostile or oversized input into a typed error (fuzzed by truncation and bit flips).
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tg from 'tapegrad';
import { encodeSafetensors, SafetensorsError } from '../src/io/safetensors.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tapegrad-model-io-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function small(seed = 0): tg.Model {
  tg.manualSeed(seed);
  const m = tg.sequential([
    tg.layers.dense({ units: 3, activation: 'relu', inputShape: [2] }),
    tg.layers.dropout({ rate: 0.25 }),
    tg.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  m.compile({ optimizer: { name: 'adam', learningRate: 0.01 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

const bits = (t: tg.Tensor): Buffer => Buffer.from(t.dataSync().buffer);
const editConfig = (config: string, edit: (c: Record<string, any>) => void): string => {
  const c = JSON.parse(config);
  edit(c);
  return JSON.stringify(c);
};

/** Runs fn and returns the typed error it throws (fails the test on anything else, or on no error). */
function typedError(fn: () => unknown): tg.ModelLoadError | SafetensorsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof tg.ModelLoadError || e instanceof SafetensorsError) return e;
    throw new Error(`expected a ModelLoadError or SafetensorsError, got ${String(e)}`);
  }
  throw new Error('expected an error, but loading succeeded');
}

describe('round trips', () => {
  test('toBytes → fromBytes: same config, same weights, bitwise-identical predictions, compiled', async () => {
    const m = small();
    const { x, y } = tg.data.makeMoons(64, { noise: 0.1, seed: 0 });
    await m.fit(x, y, { epochs: 2, verbose: 0 });
    const bytes = m.toBytes();
    const config = JSON.parse(bytes.config);
    expect(config).toMatchObject({ format: 'tapegrad-model', formatVersion: 1, modelType: 'sequential', inputShape: [2], weightsFile: 'model.safetensors' });
    expect(config.layers.map((l: { className: string }) => l.className)).toEqual(['Dense', 'Dropout', 'Dense']);
    expect(config.compile).toMatchObject({ optimizer: { name: 'adam', learningRate: 0.01 }, loss: { name: 'binaryCrossentropy' }, metrics: ['accuracy'] });
    const back = tg.fromBytes(bytes);
    expect([...back.stateDict().keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(bits(back.predict(x)).equals(bits(m.predict(x)))).toBe(true);
    expect(back.evaluate(x, y)).toEqual(m.evaluate(x, y));
    await back.fit(x, y, { epochs: 1, verbose: 0 }); // compiled from the saved names
    // config may also arrive as bytes
    expect(bits(tg.fromBytes({ config: new TextEncoder().encode(bytes.config), weights: bytes.weights }).predict(x)).equals(bits(m.predict(x)))).toBe(true);
  });

  test('save(dir) → loadModel(dir) in Node, float64 layers too', async () => {
    tg.manualSeed(3);
    const m = tg.sequential([
      tg.layers.dense({ units: 5, activation: 'gelu', inputShape: [4], dtype: 'float64', kernelInitializer: 'heNormal' }),
      tg.layers.flatten(),
      tg.layers.activation({ activation: 'tanh' }),
      tg.layers.dense({ units: 2, activation: 'softmax', useBias: false, dtype: 'float64' }),
    ]);
    const target = join(dir, 'nested', 'model-a');
    await m.save(target);
    expect(JSON.parse(await readFile(join(target, 'model.json'), 'utf8')).compile).toBeNull();
    const back = await tg.loadModel(target);
    const x = tg.randn([7, 4], { dtype: 'float64' });
    expect(Buffer.from(back.predict(x).dataSync().buffer).equals(Buffer.from(m.predict(x).dataSync().buffer))).toBe(true);
    expect(back.compiled).toBeNull();
    // saving again replaces the files
    await small().save(target);
    expect((await tg.loadModel(target)).layers).toHaveLength(3);
  });

  test('a wrapped Module saves its weights; loading them needs the module (loadWeights)', () => {
    tg.manualSeed(0);
    const make = () => tg.model(new tg.nn.Sequential(new tg.nn.Linear(3, 4), new tg.nn.Tanh(), new tg.nn.Linear(4, 2)), { inputShape: [3] });
    const a = make();
    const b = make();
    const bytes = a.toBytes();
    expect(JSON.parse(bytes.config).modelType).toBe('module');
    expect(typedError(() => tg.fromBytes(bytes))).toMatchObject({ code: 'UNSUPPORTED_MODEL' });
    const x = tg.randn([5, 3]);
    expect(bits(b.predict(x)).equals(bits(a.predict(x)))).toBe(false);
    b.loadWeights(bytes.weights);
    expect(bits(b.predict(x)).equals(bits(a.predict(x)))).toBe(true);
    const wrong = tg.model(new tg.nn.Linear(3, 2), { inputShape: [3] });
    expect(typedError(() => wrong.loadWeights(bytes.weights)).message).toMatch(/loadWeights: the weights file has a tensor "0\.(weight|bias)" that the architecture does not use/);
  });
});

describe('the loader trusts nothing', () => {
  const good = small().toBytes();

  test('a weight of the wrong shape names the layer and both shapes', () => {
    tg.manualSeed(0);
    const wide = tg.sequential([tg.layers.dense({ units: 32, inputShape: [320] })]).toBytes();
    const other = tg.sequential([tg.layers.dense({ units: 3, inputShape: [4] })]).toBytes();
    const e = typedError(() => tg.fromBytes({ config: wide.config, weights: other.weights }));
    expect(e).toMatchObject({ code: 'SHAPE_MISMATCH' });
    expect(e.message).toBe('loadModel: layer 0 (dense) weight has shape [3,4] in the file but the architecture expects [32,320]');
  });

  test('missing, extra and mistyped tensors', () => {
    const f32 = (n: number) => ({ dtype: 'F32' as const, shape: [n], data: new Float32Array(n) });
    const w = (shape: number[], dtype: 'F32' | 'F64' = 'F32') => ({ dtype, shape, data: dtype === 'F32' ? new Float32Array(shape[0] * shape[1]) : new Float64Array(shape[0] * shape[1]) });
    const full = { '0.weight': w([3, 2]), '0.bias': f32(3), '2.weight': w([1, 3]), '2.bias': f32(1) };
    const { '2.bias': _drop, ...missing } = full;
    expect(typedError(() => tg.fromBytes({ config: good.config, weights: encodeSafetensors(missing) }))).toMatchObject({
      code: 'MISSING_TENSOR', message: 'loadModel: layer 2 (dense) bias (tensor "2.bias") is missing from the weights file',
    });
    expect(typedError(() => tg.fromBytes({ config: good.config, weights: encodeSafetensors({ ...full, '1.weight': f32(2) }) }))).toMatchObject({ code: 'UNEXPECTED_TENSOR' });
    expect(typedError(() => tg.fromBytes({ config: good.config, weights: encodeSafetensors({ ...full, '0.weight': w([3, 2], 'F64') }) }))).toMatchObject({ code: 'DTYPE_MISMATCH' });
    expect(tg.fromBytes({ config: good.config, weights: encodeSafetensors(full) }).predict([[1, 2]]).item()).toBe(0.5);
  });

  test('__proto__, constructor and prototype keys anywhere are rejected', () => {
    const inject = (where: string) => good.config.replace(where, `${where}"__proto__": {"polluted": true}, `);
    for (const text of [inject('{'), inject('"config": {'), good.config.replace('"compile": {', '"compile": {"constructor": 1, ')]) {
      expect(typedError(() => tg.fromBytes({ config: text, weights: good.weights }))).toMatchObject({ code: 'BAD_KEY' });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const escaped = good.config.replace('{', '{"\\u005f_proto__": 1, ');
    expect(typedError(() => tg.fromBytes({ config: escaped, weights: good.weights }))).toMatchObject({ code: 'BAD_KEY' });
  });

  test.each([
    ['an unknown layer class', (c: any) => { c.layers[1].className = 'Lambda'; }, 'BAD_LAYER', /layer 1 has class "Lambda", not one of Dense, Dropout, Flatten, Activation/],
    ['a huge units value', (c: any) => { c.layers[2].config.units = 1e12; }, 'TOO_LARGE', /units 1000000000000 exceeds the limit/],
    ['units that multiply past the parameter cap', (c: any) => { c.inputShape = [1 << 20]; c.layers[0].config.inputShape = [1 << 20]; c.layers[0].config.units = 1 << 20; }, 'TOO_LARGE', /over 67108864 parameters/],
    ['fractional units', (c: any) => { c.layers[0].config.units = 2.5; }, 'BAD_VALUE', /units must be a positive integer/],
    ['an unknown activation', (c: any) => { c.layers[0].config.activation = 'eval'; }, 'BAD_VALUE', /unknown activation "eval" \(known: linear, relu/],
    ['an unknown initializer', (c: any) => { c.layers[0].config.kernelInitializer = 'x'; }, 'BAD_VALUE', /unknown initializer/],
    ['a dropout rate out of range', (c: any) => { c.layers[1].config.rate = 1.5; }, 'BAD_VALUE', /rate must be a number in \[0, 1\)/],
    ['an unknown field', (c: any) => { c.layers[0].config.kernelRegularizer = 'l2'; }, 'UNKNOWN_FIELD', /layer 0 \(dense\) has an unknown field "kernelRegularizer"/],
    ['an unknown top-level field', (c: any) => { c.script = 'x'; }, 'UNKNOWN_FIELD', /unknown field "script"/],
    ['a missing field', (c: any) => { delete c.layers; }, 'MISSING_FIELD', /has no layers/],
    ['another format', (c: any) => { c.format = 'keras'; }, 'BAD_FORMAT', /format is "keras"/],
    ['a newer version', (c: any) => { c.formatVersion = 2; }, 'BAD_FORMAT', /formatVersion 2 is not supported/],
    ['a weights path leaving the directory', (c: any) => { c.weightsFile = '../../etc/passwd'; }, 'BAD_VALUE', /weightsFile must be "model.safetensors"/],
    ['too many layers', (c: any) => { c.layers = Array.from({ length: 300 }, () => ({ className: 'Flatten', config: {} })); }, 'TOO_LARGE', /300 layers, the limit is 256/],
    ['an inputShape on a later layer', (c: any) => { c.layers[2].config.inputShape = [3]; }, 'BAD_VALUE', /only the first layer may/],
    ['a bad input dimension', (c: any) => { c.inputShape = [-2]; }, 'BAD_VALUE', /inputShape/],
    ['an unknown optimizer', (c: any) => { c.compile.optimizer.name = 'lbfgs'; }, 'BAD_VALUE', /unknown optimizer "lbfgs"/],
    ['an unknown loss', (c: any) => { c.compile.loss = { name: 'x' }; }, 'BAD_VALUE', /unknown loss "x"/],
    ['an unknown metric', (c: any) => { c.compile.metrics = ['meanIoU']; }, 'BAD_VALUE', /unknown metric "meanIoU"/],
    ['a bad layer name', (c: any) => { c.layers[0].config.name = '../x'; }, 'BAD_VALUE', /name must be 1 to 128 letters/],
  ])('%s', (_what, edit, code, message) => {
    const e = typedError(() => tg.fromBytes({ config: editConfig(good.config, edit), weights: good.weights }));
    expect(e).toMatchObject({ code });
    expect(e.message).toMatch(message);
  });

  test('oversized, deeply nested, non-UTF-8 and non-JSON configs', () => {
    expect(typedError(() => tg.fromBytes({ config: ' '.repeat((1 << 20) + 1), weights: good.weights }))).toMatchObject({ code: 'TOO_LARGE' });
    expect(typedError(() => tg.fromBytes({ config: good.config, weights: good.weights }, { maxConfigBytes: 100 }))).toMatchObject({ code: 'TOO_LARGE' });
    expect(typedError(() => tg.fromBytes({ config: '['.repeat(100000) + ']'.repeat(100000), weights: good.weights }))).toMatchObject({ code: 'BAD_JSON' });
    expect(typedError(() => tg.fromBytes({ config: new Uint8Array([0x7b, 0xff, 0x7d]), weights: good.weights }))).toMatchObject({ code: 'BAD_JSON' });
    expect(typedError(() => tg.fromBytes({ config: '{"format": ', weights: good.weights }))).toMatchObject({ code: 'BAD_JSON' });
    expect(typedError(() => tg.fromBytes({ config: '[]', weights: good.weights }))).toMatchObject({ code: 'BAD_VALUE' });
    expect(typedError(() => tg.fromBytes(null as never))).toMatchObject({ code: 'BAD_INPUT' });
    expect(typedError(() => tg.fromBytes({ config: good.config, weights: 'x' as never }))).toMatchObject({ code: 'BAD_INPUT' });
    const padded = new Uint8Array(good.weights.length + (2 << 20));
    padded.set(good.weights);
    expect(typedError(() => tg.fromBytes({ config: good.config, weights: padded }))).toMatchObject({ code: 'TOO_LARGE' });
  });
});

describe('fuzz', () => {
  const good = small().toBytes();
  const x = tg.tensor([[0.5, -1], [2, 0.25]]);

  test('the weights file truncated at every byte', () => {
    for (let n = 0; n < good.weights.length; n++) typedError(() => tg.fromBytes({ config: good.config, weights: good.weights.subarray(0, n) }));
  });

  test('the config truncated at every character', () => {
    for (let n = 0; n < good.config.length; n++) typedError(() => tg.fromBytes({ config: good.config.slice(0, n), weights: good.weights }));
  });

  test('500 seeded random bit flips in each file: a typed error or a model that runs', () => {
    const gen = new tg.Generator(2024);
    const configBytes = new TextEncoder().encode(good.config);
    let loaded = 0;
    let rejected = 0;
    for (let i = 0; i < 1000; i++) {
      const inConfig = i % 2 === 0;
      const bytes = (inConfig ? configBytes : good.weights).slice();
      const flips = 1 + gen.randint(0, 3);
      for (let k = 0; k < flips; k++) bytes[gen.randint(0, bytes.length)] ^= 1 << gen.randint(0, 8);
      try {
        const m = tg.fromBytes(inConfig ? { config: bytes, weights: good.weights } : { config: good.config, weights: bytes });
        expect(m.predict(x).shape[0]).toBe(2);
        loaded++;
      } catch (e) {
        if (!(e instanceof tg.ModelLoadError || e instanceof SafetensorsError)) throw e;
        rejected++;
      }
    }
    expect(loaded + rejected).toBe(1000);
    expect(rejected).toBeGreaterThan(300);
  });
});

describe('files and paths', () => {
  test('symlinked model files are refused, both ways', async () => {
    const outside = join(dir, 'outside.json');
    await writeFile(outside, small().toBytes().config);
    const d = join(dir, 'linked');
    await small().save(d);
    await rm(join(d, 'model.json'));
    await symlink(outside, join(d, 'model.json'));
    await expect(tg.loadModel(d)).rejects.toMatchObject({ code: 'BAD_PATH', message: expect.stringMatching(/model.json is a symbolic link/) });
    await expect(small().save(d)).rejects.toMatchObject({ code: 'BAD_PATH' });
    expect(await readFile(outside, 'utf8')).toBe(small().toBytes().config); // not written through
    const d2 = join(dir, 'linked-weights');
    await small().save(d2);
    await rm(join(d2, 'model.safetensors'));
    await symlink('/etc/hostname', join(d2, 'model.safetensors'));
    await expect(tg.loadModel(d2)).rejects.toMatchObject({ code: 'BAD_PATH' });
  });

  test('missing directories and files, a file for a directory, bad arguments', async () => {
    await expect(tg.loadModel(join(dir, 'nope'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const d = join(dir, 'half');
    await mkdir(d);
    await writeFile(join(d, 'model.json'), small().toBytes().config);
    await expect(tg.loadModel(d)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/model.safetensors is missing/) });
    await expect(tg.loadModel(join(d, 'model.json'))).rejects.toMatchObject({ code: 'BAD_PATH' });
    await expect(tg.loadModel('')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(tg.loadModel('a\0b')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(small().save(join(d, 'model.json'))).rejects.toMatchObject({ code: 'BAD_PATH' });
    const big = join(dir, 'big');
    await small().save(big);
    await writeFile(join(big, 'model.safetensors'), new Uint8Array(4 << 20));
    await expect(tg.loadModel(big)).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });

  test('paths with .. only name the directory; the files read are always dir/model.json and dir/model.safetensors', async () => {
    const d = join(dir, 'a', 'b');
    await small(5).save(d);
    const viaDots = await tg.loadModel(join(dir, 'a', 'c', '..', 'b'));
    const direct = await tg.loadModel(d);
    expect(bits(viaDots.predict([[1, 1]])).equals(bits(direct.predict([[1, 1]])))).toBe(true);
  });
});
