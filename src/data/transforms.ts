// tg.data.transforms: torchvision-style random image transforms for batches (each image draws its own
// parameters from a seeded generator), composable with Compose, for DataLoader's `transform` option and
// for fit() through tg.callbacks.augment. Layout: channels last or first, or flat rows with imageShape.

import { Tensor } from '../autograd/tensor.js';
import { NDArray } from '../tensor/ndarray.js';
import type { Generator } from '../tensor/random.js';
import { type FillMode, imageLayout, type ImageOptions, type Interpolation, inverseAffine, warpImage } from './image.js';

/** A batch transform: new inputs of the same shape, random draws from `generator`. */
export interface Transform {
  /** Transforms every image of the batch x (each with its own random parameters). */
  apply(x: Tensor, generator: Generator): Tensor;
}

function checkKnown(o: object, known: string[], where: string): void {
  if (typeof o !== 'object' || o === null) throw new TypeError(`${where}: expected an options object`);
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new RangeError(`${where}: unknown option ${JSON.stringify(k)} (options: ${known.join(', ')})`);
}

function range(v: number | [number, number], name: string, where: string, min = -Infinity): [number, number] {
  if (typeof v === 'number' && v < 0) throw new RangeError(`${where}: ${name} must be ≥ 0, got ${v}`);
  const r: [number, number] = typeof v === 'number' ? [-v, v] : v;
  if (!Array.isArray(r) || r.length !== 2 || !r.every(Number.isFinite) || r[0] > r[1] || r[0] < min) {
    throw new RangeError(`${where}: ${name} must be a number ≥ 0 or a [low, high] pair with low ≤ high${min > -Infinity ? ` and low ≥ ${min}` : ''}, got ${JSON.stringify(v)}`);
  }
  return r;
}

/** Applies the transforms in order (torchvision's Compose). */
export class Compose implements Transform {
  /** The transforms, applied first to last. */
  readonly transforms: readonly Transform[];
  constructor(transforms: Transform[]) {
    if (!Array.isArray(transforms) || transforms.some((t) => typeof t !== 'object' || typeof t?.apply !== 'function')) {
      throw new TypeError('Compose: expected an array of transforms (objects with apply(x, generator))');
    }
    this.transforms = [...transforms];
  }
  apply(x: Tensor, generator: Generator): Tensor {
    return this.transforms.reduce((h, t) => t.apply(h, generator), x);
  }
}

/** Options of {@link RandomAffine}. */
export interface RandomAffineOptions extends ImageOptions {
  /** Rotation in degrees: a number d draws from [−d, d], a pair from [low, high]; positive is counter-clockwise. Default 0. */
  degrees?: number | [number, number];
  /** Largest move as fractions [of height, of width] (torchvision's translate, here in (y, x) order); default none. */
  translate?: [number, number];
  /** Zoom factor drawn from [low, high] (> 1 enlarges); default none. */
  scale?: [number, number];
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interpolation;
  /** What comes in from outside the image: 'constant' (default), 'reflect', 'wrap' or 'nearest'. */
  fillMode?: FillMode;
  /** The value for fillMode 'constant' (default 0). */
  fillValue?: number;
}

const AFFINE_KEYS = ['degrees', 'translate', 'scale', 'interpolation', 'fillMode', 'fillValue', 'imageShape', 'dataFormat'];

/** Random rotation, translation and zoom of each image about its centre (torchvision's RandomAffine). */
export class RandomAffine implements Transform {
  private readonly degrees: [number, number];
  private readonly translate: [number, number];
  private readonly scale: [number, number];
  private readonly o: Required<Pick<RandomAffineOptions, 'interpolation' | 'fillMode' | 'fillValue'>> & ImageOptions;
  constructor(options: RandomAffineOptions, where = 'RandomAffine') {
    checkKnown(options, AFFINE_KEYS, where);
    this.degrees = range(options.degrees ?? 0, 'degrees', where);
    const t = options.translate ?? [0, 0];
    if (!Array.isArray(t) || t.length !== 2 || !t.every((v) => v >= 0 && v <= 1)) throw new RangeError(`${where}: translate must be [fy, fx] fractions in [0, 1], got ${JSON.stringify(t)}`);
    this.translate = [t[0], t[1]];
    this.scale = range(options.scale ?? [1, 1], 'scale', where, Number.MIN_VALUE);
    const interpolation = options.interpolation ?? 'bilinear';
    if (interpolation !== 'bilinear' && interpolation !== 'nearest') throw new RangeError(`${where}: interpolation must be 'bilinear' or 'nearest', got ${JSON.stringify(interpolation)}`);
    const fillMode = options.fillMode ?? 'constant';
    if (!['constant', 'reflect', 'wrap', 'nearest'].includes(fillMode)) throw new RangeError(`${where}: fillMode must be 'constant', 'reflect', 'wrap' or 'nearest', got ${JSON.stringify(fillMode)}`);
    const fillValue = options.fillValue ?? 0;
    if (!Number.isFinite(fillValue)) throw new RangeError(`${where}: fillValue must be a finite number, got ${fillValue}`);
    this.o = { interpolation, fillMode, fillValue, imageShape: options.imageShape, dataFormat: options.dataFormat };
  }
  apply(x: Tensor, generator: Generator): Tensor {
    const L = imageLayout(x, this.o, this.constructor.name);
    const src = x.contiguous().value.values();
    const out = new Float32Array(src.length);
    const draw = ([lo, hi]: [number, number]) => lo + (hi - lo) * generator.random();
    for (let img = 0; img < L.n; img++) {
      const deg = draw(this.degrees);
      const dy = this.translate[0] * L.h * (2 * generator.random() - 1);
      const dx = this.translate[1] * L.w * (2 * generator.random() - 1);
      const zoom = draw(this.scale);
      warpImage(src, out, img * L.per, L, inverseAffine(L.h, L.w, deg, dy, dx, zoom), this.o);
    }
    return new Tensor(new NDArray(out, [...x.shape]));
  }
}

/** Random rotation of each image by an angle from [−degrees, degrees] (torchvision's RandomRotation). */
export class RandomRotation extends RandomAffine {
  constructor(options: Omit<RandomAffineOptions, 'translate' | 'scale'> & { degrees: number | [number, number] }) {
    super(options, 'RandomRotation');
  }
}

/** Flips each image left–right with probability p (default 0.5) (torchvision's RandomHorizontalFlip). */
export class RandomHorizontalFlip implements Transform {
  private readonly p: number;
  private readonly layout: ImageOptions;
  constructor(options: ImageOptions & { p?: number } = {}) {
    checkKnown(options, ['p', 'imageShape', 'dataFormat'], 'RandomHorizontalFlip');
    this.p = options.p ?? 0.5;
    if (!(this.p >= 0 && this.p <= 1)) throw new RangeError(`RandomHorizontalFlip: p must be in [0, 1], got ${this.p}`);
    this.layout = { imageShape: options.imageShape, dataFormat: options.dataFormat };
  }
  apply(x: Tensor, generator: Generator): Tensor {
    const L = imageLayout(x, this.layout, 'RandomHorizontalFlip');
    const src = x.contiguous().value.values();
    const out = Float32Array.from(src);
    for (let img = 0; img < L.n; img++) {
      if (!(generator.random() < this.p)) continue;
      const o = img * L.per;
      for (let y = 0; y < L.h; y++) for (let xx = 0; xx < L.w; xx++) for (let c = 0; c < L.c; c++) {
        out[o + y * L.sy + xx * L.sx + c * L.sc] = src[o + y * L.sy + (L.w - 1 - xx) * L.sx + c * L.sc];
      }
    }
    return new Tensor(new NDArray(out, [...x.shape]));
  }
}

/** Adds Gaussian noise of standard deviation `sigma` to every value (torchvision v2's GaussianNoise, without clipping). */
export class GaussianNoise implements Transform {
  constructor(private readonly options: { sigma: number; mean?: number }) {
    checkKnown(options, ['sigma', 'mean'], 'GaussianNoise');
    if (!(options.sigma >= 0 && Number.isFinite(options.sigma))) throw new RangeError(`GaussianNoise: sigma must be a finite number ≥ 0, got ${options.sigma}`);
  }
  apply(x: Tensor, generator: Generator): Tensor {
    const out = Float32Array.from(x.contiguous().value.values());
    const { sigma, mean = 0 } = this.options;
    for (let i = 0; i < out.length; i++) out[i] += mean + sigma * generator.normal();
    return new Tensor(new NDArray(out, [...x.shape]));
  }
}
