// The package as a user installs it. A copy of the repository as a fresh clone has it (the files git
// knows, no dist/) is packed with `npm pack` (whose prepare script builds); the tarball is installed
// into a new "type": "commonjs" project (what `npm init -y` writes) with `npm install --offline`, as
// from the registry. There: import and require() both load it (one module instance), tapegrad/testing
// works with fast-check from either, TypeScript type-checks it under node16, nodenext, node20 and
// bundler resolution with skipLibCheck false, tsx runs an ES module file with top-level await,
// `npm publish --dry-run` is clean, and a bundle of tensors alone leaves plots and text out.
// Installing from a git URL needs the network (npm installs the devDependencies to build): it runs
// only with TAPEGRAD_GIT_INSTALL=1.

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MODULES = join(ROOT, 'node_modules');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

let tmp: string, clone: string, consumer: string, tarball: string;
let packed: { path: string }[];

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}
/**
 * Runs a command without blocking this test worker: npm pack (with its build) and npm install take
 * long enough on a busy machine that a blocked worker misses vitest's own messages and fails the run.
 */
function run(cmd: string, args: string[], cwd: string, timeout = 300_000): Promise<Ran> {
  const env = { ...process.env, NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false', NO_COLOR: '1' };
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
async function ok(ran: Promise<Ran>, what: string): Promise<string> {
  const r = await ran;
  if (r.status !== 0) throw new Error(`${what} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const node = (args: string[], cwd = consumer) => ok(run(process.execPath, args, cwd), `node ${args.join(' ')}`);
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tapegrad-install-'));
  // a fresh clone: the files git tracks (and new ones it would track), the shared node_modules linked in
  clone = join(tmp, 'clone');
  const files = (await ok(run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT), 'git ls-files'))
    .split('\0').filter((f) => f && !f.startsWith('node_modules') && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    cpSync(join(ROOT, f), join(clone, f));
  }
  symlinkSync(MODULES, join(clone, 'node_modules'));
  const info = JSON.parse(await ok(run('npm', ['pack', '--json', '--offline', '--pack-destination', tmp], clone), 'npm pack'));
  tarball = join(tmp, info[0].filename);
  packed = info[0].files;

  consumer = join(tmp, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'commonjs', private: true }));
  await ok(run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], consumer), 'npm install <tarball>');
  // fast-check, the optional peer dependency of tapegrad/testing, as the user would have it
  symlinkSync(join(MODULES, 'fast-check'), join(consumer, 'node_modules', 'fast-check'));
}, 600_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm pack from a fresh clone', () => {
  it('builds dist/ (prepare) and packs the library, its types, the browser build, the worker, the licenses', () => {
    const paths = packed.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/browser.js', 'dist/matmul-worker.js',
      'dist/node-fs.js', 'dist/testing/index.js', 'dist/testing/index.cjs', 'dist/testing/index.d.ts', 'dist/testing/index.d.cts',
      'dist/testing/browser.js', 'dist/THIRD-PARTY-LICENSES.txt', 'src/index.ts']) {
      expect(paths, f).toContain(f);
    }
    expect(paths.filter((p) => /^(test|bench|scripts|examples|docs|\.ci)\//.test(p))).toEqual([]);
  });

  it('npm publish --dry-run is clean (no warnings)', async () => {
    const r = await run('npm', ['publish', '--dry-run', '--offline', '--ignore-scripts'], clone);
    expect(r.status, r.stderr).toBe(0);
    // (without a registry login npm adds a warning that it would need one: that is about this machine, not the package)
    const problems = r.stderr.split('\n').filter((l) => /^npm (warn|error)/i.test(l) && !/requires you to be logged in/.test(l));
    expect(problems).toEqual([]);
  });
});

describe('installed from the tarball into a "type": "commonjs" project', () => {
  it('import trains, and the threaded matmul starts its worker from the installed package', async () => {
    const out = lastJson(await node(['--input-type=module', '-e', `
      import * as tg from 'tapegrad';
      tg.manualSeed(0);
      const model = tg.sequential([tg.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }), tg.layers.dense({ units: 1 })]);
      model.compile({ optimizer: { name: 'adam', learningRate: 0.05 }, loss: 'meanSquaredError' });
      const x = tg.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = tg.tensor([[0], [1], [1], [0]]);
      const h = await model.fit(x, y, { epochs: 200, batchSize: 4, verbose: 0 });
      const a = tg.randn([200, 150]), b = tg.randn([150, 180]);
      const one = a.matmul(b).dataSync();
      await tg.setNumThreads(2);
      const two = a.matmul(b).dataSync();
      await tg.setNumThreads(1);
      console.log(JSON.stringify({ first: h.history.loss[0], last: h.history.loss.at(-1), same: one.every((v, i) => Object.is(v, two[i])) }));`]));
    expect(out.last).toBeLessThan(out.first / 10);
    expect(out.same).toBe(true);
  });

  it("require('tapegrad') works (require of the ES module) and is the same module as import('tapegrad')", async () => {
    const out = lastJson(await node(['-e', `
      const tg = require('tapegrad');
      const testing = require('tapegrad/testing');
      const fc = require('fast-check');
      const x = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
      x.mul(x).sum().backward();
      let property = 'passed';
      try { fc.assert(fc.property(testing.tensorArb(), (t) => t instanceof tg.Tensor), { numRuns: 5 }); } catch (e) { property = e.message; }
      import('tapegrad').then((esm) => console.log(JSON.stringify({
        grad: x.grad.toArray(), property, sameModule: esm.Tensor === tg.Tensor, sameGradcheck: testing.gradcheck === tg.gradcheck,
      })));`]));
    expect(out).toEqual({ grad: [[2, 4], [6, 8]], property: 'passed', sameModule: true, sameGradcheck: true });
  });

  it('tsx runs a .mts file with top-level await there (docs/index.md)', async () => {
    writeFileSync(join(consumer, 'example.mts'), `import * as tg from 'tapegrad';
const model = tg.sequential([tg.layers.dense({ units: 1, inputShape: [1] })]);
model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
await model.fit(tg.tensor([[1], [2]]), tg.tensor([[2], [4]]), { epochs: 2, verbose: 0 });
console.log(JSON.stringify({ shape: model.predict(tg.tensor([[3]])).shape }));
`);
    expect(lastJson(await ok(run(process.execPath, [join(MODULES, 'tsx', 'dist', 'cli.mjs'), 'example.mts'], consumer), 'tsx example.mts'))).toEqual({ shape: [1, 1] });
  });

  describe('TypeScript, skipLibCheck false, no DOM or Node types', () => {
    const esm = `import * as tg from 'tapegrad';
import { gradcheck, tensorArb } from 'tapegrad/testing';
import fc from 'fast-check';
const x: tg.Tensor = tg.tensor([1, 2]);
const arb: fc.Arbitrary<tg.Tensor> = tensorArb();
export const checks = [x.sum().item(), gradcheck === tg.gradcheck, fc.sample(arb, 1).length];
`;
    const cjs = `import tg = require('tapegrad');
import testing = require('tapegrad/testing');
import fc = require('fast-check');
const x: tg.Tensor = tg.tensor([1, 2]);
const arb: fc.Arbitrary<tg.Tensor> = testing.tensorArb();
fc.assert(fc.property(testing.tensorArb(), (t) => t.shape.length >= 0), { numRuns: 1 });
export const checks = [x.sum().item(), testing.gradcheck === tg.gradcheck, fc.sample(arb, 1).length];
`;
    // One TypeScript compiler in this process for all settings; files parsed once are reused
    // (per module format), as running tsc five times took most of this file's time.
    const parsed = new Map<string, ts.SourceFile>();
    function tsc(name: string, module: string, resolution: string, files: Record<string, string>): string[] {
      const dir = join(consumer, `ts-${name}`);
      mkdirSync(dir, { recursive: true });
      for (const [f, code] of Object.entries(files)) writeFileSync(join(dir, f), code);
      const { options, errors } = ts.convertCompilerOptionsFromJson({
        module, moduleResolution: resolution, target: 'es2022', lib: ['es2022'], types: [], strict: true, skipLibCheck: false, noEmit: true,
      }, dir);
      if (errors.length > 0) return errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      const host = ts.createCompilerHost(options);
      const read = host.getSourceFile.bind(host);
      host.getSourceFile = (file, version, onError, create) => {
        if (file.startsWith(dir)) return read(file, version, onError, create);
        const key = `${file}|${typeof version === 'object' ? version.impliedNodeFormat : ''}`;
        if (!parsed.has(key)) parsed.set(key, read(file, version, onError, create)!);
        return parsed.get(key);
      };
      const program = ts.createProgram(Object.keys(files).map((f) => join(dir, f)), options, host);
      return ts.getPreEmitDiagnostics(program).map((d) => ts.formatDiagnostic(d, host).trim());
    }
    it.each([
      ['node16', 'node16', 'node16', { 'app.mts': esm }],
      ['nodenext', 'nodenext', 'nodenext', { 'app.mts': esm, 'app.cts': cjs }],
      ['node20 (TypeScript ≥ 5.9)', 'node20', 'node16', { 'app.mts': esm, 'app.cts': cjs }],
      ['bundler', 'esnext', 'bundler', { 'app.ts': esm }],
    ] as const)('moduleResolution %s type-checks', (name, module, resolution, files) => {
      expect(tsc(name.split(' ')[0], module, resolution, files)).toEqual([]);
    });
    it('node16 rejects require() of an ES module, as Node 16 did: CommonJS TypeScript needs nodenext or node20 (docs/install.md)', () => {
      const errors = tsc('node16-cjs', 'node16', 'node16', { 'app.cts': cjs });
      expect(errors.join('\n')).toMatch(/TS1471: Module 'tapegrad' cannot be imported using this construct/);
    });
  });
});

describe('published metadata', () => {
  it('names the repository, homepage, keywords and license, has no side effects, and bundles ndarray instead of depending on it', () => {
    expect(pkg.repository.url).toMatch(/^git\+https:\/\//);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.keywords.length).toBeGreaterThan(3);
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.dependencies).toBeUndefined();
    const installed = JSON.parse(readFileSync(join(consumer, 'node_modules', 'tapegrad', 'package.json'), 'utf8'));
    expect(installed.dependencies).toBeUndefined();
    for (const f of ['index.js', 'browser.js']) {
      expect(readFileSync(join(consumer, 'node_modules', 'tapegrad', 'dist', f), 'utf8')).not.toMatch(/(from|require\()\s*["']ndarray["']/);
    }
  });

  it("README's relative links point at files in the repository (npm shows them as links into it)", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !existsSync(join(ROOT, l)))).toEqual([]);
  });
});

describe('tree-shaking (esbuild, browser, minified)', () => {
  async function bundle(code: string): Promise<string> {
    const r = await build({
      stdin: { contents: code, resolveDir: consumer, loader: 'js' }, bundle: true, platform: 'browser', format: 'esm',
      minify: true, write: false, logLevel: 'silent',
    });
    return r.outputFiles[0].text;
  }
  it('a program that uses tensors only leaves out plots and text; one that uses them keeps them', async () => {
    const small = await bundle(`import { tensor } from 'tapegrad'; console.log(tensor([1, 2]).sum().item());`);
    const full = await bundle(`import * as tg from 'tapegrad'; console.log(Object.values(tg));`);
    for (const marker of ['Decision boundary', 'Tokenizer', 'stripHtml']) {
      // booleans, so that a failure does not print a whole bundle
      expect(full.includes(marker), `the full bundle has ${marker}`).toBe(true);
      expect(small.includes(marker), `the tensors-only bundle has ${marker}`).toBe(false);
    }
    expect(small.length / full.length).toBeLessThan(0.5);
  });
});

if (process.env.TAPEGRAD_GIT_INSTALL === '1') {
  it('npm install git+file://… builds and installs a working package (needs the network)', async () => {
    const git = join(tmp, 'git-consumer');
    mkdirSync(git);
    writeFileSync(join(git, 'package.json'), JSON.stringify({ name: 'git-consumer', version: '1.0.0', private: true }));
    await ok(run('git', ['init', '-q'], clone), 'git init');
    await ok(run('git', ['add', '-A', '.', ':!node_modules'], clone), 'git add');
    await ok(run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'snapshot'], clone), 'git commit');
    await ok(run('npm', ['install', '--no-audit', '--no-fund', `git+file://${clone}`], git, 1_200_000), 'npm install git+file://');
    expect(lastJson(await node(['-e', "console.log(JSON.stringify(require('tapegrad').tensor([1, 2]).sum().item()))"], git))).toBe(3);
  }, 1_200_000);
}
