// Bundle sizes of tapegrad in a browser app: what esbuild (--bundle --platform=browser --minify) makes of
// a few programs that import different parts of it, minified and gzipped, and what tree-shaking left out.
// Run after `npm run build`: node scripts/bundle-size.mjs   (docs/performance.md, "Bundle size")

import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const programs = [
  ['everything (`import * as tg`, all of it used)', "import * as tg from 'tapegrad'; console.log(Object.values(tg));"],
  ['tensors and autograd only', "import { tensor } from 'tapegrad'; const x = tensor([1, 2], { requiresGrad: true }); x.mul(x).sum().backward(); console.log(x.grad);"],
  ['a PyTorch-style training loop (nn, optim)', "import { nn, optim, randn } from 'tapegrad'; const m = new nn.Linear(2, 1); const o = new optim.Adam(m.parameters()); nn.functional.mseLoss(m.call(randn([4, 2])), randn([4, 1])).backward(); o.step();"],
  ['Keras-style (sequential, layers, fit)', "import { sequential, layers, randn } from 'tapegrad'; const m = sequential([layers.dense({ units: 1, inputShape: [2] })]); m.compile({ optimizer: 'adam', loss: 'meanSquaredError' }); await m.fit(randn([4, 2]), randn([4, 1]), { verbose: 0 });"],
];
// strings that only the plotting, text and model-file code contain (they survive minification)
const markers = { plots: 'Decision boundary', text: 'stripHtml', 'model files': 'safetensors' };

const tmp = mkdtempSync(join(tmpdir(), 'tapegrad-size-'));
try {
  const pkg = join(tmp, 'node_modules', 'tapegrad');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
  console.log('| program | minified | minified + gzip | left out by tree-shaking |');
  console.log('|---|---:|---:|---|');
  for (const [name, code] of programs) {
    const r = await build({
      stdin: { contents: code, resolveDir: tmp, loader: 'js' }, bundle: true, platform: 'browser', format: 'esm',
      minify: true, write: false, logLevel: 'error', legalComments: 'none',
    });
    const text = r.outputFiles[0].text;
    const dropped = Object.entries(markers).filter(([, m]) => !text.includes(m)).map(([k]) => k);
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`| ${name} | ${kb(Buffer.byteLength(text))} | ${kb(gzipSync(text, { level: 9 }).length)} | ${dropped.join(', ') || 'nothing'} |`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
