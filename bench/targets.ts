// The performance targets of issue 5, each measured as a head-to-head in one process with the two
// sides' samples interleaved, so load from other processes falls on both alike. Run: npx tsx bench/targets.ts [--quick]

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tg from '../src/index.js';
import { matmul as matmulKernel } from '../src/tensor/matmul.js';
import { createCeilingMLP } from './ceiling.js';
import {
  ELEMENTWISE_N, MLP, REDUCE_SHAPE, formatTable, log, mlpData, mlpInit, opInput, summarize, timeInterleaved,
  transposeWeight, type Timing, type TimeitOptions,
} from './common.js';

const { values: opts } = parseArgs({ options: { quick: { type: 'boolean', default: false } }, strict: true });
const quick = opts.quick ?? false;
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
  await tf.setBackend('cpu');
  tf.enableProdMode();
  const [rr, cc] = REDUCE_SHAPE;
  const x = opInput(ELEMENTWISE_N, 3), y = opInput(ELEMENTWISE_N, 4), m = opInput(rr * cc, 5), row = opInput(cc, 6);
  const tx = tg.tensor(x), ty = tg.tensor(y), tm = tg.tensor(m, { shape: [rr, cc] }), trow = tg.tensor(row);
  const fx = tf.tensor1d(x), fy = tf.tensor1d(y), fm = tf.tensor2d(m, [rr, cc]), frow = tf.tensor1d(row);

  // Elementwise against tfjs-cpu, and broadcast add against tapegrad's own contiguous add. Every op
  // of both libraries runs a few times before any is timed, as in a program that uses all of them:
  // that matters for tfjs-cpu, whose unary kernels share one loop calling the op per element (its
  // relu alone is ~3× faster than after exp has also gone through that loop).
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

  // matmul against tfjs-cpu (single thread), then threads against one thread
  for (const n of quick ? [256] : [256, 512]) {
    const a = opInput(n * n, 1), b = opInput(n * n, 2);
    const ta = tg.tensor(a, { shape: [n, n] }), tb = tg.tensor(b, { shape: [n, n] });
    const fa = tf.tensor2d(a, [n, n]), fb = tf.tensor2d(b, [n, n]);
    compare(`matmul/${n} ≥ 4.5× tfjs-cpu`, 4.5, () => ta.matmul(tb), () => tf.matMul(fa, fb).dispose());
  }
  const threads = Math.max(2, os.availableParallelism());
  await tg.setNumThreads(threads);
  for (const n of quick ? [512] : [512, 1024]) {
    const ta = tg.tensor(opInput(n * n, 1), { shape: [n, n] }), tb = tg.tensor(opInput(n * n, 2), { shape: [n, n] });
    compare(`matmul/${n} ×${threads} threads ≥ 1.7× one thread`, 1.7, () => ta.matmul(tb), () => matmulKernel(ta.value, tb.value));
  }
  await tg.setNumThreads(1);

  mlpVsCeiling();

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
  const s = MLP.sizes;
  const ceiling = createCeilingMLP(init);
  const g = new tg.Generator(0);
  const model = new tg.nn.Sequential(
    new tg.nn.Linear(s[0], s[1], { generator: g }), new tg.nn.ReLU(),
    new tg.nn.Linear(s[1], s[2], { generator: g }), new tg.nn.ReLU(),
    new tg.nn.Linear(s[2], s[3], { generator: g }),
  );
  const w = (d: Float32Array, i: number) => tg.tensor(transposeWeight(d, s[i], s[i + 1]), { shape: [s[i + 1], s[i]] });
  model.loadStateDict({
    '0.weight': w(init.w1, 0), '0.bias': tg.tensor(init.b1), '2.weight': w(init.w2, 1), '2.bias': tg.tensor(init.b2),
    '4.weight': w(init.w3, 2), '4.bias': tg.tensor(init.b3),
  });
  const opt = new tg.optim.Adam(model.parameters(), { lr: MLP.adam.lr, betas: [MLP.adam.beta1, MLP.adam.beta2], eps: MLP.adam.eps });
  const xs = data.x.map((a) => tg.tensor(a, { shape: [MLP.batch, s[0]] }));
  const steps = quick ? 150 : 1000, warm = quick ? 30 : 100;
  const ts: number[] = [], tc: number[] = [];
  for (let i = 0; i < steps; i++) {
    const b = i % MLP.numBatches;
    const first = i % 2 === 0;
    for (const side of first ? ['t', 'c'] : ['c', 't']) {
      const t0 = process.hrtime.bigint();
      if (side === 'c') ceiling.step(data.x[b], data.labels[b]);
      else {
        opt.zeroGrad();
        const loss = tg.nn.functional.crossEntropy(model.call(xs[b]), data.labels[b]);
        loss.backward();
        opt.step();
        loss.item();
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i >= warm) (side === 'c' ? tc : ts).push(ms);
    }
  }
  const subject = summarize(ts), baseline = summarize(tc);
  rows.push({
    target: 'mlp step ≥ 0.9× the ceiling', goal: 0.9, subject, baseline,
    ratio: baseline.median / subject.median, ratioMin: baseline.min / subject.min,
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
