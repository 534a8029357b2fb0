// Shared benchmark utilities: timing, the MLP workload every library runs, the JSON protocol and output.
// Every library script starts from the same Float32Arrays produced here, so their losses can be compared.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Generator } from '../src/tensor/random.js';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = dirname(BENCH_DIR);

// ---------------------------------------------------------------------------------------------
// Timing

export interface TimeitOptions {
  /** Untimed calls before sampling, to let the JIT and caches settle. */
  warmup?: number;
  /** At least this many timed samples... */
  minReps?: number;
  /** ...and keep sampling until this much time has been spent (whichever comes later). */
  minMs?: number;
  /** Hard cap on samples, so a very fast fn does not run forever. */
  maxReps?: number;
  /** Stop after this much sampling time even below minReps (for very slow calls); ≥ 1 sample. */
  maxMs?: number;
}

export interface Timing {
  median: number;
  min: number;
  max: number;
  /** Every sample in ms, in the order taken. */
  samples: number[];
}

/** Times `fn` (synchronous) one call per sample; all values in milliseconds. */
export function timeit(fn: () => unknown, opts: TimeitOptions = {}): Timing {
  const { warmup = 3, minReps = 5, minMs = 200, maxReps = 10_000, maxMs = Infinity } = opts;
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  for (;;) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const spent = Number(process.hrtime.bigint() - start) / 1e6;
    if (samples.length >= maxReps || spent >= maxMs || (samples.length >= minReps && spent >= minMs)) break;
  }
  return summarize(samples);
}

/**
 * Times several functions against each other: each round calls every one once (the order rotating
 * from round to round), so load from other processes falls on all of them alike. Same options as
 * timeit(), applied per function (minMs and maxMs are scaled by the number of functions).
 */
export function timeInterleaved<K extends string>(fns: Record<K, () => unknown>, opts: TimeitOptions = {}): Record<K, Timing> {
  const { warmup = 3, minReps = 5, minMs = 200, maxReps = 10_000, maxMs = Infinity } = opts;
  const keys = Object.keys(fns) as K[];
  for (const k of keys) for (let i = 0; i < warmup; i++) fns[k]();
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const start = process.hrtime.bigint();
  for (let round = 0; ; round++) {
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(round + j) % keys.length];
      const t0 = process.hrtime.bigint();
      fns[k]();
      samples[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const spent = Number(process.hrtime.bigint() - start) / 1e6 / keys.length;
    const reps = round + 1;
    if (reps >= maxReps || spent >= maxMs || (reps >= minReps && spent >= minMs)) break;
  }
  return Object.fromEntries(keys.map((k) => [k, summarize(samples[k])])) as Record<K, Timing>;
}

export function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0], max: sorted[n - 1], samples };
}

// ---------------------------------------------------------------------------------------------
// Run configuration: one source for every library, so a --quick run is the same everywhere.

export interface BenchConfig {
  quick: boolean;
  matmulSizes: number[];
  /** Timing options for op-level workloads (matmul, elementwise, reductions). */
  opTiming: TimeitOptions;
  /** Training steps from the shared init: timed, memory-watched, losses traced (≥ LOSS_CHECK_STEP). */
  mlpSteps: number;
  /** Leading steps left out of the step-time statistics (JIT warm-up, optimizer state creation). */
  mlpWarmupSteps: number;
}

/**
 * The step whose loss every library must match (to 1e-3 relative). Later steps are reported but not
 * judged: on these random labels training is chaotic enough that float32 rounding differences grow
 * (tfjs-cpu and tfjs-wasm agree to 1e-7 at step 100 and differ by 2e-3 at step 1000).
 */
export const LOSS_CHECK_STEP = 100;

/** The run configuration; `mlpSteps` overrides the step count (a slow library's --quick run, say). */
export function benchConfig(quick: boolean, mlpSteps?: number): BenchConfig {
  const cfg: BenchConfig = quick
    ? {
        quick,
        matmulSizes: [128, 256, 512],
        opTiming: { warmup: 1, minReps: 3, minMs: 30, maxReps: 100, maxMs: 500 },
        mlpSteps: LOSS_CHECK_STEP,
        mlpWarmupSteps: 10,
      }
    : {
        quick,
        matmulSizes: [128, 256, 512, 1024],
        opTiming: { warmup: 3, minReps: 7, minMs: 400, maxReps: 2000, maxMs: 15_000 },
        mlpSteps: 1000,
        mlpWarmupSteps: 50,
      };
  if (mlpSteps !== undefined) {
    cfg.mlpSteps = mlpSteps;
    cfg.mlpWarmupSteps = Math.min(cfg.mlpWarmupSteps, Math.floor(mlpSteps / 2));
  }
  return cfg;
}

/** The suites every library runs ('conv': see conv-common.ts); 'tape' (overhead per op) and 'import' (load time) are tapegrad's own. */
export type Suite = 'matmul' | 'elementwise' | 'reduce' | 'conv' | 'mlp' | 'tape' | 'import';
export const COMMON_SUITES: Suite[] = ['matmul', 'elementwise', 'reduce', 'conv', 'mlp'];
export const ALL_SUITES: Suite[] = [...COMMON_SUITES, 'tape', 'import'];

export interface CliArgs {
  json: boolean;
  quick: boolean;
  suites: Set<Suite>;
  backend: string | undefined;
  threads: number;
  /** --mlp-steps: train this many steps instead of the configuration's. */
  mlpSteps: number | undefined;
}

/** The command line every library script accepts (the driver passes the same flags to all). */
export function parseCli(argv = process.argv.slice(2)): CliArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      suites: { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string', default: '1' },
      'mlp-steps': { type: 'string' },
    },
    strict: true,
  });
  const suites = new Set<Suite>();
  for (const s of (values.suites ?? ALL_SUITES.join(',')).split(',')) {
    if (!(ALL_SUITES as string[]).includes(s)) throw new Error(`unknown suite '${s}' (known: ${ALL_SUITES.join(', ')})`);
    suites.add(s as Suite);
  }
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads must be a positive integer`);
  const mlpSteps = values['mlp-steps'] === undefined ? undefined : Number(values['mlp-steps']);
  if (mlpSteps !== undefined && !(Number.isInteger(mlpSteps) && mlpSteps >= 2)) throw new Error('--mlp-steps must be an integer ≥ 2');
  return { json: values.json ?? false, quick: values.quick ?? false, suites, backend: values.backend, threads, mlpSteps };
}

// ---------------------------------------------------------------------------------------------
// Op-level workloads: sizes and inputs shared by every library.

/** Elementwise ops (add, relu, exp) run on vectors of this length. */
export const ELEMENTWISE_N = 1 << 20;
/** Broadcast add is [rows, cols] + [cols]; reductions and softmax run over both axes of [rows, cols]. */
export const REDUCE_SHAPE = [1024, 1024] as const;

/** n floats uniform in [-1, 1) from Generator(seed): the input of every op-level workload. */
export function opInput(n: number, seed: number): Float32Array {
  return new Generator(seed).fillUniform(new Float32Array(n), -1, 1) as Float32Array;
}

// ---------------------------------------------------------------------------------------------
// The shared MLP workload: 784-128-64-10, ReLU, ReLU, mean softmax cross-entropy, Adam.

export const MLP = {
  sizes: [784, 128, 64, 10] as const,
  batch: 64,
  numBatches: 16,
  initSeed: 42,
  dataSeed: 7,
  // PyTorch's torch.optim.Adam defaults, with lr 1e-3.
  adam: { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
};

/**
 * Weights are stored [fanIn, fanOut] row-major so a layer is `y = x · W + b` (the tfjs layout;
 * PyTorch's nn.Linear keeps the transpose, [out, in]). Use `transposeWeight` to convert.
 */
export interface MLPInit {
  w1: Float32Array; // [784, 128]
  b1: Float32Array; // [128]
  w2: Float32Array; // [128, 64]
  b2: Float32Array; // [64]
  w3: Float32Array; // [64, 10]
  b3: Float32Array; // [10]
}

/**
 * Initial weights: U(-1/sqrt(fanIn), 1/sqrt(fanIn)), which is what PyTorch's nn.Linear default
 * (kaiming_uniform_ with a = sqrt(5)) works out to; biases zero. Drawn W1, W2, W3 in order from one
 * Generator(42), each in row-major [fanIn, fanOut] order.
 */
export function mlpInit(): MLPInit {
  const g = new Generator(MLP.initSeed);
  const [d0, d1, d2, d3] = MLP.sizes;
  const layer = (fanIn: number, fanOut: number): Float32Array => {
    const bound = 1 / Math.sqrt(fanIn);
    return g.fillUniform(new Float32Array(fanIn * fanOut), -bound, bound) as Float32Array;
  };
  const w1 = layer(d0, d1);
  const w2 = layer(d1, d2);
  const w3 = layer(d2, d3);
  return { w1, b1: new Float32Array(d1), w2, b2: new Float32Array(d2), w3, b3: new Float32Array(d3) };
}

/** [rows, cols] row-major → [cols, rows] row-major (e.g. to PyTorch's [out, in] Linear layout). */
export function transposeWeight(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

export interface MLPData {
  /** numBatches inputs, each [batch, 784] row-major, values in [0, 1). */
  x: Float32Array[];
  /** numBatches label vectors, each [batch], values 0..9. */
  labels: Int32Array[];
}

/**
 * A synthetic MNIST-shaped data set from Generator(7): all pixel batches first, then all labels.
 * Labels are independent of pixels, so the loss falls only by memorising the 1024 examples.
 */
export function mlpData(): MLPData {
  const g = new Generator(MLP.dataSeed);
  const x: Float32Array[] = [];
  const labels: Int32Array[] = [];
  for (let b = 0; b < MLP.numBatches; b++) {
    x.push(g.fillUniform(new Float32Array(MLP.batch * MLP.sizes[0]), 0, 1) as Float32Array);
  }
  for (let b = 0; b < MLP.numBatches; b++) {
    const l = new Int32Array(MLP.batch);
    for (let i = 0; i < l.length; i++) l[i] = g.randint(0, MLP.sizes[3]);
    labels.push(l);
  }
  return { x, labels };
}

/** FLOPs of one training step (forward + backward matmuls only; 2 per multiply-add). */
export function mlpStepFlops(): number {
  const s = MLP.sizes;
  let macs = 0;
  for (let l = 0; l < 3; l++) macs += MLP.batch * s[l] * s[l + 1];
  // forward, dW, and dX for layers 2 and 3 (the input needs no gradient)
  return 2 * (3 * macs - MLP.batch * s[0] * s[1]);
}

/** One library's MLP training loop, built fresh from `mlpInit()`. */
export interface Stepper<X, L> {
  /** One forward, backward and Adam update; returns the loss computed before the update. */
  step(x: X, labels: L): number;
  /** Extra figures reported after training, e.g. tensors leaked (lower is better). */
  stats?(): Record<string, { value: number; unit: string }>;
  dispose?(): void;
}

/**
 * The 'mlp' suite for any library: `makeStepper` builds a fresh model from `mlpInit()`, `inputs`
 * maps batch index → whatever that library's step() takes. Trains `mlpSteps` steps (step i on batch
 * i % numBatches), timing each step, sampling memory between steps (outside the timed region) and
 * recording the loss trace the driver compares across libraries. Peak RSS is a per-process
 * high-water mark, so the driver runs this suite in a process of its own.
 */
export function runMlpSuite<X, L>(
  cfg: BenchConfig,
  makeStepper: () => Stepper<X, L>,
  inputs: { x: X[]; labels: L[] },
  out: LibResult,
): void {
  const nb = inputs.x.length;
  const mb = (b: number) => b / (1024 * 1024);
  const model = makeStepper();
  const base = process.memoryUsage().arrayBuffers;
  let peakAb = base;
  const trace: [number, number][] = [];
  const times: number[] = [];
  for (let i = 0; i < cfg.mlpSteps; i++) {
    const t0 = process.hrtime.bigint();
    const loss = model.step(inputs.x[i % nb], inputs.labels[i % nb]);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= cfg.mlpWarmupSteps) times.push(ms);
    if (isCheckpoint(i + 1) || i + 1 === cfg.mlpSteps) trace.push([i + 1, loss]);
    const ab = process.memoryUsage().arrayBuffers;
    if (ab > peakAb) peakAb = ab;
  }
  const stats = model.stats?.() ?? {};
  model.dispose?.();
  const t = summarize(times);
  out.results['mlp/step'] = throughput(t, MLP.batch, 'samples/s');
  out.results['mlp/step-ms'] = latency(t);
  out.results['mlp/gflops'] = throughput(t, mlpStepFlops() / 1e9, 'GFLOP/s');
  out.lossCheck = { steps: cfg.mlpSteps, trace };
  out.results['memory/peak-rss'] = { value: process.resourceUsage().maxRSS / 1024, unit: 'MB', higherIsBetter: false };
  out.results['memory/peak-arraybuffers'] = { value: mb(peakAb), unit: 'MB', higherIsBetter: false };
  out.results['memory/arraybuffers-growth'] = { value: mb(peakAb - base), unit: 'MB', higherIsBetter: false };
  for (const [k, v] of Object.entries(stats)) out.results[`memory/${k}`] = { ...v, higherIsBetter: false };
}

/** Steps 1, 2, 5, 10, 20, 50, ... at which the loss trace is sampled. */
function isCheckpoint(step: number): boolean {
  let p = 1;
  while (p * 10 <= step) p *= 10;
  return step === p || step === 2 * p || step === 5 * p;
}

// ---------------------------------------------------------------------------------------------
// JSON protocol: each library script prints exactly one LibResult on stdout when run with --json.

export interface Metric {
  /** The headline number (median-based). */
  value: number;
  unit: string;
  higherIsBetter: boolean;
  /** Spread over the timed samples, in the same unit as value (worst and best sample). */
  low?: number;
  high?: number;
  reps?: number;
}

export interface LossTrace {
  steps: number;
  trace: [number, number][];
}

export interface LibResult {
  library: string;
  note?: string;
  env: Record<string, string | number | boolean>;
  results: Record<string, Metric>;
  /** Losses of a fresh model on the shared data: [step, loss] at steps 1, 2, 5, 10, ... and the last. */
  lossCheck?: LossTrace;
  /** More loss traces from the same library (e.g. tapegrad's model.fit), checked like lossCheck. */
  extraLossChecks?: Record<string, LossTrace>;
  errors?: string[];
}

export function newResult(library: string): LibResult {
  return {
    library,
    env: { node: process.version, platform: `${process.platform}-${process.arch}` },
    results: {},
  };
}

/** A time in ms as a Metric (lower is better). */
export function latency(t: Timing): Metric {
  return { value: t.median, unit: 'ms', higherIsBetter: false, low: t.min, high: t.max, reps: t.samples.length };
}

/** `work` units per call turned into work/s, e.g. FLOPs per call → GFLOP/s. */
export function throughput(t: Timing, work: number, unit: string): Metric {
  const perS = (ms: number) => (work / ms) * 1000;
  return { value: perS(t.median), unit, higherIsBetter: true, low: perS(t.max), high: perS(t.min), reps: t.samples.length };
}

/** Prints the result: JSON on stdout for the driver, or a readable table for a human. */
export function emit(res: LibResult, asJson: boolean): void {
  if (asJson) {
    process.stdout.write(JSON.stringify(res) + '\n');
    return;
  }
  const rows = Object.entries(res.results).map(([k, m]) => [k, m.unit, fmt(m.value), spread(m)]);
  console.log(`${res.library}${res.note ? ` (${res.note})` : ''}`);
  console.log(formatTable(['workload', 'unit', 'median', 'spread'], rows));
  const traces = { loss: res.lossCheck, ...res.extraLossChecks };
  for (const [name, lc] of Object.entries(traces)) {
    if (lc) console.log(`${name}: ${lc.trace.map(([s, l]) => `step ${s} ${l.toFixed(6)}`).join(', ')}`);
  }
  for (const e of res.errors ?? []) console.log(`error: ${e}`);
}

/**
 * A library script's entry: when `moduleUrl` is the script node was started with (not an import, as
 * targets.ts imports them), parses the command line, runs `main` and emits its result. On an error
 * it still emits a result (named `library(args)`) carrying the error, so the driver can show why
 * that column is empty, and sets a failing exit code.
 */
export function runAsScript(moduleUrl: string, library: (args: CliArgs) => string, main: (args: CliArgs) => Promise<LibResult>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const args = parseCli();
  main(args).then(
    (res) => emit(res, args.json),
    (err: unknown) => {
      const res = newResult(library(args));
      res.errors = [err instanceof Error ? (err.stack ?? err.message) : String(err)];
      emit(res, args.json);
      process.exitCode = 1;
    },
  );
}

/** Progress messages go to stderr so stdout stays pure JSON. */
export function log(msg: string): void {
  process.stderr.write(`  ${msg}\n`);
}

// ---------------------------------------------------------------------------------------------
// Output helpers

export function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1000) return v.toFixed(0);
  if (a >= 100) return v.toFixed(1);
  if (a >= 10) return v.toFixed(2);
  if (a >= 0.01) return v.toFixed(3);
  return v.toExponential(2);
}

/** Half the min–max range as a percentage of the median, e.g. "±3%". */
export function spread(m: Metric): string {
  if (m.low === undefined || m.high === undefined || m.value === 0) return '';
  return `±${Math.round((50 * Math.abs(m.high - m.low)) / Math.abs(m.value))}%`;
}

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/** Writes `data` to bench/results/<name>-<timestamp>.json and returns the path. */
export function writeResults(name: string, data: unknown): string {
  const dir = join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${timestamp()}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}
