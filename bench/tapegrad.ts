// tapegrad's side of the benchmarks: the same suites, keys and inputs as tfjs.ts (see common.ts),
// plus what only tapegrad has: threaded matmul, Keras-style fit, tape overhead per op and import time.

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { distIsStale } from '../scripts/dist-stale.js';
import * as tg from '../src/index.js';
import { matmul as matmulKernel } from '../src/tensor/matmul.js';
import {
  ELEMENTWISE_N, MLP, REDUCE_SHAPE, REPO_ROOT, benchConfig, latency, log, mlpData, mlpInit, newResult,
  opInput, runAsScript, runMlpSuite, summarize, throughput, timeInterleaved, timeit, transposeWeight,
  type BenchConfig, type CliArgs, type LibResult, type MLPInit, type Stepper, type Suite,
} from './common.js';
import { runConv } from './tapegrad-conv.js';

const F = tg.nn.functional;

// ---------------------------------------------------------------------------------------------
// Op suites

/** Threads for the threaded matmul rows: --threads when given, else every core (at least 2). */
function threadCount(args: CliArgs): number {
  return args.threads > 1 ? args.threads : Math.max(2, os.availableParallelism());
}

/**
 * matmul/N single-threaded and with `threads` threads, the two interleaved sample by sample so
 * that a burst of load from other processes hits both alike. Single-threaded is the kernel
 * Tensor.matmul runs when threads are off; threaded goes through the public API.
 */
async function runMatmul(cfg: BenchConfig, threads: number, res: LibResult): Promise<void> {
  await tg.setNumThreads(threads);
  try {
    for (const n of cfg.matmulSizes) {
      log(`matmul ${n} (1 and ${threads} threads)`);
      const a = tg.tensor(opInput(n * n, 1), { shape: [n, n] });
      const b = tg.tensor(opInput(n * n, 2), { shape: [n, n] });
      const t = timeInterleaved(
        { single: () => matmulKernel(a.value, b.value), threaded: () => a.matmul(b) },
        cfg.opTiming,
      );
      const gflop = (2 * n ** 3) / 1e9;
      res.results[`matmul/${n}`] = throughput(t.single, gflop, 'GFLOP/s');
      res.results[`matmul/${n} ×${threads} threads`] = throughput(t.threaded, gflop, 'GFLOP/s');
    }
  } finally {
    await tg.setNumThreads(1);
  }
  res.env.matmulThreads = threads;
}

function runOps(cfg: BenchConfig, suites: Set<Suite>, res: LibResult): void {
  const time = (key: string, fn: () => unknown): void => {
    res.results[key] = latency(timeit(fn, cfg.opTiming));
  };
  const [r, c] = REDUCE_SHAPE;
  const m = tg.tensor(opInput(r * c, 5), { shape: [r, c] });

  if (suites.has('elementwise')) {
    log('elementwise');
    const x = tg.tensor(opInput(ELEMENTWISE_N, 3));
    const y = tg.tensor(opInput(ELEMENTWISE_N, 4));
    const row = tg.tensor(opInput(c, 6));
    time('add/1M', () => x.add(y));
    time('relu/1M', () => x.relu());
    time('exp/1M', () => x.exp());
    time('add-broadcast/1024x1024+1024', () => m.add(row));
  }

  if (suites.has('reduce')) {
    log('reductions');
    time('sum/axis0', () => m.sum(0));
    time('sum/axis1', () => m.sum(1));
    time('softmax/axis0', () => m.softmax(0));
    time('softmax/axis1', () => m.softmax(1));
  }
}

/**
 * Tape overhead: a chain of 10,000 scalar ops (y = y·w + b, 5,000 times) recorded, then
 * differentiated, with w and b leaves whose gradients accumulate 5,000 contributions each.
 * The kernels are one-element loops, so the time is the tape's: µs per op, forward + backward.
 */
function runTape(cfg: BenchConfig, res: LibResult): void {
  log('tape overhead');
  const OPS = 10_000;
  const w = tg.tensor(0.999, { requiresGrad: true });
  const b = tg.tensor(0.001, { requiresGrad: true });
  const x = tg.tensor(1.5, { requiresGrad: true });
  const chain = (): void => {
    let y = x;
    for (let i = 0; i < OPS / 2; i++) y = y.mul(w).add(b);
    y.backward();
    x.grad = w.grad = b.grad = null;
  };
  // a few more warm-up chains than the op suites use: the tape's many small functions JIT in stages
  const t = timeit(chain, { ...cfg.opTiming, warmup: 5, minReps: Math.max(cfg.opTiming.minReps ?? 5, 5) });
  const perOp = (ms: number) => (ms * 1000) / OPS;
  res.results['tape/op-forward+backward'] = {
    value: perOp(t.median), unit: 'µs/op', higherIsBetter: false, low: perOp(t.min), high: perOp(t.max), reps: t.samples.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Import time of the built package

/**
 * `node -e "import('tapegrad')"` against `node -e 0`, alternated run by run; the figure is the
 * median of the differences of each pair. Uses dist/ (the published entry point), rebuilding it
 * first when it is older than src/ (full runs only; --quick skips a stale build).
 */
function runImport(cfg: BenchConfig, res: LibResult): void {
  const stale = distIsStale(REPO_ROOT);
  if (stale) {
    if (cfg.quick) {
      res.note += '; import time skipped: dist/ is missing or older than src/ (npm run build)';
      return;
    }
    log('building dist/ (npm run build: scripts/build.mjs)');
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (built.status !== 0) {
      (res.errors ??= []).push(`import time skipped: the build failed: ${(built.stdout + built.stderr).trim().split('\n')[0]}`);
      return;
    }
  }
  log('import time');
  const run = (code: string): number => {
    const t0 = process.hrtime.bigint();
    const p = spawnSync(process.execPath, ['-e', code], { cwd: REPO_ROOT, stdio: 'ignore' });
    if (p.status !== 0) throw new Error(`node -e "${code}" failed`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const rounds = cfg.quick ? 7 : 21;
  run('0');
  run("import('tapegrad')"); // first load warms the file cache
  const extra: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const base = run('0');
    const withLib = run("import('tapegrad')");
    bare.push(base);
    extra.push(withLib - base);
  }
  res.results['import/node -e 0'] = latency(summarize(bare));
  res.results["import/import('tapegrad') extra"] = latency(summarize(extra));
}

// ---------------------------------------------------------------------------------------------
// MLP: PyTorch-style loop (measured by runMlpSuite) and Keras-style fit

const sizes = MLP.sizes;

/** The shared init as a Sequential's stateDict: Linear keeps weights [out, in], so each is transposed. */
function stateDict(init: MLPInit): Record<string, tg.Tensor> {
  const w = (data: Float32Array, i: number) => tg.tensor(transposeWeight(data, sizes[i], sizes[i + 1]), { shape: [sizes[i + 1], sizes[i]] });
  return {
    '0.weight': w(init.w1, 0), '0.bias': tg.tensor(init.b1),
    '2.weight': w(init.w2, 1), '2.bias': tg.tensor(init.b2),
    '4.weight': w(init.w3, 2), '4.bias': tg.tensor(init.b3),
  };
}

const adamOptions = () => ({ lr: MLP.adam.lr, betas: [MLP.adam.beta1, MLP.adam.beta2] as [number, number], eps: MLP.adam.eps });

/**
 * tg.nn.Sequential + tg.optim.Adam, the PyTorch training loop. After reading the loss it disposes the output and the
 * loss (TF.js's habit), so their arrays serve the next step; `dispose: false` keeps them, as a PyTorch loop would
 * (bench/goals.ts measures both). The check on `dispose` lets this file run against checkouts that predate it.
 */
export function makeTorchStyle(init: MLPInit, options: { dispose?: boolean } = {}): Stepper<tg.Tensor, Int32Array> {
  const release = options.dispose ?? true;
  const g = new tg.Generator(0); // the layers' own init is overwritten below
  const model = new tg.nn.Sequential(
    new tg.nn.Linear(sizes[0], sizes[1], { generator: g }), new tg.nn.ReLU(),
    new tg.nn.Linear(sizes[1], sizes[2], { generator: g }), new tg.nn.ReLU(),
    new tg.nn.Linear(sizes[2], sizes[3], { generator: g }),
  );
  model.loadStateDict(stateDict(init));
  const opt = new tg.optim.Adam(model.parameters(), adamOptions());
  return {
    step(x, labels) {
      opt.zeroGrad();
      const out = model.call(x);
      const loss = F.crossEntropy(out, labels);
      loss.backward();
      opt.step();
      const value = loss.item();
      if (release && typeof (loss as { dispose?: unknown }).dispose === 'function') {
        out.dispose();
        loss.dispose();
      }
      return value;
    },
  };
}

/**
 * Keras-style: tg.sequential of dense layers, compiled with an Adam object (eps 1e-8, PyTorch's
 * default, where Keras' 'adam' would use 1e-7), and model.fit over the same 16 batches in order
 * (shuffle off, batchSize 64). Per-step times are the intervals between onBatchEnd calls, so they
 * include all of fit's own per-batch work; per-step losses are recovered from the running means.
 */
async function runFit(cfg: BenchConfig, init: MLPInit, res: LibResult): Promise<void> {
  log('mlp: model.fit');
  const dense = (units: number, activation: tg.layers.ActivationName, inputShape?: number[]) =>
    tg.layers.dense({ units, activation, ...(inputShape ? { inputShape } : {}), generator: new tg.Generator(0) });
  const model = tg.sequential([dense(sizes[1], 'relu', [sizes[0]]), dense(sizes[2], 'relu'), dense(sizes[3], 'linear')]);
  const sd = stateDict(init);
  model.loadStateDict({
    '0.weight': sd['0.weight'], '0.bias': sd['0.bias'], '1.weight': sd['2.weight'], '1.bias': sd['2.bias'],
    '2.weight': sd['4.weight'], '2.bias': sd['4.bias'],
  });
  model.compile({
    optimizer: new tg.optim.Adam(model.parameters(), adamOptions()),
    loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true },
  });
  const data = mlpData();
  const rows = MLP.batch * MLP.numBatches;
  const x = new Float32Array(rows * sizes[0]);
  const y = new Float32Array(rows);
  data.x.forEach((xb, i) => x.set(xb, i * xb.length));
  data.labels.forEach((lb, i) => y.set(lb, i * lb.length));
  const xs = tg.tensor(x, { shape: [rows, sizes[0]] });
  const ys = tg.tensor(y);

  const epochs = Math.ceil(cfg.mlpSteps / MLP.numBatches);
  const times: number[] = [];
  const trace: [number, number][] = [];
  let prevMean = 0;
  let last = process.hrtime.bigint();
  let step = 0;
  const t0 = performance.now();
  await model.fit(xs, ys, {
    epochs, batchSize: MLP.batch, shuffle: false, verbose: 0,
    callbacks: {
      onBatchEnd(batch, logs) {
        const now = process.hrtime.bigint();
        if (step >= cfg.mlpWarmupSteps) times.push(Number(now - last) / 1e6);
        last = now;
        step++;
        // logs.loss is the running mean over this epoch's batches (all of one size)
        const mean = logs!.loss as number;
        const loss = mean * (batch + 1) - prevMean * batch;
        prevMean = mean;
        if (step === 1 || step === cfg.mlpSteps || step % 100 === 0) trace.push([step, loss]);
      },
    },
  });
  const wallMs = performance.now() - t0;
  const t = summarize(times);
  res.results['mlp/fit'] = throughput(t, MLP.batch, 'samples/s');
  res.results['mlp/fit-wall'] = { value: (step * MLP.batch) / (wallMs / 1000), unit: 'samples/s', higherIsBetter: true };
  res.extraLossChecks = { ...res.extraLossChecks, 'tapegrad fit': { steps: step, trace } };
}

function runMlp(cfg: BenchConfig, res: LibResult): void {
  const init = mlpInit();
  const data = mlpData();
  const inputs = { x: data.x.map((a) => tg.tensor(a, { shape: [MLP.batch, sizes[0]] })), labels: data.labels };
  log('mlp: nn.Sequential + optim.Adam loop');
  runMlpSuite(cfg, () => makeTorchStyle(init), inputs, res);
}

/**
 * The same nn.Sequential + Adam loop with matmul threads on (`tg.setNumThreads(threads)`), for the
 * "with threads" MLP target. Losses are not re-checked: the threaded kernel gives identical results.
 */
async function runMlpThreaded(cfg: BenchConfig, threads: number, res: LibResult): Promise<void> {
  log(`mlp: nn.Sequential + optim.Adam loop, ${threads} threads`);
  await tg.setNumThreads(threads);
  try {
    const data = mlpData();
    const xs = data.x.map((a) => tg.tensor(a, { shape: [MLP.batch, sizes[0]] }));
    const model = makeTorchStyle(mlpInit());
    const times: number[] = [];
    for (let i = 0; i < cfg.mlpSteps; i++) {
      const t0 = process.hrtime.bigint();
      model.step(xs[i % xs.length], data.labels[i % xs.length]);
      if (i >= cfg.mlpWarmupSteps) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    res.results[`mlp/step ×${threads} threads`] = throughput(summarize(times), MLP.batch, 'samples/s');
  } finally {
    await tg.setNumThreads(1);
  }
}

async function main(args: CliArgs): Promise<LibResult> {
  const res = newResult('tapegrad');
  res.note =
    "matmul/N is the single-threaded kernel, 'N ×T threads' the same product through tg.setNumThreads(T), sampled alternately; " +
    'mlp/step is the nn.Sequential + optim.Adam loop, mlp/fit model.fit (per-step intervals; fit-wall: rows ÷ wall time incl. warm-up)';
  const cfg = benchConfig(args.quick, args.mlpSteps);
  // the tape first, while the heap is small: after the 1M-element suites its figure is mostly GC
  if (args.suites.has('tape')) runTape(cfg, res);
  if (args.suites.has('matmul')) await runMatmul(cfg, threadCount(args), res);
  runOps(cfg, args.suites, res);
  if (args.suites.has('import')) runImport(cfg, res);
  if (args.suites.has('conv')) await runConv(cfg, threadCount(args), res);
  if (args.suites.has('mlp')) {
    runMlp(cfg, res);
    await runFit(cfg, mlpInit(), res);
    await runMlpThreaded(cfg, threadCount(args), res);
  }
  return res;
}

runAsScript(import.meta.url, () => 'tapegrad', main);
