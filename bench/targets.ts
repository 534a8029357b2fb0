// The performance targets of issue 5, each measured as a head-to-head in one process with the two
// sides' samples interleaved, so load from other processes falls on both alike.
// Run: npx tsx bench/targets.ts [--quick] [--only elementwise,matmul,threads,mlp,wasm]

import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tg from '../src/index.js';
import { matmul as matmulKernel } from '../src/tensor/matmul.js';
import { createCeilingMLP } from './ceiling.js';
import {
  ELEMENTWISE_N, MLP, REDUCE_SHAPE, formatTable, log, mlpData, mlpInit, newResult, opInput, summarize, timeInterleaved,
  type Timing, type TimeitOptions,
} from './common.js';
import { makeTorchStyle } from './tapegrad.js';

/*
 * tfjs is loaded only after the rows that do not involve it. Once tfjs has run in a process, V8
 * checks every typed-array access for a detached buffer (see src/tensor/matmul.ts), which slowed
 * tapegrad's 256³ matmul from 10.1 to 14.6 ms here: the tfjs rows below carry that handicap on
 * tapegrad's side (so they understate it), while threads and the ceiling rows run without it.
 */
type TF = typeof import('@tensorflow/tfjs-core');
let tf: TF;
async function loadTfjs(): Promise<void> {
  if (tf) return;
  tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  tf.enableProdMode();
}

const GROUPS = ['elementwise', 'matmul', 'threads', 'mlp', 'wasm'] as const;
type Group = (typeof GROUPS)[number];
const { values: opts } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  strict: true,
});
const quick = opts.quick ?? false;
/** --only elementwise,matmul,threads,mlp,wasm runs just those groups of rows (default: all). */
const only = new Set<Group>((opts.only?.split(',') ?? GROUPS) as Group[]);
for (const g of only) if (!GROUPS.includes(g)) throw new Error(`--only: unknown group '${g}' (groups: ${GROUPS.join(', ')})`);
const timing: TimeitOptions = quick
  ? { warmup: 2, minReps: 7, minMs: 150, maxMs: 2000 }
  : { warmup: 3, minReps: 21, minMs: 1000, maxMs: 20_000 };

interface Row {
  target: string;
  /** Speed of the subject over the baseline (baseline time ÷ subject time), median-based. */
  ratio: number;
  /** The same ratio from the fastest samples, less sensitive to load bursts. */
  ratioMin: number;
  goal: number;
  subject: Timing;
  baseline: Timing;
}
const rows: Row[] = [];

function compare(target: string, goal: number, subject: () => unknown, baseline: () => unknown, t = timing): void {
  log(target);
  const r = timeInterleaved({ subject, baseline }, t);
  rows.push({
    target, goal, subject: r.subject, baseline: r.baseline,
    ratio: r.baseline.median / r.subject.median, ratioMin: r.baseline.min / r.subject.min,
  });
}

async function main(): Promise<void> {
  const threads = Math.max(2, os.availableParallelism());
  if (only.has('threads')) await threadsVsOne(threads);
  if (only.has('mlp')) mlpVsCeiling();
  if (only.has('elementwise') || only.has('matmul') || only.has('wasm')) await loadTfjs();
  if (only.has('elementwise')) elementwise();
  if (only.has('matmul')) matmulVsTfjs();
  if (only.has('wasm')) await mlpVsWasm(threads);
  printRows();
}

/**
 * Elementwise against tfjs-cpu, and broadcast add against tapegrad's own contiguous add. Every op
 * of both libraries runs a few times before any is timed, as in a program that uses all of them:
 * that matters for tfjs-cpu, whose unary kernels share one loop calling the op per element (its
 * relu alone is ~3× faster than after exp has also gone through that loop).
 */
function elementwise(): void {
  const [rr, cc] = REDUCE_SHAPE;
  const x = opInput(ELEMENTWISE_N, 3), y = opInput(ELEMENTWISE_N, 4), m = opInput(rr * cc, 5), row = opInput(cc, 6);
  const tx = tg.tensor(x), ty = tg.tensor(y), tm = tg.tensor(m, { shape: [rr, cc] }), trow = tg.tensor(row);
  const fx = tf.tensor1d(x), fy = tf.tensor1d(y), fm = tf.tensor2d(m, [rr, cc]), frow = tf.tensor1d(row);
  const ops = {
    add: [() => tx.add(ty), () => tf.add(fx, fy).dispose()],
    relu: [() => tx.relu(), () => tf.relu(fx).dispose()],
    exp: [() => tx.exp(), () => tf.exp(fx).dispose()],
    broadcast: [() => tm.add(trow), () => tf.add(fm, frow).dispose()],
  } satisfies Record<string, [() => unknown, () => unknown]>;
  for (let i = 0; i < 3; i++) for (const fns of Object.values(ops)) for (const f of fns) f();
  compare('add/1M ≥ 2.4× tfjs-cpu', 2.4, ...ops.add);
  compare('relu/1M ≥ 3× tfjs-cpu', 3, ...ops.relu);
  compare('exp/1M ≥ 3× tfjs-cpu', 3, ...ops.exp);
  compare('add-broadcast within 1.3× of add/1M', 1 / 1.3, ops.broadcast[0], ops.add[0]);
  // What a fresh result costs on this machine before any arithmetic: allocate 2^20 floats, one pass.
  const floor = (reads: 1 | 2) => () => {
    const out = new Float32Array(ELEMENTWISE_N);
    if (reads === 1) for (let i = 0; i < out.length; i++) out[i] = x[i];
    else for (let i = 0; i < out.length; i++) out[i] = x[i] + y[i];
    return out;
  };
  compare('(info) add/1M vs bare loop (new array, a[i] + b[i])', 0, ops.add[0], floor(2));
  compare('(info) relu/1M vs bare loop (new array, copy)', 0, ops.relu[0], floor(1));
}

/** matmul against tfjs-cpu, both single-threaded. */
function matmulVsTfjs(): void {
  for (const n of quick ? [256] : [256, 512]) {
    const a = opInput(n * n, 1), b = opInput(n * n, 2);
    const ta = tg.tensor(a, { shape: [n, n] }), tb = tg.tensor(b, { shape: [n, n] });
    const fa = tf.tensor2d(a, [n, n]), fb = tf.tensor2d(b, [n, n]);
    compare(`matmul/${n} ≥ 4.5× tfjs-cpu`, 4.5, () => ta.matmul(tb), () => tf.matMul(fa, fb).dispose());
  }
}

/** Threaded matmul through the public API against the single-threaded kernel. */
async function threadsVsOne(threads: number): Promise<void> {
  await tg.setNumThreads(threads);
  for (const n of quick ? [512] : [512, 1024]) {
    const ta = tg.tensor(opInput(n * n, 1), { shape: [n, n] }), tb = tg.tensor(opInput(n * n, 2), { shape: [n, n] });
    compare(`matmul/${n} ×${threads} threads ≥ 1.7× one thread`, 1.7, () => ta.matmul(tb), () => matmulKernel(ta.value, tb.value));
  }
  await tg.setNumThreads(1);
}

function printRows(): void {
  const fmtMs = (t: Timing) => `${t.median.toFixed(2)} [${t.min.toFixed(2)}–${t.max.toFixed(2)}]`;
  console.log(`\nTargets, head-to-head in one process (ms: median [min–max] over interleaved samples); load: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(formatTable(
    ['target', 'subject ms', 'baseline ms', 'ratio (medians)', 'ratio (minima)', 'holds'],
    rows.map((r) => [
      r.target, fmtMs(r.subject), fmtMs(r.baseline), `${r.ratio.toFixed(2)}×`, `${r.ratioMin.toFixed(2)}×`,
      r.goal === 0 ? '' : r.ratio >= r.goal ? 'yes' : r.ratioMin >= r.goal ? 'on minima only' : 'no',
    ]),
  ));
  console.log('ratio: baseline time ÷ subject time (> 1: the subject is faster); the broadcast row needs ≥ 0.77 (1/1.3);');
  console.log('(info) rows compare with the least any library can do for that op, a plain loop into a new array.');
}

/**
 * tapegrad's nn.Sequential + optim.Adam step against the hand-written ceiling, alternating step by
 * step (each trains its own model from the shared init on the same batches).
 */
function mlpVsCeiling(): void {
  log('mlp step vs ceiling');
  const init = mlpInit(), data = mlpData();
  const ceiling = createCeilingMLP(init);
  const model = makeTorchStyle(init);
  const xs = data.x.map((a) => tg.tensor(a, { shape: [MLP.batch, MLP.sizes[0]] }));
  const steps = quick ? 150 : 1000, warm = quick ? 30 : 100;
  const r = alternateSteps(steps, warm, {
    subject: (b) => model.step(xs[b], data.labels[b]),
    baseline: (b) => ceiling.step(data.x[b], data.labels[b]),
  });
  rows.push({ target: 'mlp step ≥ 0.9× the ceiling', goal: 0.9, ...r });
}

/**
 * The same nn.Sequential + Adam step with matmul threads on, against tfjs-wasm (its fastest
 * backend, one thread: its threaded build does not start under Node, see tfjs.ts), step by step in
 * one process; and the single-threaded step against tfjs-wasm too.
 */
async function mlpVsWasm(threads: number): Promise<void> {
  log('mlp step vs tfjs-wasm');
  const { initBackend, makeTfMlp, registerTfjsGradients } = await import('./tfjs.js');
  await initBackend('wasm', 1, newResult('tfjs-wasm'));
  registerTfjsGradients();
  const init = mlpInit(), data = mlpData();
  const [d0] = MLP.sizes;
  const tfm = makeTfMlp(init);
  const fx = data.x.map((a) => tf.tensor2d(a, [MLP.batch, d0]));
  const fl = data.labels.map((l) => tf.tensor1d(l, 'int32'));
  const xs = data.x.map((a) => tg.tensor(a, { shape: [MLP.batch, d0] }));
  const steps = quick ? 150 : 600, warm = quick ? 30 : 100;
  const wasm = (b: number) => tfm.step(fx[b], fl[b]);
  const single = makeTorchStyle(init);
  const one = alternateSteps(steps, warm, { subject: (b) => single.step(xs[b], data.labels[b]), baseline: wasm });
  rows.push({ target: 'mlp step (1 thread) ≥ 1.0× tfjs-wasm', goal: 1, ...one });
  await tg.setNumThreads(threads);
  try {
    const threaded = makeTorchStyle(init);
    const many = alternateSteps(steps, warm, { subject: (b) => threaded.step(xs[b], data.labels[b]), baseline: wasm });
    rows.push({ target: `mlp step ×${threads} threads ≥ 1.5× tfjs-wasm`, goal: 1.5, ...many });
  } finally {
    await tg.setNumThreads(1);
    tfm.dispose();
    tf.dispose([...fx, ...fl]);
  }
}

/** Runs `steps` training steps of two steppers, alternating which goes first; times after `warm`. */
function alternateSteps(
  steps: number, warm: number, sides: { subject: (batch: number) => unknown; baseline: (batch: number) => unknown },
): Pick<Row, 'subject' | 'baseline' | 'ratio' | 'ratioMin'> {
  const ts: number[] = [], tb: number[] = [];
  for (let i = 0; i < steps; i++) {
    const b = i % MLP.numBatches;
    const order = i % 2 === 0 ? (['subject', 'baseline'] as const) : (['baseline', 'subject'] as const);
    for (const side of order) {
      const t0 = process.hrtime.bigint();
      sides[side](b);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i >= warm) (side === 'subject' ? ts : tb).push(ms);
    }
  }
  const subject = summarize(ts), baseline = summarize(tb);
  return { subject, baseline, ratio: baseline.median / subject.median, ratioMin: baseline.min / subject.min };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
