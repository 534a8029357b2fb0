// The package as users get it: `npm run build` (scripts/build.mjs) bundles dist/, and a plain Node
// process imports 'tapegrad' and 'tapegrad/testing' through package.json "exports", not vitest's
// alias to src/. Checks that the bundle trains, shares one Tensor class with tapegrad/testing, starts
// the matmul worker from dist/, loads the Node-only model-file code on demand, and carries the
// bundled packages' licenses.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { distIsStale } from '../scripts/dist-stale.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');

/** Runs an ES module snippet in a fresh Node process at the repo root; returns its stdout parsed as JSON. */
function runNode(code: string): unknown {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`node exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

beforeAll(() => {
  // CI builds before testing; `npm ci && npm test` alone does not, so build when dist/ is missing or stale.
  if (distIsStale(ROOT)) {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  }
}, 180_000);

describe('the built package (dist/)', () => {
  it('is one bundle with the licenses of what it bundles, and no import of ndarray left', () => {
    const code = readFileSync(join(DIST, 'index.js'), 'utf8');
    expect(code.split('\n')[0]).toMatch(/Bundles .*ndarray \(MIT\).*THIRD-PARTY-LICENSES\.txt/);
    expect(code).not.toMatch(/from ["']ndarray["']/);
    const licenses = readFileSync(join(DIST, 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    for (const name of ['ndarray', 'iota-array', 'is-buffer']) expect(licenses).toContain(`${name}@`);
    expect(licenses).toMatch(/Permission is hereby granted/);
    expect(existsSync(join(DIST, 'index.d.ts'))).toBe(true);
    expect(existsSync(join(DIST, 'matmul-worker.js'))).toBe(true);
  });

  it("trains through import 'tapegrad', and tapegrad/testing shares its Tensor class", () => {
    const out = runNode(`
      import * as tg from 'tapegrad';
      import * as testing from 'tapegrad/testing';
      import fc from 'fast-check';
      tg.manualSeed(0);
      const model = new tg.nn.Sequential(new tg.nn.Linear(2, 8), new tg.nn.Tanh(), new tg.nn.Linear(8, 1));
      const opt = new tg.optim.Adam(model.parameters(), { lr: 0.05 });
      const x = tg.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
      const y = tg.tensor([[0], [1], [1], [0]]);
      const losses = [];
      for (let i = 0; i < 300; i++) {
        opt.zeroGrad();
        const loss = tg.nn.functional.mseLoss(model.call(x), y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
      const sample = fc.sample(testing.tensorArb(), { numRuns: 1, seed: 1 })[0];
      console.log(JSON.stringify({
        first: losses[0], last: losses.at(-1),
        sameTensor: sample instanceof tg.Tensor, sameGradcheck: testing.gradcheck === tg.gradcheck,
      }));`) as { first: number; last: number; sameTensor: boolean; sameGradcheck: boolean };
    expect(out.last).toBeLessThan(out.first / 10);
    expect(out.sameTensor).toBe(true);
    expect(out.sameGradcheck).toBe(true);
  });

  it('starts the matmul worker from dist/ and gives bitwise the single-thread product', () => {
    const out = runNode(`
      import * as tg from 'tapegrad';
      tg.manualSeed(1);
      const a = tg.randn([300, 200]), b = tg.randn([200, 250]);
      const one = a.matmul(b).toArray().flat();
      await tg.setNumThreads(2);
      const threads = tg.getNumThreads();
      const two = a.matmul(b).toArray().flat();
      await tg.setNumThreads(1);
      console.log(JSON.stringify({ threads, same: one.every((v, i) => Object.is(v, two[i])) }));`) as { threads: number; same: boolean };
    expect(out.threads).toBe(2);
    expect(out.same).toBe(true);
  });

  it('saves and loads a model from dist/ (model files load on demand), and bundled ndarray interop works', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapegrad-pkg-'));
    try {
      const out = runNode(`
        import * as tg from 'tapegrad';
        const model = tg.sequential([tg.layers.dense({ units: 3, inputShape: [4], generator: new tg.Generator(2) })]);
        model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
        const x = tg.ones([2, 4]);
        await model.save(${JSON.stringify(dir)});
        const loaded = await tg.loadModel(${JSON.stringify(dir)});
        let code = null;
        try { await tg.loadModel(${JSON.stringify(join(dir, 'missing'))}); } catch (e) { code = e instanceof tg.ModelLoadError ? e.code : String(e); }
        const nd = tg.arange(6).reshape([2, 3]).toNdarray();
        console.log(JSON.stringify({
          same: JSON.stringify(model.predict(x).toArray()) === JSON.stringify(loaded.predict(x).toArray()),
          code, ndShape: nd.shape, ndTransposed: tg.fromNdarray(nd.transpose(1, 0)).toArray(),
        }));`) as { same: boolean; code: string | null; ndShape: number[]; ndTransposed: number[][] };
      expect(out.same).toBe(true);
      expect(out.code).toBe('NOT_FOUND'); // a ModelLoadError from dist/node-fs.js, same class as dist/index.js's
      expect(out.ndShape).toEqual([2, 3]);
      expect(out.ndTransposed).toEqual([[0, 3], [1, 4], [2, 5]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
