// tg.data.transforms: torchvision-style random image transforms for batches (each image draws its own
// parameters from a seeded generator), composable with Compose, for DataLoader's `transform` option and
// for fit() through tg.callbacks.augment. Layout: channels last or first, or flat rows with imageShape.
// RandomCrop (with torchvision's padding modes) and ColorJitter (brightness, contrast, saturation, hue).

import { Tensor } from '../autograd/tensor.js';
import { NDArray } from '../tensor/ndarray.js';
import type { Generator } from '../tensor/random.js';
import { type FillMode, foldIndex, type ImageLayout, imageLayout, type ImageOptions, type Interpolation, inverseAffine, warpImage } from './image.js';

/** A batch transform: new inputs (of the same shape, except for a RandomCrop to a smaller size), random draws from `generator`. */
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

/**
 * Applies `transform` to each image with probability p (default 0.5) and leaves the others as they are
 * (torchvision's RandomApply, drawn per image). The transform must keep the images' shape.
 */
export class RandomApply implements Transform {
  private readonly transform: Transform;
  private readonly p: number;
  constructor(transforms: Transform | Transform[], options: { p?: number } = {}) {
    checkKnown(options, ['p'], 'RandomApply');
    this.transform = Array.isArray(transforms) ? new Compose(transforms) : transforms;
    if (typeof this.transform !== 'object' || typeof this.transform?.apply !== 'function') throw new TypeError('RandomApply: expected a transform or an array of transforms');
    this.p = options.p ?? 0.5;
    if (!(this.p >= 0 && this.p <= 1)) throw new RangeError(`RandomApply: p must be in [0, 1], got ${this.p}`);
  }
  apply(x: Tensor, generator: Generator): Tensor {
    const n = x.shape[0];
    const picked: number[] = [];
    for (let i = 0; i < n; i++) if (generator.random() < this.p) picked.push(i);
    if (picked.length === 0) return x;
    const sub = new Tensor(x.contiguous().value).indexSelect(0, picked);
    const done = this.transform.apply(sub, generator);
    if (done.shape.join(',') !== sub.shape.join(',')) throw new RangeError(`RandomApply: the transform changed the shape from [${sub.shape.join(',')}] to [${done.shape.join(',')}]; it must keep it`);
    const out = Float32Array.from(x.contiguous().value.values());
    const per = n === 0 ? 0 : out.length / n;
    const src = done.contiguous().value.values();
    picked.forEach((row, k) => { for (let j = 0; j < per; j++) out[row * per + j] = src[k * per + j]; });
    return new Tensor(new NDArray(out, [...x.shape]));
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

/** torchvision's padding modes: a constant `fill`, the edge pixel, the mirror without the edge (d c b | a b c d) or with it (c b a | a b c d → symmetric). */
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

/** Options of {@link RandomCrop} (torchvision's names). */
export interface RandomCropOptions extends ImageOptions {
  /** The crop: [height, width], or one number for a square. */
  size: number | [number, number];
  /**
   * Padding added before cropping: p on every side, [left/right, top/bottom], or [left, top, right, bottom]
   * (torchvision's order). Default 0. `RandomCrop({ size: 28, padding: 4 })` moves a 28×28 digit by up to 4 px.
   */
  padding?: number | [number, number] | [number, number, number, number];
  /** Pad images smaller than the crop up to its size (default false: an error). */
  padIfNeeded?: boolean;
  /** The value of the padding for paddingMode 'constant' (default 0). */
  fill?: number;
  /** 'constant' (default), 'edge', 'reflect' (mirror without the edge pixel) or 'symmetric' (mirror with it). */
  paddingMode?: PaddingMode;
}

/** The index an out-of-range coordinate reads under a padding mode (-1: the fill value). */
function padIndex(i: number, size: number, mode: PaddingMode): number {
  if (i >= 0 && i < size) return i;
  if (mode === 'constant') return -1;
  if (mode === 'edge') return foldIndex(i, size, 'nearest');
  if (mode === 'symmetric') return foldIndex(i, size, 'reflect');
  if (size === 1) return 0;
  const period = 2 * (size - 1); // reflect: d c b | a b c d | c b a, period 2·(size − 1)
  const k = ((i % period) + period) % period;
  return k < size ? k : period - k;
}

/**
 * Crops a random window of each image after padding it (torchvision's RandomCrop): with `padding: 4` and a crop
 * of the image's own size, every image moves by up to 4 pixels, the border filled by `paddingMode`. Output
 * images are size[0] × size[1] in the input's layout (flat rows become rows of size[0]·size[1]·channels).
 */
export class RandomCrop implements Transform {
  private readonly size: [number, number];
  private readonly pad: [number, number, number, number]; // left, top, right, bottom
  private readonly o: RandomCropOptions;
  constructor(options: RandomCropOptions) {
    const where = 'RandomCrop';
    checkKnown(options, ['size', 'padding', 'padIfNeeded', 'fill', 'paddingMode', 'imageShape', 'dataFormat'], where);
    const sz = typeof options.size === 'number' ? [options.size, options.size] : options.size;
    if (!Array.isArray(sz) || sz.length !== 2 || !sz.every((v) => Number.isSafeInteger(v) && v > 0)) throw new RangeError(`${where}: size must be a positive integer or [height, width], got ${JSON.stringify(options.size)}`);
    this.size = [sz[0], sz[1]];
    const p = options.padding ?? 0;
    const pads = typeof p === 'number' ? [p, p, p, p] : Array.isArray(p) && p.length === 2 ? [p[0], p[1], p[0], p[1]] : p;
    if (!Array.isArray(pads) || pads.length !== 4 || !pads.every((v) => Number.isSafeInteger(v) && v >= 0)) {
      throw new RangeError(`${where}: padding must be an integer ≥ 0, [left/right, top/bottom] or [left, top, right, bottom], got ${JSON.stringify(p)}`);
    }
    this.pad = [pads[0], pads[1], pads[2], pads[3]];
    const mode = options.paddingMode ?? 'constant';
    if (!['constant', 'edge', 'reflect', 'symmetric'].includes(mode)) throw new RangeError(`${where}: paddingMode must be 'constant', 'edge', 'reflect' or 'symmetric', got ${JSON.stringify(mode)}`);
    if (options.fill !== undefined && !Number.isFinite(options.fill)) throw new RangeError(`${where}: fill must be a finite number, got ${options.fill}`);
    this.o = { ...options, paddingMode: mode };
  }

  apply(x: Tensor, generator: Generator): Tensor {
    const where = 'RandomCrop';
    const L = imageLayout(x, this.o, where);
    const [ch, cw] = this.size;
    let [left, top, right, bottom] = this.pad;
    let ph = L.h + top + bottom, pw = L.w + left + right;
    if (this.o.padIfNeeded) {
      // torchvision pads both sides by the shortfall
      if (ph < ch) { top += ch - ph; bottom += ch - ph; ph += 2 * (ch - ph); }
      if (pw < cw) { left += cw - pw; right += cw - pw; pw += 2 * (cw - pw); }
    }
    if (ch > ph || cw > pw) throw new RangeError(`${where}: a ${ch}×${cw} crop does not fit in ${L.h}×${L.w} images padded to ${ph}×${pw}; pad more or pass padIfNeeded: true`);
    if (this.o.paddingMode === 'reflect' && (Math.max(top, bottom) >= L.h || Math.max(left, right) >= L.w)) {
      throw new RangeError(`${where}: paddingMode 'reflect' needs padding smaller than the image (${L.h}×${L.w}), got [${[left, top, right, bottom].join(', ')}]`);
    }
    const mode = this.o.paddingMode!;
    const fill = this.o.fill ?? 0;
    const src = x.contiguous().value.values();
    const per = ch * cw * L.c;
    const dst = new Float32Array(L.n * per);
    // the output's layout: the input's, with the crop's height and width
    const last = L.sc === 1;
    const [dy, dx, dc] = last ? [cw * L.c, L.c, 1] : [cw, 1, ch * cw];
    const rows = new Int32Array(ch), cols = new Int32Array(cw);
    for (let img = 0; img < L.n; img++) {
      const oy = generator.randint(0, ph - ch + 1) - top;
      const ox = generator.randint(0, pw - cw + 1) - left;
      for (let yy = 0; yy < ch; yy++) rows[yy] = padIndex(oy + yy, L.h, mode);
      for (let xx = 0; xx < cw; xx++) cols[xx] = padIndex(ox + xx, L.w, mode);
      const o = img * L.per;
      for (let yy = 0; yy < ch; yy++) for (let xx = 0; xx < cw; xx++) for (let c = 0; c < L.c; c++) {
        const sy = rows[yy], sx = cols[xx];
        dst[img * per + yy * dy + xx * dx + c * dc] = sy < 0 || sx < 0 ? fill : src[o + sy * L.sy + sx * L.sx + c * L.sc];
      }
    }
    const shape = this.o.imageShape !== undefined || x.ndim === 2 ? [L.n, per]
      : x.ndim === 3 ? [L.n, ch, cw] : last ? [L.n, ch, cw, L.c] : [L.n, L.c, ch, cw];
    return new Tensor(new NDArray(dst, shape));
  }
}

/** Options of {@link ColorJitter} (torchvision's names and ranges). */
export interface ColorJitterOptions extends ImageOptions {
  /** Brightness factor from [max(0, 1 − b), 1 + b] for a number b, or from a [low, high] pair (≥ 0): x·factor. */
  brightness?: number | [number, number];
  /** Contrast factor, drawn the same way: blends each image with the mean of its grey levels. */
  contrast?: number | [number, number];
  /** Saturation factor, drawn the same way: blends each pixel with its grey level (needs 3 channels, RGB). */
  saturation?: number | [number, number];
  /** Hue shift in turns from [−h, h] for a number h ≤ 0.5, or from a pair inside [−0.5, 0.5] (needs 3 channels, RGB). */
  hue?: number | [number, number];
}

/** A factor range as torchvision draws it: b → [max(0, 1 − b), 1 + b], or a pair of values ≥ 0. */
function factorRange(v: number | [number, number] | undefined, name: string, where: string): [number, number] | null {
  if (v === undefined) return null;
  if (typeof v === 'number') {
    if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`${where}: ${name} must be a finite number ≥ 0 or a [low, high] pair with 0 ≤ low ≤ high, got ${v}`);
    return [Math.max(0, 1 - v), 1 + v];
  }
  return range(v, name, where, 0);
}

/** The grey level of a pixel: ITU-R 601 luma (torchvision's rgb_to_grayscale) for 3 channels, the value itself for 1. */
function grey(buf: Float32Array, at: number, L: ImageLayout): number {
  return L.c === 3 ? 0.299 * buf[at] + 0.587 * buf[at + L.sc] + 0.114 * buf[at + 2 * L.sc] : buf[at];
}

/** Shifts the hue of one RGB pixel by `shift` turns (through HSV and back), in place. */
function shiftHue(buf: Float32Array, at: number, sc: number, shift: number): void {
  const r = buf[at], g = buf[at + sc], b = buf[at + 2 * sc];
  const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
  if (d === 0) return; // grey: no hue
  let h = max === r ? (g - b) / d : max === g ? 2 + (b - r) / d : 4 + (r - g) / d;
  h = (((h / 6 + shift) % 1) + 1) % 1;
  const v = max, s = d / max;
  const i = Math.floor(h * 6) % 6, f = h * 6 - Math.floor(h * 6);
  const p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  let nr: number, ng: number, nb: number;
  switch (i) {
    case 0: nr = v; ng = t; nb = p; break;
    case 1: nr = q; ng = v; nb = p; break;
    case 2: nr = p; ng = v; nb = t; break;
    case 3: nr = p; ng = q; nb = v; break;
    case 4: nr = t; ng = p; nb = v; break;
    default: nr = v; ng = p; nb = q;
  }
  buf[at] = nr; buf[at + sc] = ng; buf[at + 2 * sc] = nb;
}

/**
 * Random brightness, contrast, saturation and hue of each image, applied in a random order per image
 * (torchvision's ColorJitter). Grey images (one channel) take brightness and contrast; saturation and hue
 * need three (RGB). Values are not clipped: images in [0, 1] may leave it (tapegrad does not clamp silently).
 */
export class ColorJitter implements Transform {
  private readonly ranges: ([number, number] | null)[]; // brightness, contrast, saturation, hue
  private readonly layout: ImageOptions;
  constructor(options: ColorJitterOptions) {
    const where = 'ColorJitter';
    checkKnown(options, ['brightness', 'contrast', 'saturation', 'hue', 'imageShape', 'dataFormat'], where);
    const h = options.hue;
    if (typeof h === 'number' && !(h >= 0 && h <= 0.5)) throw new RangeError(`${where}: hue must lie in [−0.5, 0.5]: a number in [0, 0.5] or a pair, got ${h}`);
    const hue = h === undefined ? null : range(h, 'hue', where, -0.5);
    if (hue && hue[1] > 0.5) throw new RangeError(`${where}: hue must lie in [−0.5, 0.5], got ${JSON.stringify(options.hue)}`);
    this.ranges = [factorRange(options.brightness, 'brightness', where), factorRange(options.contrast, 'contrast', where), factorRange(options.saturation, 'saturation', where), hue];
    this.layout = { imageShape: options.imageShape, dataFormat: options.dataFormat };
  }

  apply(x: Tensor, generator: Generator): Tensor {
    const where = 'ColorJitter';
    const L = imageLayout(x, this.layout, where);
    if ((this.ranges[2] || this.ranges[3]) && L.c !== 3) {
      throw new RangeError(`${where}: saturation and hue need RGB images (3 channels), got ${L.c} channel${L.c === 1 ? '' : 's'}; use brightness and contrast for grey images`);
    }
    if (L.c !== 1 && L.c !== 3) throw new RangeError(`${where}: expects grey (1 channel) or RGB (3 channel) images, got ${L.c} channels`);
    const buf = Float32Array.from(x.contiguous().value.values());
    const pixels = L.h * L.w;
    const at = (img: number, p: number) => img * L.per + Math.floor(p / L.w) * L.sy + (p % L.w) * L.sx;
    for (let img = 0; img < L.n; img++) {
      for (const op of generator.permutation(4)) {
        const r = this.ranges[op];
        if (!r) continue;
        const f = r[0] + (r[1] - r[0]) * generator.random();
        if (op === 0) {
          for (let p = 0; p < pixels; p++) for (let c = 0; c < L.c; c++) buf[at(img, p) + c * L.sc] *= f;
        } else if (op === 1) {
          let mean = 0;
          for (let p = 0; p < pixels; p++) mean += grey(buf, at(img, p), L);
          mean /= pixels;
          for (let p = 0; p < pixels; p++) for (let c = 0; c < L.c; c++) {
            const k = at(img, p) + c * L.sc;
            buf[k] = f * buf[k] + (1 - f) * mean;
          }
        } else if (op === 2) {
          for (let p = 0; p < pixels; p++) {
            const a = at(img, p);
            const gr = grey(buf, a, L);
            for (let c = 0; c < 3; c++) buf[a + c * L.sc] = f * buf[a + c * L.sc] + (1 - f) * gr;
          }
        } else {
          for (let p = 0; p < pixels; p++) shiftHue(buf, at(img, p), L.sc, f);
        }
      }
    }
    return new Tensor(new NDArray(buf, [...x.shape]));
  }
}
