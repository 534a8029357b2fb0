// The tape's cost per op in several checkouts, alternated in one process: a chain of 10,000 one-element ops
// (y = y·w + b, 5,000 times) recorded and differentiated, as bench/tapegrad.ts's 'tape' row, for each
// checkout's src/ in turn, 15 times after 5 warm-ups; prints each one's median µs per op.
// Run: npx tsx bench/tape-ab.ts /path/to/old-checkout /path/to/other-checkout ...  (this checkout when none)

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Tg = typeof import('../src/index.js');

async function main(): Promise<void> {
  const here = join(dirname(fileURLToPath(import.meta.url)), '..');
  const roots = process.argv.length > 2 ? process.argv.slice(2).map((r) => resolve(r)) : [here];
  const libs = (await Promise.all(roots.map((r) => import(pathToFileURL(join(r, 'src', 'index.ts')).href)))) as Tg[];
  const chains = libs.map((tg) => {
    const w = tg.tensor(0.999, { requiresGrad: true }), b = tg.tensor(0.001, { requiresGrad: true }), x = tg.tensor(1.5, { requiresGrad: true });
    return (): void => {
      let y = x;
      for (let i = 0; i < 5000; i++) y = y.mul(w).add(b);
      y.backward();
      x.grad = w.grad = b.grad = null;
    };
  });
  const times: number[][] = roots.map(() => []);
  for (let r = 0; r < 5; r++) for (const c of chains) c();
  for (let r = 0; r < 15; r++) {
    chains.forEach((c, i) => {
      const t0 = performance.now();
      c();
      times[i].push((performance.now() - t0) * 1000 / 10_000);
    });
  }
  const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1];
  roots.forEach((r, i) => console.log(`${r}: ${median(times[i]).toFixed(2)} µs/op`));
}

await main();
