// tapegrad in a real browser (Debian's Chromium through playwright-core, see harness.ts), as users
// get it: the package copied into a project's node_modules, the page in test/browser/app/ bundled
// with esbuild (--bundle --platform=browser, no other flag), with `vite build` (no config), and
// loaded unbundled by a <script type="module"> with an import map. Each page runs the README's
// gradient example (the values the README prints), trains two moons to ≥ 95% test accuracy,
// round-trips toBytes/fromBytes bitwise, downloads the weights, and (bundled) trains in a Web
// Worker while the page keeps running; the esbuild page is cross-origin isolated, so its worker
// also runs the threaded matmul. No page may log an error.

import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distIsStale } from '../../scripts/dist-stale.js';
import { launchChromium, serve, type Chromium, type StaticServer, type WatchedPage } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP = join(ROOT, 'test', 'browser', 'app');

interface Results {
  failed?: string;
  readme: string[];
  moonsAccuracy: number;
  roundTrip: { weights: boolean; config: boolean; predictions: boolean; weightBytes: number };
  pageThreads: string;
  loadModel: string;
  worker: null | {
    accuracy: number; isolated: boolean; epochs: number; ticksFirstEpoch: number; ticksLastEpoch: number;
    threads: { count: number; same: boolean } | { error: string };
  };
}

/** The README's "short example" block and, for each console.log in it, the comment that says what it prints. */
function readmeExample(): { code: string; printed: string[] } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]).find((b) => b.includes('.backward()') && b.includes('gradcheck'));
  if (!block) throw new Error('README.md has no ```ts block with backward() and gradcheck');
  const printed = block.split('\n').filter((l) => /^\s*console\.log\(/.test(l)).map((l) => l.slice(l.indexOf('//') + 2));
  return { code: block.replace(/^import .*$/m, ''), printed };
}

/** Runs node with args, without blocking this test worker (vitest talks to it meanwhile); resolves to its output. */
function runNode(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`node ${args.join(' ')} failed:\n${stdout}\n${stderr}`));
      else resolve(`${stdout}\n${stderr}`);
    });
  });
}

let tmp: string;
let browser: Chromium;
const servers: StaticServer[] = [];
let viteOutput = '';
let esbuildInputs: string[] = [];

beforeAll(async () => {
  if (distIsStale(ROOT)) await runNode([join(ROOT, 'scripts', 'build.mjs')], ROOT);
  tmp = mkdtempSync(join(tmpdir(), 'tapegrad-browser-'));
  // the project: tapegrad as npm installs it (package.json and dist/), and the app's sources
  const pkg = join(tmp, 'node_modules', 'tapegrad');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(tmp, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const app = join(tmp, 'app');
  cpSync(APP, app, { recursive: true });
  const { code } = readmeExample();
  const body = transformSync(code, { loader: 'ts' }).code;
  writeFileSync(join(app, 'readme-example.js'), `// generated from README.md by test/browser/bundles.test.ts
import * as tg from 'tapegrad';
export function runReadmeExample() {
  const lines = [];
  const console = { log: (...args) => lines.push(args.map((a) => JSON.stringify(a)).join(' ')) };
${body}
  return lines;
}
`);

  // esbuild: what `esbuild main.js worker.js --bundle --platform=browser --format=esm --outdir=…` does
  const out = join(tmp, 'esbuild');
  const result = await build({
    entryPoints: [join(app, 'main.js'), join(app, 'worker.js')], bundle: true, platform: 'browser', format: 'esm',
    outdir: out, metafile: true, logLevel: 'silent', absWorkingDir: tmp,
  });
  if (result.warnings.length > 0) throw new Error(`esbuild warned: ${JSON.stringify(result.warnings)}`);
  esbuildInputs = Object.keys(result.metafile.inputs);
  cpSync(join(app, 'index.html'), join(out, 'index.html'));

  // Vite: `vite build` in the app folder, no config file
  viteOutput = await runNode([join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', join(tmp, 'vite'), '--emptyOutDir'], app);

  // no bundler: the app's files as they are, 'tapegrad' mapped to dist/browser.js by an import map
  const plain = join(tmp, 'plain');
  cpSync(app, plain, { recursive: true });
  writeFileSync(join(plain, 'index.html'), readFileSync(join(app, 'index.html'), 'utf8').replace('<script type="module"',
    '<script type="importmap">{ "imports": { "tapegrad": "/node_modules/tapegrad/dist/browser.js" } }</script>\n<script type="module"'));

  servers.push(await serve(out, { isolated: true }), await serve(join(tmp, 'vite')), await serve(tmp));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function run(url: string): Promise<{ page: WatchedPage; results: Results }> {
  const page = await browser.open(url);
  await page.page.waitForFunction(() => (window as { __results?: unknown }).__results !== undefined, undefined, { timeout: 60_000 });
  const results = await page.page.evaluate(() => (window as unknown as { __results: Results }).__results);
  return { page, results };
}

/** The checks every page passes, bundled or not. */
async function expectWorks({ page, results }: { page: WatchedPage; results: Results }): Promise<void> {
  expect(results.failed).toBeUndefined();
  const { printed } = readmeExample();
  expect(results.readme).toHaveLength(printed.length);
  results.readme.forEach((line, i) => expect(printed[i].replace(/\s/g, '')).toContain(line.replace(/\s/g, '')));
  expect(results.moonsAccuracy).toBeGreaterThanOrEqual(0.95);
  expect(results.roundTrip).toEqual({ weights: true, config: true, predictions: true, weightBytes: results.roundTrip.weightBytes });
  expect(results.pageThreads).toMatch(/setNumThreads: .*(cross-origin isolated|main thread)/);
  expect(results.loadModel).toMatch(/^NOT_NODE: loadModel needs Node's file system; in a browser use model\.toBytes\(\)/);
  const [download, expected] = await Promise.all([page.page.waitForEvent('download'), page.page.evaluate(() => (window as unknown as { __download(): string }).__download())]);
  expect(download.suggestedFilename()).toBe('model.safetensors');
  expect(readFileSync(await download.path()).toString('base64')).toBe(expected);
  expect(page.errors).toEqual([]);
}

/** Training in the worker: accurate, and the page ran its own tasks (timer ticks) between the worker's epochs. */
function expectWorkerTrained(results: Results): void {
  const w = results.worker!;
  expect(w.accuracy).toBeGreaterThanOrEqual(0.95);
  expect(w.epochs).toBe(40);
  expect(w.ticksLastEpoch).toBeGreaterThan(w.ticksFirstEpoch);
}

describe('in Chromium', () => {
  it('an esbuild bundle (--platform=browser) works, and its worker runs threads on a cross-origin isolated page', async () => {
    const run1 = await run(`${servers[0].url}/index.html`);
    await expectWorks(run1);
    expect(run1.results.pageThreads).toMatch(/main thread may not block/);
    expectWorkerTrained(run1.results);
    expect(run1.results.worker!.isolated).toBe(true);
    expect(run1.results.worker!.threads).toEqual({ count: 2, same: true });
    // no Node built-in reached the bundle, and it took the browser build
    expect(esbuildInputs.filter((f) => f.startsWith('node:'))).toEqual([]);
    expect(esbuildInputs).toContain('node_modules/tapegrad/dist/browser.js');
  });

  it('a `vite build` works without warnings about tapegrad, and threads say what they need on a page without isolation', async () => {
    expect(viteOutput.split('\n').filter((l) => /tapegrad|node_modules|externalized|\(!\)/i.test(l))).toEqual([]);
    const run2 = await run(`${servers[1].url}/index.html`);
    await expectWorks(run2);
    expectWorkerTrained(run2.results);
    expect(run2.results.worker!.isolated).toBe(false);
    expect(run2.results.worker!.threads).toEqual({ error: expect.stringMatching(/SharedArrayBuffer.*cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin/) });
  });

  it('a bare <script type="module"> (no bundler) imports dist/browser.js', async () => {
    await expectWorks(await run(`${servers[2].url}/plain/index.html?noworker`));
  });
});
