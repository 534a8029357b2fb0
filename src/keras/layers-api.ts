// tg.layers: Keras-style layer factories (and their classes), for tg.sequential([...]).
// Each layer is an nn Module; Dense keeps nn.Linear's [units, inFeatures] weight and its stateDict keys.

export {
  activation, Activation, dense, Dense, dropout, Dropout, flatten, Flatten, Layer,
  type ActivationArgs, type DenseArgs, type DropoutArgs, type LayerArgs,
} from './layers.js';
export {
  embedding, Embedding, globalAveragePooling1d, GlobalAveragePooling1D, gru, GRU, layerNormalization, LayerNormalization,
  lstm, LSTM, simpleRNN, SimpleRNN, type EmbeddingArgs, type LayerNormalizationArgs, type RecurrentArgs,
  type RecurrentCallArgs, type ReturnsState, type WithState,
} from './sequence-layers.js';
export { bidirectional, Bidirectional, type BidirectionalArgs, type MergeMode } from './bidirectional.js';
export { multiHeadAttention, MultiHeadAttention, type AttendOptions, type MultiHeadAttentionArgs } from './attention.js';
export {
  textVectorization, TextVectorization, type Split, type Standardize, type TextOutputMode, type TextVectorizationArgs,
} from './text-vectorization.js';
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
export {
  averagePooling1d, AveragePooling1D, averagePooling2d, AveragePooling2D, batchNormalization, BatchNormalization, conv1d, Conv1D, conv1dTranspose,
  Conv1DTranspose, conv2d, Conv2D, conv2dTranspose, Conv2DTranspose, cropping1d, Cropping1D, cropping2d, Cropping2D, depthwiseConv2d, DepthwiseConv2D,
  globalAveragePooling2d, GlobalAveragePooling2D, globalMaxPooling1d, GlobalMaxPooling1D, globalMaxPooling2d, GlobalMaxPooling2D, maxPooling1d,
  MaxPooling1D, maxPooling2d, MaxPooling2D, reshape, Reshape, separableConv2d, SeparableConv2D, spatialDropout2d, SpatialDropout2D, upSampling1d,
  UpSampling1D, upSampling2d, UpSampling2D, zeroPadding1d, ZeroPadding1D, zeroPadding2d, ZeroPadding2D,
  type BatchNormalizationArgs, type Conv1DArgs, type Conv1DTransposeArgs, type Conv2DArgs, type Conv2DTransposeArgs, type ConvGeometryArgs,
  type Cropping1DArgs, type Cropping2DArgs, type DataFormat, type DepthwiseConv2DArgs, type GlobalPoolingArgs, type PoolingArgs, type ReshapeArgs,
  type SeparableConv2DArgs, type SpatialDropout2DArgs, type UpSampling1DArgs, type UpSampling2DArgs, type ZeroPadding1DArgs, type ZeroPadding2DArgs,
} from './image-layers.js';
