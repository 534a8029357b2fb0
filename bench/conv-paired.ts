// Issue 13's tfjs-wasm targets measured in pairs: tapegrad and tfjs-wasm each run the LeNet step (and,
// with two threads, the conv layer's forward+backward) in a fresh child process, the two sides of a pair
// one right after the other, the order swapped from round to round. Each pair gives a ratio; the median
// over the rounds is the figure, with its range beside it. Why: `run.ts` measures each library in
// its own process minutes apart, and this machine has slow spells (whole processes running ~1.4× slower
// for seconds to minutes, bench/lenet-after-matmul.ts's speed check), so one side of a ratio can land in
// a spell and the other not. A pair's two processes run seconds apart and mostly see the same machine.
// The two sides never share a process: once tfjs has run, V8 checks every typed-array access for a
// detached buffer, which slows tapegrad's kernels (bench/detach.ts).
// Run: npx tsx bench/conv-paired.ts [--rounds 5] [--steps 60] [--quick]

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type LibResult, REPO_ROOT, formatTable, newResult, summarize, timeit } from './common.js';
import { LENET } from './conv-common.js';

type Lib = 'tapegrad' | 'tfjs-wasm';
/** What a child prints as its last line. */
interface ChildResult {
  lib: Lib; threads: number; lenetMs: number; loss1: number; layerMs?: number;
  /** tfjs-wasm: the size of XNNPACK's thread pool (1 under Node whatever was asked: docs/performance.md). */
  wasmThreads?: number;
  errors?: string[];
}

/** How long each side runs: LeNet steps timed per process, and the layer's timing budget. */
interface Budget { steps: number; warmup: number; quick: boolean }
/**
 * 60 timed steps after 30 untimed ones (20 after 10 with --quick): V8 optimizes the kernels over the first
 * steps, in the worker as in the calling thread, and a training run is thousands of steps. Both sides get the
 * same warm-up.
 */
const budgetOf = (quick: boolean, steps?: number): Budget => ({ quick, steps: steps ?? (quick ? 20 : 60), warmup: quick ? 10 : 30 });


/** Median ms per LeNet step over b.steps steps after b.warmup untimed ones, and the first step's loss (both sides start from lenetInit()). */
function timeSteps(step: () => number, b: Budget): { lenetMs: number; loss1: number } {
  const times: number[] = [];
  let loss1 = NaN;
  for (let i = 0; i < b.warmup + b.steps; i++) {
    const t0 = process.hrtime.bigint();
    const loss = step();
    if (i === 0) loss1 = loss;
    if (i >= b.warmup) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { lenetMs: summarize(times).median, loss1 };
}

/** The layer's forward+backward, median ms (as the conv suite times it, fewer reps). */
function timeLayer(fwdBwd: () => void, quick: boolean): number {
  return timeit(fwdBwd, { warmup: 3, minReps: 7, minMs: quick ? 300 : 1000, maxMs: quick ? 1500 : 4000 }).median;
}

/** One side of a pair, in this (fresh) process: the LeNet step, then the layer if asked. */
async function child(lib: Lib, threads: number, layer: boolean, b: Budget): Promise<ChildResult> {
  if (lib === 'tapegrad') {
    const tg = await import('../src/index.js');
    const { tapegradConvLayer, tapegradLenet } = await import('./conv-common.js');
    await tg.setNumThreads(threads);
    try {
      const r: ChildResult = { lib, threads, ...timeSteps(tapegradLenet(tg).step, b) };
      if (layer) r.layerMs = timeLayer(tapegradConvLayer(tg).fwdBwd, b.quick);
      return r;
    } finally {
      await tg.setNumThreads(1);
    }
  }
  const { initBackend } = await import('./tfjs.js');
  const { setupTfConv, tfConvLayer, tfLenet } = await import('./tfjs-conv.js');
  const res: LibResult = newResult(lib);
  await initBackend('wasm', threads, res);
  setupTfConv('wasm', res, false);
  // asked for two threads, tfjs-wasm's pool reports one under Node (docs/performance.md): the pair then
  // compares with what tfjs-wasm does when asked for two, as run.ts's tfjs-wasm-2t column does
  const wasmThreads = Number(res.env.wasmThreads);
  res.errors = res.errors?.filter((e) => !e.startsWith('tfjs-wasm: asked for'));
  const lenet = tfLenet();
  const r: ChildResult = { lib, threads, ...timeSteps(lenet.step, b), wasmThreads };
  lenet.dispose();
  if (layer) {
    const l = tfConvLayer();
    r.layerMs = timeLayer(l.fwdBwd, b.quick);
    l.dispose();
  }
  if (res.errors?.length) r.errors = res.errors;
  return r;
}

/** Runs one side in a fresh process and parses its result line. */
function spawnChild(lib: Lib, threads: number, layer: boolean, b: Budget): ChildResult {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', lib, '--threads', String(threads), '--steps', String(b.steps)];
  if (layer) args.push('--layer');
  if (b.quick) args.push('--quick');
  const out = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 5 * 60_000 });
  const line = (out.stdout ?? '').trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`conv-paired: the ${lib} child (${threads} threads) printed no result (${out.error?.message ?? `exit code ${out.status}`})`);
  const r = JSON.parse(line) as ChildResult;
  if (r.errors?.length) throw new Error(`conv-paired: the ${lib} child (${threads} threads): ${r.errors.join('; ')}`);
  return r;
}

/** median [min–max] of the ratios, and whether the median meets the goal. */
function summary(ratios: number[], goal: number): { text: string; ok: boolean } {
  const s = summarize(ratios);
  return { text: `${s.median.toFixed(2)}× [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`, ok: s.median >= goal };
}

/**
 * The pairs, `rounds` times: LeNet one thread (tapegrad ÷ tfjs-wasm, samples/s), LeNet two threads, and
 * the layer with two threads (tfjs-wasm's time ÷ tapegrad's). Returns the printed report.
 */
export function runPaired(rounds: number, quick = false, steps?: number): string {
  const b = budgetOf(quick, steps);
  const rows: string[][] = [];
  const r1: number[] = [], r2: number[] = [], rl: number[] = [];
  const sps = (ms: number) => (LENET.batch * 1000) / ms;
  let lossDiff = 0;
  const pools = new Set<number>();
  for (let round = 0; round < rounds; round++) {
    const load = os.loadavg()[0].toFixed(2);
    process.stderr.write(`  conv-paired round ${round + 1}/${rounds} (load ${load})\n`);
    // one thread, then two; within each pair the side that goes first alternates
    const pair = (threads: number, layer: boolean): [ChildResult, ChildResult] => {
      if (round % 2 === 0) {
        const w = spawnChild('tfjs-wasm', threads, layer, b);
        return [spawnChild('tapegrad', threads, layer, b), w];
      }
      const t = spawnChild('tapegrad', threads, layer, b);
      return [t, spawnChild('tfjs-wasm', threads, layer, b)];
    };
    const [t1, w1] = pair(1, false);
    const [t2, w2] = pair(2, true);
    for (const [a, b] of [[t1, w1], [t2, w2]]) lossDiff = Math.max(lossDiff, Math.abs(a.loss1 - b.loss1) / Math.abs(b.loss1));
    pools.add(w2.wasmThreads ?? NaN);
    r1.push(w1.lenetMs / t1.lenetMs);
    r2.push(w2.lenetMs / t2.lenetMs);
    rl.push(w2.layerMs! / t2.layerMs!);
    rows.push([
      String(round + 1), load, round % 2 === 0 ? 'tfjs-wasm' : 'tapegrad',
      `${sps(t1.lenetMs).toFixed(0)} / ${sps(w1.lenetMs).toFixed(0)}`, `${r1[round].toFixed(2)}×`,
      `${sps(t2.lenetMs).toFixed(0)} / ${sps(w2.lenetMs).toFixed(0)}`, `${r2[round].toFixed(2)}×`,
      `${t2.layerMs!.toFixed(1)} / ${w2.layerMs!.toFixed(1)}`, `${rl[round].toFixed(2)}×`,
    ]);
  }
  const table = formatTable(
    ['round', 'load', 'first', 'LeNet 1 thread: tapegrad / tfjs-wasm samples/s', 'ratio', 'LeNet 2 threads', 'ratio', 'layer fwd+bwd 2 threads: tapegrad / tfjs-wasm ms', 'ratio'],
    rows,
  );
  const goals: [string, number[], number][] = [
    ['LeNet step, tapegrad ÷ tfjs-wasm, one thread', r1, 0.8],
    [`LeNet step, tapegrad ÷ tfjs-wasm, two threads (${[...pools].join(', ')} in tfjs-wasm's pool)`, r2, 1.2],
    ['conv layer forward+backward, two threads, tfjs-wasm time ÷ tapegrad time', rl, 1],
  ];
  const lines = goals.map(([what, ratios, goal]) => {
    const s = summary(ratios, goal);
    return `  ${s.ok ? '✓' : '✗'} ${what}: median ${s.text} (target ≥ ${goal}×)`;
  });
  return [
    `Issue 13 tfjs-wasm targets, in pairs of fresh processes (${rounds} rounds, ${b.steps} timed LeNet steps per process after ${b.warmup} untimed; median [range] of the pairs' ratios):`,
    table,
    ...lines,
    `  first-step LeNet losses, tapegrad against tfjs-wasm: largest relative difference ${lossDiff.toExponential(1)}`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values: opts } = parseArgs({
    options: {
      child: { type: 'string' },
      threads: { type: 'string', default: '1' },
      steps: { type: 'string' },
      layer: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      quick: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const quick = opts.quick ?? false;
  const steps = opts.steps === undefined ? undefined : Number(opts.steps);
  if (opts.child) {
    if (opts.child !== 'tapegrad' && opts.child !== 'tfjs-wasm') throw new Error(`--child must be tapegrad or tfjs-wasm, got ${opts.child}`);
    const r = await child(opts.child, Number(opts.threads), opts.layer ?? false, budgetOf(quick, steps));
    console.log(JSON.stringify(r));
  } else {
    console.log(runPaired(Number(opts.rounds ?? (quick ? 2 : 5)), quick, steps));
  }
}
