// Several checkouts alternated in one process, so that a busy or slow machine affects them alike: the tape's
// cost per op (a chain of 10,000 one-element ops, y = y·w + b 5,000 times, recorded and differentiated, as
// bench/tapegrad.ts's 'tape' row; 15 times after 5 warm-ups) and a 512³ matmul (15 times after 3); prints
// each checkout's medians, of the wall time and of the process's CPU time (user + system, all threads: under
// load from other processes the CPU time moves less). V8 decides per run whether to allocate the graph's
// objects straight into the old generation (allocation-site pretenuring), which moves the tape's figure by
// up to 3× for either checkout; `node --no-allocation-site-pretenuring --import tsx bench/tape-ab.ts ...`
// takes that decision out.
// Run: npx tsx bench/tape-ab.ts /path/to/old-checkout /path/to/other-checkout ...  (this checkout when none)
// e.g. git worktree add --detach /tmp/b11 9fc5c7f && ln -s "$PWD/node_modules" /tmp/b11/

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
  const times: number[][] = roots.map(() => []), cpu: number[][] = roots.map(() => []);
  for (let r = 0; r < 5; r++) for (const c of chains) c();
  for (let r = 0; r < 15; r++) {
    chains.forEach((c, i) => {
      const c0 = process.cpuUsage(), t0 = performance.now();
      c();
      times[i].push((performance.now() - t0) * 1000 / 10_000);
      const used = process.cpuUsage(c0);
      cpu[i].push((used.user + used.system) / 10_000);
    });
  }
  const products = libs.map((tg) => {
    const a = tg.rand([512, 512]), b = tg.rand([512, 512]);
    return (): unknown => a.matmul(b);
  });
  const mm: number[][] = roots.map(() => []);
  for (let r = 0; r < 3; r++) for (const p of products) p();
  for (let r = 0; r < 15; r++) {
    products.forEach((p, i) => {
      const t0 = performance.now();
      p();
      mm[i].push(performance.now() - t0);
    });
  }
  const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1];
  roots.forEach((r, i) => console.log(`${r}: tape ${median(times[i]).toFixed(2)} µs/op (CPU ${median(cpu[i]).toFixed(2)}), matmul 512³ ${median(mm[i]).toFixed(2)} ms`));
}

await main();
