// Merge layers of the functional API (Keras' names and shape rules): concatenate, add, subtract,
// multiply, average, maximum, minimum and dot. Each takes a list of symbolic tensors and has no weights.

import { concat } from '../autograd/functions.js';
import type { Tensor } from '../autograd/tensor.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import { Layer, type LayerArgs, type LayerOptions, type SchemaFor } from './layer.js';
import { ConfigError, type Field, field, LAYER_FIELDS, show } from './schema.js';

/** Input row shapes as Keras prints them: `[null,2,3] and [null,2,4]`. */
const fmtRows = (shapes: readonly (readonly number[])[]): string => shapes.map((x) => `[null,${x.join(',')}]`).join(' and ');

/**
 * A row axis (0-based, batch dim excluded) from Keras' count (batch axis 0; −1 the last) for rows of `rank`
 * dims; throws naming the layer when it is out of range.
 */
function rowAxis(layer: Layer, axis: number, rank: number): number {
  const r = axis < 0 ? rank + axis : axis - 1;
  if (r < 0 || r >= rank) throw new RangeError(`${layer.describe()}: axis ${axis} is out of range for inputs with ${rank} dims after the batch dim`);
  return r;
}

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
        throw new RangeError(`${this.describe()}: inputs must have the same shape, got ${fmtRows(shapes)}`);
      }
    }
    return [...shapes[0]];
  }
}

const MERGE_FIELDS = { ...LAYER_FIELDS } satisfies SchemaFor<LayerArgs>;

/**
 * Elementwise merges: inputs of one shape folded pairwise, left to right, by `combine`. Each subclass is its
 * className, its factory's name (for errors) and the pairwise operation.
 */
abstract class Elementwise extends Merge {
  protected constructor(args: LayerArgs, options: LayerOptions, where: string) {
    super(MERGE_FIELDS, args, where, '{}', options);
  }

  /** Combines two inputs (or the result so far and the next input). */
  protected abstract combine(a: Tensor, b: Tensor): Tensor;

  protected mergedShape(shapes: readonly (readonly number[])[]): number[] {
    return this.sameShapes(shapes);
  }

  protected merge(xs: readonly Tensor[]): Tensor {
    return xs.slice(1).reduce((a, b) => this.combine(a, b), xs[0]);
  }
}

/** x₁ + x₂ + … (Keras Add). */
export class Add extends Elementwise {
  readonly className = 'Add';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(args, options, 'add'); }
  protected combine(a: Tensor, b: Tensor): Tensor { return a.add(b); }
}

/** x₁ − x₂, exactly two inputs (Keras Subtract). */
export class Subtract extends Elementwise {
  readonly className = 'Subtract';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(args, options, 'subtract'); }
  protected override mergedShape(shapes: readonly (readonly number[])[]): number[] {
    if (shapes.length !== 2) throw new RangeError(`${this.describe()}: takes exactly 2 inputs, got ${shapes.length}`);
    return this.sameShapes(shapes);
  }
  protected combine(a: Tensor, b: Tensor): Tensor { return a.sub(b); }
}

/** x₁ · x₂ · … elementwise (Keras Multiply). */
export class Multiply extends Elementwise {
  readonly className = 'Multiply';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(args, options, 'multiply'); }
  protected combine(a: Tensor, b: Tensor): Tensor { return a.mul(b); }
}

/** The elementwise mean of the inputs (Keras Average): their sum over their count. */
export class Average extends Elementwise {
  readonly className = 'Average';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(args, options, 'average'); }
  protected combine(a: Tensor, b: Tensor): Tensor { return a.add(b); }
  protected override merge(xs: readonly Tensor[]): Tensor { return super.merge(xs).div(xs.length); }
}

/** The elementwise maximum of the inputs (Keras Maximum; ties share the gradient, as tg.maximum). */
export class Maximum extends Elementwise {
  readonly className = 'Maximum';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(args, options, 'maximum'); }
  protected combine(a: Tensor, b: Tensor): Tensor { return a.maximum(b); }
}

/** The elementwise minimum of the inputs (Keras Minimum). */
export class Minimum extends Elementwise {
  readonly className = 'Minimum';
  constructor(args: LayerArgs = {}, options: LayerOptions = {}) { super(args, options, 'minimum'); }
  protected combine(a: Tensor, b: Tensor): Tensor { return a.minimum(b); }
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

  protected mergedShape(shapes: readonly (readonly number[])[]): number[] {
    const rank = shapes[0].length;
    const r = rowAxis(this, this.config.axis, rank);
    let size = 0;
    for (const s of shapes) {
      if (s.length !== rank || s.some((d, i) => i !== r && d !== shapes[0][i])) {
        throw new RangeError(`${this.describe()}: inputs must match except along axis ${this.config.axis}, got ${fmtRows(shapes)}`);
      }
      size += s[r];
    }
    const out = [...shapes[0]];
    out[r] = size;
    return out;
  }

  protected merge(xs: readonly Tensor[]): Tensor {
    return concat(xs, rowAxis(this, this.config.axis, xs[0].ndim - 1) + 1);
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
  normalize: field.bool(false),
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
    return [rowAxis(this, a, ranks[0]), rowAxis(this, b, ranks[1])];
  }

  protected mergedShape(shapes: readonly (readonly number[])[]): number[] {
    if (shapes.length !== 2) throw new RangeError(`${this.describe()}: takes exactly 2 inputs, got ${shapes.length}`);
    const [s, t] = shapes;
    if (s.length > 2 || t.length > 2) throw new RangeError(`${this.describe()}: supports rows of 1 or 2 dims, got ${fmtRows([s, t])}`);
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
