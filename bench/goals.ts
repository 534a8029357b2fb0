// The speed goals of issue 19, each measured and printed as a ratio (npm run bench runs this at the end):
//   ceiling   the MLP 784-128-64-10 Adam step (batch 64, one thread) against bench/ceiling.ts       ≥ 0.97
//   load      the same step with a second CPU-bound process running, as a share of its quiet speed   ≥ 0.85
//   spread    matmul 512³ and the MLP step over 10 fresh processes: slowest ÷ fastest − 1            ≤ 15%
//   threads   setNumThreads(2) against one thread: the MLP step (batch 64), matmul 512³              ≥ 1.8, ≥ 1.85
//             (and, as info, the step split into the products threads share and the rest, 1 and 2 threads)
//   alloc     typed arrays (and bytes) made new per warm training step (PyTorch-style loop, Keras fit), GC events  0
//   memory    heap + ArrayBuffer growth over 10,000 steps (bench/memory.ts)                           < 2 MB
//   large     a 784-1024-1024-10 step at batch 256 against matmul on the same products (GFLOP/s)    ≥ 0.85
// Every measurement runs in a fresh child process.
// Run: npx tsx bench/goals.ts [--only ceiling,load,...] [--root <another checkout>] [--quick]
// --root measures another checkout's src/ and bench/ (e.g. an older commit) with this script.

import { spawn, spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, formatTable, REPO_ROOT, summarize } from './common.js';

const GOALS = ['ceiling', 'load', 'spread', 'threads', 'alloc', 'memory', 'large'] as const;
type Goal = (typeof GOALS)[number];

interface ChildArgs { task: string; root: string; quick: boolean }

/** What a child prints as its last line: named figures. */
type Figures = Record<string, number>;

// ---------------------------------------------------------------------------------------------
// Children: one measurement each, in a fresh process.

/** The modules of the checkout under test. */
async function load(root: string) {
  const tg = await import(join(root, 'src/index.ts')) as typeof import('../src/index.js');
  const { createCeilingMLP } = await import(join(root, 'bench/ceiling.ts')) as typeof import('./ceiling.js');
  const { makeTorchStyle } = await import(join(root, 'bench/tapegrad.ts')) as typeof import('./tapegrad.js');
  const common = await import(join(root, 'bench/common.ts')) as typeof import('./common.js');
  return { tg, createCeilingMLP, makeTorchStyle, common };
}

const median = (xs: number[]): number => summarize(xs).median;
type Modules = Awaited<ReturnType<typeof load>>;
type MlpState = Awaited<ReturnType<typeof mlpState>>;

/** tapegrad's step and the ceiling's, alternating step by step for `ms` milliseconds: median ms of each. */
function alternate(m: Modules, ms: number, state: MlpState) {
  const { MLP } = m.common;
  const data = state.data;
  const tape: number[] = [], ceil: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const b = state.i++ % MLP.numBatches;
    let t0 = performance.now();
    state.tape.step(state.xs[b] as never, data.labels[b]);
    tape.push(performance.now() - t0);
    t0 = performance.now();
    state.ceiling.step(data.x[b], data.labels[b]);
    ceil.push(performance.now() - t0);
  }
  return { tape: median(tape), ceiling: median(ceil), steps: tape.length };
}

async function mlpState(m: Modules) {
  const { MLP, mlpData, mlpInit } = m.common;
  const init = mlpInit(), data = mlpData();
  const xs = data.x.map((a) => m.tg.tensor(a, { shape: [MLP.batch, MLP.sizes[0]] }));
  const state = { tape: m.makeTorchStyle(init), ceiling: m.createCeilingMLP(init), xs: xs as unknown[], data, i: 0 };
  alternate(m, 1000, state); // warm-up: JIT, optimizer state, the allocator's cache
  return state;
}

/** A CPU-bound process that spins for `ms` milliseconds, then exits by itself. */
function hog(ms: number) {
  return spawn(process.execPath, ['-e', `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x++;`], { stdio: 'ignore' });
}

async function child({ task, root, quick }: ChildArgs): Promise<Figures> {
  if (task === 'alloc') return allocChild(root);
  const m = await load(root);
  const window = quick ? 1500 : 4000;
  if (task === 'ceiling') {
    const state = await mlpState(m);
    const r = alternate(m, window * 2, state);
    return { tapeMs: r.tape, ceilingMs: r.ceiling, ratio: r.ceiling / r.tape };
  }
  if (task === 'load') {
    const state = await mlpState(m);
    const quiet = alternate(m, window, state);
    const h = hog(window + 2000);
    await new Promise((r) => setTimeout(r, 300));
    const loaded = alternate(m, window, state);
    h.kill();
    const quiet2 = alternate(m, window, state);
    const qt = (quiet.tape + quiet2.tape) / 2, qc = (quiet.ceiling + quiet2.ceiling) / 2;
    return { quietTapeMs: qt, loadedTapeMs: loaded.tape, quietCeilingMs: qc, loadedCeilingMs: loaded.ceiling, tapeKeeps: qt / loaded.tape, ceilingKeeps: qc / loaded.ceiling };
  }
  if (task === 'spread') {
    const { tg } = m;
    const n = 512;
    const a = tg.rand([n, n]), b = tg.rand([n, n]);
    const mm: number[] = [];
    for (let r = 0; r < (quick ? 6 : 12); r++) {
      const t0 = performance.now();
      a.matmul(b);
      if (r >= 2) mm.push(performance.now() - t0);
    }
    const state = await mlpState(m);
    const r = alternate(m, window / 2, state);
    // the machine's own spread, for comparison: tfjs-wasm's 512³ product in the same process (its memory is
    // wasm's, outside V8's heap, so it shares none of tapegrad's buffer placement)
    const { initBackend } = await import('./tfjs.js');
    const tf = await import('@tensorflow/tfjs-core');
    await initBackend('wasm', 1, m.common.newResult('tfjs-wasm'));
    const ta = tf.randomUniform([n, n]), tb = tf.randomUniform([n, n]);
    const wasm: number[] = [];
    for (let k = 0; k < (quick ? 6 : 12); k++) {
      const t0 = performance.now();
      tf.matMul(ta, tb).dispose();
      if (k >= 2) wasm.push(performance.now() - t0);
    }
    return { matmulMs: median(mm), stepMs: r.tape, ceilingMs: r.ceiling, wasmMatmulMs: median(wasm) };
  }
  if (task === 'gc') {
    // garbage collections during warm steps, as the process reports them (no constructor counting here: it
    // would make garbage of its own)
    const state = await mlpState(m);
    const { MLP } = m.common;
    const steps = quick ? 300 : 1000;
    let gcs = 0, gcMs = 0;
    const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) { gcs++; gcMs += e.duration; } });
    obs.observe({ entryTypes: ['gc'] });
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) state.tape.step(state.xs[i % MLP.numBatches] as never, state.data.labels[i % MLP.numBatches]);
    const elapsed = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 20)); // the observer hears of the last collections on a later tick
    obs.disconnect();
    return { gcPer1000Steps: (1000 * gcs) / steps, gcShare: gcMs / elapsed };
  }
  if (task === 'threads') return threadsChild(m, window, root);
  if (task === 'large') return largeChild(m, quick);
  throw new Error(`goals: unknown task ${task}`);
}

/**
 * Typed arrays made per warm step, counted at their constructors (so any checkout can be measured alike): the
 * PyTorch-style step as the bench runs it (disposing its output and loss after reading the loss, where the checkout
 * has Tensor.dispose), the same step keeping them, a Keras `fit` step, and the ceiling.
 */
async function allocChild(root: string): Promise<Figures> {
  let on = false, arrays = 0, bytes = 0;
  for (const C of [Float32Array, Float64Array, Int32Array]) {
    (globalThis as Record<string, unknown>)[C.name] = new Proxy(C, {
      construct(target, args, newTarget) {
        const out = Reflect.construct(target, args, newTarget) as ArrayBufferView;
        if (on) { arrays++; bytes += out.byteLength; }
        return out;
      },
    });
  }
  const m = await load(root);
  const state = await mlpState(m);
  const { MLP, mlpInit } = m.common;
  const data = state.data;
  const steps = 200;
  const count = (run: () => void, n: number) => {
    arrays = bytes = 0;
    on = true;
    run();
    on = false;
    return { arrays: arrays / n, bytes: bytes / n };
  };
  const tape = count(() => { for (let i = 0; i < steps; i++) state.tape.step(state.xs[i % MLP.numBatches] as never, data.labels[i % MLP.numBatches]); }, steps);
  const keep = m.makeTorchStyle(mlpInit(), { dispose: false });
  for (let i = 0; i < 50; i++) keep.step(state.xs[i % MLP.numBatches] as never, data.labels[i % MLP.numBatches]);
  const kept = count(() => { for (let i = 0; i < steps; i++) keep.step(state.xs[i % MLP.numBatches] as never, data.labels[i % MLP.numBatches]); }, steps);
  const fit = await kerasFitArrays(m, () => { arrays = bytes = 0; on = true; }, () => { on = false; return { arrays, bytes }; });
  const ceiling = count(() => { for (let i = 0; i < steps; i++) state.ceiling.step(data.x[i % MLP.numBatches], data.labels[i % MLP.numBatches]); }, steps);
  return {
    arraysPerStep: tape.arrays, bytesPerStep: tape.bytes, keptArraysPerStep: kept.arrays, keptBytesPerStep: kept.bytes,
    fitArraysPerStep: fit.arrays, fitBytesPerStep: fit.bytes, ceilingArraysPerStep: ceiling.arrays,
  };
}

/**
 * A Keras-style `fit` of the same MLP (tg.sequential of dense layers, Adam, sparse categorical cross-entropy from
 * logits, batch 64, no shuffle) over the bench's 16 batches for 12 epochs: arrays made per step from the end of
 * the 17th batch (warm: the first epoch filled the cache) to the end of the last, epoch boundaries included.
 */
async function kerasFitArrays(m: Modules, start: () => void, stop: () => { arrays: number; bytes: number }): Promise<{ arrays: number; bytes: number }> {
  const { tg } = m;
  const { MLP, mlpData } = m.common;
  const sizes = MLP.sizes;
  const dense = (units: number, activation: 'relu' | 'linear', inputShape?: number[]) =>
    tg.layers.dense({ units, activation, ...(inputShape ? { inputShape } : {}), generator: new tg.Generator(0) });
  const model = tg.sequential([dense(sizes[1], 'relu', [sizes[0]]), dense(sizes[2], 'relu'), dense(sizes[3], 'linear')]);
  model.compile({ optimizer: new tg.optim.Adam(model.parameters(), { lr: 1e-3 }), loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true } });
  const data = mlpData();
  const rows = MLP.batch * MLP.numBatches;
  const x = new Float32Array(rows * sizes[0]), y = new Float32Array(rows);
  data.x.forEach((xb, i) => x.set(xb, i * xb.length));
  data.labels.forEach((lb, i) => y.set(lb, i * lb.length));
  let batches = 0, counted = 0;
  let got = { arrays: 0, bytes: 0 };
  await model.fit(tg.tensor(x, { shape: [rows, sizes[0]] }), tg.tensor(y), {
    epochs: 12, batchSize: MLP.batch, shuffle: false, verbose: 0,
    callbacks: {
      onBatchEnd() {
        batches++;
        if (batches === MLP.numBatches + 1) start();
        else if (batches > MLP.numBatches + 1) counted++;
      },
      onTrainEnd() { got = stop(); },
    },
  });
  return { arrays: got.arrays / counted, bytes: got.bytes / counted };
}

/**
 * setNumThreads(2) against one thread: the MLP step and a 512³ product, in blocks of one then two threads.
 * Inside the step it also times the products large enough to share (threads.ts's threadTuning timer), so
 * the step splits into those products and the rest, with one thread and with two: the products' share p of
 * the one-thread step bounds two threads' speedup at 1 / ((1 − p) + p/2) (Amdahl), and the split shows
 * where two threads' time goes. A checkout without the timer gets p from the products timed alone.
 */
async function threadsChild(m: Modules, window: number, root: string): Promise<Figures> {
  const { tg } = m;
  const threads = await import(join(root, 'src/tensor/threads.ts')) as { threadTuning?: { timing: boolean; sharedMs: number } };
  const timer = threads.threadTuning;
  if (timer) timer.timing = true;
  const state = await mlpState(m);
  const { MLP } = m.common;
  const data = state.data;
  const a = tg.rand([512, 512]), b = tg.rand([512, 512]);
  // Steps in runs of 8; `free` gets the step times of the runs in which the process held more than 1.3 cores
  const stepTimes = (ms: number, into?: { step: number[]; shared: number[]; free: number[] }) => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      const c0 = process.cpuUsage(), w0 = performance.now(), run: number[] = [];
      for (let r = 0; r < 8; r++) {
        const k = state.i++ % MLP.numBatches;
        const s0 = timer?.sharedMs ?? 0;
        const t0 = performance.now();
        state.tape.step(state.xs[k] as never, data.labels[k]);
        run.push(performance.now() - t0);
        into?.shared.push((timer?.sharedMs ?? 0) - s0);
      }
      const c = process.cpuUsage(c0);
      into?.step.push(...run);
      if ((c.user + c.system) / 1000 / (performance.now() - w0) > 1.3) into?.free.push(...run);
    }
  };
  const mmTimes = (reps: number) => {
    const ts: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      a.matmul(b);
      ts.push(performance.now() - t0);
    }
    return ts;
  };
  const one = { step: [] as number[], shared: [] as number[], free: [] as number[], mm: [] as number[] };
  const two = { step: [] as number[], shared: [] as number[], free: [] as number[], mm: [] as number[] };
  // CPU time ÷ wall time of the process during the two-thread step blocks: near 2 when the second core was
  // free for the worker, near 1 when other jobs held it (then no setting can show a speedup)
  let cpu2 = 0, wall2 = 0;
  for (let round = 0; round < 2; round++) {
    await tg.setNumThreads(1);
    stepTimes(200); mmTimes(1);
    stepTimes(window / 2, one); one.mm.push(...mmTimes(8));
    await tg.setNumThreads(2);
    stepTimes(200); mmTimes(1);
    const c0 = process.cpuUsage(), w0 = performance.now();
    stepTimes(window / 2, two);
    const c = process.cpuUsage(c0);
    cpu2 += (c.user + c.system) / 1000;
    wall2 += performance.now() - w0;
    two.mm.push(...mmTimes(8));
  }
  await tg.setNumThreads(1);
  const s1 = median(one.step), s2 = median(two.step), m1 = median(one.mm), m2 = median(two.mm);
  const rest = (x: typeof one) => median(x.step.map((t, i) => t - x.shared[i]));
  let p: number, shared1: number, shared2: number;
  if (timer) {
    timer.timing = false;
    shared1 = median(one.shared);
    shared2 = median(two.shared);
    p = median(one.step.map((t, i) => one.shared[i] / t));
  } else {
    // The step's products that threads share (m·n·k ≥ 2^21): layer 1's x·W1ᵀ and G1ᵀ·x, timed alone.
    const [d0, d1] = MLP.sizes;
    const x = tg.rand([MLP.batch, d0]), W = tg.rand([d1, d0]), G = tg.rand([MLP.batch, d1]);
    const big: number[] = [];
    for (let r = 0; r < 30; r++) {
      const t0 = performance.now();
      x.matmul(W.mT);
      G.mT.matmul(x);
      if (r >= 5) big.push(performance.now() - t0);
    }
    shared1 = median(big);
    shared2 = NaN;
    p = Math.min(1, shared1 / s1);
  }
  return {
    stepMs1: s1, stepMs2: s2, stepSpeedup: s1 / s2, matmulMs1: m1, matmulMs2: m2, matmulSpeedup: m1 / m2,
    sharedFraction: p, amdahl: 1 / (1 - p + p / 2), sharedMs1: shared1, sharedMs2: shared2,
    restMs1: timer ? rest(one) : s1 - shared1, restMs2: timer ? rest(two) : NaN, cpuPerWall2: cpu2 / wall2,
    steps2: two.step.length, freeSteps2: two.free.length, freeStepMs2: two.free.length > 0 ? median(two.free) : NaN,
  };
}

/**
 * A 784-1024-1024-10 ReLU MLP (nn.Sequential, crossEntropy, Adam) at batch 256, against tapegrad's matmul on
 * the step's own products with the same layouts: forward x·Wᵀ per layer, backward Gᵀ·x (weights) and G·W
 * (inputs, all but the first layer). Both as GFLOP/s of those products' FLOPs.
 */
async function largeChild(m: Modules, quick: boolean): Promise<Figures> {
  const { tg } = m;
  const sizes = [784, 1024, 1024, 10], batch = 256;
  const g = new tg.Generator(5);
  const model = new tg.nn.Sequential(
    new tg.nn.Linear(sizes[0], sizes[1], { generator: g }), new tg.nn.ReLU(),
    new tg.nn.Linear(sizes[1], sizes[2], { generator: g }), new tg.nn.ReLU(),
    new tg.nn.Linear(sizes[2], sizes[3], { generator: g }),
  );
  const opt = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = tg.rand([batch, sizes[0]], { generator: g });
  const labels = new Int32Array(batch).map((_, i) => (i * 7) % 10);
  const step = () => {
    opt.zeroGrad();
    const loss = tg.nn.functional.crossEntropy(model.call(x), labels);
    loss.backward();
    opt.step();
    return loss.item();
  };
  // the step's products: [m, k] · [k, n] with the same operand layouts the tape uses
  const products: { m: number; k: number; n: number; run: () => unknown }[] = [];
  const W = model.parameters().filter((p) => p.ndim === 2); // [out, in]
  const acts = [x, tg.rand([batch, sizes[1]]), tg.rand([batch, sizes[2]])];
  for (let l = 0; l < 3; l++) {
    const [inF, outF] = [sizes[l], sizes[l + 1]];
    const G = tg.rand([batch, outF]);
    const w = W[l].detach(), a = acts[l];
    products.push({ m: batch, k: inF, n: outF, run: () => a.matmul(w.mT) }); // forward
    products.push({ m: outF, k: batch, n: inF, run: () => G.mT.matmul(a) }); // weight gradient
    if (l > 0) products.push({ m: batch, k: outF, n: inF, run: () => G.matmul(w) }); // input gradient
  }
  const flops = products.reduce((s, p) => s + 2 * p.m * p.k * p.n, 0);
  const reps = quick ? 4 : 8;
  for (let i = 0; i < 2; i++) { step(); for (const p of products) p.run(); }
  const stepTimes: number[] = [], mmTimes: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    step();
    stepTimes.push(performance.now() - t0);
    t0 = performance.now();
    for (const p of products) p.run();
    mmTimes.push(performance.now() - t0);
  }
  const s = median(stepTimes), mm = median(mmTimes);
  return { stepMs: s, productsMs: mm, stepGflops: flops / s / 1e6, matmulGflops: flops / mm / 1e6, ratio: mm / s };
}

// ---------------------------------------------------------------------------------------------
// The driver

function runChild(task: string, root: string, quick: boolean): Figures {
  const args = ['--import', 'tsx', join(BENCH_DIR, 'goals.ts'), '--child', task, '--root', root, ...(quick ? ['--quick'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 10 * 60_000 });
  const line = (r.stdout ?? '').trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`goals: child '${task}' printed no result (exit ${r.status}${r.signal ? `, ${r.signal}` : ''})`);
  return JSON.parse(line) as Figures;
}

/** bench/memory.ts in a child (with --expose-gc): heap and ArrayBuffer growth after warm-up, both loops. */
function memoryGoal(root: string, quick: boolean): Figures {
  const steps = quick ? 2000 : 10000;
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(root, 'bench/memory.ts'), '--steps', String(steps), '--every', String(steps / 10)], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 10 * 60_000,
  });
  const out = r.stdout ?? '';
  const growth = [...out.matchAll(/heap ([+-][\d.]+) KB, arrayBuffers ([+-][\d.]+) KB/g)].map((g) => Number(g[1]) + Number(g[2]));
  if (growth.length < 2) throw new Error(`goals: bench/memory.ts printed no growth lines:\n${out}`);
  return { steps, fitGrowthKB: growth[0], loopGrowthKB: growth[1] };
}

interface Row { goal: string; target: string; measured: string; holds: boolean }

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' }, root: { type: 'string' }, quick: { type: 'boolean', default: false },
      child: { type: 'string' }, json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const root = resolve(values.root ?? REPO_ROOT);
  const quick = values.quick ?? false;
  if (values.child) {
    process.stdout.write(JSON.stringify(await child({ task: values.child, root, quick })) + '\n');
    return;
  }
  const only = new Set((values.only?.split(',') ?? GOALS) as Goal[]);
  for (const g of only) if (!GOALS.includes(g)) throw new Error(`--only: unknown goal '${g}' (goals: ${GOALS.join(', ')})`);
  const loadStart = os.loadavg()[0];
  const rows: Row[] = [];
  const all: Record<string, unknown> = {};
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const f2 = (x: number) => x.toFixed(2);
  const note = (goal: string) => process.stderr.write(`goals: ${goal}\n`);
  if (only.has('ceiling')) {
    note('ceiling');
    const c = runChild('ceiling', root, quick);
    all.ceiling = c;
    rows.push({ goal: 'MLP step ÷ ceiling (1 thread, batch 64)', target: '≥ 0.97', measured: `${f2(c.ratio)}× (${f2(c.tapeMs)} vs ${f2(c.ceilingMs)} ms)`, holds: c.ratio >= 0.97 });
  }
  if (only.has('load')) {
    note('load (a second CPU-bound process)');
    const c = runChild('load', root, quick);
    all.load = c;
    rows.push({ goal: 'MLP step under load ÷ quiet', target: '≥ 85%', measured: `${pct(c.tapeKeeps)} (${f2(c.quietTapeMs)} → ${f2(c.loadedTapeMs)} ms); ceiling ${pct(c.ceilingKeeps)}`, holds: c.tapeKeeps >= 0.85 });
  }
  if (only.has('spread')) {
    const runs: Figures[] = [];
    for (let i = 0; i < 10; i++) {
      note(`spread: fresh process ${i + 1} of 10`);
      runs.push(runChild('spread', root, quick));
    }
    all.spread = runs;
    for (const [key, name] of [['matmulMs', 'matmul 512³'], ['stepMs', 'MLP step']] as const) {
      const xs = runs.map((r) => r[key]);
      const lo = Math.min(...xs), hi = Math.max(...xs);
      rows.push({ goal: `${name} over 10 fresh processes: slowest ÷ fastest − 1`, target: '≤ 15%', measured: `${pct(hi / lo - 1)} (${f2(lo)}–${f2(hi)} ms)`, holds: hi / lo - 1 <= 0.15 });
    }
    // (info) the same spread for code tapegrad does not run, in the same processes: when these spread as
    // much, the machine (not tapegrad's buffers) made the difference between processes
    for (const [key, name] of [['ceilingMs', 'the fused ceiling step (no tape)'], ['wasmMatmulMs', 'tfjs-wasm matmul 512³']] as const) {
      const xs = runs.map((r) => r[key]).filter((v) => v !== undefined);
      if (xs.length < 2) continue;
      const lo = Math.min(...xs), hi = Math.max(...xs);
      rows.push({ goal: `(info) ${name}, same processes: slowest ÷ fastest − 1`, target: '', measured: `${pct(hi / lo - 1)} (${f2(lo)}–${f2(hi)} ms)`, holds: true });
    }
  }
  if (only.has('threads')) {
    note('threads');
    const c = runChild('threads', root, quick);
    all.threads = c;
    rows.push({ goal: 'setNumThreads(2): MLP step (batch 64) speedup', target: '≥ 1.8×', measured: `${f2(c.stepSpeedup)}× (${f2(c.stepMs1)} → ${f2(c.stepMs2)} ms)`, holds: c.stepSpeedup >= 1.8 });
    rows.push({ goal: '(info) CPU time ÷ wall time in the 2-thread steps (2: both cores ours)', target: '', measured: f2(c.cpuPerWall2), holds: true });
    if (c.freeSteps2 > 0) {
      rows.push({ goal: '(info) the MLP speedup over the 2-thread runs of 8 steps that held > 1.3 cores', target: '', measured: `${f2(c.stepMs1 / c.freeStepMs2)}× (${f2(c.freeStepMs2)} ms, ${c.freeSteps2} of ${c.steps2} steps)`, holds: true });
    }
    rows.push({ goal: '(info) share of the 1-thread step in products threads share', target: '', measured: `${pct(c.sharedFraction)}: at most ${f2(c.amdahl)}× with 2 threads`, holds: true });
    if (Number.isFinite(c.sharedMs2)) { // null (NaN through JSON) for a checkout without threadTuning's timer
      rows.push({ goal: '(info) in the step, 1 → 2 threads: the shared products', target: '', measured: `${f2(c.sharedMs1)} → ${f2(c.sharedMs2)} ms (${f2(c.sharedMs1 / c.sharedMs2)}×)`, holds: true });
      rows.push({ goal: '(info) in the step, 1 → 2 threads: the rest', target: '', measured: `${f2(c.restMs1)} → ${f2(c.restMs2)} ms`, holds: true });
    }
    rows.push({ goal: 'setNumThreads(2): matmul 512³ speedup', target: '≥ 1.85×', measured: `${f2(c.matmulSpeedup)}× (${f2(c.matmulMs1)} → ${f2(c.matmulMs2)} ms)`, holds: c.matmulSpeedup >= 1.85 });
  }
  if (only.has('alloc')) {
    note('alloc');
    const c = runChild('alloc', root, quick);
    all.alloc = c;
    const kb = (x: number) => `${(x / 1024).toFixed(1)} KB`;
    rows.push({ goal: 'typed arrays made per warm MLP step (output and loss disposed)', target: '0', measured: `${c.arraysPerStep.toFixed(2)} arrays, ${kb(c.bytesPerStep)} (ceiling ${c.ceilingArraysPerStep})`, holds: c.arraysPerStep === 0 });
    rows.push({ goal: '(info) the same step keeping its output and loss', target: '', measured: `${c.keptArraysPerStep.toFixed(2)} arrays, ${kb(c.keptBytesPerStep)}`, holds: true });
    rows.push({ goal: 'typed arrays made per warm Keras fit step', target: '0', measured: `${c.fitArraysPerStep.toFixed(2)} arrays, ${kb(c.fitBytesPerStep)}`, holds: c.fitArraysPerStep === 0 });
    const gc = runChild('gc', root, quick);
    all.gc = gc;
    rows.push({ goal: '(info) garbage collections per 1000 warm steps', target: '', measured: `${gc.gcPer1000Steps.toFixed(0)}, ${pct(gc.gcShare)} of the time`, holds: true });
  }
  if (only.has('memory')) {
    note('memory (bench/memory.ts)');
    const c = memoryGoal(root, quick);
    all.memory = c;
    const worst = Math.max(c.fitGrowthKB, c.loopGrowthKB);
    rows.push({ goal: `heap + ArrayBuffers growth over ${c.steps} steps (fit, loop)`, target: '< 2 MB', measured: `${c.fitGrowthKB.toFixed(0)} KB, ${c.loopGrowthKB.toFixed(0)} KB`, holds: worst < 2048 });
  }
  if (only.has('large')) {
    note('large (784-1024-1024-10, batch 256)');
    const c = runChild('large', root, quick);
    all.large = c;
    rows.push({ goal: '784-1024-1024-10 step (batch 256) ÷ matmul, GFLOP/s', target: '≥ 0.85', measured: `${f2(c.ratio)}× (${f2(c.stepGflops)} vs ${f2(c.matmulGflops)} GFLOP/s)`, holds: c.ratio >= 0.85 });
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ root, quick, load: [loadStart, os.loadavg()[0]], figures: all }) + '\n');
    return;
  }
  console.log(`\nIssue-19 goals${root === REPO_ROOT ? '' : ` (measuring ${root})`}${quick ? ' (--quick)' : ''}, each in fresh processes; load average ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`);
  console.log(formatTable(['goal', 'target', 'measured', 'holds'], rows.map((r) => [r.goal, r.target, r.measured, r.target === '' ? '' : r.holds ? 'yes' : 'no'])));
}

await main();
