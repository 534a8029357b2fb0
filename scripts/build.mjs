// `npm run build`: dist/ as published. tsc emits the type declarations (dist/**/*.d.ts, with maps
// back to src/); esbuild bundles the JavaScript, because 78 separate modules made `import('tapegrad')`
// cost 64 ms more than `node -e 0` on the project's machine, and one bundle 25–26 ms
// (docs/design.md, "esbuild: the built package is bundled").
//
// dist/index.js           the whole library in one file (package.json "exports": ".").
// dist/testing/index.js   `tapegrad/testing`: its own code, and the library imported from ../index.js,
//                         so that both entries share one Tensor class, one tape, one random generator.
// dist/node-fs.js         model files in Node (io/node-fs.ts), still imported only when used, so that
//                         dist/index.js never imports node:fs and keeps working in browsers; it too
//                         reaches the library through ./index.js.
// dist/matmul-worker.js   the worker of setNumThreads, self-contained (it runs in its own thread).
//                         thread-host.ts starts it with new URL('./matmul-worker.js', import.meta.url),
//                         and thread-host.ts is part of dist/index.js: so it sits next to that.
// dist/browser.js         the library for browsers (package.json "exports" condition "browser"): the
//                         same code, except that each src file with a `.browser.ts` sibling is
//                         replaced by it (no file system; threads are Web Workers, whose code is
//                         inlined, so no bundler has to find a worker file). No Node built-in may
//                         be imported from it: the build fails if one is.
// dist/testing/browser.js `tapegrad/testing` for browsers, reaching the library through ../browser.js.
// dist/testing/index.cjs  `tapegrad/testing` for require() (see below why it exists).
//
// Not minified, so the output stays readable (esbuild drops most comments; the source maps lead
// back to src/, which ships in the package). `fast-check` (an optional peer dependency) stays an
// import, resolved from the user's node_modules. `ndarray` and its two small dependencies are bundled
// in, as loading a CommonJS package from ESM is slow; their MIT licenses are copied to
// dist/THIRD-PARTY-LICENSES.txt and named in a banner at the top of dist/index.js.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { browserFiles, sourceOf } from './browser-files.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true }); // no stale modules of an older layout

// tsconfig.build.json has emitDeclarationOnly: tsc type-checks src/ and writes only the .d.ts files
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const typed = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (typed.status !== 0) process.exit(typed.status ?? 1);

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'es2022', // as tsconfig.build.json: nothing is lowered
  charset: 'utf8', // keep non-ASCII text in messages as written instead of \u escapes
  sourcemap: true,
  sourcesContent: false, // the maps point into src/, which the package ships
  external: ['fast-check'],
  metafile: true, // for the list of bundled packages (licenses below)
  logLevel: 'warning',
};


/** The other outputs that import the library: source file, path in dist/, and which imports are their own. */
const secondary = [
  { source: join(src, 'testing', 'index.ts'), out: 'testing/index', own: (f) => f.startsWith(join(src, 'testing') + sep) },
  { source: join(src, 'io', 'node-fs.ts'), out: 'node-fs', own: (f) => f === join(src, 'io', 'node-fs.ts') },
];

/** An import specifier from dist/<from>.js to dist/<to>.js. */
const specifier = (from, to) => {
  const r = relative(dirname(join(dist, from)), join(dist, `${to}.js`)).split(sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
};

// the library: node-fs.ts stays a separate file, imported dynamically as in the source
const library = await build({
  ...common,
  entryPoints: { index: 'src/index.ts' },
  outdir: 'dist',
  plugins: [{
    name: 'keep-node-fs-apart',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = secondary.find((e) => e.out === 'node-fs' && e.source === sourceOf(args));
        return target ? { path: specifier('index', target.out), external: true } : undefined;
      });
    },
  }],
});

// secondary entries: their own code, and every other import of src/ through the public entry
for (const e of secondary) {
  await build({
    ...common,
    entryPoints: { [e.out]: e.source },
    outdir: 'dist',
    plugins: [{
      name: 'library-through-index',
      setup(b) {
        b.onResolve({ filter: /^\.\.?\// }, (args) => {
          if (args.kind === 'entry-point' || e.own(sourceOf(args))) return undefined;
          return { path: specifier(e.out, 'index'), external: true };
        });
      },
    }],
  });
}

// `tapegrad/testing` for require(): fast-check ships a CommonJS and an ES build, each with its own
// types, and a CommonJS caller gets the CommonJS one; an Arbitrary from the other build does not
// type-check against it. So require() gets this CommonJS copy of the testing code, which requires
// fast-check the same way the caller does, and the library as the one ES module (../index.js, loaded
// by require(esm)), shared with every import. Its types are the same declarations as a .d.cts file,
// so TypeScript resolves fast-check in them as CommonJS too.
await build({
  ...common,
  format: 'cjs',
  entryPoints: { 'testing/index': secondary[0].source },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  plugins: [{
    name: 'library-through-index',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === 'entry-point' || secondary[0].own(sourceOf(args))) return undefined;
        return { path: '../index.js', external: true };
      });
    },
  }],
});
writeFileSync(join(dist, 'testing', 'index.d.cts'), readFileSync(join(dist, 'testing', 'index.d.ts'), 'utf8'));

// the worker: one file, its own copy of the kernel
await build({
  ...common,
  entryPoints: { 'matmul-worker': 'src/tensor/matmul-worker.ts' },
  outdir: 'dist',
});

// The browser build: src files with a `.browser.ts` sibling are replaced by it (scripts/browser-files.mjs).
const browserCommon = { ...common, platform: 'browser' };

// the Web Worker of the threaded matmul: a minified classic script, inlined into dist/browser.js as a string
const worker = await build({
  ...browserCommon,
  entryPoints: ['src/tensor/matmul-worker.browser.ts'],
  format: 'iife',
  minify: true,
  sourcemap: false,
  write: false,
  define: { __TAPEGRAD_MATMUL_WORKER__: '""' },
  plugins: [browserFiles],
});
const browserLibrary = await build({
  ...browserCommon,
  entryPoints: { browser: 'src/index.ts' },
  outdir: 'dist',
  define: { __TAPEGRAD_MATMUL_WORKER__: JSON.stringify(worker.outputFiles[0].text) },
  plugins: [browserFiles],
});
const browserTesting = await build({
  ...browserCommon,
  entryPoints: { 'testing/browser': 'src/testing/index.ts' },
  outdir: 'dist',
  plugins: [{
    name: 'library-through-browser',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === 'entry-point' || secondary[0].own(sourceOf(args))) return undefined;
        return { path: '../browser.js', external: true };
      });
    },
  }],
});
for (const [name, result] of [['browser', browserLibrary], ['testing/browser', browserTesting], ['browser worker', worker]]) {
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const builtin = output.imports.find((i) => i.path.startsWith('node:') || (i.external && !/^(\.|fast-check$)/.test(i.path)));
    if (builtin) {
      console.error(`build: the ${name} build (${file}) imports ${builtin.path}; give the src file that imports it a .browser.ts sibling`);
      process.exit(1);
    }
  }
}

for (const f of ['index.js', 'browser.js']) pureNamespaces(join(dist, f));
// --keep-var skips this step, to measure what it is for (docs/design.md)
if (!process.argv.includes('--keep-var')) restoreConst(dist);
writeLicenses(library.metafile);

// threads.ts finds the worker relative to the file its code was bundled into: that file must be in dist/
const homes = readdirSync(dist, { recursive: true })
  .filter((f) => f.endsWith('.js') && f !== 'matmul-worker.js' && readFileSync(join(dist, f), 'utf8').includes('matmul-worker.js'));
if (homes.length === 0 || homes.some((f) => dirname(f) !== '.') || !existsSync(join(dist, 'matmul-worker.js'))) {
  console.error(`build: the code that starts the worker is in ${homes.join(', ') || 'no file'}; it must be directly in dist/, next to matmul-worker.js`);
  process.exit(1);
}

// the secondary entries import names from dist/index.js: loading them checks that it exports each one
for (const e of secondary) {
  try {
    await import(pathToFileURL(join(dist, `${e.out}.js`)).href);
  } catch (err) {
    console.error(`build: dist/${e.out}.js does not load (does src/index.ts export everything it imports from the library?):\n${err}`);
    process.exit(1);
  }
}

/**
 * `export * as plot from './plot/index.js'` comes out of esbuild as `var plot_exports = {};` and a
 * call `__export(plot_exports, { ...getters })`: a statement a user's bundler must keep, and with it
 * every function the namespace names, in an app that never touches tg.plot. Written instead as one
 * call marked pure, `var plot_exports = /* @__PURE__ *\/ __namespace({ ... })`, an unused namespace and
 * all it alone uses drop out of the user's bundle (docs/performance.md, "Bundle size"). The line
 * break stays where it was, so the source map still lines up.
 */
function pureNamespaces(file) {
  let n = 0;
  let code = readFileSync(file, 'utf8').replace(/^(var|const) (\w+) = \{\};\n__export\(\2, \{$/gm, (_, kw, name) => {
    n++;
    return `${kw} ${name} = /* @__PURE__ */ __namespace(\n{`;
  });
  if (n === 0) return;
  const helper = 'function __namespace(getters) {\n  const target = {};\n  __export(target, getters);\n  return target;\n}\n';
  const at = code.lastIndexOf('//# sourceMappingURL=');
  code = code.slice(0, at) + helper + code.slice(at);
  writeFileSync(file, code);
}

/**
 * esbuild writes every top-level `const` (and `let`, `class`) of a bundle as `var`, and has no option
 * against it. For V8 that is not the same: a module-level `const` is a constant that optimized code
 * can embed, a `var` must be reloaded. matmul.ts depends on it (its packing buffers, see the comment
 * there): with `var` the 512×512 float32 product took ~140 ms instead of ~70 ms (`--keep-var`, then
 * node bench/dist-matmul.mjs). So each top-level
 * `var` of the output that is initialized where declared and never assigned again in its file goes
 * back to `const` (other files only import it, and an import cannot be assigned), and the line's
 * source-map columns move with it. Such a name is read before its declaration only if the source
 * read a `const` or a class in its temporal dead zone, which threw there too.
 */
function restoreConst(dir) {
  for (const f of readdirSync(dir, { recursive: true })) {
    if (!f.endsWith('.js')) continue;
    const file = join(dir, f);
    const code = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(f, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
    const candidates = new Map(); // name -> its top-level var statement
    const keep = new Set(); // statements that stay var
    const assigned = new Set(); // names written after their declaration (or declared twice)
    for (const st of sf.statements) {
      if (!ts.isVariableStatement(st) || (st.declarationList.flags & ts.NodeFlags.BlockScoped) !== 0) continue;
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || d.initializer === undefined) keep.add(st); // destructuring, or assigned later
        else {
          if (candidates.has(d.name.text)) assigned.add(d.name.text);
          candidates.set(d.name.text, st);
        }
      }
    }
    const targets = (n) => {
      if (ts.isIdentifier(n)) assigned.add(n.text);
      else if (ts.isParenthesizedExpression(n)) targets(n.expression);
      else if (ts.isArrayLiteralExpression(n)) n.elements.forEach(targets);
      else if (ts.isObjectLiteralExpression(n)) {
        for (const p of n.properties) {
          if (ts.isShorthandPropertyAssignment(p)) assigned.add(p.name.text);
          else if (ts.isPropertyAssignment(p)) targets(p.initializer);
          else if (ts.isSpreadAssignment(p)) targets(p.expression);
        }
      } else if (ts.isSpreadElement(n)) targets(n.expression);
      else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) targets(n.left); // a default
    };
    const visit = (n) => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) targets(n.left);
      else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) targets(n.operand);
      else if ((ts.isForInStatement(n) || ts.isForOfStatement(n)) && !ts.isVariableDeclarationList(n.initializer)) targets(n.initializer);
      ts.forEachChild(n, visit);
    };
    visit(sf);
    for (const [name, st] of candidates) if (assigned.has(name)) keep.add(st);
    const statements = new Set([...candidates.values()].filter((st) => !keep.has(st)));
    if (statements.size === 0) continue;

    // rewrite from the end, so earlier offsets stay valid; note each line's column shift
    const shifts = new Map(); // generated line -> column after which columns move by 2
    let out = code;
    for (const st of [...statements].sort((a, b) => b.getStart(sf) - a.getStart(sf))) {
      const at = st.declarationList.getStart(sf);
      if (out.slice(at, at + 4) !== 'var ') throw new Error(`build: expected "var " at ${f}:${at}`);
      out = out.slice(0, at) + 'const ' + out.slice(at + 4);
      const { line, character } = sf.getLineAndCharacterOfPosition(at);
      shifts.set(line, character);
    }
    writeFileSync(file, out);
    const mapFile = `${file}.map`;
    if (existsSync(mapFile)) {
      const map = JSON.parse(readFileSync(mapFile, 'utf8'));
      map.mappings = shiftMappings(map.mappings, shifts);
      writeFileSync(mapFile, JSON.stringify(map));
    }
  }
}

/** Moves the generated columns past `after` on the given lines two places right ("var" → "const"). */
function shiftMappings(mappings, shifts) {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const decode = (s) => {
    const values = [];
    for (let i = 0, shift = 0, v = 0; i < s.length; i++) {
      const digit = B64.indexOf(s[i]);
      v += (digit & 31) << shift;
      if (digit & 32) shift += 5;
      else {
        values.push(v & 1 ? -(v >>> 1) : v >>> 1);
        v = 0;
        shift = 0;
      }
    }
    return values;
  };
  const encode = (values) => values.map((x) => {
    let v = x < 0 ? (-x << 1) | 1 : x << 1;
    let s = '';
    do {
      let digit = v & 31;
      v >>>= 5;
      if (v > 0) digit |= 32;
      s += B64[digit];
    } while (v > 0);
    return s;
  }).join('');
  const lines = mappings.split(';');
  for (const [line, after] of shifts) {
    if (!lines[line]) continue;
    const segments = lines[line].split(',');
    let col = 0;
    for (let i = 0; i < segments.length; i++) {
      const values = decode(segments[i]);
      col += values[0];
      if (col > after) { // the first segment past the keyword carries the shift for all after it
        values[0] += 2;
        segments[i] = encode(values);
        break;
      }
    }
    lines[line] = segments.join(',');
  }
  return lines.join(';');
}

/**
 * The npm packages bundled into dist/index.js and dist/browser.js (found in esbuild's metafile) keep
 * their license notices: each package's LICENSE file goes into dist/THIRD-PARTY-LICENSES.txt, and a
 * comment at the top of both files names them.
 */
function writeLicenses(metafile) {
  const packages = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.add(m[1]);
  }
  const names = [...packages].sort();
  const licenses = [];
  const sections = names.map((name) => {
    const dir = join(root, 'node_modules', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[sc]e|copying)(\.|$)/i.test(f));
    if (!file) {
      console.error(`build: the bundled package ${name} has no LICENSE file to copy`);
      process.exit(1);
    }
    licenses.push(`${name} (${pkg.license ?? 'license below'})`);
    return `${name}@${pkg.version} (${pkg.license ?? 'see below'})\n\n${readFileSync(join(dir, file), 'utf8').trim()}\n`;
  });
  writeFileSync(join(dist, 'THIRD-PARTY-LICENSES.txt'),
    `dist/index.js and dist/browser.js bundle these npm packages; their licenses follow.\n\n${sections.join('\n' + '-'.repeat(72) + '\n\n')}`);
  for (const file of ['index.js', 'browser.js']) {
    const out = join(dist, file);
    const banner = `// tapegrad. Bundles ${licenses.join(', ')}: see THIRD-PARTY-LICENSES.txt.\n`;
    writeFileSync(out, banner + readFileSync(out, 'utf8'));
    // the banner adds one line at the top: the source map's generated lines move down by one
    const mapFile = `${out}.map`;
    const map = JSON.parse(readFileSync(mapFile, 'utf8'));
    map.mappings = ';' + map.mappings;
    writeFileSync(mapFile, JSON.stringify(map));
  }
}
