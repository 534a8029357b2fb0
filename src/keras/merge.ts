// Merge layers of the functional API (Keras' names and shape rules): concatenate, add, subtract,
// multiply, average, maximum, minimum and dot. Each takes a list of symbolic tensors and has no weights.

import { concat } from '../autograd/functions.js';
import type { Tensor } from '../autograd/tensor.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { Layer, type LayerArgs, type LayerOptions, type SchemaFor } from './layer.js';
import { ConfigError, type Field, LAYER_FIELDS, show } from './schema.js';

/** A layer that combines two or more inputs of one shape (or, for concatenate and dot, compatible shapes). */
export abstract class Merge<S extends typeof LAYER_FIELDS = typeof LAYER_FIELDS> extends Layer<S> {
  /** Each input's shape without the batch dim, once built. */
  inputShapes: number[][] | null = null;

  override get minInputs(): number {
    return 2;
  }

  override get maxInputs(): number {
    return Infinity;
  }

  /** The output shape for these input shapes; throws naming the layer and the shapes. */
  protected abstract mergedShape(shapes: readonly (readonly number[])[]): number[];

  /** Combines the inputs (all with the batch dim). */
  protected abstract merge(xs: readonly Tensor[]): Tensor;

  computeOutputShape(_inputShape: readonly number[]): number[] {
    throw new RangeError(`${this.describe()}: takes a list of at least ${this.minInputs} inputs, e.g. ${this.className.toLowerCase()}.apply([a, b])`);
  }

  override buildFor(inputShapes: readonly (readonly number[])[]): number[] {
    if (inputShapes.length < this.minInputs) {
      throw new RangeError(`${this.describe()}: takes a list of at least ${this.minInputs} inputs, got ${inputShapes.length}`);
    }
    const out = this.mergedShape(inputShapes);
    if (this.inputShapes && (this.inputShapes.length !== inputShapes.length || this.inputShapes.some((s, i) => !shapesEqual(s, inputShapes[i])))) {
      throw new RangeError(`${this.describe()}: was built for inputs ${this.inputShapes.map(fmtShape).join(', ')}, received ${inputShapes.map(fmtShape).join(', ')}`);
    }
    this.inputShapes = inputShapes.map((s) => [...s]);
    this.inputShape = [...inputShapes[0]];
    this.outputShape = out;
    return out;
  }

  override callOn(inputs: readonly Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  override forward(...xs: Tensor[]): Tensor {
    if (xs.length < this.minInputs) throw new RangeError(`${this.describe()}: takes at least ${this.minInputs} inputs, got ${xs.length}`);
    if (!this.built) this.buildFor(xs.map((x) => x.shape.slice(1)));
    return this.merge(xs);
  }

  /** Shape check shared by the elementwise merges: every input has the first input's shape. */
  protected sameShapes(shapes: readonly (readonly number[])[]): number[] {
    for (const s of shapes) {
      if (!shapesEqual(s, shapes[0])) {
        throw new RangeError(`${this.describe()}: inputs must have the same shape, got ${shapes.map((x) => `[null,${x.join(',')}]`).join(' and ')}`);
      }
    }
    return [...shapes[0]];
  }
}

const MERGE_FIELDS = { ...LAYER_FIELDS } satisfies SchemaFor<LayerArgs>;

/** Elementwise merges: one class each, differing only in the reduction. */
abstract class Elementwise extends Merge {
  protected mergedShape(shapes: readonly (readonly number[])[]): number[] {
    return this.sameShapes(shapes);
  }
}

/** x₁ + x₂ + … (Keras Add). */
export class Add extends Elementwise {
  readonly className = 'Add';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(MERGE_FIELDS, args, 'add', '{}', options); }
  protected merge(xs: readonly Tensor[]): Tensor { return xs.slice(1).reduce((a, b) => a.add(b), xs[0]); }
}

/** x₁ − x₂, exactly two inputs (Keras Subtract). */
export class Subtract extends Elementwise {
  readonly className = 'Subtract';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(MERGE_FIELDS, args, 'subtract', '{}', options); }
  protected override mergedShape(shapes: readonly (readonly number[])[]): number[] {
    if (shapes.length !== 2) throw new RangeError(`${this.describe()}: takes exactly 2 inputs, got ${shapes.length}`);
    return this.sameShapes(shapes);
  }
  protected merge(xs: readonly Tensor[]): Tensor { return xs[0].sub(xs[1]); }
}

/** x₁ · x₂ · … elementwise (Keras Multiply). */
export class Multiply extends Elementwise {
  readonly className = 'Multiply';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(MERGE_FIELDS, args, 'multiply', '{}', options); }
  protected merge(xs: readonly Tensor[]): Tensor { return xs.slice(1).reduce((a, b) => a.mul(b), xs[0]); }
}

/** The elementwise mean of the inputs (Keras Average). */
export class Average extends Elementwise {
  readonly className = 'Average';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(MERGE_FIELDS, args, 'average', '{}', options); }
  protected merge(xs: readonly Tensor[]): Tensor { return xs.slice(1).reduce((a, b) => a.add(b), xs[0]).div(xs.length); }
}

/** The elementwise maximum of the inputs (Keras Maximum; ties share the gradient, as tg.maximum). */
export class Maximum extends Elementwise {
  readonly className = 'Maximum';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(MERGE_FIELDS, args, 'maximum', '{}', options); }
  protected merge(xs: readonly Tensor[]): Tensor { return xs.slice(1).reduce((a, b) => a.maximum(b), xs[0]); }
}

/** The elementwise minimum of the inputs (Keras Minimum). */
export class Minimum extends Elementwise {
  readonly className = 'Minimum';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(MERGE_FIELDS, args, 'minimum', '{}', options); }
  protected merge(xs: readonly Tensor[]): Tensor { return xs.slice(1).reduce((a, b) => a.minimum(b), xs[0]); }
}

/** An axis of a row (Keras counts the batch dim: 1 is a row's first axis; −1 the last). */
const axisField = (defaultValue: number): Field<number> => ({
  saved: true,
  parse: (v, ctx) => {
    if (v === undefined) return defaultValue;
    if (!Number.isSafeInteger(v) || v === 0 || Math.abs(v as number) > 9) {
      throw new ConfigError('BAD_VALUE', `${ctx.where}: ${ctx.key} must be a non-zero integer axis (−1 is the last; 0, the batch axis, cannot be merged), got ${show(v)}`);
    }
    return v as number;
  },
});

/** Arguments of {@link concatenate}. */
export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along (Keras' count, with the batch axis as 0; default −1, the last). */
  axis?: number;
}
const CONCAT_FIELDS = { ...LAYER_FIELDS, axis: axisField(-1) } satisfies SchemaFor<ConcatenateArgs>;

/** Joins the inputs along one axis; the other dims must agree (Keras Concatenate). */
export class Concatenate extends Merge<typeof CONCAT_FIELDS> {
  readonly className = 'Concatenate';
  constructor(args: ConcatenateArgs = {}, options: LayerOptions = {}) { super(CONCAT_FIELDS, args, 'concatenate', '{ axis: -1 }', options); }

  /** The axis within a row (0-based, batch dim excluded) for rows of `rank` dims. */
  private rowAxis(rank: number): number {
    const a = this.config.axis;
    const r = a < 0 ? rank + a : a - 1;
    if (r < 0 || r >= rank) throw new RangeError(`${this.describe()}: axis ${a} is out of range for inputs with ${rank} dims after the batch dim`);
    return r;
  }

  protected mergedShape(shapes: readonly (readonly number[])[]): number[] {
    const rank = shapes[0].length;
    const r = this.rowAxis(rank);
    let size = 0;
    for (const s of shapes) {
      if (s.length !== rank || s.some((d, i) => i !== r && d !== shapes[0][i])) {
        throw new RangeError(`${this.describe()}: inputs must match except along axis ${this.config.axis}, got ${shapes.map((x) => `[null,${x.join(',')}]`).join(' and ')}`);
      }
      size += s[r];
    }
    const out = [...shapes[0]];
    out[r] = size;
    return out;
  }

  protected merge(xs: readonly Tensor[]): Tensor {
    return concat(xs, this.rowAxis(xs[0].ndim - 1) + 1);
  }

  override extraRepr(): string { return `axis=${this.config.axis}`; }
}

/** Arguments of {@link dot}. */
export interface DotArgs extends LayerArgs {
  /** The axis of each input to contract (Keras' count, batch axis 0): one number for both, or a pair. */
  axes: number | [number, number];
  /** L2-normalise both inputs along those axes first, giving cosine similarity (default false). */
  normalize?: boolean;
}
const DOT_FIELDS = {
  ...LAYER_FIELDS,
  axes: {
    saved: true,
    parse: (v, ctx) => {
      const one = (a: unknown) => axisField(-1).parse(a, ctx);
      if (v === undefined) throw new ConfigError('MISSING_FIELD', `${ctx.where}: axes is required, e.g. { axes: 1 }`);
      if (Array.isArray(v)) {
        if (v.length !== 2) throw new ConfigError('BAD_VALUE', `${ctx.where}: axes must be a number or a pair of numbers, got ${show(v)}`);
        return [one(v[0]), one(v[1])] as [number, number];
      }
      return one(v);
    },
  } satisfies Field<number | [number, number]>,
  normalize: {
    saved: true,
    parse: (v, ctx) => {
      if (v === undefined) return false;
      if (typeof v !== 'boolean') throw new ConfigError('BAD_VALUE', `${ctx.where}: normalize must be true or false, got ${show(v)}`);
      return v;
    },
  } satisfies Field<boolean>,
} satisfies SchemaFor<DotArgs>;

/**
 * The dot product of two inputs along the given axes (Keras Dot): rows [n] and [n] give [1]; rows
 * [m, n] and [k, n] with axes 2 give [m, k] (a batched matrix product).
 */
export class Dot extends Merge<typeof DOT_FIELDS> {
  readonly className = 'Dot';
  constructor(args: DotArgs, options: LayerOptions = {}) { super(DOT_FIELDS, args, 'dot', '{ axes: 1 }', options); }

  /** The contracted axis of each input, within a row (0-based). */
  private rowAxes(ranks: [number, number]): [number, number] {
    const ax = this.config.axes;
    const [a, b] = Array.isArray(ax) ? ax : [ax, ax];
    const r = (v: number, rank: number) => {
      const k = v < 0 ? rank + v : v - 1;
      if (k < 0 || k >= rank) throw new RangeError(`${this.describe()}: axis ${v} is out of range for inputs with ${rank} dims after the batch dim`);
      return k;
    };
    return [r(a, ranks[0]), r(b, ranks[1])];
  }

  protected mergedShape(shapes: readonly (readonly number[])[]): number[] {
    if (shapes.length !== 2) throw new RangeError(`${this.describe()}: takes exactly 2 inputs, got ${shapes.length}`);
    const [s, t] = shapes;
    if (s.length > 2 || t.length > 2) throw new RangeError(`${this.describe()}: supports rows of 1 or 2 dims, got [null,${s.join(',')}] and [null,${t.join(',')}]`);
    const [a, b] = this.rowAxes([s.length, t.length]);
    if (s[a] !== t[b]) throw new RangeError(`${this.describe()}: the contracted dims differ: ${s[a]} (input 0, axis ${a + 1}) and ${t[b]} (input 1, axis ${b + 1})`);
    const out = [...s.filter((_, i) => i !== a), ...t.filter((_, i) => i !== b)];
    return out.length === 0 ? [1] : out;
  }

  protected merge(xs: readonly Tensor[]): Tensor {
    let [x, y] = xs;
    const [a, b] = this.rowAxes([x.ndim - 1, y.ndim - 1]);
    if (this.config.normalize) {
      const unit = (t: Tensor, axis: number) => t.div(t.mul(t).sum(axis, true).sqrt().maximum(1e-12));
      x = unit(x, a + 1);
      y = unit(y, b + 1);
    }
    // bring the contracted axis last in x and first (after the batch) in y, then a batched matmul
    const xm = x.ndim === 2 ? x.unsqueeze(1) : a === 1 ? x : x.transpose(1, 2); // [batch, m, n]
    const ym = y.ndim === 2 ? y.unsqueeze(2) : b === 0 ? y : y.transpose(1, 2); // [batch, n, k]
    const out = xm.matmul(ym); // [batch, m, k]
    return out.reshape([out.shape[0], ...this.outputShape!]);
  }
}

/**
 * Joins a list of symbolic tensors along an axis (default the last).
 * @example
 * ```ts
 * const joined = tg.layers.concatenate().apply([a, b]);
 * ```
 */
export const concatenate = (args: ConcatenateArgs = {}): Concatenate => new Concatenate(args);
/**
 * Adds a list of inputs of one shape.
 * @example tg.layers.add().apply([a, b])
 */
export const add = (args: LayerArgs = {}): Add => new Add(args);
/**
 * Subtracts the second input from the first.
 * @example tg.layers.subtract().apply([a, b])
 */
export const subtract = (args: LayerArgs = {}): Subtract => new Subtract(args);
/**
 * Multiplies a list of inputs of one shape elementwise.
 * @example tg.layers.multiply().apply([a, b])
 */
export const multiply = (args: LayerArgs = {}): Multiply => new Multiply(args);
/**
 * Averages a list of inputs of one shape elementwise.
 * @example tg.layers.average().apply([a, b])
 */
export const average = (args: LayerArgs = {}): Average => new Average(args);
/**
 * The elementwise maximum of a list of inputs.
 * @example tg.layers.maximum().apply([a, b])
 */
export const maximum = (args: LayerArgs = {}): Maximum => new Maximum(args);
/**
 * The elementwise minimum of a list of inputs.
 * @example tg.layers.minimum().apply([a, b])
 */
export const minimum = (args: LayerArgs = {}): Minimum => new Minimum(args);
/**
 * The dot product of two inputs along `axes` (with `normalize: true`, their cosine similarity).
 * @example tg.layers.dot({ axes: 1 }).apply([a, b]) // rows [n] and [n] → [1]
 */
export const dot = (args: DotArgs): Dot => new Dot(args);
