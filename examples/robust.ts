// Robustness of an MNIST classifier, measured: clean accuracy; FGSM and PGD-20 accuracy at ε ∈ {0.05, 0.1,
// 0.2, 0.3}; the same after adversarial training; accuracy under corruptions; and data augmentation against
// a shifted test set. Same split as examples/mnist.ts. Run: npm run example:robust
// The model is the demo's MLP (784-256-128-10); tapegrad has no convolution layer on main yet.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';
import { loadDigits } from './mnist.js';

export interface RobustOptions {
  /** A small run for the tests: 600 training digits, 200 test digits, 3 epochs, PGD-3, severities 1 and 5. */
  quick?: boolean;
  log?: (line: string) => void;
  /** Where the SVG pictures go (default: output/ at the repository root). */
  outDir?: string;
  /** fit()'s output (default 0: the many fits stay quiet). */
  verbose?: 0 | 1 | 2;
}

/** Accuracies of one model: clean, and per ε under FGSM and PGD. */
export interface AttackTable {
  clean: number;
  fgsm: number[];
  pgd: number[];
}

export interface RobustResult {
  epsilons: number[];
  standard: AttackTable;
  adversarial: AttackTable;
  corruptions: { standard: tg.robust.CorruptionResult; adversarial: tg.robust.CorruptionResult };
  /** Accuracy on the clean and the shifted test set, without and with augmentation. */
  augmentation: { plainClean: number; plainShifted: number; augmentedClean: number; augmentedShifted: number };
  files: string[];
  seconds: number;
}

const PIXELS = 28 * 28;
const EPSILONS = [0.05, 0.1, 0.2, 0.3];
const IMAGE = { imageShape: [28, 28] };
/** The shifted test set and the augmentation: digits moved by up to ±4 pixels and turned by up to ±20°. */
const SHIFT = { degrees: 20, translate: [4 / 28, 4 / 28] as [number, number], ...IMAGE };

function mlp(): tg.Model {
  const net = tg.sequential([
    tg.layers.dense({ units: 256, activation: 'relu', inputShape: [PIXELS] }),
    tg.layers.dropout({ rate: 0.3 }),
    tg.layers.dense({ units: 128, activation: 'relu' }),
    tg.layers.dropout({ rate: 0.3 }),
    tg.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return net;
}

export async function runRobust({ quick = false, log = console.log, outDir, verbose = 0 }: RobustOptions = {}): Promise<RobustResult> {
  const start = performance.now();
  const dir = outDir ?? fileURLToPath(new URL('../output/', import.meta.url));
  mkdirSync(dir, { recursive: true });

  const { x, y } = loadDigits();
  let { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 2000, stratify: y, seed: 0 });
  if (quick) {
    [xTrain, yTrain] = [xTrain.slice(0, 0, 600), yTrain.slice(0, 0, 600)];
    [xTest, yTest] = [xTest.slice(0, 0, 200), yTest.slice(0, 0, 200)];
  }
  const epochs = quick ? 3 : 10;
  const steps = quick ? 3 : 20;
  const severities = quick ? [1, 5] : [1, 2, 3, 4, 5];
  const fit = { epochs, batchSize: 128, seed: 1, verbose };
  log(`MNIST: ${xTrain.shape[0]} training digits, ${xTest.shape[0]} test digits (pixels in [0, 1]); MLP 784-256-128-10, ${epochs} epochs`);

  /** Clean accuracy and accuracy under FGSM and PGD at every ε (pixels kept in [0, 1]). */
  const attackTable = (net: tg.Model, name: string): AttackTable => {
    const range = { clipMin: 0, clipMax: 1 };
    const clean = tg.robust.accuracyOn(net, xTest, yTest);
    const fgsm = EPSILONS.map((epsilon) => tg.robust.robustAccuracy(net, xTest, yTest, { attack: 'fgsm', epsilon, ...range }));
    const pgd = EPSILONS.map((epsilon) => tg.robust.robustAccuracy(net, xTest, yTest, { attack: 'pgd', epsilon, steps, seed: 0, ...range }));
    log(`${name.padEnd(22)}${clean.toFixed(4).padEnd(8)}${fgsm.map((a) => a.toFixed(4).padEnd(10)).join('')}${pgd.map((a) => a.toFixed(4).padEnd(10)).join('')}`);
    return { clean, fgsm, pgd };
  };

  tg.manualSeed(0);
  const standard = mlp();
  await standard.fit(xTrain, yTrain, fit);

  // Adversarial training: every batch is half replaced by FGSM-from-a-random-start examples at ε = 0.1
  // (Wong et al.'s "fast" adversarial training; about twice the cost of a plain step).
  tg.manualSeed(0);
  const adversarial = mlp();
  await adversarial.fit(xTrain, yTrain, {
    ...fit, callbacks: [tg.robust.adversarialTraining({ attack: 'fgsm', epsilon: 0.1, ratio: 0.5, clipMin: 0, clipMax: 1, seed: 0 })],
  });

  log('');
  log(`accuracy on the test digits under attack (L∞, PGD-${steps} with a random start, step 2.5·ε/${steps})`);
  log(`${'model'.padEnd(22)}${'clean'.padEnd(8)}${EPSILONS.map((e) => `FGSM ${e}`.padEnd(10)).join('')}${EPSILONS.map((e) => `PGD ${e}`.padEnd(10)).join('')}`);
  const std = attackTable(standard, 'standard training');
  const adv = attackTable(adversarial, 'adversarial training');

  log('');
  log(`accuracy under corruptions (mean over severities ${severities.join(', ')}; seeded)`);
  const corr = {
    standard: tg.robust.corruptionAccuracy(standard, xTest, yTest, { ...IMAGE, severities, seed: 0 }),
    adversarial: tg.robust.corruptionAccuracy(adversarial, xTest, yTest, { ...IMAGE, severities, seed: 0 }),
  };
  log(`${'model'.padEnd(22)}${'clean'.padEnd(8)}${tg.data.corruptions.NAMES.map((n) => n.padEnd(15)).join('')}`);
  for (const [name, r] of [['standard training', corr.standard], ['adversarial training', corr.adversarial]] as const) {
    log(`${name.padEnd(22)}${r.clean.toFixed(4).padEnd(8)}${tg.data.corruptions.NAMES.map((n) => r.mean[n]!.toFixed(4).padEnd(15)).join('')}`);
  }

  // Augmentation: the same MLP trained on digits randomly moved (±4 px) and turned (±20°), tested on a
  // shifted copy of the test set drawn the same way with another seed.
  const xShifted = new tg.data.transforms.RandomAffine(SHIFT).apply(xTest, new tg.Generator(123));
  tg.manualSeed(0);
  const augmented = mlp();
  await augmented.fit(xTrain, yTrain, { ...fit, callbacks: [tg.callbacks.augment(new tg.data.transforms.RandomAffine(SHIFT), { seed: 7 })] });
  const augmentation = {
    plainClean: std.clean,
    plainShifted: tg.robust.accuracyOn(standard, xShifted, yTest),
    augmentedClean: tg.robust.accuracyOn(augmented, xTest, yTest),
    augmentedShifted: tg.robust.accuracyOn(augmented, xShifted, yTest),
  };
  log('');
  log('augmentation (random shifts ≤ 4 px and turns ≤ 20°) against a shifted test set');
  log(`${'model'.padEnd(22)}${'clean'.padEnd(10)}shifted`);
  log(`${'standard training'.padEnd(22)}${augmentation.plainClean.toFixed(4).padEnd(10)}${augmentation.plainShifted.toFixed(4)}`);
  log(`${'with augmentation'.padEnd(22)}${augmentation.augmentedClean.toFixed(4).padEnd(10)}${augmentation.augmentedShifted.toFixed(4)}`);

  const [blue, orange] = tg.plot.PALETTE;
  const eps = [0, ...EPSILONS];
  const files = [join(dir, 'robust-curves.svg'), join(dir, 'robust-corruptions.svg'), join(dir, 'robust-reliability.svg')];
  writeFileSync(files[0], tg.plot.robustnessCurveSvg([
    { name: 'standard, FGSM', epsilon: eps, accuracy: [std.clean, ...std.fgsm], color: blue, dashed: true },
    { name: 'standard, PGD', epsilon: eps, accuracy: [std.clean, ...std.pgd], color: blue },
    { name: 'adversarial, FGSM', epsilon: eps, accuracy: [adv.clean, ...adv.fgsm], color: orange, dashed: true },
    { name: 'adversarial, PGD', epsilon: eps, accuracy: [adv.clean, ...adv.pgd], color: orange },
  ], { title: 'MNIST MLP: accuracy under L∞ attacks' }));
  writeFileSync(files[1], tg.plot.corruptionSvg(corr.standard, { title: 'MNIST MLP (standard training): accuracy under corruptions' }));
  const probs = standard.predict(xTest, { batchSize: 500 });
  writeFileSync(files[2], tg.plot.reliabilityDiagramSvg(tg.metrics.reliability(yTest, probs), { title: 'MNIST MLP: reliability' }));
  log(`\nwrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);

  const seconds = (performance.now() - start) / 1000;
  log(`wall time: ${seconds.toFixed(1)} s`);
  log(`test accuracy: ${std.clean.toFixed(4)}`);
  return { epsilons: EPSILONS, standard: std, adversarial: adv, corruptions: corr, augmentation, files, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runRobust();
