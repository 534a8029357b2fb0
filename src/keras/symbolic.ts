// Symbolic tensors for the functional API: placeholders that carry a shape (without the batch dim) and
// remember which layer call made them, so tg.model({ inputs, outputs }) can read the graph back. A call may
// make several tensors (an LSTM with returnState: [output, h, c]): they share the call (their `source`), and
// each knows its place in the call's outputs (`outputIndex`), as Keras' node and tensor indices do.

import type { DType } from '../tensor/dtype.js';
import { snakeCase } from './names.js';

/** Something a symbolic tensor can come from: tg.input(), or a layer (or model) applied to symbolic tensors. */
export interface SymbolicSource {
  /** 'input' for tg.input(), else the layer's or model's name. */
  readonly kind: 'input' | 'call';
  /** The callable that was applied (null for an input). */
  readonly layer: SymbolicCallable | null;
  /** The symbolic tensors it was applied to (empty for an input). */
  readonly inputs: readonly SymbolicTensor[];
  /** Every tensor the call made, in order (the input itself for an input). */
  readonly outputs: readonly SymbolicTensor[];
}

/** What can be applied to symbolic tensors: a Keras-style layer, or a model used as a layer. */
export interface SymbolicCallable {
  /** Its name (unique within a model). */
  name: string | null;
  /** Its class name as saved ('Dense', 'Concatenate', 'Functional', ...). */
  readonly className: string;
  /** The output shape (without the batch dim) for these input shapes; builds the weights on first use. */
  buildFor(inputShapes: readonly (readonly number[])[]): number[];
  /** Whether it makes several outputs (a recurrent layer with returnState); absent means one. */
  readonly returnsList?: boolean;
  /** The shapes of all its outputs, read when `returnsList` is true. */
  outputShapesFor?(inputShapes: readonly (readonly number[])[]): number[][];
}

let nextId = 0;

/**
 * A placeholder tensor of the functional API (Keras' KerasTensor, TF.js's SymbolicTensor): a shape with a
 * free batch dim and the call that makes it. Layers applied to it return new symbolic tensors; nothing is
 * computed until the model built from them runs.
 */
export class SymbolicTensor {
  /** Unique and increasing: later tensors were made after earlier ones. */
  readonly id = nextId++;
  constructor(
    /** The shape of one row, without the batch dim. */
    readonly rowShape: readonly number[],
    readonly dtype: DType,
    /** Where it comes from. */
    readonly source: SymbolicSource,
    /** The name of an input (tg.input's name) or of the layer that made it. */
    readonly name: string,
    /** Its place among the outputs of the call that made it (0 unless the call makes several). */
    readonly outputIndex = 0,
  ) {}

  /** The shape with the batch dim as null, as Keras shows it: [null, 28, 28, 1]. */
  get shape(): (number | null)[] {
    return [null, ...this.rowShape];
  }

  /** A short description for errors: 'the output of dense_1 [null,10]' ('output 1 of lstm [null,8]'). */
  describe(): string {
    const s = `[null,${this.rowShape.join(',')}]`;
    if (this.source.kind === 'input') return `input "${this.name}" ${s}`;
    return this.source.outputs.length > 1 ? `output ${this.outputIndex} of ${this.name} ${s}` : `the output of ${this.name} ${s}`;
  }
}

/** True for a symbolic tensor, or a non-empty array of them. */
export function isSymbolic(x: unknown): x is SymbolicTensor | SymbolicTensor[] {
  return x instanceof SymbolicTensor || (Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof SymbolicTensor));
}

/** Applies a callable to symbolic inputs: checks and builds it for their shapes, and returns its symbolic output. */
export function applySymbolic(layer: SymbolicCallable, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
  return applySymbolicAll(layer, Array.isArray(x) ? x : [x])[0];
}

/** Applies a callable to symbolic inputs and returns all its outputs (one, or several sharing the call). */
export function applySymbolicAll(layer: SymbolicCallable, inputs: readonly SymbolicTensor[]): SymbolicTensor[] {
  const rowShapes = inputs.map((t) => t.rowShape);
  const shape = layer.buildFor(rowShapes);
  const shapes = layer.returnsList && layer.outputShapesFor ? layer.outputShapesFor(rowShapes) : [shape];
  const dtype = inputs[0].dtype;
  const outputs: SymbolicTensor[] = [];
  const source: SymbolicSource = { kind: 'call', layer, inputs: [...inputs], outputs };
  const name = layer.name ?? snakeCase(layer.className);
  shapes.forEach((s, k) => outputs.push(new SymbolicTensor(s, dtype, source, name, k)));
  return outputs;
}
