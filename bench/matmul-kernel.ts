// GEMM kernel benchmark: tapegrad's gemm/matmul against tfjs-cpu's tf.matMul, in GFLOP/s (float32).
// Square sizes plus the products of one 784-128-64-10 MLP training step. Run: npx tsx bench/matmul-kernel.ts
//
// Phases run in a fixed order because V8 state leaks between them: once any ArrayBuffer has been
// detached, V8 checks every typed-array read for it (see src/tensor/matmul.ts). So tapegrad is timed
// first in a fresh process, then again after an explicit detach, and tfjs (which detaches one) last.
// Time is CPU time (process.cpuUsage), so other jobs on the machine skew it less; --wall for wall-clock.

import { availableParallelism, loadavg } from 'node:os';
import { gemm, matmul } from '../src/tensor/matmul.js';
import { NDArray } from '../src/tensor/ndarray.js';
import { Generator } from '../src/tensor/random.js';

/** C[m,n] = A·B where A is m×k (stored k×m when transA) and B is k×n (stored n×k when transB). */
interface Case {
  name: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

const square = (n: number): Case => ({ name: `${n}×${n}×${n}`, m: n, n, k: n, transA: false, transB: false });

/** For layer in→out with batch B: forward x·W, weight gradient xᵀ·g, input gradient g·Wᵀ (W stored [in,out]). */
function layer(batch: number, inp: number, out: number): Case[] {
  return [
    { name: `x·W   [${batch},${inp}]·[${inp},${out}]`, m: batch, n: out, k: inp, transA: false, transB: false },
    { name: `xᵀ·g  [${inp},${batch}]·[${batch},${out}]`, m: inp, n: out, k: batch, transA: true, transB: false },
    { name: `g·Wᵀ  [${batch},${out}]·[${out},${inp}]`, m: batch, n: inp, k: out, transA: false, transB: true },
  ];
}

const CASES: Case[] = [
  square(128), square(256), square(512), square(1024),
  ...layer(64, 784, 128), ...layer(64, 128, 64), ...layer(64, 64, 10),
];

/** Row-major operands as stored: A is [m,k] or (transA) [k,m]; B is [k,n] or (transB) [n,k]. */
function operands(c: Case): { a: Float32Array; b: Float32Array; aShape: number[]; bShape: number[] } {
  const gen = new Generator(42);
  return {
    a: gen.fillNormal(new Float32Array(c.m * c.k)) as Float32Array,
    b: gen.fillNormal(new Float32Array(c.k * c.n)) as Float32Array,
    aShape: c.transA ? [c.k, c.m] : [c.m, c.k],
    bShape: c.transB ? [c.n, c.k] : [c.k, c.n],
  };
}

/** GFLOP/s at the median and at the fastest sample (the latter is steadier on a busy machine). */
interface Rate {
  median: number;
  best: number;
}

const useWall = process.argv.includes('--wall');

/** Milliseconds on the chosen clock. */
function clock(): number {
  if (useWall) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Warms up, then takes ≥ 7 samples over ≥ 0.4 s (3 samples for calls over half a second); each
 * sample times enough back-to-back calls to last ≥ 10 ms.
 */
function measure(c: Case, fn: () => void): Rate {
  const t0 = clock();
  fn();
  const once = Math.max(clock() - t0, 1e-3);
  const slow = once > 500;
  const calls = Math.max(1, Math.ceil(10 / once));
  for (let i = 0; i < (slow ? 0 : Math.min(calls * 3, 20)); i++) fn();
  const minSamples = slow ? 3 : 7;
  const perCall: number[] = [];
  const start = clock();
  while (perCall.length < minSamples || (clock() - start < 400 && perCall.length < 100)) {
    const s = clock();
    for (let i = 0; i < calls; i++) fn();
    perCall.push((clock() - s) / calls);
  }
  perCall.sort((x, y) => x - y);
  const flops = 2 * c.m * c.n * c.k;
  return { median: flops / (perCall[perCall.length >> 1] * 1e6), best: flops / (perCall[0] * 1e6) };
}

/** gemm on the raw arrays, transposed operands passed as strides. */
function timeGemm(c: Case): Rate {
  const { a, b } = operands(c);
  const out = new Float32Array(c.m * c.n);
  const [ars, acs] = c.transA ? [1, c.m] : [c.k, 1];
  const [brs, bcs] = c.transB ? [1, c.k] : [c.n, 1];
  return measure(c, () => gemm(c.m, c.n, c.k, a, 0, ars, acs, b, 0, brs, bcs, out, 0, c.n, false));
}

/** NDArray matmul on transposed views: gemm plus the output allocation. */
function timeMatmul(c: Case): Rate {
  const { a, b, aShape, bShape } = operands(c);
  let x = NDArray.fromData(a, aShape);
  let y = NDArray.fromData(b, bShape);
  if (c.transA) x = x.transpose(0, 1);
  if (c.transB) y = y.transpose(0, 1);
  return measure(c, () => void matmul(x, y));
}

async function timeTfjs(): Promise<Rate[]> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  return CASES.map((c) => {
    const { a, b, aShape, bShape } = operands(c);
    const ta = tf.tensor2d(a, aShape as [number, number]);
    const tb = tf.tensor2d(b, bShape as [number, number]);
    const rate = measure(c, () => {
      const r = tf.matMul(ta, tb, c.transA, c.transB);
      r.dataSync();
      r.dispose();
    });
    ta.dispose();
    tb.dispose();
    return rate;
  });
}

async function main(): Promise<void> {
  const load = loadavg()[0];
  const what = useWall ? 'wall-clock' : 'CPU';
  console.log(`float32 GFLOP/s by ${what} time, single thread: median (best) of samples; load average ${load.toFixed(1)}`);
  if (load > availableParallelism() / 2) console.log('(the machine is busy: expect noisy figures)');
  console.error('timing tapegrad...');
  const gemmRates = CASES.map(timeGemm);
  const matmulRates = CASES.map(timeMatmul);
  const ab = new ArrayBuffer(8);
  structuredClone(ab, { transfer: [ab] });
  console.error('timing tapegrad after an ArrayBuffer detach...');
  const detachedRates = CASES.map(timeGemm);
  console.error('timing tfjs-cpu...');
  const tfRates = await timeTfjs();

  const cell = (r: Rate) => `${r.median.toFixed(2)} (${r.best.toFixed(2)})`.padStart(14);
  const head = ['gemm', 'gemm†', 'matmul', 'tfjs-cpu'].map((h) => h.padStart(14)).join('');
  console.log(`${'product'.padEnd(34)}${head}${'speedup'.padStart(10)}`);
  CASES.forEach((c, i) => {
    const speedup = `${(gemmRates[i].median / tfRates[i].median).toFixed(1)}×`.padStart(10);
    const cells = [gemmRates[i], detachedRates[i], matmulRates[i], tfRates[i]].map(cell).join('');
    console.log(`${c.name.padEnd(34)}${cells}${speedup}`);
  });
  console.log('† after an ArrayBuffer detach in the process (V8 then checks every typed-array read);');
  console.log('  speedup = gemm ÷ tfjs-cpu at the median.');
}

await main();
