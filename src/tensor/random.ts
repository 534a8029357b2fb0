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

/** A bijection of 32-bit words with spread(0) = 0: an odd multiplier, then an xor-shift. */
function spread(x: number): number {
  const z = Math.imul(x, 0x9e3779b1);
  return (z ^ (z >>> 16)) >>> 0;
}

const TWO_63 = 1n << 63n;

/** A seed as the two 32-bit words of its 64-bit two's complement [low, high]; throws for a seed that is not one. */
function seedWords(seed: number | bigint): [number, number] {
  let big: bigint;
  if (typeof seed === 'bigint') {
    if (seed < -TWO_63 || seed >= TWO_63) throw new RangeError(`manualSeed: a BigInt seed must be in [-2^63, 2^63), got ${seed}n`);
    big = seed;
  } else if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`manualSeed: seed must be a safe integer (or a BigInt), got ${seed}`);
    big = BigInt(seed);
  } else {
    throw new TypeError(`manualSeed: seed must be an integer, got ${typeof seed}`);
  }
  const u = BigInt.asUintN(64, big);
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
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

  constructor(seed: number | bigint = 0) {
    this.manualSeed(seed);
  }

  /**
   * Re-seeds this generator; the same seed always gives the same stream, and different seeds give different
   * streams. A seed is a safe integer (|seed| ≤ 2^53 − 1) or a BigInt in [−2^63, 2^63); anything else (1.5, NaN,
   * 2^53) is a RangeError rather than silently becoming another seed.
   */
  manualSeed(seed: number | bigint): this {
    const [lo, hi] = seedWords(seed);
    // lo starts splitmix32's counter; hi (0 for seeds in [0, 2^32), which keep their old streams) is mixed into s1
    // by a bijection that maps only 0 to 0, so two seeds never share a state
    const st = { s: lo | 0 };
    this.s0 = splitmix32(st);
    this.s1 = (splitmix32(st) ^ spread(hi)) >>> 0;
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
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
