// The layer registry: every Keras-style layer class by the name saved in model.json. Loading and planning
// loop over it; a layer class exported as tg.layers.* without a row here does not compile.

import type { Layer, LayerOptions } from './layer.js';
import type * as api from './layers-api.js';
import { Activation, Dense, Dropout, Flatten } from './layers.js';
import { Embedding, GlobalAveragePooling1D, GRU, LayerNormalization, LSTM, SimpleRNN } from './sequence-layers.js';
import { GaussianNoise, RandomBrightness, RandomContrast, RandomCrop, RandomFlip, RandomRotation, RandomTranslation, RandomZoom } from './preprocessing.js';
import { Bidirectional } from './bidirectional.js';
import { MultiHeadAttention } from './attention.js';
import { Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract } from './merge.js';
import {
  AveragePooling1D, AveragePooling2D, BatchNormalization, Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, Cropping1D, Cropping2D, DepthwiseConv2D,
  GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D, Reshape, SeparableConv2D, SpatialDropout2D, UpSampling1D,
  UpSampling2D, ZeroPadding1D, ZeroPadding2D,
} from './image-layers.js';

/** A layer class as the registry holds it: constructed from a config object and options. */
export type LayerClass<K extends string> = new (args: never, options?: LayerOptions) => Layer & { readonly className: K };

/**
 * Every saveable layer, keyed by its className. Adding a layer: write its class (schema, computeOutputShape,
 * weightSpecs, allocate, forward) and add one row here; see docs/contributing.md.
 */
export const LAYERS = {
  Dense,
  Dropout,
  Flatten,
  Activation,
  Embedding,
  LayerNormalization,
  GlobalAveragePooling1D,
  SimpleRNN,
  LSTM,
  GRU,
  Bidirectional,
  MultiHeadAttention,
  RandomFlip,
  RandomTranslation,
  RandomRotation,
  RandomZoom,
  RandomContrast,
  RandomBrightness,
  RandomCrop,
  GaussianNoise,
  Concatenate,
  Add,
  Subtract,
  Multiply,
  Average,
  Maximum,
  Minimum,
  Dot,
  Conv1D,
  Conv2D,
  Conv2DTranspose,
  Conv1DTranspose,
  DepthwiseConv2D,
  SeparableConv2D,
  MaxPooling1D,
  MaxPooling2D,
  AveragePooling1D,
  AveragePooling2D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  GlobalMaxPooling1D,
  BatchNormalization,
  Reshape,
  ZeroPadding2D,
  ZeroPadding1D,
  Cropping2D,
  Cropping1D,
  UpSampling2D,
  UpSampling1D,
  SpatialDropout2D,
} satisfies { [K in string]: LayerClass<K> };

/** The className of a registered layer: 'Dense', 'Dropout', ... */
export type LayerName = keyof typeof LAYERS;

/** The classNames of the concrete layer classes exported as tg.layers.* (layers-api.ts). */
type ExportedLayerName = {
  [K in keyof typeof api]: (typeof api)[K] extends abstract new (...args: never) => infer L
    ? L extends Layer ? (string extends L['className'] ? never : L['className']) : never
    : never;
}[keyof typeof api];

/**
 * Does not compile when a layer exported in tg.layers has no row in LAYERS: the error reads
 * "Type '"Conv2D"' does not satisfy the constraint 'never'", naming the missing class.
 */
export type EveryLayerRegistered<Missing extends never = Exclude<ExportedLayerName, LayerName>> = Missing;

/** The registered class for a saved className, or null (never a prototype key such as 'constructor'). */
export function layerClass(name: unknown): (typeof LAYERS)[LayerName] | null {
  return typeof name === 'string' && Object.hasOwn(LAYERS, name) ? LAYERS[name as LayerName] : null;
}

/**
 * Constructs a registered layer from an untrusted config object. The constructor checks every field against
 * the layer's schema (and refuses construction-only fields), so passing the unchecked object is safe.
 */
export function layerFromConfig(name: LayerName, config: Record<string, unknown>, options: LayerOptions): Layer {
  const cls = LAYERS[name] as LayerClass<LayerName>;
  return new cls(config as never, options);
}
