// ndarray-ops (scijs, cwise-generated loops) against tapegrad's own kernels on 2^20 float32 elements.
// Run: npx tsx bench/ndarray-ops.ts [--json] (ROUNDS=n to change the sample count). The figures and the decision are in docs/design-ndarray-ops.md.

import { createRequire } from 'node:module';
import os from 'node:os';
import ndarray from 'ndarray';
import * as tg from '../src/index.js';
import { BINARY, mapBinary, mapUnary, UNARY } from '../src/tensor/elementwise.js';
import { reduce } from '../src/tensor/reduce.js';
import { ELEMENTWISE_N, opInput, REDUCE_SHAPE, summarize, type Timing } from './common.js';

// ndarray-ops ships no type declarations; these are the calls used here (all write into their first argument).
type Nd = ndarray.NdArray<Float32Array>;
const ops = createRequire(import.meta.url)('ndarray-ops') as {
  add(out: Nd, a: Nd, b: Nd): Nd;
  exp(out: Nd, a: Nd): Nd;
  sum(a: Nd): number;
};

const N = ELEMENTWISE_N; // 2^20
const [R, C] = REDUCE_SHAPE; // 1024 × 1024 = 2^20
const WARMUP = 10; // untimed calls of each implementation first, so every one is JIT-compiled
const ROUNDS = Number(process.env.ROUNDS ?? 61); // timed calls of each implementation

const aData = opInput(N, 1);
const bData = opInput(N, 2);
const rowData = opInput(C, 3);

// the same storage seen by both libraries
const ndA = ndarray(aData, [R, C]);
const ndB = ndarray(bData, [R, C]);
const ndBT = ndB.transpose(1, 0);
const ndRow = ndarray(rowData, [R, C], [0, 1]); // broadcast: stride 0 down the rows
const ndOut = () => ndarray(new Float32Array(N), [R, C]);
const ndFlatA = ndarray(aData, [N]);
const ndFlatB = ndarray(bData, [N]);

const tA = tg.fromNdarray(ndA);
const tB = tg.fromNdarray(ndB);
const tBT = tB.transpose(0, 1);
const tRow = tg.fromNdarray(ndarray(rowData, [C]));
const tFlatA = tg.fromNdarray(ndFlatA);
const tFlatB = tg.fromNdarray(ndFlatB);
const rowExpanded = tRow.value.expand([R, C]);

interface Row {
  workload: string;
  impl: string;
  timing: Timing;
}
const rows: Row[] = [];
let check: unknown; // results are kept alive so nothing is optimised away

/**
 * Times the implementations of one workload in interleaved rounds (a, b, c, a, b, c, ..., the order
 * rotating each round), so a busy machine slows all of them alike instead of whichever ran last.
 */
function bench(workload: string, impls: [string, () => unknown][]): void {
  for (const [, fn] of impls) for (let i = 0; i < WARMUP; i++) check = fn();
  const samples: number[][] = impls.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < impls.length; j++) {
      const k = (j + r) % impls.length;
      const t0 = process.hrtime.bigint();
      check = impls[k][1]();
      samples[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  impls.forEach(([impl], k) => rows.push({ workload, impl, timing: summarize(samples[k]) }));
}

/** Largest |x - y| between two equal-length arrays (the implementations must agree before they are timed). */
function maxDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}
function agree(what: string, x: ArrayLike<number>, y: ArrayLike<number>, tol = 0): void {
  const d = maxDiff(x, y);
  if (!(d <= tol)) throw new Error(`${what}: ndarray-ops and tapegrad disagree by ${d}`);
}

/**
 * What cwise does for operands whose stride orders differ, written by hand: walk 64×64 tiles so the
 * transposed operand's cache lines are reused. A plain-TS sketch for the transposed workload (not a kernel).
 */
function tiledAddTransposed(a: Float32Array, bT: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const T = 64;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(i0 + T, rows);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(j0 + T, cols);
      for (let i = i0; i < i1; i++) {
        const row = i * cols;
        for (let j = j0; j < j1; j++) out[row + j] = a[row + j] + bT[j * rows + i]; // b[i][j] = bData[j][i]
      }
    }
  }
  return out;
}

/** The contiguous add as one plain loop: the floor any kernel is up against. */
function plainAdd(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** A sum over d[p .. p+n) as one plain loop, its index running over storage positions (not d[p + k]). */
function plainSum(d: Float32Array, p: number, n: number): number {
  let s = 0;
  for (let i = p, end = p + n; i < end; i++) s += d[i];
  return s;
}

/** The same sum written as reduce.ts writes it: d[p + k] for k < n. */
function plainSumOffset(d: Float32Array, p: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += d[p + k];
  return s;
}

// ---- cold calls: cwise generates (new Function) and caches one loop per dtype / stride-order signature
/** Milliseconds of one call (for first calls, which include code generation in ndarray-ops). */
function once(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  check = fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const tiny = (shape: number[], stride?: number[]) => ndarray(new Float32Array(4), shape, stride);
const coldCalls: [string, number][] = [
  ['ndarray-ops add, first call (1-D)', once(() => ops.add(tiny([4]), tiny([4]), tiny([4])))],
  ['ndarray-ops add, second call, same signature', once(() => ops.add(tiny([4]), tiny([4]), tiny([4])))],
  ['ndarray-ops add, first call (2-D, transposed operand)', once(() => ops.add(tiny([2, 2]), tiny([2, 2]), tiny([2, 2]).transpose(1, 0)))],
  ['ndarray-ops add, first call (2-D, stride-0 operand)', once(() => ops.add(tiny([2, 2]), tiny([2, 2]), tiny([2, 2], [0, 1])))],
  ['ndarray-ops exp, first call', once(() => ops.exp(tiny([2, 2]), tiny([2, 2])))],
  ['ndarray-ops sum, first call', once(() => ops.sum(tiny([2, 2])))],
  ['tapegrad add, first call', once(() => tg.tensor([1, 2, 3, 4]).add(tg.tensor([1, 2, 3, 4])))],
  ['tapegrad add, first call (transposed operand)', once(() => tg.ones([2, 2]).add(tg.ones([2, 2]).transpose(0, 1)))],
];

// ---- correctness first: every pair computes the same numbers -----------------------------------
agree('add', ops.add(ndOut(), ndA, ndB).data, tA.add(tB).value.data);
agree('transposed add', ops.add(ndOut(), ndA, ndBT).data, tA.add(tBT).value.data);
agree('tiled transposed add', tiledAddTransposed(aData, bData, R, C), tA.add(tBT).value.data);
agree('broadcast add', ops.add(ndOut(), ndA, ndRow).data, tA.add(tRow).value.data);
agree('exp', ops.exp(ndOut(), ndA).data, tA.exp().value.data, 1e-6);
agree('sum', [ops.sum(ndA)], [tA.sum().item()], 1e-2);

// ---- timings ------------------------------------------------------------------------------------
const preOut = ndOut();
const preFlatOut = ndarray(new Float32Array(N), [N]);

bench('add (contiguous)', [
  ['ndarray-ops add, preallocated out', () => ops.add(preFlatOut, ndFlatA, ndFlatB)],
  ['ndarray-ops add, new out per call', () => ops.add(ndarray(new Float32Array(N), [N]), ndFlatA, ndFlatB)],
  ['tapegrad a.add(b)', () => tFlatA.add(tFlatB)],
  ['tapegrad mapBinary', () => mapBinary('add', tFlatA.value, tFlatB.value, BINARY.add, 'float32')],
  ['plain loop (reference)', () => plainAdd(aData, bData)],
]);
bench('add (transposed operand)', [
  ['ndarray-ops add, preallocated out', () => ops.add(preOut, ndA, ndBT)],
  ['ndarray-ops add, new out per call', () => ops.add(ndOut(), ndA, ndBT)],
  ['tapegrad a.add(bT)', () => tA.add(tBT)],
  ['tapegrad mapBinary', () => mapBinary('add', tA.value, tBT.value, BINARY.add, 'float32')],
  ['plain TS, 64×64 tiles (sketch)', () => tiledAddTransposed(aData, bData, R, C)],
]);
bench('add (broadcast [1024] row)', [
  ['ndarray-ops add (stride 0), preallocated out', () => ops.add(preOut, ndA, ndRow)],
  ['ndarray-ops add (stride 0), new out per call', () => ops.add(ndOut(), ndA, ndRow)],
  ['tapegrad a.add(row)', () => tA.add(tRow)],
  ['tapegrad mapBinary (expand view)', () => mapBinary('add', tA.value, rowExpanded, BINARY.add, 'float32')],
]);
bench('exp', [
  ['ndarray-ops exp, preallocated out', () => ops.exp(preOut, ndA)],
  ['ndarray-ops exp, new out per call', () => ops.exp(ndOut(), ndA)],
  ['tapegrad a.exp()', () => tA.exp()],
  ['tapegrad mapUnary', () => mapUnary(tA.value, UNARY.exp)],
]);
bench('sum (all)', [
  ['ndarray-ops sum', () => ops.sum(ndA)],
  ['tapegrad a.sum()', () => tA.sum()],
  ['tapegrad reduce kernel', () => reduce(tA.value, [0, 1], false, 'sum')],
  ['plain loop over d[i], i = p..p+n (reference)', () => plainSum(aData, 0, N)],
  ['plain loop over d[p + k], k = 0..n (reference)', () => plainSumOffset(aData, 0, N)],
]);

// ---- report -------------------------------------------------------------------------------------
const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, nproc ${os.availableParallelism()}, node ${process.version}`;
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ machine, n: N, coldCalls, rows: rows.map((r) => ({ ...r, timing: { ...r.timing, samples: undefined } })) }, null, 2));
} else {
  console.log(`ndarray-ops vs tapegrad kernels, 2^20 float32 elements, median of ${ROUNDS} interleaved runs after ${WARMUP} warm-up calls each`);
  console.log(machine);
  console.log('');
  console.log('| workload | implementation | median ms | min ms | max ms |');
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const r of rows) {
    const t = r.timing;
    console.log(`| ${r.workload} | ${r.impl} | ${t.median.toFixed(3)} | ${t.min.toFixed(3)} | ${t.max.toFixed(3)} |`);
  }
  console.log('');
  console.log('| cold call (4 elements) | ms |');
  console.log('| --- | ---: |');
  for (const [what, ms] of coldCalls) console.log(`| ${what} | ${ms.toFixed(3)} |`);
}
void check;
