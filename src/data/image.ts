// Image geometry for corruptions, transforms and preprocessing layers: reading a batch's layout (channels
// last or first, or flat rows with an image shape), and one affine warp with nearest or bilinear sampling
// and Keras' fill modes. Plain loops over Float32Arrays; no allocation per pixel.

import type { Tensor } from '../autograd/tensor.js';

/** Where the channels are: 'channelsLast' [n, h, w, c] (Keras' default) or 'channelsFirst' [n, c, h, w] (PyTorch's). */
export type DataFormat = 'channelsLast' | 'channelsFirst';
/** How a warp samples between pixels. */
export type Interpolation = 'nearest' | 'bilinear';
/** What a warp reads outside the image (Keras' fill modes): a constant, the mirror image, the tiled image or the edge pixel. */
export type FillMode = 'constant' | 'reflect' | 'wrap' | 'nearest';

/** Options describing a batch of images. */
export interface ImageOptions {
  /** Rows are flat vectors of this image shape ([h, w] or [h, w, c] / [c, h, w] by dataFormat), e.g. [28, 28] for MNIST rows of 784. */
  imageShape?: number[];
  /** Channels last (default) or first, for 4-D inputs and 3-entry image shapes. 3-D inputs [n, h, w] have one channel. */
  dataFormat?: DataFormat;
}

/** The layout of a batch: n images of h × w with c channels; element (img, y, x, ch) at img·per + y·sy + x·sx + ch·sc. */
export interface ImageLayout {
  n: number;
  h: number;
  w: number;
  c: number;
  /** Values per image. */
  per: number;
  /** Strides of a row, a column and a channel inside one image. */
  sy: number;
  sx: number;
  sc: number;
}

/** Reads the image layout of x: [n, h, w], [n, h, w, c] / [n, c, h, w], or [n, d] with options.imageShape. */
export function imageLayout(x: Tensor, options: ImageOptions, where: string): ImageLayout {
  const format = options.dataFormat ?? 'channelsLast';
  if (format !== 'channelsLast' && format !== 'channelsFirst') throw new RangeError(`${where}: dataFormat must be 'channelsLast' or 'channelsFirst', got ${JSON.stringify(format)}`);
  let dims: number[];
  if (options.imageShape !== undefined) {
    const s = options.imageShape;
    if (!Array.isArray(s) || (s.length !== 2 && s.length !== 3) || !s.every((d) => Number.isSafeInteger(d) && d > 0)) {
      throw new RangeError(`${where}: imageShape must be [height, width] or 3 positive sizes, got ${JSON.stringify(s)}`);
    }
    const per = s.reduce((a, b) => a * b, 1);
    const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
    if (x.ndim < 2 || rowSize !== per) throw new RangeError(`${where}: rows of shape [${x.shape.slice(1).join(',')}] (${rowSize} values) do not hold images of shape [${s.join(',')}] (${per} values)`);
    dims = s.length === 2 ? [...s, 1] : format === 'channelsLast' ? [...s] : [s[1], s[2], s[0]];
  } else if (x.ndim === 3) {
    dims = [x.shape[1], x.shape[2], 1];
  } else if (x.ndim === 4) {
    dims = format === 'channelsLast' ? [x.shape[1], x.shape[2], x.shape[3]] : [x.shape[2], x.shape[3], x.shape[1]];
  } else {
    throw new RangeError(
      `${where}: expected images [n, h, w], [n, h, w, c] (channelsLast) or [n, c, h, w] (channelsFirst), got shape [${x.shape.join(',')}]; for flat rows pass imageShape, e.g. [28, 28]`,
    );
  }
  const [h, w, c] = dims;
  const last = format === 'channelsLast' || options.imageShape?.length === 2 || x.ndim === 3;
  return { n: x.shape[0], h, w, c, per: h * w * c, sy: last ? w * c : w, sx: last ? c : 1, sc: last ? 1 : h * w };
}

/** Maps an index outside [0, size) back inside by the fill mode (-1 for 'constant': use the fill value). */
export function foldIndex(i: number, size: number, mode: FillMode): number {
  if (i >= 0 && i < size) return i;
  switch (mode) {
    case 'constant': return -1;
    case 'nearest': return i < 0 ? 0 : size - 1;
    case 'wrap': return ((i % size) + size) % size;
    case 'reflect': {
      // d c b a | a b c d | d c b a: period 2·size, mirrored about the outer edge of the border pixels
      const period = 2 * size;
      const k = ((i % period) + period) % period;
      return k < size ? k : period - 1 - k;
    }
  }
}

/** Options of an affine warp. */
export interface WarpOptions {
  interpolation: Interpolation;
  fillMode: FillMode;
  fillValue: number;
}

/**
 * Warps one image: output pixel (y, x) reads the source at (sy, sx) = M·(y, x, 1) with M = [[a, b, c], [d, e, f]]
 * (the inverse map, from output to source coordinates, in pixels with (0, 0) the top-left pixel's centre).
 */
export function warpImage(
  src: ArrayLike<number>, dst: Float32Array, offset: number, L: ImageLayout, m: readonly number[], o: WarpOptions,
): void {
  const [a, b, c, d, e, f] = m;
  const sample = (yy: number, xx: number, ch: number): number => {
    const yi = foldIndex(yy, L.h, o.fillMode);
    const xi = foldIndex(xx, L.w, o.fillMode);
    return yi < 0 || xi < 0 ? o.fillValue : src[offset + yi * L.sy + xi * L.sx + ch * L.sc];
  };
  for (let y = 0; y < L.h; y++) {
    for (let x = 0; x < L.w; x++) {
      const sy = a * y + b * x + c;
      const sx = d * y + e * x + f;
      for (let ch = 0; ch < L.c; ch++) {
        let v: number;
        if (o.interpolation === 'nearest') v = sample(Math.round(sy), Math.round(sx), ch);
        else {
          const y0 = Math.floor(sy);
          const x0 = Math.floor(sx);
          const ty = sy - y0;
          const tx = sx - x0;
          v = (1 - ty) * ((1 - tx) * sample(y0, x0, ch) + tx * sample(y0, x0 + 1, ch))
            + ty * ((1 - tx) * sample(y0 + 1, x0, ch) + tx * sample(y0 + 1, x0 + 1, ch));
        }
        dst[offset + y * L.sy + x * L.sx + ch * L.sc] = v;
      }
    }
  }
}

/**
 * The inverse map of "scale by (zoomY, zoomX), rotate by `degrees` (counter-clockwise on screen) about the
 * centre, then move by (dy, dx) pixels": what warpImage takes. zoom > 1 enlarges the content.
 */
export function inverseAffine(h: number, w: number, degrees: number, dy: number, dx: number, zoomY = 1, zoomX = zoomY): number[] {
  const t = (degrees * Math.PI) / 180;
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  // source = S⁻¹·R(−t)·(out − centre − shift) + centre. With y pointing down, a counter-clockwise turn by t
  // maps offsets (u, v) = (y, x) to (u·cos − v·sin, v·cos + u·sin); its inverse is (u·cos + v·sin, v·cos − u·sin)
  const a = cos / zoomY;
  const b = sin / zoomY;
  const d = -sin / zoomX;
  const e = cos / zoomX;
  const u0 = -cy - dy;
  const v0 = -cx - dx;
  return [a, b, a * u0 + b * v0 + cy, d, e, d * u0 + e * v0 + cx];
}
