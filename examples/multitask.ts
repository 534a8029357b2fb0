// One network, three tasks (the article's multi-task models): a shared trunk reads an MNIST digit and three
// heads say which digit it is, whether it is odd, and how much ink it has (a regression). Compared with three
// single-task models of the same trunk, each trained alone: accuracy or error per head, parameters, time.
// Then a small sweep of the loss weights. Run: npm run example:multitask (or npx tsx examples/multitask.ts)

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';
import { loadDigits } from './mnist.js';

export interface MultitaskOptions {
  /** A small run for the tests: 1,500 training digits, 3 epochs, no sweep. */
  quick?: boolean;
  log?: (line: string) => void;
  /** Where the SVG picture goes (default: output/ at the repository root). */
  outDir?: string;
}

/** One row of the comparison: a model, its heads' scores, parameters and time. */
export interface Row {
  model: string;
  digitAccuracy: number | null;
  parityAccuracy: number | null;
  inkMae: number | null;
  params: number;
  seconds: number;
}

export interface MultitaskResult {
  rows: Row[];
  sweep: { parityWeight: number; inkWeight: number; digitAccuracy: number; parityAccuracy: number; inkMae: number }[];
  files: string[];
}

const HIDDEN = [256, 128];

/** The shared trunk: dense layers with ReLU and dropout, applied to a symbolic input. */
function trunk(x: tg.SymbolicTensor): tg.SymbolicTensor {
  let h = x;
  HIDDEN.forEach((units, i) => {
    h = tg.layers.dense({ units, activation: 'relu', name: `trunk_${i}` }).apply(h);
    h = tg.layers.dropout({ rate: 0.2, name: `trunk_drop_${i}` }).apply(h);
  });
  return h;
}

const heads = {
  digit: (h: tg.SymbolicTensor) => tg.layers.dense({ units: 10, activation: 'softmax', name: 'digit' }).apply(h),
  parity: (h: tg.SymbolicTensor) => tg.layers.dense({ units: 1, activation: 'sigmoid', name: 'parity' }).apply(h),
  ink: (h: tg.SymbolicTensor) => tg.layers.dense({ units: 1, name: 'ink' }).apply(h),
};
const losses = { digit: 'sparseCategoricalCrossentropy', parity: 'binaryCrossentropy', ink: 'mse' } as const;

export async function runMultitask({ quick = false, log = console.log, outDir }: MultitaskOptions = {}): Promise<MultitaskResult> {
  const dir = outDir ?? fileURLToPath(new URL('../output/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const { x, y } = loadDigits();
  let { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 2000, stratify: y, seed: 0 });
  if (quick) {
    [xTrain, yTrain] = [xTrain.slice(0, 0, 1500), yTrain.slice(0, 0, 1500)];
    [xTest, yTest] = [xTest.slice(0, 0, 500), yTest.slice(0, 0, 500)];
  }
  // the three targets: the digit, its parity (1 = odd), and its ink (mean pixel value, standardised on the training set)
  const parity = (t: tg.Tensor) => tg.tensor(Float32Array.from(t.dataSync(), (d) => d % 2), { shape: [t.shape[0], 1] });
  const inkRaw = (t: tg.Tensor) => t.mean(1, true);
  const inkMean = inkRaw(xTrain).mean().item();
  const inkStd = inkRaw(xTrain).sub(inkMean).pow(2).mean().sqrt().item();
  const ink = (t: tg.Tensor) => inkRaw(t).sub(inkMean).div(inkStd);
  const train = { digit: yTrain, parity: parity(yTrain), ink: ink(xTrain) };
  const test = { digit: yTest, parity: parity(yTest), ink: ink(xTest) };
  const epochs = quick ? 3 : 15;
  const fitArgs = { epochs, batchSize: 128, seed: 1, verbose: 0 as const };
  log(`MNIST: ${xTrain.shape[0]} training digits, ${xTest.shape[0]} test digits; trunk 784-${HIDDEN.join('-')}, ${epochs} epochs each`);

  const rows: Row[] = [];
  const score = (logs: tg.Logs, prefix: string, task: 'digit' | 'parity' | 'ink') =>
    task === 'ink' ? logs[`${prefix}mae`] : logs[`${prefix}accuracy`];

  // three single-task models, each its own trunk
  for (const task of ['digit', 'parity', 'ink'] as const) {
    tg.manualSeed(0);
    const input = tg.input({ shape: [784], name: 'pixels' });
    const net = tg.model({ inputs: input, outputs: heads[task](trunk(input)), name: `single_${task}` });
    net.compile({ optimizer: 'adam', loss: losses[task], metrics: [task === 'ink' ? 'mae' : 'accuracy'] });
    const t0 = performance.now();
    await net.fit(xTrain, train[task], fitArgs);
    const seconds = (performance.now() - t0) / 1000;
    const s = score(net.evaluate(xTest, test[task], { batchSize: 500 }), '', task);
    rows.push({
      model: `single-task: ${task}`, params: net.parameters().reduce((n, p) => n + p.size, 0), seconds,
      digitAccuracy: task === 'digit' ? s : null, parityAccuracy: task === 'parity' ? s : null, inkMae: task === 'ink' ? s : null,
    });
    log(`  ${rows[rows.length - 1].model}: ${task === 'ink' ? 'MAE' : 'accuracy'} ${s.toFixed(4)} (${seconds.toFixed(1)} s)`);
  }

  /** The multi-task model: one trunk, three heads, the loss a weighted sum. */
  const multi = async (parityWeight: number, inkWeight: number, draw = false) => {
    tg.manualSeed(0);
    const input = tg.input({ shape: [784], name: 'pixels' });
    const h = trunk(input);
    const net = tg.model({ inputs: input, outputs: { digit: heads.digit(h), parity: heads.parity(h), ink: heads.ink(h) }, name: 'multitask' });
    net.compile({
      optimizer: 'adam', loss: losses, lossWeights: { digit: 1, parity: parityWeight, ink: inkWeight },
      metrics: { digit: ['accuracy'], parity: ['accuracy'], ink: ['mae'] },
    });
    if (draw) net.summary(log);
    const t0 = performance.now();
    await net.fit(xTrain, train, fitArgs);
    const seconds = (performance.now() - t0) / 1000;
    const logs = net.evaluate(xTest, test, { batchSize: 500 });
    return { net, seconds, digit: logs.digit_accuracy, parity: logs.parity_accuracy, ink: logs.ink_mae };
  };

  log('\nMulti-task model (loss = digit + 0.5·parity + 0.5·ink):');
  const m = await multi(0.5, 0.5, true);
  rows.push({ model: 'multi-task (3 heads)', digitAccuracy: m.digit, parityAccuracy: m.parity, inkMae: m.ink, params: m.net.parameters().reduce((n, p) => n + p.size, 0), seconds: m.seconds });
  const files = [join(dir, 'multitask-graph.svg'), join(dir, 'multitask-graph.dot')];
  writeFileSync(files[0], tg.plot.modelGraph(m.net, { title: 'multi-task model: one trunk, three heads' }));
  writeFileSync(files[1], tg.plot.modelGraph(m.net, { format: 'dot' }));

  const fmt = (v: number | null, digits = 4) => (v === null ? '—' : v.toFixed(digits));
  log('\nmodel                     digit acc  parity acc  ink MAE  params     time');
  for (const r of rows) {
    log(`${r.model.padEnd(25)} ${fmt(r.digitAccuracy).padStart(9)}  ${fmt(r.parityAccuracy).padStart(10)}  ${fmt(r.inkMae).padStart(7)}  ${r.params.toLocaleString('en-US').padStart(9)}  ${r.seconds.toFixed(1).padStart(5)} s`);
  }
  const singles = rows.slice(0, 3);
  const singleParams = singles.reduce((n, r) => n + r.params, 0);
  log(`three single-task models together: ${singleParams.toLocaleString('en-US')} parameters; the multi-task model: ${rows[3].params.toLocaleString('en-US')}`);

  const sweep: MultitaskResult['sweep'] = [];
  if (!quick) {
    log('\nLoss weights (digit weight 1):');
    log('parity w  ink w   digit acc  parity acc  ink MAE');
    for (const [pw, iw] of [[0.1, 0.1], [0.5, 0.5], [1, 1], [2, 2]] as const) {
      const r = pw === 0.5 ? m : await multi(pw, iw);
      sweep.push({ parityWeight: pw, inkWeight: iw, digitAccuracy: r.digit, parityAccuracy: r.parity, inkMae: r.ink });
      log(`${String(pw).padStart(8)}  ${String(iw).padStart(5)}  ${r.digit.toFixed(4).padStart(9)}  ${r.parity.toFixed(4).padStart(10)}  ${r.ink.toFixed(4).padStart(7)}`);
    }
  }
  log(`\nwrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);
  return { rows, sweep, files };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runMultitask();
