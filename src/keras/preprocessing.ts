// Keras preprocessing (augmentation) layers: randomFlip, randomTranslation, randomRotation, randomZoom,
// randomContrast, randomBrightness, randomCrop and gaussianNoise. Active in training (fit), the identity in evaluate/predict
// (randomCrop centre-crops there), seeded, channels last or first, nearest or bilinear, Keras' fill modes.

import { Tensor } from '../autograd/tensor.js';
import { type DataFormat, type ImageLayout, imageLayout, inverseAffine, warpImage } from '../data/image.js';
import { NDArray } from '../tensor/ndarray.js';
import { defaultGenerator, Generator } from '../tensor/random.js';
import { Layer, type LayerArgs, type LayerOptions, type SchemaFor } from './layer.js';
import { field, LAYER_FIELDS } from './schema.js';

/** Options every random layer takes: a seed and, for images, where the channels are. */
export interface RandomLayerArgs extends LayerArgs {
  /** Seed of the layer's own generator (default: draws from tg.defaultGenerator). Same seed, same augmented batch. */
  seed?: number;
  /** 'channelsLast' (default, Keras') [n, h, w, c] or 'channelsFirst' [n, c, h, w]; [n, h, w] is one channel. */
  dataFormat?: DataFormat;
}

/** The warp options of the geometric layers (Keras' names and defaults). */
export interface WarpArgs extends RandomLayerArgs {
  /** 'reflect' (default), 'wrap', 'nearest' or 'constant' (fillValue). */
  fillMode?: 'reflect' | 'wrap' | 'nearest' | 'constant';
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: 'bilinear' | 'nearest';
  /** The value brought in by fillMode 'constant' (default 0). */
  fillValue?: number;
}

const RANDOM_FIELDS = { ...LAYER_FIELDS, seed: field.seed(), dataFormat: field.choice(['channelsLast', 'channelsFirst'] as const, 'channelsLast') };
const WARP_FIELDS = {
  ...RANDOM_FIELDS,
  fillMode: field.choice(['reflect', 'wrap', 'nearest', 'constant'] as const, 'reflect'),
  interpolation: field.choice(['bilinear', 'nearest'] as const, 'bilinear'),
  fillValue: field.number(0),
};

/** A factor field's range: f gives [−f, f], a pair is itself. */
const rangeOf = (f: number | [number, number] | undefined): [number, number] => (f === undefined ? [0, 0] : typeof f === 'number' ? [-Math.abs(f), Math.abs(f)] : f);

/** The shared parts: a generator from the seed, the image layout check, and "identity unless training". */
abstract class RandomImageLayer<S extends typeof RANDOM_FIELDS> extends Layer<S> {
  protected readonly generator: Generator;
  protected constructor(schema: S, args: unknown, where: string, example: string, options: LayerOptions) {
    super(schema, args, where, example, options);
    const seed = (this.config as { seed?: number }).seed;
    this.generator = seed === undefined ? defaultGenerator : new Generator(seed);
  }
  protected layout(x: Tensor): ImageLayout {
    return imageLayout(x, { dataFormat: (this.config as { dataFormat: DataFormat }).dataFormat }, this.describe());
  }
  computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 2 && inputShape.length !== 3) {
      throw new RangeError(`${this.describe()}: expects images [h, w] or [h, w, c] / [c, h, w] per row, got [${inputShape.join(',')}]`);
    }
    return [...inputShape];
  }
  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    if (!this.training) return x;
    return this.augment(x.detach(), this.layout(x));
  }
  /** The training-time transform of a batch. */
  protected abstract augment(x: Tensor, L: ImageLayout): Tensor;
}

const out = (data: Float32Array, x: Tensor): Tensor => new Tensor(new NDArray(data, [...x.shape]));

/** Applies one affine warp per image with parameters from `draw` (degrees, dy, dx in pixels, zoomY, zoomX). */
function warpBatch(x: Tensor, L: ImageLayout, cfg: { fillMode: string; interpolation: string; fillValue: number }, draw: () => number[]): Tensor {
  const src = x.contiguous().value.values();
  const dst = new Float32Array(src.length);
  const o = { fillMode: cfg.fillMode as 'reflect', interpolation: cfg.interpolation as 'bilinear', fillValue: cfg.fillValue };
  for (let i = 0; i < L.n; i++) {
    const [deg, dy, dx, zy, zx] = draw();
    warpImage(src, dst, i * L.per, L, inverseAffine(L.h, L.w, deg, dy, dx, zy, zx), o);
  }
  return out(dst, x);
}

// ---------------------------------------------------------------------------------------------------------

/** Arguments of {@link randomFlip}. */
export interface RandomFlipArgs extends RandomLayerArgs {
  /** 'horizontal', 'vertical' or 'horizontal_and_vertical' (default): each direction flips with probability ½. */
  mode?: 'horizontal' | 'vertical' | 'horizontal_and_vertical';
}
const FLIP_FIELDS = { ...RANDOM_FIELDS, mode: field.choice(['horizontal', 'vertical', 'horizontal_and_vertical'] as const, 'horizontal_and_vertical') } satisfies SchemaFor<RandomFlipArgs>;

/** Flips each image left–right and/or top–bottom with probability ½ in training (Keras' RandomFlip). */
export class RandomFlip extends RandomImageLayer<typeof FLIP_FIELDS> {
  readonly className = 'RandomFlip';
  constructor(args: RandomFlipArgs = {}, options: LayerOptions = {}) { super(FLIP_FIELDS, args, 'randomFlip', "{ mode: 'horizontal' }", options); }
  protected augment(x: Tensor, L: ImageLayout): Tensor {
    const src = x.contiguous().value.values();
    const dst = new Float32Array(src.length);
    const { mode } = this.config;
    for (let i = 0; i < L.n; i++) {
      const fx = mode !== 'vertical' && this.generator.random() < 0.5;
      const fy = mode !== 'horizontal' && this.generator.random() < 0.5;
      const o = i * L.per;
      for (let yy = 0; yy < L.h; yy++) for (let xx = 0; xx < L.w; xx++) for (let c = 0; c < L.c; c++) {
        dst[o + yy * L.sy + xx * L.sx + c * L.sc] = src[o + (fy ? L.h - 1 - yy : yy) * L.sy + (fx ? L.w - 1 - xx : xx) * L.sx + c * L.sc];
      }
    }
    return out(dst, x);
  }
}

/** Arguments of {@link randomTranslation}. */
export interface RandomTranslationArgs extends WarpArgs {
  /** Vertical move as a fraction of the height: f for [−f, f], or [low, high]. */
  heightFactor: number | [number, number];
  /** Horizontal move as a fraction of the width. */
  widthFactor: number | [number, number];
}
const TRANSLATION_FIELDS = { ...WARP_FIELDS, heightFactor: field.factor(), widthFactor: field.factor() } satisfies SchemaFor<RandomTranslationArgs>;

/** Moves each image by a random fraction of its size in training (Keras' RandomTranslation). */
export class RandomTranslation extends RandomImageLayer<typeof TRANSLATION_FIELDS> {
  readonly className = 'RandomTranslation';
  constructor(args: RandomTranslationArgs, options: LayerOptions = {}) { super(TRANSLATION_FIELDS, args, 'randomTranslation', '{ heightFactor: 0.1, widthFactor: 0.1 }', options); }
  protected augment(x: Tensor, L: ImageLayout): Tensor {
    const [hy0, hy1] = rangeOf(this.config.heightFactor);
    const [wx0, wx1] = rangeOf(this.config.widthFactor);
    const g = this.generator;
    return warpBatch(x, L, this.config, () => [0, (hy0 + (hy1 - hy0) * g.random()) * L.h, (wx0 + (wx1 - wx0) * g.random()) * L.w, 1, 1]);
  }
}

/** Arguments of {@link randomRotation}. */
export interface RandomRotationArgs extends WarpArgs {
  /** The angle as a fraction of a full turn (Keras'): 0.1 draws from ±36°; positive is counter-clockwise. */
  factor: number | [number, number];
}
const ROTATION_FIELDS = { ...WARP_FIELDS, factor: field.factor() } satisfies SchemaFor<RandomRotationArgs>;

/** Rotates each image by a random angle in training (Keras' RandomRotation). */
export class RandomRotation extends RandomImageLayer<typeof ROTATION_FIELDS> {
  readonly className = 'RandomRotation';
  constructor(args: RandomRotationArgs, options: LayerOptions = {}) { super(ROTATION_FIELDS, args, 'randomRotation', '{ factor: 0.1 }', options); }
  protected augment(x: Tensor, L: ImageLayout): Tensor {
    const [lo, hi] = rangeOf(this.config.factor);
    return warpBatch(x, L, this.config, () => [360 * (lo + (hi - lo) * this.generator.random()), 0, 0, 1, 1]);
  }
}

/** Arguments of {@link randomZoom}. */
export interface RandomZoomArgs extends WarpArgs {
  /** Zoom of the height: positive values zoom out (the content shrinks), negative zoom in; 0.2 draws from [−0.2, 0.2]. */
  heightFactor: number | [number, number];
  /** Zoom of the width (default: the same draw as the height, keeping the aspect ratio). */
  widthFactor?: number | [number, number];
}
const ZOOM_FIELDS = { ...WARP_FIELDS, heightFactor: field.factor(false, -1), widthFactor: field.factor(true, -1) } satisfies SchemaFor<RandomZoomArgs>;

/** Zooms each image in or out by a random factor in training (Keras' RandomZoom). */
export class RandomZoom extends RandomImageLayer<typeof ZOOM_FIELDS> {
  readonly className = 'RandomZoom';
  constructor(args: RandomZoomArgs, options: LayerOptions = {}) { super(ZOOM_FIELDS, args, 'randomZoom', '{ heightFactor: 0.2 }', options); }
  protected augment(x: Tensor, L: ImageLayout): Tensor {
    const [h0, h1] = rangeOf(this.config.heightFactor);
    const wf = this.config.widthFactor;
    const [w0, w1] = rangeOf(wf);
    const g = this.generator;
    return warpBatch(x, L, this.config, () => {
      const zh = h0 + (h1 - h0) * g.random();
      const zw = wf === undefined ? zh : w0 + (w1 - w0) * g.random();
      // a positive factor zooms out: the source is read (1 + f) times farther from the centre
      return [0, 0, 0, 1 / (1 + zh), 1 / (1 + zw)];
    });
  }
}

/** Arguments of {@link randomContrast}. */
export interface RandomContrastArgs extends RandomLayerArgs {
  /** The contrast factor is drawn from [1 − f, 1 + f] for a number f in [0, 1], or from [1 − lower, 1 + upper] for a pair. */
  factor: number | [number, number];
}
const CONTRAST_FIELDS = { ...RANDOM_FIELDS, factor: field.factor() } satisfies SchemaFor<RandomContrastArgs>;

/**
 * Scales each image's deviations from its per-channel mean by a random factor in training (Keras' RandomContrast).
 * Unlike Keras 3 it does not clip to a value range (tapegrad does not clamp silently).
 */
export class RandomContrast extends RandomImageLayer<typeof CONTRAST_FIELDS> {
  readonly className = 'RandomContrast';
  constructor(args: RandomContrastArgs, options: LayerOptions = {}) {
    super(CONTRAST_FIELDS, args, 'randomContrast', '{ factor: 0.2 }', options);
    const f = this.config.factor!;
    const ok = typeof f === 'number' ? Math.abs(f) <= 1 : f.every((v) => v >= 0 && v <= 1);
    if (!ok) throw new RangeError(`${this.describe()}: factor must be a number in [0, 1] or a [lower, upper] pair of numbers in [0, 1], got ${JSON.stringify(f)}`);
  }
  protected augment(x: Tensor, L: ImageLayout): Tensor {
    const f = this.config.factor!;
    const [lo, hi] = typeof f === 'number' ? [1 - Math.abs(f), 1 + Math.abs(f)] : [1 - f[0], 1 + f[1]];
    const dst = Float32Array.from(x.contiguous().value.values());
    for (let i = 0; i < L.n; i++) {
      const k = lo + (hi - lo) * this.generator.random();
      for (let c = 0; c < L.c; c++) {
        let mean = 0;
        const at = (yy: number, xx: number) => i * L.per + yy * L.sy + xx * L.sx + c * L.sc;
        for (let yy = 0; yy < L.h; yy++) for (let xx = 0; xx < L.w; xx++) mean += dst[at(yy, xx)];
        mean /= L.h * L.w;
        for (let yy = 0; yy < L.h; yy++) for (let xx = 0; xx < L.w; xx++) dst[at(yy, xx)] = (dst[at(yy, xx)] - mean) * k + mean;
      }
    }
    return out(dst, x);
  }
}

/** Arguments of {@link randomBrightness}. */
export interface RandomBrightnessArgs extends RandomLayerArgs {
  /** The brightness change as a fraction of the value range, in [−1, 1]: f draws from [−f, f], a pair from [low, high]. */
  factor: number | [number, number];
  /** The range of the input values, [low, high] (Keras' default [0, 255]; [0, 1] for scaled images). */
  valueRange?: [number, number];
}
const BRIGHTNESS_FIELDS = { ...RANDOM_FIELDS, factor: field.factor(), valueRange: field.valueRange([0, 255]) } satisfies SchemaFor<RandomBrightnessArgs>;

/**
 * Adds a random delta, factor × (high − low) of the value range, to every value of each image in training and
 * clips the result into the value range, as Keras' RandomBrightness documents (−1 gives black, 1 white); the
 * identity otherwise.
 */
export class RandomBrightness extends RandomImageLayer<typeof BRIGHTNESS_FIELDS> {
  readonly className = 'RandomBrightness';
  constructor(args: RandomBrightnessArgs, options: LayerOptions = {}) {
    super(BRIGHTNESS_FIELDS, args, 'randomBrightness', '{ factor: 0.2, valueRange: [0, 1] }', options);
    const [lo, hi] = rangeOf(this.config.factor);
    if (lo < -1 || hi > 1) throw new RangeError(`${this.describe()}: factor must lie in [−1, 1], got ${JSON.stringify(this.config.factor)}`);
  }
  protected augment(x: Tensor, L: ImageLayout): Tensor {
    const [f0, f1] = rangeOf(this.config.factor);
    const [lo, hi] = this.config.valueRange;
    const dst = Float32Array.from(x.contiguous().value.values());
    for (let i = 0; i < L.n; i++) {
      const delta = (f0 + (f1 - f0) * this.generator.random()) * (hi - lo);
      for (let k = i * L.per; k < (i + 1) * L.per; k++) {
        const v = dst[k] + delta;
        dst[k] = v < lo ? lo : v > hi ? hi : v; // NaN stays NaN
      }
    }
    return out(dst, x);
  }
}

/** Arguments of {@link randomCrop}. */
export interface RandomCropArgs extends RandomLayerArgs {
  /** Height of the crop. */
  height: number;
  /** Width of the crop. */
  width: number;
}
const CROP_FIELDS = { ...RANDOM_FIELDS, height: field.units(), width: field.units() } satisfies SchemaFor<RandomCropArgs>;

/** Crops a random height × width window of each image in training and the central window otherwise (Keras' RandomCrop). */
export class RandomCrop extends RandomImageLayer<typeof CROP_FIELDS> {
  readonly className = 'RandomCrop';
  constructor(args: RandomCropArgs, options: LayerOptions = {}) { super(CROP_FIELDS, args, 'randomCrop', '{ height: 24, width: 24 }', options); }
  override computeOutputShape(inputShape: readonly number[]): number[] {
    super.computeOutputShape(inputShape);
    const first = this.config.dataFormat === 'channelsFirst' && inputShape.length === 3;
    const [h, w] = first ? [inputShape[1], inputShape[2]] : [inputShape[0], inputShape[1]];
    if (this.config.height > h || this.config.width > w) {
      throw new RangeError(`${this.describe()}: a ${this.config.height}×${this.config.width} crop does not fit in ${h}×${w} images`);
    }
    if (inputShape.length === 2) return [this.config.height, this.config.width];
    return first ? [inputShape[0], this.config.height, this.config.width] : [this.config.height, this.config.width, inputShape[2]];
  }
  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    const L = this.layout(x);
    const { height: ch, width: cw } = this.config;
    const src = x.detach().contiguous().value.values();
    const outShape = [x.shape[0], ...this.computeOutputShape(x.shape.slice(1))];
    const per = ch * cw * L.c;
    const dst = new Float32Array(L.n * per);
    const first = this.config.dataFormat === 'channelsFirst' && x.ndim === 4;
    for (let i = 0; i < L.n; i++) {
      const top = this.training ? this.generator.randint(0, L.h - ch + 1) : Math.floor((L.h - ch) / 2);
      const left = this.training ? this.generator.randint(0, L.w - cw + 1) : Math.floor((L.w - cw) / 2);
      for (let yy = 0; yy < ch; yy++) for (let xx = 0; xx < cw; xx++) for (let c = 0; c < L.c; c++) {
        const d = first ? c * ch * cw + yy * cw + xx : (yy * cw + xx) * L.c + c;
        dst[i * per + d] = src[i * L.per + (top + yy) * L.sy + (left + xx) * L.sx + c * L.sc];
      }
    }
    return new Tensor(new NDArray(dst, outShape));
  }
  protected augment(x: Tensor): Tensor { return x; }
}

/** Arguments of {@link gaussianNoise}. */
export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the zero-mean noise added in training. */
  stddev: number;
  /** Seed of the layer's own generator (default: tg.defaultGenerator). */
  seed?: number;
}
const NOISE_FIELDS = { ...LAYER_FIELDS, stddev: field.number(null, (v) => v >= 0, 'a number ≥ 0'), seed: field.seed() } satisfies SchemaFor<GaussianNoiseArgs>;

/** Adds zero-mean Gaussian noise of standard deviation `stddev` in training; the identity otherwise (Keras' GaussianNoise). */
export class GaussianNoise extends Layer<typeof NOISE_FIELDS> {
  readonly className = 'GaussianNoise';
  private readonly generator: Generator;
  constructor(args: GaussianNoiseArgs, options: LayerOptions = {}) {
    super(NOISE_FIELDS, args, 'gaussianNoise', '{ stddev: 0.1 }', options);
    this.generator = this.config.seed === undefined ? defaultGenerator : new Generator(this.config.seed);
  }
  computeOutputShape(inputShape: readonly number[]): number[] { return [...inputShape]; }
  override forward(x: Tensor): Tensor {
    this.ensureBuilt(x);
    if (!this.training) return x;
    const noise = new Float32Array(x.size);
    this.generator.fillNormal(noise, 0, this.config.stddev);
    return x.add(new Tensor(new NDArray(noise, [...x.shape])).to(x.dtype)); // stays on the tape: a layer inside a model
  }
}

/** Flips images at random in training. @example tg.layers.randomFlip({ mode: 'horizontal', seed: 1 }) */
export const randomFlip = (args: RandomFlipArgs = {}): RandomFlip => new RandomFlip(args);
/** Moves images at random in training. @example tg.layers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1 }) */
export const randomTranslation = (args: RandomTranslationArgs): RandomTranslation => new RandomTranslation(args);
/** Rotates images at random in training. @example tg.layers.randomRotation({ factor: 0.05 }) */
export const randomRotation = (args: RandomRotationArgs): RandomRotation => new RandomRotation(args);
/** Zooms images at random in training. @example tg.layers.randomZoom({ heightFactor: 0.1 }) */
export const randomZoom = (args: RandomZoomArgs): RandomZoom => new RandomZoom(args);
/** Changes image contrast at random in training. @example tg.layers.randomContrast({ factor: 0.2 }) */
export const randomContrast = (args: RandomContrastArgs): RandomContrast => new RandomContrast(args);
/** Changes image brightness at random in training. @example tg.layers.randomBrightness({ factor: 0.2, valueRange: [0, 1] }) */
export const randomBrightness = (args: RandomBrightnessArgs): RandomBrightness => new RandomBrightness(args);
/** Crops images at random in training, centrally otherwise. @example tg.layers.randomCrop({ height: 24, width: 24 }) */
export const randomCrop = (args: RandomCropArgs): RandomCrop => new RandomCrop(args);
/** Adds Gaussian noise in training. @example tg.layers.gaussianNoise({ stddev: 0.1 }) */
export const gaussianNoise = (args: GaussianNoiseArgs): GaussianNoise => new GaussianNoise(args);

