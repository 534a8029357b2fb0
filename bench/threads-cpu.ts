// A 512³ product with one thread and with two, twice each, 10 products a block: ms per product and the
// process's CPU time ÷ wall time (near 2 when the worker had a core of its own, near 1 when another job
// held the second core: see docs/performance.md, "Two threads at batch 64, measured").
// Run: npx tsx bench/threads-cpu.ts

import * as tg from '../src/index.js';

const a = tg.rand([512, 512]), b = tg.rand([512, 512]);
for (const n of [1, 2, 1, 2]) {
  await tg.setNumThreads(n);
  a.matmul(b);
  a.matmul(b);
  const c0 = process.cpuUsage(), t0 = performance.now();
  for (let r = 0; r < 10; r++) a.matmul(b);
  const wall = performance.now() - t0, cpu = process.cpuUsage(c0);
  console.log(`${n} thread${n > 1 ? 's' : ''}: ${(wall / 10).toFixed(1)} ms per product, CPU time ÷ wall time ${((cpu.user + cpu.system) / 1000 / wall).toFixed(2)}`);
}
await tg.setNumThreads(1);
