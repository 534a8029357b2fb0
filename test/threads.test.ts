// Threaded matmul (tg.setNumThreads): results bitwise equal to one thread for every layout the kernel
// reads (transposed, sliced, broadcast, float64) and every way a product is cut into units (several
// column blocks, several k-slices, partial row blocks), switching off, clear errors, and a clean exit.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from 'tapegrad';
import { threadTuning } from '../src/tensor/threads.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gen = () => new tg.Generator(11);

/** The product computed with one thread, then with `threads`; both results and the thread count. */
async function both(make: () => [tg.Tensor, tg.Tensor], threads = 2): Promise<[tg.Tensor, tg.Tensor]> {
  const [a, b] = make();
  await tg.setNumThreads(1);
  const single = a.matmul(b);
  await tg.setNumThreads(threads);
  const threaded = a.matmul(b);
  return [single, threaded];
}

function expectBitwiseEqual(x: tg.Tensor, y: tg.Tensor): void {
  expect(y.shape).toEqual(x.shape);
  expect(y.dtype).toBe(x.dtype);
  const a = x.dataSync(), b = y.dataSync();
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
  expect(differing).toBe(0);
}

describe('setNumThreads', () => {
  afterAll(async () => {
    await tg.setNumThreads(1);
  });

  it('is off (1) by default and reports what was set', async () => {
    expect(tg.getNumThreads()).toBe(1);
    await tg.setNumThreads(2);
    expect(tg.getNumThreads()).toBe(2);
    await tg.setNumThreads(1);
    expect(tg.getNumThreads()).toBe(1);
  });

  const g = gen();
  const cases: [string, () => [tg.Tensor, tg.Tensor]][] = [
    ['square 128', () => [tg.randn([128, 128], { generator: g }), tg.randn([128, 128], { generator: g })]],
    ['exactly the threshold (an MLP\'s second layer, 64·128·64)', () => [tg.randn([64, 128], { generator: g }), tg.randn([128, 64], { generator: g })]],
    ['rows not a multiple of 4', () => [tg.randn([131, 200], { generator: g }), tg.randn([200, 97], { generator: g })]],
    ['k over several blocks', () => [tg.randn([64, 784], { generator: g }), tg.randn([784, 128], { generator: g })]],
    ['transposed A (xᵀ·g)', () => [tg.randn([64, 784], { generator: g }).T, tg.randn([64, 128], { generator: g })]],
    ['transposed B (g·Wᵀ)', () => [tg.randn([64, 128], { generator: g }), tg.randn([784, 128], { generator: g }).T]],
    ['both transposed', () => [tg.randn([300, 150], { generator: g }).T, tg.randn([90, 300], { generator: g }).T]],
    ['sliced views with offsets and steps', () => [
      tg.randn([400, 260], { generator: g }).slice(0, 7, 307).slice(1, 3, 259, 2),
      tg.randn([300, 140], { generator: g }).slice(0, 172, 300).slice(1, 5, 133),
    ]],
    ['broadcast (stride 0) operand', () => [tg.randn([1, 256], { generator: g }).expand([200, 256]), tg.randn([256, 100], { generator: g })]],
    ['float64', () => [tg.randn([150, 120], { generator: g, dtype: 'float64' }), tg.randn([120, 130], { generator: g, dtype: 'float64' })]],
    ['thin: few rows, large k', () => [tg.randn([9, 3000], { generator: g }), tg.randn([3000, 80], { generator: g })]],
    ['below the threshold (stays on one thread)', () => [tg.randn([20, 30], { generator: g }), tg.randn([30, 10], { generator: g })]],
    ['square 512 (the benchmark product)', () => [tg.randn([512, 512], { generator: g }), tg.randn([512, 512], { generator: g })]],
    ['several column blocks (n > 512) and k-slices', () => [tg.randn([96, 300], { generator: g }), tg.randn([300, 1100], { generator: g })]],
    ['many row blocks over three k-slices (a unit waits for its row block\'s previous slice)', () => [
      tg.randn([520, 700], { generator: g }), tg.randn([700, 90], { generator: g }),
    ]],
    ['both transposed, several column blocks and k-slices', () => [tg.randn([700, 300], { generator: g }).T, tg.randn([600, 700], { generator: g }).T]],
    ['float64 over several column blocks and k-slices', () => [
      tg.randn([200, 600], { generator: g, dtype: 'float64' }), tg.randn([600, 530], { generator: g, dtype: 'float64' }),
    ]],
    ['batched (stays on one thread)', () => [tg.randn([3, 64, 200], { generator: g }), tg.randn([200, 300], { generator: g })]],
    ['fewer than 4 columns (gemm\'s unpacked path, stays on one thread)', () => [
      tg.randn([4096, 600], { generator: g }), tg.randn([600, 2], { generator: g }),
    ]],
  ];
  it.each(cases)('gives bitwise the single-thread result: %s', async (_name, make) => {
    const [single, threaded] = await both(make);
    expectBitwiseEqual(single, threaded);
  });

  it('gives the same result with 3 threads (more shares than cores)', async () => {
    const g3 = gen();
    const [single, threaded] = await both(() => [tg.randn([257, 190], { generator: g3 }), tg.randn([190, 160], { generator: g3 })], 3);
    expectBitwiseEqual(single, threaded);
    const [single2, threaded2] = await both(() => [tg.randn([301, 530], { generator: g3 }), tg.randn([530, 610], { generator: g3 })], 3);
    expectBitwiseEqual(single2, threaded2);
  });

  it('gives the same results for products of changing shapes and dtypes back to back', async () => {
    // each thread must repack B for every product, and the shared buffer grows between them
    const g4 = gen();
    const pairs: [tg.Tensor, tg.Tensor][] = [
      [tg.randn([64, 128], { generator: g4 }), tg.randn([128, 300], { generator: g4 })],
      [tg.randn([300, 520], { generator: g4 }), tg.randn([520, 700], { generator: g4 })],
      [tg.randn([64, 128], { generator: g4 }), tg.randn([128, 300], { generator: g4 })],
      [tg.randn([200, 260], { generator: g4, dtype: 'float64' }), tg.randn([260, 100], { generator: g4, dtype: 'float64' })],
      [tg.randn([300, 520], { generator: g4 }), tg.randn([520, 700], { generator: g4 })],
    ];
    await tg.setNumThreads(1);
    const singles = pairs.map(([a, b]) => a.matmul(b));
    await tg.setNumThreads(2);
    for (let round = 0; round < 2; round++) {
      pairs.forEach(([a, b], i) => expectBitwiseEqual(singles[i], a.matmul(b)));
    }
  });

  it('gives the same gradients through backward (an MLP layer, weights transposed as nn.Linear does)', async () => {
    const run = () => {
      const g2 = gen();
      const x = tg.randn([64, 784], { generator: g2 });
      const w = tg.randn([128, 784], { generator: g2, requiresGrad: true });
      const v = tg.randn([10, 128], { generator: g2, requiresGrad: true });
      x.matmul(w.mT).relu().matmul(v.mT).square().mean().backward();
      return [w.grad!, v.grad!];
    };
    await tg.setNumThreads(1);
    const single = run();
    await tg.setNumThreads(2);
    const threaded = run();
    single.forEach((s, i) => expectBitwiseEqual(s, threaded[i]));
  });

  it('gives the same results when threads poll before sleeping and smaller products are shared', async () => {
    // threadTuning (not public): spinMicros makes the threads poll for the next product and for unfinished
    // row blocks (waitWhile) instead of sleeping at once; a lower minWork shares an MLP's second layer too
    const g5 = gen();
    const pairs: [tg.Tensor, tg.Tensor][] = [
      [tg.randn([64, 784], { generator: g5 }), tg.randn([128, 784], { generator: g5 }).T],
      [tg.randn([64, 128], { generator: g5 }), tg.randn([64, 128], { generator: g5 }).T],
      [tg.randn([64, 64], { generator: g5 }).T, tg.randn([64, 128], { generator: g5 })],
      [tg.randn([520, 700], { generator: g5 }), tg.randn([700, 90], { generator: g5 })],
    ];
    await tg.setNumThreads(1);
    const singles = pairs.map(([a, b]) => a.matmul(b));
    const saved = { ...threadTuning };
    try {
      await tg.setNumThreads(2);
      for (const [spinMicros, minWork] of [[500, 1 << 19], [5, 1 << 19], [0, 1 << 19]]) {
        Object.assign(threadTuning, { spinMicros, minWork, timing: true });
        const shared = threadTuning.shared;
        pairs.forEach(([a, b], i) => expectBitwiseEqual(singles[i], a.matmul(b)));
        expect(threadTuning.shared - shared).toBe(pairs.length); // all four were shared
      }
    } finally {
      Object.assign(threadTuning, saved);
    }
  });

  it('raises the usual shape error with threads on', async () => {
    await tg.setNumThreads(2);
    expect(() => tg.zeros([200, 300]).matmul(tg.zeros([299, 100]))).toThrow(/cannot be multiplied/);
  });

  it('applies concurrent calls in order', async () => {
    await Promise.all([tg.setNumThreads(2), tg.setNumThreads(3), tg.setNumThreads(1)]);
    expect(tg.getNumThreads()).toBe(1);
  });

  it('rejects counts that are not positive integers', async () => {
    await expect(tg.setNumThreads(0)).rejects.toThrow(/integer from 1/);
    await expect(tg.setNumThreads(1.5)).rejects.toThrow(/integer from 1/);
    await expect(tg.setNumThreads(Number.NaN)).rejects.toThrow(/integer from 1/);
  });

  it('throws a clear error where SharedArrayBuffer is missing, changing nothing', async () => {
    await tg.setNumThreads(1);
    const saved = globalThis.SharedArrayBuffer;
    // @ts-expect-error: simulating an environment without shared memory
    delete globalThis.SharedArrayBuffer;
    try {
      await expect(tg.setNumThreads(2)).rejects.toThrow(/need Node\.js worker_threads and SharedArrayBuffer/);
    } finally {
      globalThis.SharedArrayBuffer = saved;
    }
    expect(tg.getNumThreads()).toBe(1);
  });
});

describe('loading', () => {
  it('never imports worker_threads statically outside the worker script', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.ts') && e.name !== 'matmul-worker.ts') files.push(join(dir, e.name));
      }
    };
    walk(join(root, 'src'));
    const offenders = files.filter((f) => /^import[^;]*from ['"](node:)?worker_threads['"]/m.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('lets the process exit on its own with threads on (workers do not hold it open)', () => {
    const entry = pathToFileURL(join(root, 'src', 'index.ts')).href;
    const script = [
      `import * as tg from '${entry}';`,
      'await tg.setNumThreads(2);',
      'const a = tg.ones([256, 256]);',
      'console.log(a.matmul(a).sum().item());',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root, encoding: 'utf8', timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(Number(child.stdout.trim())).toBe(256 ** 3);
  });
});
