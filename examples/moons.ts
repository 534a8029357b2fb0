// Two moons and two spirals: a straight line (logistic regression) against curved boundaries (an MLP), with
// the decision boundaries and loss curves written as SVG files into output/. Run: npx tsx examples/moons.ts

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';


export interface MoonsOptions {
  /** A short run for the tests (fewer points and epochs). */
  quick?: boolean;
  log?: (line: string) => void;
  /** Where the SVG pictures go (default: output/ at the repository root). */
  outDir?: string;
  /** fit()'s output: 1 a progress bar (a line per epoch off a terminal), 0 none. Default 1, or 0 when quick. */
  verbose?: 0 | 1 | 2;
}

export interface MoonsResult {
  /** Test accuracies per data set: { moons: { logistic, mlp }, spirals: { logistic, mlp } }. */
  accuracy: Record<string, { logistic: number; mlp: number }>;
  files: string[];
  seconds: number;
}

interface Setup {
  name: string;
  data: tg.data.Dataset;
  epochs: number;
}

/** Trains both models on one data set, prints their test accuracies and writes three pictures. */
async function compare({ name, data, epochs }: Setup, dir: string, log: (line: string) => void, verbose: 0 | 1 | 2) {
  const { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(data.x, data.y, { testSize: 0.3, stratify: data.y, seed: 0 });
  log(`\n${name}: ${xTrain.shape[0]} training points, ${xTest.shape[0]} test points`);

  // Logistic regression: p(class 1) = sigmoid(w·x + b), so the boundary p = 0.5 is a straight line.
  log(`${name}, logistic regression (2 → 1 sigmoid)`);
  const logistic = tg.sequential([tg.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })], { name: 'logistic' });
  logistic.compile({ optimizer: { name: 'adam', learningRate: 0.05 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const logisticHistory = await logistic.fit(xTrain, yTrain, { epochs, batchSize: 32, seed: 1, verbose });

  // The MLP: two hidden layers of ReLU units bend the boundary around the data (tanh units, tried first,
  // stayed near the logistic solution on the spirals for hundreds of epochs).
  log(`${name}, MLP (2 → 32 → 32 → 1)`);
  const mlp = tg.sequential([
    tg.layers.dense({ units: 32, activation: 'relu', inputShape: [2] }),
    tg.layers.dense({ units: 32, activation: 'relu' }),
    tg.layers.dense({ units: 1, activation: 'sigmoid' }),
  ], { name: 'mlp' });
  mlp.compile({ optimizer: { name: 'adam', learningRate: 0.01 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const mlpHistory = await mlp.fit(xTrain, yTrain, { epochs, batchSize: 32, seed: 1, verbose });

  const acc = { logistic: logistic.evaluate(xTest, yTest).accuracy, mlp: mlp.evaluate(xTest, yTest).accuracy };
  log(`${name} test accuracy: logistic regression ${acc.logistic.toFixed(4)}, MLP ${acc.mlp.toFixed(4)}`);

  // the pictures: predicted regions with all the points on top, and both training losses
  const slug = name.toLowerCase().replace(/\W+/g, '-');
  const files = [join(dir, `${slug}-logistic.svg`), join(dir, `${slug}-mlp.svg`), join(dir, `${slug}-loss.svg`)];
  const boundary = (model: tg.Model, label: string, a: number) =>
    tg.plot.decisionBoundarySvg(model, data.x, data.y, { resolution: 120, title: `${name}: ${label} (test accuracy ${a.toFixed(3)})` });
  writeFileSync(files[0], boundary(logistic, 'logistic regression', acc.logistic));
  writeFileSync(files[1], boundary(mlp, 'MLP 2-32-32-1', acc.mlp));
  writeFileSync(files[2], tg.plot.lossCurvesSvg(
    { 'logistic regression': logisticHistory.history.loss, 'MLP': mlpHistory.history.loss },
    { title: `${name}: training loss`, yScale: 'log' },
  ));
  return { acc, files };
}

export async function runMoons({ quick = false, log = console.log, outDir, verbose = quick ? 0 : 1 }: MoonsOptions = {}): Promise<MoonsResult> {
  const start = performance.now();
  const dir = outDir ?? fileURLToPath(new URL('../output/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  tg.manualSeed(0);

  const setups: Setup[] = [
    { name: 'Moons', data: tg.data.makeMoons(quick ? 200 : 500, { noise: 0.15, seed: 1 }), epochs: quick ? 40 : 150 },
    { name: 'Spirals', data: tg.data.makeSpirals(quick ? 300 : 600, { noise: 0.04, turns: 1.25, seed: 2 }), epochs: quick ? 60 : 300 },
  ];
  const accuracy: MoonsResult['accuracy'] = {};
  const files: string[] = [];
  for (const setup of setups) {
    const r = await compare(setup, dir, log, verbose);
    accuracy[setup.name.toLowerCase()] = r.acc;
    files.push(...r.files);
  }
  log(`\nwrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);

  log('\ndata      logistic regression   MLP');
  for (const [name, a] of Object.entries(accuracy)) log(`${name.padEnd(10)}${a.logistic.toFixed(4).padEnd(22)}${a.mlp.toFixed(4)}`);
  const seconds = (performance.now() - start) / 1000;
  log(`wall time: ${seconds.toFixed(1)} s`);
  // the last line reports the weaker of the two MLPs
  log(`test accuracy: ${Math.min(...Object.values(accuracy).map((a) => a.mlp)).toFixed(4)}`);
  return { accuracy, files, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runMoons();
