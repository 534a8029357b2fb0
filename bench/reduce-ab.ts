// bench/tapegrad.ts's 'elementwise' and 'reduce' rows on a 1024×1024 float32 matrix (add, relu, exp, add of a
// broadcast row; sum and softmax over each axis) and its 256³ matmul, several checkouts alternated in one process
// call by call, 40 timed calls each after 5: the medians of the process's CPU time per call (all threads), and the
// last checkout's ÷ the first's (above 1: slower). The results are dropped, as that bench drops them, so fresh
// arrays (and their page faults) fall on every checkout alike.
// Run: npx tsx bench/reduce-ab.ts /path/to/old-checkout /path/to/new-checkout

import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Tg = typeof import('../src/index.js');
type T = InstanceType<Tg['Tensor']>;

const roots = process.argv.slice(2).map((r) => resolve(r));
if (roots.length < 2) throw new Error('usage: npx tsx bench/reduce-ab.ts <old checkout> <new checkout>');
const libs = (await Promise.all(roots.map((r) => import(pathToFileURL(join(r, 'src', 'index.ts')).href)))) as Tg[];

/** n numbers in [-1, 1) from a fixed linear congruential sequence: the same input for every checkout. */
function input(n: number): Float32Array {
  const a = new Float32Array(n);
  let s = 5;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = s / 1073741824 - 1;
  }
  return a;
}

const data = input(1024 * 1024);
/** Each checkout's inputs: the matrix, a row to broadcast, and two 256×256 matrices. */
interface Inputs { m: T; row: T; a: T; b: T }
const ops: Record<string, (x: Inputs) => unknown> = {
  'add': ({ m }) => m.add(m), 'relu': ({ m }) => m.relu(), 'exp': ({ m }) => m.exp(), 'add row': ({ m, row }) => m.add(row),
  'matmul 256³': ({ a, b }) => a.matmul(b),
  'sum axis 0': ({ m }) => m.sum(0), 'sum axis 1': ({ m }) => m.sum(1), 'softmax axis 0': ({ m }) => m.softmax(0), 'softmax axis 1': ({ m }) => m.softmax(1),
};
const matrices: Inputs[] = libs.map((tg) => ({
  m: tg.tensor(Float32Array.from(data), { shape: [1024, 1024] }), row: tg.tensor(data.slice(0, 1024)),
  a: tg.tensor(data.slice(0, 65536), { shape: [256, 256] }), b: tg.tensor(data.slice(65536, 131072), { shape: [256, 256] }),
}));
const ms: Record<string, number[][]> = {};
for (const k of Object.keys(ops)) ms[k] = roots.map(() => []);
for (let r = 0; r < 45; r++) {
  for (const [k, f] of Object.entries(ops)) {
    matrices.forEach((m, i) => {
      const c0 = process.cpuUsage();
      f(m);
      const used = process.cpuUsage(c0);
      if (r >= 5) ms[k][i].push((used.user + used.system) / 1000);
    });
  }
}
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1];
for (const k of Object.keys(ops)) {
  const m = ms[k].map(median);
  console.log(`${k.padEnd(15)} ${roots.map((r, i) => `${r}: ${m[i].toFixed(2)} ms`).join(', ')}; last ÷ first ${(m[m.length - 1] / m[0]).toFixed(2)}`);
}
