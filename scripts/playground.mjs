// The browser playground (playground/): `npm run playground:build` writes the static site to
// dist-playground/; `npm run playground` builds it and serves it on http://127.0.0.1:8080 (or --port N).
// esbuild bundles the page (playground/main.ts) and its training Web Worker (playground/worker.ts) from
// tapegrad's sources, as the browser build of the package is made (scripts/browser-files.mjs: no Node
// built-in reaches the page); the page makes no request but for its own files.

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { browserFiles } from './browser-files.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const page = join(root, 'playground');
export const outDir = join(root, 'dist-playground');

/** Each op's math comment in src/autograd/ops.ts: the comment lines right above `name: {`. */
export function vjpRules() {
  const lines = readFileSync(join(root, 'src', 'autograd', 'ops.ts'), 'utf8').split('\n');
  const rules = {};
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {2}(\w+): \{/.exec(lines[i]);
    if (!m) continue;
    const comment = [];
    for (let j = i - 1; j >= 0 && /^\s*\/\/ /.test(lines[j]); j--) comment.unshift(lines[j].trim().slice(3));
    if (comment.length) rules[m[1]] = comment.join(' ');
  }
  return rules;
}

/** Builds the site into dist-playground/. */
export async function buildPlayground({ quiet = false } = {}) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  const rules = vjpRules();
  await build({
    absWorkingDir: root,
    entryPoints: { main: join(page, 'main.ts'), worker: join(page, 'worker.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    charset: 'utf8',
    sourcemap: true,
    // the playground does not use setNumThreads: no matmul worker is inlined (threads would say so)
    define: { __TAPEGRAD_MATMUL_WORKER__: '""' },
    logLevel: quiet ? 'error' : 'warning',
    plugins: [browserFiles, {
      name: 'vjp-rules',
      setup(b) {
        b.onResolve({ filter: /^virtual:vjp-rules$/ }, () => ({ path: 'vjp-rules', namespace: 'vjp' }));
        b.onLoad({ filter: /.*/, namespace: 'vjp' }, () => ({ contents: JSON.stringify(rules), loader: 'json' }));
      },
    }],
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(page, f), join(outDir, f));
  for (const f of readdirSync(join(page, 'assets'))) copyFileSync(join(page, 'assets', f), join(outDir, 'assets', f));
  if (!quiet) console.log(`playground: wrote ${outDir}`);
  return outDir;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.map': 'application/json', '.safetensors': 'application/octet-stream', '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** Serves `dir` on 127.0.0.1 (cross-origin isolated, so SharedArrayBuffer is available). Resolves to the server. */
export function serveStatic(dir, port = 0) {
  const base = resolve(dir);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = normalize(join(base, decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)));
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPlayground();
  if (process.argv.includes('--serve')) {
    const at = process.argv.indexOf('--port');
    const server = await serveStatic(outDir, at > 0 ? Number(process.argv[at + 1]) : 8080);
    console.log(`playground: http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
  }
}
