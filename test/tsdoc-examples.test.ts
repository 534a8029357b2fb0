// Runs every TSDoc `@example` in src/ (issue 11), so the examples in the API reference cannot rot: each must
// run without throwing. An example is a fenced ```ts block or the text after `@example` up to the next tag.
// Examples use names a reader already has (`net`, `x`, `xTest`, `opt`, ...); the context below defines them
// (small and fast), and an example's own declarations shadow it: each runs in its own block, in its own
// async function, with a fresh context. Per-file contexts give the names another meaning where the example
// needs it (image classifiers for src/robust, three classes for the classification report). `import` lines
// of an example go to the top of the generated module. The modules are written to a git-ignored folder
// and imported, one per source file.

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test', '.tsdoc-examples');

/** Files whose examples show internal helpers (not exported from 'tapegrad'), so there is no `tg.` name to run them with. */
const INTERNAL = new Set(['src/tensor/validate.ts']);

/** Names most examples take as given: two-moons data, a compiled Keras model on it, an optimizer and a loss. */
const CONTEXT = `
const nn = tg.nn;
const F = tg.nn.functional;
tg.manualSeed(0);
const { x, y } = tg.data.makeMoons(64, { noise: 0.2, seed: 0 });
const { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 16, seed: 0 });
const net = tg.sequential([tg.layers.dense({ units: 8, activation: 'relu', inputShape: [2] }), tg.layers.dense({ units: 1, activation: 'sigmoid' })]);
net.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const model = net;
const opt = new tg.optim.SGD(model.parameters(), { lr: 0.1 });
const loss = F.binaryCrossEntropy(model.call(x), y.reshape([-1, 1]));
const probs = net.predict(xTest);
const yPred = probs.gt(0.5).reshape([-1]);
const bytes = net.toBytes();
const a = tg.input({ shape: [4], name: 'a' });
const b = tg.input({ shape: [4], name: 'b' });
const xs = [0, 0.5, 1, 1.5, 2];
const h1 = { history: { loss: [1, 0.5, 0.25] } };
const h2 = { history: { loss: [1, 0.4, 0.1] } };
const trainTexts = ['free money now', 'meeting at noon', 'win a free prize', 'lunch tomorrow?'];
const testTexts = ['free lunch', 'prize meeting'];
const fs = { writeFileSync: (_path: string, _data: unknown) => {} }; // pictures and graphs are made, not written
const writeFileSync = fs.writeFileSync;
`;

/** Contexts for the files whose examples mean something else by the same names. */
const FILE_CONTEXT: Record<string, string> = {
  // 28×28 images and a 10-class classifier
  'src/robust/corruption.ts': `
const net = tg.sequential([tg.layers.dense({ units: 10, activation: 'softmax', inputShape: [784] })]);
net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
const xTest = tg.rand([8, 784]);
const yTest = tg.randint(0, 10, [8]);
`,
  // three classes (iris's names)
  'src/metrics/classification.ts': `
const { x: xTest, y: yTest } = tg.data.makeBlobs(30, { centers: 3, seed: 0 });
const model = { predict: (v: tg.Tensor) => v.slice(1, 0, 1).mul(0).add(yTest.reshape([-1, 1])).reshape([-1]) };
`,
  // downloadBytes needs a page: a stand-in document that records the click
  'src/io/download.ts': `
const clicked: string[] = [];
(globalThis as { document?: unknown }).document = {
  createElement: () => ({ style: {}, click() { clicked.push((this as { download: string }).download); }, remove() {} }),
  body: { appendChild() {} },
};
`,
};
FILE_CONTEXT['src/robust/evaluate.ts'] = FILE_CONTEXT['src/robust/corruption.ts'];

interface Example { file: string; line: number; code: string }

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [relative(root, p)] : [];
  });
}

/** Every `@example` of a file's doc comments: the fenced code, or the tag's text. */
function examplesOf(file: string): Example[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: Example[] = [];
  const re = /\/\*\*([\s\S]*?)\*\//g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const lines = m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    lines.forEach((l, i) => {
      const tag = /^\s*@example\s?(.*)$/.exec(l);
      if (!tag) return;
      const body = [tag[1]];
      for (let j = i + 1; j < lines.length && !/^\s*@\w+/.test(lines[j]); j++) body.push(lines[j]);
      const joined = body.join('\n');
      const fence = /```(?:ts|typescript)?\n([\s\S]*?)```/.exec(joined);
      out.push({ file, line: text.slice(0, m!.index).split('\n').length + i, code: (fence ? fence[1] : joined).trim() });
    });
  }
  return out;
}

const files = sourceFiles(join(root, 'src')).filter((f) => !INTERNAL.has(f)).sort();
const byFile = files.map((f) => [f, examplesOf(f)] as const).filter(([, list]) => list.length > 0);
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** The generated module of one source file: its examples' imports, then one async function per example. */
function moduleText(file: string, list: readonly Example[]): string {
  const imports = new Set<string>(["import * as tg from 'tapegrad';"]);
  const bodies = list.map((ex) => {
    const kept = ex.code.split('\n').filter((l) => {
      if (!/^import\s/.test(l)) return true;
      imports.add(l);
      return false;
    });
    return `  // ${ex.file}:${ex.line}\n  async () => {\n${CONTEXT}\n{\n${FILE_CONTEXT[file] ?? ''}\n{\n${kept.join('\n')}\n}\n}\n  },`;
  });
  return `${[...imports].join('\n')}\n\nexport const examples = [\n${bodies.join('\n')}\n];\n`;
}

it('finds the examples of the API reference', () => {
  // every exported symbol's example is collected (about 200 when this test was written)
  expect(byFile.reduce((n, [, list]) => n + list.length, 0)).toBeGreaterThan(150);
});

describe.each(byFile)('%s', (file, list) => {
  const path = join(outDir, `${file.replace(/[/.]/g, '_')}.ts`);
  writeFileSync(path, moduleText(file, list));
  it.each(list.map((ex, i) => [ex.line, i] as const))('the example at line %i runs', async (_line, i) => {
    const mod = (await import(/* @vite-ignore */ path)) as { examples: (() => Promise<void>)[] };
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await mod.examples[i]();
    } finally {
      log.mockRestore();
      delete (globalThis as { document?: unknown }).document;
    }
  });
});
