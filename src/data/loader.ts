// DataLoader: iterates over mini-batches {x, y} of a data set, reshuffled (seeded) on every pass.
// The data is converted to Tensors once; batches are row gathers (or views when not shuffling).

import type { Tensor } from '../autograd/tensor.js';
import type { Generator } from '../tensor/random.js';
import type { Transform } from './transforms.js';
import { type DataInput, pickGenerator, type RandomSource, rowCount, toTensor } from './arrays.js';
import { checkOptions, optionKeys } from '../tensor/validate.js';

/** Options for {@link DataLoader}: batch size, shuffling and whether to drop a short last batch. */
export interface DataLoaderOptions extends RandomSource {
  /** Rows per batch (default 32). */
  batchSize?: number;
  /** Draw a new order of the rows on every pass (default false, as PyTorch). */
  shuffle?: boolean;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Applied to each batch's inputs, drawing from the loader's generator (e.g. tg.data.transforms.Compose([...])). */
  transform?: Transform;
}

const LOADER_OPTIONS = optionKeys<DataLoaderOptions>({ batchSize: true, shuffle: true, dropLast: true, transform: true, seed: true, generator: true });

/** One mini-batch from a {@link DataLoader}: rows of x and the matching rows of y. */
export interface Batch {
  /** The batch's inputs [batchSize, ...]. */
  x: Tensor;
  /** The batch's targets [batchSize, ...], or undefined when the loader has no y. */
  y: Tensor | undefined;
}

/**
 * Mini-batches of (x, y) rows.
 * @example
 * ```ts
 * for (const { x, y } of new tg.data.DataLoader({ x: xTrain, y: yTrain }, { batchSize: 32, shuffle: true })) {
 *   // x: [32, ...] rows of xTrain (fewer in the last batch), y the matching rows of yTrain
 * }
 * ```
 */
export class DataLoader implements Iterable<Batch> {
  /** All inputs, converted to one tensor. */
  readonly x: Tensor;
  /** All targets as one tensor, or undefined. */
  readonly y: Tensor | undefined;
  /** Rows per batch (default 32). */
  readonly batchSize: number;
  /** Whether each pass draws a new row order (default false). */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than batchSize is skipped (default false). */
  readonly dropLast: boolean;
  /** The transform applied to each batch's inputs, or undefined. */
  readonly transform: Transform | undefined;
  private readonly generator: Generator;

  constructor(data: { x: DataInput; y?: DataInput }, options: DataLoaderOptions = {}) {
    checkOptions('DataLoader', options, LOADER_OPTIONS);
    const batchSize = options.batchSize ?? 32;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    this.x = toTensor(data.x, 'DataLoader: x');
    this.y = data.y === undefined ? undefined : toTensor(data.y, 'DataLoader: y');
    const n = rowCount(this.x, 'DataLoader: x');
    if (this.y && rowCount(this.y, 'DataLoader: y') !== n) {
      throw new RangeError(`DataLoader: x has ${n} rows but y has ${this.y.shape[0]}`);
    }
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = pickGenerator(options);
    if (options.transform !== undefined && (typeof options.transform !== 'object' || typeof options.transform?.apply !== 'function')) {
      throw new TypeError('DataLoader: transform must be an object with apply(x, generator), e.g. new tg.data.transforms.RandomRotation({ degrees: 10 })');
    }
    this.transform = options.transform;
  }

  /** The number of rows. */
  get numSamples(): number {
    return this.x.shape[0];
  }

  /** The number of batches in one pass. */
  get length(): number {
    const n = this.numSamples;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Iterates over one pass of mini-batches (a new shuffle each time when `shuffle` is on). */
  *[Symbol.iterator](): Iterator<Batch> {
    const n = this.numSamples;
    const order = this.shuffle ? this.generator.permutation(n) : null;
    for (let b = 0; b < this.length; b++) {
      const start = b * this.batchSize;
      const end = Math.min(n, start + this.batchSize);
      const batch = batchOf(this.x, this.y, order, start, end);
      yield this.transform ? { x: this.transform.apply(batch.x, this.generator), y: batch.y } : batch;
    }
  }
}

/** Rows start..end of the order (a contiguous slice when there is no order). */
export function batchOf(x: Tensor, y: Tensor | undefined, order: Int32Array | null, start: number, end: number): Batch {
  if (order === null) return { x: x.slice(0, start, end).contiguous(), y: y?.slice(0, start, end).contiguous() };
  const idx = order.subarray(start, end);
  return { x: x.indexSelect(0, idx), y: y?.indexSelect(0, idx) };
}
