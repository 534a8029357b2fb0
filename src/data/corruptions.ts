// tg.data.corruptions: shifted test data, seeded. Gaussian noise, Gaussian blur, shift, rotation and contrast,
// each at severities 1–5 (in the spirit of ImageNet-C / MNIST-C), for batches of images or flat image rows.

import { Tensor } from '../autograd/tensor.js';
import { NDArray } from '../tensor/ndarray.js';
import { Generator } from '../tensor/random.js';
import { type DataInput, toTensor } from './arrays.js';
import { imageLayout, type ImageLayout, type ImageOptions, inverseAffine, warpImage } from './image.js';

/** Options of every corruption: the image layout, the seed and the valid value range. */
export interface CorruptionOptions extends ImageOptions {
  /** Seed of the random draws (default 0): the same seed gives the same corrupted images. */
  seed?: number;
  /** Results are clipped into this range, as ImageNet-C clips to valid pixels (default [0, 1]; null: no clipping). */
  range?: [number, number] | null;
}

/** The corruptions by name. */
export const NAMES = ['gaussianNoise', 'gaussianBlur', 'shift', 'rotation', 'contrast'] as const;
/** A corruption's name. */
export type CorruptionName = (typeof NAMES)[number];

/**
 * What each severity 1..5 means. Noise: σ of the added noise (ImageNet-C's values); blur: σ of the kernel in
 * pixels; shift: the largest move as a fraction of the image size (each image moves by a uniform (dy, dx) in
 * ±that); rotation: the largest angle in degrees (uniform in ±that); contrast: the factor c in (x − mean)·c + mean.
 */
export const SEVERITIES: Record<CorruptionName, readonly number[]> = {
  gaussianNoise: [0.08, 0.12, 0.18, 0.26, 0.38],
  gaussianBlur: [0.5, 0.75, 1, 1.5, 2],
  shift: [0.04, 0.08, 0.12, 0.16, 0.2],
  rotation: [10, 20, 30, 40, 50],
  contrast: [0.4, 0.3, 0.2, 0.1, 0.05],
};

interface Prepared {
  x: Tensor;
  src: Float32Array;
  L: ImageLayout;
  gen: Generator;
  level: number;
}

function prepare(name: CorruptionName, xIn: DataInput, severity: number, options: CorruptionOptions): Prepared {
  const where = `corruptions.${name}`;
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) throw new RangeError(`${where}: severity must be an integer from 1 to 5, got ${severity}`);
  const known = ['imageShape', 'dataFormat', 'seed', 'range'];
  for (const k of Object.keys(options)) if (!known.includes(k)) throw new RangeError(`${where}: unknown option ${JSON.stringify(k)} (options: ${known.join(', ')})`);
  const x = toTensor(xIn, `${where}: x`);
  const L = imageLayout(x, options, where);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`${where}: seed must be a number, got ${seed}`);
  return { x, src: Float32Array.from(x.contiguous().value.values()), L, gen: new Generator(seed), level: SEVERITIES[name][severity - 1] };
}

function finish(p: Prepared, out: Float32Array, options: CorruptionOptions): Tensor {
  const range = options.range === undefined ? [0, 1] : options.range;
  if (range) {
    const [lo, hi] = range;
    for (let i = 0; i < out.length; i++) out[i] = out[i] < lo ? lo : out[i] > hi ? hi : out[i];
  }
  return new Tensor(new NDArray(out, [...p.x.shape]));
}

/** Adds Gaussian noise of standard deviation 0.08 … 0.38 (severity 1 … 5) to every value. */
export function gaussianNoise(x: DataInput, severity: number, options: CorruptionOptions = {}): Tensor {
  const p = prepare('gaussianNoise', x, severity, options);
  const out = p.src.slice();
  for (let i = 0; i < out.length; i++) out[i] += p.level * p.gen.normal();
  return finish(p, out, options);
}

/** A separable Gaussian blur of σ = 0.5 … 2 pixels (kernel radius ⌈3σ⌉, edges mirrored). Not random. */
export function gaussianBlur(x: DataInput, severity: number, options: CorruptionOptions = {}): Tensor {
  const p = prepare('gaussianBlur', x, severity, options);
  const { L } = p;
  const sigma = p.level;
  const r = Math.ceil(3 * sigma);
  const k = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const tmp = new Float32Array(p.src.length);
  const out = new Float32Array(p.src.length);
  const mirror = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i); // d c b a | a b c d
  for (let img = 0; img < L.n; img++) {
    const o = img * L.per;
    for (let ch = 0; ch < L.c; ch++) {
      for (let y = 0; y < L.h; y++) {
        for (let xx = 0; xx < L.w; xx++) {
          let s = 0;
          for (let t = -r; t <= r; t++) s += k[t + r] * p.src[o + y * L.sy + mirror(xx + t, L.w) * L.sx + ch * L.sc];
          tmp[o + y * L.sy + xx * L.sx + ch * L.sc] = s;
        }
      }
      for (let y = 0; y < L.h; y++) {
        for (let xx = 0; xx < L.w; xx++) {
          let s = 0;
          for (let t = -r; t <= r; t++) s += k[t + r] * tmp[o + mirror(y + t, L.h) * L.sy + xx * L.sx + ch * L.sc];
          out[o + y * L.sy + xx * L.sx + ch * L.sc] = s;
        }
      }
    }
  }
  return finish(p, out, options);
}

function warpAll(p: Prepared, params: (img: number) => [number, number, number]): Float32Array {
  const out = new Float32Array(p.src.length);
  for (let img = 0; img < p.L.n; img++) {
    const [deg, dy, dx] = params(img);
    warpImage(p.src, out, img * p.L.per, p.L, inverseAffine(p.L.h, p.L.w, deg, dy, dx), { interpolation: 'bilinear', fillMode: 'constant', fillValue: 0 });
  }
  return out;
}

/** Moves each image by a uniform random (dy, dx) of up to 4% … 20% of its height and width (bilinear, zeros come in). */
export function shift(x: DataInput, severity: number, options: CorruptionOptions = {}): Tensor {
  const p = prepare('shift', x, severity, options);
  const my = p.level * p.L.h;
  const mx = p.level * p.L.w;
  return finish(p, warpAll(p, () => [0, my * (2 * p.gen.random() - 1), mx * (2 * p.gen.random() - 1)]), options);
}

/** Rotates each image about its centre by a uniform random angle of up to ±10° … ±50° (bilinear, zeros come in). */
export function rotation(x: DataInput, severity: number, options: CorruptionOptions = {}): Tensor {
  const p = prepare('rotation', x, severity, options);
  return finish(p, warpAll(p, () => [p.level * (2 * p.gen.random() - 1), 0, 0]), options);
}

/** Lowers the contrast: each image becomes (x − mean)·c + mean with c = 0.4 … 0.05 (mean over the image). Not random. */
export function contrast(x: DataInput, severity: number, options: CorruptionOptions = {}): Tensor {
  const p = prepare('contrast', x, severity, options);
  const out = p.src.slice();
  for (let img = 0; img < p.L.n; img++) {
    const o = img * p.L.per;
    let mean = 0;
    for (let i = 0; i < p.L.per; i++) mean += out[o + i];
    mean /= p.L.per;
    for (let i = 0; i < p.L.per; i++) out[o + i] = (out[o + i] - mean) * p.level + mean;
  }
  return finish(p, out, options);
}

const BY_NAME: Record<CorruptionName, (x: DataInput, severity: number, options?: CorruptionOptions) => Tensor> = {
  gaussianNoise, gaussianBlur, shift, rotation, contrast,
};

/**
 * Applies the named corruption at a severity from 1 to 5.
 * @example
 * ```ts
 * const x = tg.rand([4, 28 * 28]); // four flat 28×28 images
 * const blurred = tg.data.corruptions.apply('gaussianBlur', x, 3, { imageShape: [28, 28] });
 * ```
 */
export function apply(name: CorruptionName, x: DataInput, severity: number, options: CorruptionOptions = {}): Tensor {
  const fn = (BY_NAME as Record<string, (typeof BY_NAME)[CorruptionName] | undefined>)[name];
  if (typeof name !== 'string' || !Object.hasOwn(BY_NAME, name) || !fn) throw new RangeError(`corruptions.apply: unknown corruption ${JSON.stringify(name)} (known: ${NAMES.join(', ')})`);
  return fn(x, severity, options);
}
