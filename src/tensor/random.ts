// Seeded pseudo-random numbers: every random draw in tapegrad comes from a Generator.
// xoshiro128** (32-bit state words, fast in JS) seeded through splitmix32; normals by Box-Muller.

import type { TypedArray } from './dtype.js';

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A seeded pseudo-random number generator (xoshiro128**), like torch.Generator: the same seed always gives the
 * same numbers. Pass one as `generator` to random constructors, initialisers, Dropout and data helpers for a private
 * stream; otherwise they draw from the shared `tg.defaultGenerator`.
 * @example
 * ```ts
 * const g = new tg.Generator(42);
 * const a = tg.randn([2, 2], { generator: g });
 * const u = g.random(); // one uniform number in [0, 1)
 * ```
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare = NaN; // second Box-Muller normal, if one is cached

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Re-seeds this generator; the same seed always gives the same stream. */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new TypeError(`manualSeed: seed must be a finite number, got ${seed}`);
    const st = { s: (Math.floor(seed) ^ Math.floor(seed / 0x100000000)) | 0 };
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = NaN;
    return this;
  }

  /** The full state, for checkpointing. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spare];
  }

  /** Restores a state saved by getState(), so the stream continues from there. */
  setState(state: readonly number[]): this {
    [this.s0, this.s1, this.s2, this.s3, this.spare] = state;
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal draw. */
  normal(): number {
    if (this.spare === this.spare) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [low, high). */
  randint(low: number, high: number): number {
    if (!(high > low)) throw new RangeError(`randint: empty range [${low}, ${high})`);
    return low + Math.floor(this.random() * (high - low));
  }

  /** Fills `out` with uniform draws from [low, high) and returns it. */
  fillUniform(out: TypedArray, low = 0, high = 1): TypedArray {
    const w = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + w * this.random();
    return out;
  }

  /** Fills `out` with normal draws N(mean, std²) and returns it. */
  fillNormal(out: TypedArray, mean = 0, std = 1): TypedArray {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The default generator used when none is passed explicitly. */
export const defaultGenerator = new Generator(0);

/**
 * Seeds the default generator (like `torch.manual_seed`), so random tensors, initial weights, dropout masks
 * and shuffles repeat from run to run. Returns the default generator.
 * @example
 * ```ts
 * tg.manualSeed(0);
 * const a = tg.randn([3]);
 * tg.manualSeed(0);
 * const b = tg.randn([3]); // the same values as a
 * ```
 */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
