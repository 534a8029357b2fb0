// Robustness of an MNIST classifier, measured: clean accuracy; FGSM and PGD-20 accuracy at ε ∈ {0.05, 0.1,
// 0.2, 0.3}; the same after adversarial training; accuracy under corruptions; and data augmentation against
// a shifted test set. Same split as examples/mnist.ts. Run: npm run example:robust
// The model is examples/cnn.ts's LeNet-style CNN wrapped as a Keras-style model (tg.model(new DigitCNN())),
// so the attacks, fit's `adversarial` option and the augmentation callback all work on it.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tg from 'tapegrad';
import { DigitCNN } from './cnn.js';
import { loadDigits } from './mnist.js';

export interface RobustOptions {
  /** A small run for the tests: 1,000 training digits, 200 test digits, 3 epochs, PGD-3, severities 1 and 5. */
  quick?: boolean;
  /** Training epochs of each model (default 8; 3 when quick). */
  epochs?: number;
  /** The share of training digits moved and turned (default 0.5: RandomApply with p = 0.5; 1 moves every digit). */
  augmentP?: number;
  /** Test digits attacked (default 1,000, the first of the 2,000 test digits; all when quick); the rest of the example uses all. */
  attackRows?: number;
  log?: (line: string) => void;
  /** Where the SVG pictures go (default: output/ at the repository root). */
  outDir?: string;
  /** fit()'s output (default 0: the many fits stay quiet). */
  verbose?: 0 | 1 | 2;
}

/** Accuracies of one model: clean, and per ε under FGSM and PGD. */
export interface AttackTable {
  /** Accuracy on all test digits. */
  clean: number;
  /** Accuracy on the attacked test digits without an attack (ε = 0). */
  cleanAttacked: number;
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

const EPSILONS = [0.05, 0.1, 0.2, 0.3];
const IMAGE = { imageShape: [28, 28] };
/** The shifted test set and the augmentation: digits moved by up to ±4 pixels and turned by up to ±20°. */
const SHIFT = { degrees: 20, translate: [4 / 28, 4 / 28] as [number, number], ...IMAGE };

/** The CNN of examples/cnn.ts (conv 5×5 → 8, pool, conv 5×5 → 16, pool, dense 128, dropout 0.3, dense 10) as a Keras-style model on [n, 1, 28, 28]. */
function cnn(): tg.Model {
  const net = tg.model(new DigitCNN(), { inputShape: [1, 28, 28] });
  net.compile({ optimizer: { name: 'adam', learningRate: 1e-3 }, loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true }, metrics: ['accuracy'] });
  return net;
}

/** The demo's split as images [n, 1, 28, 28] (channels first, as nn.Conv2d takes them); smaller when quick. */
function split(quick: boolean) {
  const { x, y } = loadDigits();
  let { xTrain, xTest, yTrain, yTest } = tg.data.trainTestSplit(x, y, { testSize: 2000, stratify: y, seed: 0 });
  if (quick) {
    [xTrain, yTrain] = [xTrain.slice(0, 0, 1000), yTrain.slice(0, 0, 1000)];
    [xTest, yTest] = [xTest.slice(0, 0, 200), yTest.slice(0, 0, 200)];
  }
  return { xTrain: xTrain.reshape([-1, 1, 28, 28]), xTest: xTest.reshape([-1, 1, 28, 28]), yTrain, yTest };
}

/** The shifted test set, the augmented CNN (a share augmentP of its training digits moved and turned), and both models' accuracies. */
async function augmentation(standard: tg.Model, d: ReturnType<typeof split>, fit: object, augmentP: number, log: (l: string) => void) {
  const { xTrain, yTrain, xTest, yTest } = d;
  // the shifted test set: every test digit moved and turned, drawn with its own seed
  const xShifted = new tg.data.transforms.RandomAffine(SHIFT).apply(xTest, new tg.Generator(123));
  const T = tg.data.transforms;
  const transform = augmentP === 1 ? new T.RandomAffine(SHIFT) : new T.RandomApply(new T.RandomAffine(SHIFT), { p: augmentP });
  tg.manualSeed(0);
  const augmented = cnn();
  const t0 = performance.now();
  await augmented.fit(xTrain, yTrain, { ...fit, callbacks: [tg.callbacks.augment(transform, { seed: 7 })] });
  log(`trained the CNN with augmentation in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const result = {
    plainClean: tg.robust.accuracyOn(standard, xTest, yTest),
    plainShifted: tg.robust.accuracyOn(standard, xShifted, yTest),
    augmentedClean: tg.robust.accuracyOn(augmented, xTest, yTest),
    augmentedShifted: tg.robust.accuracyOn(augmented, xShifted, yTest),
  };
  log('');
  log(`augmentation (${augmentP === 1 ? 'every' : `a share ${augmentP} of the`} training digits moved ≤ 4 px and turned ≤ 20°) against a shifted test set`);
  log(`${'model'.padEnd(22)}${'clean'.padEnd(10)}shifted`);
  log(`${'standard training'.padEnd(22)}${result.plainClean.toFixed(4).padEnd(10)}${result.plainShifted.toFixed(4)}`);
  log(`${'with augmentation'.padEnd(22)}${result.augmentedClean.toFixed(4).padEnd(10)}${result.augmentedShifted.toFixed(4)}`);
  return result;
}

/** Only the augmentation comparison: the standard and the augmented CNN (npx tsx examples/robust.ts --augmentation-only). */
export async function runAugmentation({ quick = false, epochs, augmentP = 0.5, log = console.log, verbose = 0 }: RobustOptions = {}) {
  const start = performance.now();
  const d = split(quick);
  const fit = { epochs: epochs ?? (quick ? 3 : 8), batchSize: 64, seed: 1, verbose };
  log(`MNIST: ${d.xTrain.shape[0]} training digits, ${d.xTest.shape[0]} test digits; CNN, ${fit.epochs} epochs, batch 64`);
  tg.manualSeed(0);
  const standard = cnn();
  const t0 = performance.now();
  await standard.fit(d.xTrain, d.yTrain, fit);
  log(`trained the standard CNN in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const result = await augmentation(standard, d, fit, augmentP, log);
  log(`wall time: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

export async function runRobust({ quick = false, epochs: nEpochs, attackRows, augmentP = 0.5, log = console.log, outDir, verbose = 0 }: RobustOptions = {}): Promise<RobustResult> {
  const start = performance.now();
  const dir = outDir ?? fileURLToPath(new URL('../output/', import.meta.url));
  mkdirSync(dir, { recursive: true });

  const data = split(quick);
  const { xTrain, xTest, yTrain, yTest } = data;
  const epochs = nEpochs ?? (quick ? 3 : 8);
  const steps = quick ? 3 : 20;
  const severities = quick ? [1, 5] : [1, 2, 3, 4, 5];
  const fit = { epochs, batchSize: 64, seed: 1, verbose };
  log(`MNIST: ${xTrain.shape[0]} training digits, ${xTest.shape[0]} test digits (pixels in [0, 1]); CNN (conv 5×5 → 8, pool, conv 5×5 → 16, pool, 128, 10), ${epochs} epochs, batch 64`);

  /** Clean accuracy and accuracy under FGSM and PGD at every ε (pixels kept in [0, 1]). */
  const nAttack = Math.min(xTest.shape[0], attackRows ?? (quick ? xTest.shape[0] : 1000));
  const [xAtt, yAtt] = [xTest.slice(0, 0, nAttack), yTest.slice(0, 0, nAttack)];
  const attackTable = (net: tg.Model, name: string): AttackTable => {
    const range = { clipMin: 0, clipMax: 1 };
    const clean = tg.robust.accuracyOn(net, xTest, yTest);
    const cleanAttacked = tg.robust.accuracyOn(net, xAtt, yAtt);
    const fgsm = EPSILONS.map((epsilon) => tg.robust.robustAccuracy(net, xAtt, yAtt, { attack: 'fgsm', epsilon, ...range }));
    const pgd = EPSILONS.map((epsilon) => tg.robust.robustAccuracy(net, xAtt, yAtt, { attack: 'pgd', epsilon, steps, seed: 0, ...range }));
    log(`${name.padEnd(22)}${cleanAttacked.toFixed(4).padEnd(8)}${fgsm.map((a) => a.toFixed(4).padEnd(10)).join('')}${pgd.map((a) => a.toFixed(4).padEnd(10)).join('')}`);
    return { clean, cleanAttacked, fgsm, pgd };
  };

  const timed = async (name: string, run: () => Promise<unknown>) => {
    const t0 = performance.now();
    await run();
    log(`trained ${name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  tg.manualSeed(0);
  const standard = cnn();
  await timed('the standard CNN', () => standard.fit(xTrain, yTrain, fit));

  // Adversarial training, fit's `adversarial` option: every batch is half replaced by FGSM-from-a-random-start
  // examples at ε = 0.1 (Wong et al.'s "fast" adversarial training; about twice the cost of a plain step).
  tg.manualSeed(0);
  const adversarial = cnn();
  await timed('the adversarially trained CNN', () => adversarial.fit(xTrain, yTrain, {
    ...fit, adversarial: { attack: 'fgsm', epsilon: 0.1, ratio: 0.5, clipMin: 0, clipMax: 1, seed: 0 },
  }));

  log('');
  log(`accuracy on the first ${nAttack} test digits under attack (L∞, PGD-${steps} with a random start, step 2.5·ε/${steps})`);
  log(`${'model'.padEnd(22)}${'clean'.padEnd(8)}${EPSILONS.map((e) => `FGSM ${e}`.padEnd(10)).join('')}${EPSILONS.map((e) => `PGD ${e}`.padEnd(10)).join('')}`);
  const std = attackTable(standard, 'standard training');
  const adv = attackTable(adversarial, 'adversarial training');
  log(`clean accuracy on all ${xTest.shape[0]} test digits: standard ${std.clean.toFixed(4)}, adversarial training ${adv.clean.toFixed(4)}`);

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

  // Augmentation: the same CNN trained on digits randomly moved (±4 px) and turned (±20°), tested on a
  // shifted copy of the test set drawn the same way with another seed.
  const augmentationResult = await augmentation(standard, data, fit, augmentP, log);

  const [blue, orange] = tg.plot.PALETTE;
  const eps = [0, ...EPSILONS];
  const files = [join(dir, 'robust-curves.svg'), join(dir, 'robust-corruptions.svg'), join(dir, 'robust-reliability.svg')];
  writeFileSync(files[0], tg.plot.robustnessCurveSvg([
    { name: 'standard, FGSM', epsilon: eps, accuracy: [std.cleanAttacked, ...std.fgsm], color: blue, dashed: true },
    { name: 'standard, PGD', epsilon: eps, accuracy: [std.cleanAttacked, ...std.pgd], color: blue },
    { name: 'adversarial, FGSM', epsilon: eps, accuracy: [adv.cleanAttacked, ...adv.fgsm], color: orange, dashed: true },
    { name: 'adversarial, PGD', epsilon: eps, accuracy: [adv.cleanAttacked, ...adv.pgd], color: orange },
  ], { title: 'MNIST CNN: accuracy under L∞ attacks' }));
  writeFileSync(files[1], tg.plot.corruptionSvg(corr.standard, { title: 'MNIST CNN (standard training): accuracy under corruptions' }));
  const probs = (standard.predict(xTest, { batchSize: 500 }) as tg.Tensor).softmax(1); // the CNN outputs logits
  writeFileSync(files[2], tg.plot.reliabilityDiagramSvg(tg.metrics.reliability(yTest, probs), { title: 'MNIST CNN: reliability' }));
  log(`\nwrote ${files.map((f) => relative(process.cwd(), f)).join(', ')}`);

  const seconds = (performance.now() - start) / 1000;
  log(`wall time: ${seconds.toFixed(1)} s`);
  log(`test accuracy: ${std.clean.toFixed(4)}`);
  return { epsilons: EPSILONS, standard: std, adversarial: adv, corruptions: corr, augmentation: augmentationResult, files, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--augmentation-only')) await runAugmentation();
  else await runRobust();
}
