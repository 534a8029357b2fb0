// The handwriting view's engine, free of the DOM: a 28×28 pad painted by a soft round brush, and the
// preprocessing MNIST itself used (the ink's bounding box scaled to fit 20×20, then placed so its centre
// of mass sits at the centre of the 28×28 image), so a drawn digit looks to the model like its data.

export const SIDE = 28;

/** Paints a brush dab centred at (x, y), in pixel units (0..28), keeping the darker of old and new ink. */
export function dab(pad: Float32Array, x: number, y: number, radius = 1.3): void {
  const x0 = Math.max(0, Math.floor(x - radius - 1));
  const x1 = Math.min(SIDE - 1, Math.ceil(x + radius + 1));
  const y0 = Math.max(0, Math.floor(y - radius - 1));
  const y1 = Math.min(SIDE - 1, Math.ceil(y + radius + 1));
  for (let r = y0; r <= y1; r++) {
    for (let c = x0; c <= x1; c++) {
      const d = Math.hypot(c + 0.5 - x, r + 0.5 - y);
      const ink = Math.min(1, Math.max(0, radius + 0.3 - d)); // 1 inside, fading over the last pixel
      if (ink > pad[r * SIDE + c]) pad[r * SIDE + c] = ink;
    }
  }
}

/** Paints a stroke from (x0, y0) to (x1, y1) as dabs a quarter pixel apart. */
export function stroke(pad: Float32Array, x0: number, y0: number, x1: number, y1: number): void {
  const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 4));
  for (let i = 0; i <= steps; i++) dab(pad, x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps);
}

/** Bilinear sample of a w×h image at (x, y) in pixel-centre coordinates; 0 outside. */
function sample(img: Float32Array, w: number, h: number, x: number, y: number): number {
  const x0 = Math.floor(x); const y0 = Math.floor(y);
  const fx = x - x0; const fy = y - y0;
  const at = (c: number, r: number) => (c >= 0 && c < w && r >= 0 && r < h ? img[r * w + c] : 0);
  return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
}

/**
 * MNIST's normalisation of a drawn 28×28 image: crop to the ink, scale so the longer side is 20 px
 * (keeping the aspect ratio), and shift so the centre of mass is at (14, 14). An empty pad stays empty.
 */
export function centerLikeMnist(pad: Float32Array): Float32Array {
  let top = SIDE; let bottom = -1; let left = SIDE; let right = -1;
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      if (pad[r * SIDE + c] > 0.05) { top = Math.min(top, r); bottom = Math.max(bottom, r); left = Math.min(left, c); right = Math.max(right, c); }
    }
  }
  const out = new Float32Array(SIDE * SIDE);
  if (bottom < 0) return out;
  const w = right - left + 1;
  const h = bottom - top + 1;
  const scale = 20 / Math.max(w, h);
  const sw = Math.max(1, Math.round(w * scale));
  const sh = Math.max(1, Math.round(h * scale));
  // resample the crop to sw × sh
  const small = new Float32Array(sw * sh);
  for (let r = 0; r < sh; r++) {
    for (let c = 0; c < sw; c++) {
      const x = left + (c + 0.5) / scale - 0.5;
      const y = top + (r + 0.5) / scale - 0.5;
      small[r * sw + c] = sample(pad, SIDE, SIDE, x, y);
    }
  }
  let mass = 0; let mx = 0; let my = 0;
  for (let r = 0; r < sh; r++) for (let c = 0; c < sw; c++) { const v = small[r * sw + c]; mass += v; mx += v * (c + 0.5); my += v * (r + 0.5); }
  const ox = Math.round(SIDE / 2 - (mass > 0 ? mx / mass : sw / 2));
  const oy = Math.round(SIDE / 2 - (mass > 0 ? my / mass : sh / 2));
  for (let r = 0; r < sh; r++) {
    for (let c = 0; c < sw; c++) {
      const R = r + oy; const C = c + ox;
      if (R >= 0 && R < SIDE && C >= 0 && C < SIDE) out[R * SIDE + C] = Math.min(1, small[r * sw + c]);
    }
  }
  return out;
}
