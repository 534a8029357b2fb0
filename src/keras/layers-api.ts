// tg.layers: Keras-style layer factories (and their classes), for tg.sequential([...]).
// Each layer is an nn Module; Dense keeps nn.Linear's [units, inFeatures] weight and its stateDict keys.

export {
  activation, Activation, dense, Dense, dropout, Dropout, flatten, Flatten, Layer,
  type ActivationArgs, type DenseArgs, type DropoutArgs, type LayerArgs,
} from './layers.js';
export {
  embedding, Embedding, globalAveragePooling1d, GlobalAveragePooling1D, gru, GRU, layerNormalization, LayerNormalization,
  lstm, LSTM, simpleRNN, SimpleRNN, type EmbeddingArgs, type LayerNormalizationArgs, type RecurrentArgs,
} from './sequence-layers.js';
export type { ActivationName } from './activations.js';
export type { InitializerName } from './initializers.js';
export {
  gaussianNoise, GaussianNoise, randomBrightness, RandomBrightness, randomContrast, RandomContrast, randomCrop, RandomCrop, randomFlip, RandomFlip, randomRotation, RandomRotation,
  randomTranslation, RandomTranslation, randomZoom, RandomZoom, type GaussianNoiseArgs, type RandomBrightnessArgs, type RandomContrastArgs, type RandomCropArgs,
  type RandomFlipArgs, type RandomLayerArgs, type RandomRotationArgs, type RandomTranslationArgs, type RandomZoomArgs, type WarpArgs,
} from './preprocessing.js';
export {
  add, Add, average, Average, concatenate, Concatenate, dot, Dot, type Merge, maximum, Maximum, minimum, Minimum, multiply, Multiply,
  subtract, Subtract, type ConcatenateArgs, type DotArgs,
} from './merge.js';
