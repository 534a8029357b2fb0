// Argument checks shared by every layer of the library: integer arguments (shapes, indices, axes, sizes,
// counts), options objects (unknown keys are errors that suggest the likely key) and the largest tensor size.

/**
 * The most elements one tensor may hold: 2^31 − 1 (8 GiB as float32). Creating a larger tensor throws a
 * RangeError naming the op and the requested size instead of a raw allocation error from the JS engine.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** Bounds for {@link checkInt}; both inclusive. */
export interface IntRange {
  min?: number;
  max?: number;
}

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
};

function intText(r: IntRange): string {
  const { min, max } = r;
  if (min !== undefined && max !== undefined) return `an integer in [${min}, ${max}]`;
  if (min === 1) return 'a positive integer';
  if (min === 0) return 'a non-negative integer';
  if (min !== undefined) return `an integer ≥ ${min}`;
  if (max !== undefined) return `an integer ≤ ${max}`;
  return 'an integer';
}

/**
 * Checks that `value` is a safe integer within `range` (both ends inclusive) and returns it.
 * Throws a RangeError (a TypeError for a non-number) naming the op, the argument and the value, e.g.
 * `slice: start must be an integer, got 0.5` or `slice: step must be a positive integer, got 0`.
 * @example
 * ```ts
 * const dim = checkInt('narrow', 'length', length, { min: 0, max: size - start });
 * ```
 */
export function checkInt(op: string, name: string, value: unknown, range: IntRange = {}): number {
  if (typeof value !== 'number') throw new TypeError(`${op}: ${name} must be ${intText(range)}, got ${show(value)}`);
  if (!Number.isSafeInteger(value) || (range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
    throw new RangeError(`${op}: ${name} must be ${intText(range)}, got ${value}`);
  }
  return value;
}

/**
 * Checks that `shape` is an array of integers, each at least `min` (0 for a shape; -1 where -1 means "infer" or
 * "keep", as in reshape and expand). The error names the op, the position and the value.
 */
export function checkDims(op: string, shape: unknown, min = 0): void {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: expected a shape (an array of integers), got ${show(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    const v: unknown = shape[i];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new RangeError(`${op}: size ${show(v)} at dimension ${i} of [${shape.map(show).join(',')}] must be an integer ≥ ${min}`);
    }
  }
}

/**
 * Checks that a tensor of `size` elements may be created (see {@link MAX_TENSOR_ELEMENTS}); the error names
 * the op and the requested size.
 */
export function checkTensorSize(op: string, size: number, shape?: readonly number[]): void {
  if (!(size <= MAX_TENSOR_ELEMENTS)) {
    const s = shape ? ` (shape [${shape.join(',')}])` : '';
    throw new RangeError(`${op}: a tensor of ${size} elements${s} is over the limit of ${MAX_TENSOR_ELEMENTS} elements (tg.MAX_TENSOR_ELEMENTS)`);
  }
}

// Names people reach for from other libraries, mapped to ours (checked when the known list has the target).
const ALIASES: Record<string, string> = {
  learningRate: 'lr',
  learning_rate: 'lr',
  epsilon: 'eps',
  beta_1: 'beta1',
  beta_2: 'beta2',
  batch_size: 'batchSize',
  shuffle_seed: 'seed',
};

/** Levenshtein distance (insertions, deletions, substitutions), two rows of memory. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

const fold = (s: string): string => s.replace(/_/g, '').toLowerCase();

/**
 * The known key an unknown `key` most likely meant, or undefined: an alias (`learningRate` → `lr`), the same
 * name in another case style (`weight_decay` → `weightDecay`), or the nearest key by edit distance when close.
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const alias = ALIASES[key];
  if (alias !== undefined && known.includes(alias)) return alias;
  const folded = fold(key);
  const sameFolded = known.find((k) => fold(k) === folded);
  if (sameFolded !== undefined) return sameFolded;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(folded, fold(k));
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(1, Math.floor(Math.min(key.length, 12) / 3)) ? best : undefined;
}

/**
 * Throws a TypeError if `options` is not a plain object or has a key not in `known`. The message names
 * `where`, the unknown key, the likely intended key and every known key, e.g.
 * `SGD: unknown option "learningRate" (did you mean "lr"?); known options: lr, momentum, …`.
 * `undefined` and `null` options pass (callers default them).
 * @example
 * ```ts
 * checkOptions('DataLoader', options, ['batchSize', 'shuffle', 'dropLast', 'generator']);
 * ```
 */
export function checkOptions(where: string, options: unknown, known: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const guess = suggestKey(key, known);
    const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
    const list = known.length === 0 ? 'it takes no options' : `known options: ${known.join(', ')}`;
    throw new TypeError(`${where}: unknown option "${key}"${hint}; ${list}`);
  }
}
