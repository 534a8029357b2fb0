// The two-thread matmul of several checkouts, alternated in one process (each checkout starts its own
// worker): GFLOP/s of square products at 128, 256 and 512, medians over 10 rounds. A slowdown between
// checkouts counts only if it shows in both orders of the arguments.
// Run: npx tsx bench/matmul-threads-ab.ts <checkout> <checkout> ...   (e.g. a `git worktree add --detach` of an
// older commit with a node_modules link, and .)

import { resolve } from 'node:path';
import { summarize } from './common.js';

const roots = process.argv.slice(2).map((r) => resolve(r));
if (roots.length === 0) throw new Error('usage: npx tsx bench/matmul-threads-ab.ts <checkout> <checkout> ...');
const libs: { root: string; tg: typeof import('../src/index.js') }[] = [];
for (const root of roots) libs.push({ root, tg: await import(`${root}/src/index.ts`) as typeof import('../src/index.js') });
for (const l of libs) await l.tg.setNumThreads(2);
const res = new Map<string, number[]>();
for (const n of [128, 256, 512]) {
  const ops = libs.map((l) => {
    const a = l.tg.rand([n, n]), b = l.tg.rand([n, n]);
    return () => a.matmul(b);
  });
  const reps = n === 512 ? 3 : n === 256 ? 20 : 100;
  for (let round = 0; round < 12; round++) {
    libs.forEach((l, i) => {
      ops[i]();
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) ops[i]();
      const ms = (performance.now() - t0) / reps;
      const key = `${n}³  ${l.root}`;
      if (round >= 2) res.set(key, [...(res.get(key) ?? []), (2 * n ** 3) / ms / 1e6]);
    });
  }
}
for (const l of libs) await l.tg.setNumThreads(1);
for (const [k, v] of res) console.log(`${k.padEnd(40)} ${summarize(v).median.toFixed(2)} GFLOP/s (median; max ${Math.max(...v).toFixed(2)})`);
