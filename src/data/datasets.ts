// Toy data sets for classification demos, seeded: two moons and two circles (as scikit-learn's
// make_moons / make_circles), interleaved spirals, and Gaussian blobs. Each returns { x: [n, d], y: [n] }.

import type { Tensor } from '../autograd/tensor.js';
import type { Generator } from '../tensor/random.js';
import { pickGenerator, type RandomSource, tensorOf } from './arrays.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** Options shared by the toy data sets: noise, shuffling and the random source. */
export interface DatasetOptions extends RandomSource {
  /** Standard deviation of Gaussian noise added to every coordinate (default 0). */
  noise?: number;
  /** Shuffle the rows (default true); otherwise rows come class by class. */
  shuffle?: boolean;
}

/** A toy data set: points `x` [n, features] and class labels `y` [n], both float32. */
export interface Dataset {
  /** Points, float32 [n, features]. */
  x: Tensor;
  /** Class labels 0, 1, ..., float32 [n]. */
  y: Tensor;
}

function checkCount(n: number, what: string, min = 1): void {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${what}: n must be an integer ≥ ${min}, got ${n}`);
}

function checkNoise(noise: number, what: string): void {
  if (!(noise >= 0 && Number.isFinite(noise))) throw new RangeError(`${what}: noise must be a finite number ≥ 0, got ${noise}`);
}

/** Adds noise, optionally shuffles the rows, and wraps the result as tensors. */
function finish(pts: Float64Array, labels: Float64Array, d: number, opts: DatasetOptions, gen: Generator): Dataset {
  const n = labels.length;
  const noise = opts.noise ?? 0;
  if (noise > 0) for (let i = 0; i < pts.length; i++) pts[i] += noise * gen.normal();
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  const order = opts.shuffle ?? true ? gen.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const src = order[i];
    for (let j = 0; j < d; j++) x[i * d + j] = pts[src * d + j];
    y[i] = labels[src];
  }
  return { x: tensorOf(x, [n, d]), y: tensorOf(y, [n]) };
}

// Evenly spaced points from a to b (inclusive when `endpoint`), as numpy.linspace.
const spaced = (a: number, b: number, k: number, i: number, endpoint: boolean): number =>
  a + ((b - a) * i) / Math.max(1, endpoint ? k - 1 : k);

/**
 * Two interleaving half circles: floor(n/2) points on the upper moon (class 0), the rest on the lower one (class 1).
 * @example const { x, y } = tg.data.makeMoons(500, { noise: 0.1, seed: 0 });
 */
const DATASET_OPTIONS = optionKeys<DatasetOptions>({ noise: true, shuffle: true, seed: true, generator: true });

export function makeMoons(n = 100, options: DatasetOptions = {}): Dataset {
  checkOptions('makeMoons', options, DATASET_OPTIONS);
  checkCount(n, 'makeMoons', 2);
  checkNoise(options.noise ?? 0, 'makeMoons');
  const gen = pickGenerator(options);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const pts = new Float64Array(2 * n);
  const labels = new Float64Array(n);
  for (let i = 0; i < nOut; i++) {
    const t = spaced(0, Math.PI, nOut, i, true);
    pts[2 * i] = Math.cos(t);
    pts[2 * i + 1] = Math.sin(t);
  }
  for (let i = 0; i < nIn; i++) {
    const t = spaced(0, Math.PI, nIn, i, true);
    const r = nOut + i;
    pts[2 * r] = 1 - Math.cos(t);
    pts[2 * r + 1] = 1 - Math.sin(t) - 0.5;
    labels[r] = 1;
  }
  return finish(pts, labels, 2, options, gen);
}

/** Two concentric circles: floor(n/2) on the outer unit circle (class 0), the rest scaled by `factor` (class 1). */
export function makeCircles(n = 100, options: DatasetOptions & { factor?: number } = {}): Dataset {
  checkOptions('makeCircles', options, [...DATASET_OPTIONS, 'factor']);
  checkCount(n, 'makeCircles', 2);
  checkNoise(options.noise ?? 0, 'makeCircles');
  const factor = options.factor ?? 0.8;
  if (!(factor >= 0 && factor < 1)) throw new RangeError(`makeCircles: factor must be in [0, 1), got ${factor}`);
  const gen = pickGenerator(options);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const pts = new Float64Array(2 * n);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const inner = i >= nOut;
    const t = inner ? spaced(0, 2 * Math.PI, nIn, i - nOut, false) : spaced(0, 2 * Math.PI, nOut, i, false);
    const r = inner ? factor : 1;
    pts[2 * i] = r * Math.cos(t);
    pts[2 * i + 1] = r * Math.sin(t);
    labels[i] = inner ? 1 : 0;
  }
  return finish(pts, labels, 2, options, gen);
}

/**
 * Interleaved spiral arms, one per class (default 2 classes, 1 turn): points go out from the centre to
 * radius 1, arm k rotated by 2πk/classes. Rows are split between classes as evenly as possible.
 */
export function makeSpirals(n = 100, options: DatasetOptions & { classes?: number; turns?: number } = {}): Dataset {
  checkOptions('makeSpirals', options, [...DATASET_OPTIONS, 'classes', 'turns']);
  const classes = options.classes ?? 2;
  const turns = options.turns ?? 1;
  checkCount(classes, 'makeSpirals: classes', 2);
  checkCount(n, 'makeSpirals', classes);
  checkNoise(options.noise ?? 0, 'makeSpirals');
  if (!(turns > 0 && Number.isFinite(turns))) throw new RangeError(`makeSpirals: turns must be a positive number, got ${turns}`);
  const gen = pickGenerator(options);
  const pts = new Float64Array(2 * n);
  const labels = new Float64Array(n);
  let row = 0;
  for (let k = 0; k < classes; k++) {
    const m = Math.floor(n / classes) + (k < n % classes ? 1 : 0);
    for (let i = 0; i < m; i++, row++) {
      const r = spaced(0.05, 1, m, i, true);
      const t = 2 * Math.PI * (turns * r + k / classes);
      pts[2 * row] = r * Math.cos(t);
      pts[2 * row + 1] = r * Math.sin(t);
      labels[row] = k;
    }
  }
  return finish(pts, labels, 2, options, gen);
}

/**
 * Gaussian blobs around `centers` cluster centres drawn uniformly from centerBox (as scikit-learn's
 * make_blobs); rows are split between clusters as evenly as possible.
 */
export function makeBlobs(
  n = 100,
  options: RandomSource & { centers?: number; nFeatures?: number; clusterStd?: number; centerBox?: [number, number]; shuffle?: boolean } = {},
): Dataset {
  const centers = options.centers ?? 3;
  const d = options.nFeatures ?? 2;
  const std = options.clusterStd ?? 1;
  const [lo, hi] = options.centerBox ?? [-10, 10];
  checkCount(centers, 'makeBlobs: centers');
  checkCount(d, 'makeBlobs: nFeatures');
  checkCount(n, 'makeBlobs', centers);
  checkNoise(std, 'makeBlobs: clusterStd');
  const gen = pickGenerator(options);
  const c = new Float64Array(centers * d);
  gen.fillUniform(c, lo, hi);
  const pts = new Float64Array(n * d);
  const labels = new Float64Array(n);
  let row = 0;
  for (let k = 0; k < centers; k++) {
    const m = Math.floor(n / centers) + (k < n % centers ? 1 : 0);
    for (let i = 0; i < m; i++, row++) {
      for (let j = 0; j < d; j++) pts[row * d + j] = c[k * d + j] + std * gen.normal();
      labels[row] = k;
    }
  }
  return finish(pts, labels, d, { shuffle: options.shuffle }, gen);
}
