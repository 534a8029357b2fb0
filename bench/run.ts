// Benchmark driver (`npm run bench`): runs each library's script in its own child process, one after
// another, gathers their JSON, prints one comparison table and a loss check, and saves the lot.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ALL_SUITES, BENCH_DIR, COMMON_SUITES, LOSS_CHECK_STEP, REPO_ROOT, benchConfig, fmt, formatTable, spread, writeResults,
  type LibResult, type LossTrace, type Metric, type Suite,
} from './common.js';
import { runPaired } from './conv-paired.js';
import { runSequenceBench } from './sequence.js';

interface LibSpec {
  /** Column name in the table. */
  column: string;
  script: string;
  args: string[];
  suites: Suite[];
  /** Extra arguments for --quick runs. */
  quickArgs?: string[];
  /** Threads for this library whatever --threads says (tfjs-wasm picks its thread count once, at init). */
  threads?: string;
}

const LIBS: LibSpec[] = [
  { column: 'tapegrad', script: 'tapegrad.ts', args: [], suites: ALL_SUITES },
  // tfjs-cpu takes ~0.1–0.3 s per MLP step: a --quick run trains it 30 steps (loss judged at step 1 only)
  { column: 'tfjs-cpu', script: 'tfjs.ts', args: ['--backend', 'cpu'], suites: COMMON_SUITES, quickArgs: ['--mlp-steps', '30'] },
  { column: 'tfjs-wasm', script: 'tfjs.ts', args: ['--backend', 'wasm'], suites: COMMON_SUITES, threads: '1' },
  // issue 13 compares tapegrad's two threads with tfjs-wasm's two on the conv suite
  { column: 'tfjs-wasm-2t', script: 'tfjs.ts', args: ['--backend', 'wasm'], suites: ['conv'], threads: '2' },
  { column: 'ceiling', script: 'ceiling.ts', args: [], suites: ['mlp'] },
];

/** The library every ratio column compares against the others. */
const SUBJECT = 'tapegrad';
/** Losses must agree with the reference to this relative tolerance. */
const LOSS_RTOL = 1e-3;

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    threads: { type: 'string', default: '1' },
    'no-save': { type: 'boolean', default: false },
    from: { type: 'string' },
  },
  strict: true,
});
const quick = opts.quick ?? false;
const only = opts.only?.split(',');
if (only) {
  const unknown = only.filter((c) => !LIBS.some((l) => l.column === c));
  if (unknown.length) throw new Error(`--only: unknown ${unknown.join(', ')} (known: ${LIBS.map((l) => l.column).join(', ')})`);
}

/** Runs one script with the given suites and parses the LibResult it prints last on stdout. */
function runChild(lib: LibSpec, suites: Suite[]): LibResult {
  const args = [
    '--import', 'tsx', join(BENCH_DIR, lib.script), '--json', '--suites', suites.join(','),
    ...(quick ? ['--quick', ...(suites.includes('mlp') ? lib.quickArgs ?? [] : [])] : []), ...lib.args,
  ];
  if (lib.script !== 'ceiling.ts') args.push('--threads', lib.threads ?? opts.threads ?? '1');
  process.stderr.write(`${lib.column} [${suites.join(', ')}]\n`);
  const t0 = performance.now();
  const child = spawnSync(process.execPath, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: (quick ? 5 : 30) * 60_000,
  });
  process.stderr.write(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  const line = (child.stdout ?? '').trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (line) {
    try {
      return JSON.parse(line) as LibResult;
    } catch {
      // fall through to the error result
    }
  }
  const why = child.error?.message ?? (child.signal ? `killed by ${child.signal}` : `exit code ${child.status}`);
  return { library: lib.column, env: {}, results: {}, errors: [`${lib.script} printed no result (${why})`] };
}

function merge(parts: LibResult[]): LibResult {
  const out: LibResult = { library: parts[0].library, env: {}, results: {} };
  for (const p of parts) {
    if (p.note && !out.note) out.note = p.note;
    Object.assign(out.env, p.env);
    Object.assign(out.results, p.results);
    if (p.lossCheck) out.lossCheck = p.lossCheck;
    if (p.extraLossChecks) out.extraLossChecks = { ...out.extraLossChecks, ...p.extraLossChecks };
    if (p.errors?.length) (out.errors ??= []).push(...p.errors);
  }
  return out;
}

const ROW_ORDER = ['matmul/', 'add/', 'relu/', 'exp/', 'add-broadcast/', 'sum/', 'softmax/', 'conv2d/', 'lenet/', 'mlp/', 'memory/', 'tape/', 'import/'];
const rank = (key: string) => {
  const r = ROW_ORDER.findIndex((p) => key.startsWith(p));
  return r < 0 ? ROW_ORDER.length : r;
};

/** Subject cost ÷ other cost (time or memory), so < 1 always means the subject does better. */
function ratio(subject: Metric | undefined, other: Metric | undefined): string {
  if (!subject || !other || subject.unit === 'count' || !(subject.value > 0) || !(other.value > 0)) return '—';
  const r = subject.higherIsBetter ? other.value / subject.value : subject.value / other.value;
  return `${r.toFixed(2)}×`;
}

function table(libs: Map<string, LibResult>): string {
  const columns = LIBS.map((l) => l.column);
  const keys: string[] = [];
  for (const res of libs.values()) for (const k of Object.keys(res.results)) if (!keys.includes(k)) keys.push(k);
  keys.sort((a, b) => rank(a) - rank(b));
  const others = columns.filter((c) => c !== SUBJECT);
  const headers = ['workload', 'unit', ...columns, ...others.map((c) => `${SUBJECT}/${c}`)];
  const rows = keys.map((k) => {
    const unit = [...libs.values()].map((r) => r.results[k]?.unit).find((u) => u) ?? '';
    const cells = columns.map((c) => {
      const m = libs.get(c)?.results[k];
      return m ? `${fmt(m.value)} ${spread(m)}`.trim() : '—';
    });
    const subject = libs.get(SUBJECT)?.results[k];
    // a threaded row of tapegrad's ('… ×2 threads') is compared with the other libraries' plain row
    const base = k.replace(/ ×\d+ threads$/, '');
    return [k, unit, ...cells, ...others.map((c) => ratio(subject, libs.get(c)?.results[base]))];
  });
  return formatTable(headers, rows);
}

function lossTable(libs: Map<string, LibResult>): { text: string; ok: boolean } {
  // One row per loss trace: each library's own, then any extra ones it reported (tapegrad's fit).
  const rowsIn: [string, LossTrace | undefined][] = [];
  for (const { column } of LIBS) {
    const res = libs.get(column);
    rowsIn.push([column, res?.lossCheck]);
    for (const [name, lc] of Object.entries(res?.extraLossChecks ?? {})) rowsIn.push([name, lc]);
  }
  const withLoss = rowsIn.filter(([, lc]) => lc).map(([name]) => name);
  const ref = withLoss.includes('ceiling') ? 'ceiling' : withLoss[0];
  const traces = new Map(rowsIn);
  const refCheck = ref ? traces.get(ref) : undefined;
  if (!ref || !refCheck) return { text: 'Loss check: no library reported losses', ok: false };
  const at = (name: string, step: number) => traces.get(name)?.trace.find(([s]) => s === step)?.[1];
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
  const last = refCheck.steps;
  const steps = [...new Set([1, LOSS_CHECK_STEP, last])];
  let ok = true;
  const rows = rowsIn.map(([name, lc]) => {
    const losses = steps.map((s) => at(name, s));
    const cells = losses.map((l) => (l === undefined ? '—' : l.toFixed(6)));
    if (!lc) return [name, ...cells, '—', ...(last > LOSS_CHECK_STEP ? ['—'] : [])];
    if (name === ref) return [name, ...cells, 'reference', ...(last > LOSS_CHECK_STEP ? ['reference'] : [])];
    // Judged on steps 1 and LOSS_CHECK_STEP (those it ran); the last step's difference is shown for information.
    const judged = [1, LOSS_CHECK_STEP].filter((s) => s <= lc.steps).map((s) => {
      const a = at(name, s), b = at(ref, s);
      return a === undefined || b === undefined ? Infinity : rel(a, b);
    });
    const err = Math.max(...judged);
    const pass = err <= LOSS_RTOL;
    ok &&= pass;
    const short = lc.steps < LOSS_CHECK_STEP ? ` (ran ${lc.steps} steps)` : '';
    const verdict = `${pass ? '✓' : '✗'} ${Number.isFinite(err) ? err.toExponential(1) : 'missing'}${short}`;
    const tail = at(name, last), refTail = at(ref, last);
    const info = tail === undefined || refTail === undefined ? '—' : rel(tail, refTail).toExponential(1);
    return [name, ...cells, verdict, ...(last > LOSS_CHECK_STEP ? [info] : [])];
  });
  const headers = [
    'library', ...steps.map((s) => `step ${s}`), `rel. diff ≤ ${LOSS_RTOL} (steps 1, ${LOSS_CHECK_STEP})`,
    ...(last > LOSS_CHECK_STEP ? [`rel. diff step ${last} (not judged)`] : []),
  ];
  const head = `Loss check: fresh models from the shared init and data, Adam; reference: ${ref}`;
  return { text: `${head}\n${formatTable(headers, rows)}`, ok };
}

/**
 * Issue 13's speed targets for convolutions, as ratios of this run's figures: tapegrad's conv forward
 * and backward against its own matmul on the same FLOPs, and the LeNet step and the conv layer
 * against tfjs-cpu and tfjs-wasm with one and two threads. Also whether the LeNet losses agree.
 */
function convTargets(libs: Map<string, LibResult>): string {
  const tg = libs.get(SUBJECT)?.results ?? {};
  const r = (lib: string, key: string) => libs.get(lib)?.results[key]?.value;
  const lines: string[] = [];
  const line = (what: string, value: number | undefined, goal: number, unit: string, higherIsBetter = true) => {
    if (value === undefined || !Number.isFinite(value)) return void lines.push(`  ${what}: not measured`);
    const ok = higherIsBetter ? value >= goal : value < goal;
    lines.push(`  ${ok ? '✓' : '✗'} ${what}: ${unit === '%' ? `${(100 * value).toFixed(0)}%` : `${value.toFixed(2)}×`} (target ${higherIsBetter ? '≥' : '<'} ${unit === '%' ? `${100 * goal}%` : `${goal}×`})`);
  };
  const fwd = tg['conv2d/fwd']?.value, mm = tg['conv2d/same-shape-matmul']?.value, fb = tg['conv2d/fwd+bwd']?.value;
  if (fwd === undefined && fb === undefined) return '';
  line('conv forward GFLOP/s ÷ tapegrad matmul on the same shape', fwd && mm ? fwd / mm : undefined, 0.75, '%');
  // backward = forward+backward − forward; it does twice the forward's FLOPs
  const fwdMs = fwd && fb ? (fb * (tg['conv2d/fwd+bwd-gflops']?.value ?? 0)) / 3 / fwd : undefined;
  const bwdGflops = fwdMs !== undefined && fb! > fwdMs ? (2 * fwd! * fwdMs) / (fb! - fwdMs) : undefined;
  line('conv backward GFLOP/s ÷ tapegrad matmul on the same shape', bwdGflops && mm ? bwdGflops / mm : undefined, 0.6, '%');
  const speed = (a: number | undefined, b: number | undefined) => (a && b ? a / b : undefined);
  const threadKey = Object.keys(tg).find((k) => /^lenet\/step ×\d+ threads$/.test(k));
  const layerKey = Object.keys(tg).find((k) => /^conv2d\/fwd\+bwd ×\d+ threads$/.test(k));
  line('LeNet step, tapegrad ÷ tfjs-cpu', speed(tg['lenet/step']?.value, r('tfjs-cpu', 'lenet/step')), 50, '×');
  line('LeNet step, tapegrad ÷ tfjs-wasm, one thread', speed(tg['lenet/step']?.value, r('tfjs-wasm', 'lenet/step')), 0.8, '×');
  line(`LeNet step, tapegrad ÷ tfjs-wasm, two threads (${libs.get('tfjs-wasm-2t')?.env.wasmThreads ?? '?'} in tfjs-wasm's pool)`,
    speed(threadKey ? tg[threadKey]?.value : undefined, r('tfjs-wasm-2t', 'lenet/step')), 1.2, '×');
  // times: tfjs-wasm's ÷ tapegrad's, so > 1 means tapegrad is faster
  const wasmLayer = r('tfjs-wasm-2t', 'conv2d/fwd+bwd'), tgLayer = layerKey ? tg[layerKey]?.value : undefined;
  line('conv layer forward+backward, two threads, tfjs-wasm time ÷ tapegrad time', speed(wasmLayer, tgLayer), 1, '×');
  // LeNet losses: every library from the same init and data
  const loss = (lib: string, key: string) => r(lib, key);
  const lastKey = Object.keys(tg).find((k) => /^lenet\/loss@\d+$/.test(k) && k !== 'lenet/loss@1');
  const agree: string[] = [];
  for (const key of ['lenet/loss@1', ...(lastKey ? [lastKey] : [])]) {
    const ref = tg[key]?.value;
    for (const lib of ['tfjs-cpu', 'tfjs-wasm', 'tfjs-wasm-2t']) {
      const v = loss(lib, key);
      if (ref !== undefined && v !== undefined) agree.push(`${lib} ${key.slice(6)} ${(Math.abs(v - ref) / Math.abs(ref)).toExponential(1)}`);
    }
  }
  lines.push(`  LeNet losses against tapegrad's (relative difference): ${agree.join(', ') || 'none to compare'}`);
  return `Issue 13 conv targets (ratios from this run):\n${lines.join('\n')}`;
}

function runAll(): Map<string, LibResult> {
  const libs = new Map<string, LibResult>();
  for (const lib of LIBS) {
    if (only && !only.includes(lib.column)) continue;
    const parts: LibResult[] = [];
    // Op suites in one process, the MLP run in a fresh one so that its peak RSS is its own.
    const ops = lib.suites.filter((s) => s !== 'mlp');
    if (ops.length) parts.push(runChild(lib, ops));
    if (lib.suites.includes('mlp')) parts.push(runChild(lib, ['mlp']));
    libs.set(lib.column, { ...merge(parts), library: lib.column });
  }
  return libs;
}

/** The machine and how busy it is (1-, 5- and 15-minute load averages; > cores means oversubscribed). */
function machine(): { cpu: string; cores: number; load: string } {
  return { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), load: os.loadavg().map((l) => l.toFixed(2)).join(' ') };
}

function main(): void {
  const t0 = performance.now();
  const before = machine();
  // --from re-prints a saved run instead of running anything.
  const saved = opts.from ? (JSON.parse(readFileSync(opts.from, 'utf8')) as { quick: boolean; libraries: Record<string, LibResult> }) : undefined;
  const libs = saved ? new Map(Object.entries(saved.libraries)) : runAll();
  const wasQuick = saved ? saved.quick : quick;
  const elapsed = (performance.now() - t0) / 1000;

  console.log(`\ntapegrad benchmarks${wasQuick ? ' (--quick)' : ''}: median ±half the min–max range, Node ${process.version}`);
  console.log(table(libs));
  console.log(`Ratio columns: ${SUBJECT}'s cost ÷ the other's (time per op/step, or memory), so < 1 means ${SUBJECT} is better.`);
  for (const [c, r] of libs) {
    if (r.note) console.log(`  ${c}: ${r.note}`);
    for (const e of r.errors ?? []) console.log(`  ${c}: ERROR ${e}`);
  }
  const loss = lossTable(libs);
  console.log(`\n${loss.text}`);
  const conv = convTargets(libs);
  if (conv) console.log(`\n${conv}`);
  if (saved) return;
  // the same tfjs-wasm targets measured in pairs of fresh processes run seconds apart (bench/conv-paired.ts)
  if (conv && libs.has('tfjs-wasm')) {
    process.stderr.write('conv-paired [bench/conv-paired.ts]\n');
    console.log(`\n${runPaired(quick ? 2 : 5, quick)}`);
  }
  // the sequence models (transformer encoder layer, LSTM) in the same run: their own table and loss check
  const seq = only ? null : runSequenceBench(quick ? 5 : LOSS_CHECK_STEP);
  if (seq) console.log(`\n${seq.text}`);
  // the issue-19 goals, each a ratio measured in fresh processes (bench/goals.ts)
  if (!only) {
    process.stderr.write('goals [bench/goals.ts]\n');
    const goals = spawnSync(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'goals.ts'), ...(quick ? ['--quick'] : [])], {
      cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000,
    });
    console.log(goals.stdout?.trimEnd() || `goals: bench/goals.ts printed nothing (${goals.error?.message ?? `exit code ${goals.status}`})`);
  }
  const after = machine();
  console.log(`\nfinished in ${elapsed.toFixed(1)} s on ${before.cpu}, ${before.cores} cores; load average ${before.load} at the start, ${after.load} at the end`);

  if (!opts['no-save']) {
    const file = writeResults('bench', {
      date: new Date().toISOString(),
      quick,
      config: benchConfig(quick),
      node: process.version,
      machine: { ...before, loadAtEnd: after.load },
      elapsedSeconds: elapsed,
      lossAgreement: loss.ok && (seq?.ok ?? true),
      sequence: seq?.results,
      libraries: Object.fromEntries(libs),
    });
    console.log(`results written to ${file}`);
  }
  if (!loss.ok || (seq && !seq.ok)) process.exitCode = 1;
}

main();
