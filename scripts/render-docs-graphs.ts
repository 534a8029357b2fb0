// Draws the computational graphs shown in the docs with tg.toDot: one neuron, and a tiny two-layer MLP.
// Writes docs/img/{neuron,mlp}.dot, and the .svg pictures too where Graphviz's `dot` program is installed.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';

/** The neuron of docs/learn-1-neuron.md: loss = (σ(w·x + b) − target)², after backward, so gradient shapes show. */
export function neuronDot(): string {
  const x = tg.tensor([1, 2]);
  const w = tg.tensor([0.5, -0.5], { requiresGrad: true });
  const b = tg.tensor(0.5, { requiresGrad: true });
  const target = tg.tensor(1);
  const a = w.matmul(x).add(b).sigmoid();
  const loss = a.sub(target).pow(2);
  loss.backward(undefined, { retainGraph: true }); // keep the graph, so toDot can still walk it
  return tg.toDot(loss, { names: { x, w, b, target }, title: 'one neuron: loss = (σ(w·x + b) − target)²' });
}

/** A 2 → 3 → 1 network (Linear, Tanh, Linear) on a batch of 4 rows, with a mean squared error loss. */
export function mlpDot(): string {
  tg.manualSeed(0);
  const model = new tg.nn.Sequential(new tg.nn.Linear(2, 3), new tg.nn.Tanh(), new tg.nn.Linear(3, 1));
  const x = tg.randn([4, 2]);
  const y = tg.randn([4, 1]);
  const loss = tg.nn.functional.mseLoss(model.call(x), y);
  loss.backward(undefined, { retainGraph: true });
  const names: [string, tg.Tensor][] = [...model.namedParameters(), ['x', x], ['y', y]];
  return tg.toDot(loss, { names, title: 'a 2-3-1 MLP: mseLoss(Linear(tanh(Linear(x))), y)' });
}

export const GRAPHS: Record<string, () => string> = { neuron: neuronDot, mlp: mlpDot };

function main(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = join(root, 'docs', 'img');
  mkdirSync(outDir, { recursive: true });
  let haveDot = true;
  for (const [name, build] of Object.entries(GRAPHS)) {
    const dotFile = join(outDir, `${name}.dot`);
    writeFileSync(dotFile, build());
    console.log(`wrote ${dotFile}`);
    if (!haveDot) continue;
    const svgFile = join(outDir, `${name}.svg`);
    const r = spawnSync('dot', ['-Tsvg', dotFile, '-o', svgFile], { encoding: 'utf8' });
    if (r.error) {
      haveDot = false;
      continue;
    }
    if (r.status !== 0) throw new Error(`dot failed on ${dotFile}: ${r.stderr}`);
    console.log(`wrote ${svgFile}`);
  }
  if (!haveDot) {
    console.log('Graphviz is not installed, so only the .dot files were written. To render the .svg pictures, install it');
    console.log('(Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz) and run this script again.');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
