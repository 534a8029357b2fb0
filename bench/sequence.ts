// Sequence benchmarks: one training step of a transformer encoder layer (d 128, 4 heads, sequence 64,
// batch 32) and of an LSTM (hidden 128, sequence 50, batch 32), in tapegrad, tfjs-cpu and tfjs-wasm, from
// the same initial weights and data with plain SGD, so the losses must agree at steps 1 and 100.
// PyTorch's losses from the same start (scripts/fixtures/seq_bench.py → test/fixtures/seq/bench-sgd-losses.json) are
// printed beside them. Driver: npx tsx bench/sequence.ts [--steps 100] [--suite lstm]  (npm run bench runs it after the main table).
// One library in one process: npx tsx bench/sequence.ts --lib tapegrad|tfjs-cpu|tfjs-wasm --suite transformer|lstm

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tg from 'tapegrad';
import { formatTable, log, REPO_ROOT, summarize } from './common.js';

export const TRANSFORMER = { batch: 32, seq: 64, d: 128, heads: 4, ff: 512 };
export const LSTM_CFG = { batch: 32, seq: 50, input: 128, hidden: 128 };
const LR = 0.05;
const WARMUP = 3;

/** A seeded uniform(−a, a) array (mulberry32), the same in every process: the shared init and data. */
function uniform(n: number, a: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 * a - a;
  }
  return out;
}

type Init = Record<string, { shape: number[]; data: Float32Array }>;

/** PyTorch-named parameters of the encoder layer, U(−1/√fan_in, 1/√fan_in), norms at 1 and 0. */
function transformerInit(): Init {
  const { d, ff } = TRANSFORMER;
  const p = (shape: number[], fan: number, seed: number) => ({ shape, data: uniform(shape.reduce((a, b) => a * b, 1), 1 / Math.sqrt(fan), seed) });
  const ones = (n: number) => ({ shape: [n], data: new Float32Array(n).fill(1) });
  const zeros = (n: number) => ({ shape: [n], data: new Float32Array(n) });
  return {
    'self_attn.in_proj_weight': p([3 * d, d], d, 1), 'self_attn.in_proj_bias': p([3 * d], d, 2),
    'self_attn.out_proj.weight': p([d, d], d, 3), 'self_attn.out_proj.bias': p([d], d, 4),
    'linear1.weight': p([ff, d], d, 5), 'linear1.bias': p([ff], d, 6), 'linear2.weight': p([d, ff], ff, 7), 'linear2.bias': p([d], ff, 8),
    'norm1.weight': ones(d), 'norm1.bias': zeros(d), 'norm2.weight': ones(d), 'norm2.bias': zeros(d),
  };
}

function lstmInit(): Init {
  const { input, hidden } = LSTM_CFG;
  const k = 1 / Math.sqrt(hidden);
  const p = (shape: number[], seed: number) => ({ shape, data: uniform(shape.reduce((a, b) => a * b, 1), k, seed) });
  return { weight_ih_l0: p([4 * hidden, input], 11), weight_hh_l0: p([4 * hidden, hidden], 12), bias_ih_l0: p([4 * hidden], 13), bias_hh_l0: p([4 * hidden], 14) };
}

/** Input and regression target of each suite (one fixed batch, trained on repeatedly). */
function batchData(suite: Suite): { x: { shape: number[]; data: Float32Array }; y: { shape: number[]; data: Float32Array } } {
  if (suite === 'transformer') {
    const { batch, seq, d } = TRANSFORMER;
    const shape = [batch, seq, d];
    return { x: { shape, data: uniform(batch * seq * d, 1.7, 21) }, y: { shape, data: uniform(batch * seq * d, 1.7, 22) } };
  }
  const { batch, seq, input, hidden } = LSTM_CFG;
  return { x: { shape: [batch, seq, input], data: uniform(batch * seq * input, 1, 31) }, y: { shape: [batch, seq, hidden], data: uniform(batch * seq * hidden, 0.5, 32) } };
}

export type Suite = 'transformer' | 'lstm';
type Lib = 'tapegrad' | 'tfjs-cpu' | 'tfjs-wasm';
/** What one library reports for one suite. */
interface SeqResult {
  lib: Lib;
  suite: Suite;
  msPerStep: number;
  losses: [number, number][];
  error?: string;
}

// ---- tapegrad ------------------------------------------------------------------------------------

/** One tapegrad SGD step of a suite from the shared start; returns that step's loss (tests read it too). */
export function tapegradStepper(suite: Suite): () => number {
  const init = suite === 'transformer' ? transformerInit() : lstmInit();
  const { x, y } = batchData(suite);
  const model: tg.nn.AnyModule = suite === 'transformer'
    ? new tg.nn.TransformerEncoderLayer(TRANSFORMER.d, TRANSFORMER.heads, { dimFeedforward: TRANSFORMER.ff, dropout: 0, batchFirst: true })
    : new tg.nn.LSTM(LSTM_CFG.input, LSTM_CFG.hidden, { batchFirst: true });
  model.loadStateDict(new Map(Object.entries(init).map(([k, v]) => [k, tg.tensor(v.data, { shape: v.shape })])));
  const xt = tg.tensor(x.data, { shape: x.shape });
  const yt = tg.tensor(y.data, { shape: y.shape });
  const opt = new tg.optim.SGD(model.parameters(), { lr: LR });
  return () => {
    const out = suite === 'transformer'
      ? (model as tg.nn.TransformerEncoderLayer).call(xt)
      : (model as tg.nn.LSTM).call(xt)[0];
    const loss = tg.nn.functional.mseLoss(out, yt);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss.item();
  };
}

// ---- tfjs ----------------------------------------------------------------------------------------

async function tfjsStepper(suite: Suite, backend: 'cpu' | 'wasm'): Promise<() => number> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const { initBackend } = await import('./tfjs.js');
  const { newResult } = await import('./common.js');
  await initBackend(backend, 1, newResult(`tfjs-${backend}`));
  // the gradients of every kernel on the path (tfjs-core ships them as separate modules)
  const { createRequire } = await import('node:module');
  const req = createRequire(import.meta.url);
  for (const k of ['BatchMatMul', 'Add', 'Sub', 'Multiply', 'RealDiv', 'Relu', 'Mean', 'Sum', 'Reshape', 'Transpose', 'Softmax', 'Rsqrt',
    'SplitV', 'Slice', 'Sigmoid', 'Tanh', 'Pack', 'SquaredDifference', 'Square', 'Exp', 'Max', 'Log', 'Neg', 'Sqrt', 'BroadcastTo']) {
    const mod = req(`@tensorflow/tfjs-core/dist/gradients/${k}_grad.js`) as Record<string, unknown>;
    const config = Object.values(mod).find((v) => typeof v === 'object' && v !== null && 'gradFunc' in v) as import('@tensorflow/tfjs-core').GradConfig;
    tf.registerGradient(config);
  }
  const init = suite === 'transformer' ? transformerInit() : lstmInit();
  const vars = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.variable(tf.tensor(v.data, v.shape), true, k)]));
  const { x, y } = batchData(suite);
  const xt = tf.tensor(x.data, x.shape);
  const yt = tf.tensor(y.data, y.shape);
  type T = import('@tensorflow/tfjs-core').Tensor;
  const linear = (a: T, w: T, b: T) => tf.add(tf.matMul(a, w, false, true), b);
  const layerNorm = (a: T, g: T, b: T) => {
    const c = tf.sub(a, tf.mean(a, -1, true));
    return tf.add(tf.mul(tf.mul(c, tf.rsqrt(tf.add(tf.mean(tf.square(c), -1, true), 1e-5))), g), b);
  };
  const forward = (): T => {
    if (suite === 'transformer') {
      const { batch: b, seq: l, d, heads: h } = TRANSFORMER;
      const hd = d / h;
      const x2 = tf.reshape(xt, [b * l, d]);
      const [q, k, v] = tf.split(linear(x2, vars['self_attn.in_proj_weight'], vars['self_attn.in_proj_bias']), 3, 1);
      const split = (t: T) => tf.transpose(tf.reshape(t, [b, l, h, hd]), [0, 2, 1, 3]);
      const w = tf.softmax(tf.mul(tf.matMul(split(q), split(k), false, true), 1 / Math.sqrt(hd)));
      const att = tf.reshape(tf.transpose(tf.matMul(w, split(v)), [0, 2, 1, 3]), [b * l, d]);
      const h1 = layerNorm(tf.add(x2, linear(att, vars['self_attn.out_proj.weight'], vars['self_attn.out_proj.bias'])), vars['norm1.weight'], vars['norm1.bias']);
      const f = linear(tf.relu(linear(h1, vars['linear1.weight'], vars['linear1.bias'])), vars['linear2.weight'], vars['linear2.bias']);
      return tf.reshape(layerNorm(tf.add(h1, f), vars['norm2.weight'], vars['norm2.bias']), [b, l, d]);
    }
    const { batch: b, seq: l, input, hidden: hs } = LSTM_CFG;
    const xp = tf.reshape(linear(tf.reshape(xt, [b * l, input]), vars.weight_ih_l0, vars.bias_ih_l0), [b, l, 4 * hs]);
    let hh: T = tf.zeros([b, hs]);
    let c: T = tf.zeros([b, hs]);
    const outs: T[] = [];
    for (let t = 0; t < l; t++) {
      const g = tf.add(tf.reshape(tf.slice(xp, [0, t, 0], [b, 1, 4 * hs]), [b, 4 * hs]), linear(hh, vars.weight_hh_l0, vars.bias_hh_l0));
      const [i, f, gg, o] = tf.split(g, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(gg)));
      hh = tf.mul(tf.sigmoid(o), tf.tanh(c));
      outs.push(hh);
    }
    return tf.stack(outs, 1);
  };
  return () => tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(forward(), yt)) as import('@tensorflow/tfjs-core').Scalar);
    for (const [k, g] of Object.entries(grads)) vars[k].assign(tf.sub(vars[k], tf.mul(g, LR)));
    return value.dataSync()[0];
  });
}

// ---- one library, one suite ----------------------------------------------------------------------

async function runOne(lib: Lib, suite: Suite, steps: number): Promise<SeqResult> {
  const step = lib === 'tapegrad' ? tapegradStepper(suite) : await tfjsStepper(suite, lib === 'tfjs-cpu' ? 'cpu' : 'wasm');
  const times: number[] = [];
  const losses: [number, number][] = [];
  for (let i = 1; i <= steps; i++) {
    const t0 = performance.now();
    const loss = step();
    if (i > WARMUP) times.push(performance.now() - t0);
    if (i === 1 || i === 100 || i === steps) losses.push([i, loss]);
  }
  return { lib, suite, msPerStep: summarize(times.length ? times : [NaN]).median, losses };
}

// ---- PyTorch's losses (a committed fixture) ------------------------------------------------------

/** PyTorch's losses at steps 1 and 100 from the same weights and data (scripts/fixtures/seq_bench.py), or null. */
function torchLosses(): { torch: string; transformer: Record<string, number>; lstm: Record<string, number> } | null {
  const path = join(REPO_ROOT, 'test', 'fixtures', 'seq', 'bench-sgd-losses.json');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

// ---- driver --------------------------------------------------------------------------------------

const LIBS: Lib[] = ['tapegrad', 'tfjs-cpu', 'tfjs-wasm'];
const SUITES: Suite[] = ['transformer', 'lstm'];

/** Runs every library × suite in its own process; returns the printed report and whether losses agree. */
export function runSequenceBench(steps: number, suites: readonly Suite[] = SUITES): { text: string; ok: boolean; results: SeqResult[] } {
  const results: SeqResult[] = [];
  for (const suite of suites) {
    for (const lib of LIBS) {
      process.stderr.write(`sequence ${suite}: ${lib}\n`);
      const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--lib', lib, '--suite', suite, '--steps', String(steps)], {
        cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 60 * 60_000,
      });
      const line = (child.stdout ?? '').trim().split('\n').reverse().find((l) => l.startsWith('{'));
      results.push(line ? (JSON.parse(line) as SeqResult) : { lib, suite, msPerStep: NaN, losses: [], error: `no result (exit ${child.status})` });
    }
  }
  let ok = true;
  const torch = torchLosses();
  const rows = results.map((r) => {
    const ref = results.find((q) => q.suite === r.suite && q.lib === 'tapegrad');
    const loss = (q: SeqResult | undefined, s: number) => q?.losses.find(([k]) => k === s)?.[1];
    const rel = (s: number) => {
      const a = loss(r, s), b = loss(ref, s);
      return a === undefined || b === undefined ? NaN : Math.abs(a - b) / Math.abs(b);
    };
    const judged = [1, 100].filter((s) => s <= steps).map(rel);
    const worst = Math.max(...judged.map((e) => (Number.isNaN(e) ? Infinity : e)));
    const agree = r.lib === 'tapegrad' ? 'reference' : `${worst <= 1e-3 ? '✓' : '✗'} ${worst.toExponential(1)}`;
    if (agree.startsWith('✗')) ok = false;
    const ratio = r.msPerStep / (ref?.msPerStep ?? NaN);
    const target = r.lib === 'tfjs-cpu' ? ` (target ≥ 5×: ${ratio >= 5 ? '✓' : '✗'})` : '';
    const speedup = r.lib === 'tapegrad' || !ref ? '' : `${ratio.toFixed(2)}×${target}`;
    // the same losses from PyTorch, when the fixture is there: relative difference at the last judged step
    const pt = torch?.[r.suite]?.[String(Math.min(steps, 100))];
    const vsTorch = pt === undefined || steps < 100 ? '—' : (() => {
      const e = Math.abs((loss(r, 100) ?? NaN) - pt) / Math.abs(pt);
      return `${e <= 1e-3 ? '✓' : '✗'} ${e.toExponential(1)}`;
    })();
    return [`${r.suite}`, r.lib, r.error ?? r.msPerStep.toFixed(1), speedup, loss(r, 1)?.toFixed(6) ?? '—', loss(r, 100)?.toFixed(6) ?? '—', agree, vsTorch];
  });
  if (torch) {
    for (const suite of suites) {
      rows.push([suite, `PyTorch ${torch.torch} (fixture)`, 'not timed', '', torch[suite]['1'].toFixed(6), torch[suite]['100'].toFixed(6), '', 'reference']);
    }
  }
  const text = `Sequence training steps (SGD lr ${LR}, shared init and data; transformer: d ${TRANSFORMER.d}, ${TRANSFORMER.heads} heads, seq ${TRANSFORMER.seq}, batch ${TRANSFORMER.batch}; ` +
    `LSTM: hidden ${LSTM_CFG.hidden}, seq ${LSTM_CFG.seq}, batch ${LSTM_CFG.batch}; ${steps} steps, median after ${WARMUP} warm-up)\n` +
    formatTable(['suite', 'library', 'ms/step', 'its time ÷ tapegrad', 'loss step 1', 'loss step 100', 'rel. diff ≤ 1e-3 (steps 1, 100)', 'vs PyTorch, step 100'], rows);
  return { text, ok, results };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const { values } = parseArgs({ options: { lib: { type: 'string' }, suite: { type: 'string' }, steps: { type: 'string', default: '100' } } });
  const steps = Number(values.steps);
  if (values.lib) {
    runOne(values.lib as Lib, values.suite as Suite, steps).then((r) => console.log(JSON.stringify(r)), (e: unknown) => {
      console.log(JSON.stringify({ lib: values.lib, suite: values.suite, msPerStep: NaN, losses: [], error: String(e) }));
      process.exitCode = 1;
    });
  } else {
    const { text, ok } = runSequenceBench(steps, values.suite ? [values.suite as Suite] : SUITES);
    log('done');
    console.log(text);
    if (!ok) process.exitCode = 1;
  }
}
